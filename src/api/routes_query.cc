// Read routes over detections: list (JSON grouped by scan, or CSV), summary, activity, filters.
#include "api/csv.h"
#include "api/params.h"
#include "api/routes.h"
#include "api/scan_json.h"
#include "http/error.h"
#include "http/query.h"
#include "http/response.h"
#include "store/json.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

http::Response Csv(const http::Request& request, const ApiDeps& deps,
                   const store::DetectionFilter& filter) {
  std::string body = DetectionsCsvHeader();
  store::PageRequest page;
  page.limit = 1000;
  while (true) {
    auto result = deps.store->ListDetections(filter, page);
    if (!result.ok()) return http::ErrorResponse(result.status(), request.raw.version());
    for (const auto& d : result->items) body += DetectionCsvRow(d);
    if (!result->next_cursor) break;
    page.cursor = result->next_cursor;
  }
  http::Response res = http::BytesResponse(bh::status::ok, std::move(body),
                                           "text/csv; charset=utf-8", request.raw.version());
  res.set(bh::field::content_disposition, "attachment; filename=\"detections.csv\"");
  res.set(bh::field::cache_control, "no-cache");
  return res;
}

http::Response Detections(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto filter = ParseDetectionFilter(request.query);
  if (!filter.ok()) return http::ErrorResponse(filter.status(), v);
  const std::string format = NonEmpty(request.query, "format").value_or("json");
  if (format != "json" && format != "csv") {
    return http::ErrorResponse(Status::InvalidValue("format must be 'json' or 'csv'"), v);
  }
  if (format == "csv") return Csv(request, deps, *filter);
  auto page = ParsePage(request.query);
  if (!page.ok()) return http::ErrorResponse(page.status(), v);
  auto result = deps.store->ListDetections(*filter, *page);
  if (!result.ok()) return http::ErrorResponse(result.status(), v);
  http::Response res = Reply(request, GroupByScan(result->items));
  if (result->next_cursor) {
    res.set("X-Next-Cursor", *result->next_cursor);
    res.set(bh::field::link,
            "<" + http::WithParam(request.path, request.query, "cursor", *result->next_cursor) +
                ">; rel=\"next\"");
  }
  return res;
}

Result<nlohmann::json> Summary(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto filter = ParseDetectionFilter(request.query);
  if (!filter.ok()) return filter.status();
  auto summary = deps.store->Summarize(*filter);
  if (!summary.ok()) return summary.status();
  return store::ToJson(*summary);
}

Result<nlohmann::json> Activity(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto filter = ParseDetectionFilter(request.query);
  if (!filter.ok()) return filter.status();
  auto granularity = ParseGranularity(request.query);
  if (!granularity.ok()) return granularity.status();
  auto buckets = deps.store->Activity(*filter, *granularity);
  if (!buckets.ok()) return buckets.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : *buckets) {
    out.push_back(
        {{"start", FormatIso8601(b.start)}, {"detections", b.detections}, {"scans", b.scans}});
  }
  return out;
}

Result<nlohmann::json> Filters(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [column, key] :
       {std::pair{"store", "stores"}, std::pair{"shelf_location", "shelf_locations"},
        std::pair{"sku", "skus"}, std::pair{"class_name", "class_names"}}) {
    auto values = deps.store->DistinctValues(column);
    if (!values.ok()) return values.status();
    out[key] = *values;
  }
  return out;
}

}  // namespace

void AddQueryRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/api/detections",
              .role = Role::kViewer,
              .summary = "Detections grouped by photo, newest first (format=csv for CSV)",
              .query = {"sku", "class_name", "shelf_location", "store", "start", "end",
                        "min_confidence", "limit", "cursor", "format"},
              .tag = "detections"},
             [&deps](http::Request& r) { return Detections(r, deps); });
  router.Add(
      {.method = bh::verb::get,
       .pattern = "/api/summary",
       .role = Role::kViewer,
       .summary = "Totals of the matching detections",
       .query = {"sku", "class_name", "shelf_location", "store", "start", "end", "min_confidence"},
       .tag = "detections"},
      [&deps](http::Request& r) { return Reply(r, Summary(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/activity",
              .role = Role::kViewer,
              .summary = "Detections and scans per hour or day",
              .query = {"sku", "class_name", "shelf_location", "store", "start", "end",
                        "min_confidence", "granularity"},
              .tag = "detections"},
             [&deps](http::Request& r) { return Reply(r, Activity(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/filters",
              .role = Role::kViewer,
              .summary = "Distinct stores, shelves, SKUs and classes, for filter pickers",
              .tag = "detections"},
             [&deps](http::Request& r) { return Reply(r, Filters(deps)); });
}

}  // namespace vs::api
