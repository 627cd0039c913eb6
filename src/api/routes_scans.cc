// /api/scans: list, one scan with its detections, and the stored photo.
#include <span>

#include "api/params.h"
#include "api/routes.h"
#include "api/scan_json.h"
#include "http/conditional.h"
#include "http/error.h"
#include "http/response.h"
#include "store/json.h"
#include "vision/image.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

Result<nlohmann::json> List(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto filter = ParseScanFilter(request.query);
  if (!filter.ok()) return filter.status();
  auto page = ParsePage(request.query);
  if (!page.ok()) return page.status();
  auto result = deps.store->ListScans(*filter, *page);
  if (!result.ok()) return result.status();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : result->items) items.push_back(store::ToJson(s));
  return nlohmann::json{{"items", std::move(items)},
                        {"next_cursor", result->next_cursor ? nlohmann::json(*result->next_cursor)
                                                            : nlohmann::json(nullptr)}};
}

Result<nlohmann::json> One(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto scan = deps.store->GetScan(*id, /*with_detections=*/true);
  if (!scan.ok()) return scan.status();
  return ScanWithDetections(*scan);
}

http::Response Image(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto id = ParseId(request);
  if (!id.ok()) return http::ErrorResponse(id.status(), v);
  auto scan = deps.store->GetScan(*id, /*with_detections=*/false);
  if (!scan.ok()) return http::ErrorResponse(scan.status(), v);
  const std::string etag = "\"" + scan->sha256 + "\"";
  if (http::IfNoneMatchHits(request.header(bh::field::if_none_match), etag)) {
    http::Response res = http::EmptyResponse(bh::status::not_modified, v);
    res.set(bh::field::etag, etag);
    return res;
  }
  auto bytes = deps.scans->files().Read(scan->image_path);
  if (!bytes.ok()) return http::ErrorResponse(bytes.status(), v);
  auto info = vision::ProbeImage(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  const char* type = info.ok() ? vision::MimeType(info->format) : "application/octet-stream";
  http::Response res = http::BytesResponse(bh::status::ok, std::move(bytes).value(), type, v);
  res.set(bh::field::etag, etag);
  res.set(bh::field::cache_control, "private, max-age=31536000, immutable");
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace

void AddScanRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/api/scans",
              .role = Role::kViewer,
              .summary = "Scans (one per uploaded photo), newest first",
              .query = {"store", "shelf_location", "start", "end", "limit", "cursor"},
              .tag = "scans"},
             [&deps](http::Request& r) { return Reply(r, List(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/scans/{id}",
              .role = Role::kViewer,
              .summary = "One scan with its detections",
              .tag = "scans"},
             [&deps](http::Request& r) { return Reply(r, One(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/scans/{id}/image",
              .role = Role::kViewer,
              .summary = "The stored photo of a scan",
              .tag = "scans"},
             [&deps](http::Request& r) { return Image(r, deps); });
}

}  // namespace vs::api
