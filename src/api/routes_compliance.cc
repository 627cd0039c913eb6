// Planogram compliance: on-demand analysis and discrepancies (the earlier clients' routes), the
// latest state and history per shelf, the action list, and alerts.
#include <algorithm>
#include <map>

#include "analysis/analyzer.h"
#include "analysis/results.h"
#include "api/csv.h"
#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "http/error.h"
#include "http/query.h"
#include "http/response.h"
#include "store/json.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;
using nlohmann::json;

std::string Num(const std::optional<double>& v) { return v ? json(*v).dump() : ""; }

http::Response CsvReply(const http::Request& request, std::string body, const char* name) {
  http::Response res = http::BytesResponse(bh::status::ok, std::move(body),
                                           "text/csv; charset=utf-8", request.raw.version());
  res.set(bh::field::content_disposition, std::string("attachment; filename=\"") + name + "\"");
  res.set(bh::field::cache_control, "no-cache");
  return res;
}

Result<bool> WantsCsv(const http::Request& request) {
  const std::string f = NonEmpty(request.query, "format").value_or("json");
  if (f != "json" && f != "csv") return Status::InvalidValue("format must be 'json' or 'csv'");
  return f == "csv";
}

void SetNextPage(const http::Request& request, const std::optional<std::string>& cursor,
                 http::Response* res) {
  if (!cursor) return;
  res->set("X-Next-Cursor", *cursor);
  res->set(bh::field::link, "<" + http::WithParam(request.path, request.query, "cursor", *cursor) +
                                ">; rel=\"next\"");
}

Result<store::ComplianceFilter> ComplianceFilterOf(const http::Request& request,
                                                   const char* start = "start",
                                                   const char* end = "end") {
  store::ComplianceFilter f;
  f.store = NonEmpty(request.query, "store");
  f.shelf_location = NonEmpty(request.query, "shelf_location");
  f.planogram_name = NonEmpty(request.query, "planogram_name");
  VS_RETURN_IF_ERROR(ParseTimeRange(request.query, &f.start, &f.end, start, end));
  return f;
}

const std::string kKpiCsvColumns =
    "compliance_score,availability,out_of_stock_rate,gap_share,planned_units,compliant_units,"
    "stocked_skus,present_skus,out_of_stock_skus,gap_count,facings";
std::string KpiCsv(const store::ComplianceKpis& k) {
  return Num(k.compliance_score) + "," + Num(k.availability) + "," + Num(k.out_of_stock_rate) +
         "," + Num(k.gap_share) + "," + std::to_string(k.planned_units) + "," +
         std::to_string(k.compliant_units) + "," + std::to_string(k.stocked_skus) + "," +
         std::to_string(k.present_skus) + "," + std::to_string(k.out_of_stock_skus) + "," +
         std::to_string(k.gap_count) + "," + std::to_string(k.facings);
}

// --- POST /api/analyze (the earlier clients' route) ------------------------------------------

// The scan to analyse: scan_id; else the newest scan with image_path; else the newest scan of
// shelf_location (or of the planogram's only shelf) in `store` when given.
Result<store::Id> ScanToAnalyse(const http::Request& request, const ApiDeps& deps) {
  if (auto text = NonEmpty(request.query, "scan_id")) {
    try {
      size_t used = 0;
      const long long id = std::stoll(*text, &used);
      if (used != text->size() || id <= 0) throw std::invalid_argument("id");
      return static_cast<store::Id>(id);
    } catch (const std::exception&) {
      return Status::InvalidArgument("scan_id must be a positive integer");
    }
  }
  store::ScanFilter f;
  f.store = NonEmpty(request.query, "store");
  f.shelf_location = NonEmpty(request.query, "shelf_location");
  f.image_path = NonEmpty(request.query, "image_path");
  const auto name = NonEmpty(request.query, "planogram_name");
  if (!f.image_path && !f.shelf_location && name) {
    store::PlanogramFilter pf;
    pf.planogram_name = name;
    auto rows = deps.store->ListPlanograms(pf);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound("planogram '" + *name + "' not found");
    for (const auto& r : *rows) {
      if (r.shelf_location != rows->front().shelf_location) {
        return Status::InvalidValue("planogram '" + *name +
                                    "' covers several shelves: give shelf_location");
      }
    }
    f.shelf_location = rows->front().shelf_location;
  }
  if (!f.image_path && !f.shelf_location) {
    return Status::InvalidValue("give scan_id, image_path, shelf_location or planogram_name");
  }
  auto page = deps.store->ListScans(f, store::PageRequest{.limit = 1});
  if (!page.ok()) return page.status();
  if (page->items.empty()) return Status::NotFound("no scan matches");
  return page->items.front().id;
}

Result<json> Analyze(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  if (!deps.analyzer) return Status::Unavailable("compliance analysis is not running");
  auto scan_id = ScanToAnalyse(request, deps);
  if (!scan_id.ok()) return scan_id.status();
  const auto name = NonEmpty(request.query, "planogram_name");
  auto done = deps.analyzer->AnalyzeScan(*scan_id, name);
  if (!done.ok()) return done.status();
  if (done->results.empty()) {
    return Status::NotFound("no planogram for shelf '" + done->scan.shelf_location +
                            "' of store '" + done->scan.store + "'");
  }
  json discrepancies = json::array();
  for (const auto& d : done->discrepancies) {
    json j = store::ToJson(d);
    j.erase("id");
    discrepancies.push_back(std::move(j));
  }
  json results = json::array();
  for (const auto& r : done->results) results.push_back(store::ToJson(r, true));
  return json{{"planogram_name", name ? json(*name) : json(done->results.front().planogram_name)},
              {"scan_id", done->scan.id},
              {"image_path", done->scan.image_path},
              {"store", done->scan.store},
              {"shelf_location", done->scan.shelf_location},
              {"total_discrepancies", discrepancies.size()},
              {"discrepancies", std::move(discrepancies)},
              {"results", std::move(results)}};
}

// --- GET /api/discrepancies (the earlier clients' route) --------------------------------------

http::Response Discrepancies(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto csv = WantsCsv(request);
  if (!csv.ok()) return http::ErrorResponse(csv.status(), v);
  int limit = 100;
  if (auto text = NonEmpty(request.query, "limit")) {
    auto page = ParsePage(request.query);
    if (!page.ok()) return http::ErrorResponse(page.status(), v);
    limit = page->limit;
  }
  auto list = deps.store->ListDiscrepancies(NonEmpty(request.query, "planogram_name"),
                                            NonEmpty(request.query, "sku"),
                                            NonEmpty(request.query, "discrepancy_type"), limit);
  if (!list.ok()) return http::ErrorResponse(list.status(), v);
  if (*csv) {
    std::string body =
        "id,planogram_id,store,shelf_location,sku,discrepancy_type,expected_count,"
        "detected_count,confidence_score,created_at\r\n";
    for (const auto& d : *list) {
      body += std::to_string(d.id) + "," + std::to_string(d.planogram_id) + "," +
              CsvField(d.store) + "," + CsvField(d.shelf_location) + "," + CsvField(d.sku) + "," +
              CsvField(d.discrepancy_type) + "," + std::to_string(d.expected_count) + "," +
              std::to_string(d.detected_count) + "," + Num(d.confidence_score) + "," +
              FormatIso8601(d.created_at) + "\r\n";
    }
    return CsvReply(request, std::move(body), "discrepancies.csv");
  }
  json out = json::array();
  for (const auto& d : *list) out.push_back(store::ToJson(d));
  return Reply(request, out);
}

// --- GET /api/compliance, /api/compliance/history, /api/compliance/results --------------------

http::Response Latest(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto csv = WantsCsv(request);
  if (!csv.ok()) return http::ErrorResponse(csv.status(), v);
  auto f = ComplianceFilterOf(request);
  if (!f.ok()) return http::ErrorResponse(f.status(), v);
  auto latest = deps.store->LatestCompliance(*f);
  if (!latest.ok()) return http::ErrorResponse(latest.status(), v);
  if (*csv) {
    std::string body =
        "result_id,scan_id,store,shelf_location,planogram_name,planogram_version,"
        "captured_at,compliant," +
        kKpiCsvColumns + "\r\n";
    for (const auto& r : *latest) {
      body += std::to_string(r.id) + "," + std::to_string(r.scan_id) + "," + CsvField(r.store) +
              "," + CsvField(r.shelf_location) + "," + CsvField(r.planogram_name) + "," +
              std::to_string(r.planogram_version) + "," + FormatIso8601(r.captured_at) + "," +
              (r.compliant ? "true" : "false") + "," + KpiCsv(r.kpis) + "\r\n";
    }
    return CsvReply(request, std::move(body), "compliance.csv");
  }
  json items = json::array();
  std::vector<store::ComplianceKpis> all;
  std::map<std::string, std::vector<store::ComplianceKpis>> by_store;
  for (const auto& r : *latest) {
    items.push_back(store::ToJson(r, NonEmpty(request.query, "detail").value_or("") == "true"));
    all.push_back(r.kpis);
    by_store[r.store].push_back(r.kpis);
  }
  json stores = json::object();
  for (const auto& [name, list] : by_store) stores[name] = store::ToJson(analysis::PoolKpis(list));
  return Reply(request, json{{"items", std::move(items)},
                             {"kpis", store::ToJson(analysis::PoolKpis(all))},
                             {"by_store", std::move(stores)}});
}

http::Response History(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto csv = WantsCsv(request);
  if (!csv.ok()) return http::ErrorResponse(csv.status(), v);
  auto f = ComplianceFilterOf(request, "from", "to");
  if (!f.ok()) return http::ErrorResponse(f.status(), v);
  const std::string bucket = NonEmpty(request.query, "bucket").value_or("hour");
  if (bucket != "hour" && bucket != "day") {
    return http::ErrorResponse(Status::InvalidValue("bucket must be 'hour' or 'day'"), v);
  }
  auto buckets = deps.store->ComplianceHistory(
      *f, bucket == "day" ? store::Granularity::kDay : store::Granularity::kHour);
  if (!buckets.ok()) return http::ErrorResponse(buckets.status(), v);
  if (*csv) {
    std::string body = "start,results,compliant_results," + kKpiCsvColumns + "\r\n";
    for (const auto& b : *buckets) {
      body += FormatIso8601(b.start) + "," + std::to_string(b.results) + "," +
              std::to_string(b.compliant_results) + "," + KpiCsv(analysis::KpisOfBucket(b)) +
              "\r\n";
    }
    return CsvReply(request, std::move(body), "compliance-history.csv");
  }
  json out = json::array();
  for (const auto& b : *buckets) {
    out.push_back({{"start", FormatIso8601(b.start)},
                   {"results", b.results},
                   {"compliant_results", b.compliant_results},
                   {"kpis", store::ToJson(analysis::KpisOfBucket(b))}});
  }
  return Reply(request, out);
}

http::Response Results(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto f = ComplianceFilterOf(request);
  if (!f.ok()) return http::ErrorResponse(f.status(), v);
  if (auto text = NonEmpty(request.query, "scan_id")) {
    try {
      f->scan_id = std::stoll(*text);
    } catch (const std::exception&) {
      return http::ErrorResponse(Status::InvalidArgument("scan_id must be an integer"), v);
    }
  }
  auto page = ParsePage(request.query);
  if (!page.ok()) return http::ErrorResponse(page.status(), v);
  auto list = deps.store->ListComplianceResults(*f, *page);
  if (!list.ok()) return http::ErrorResponse(list.status(), v);
  json out = json::array();
  for (const auto& r : list->items) out.push_back(store::ToJson(r, true));
  http::Response res = Reply(request, out);
  SetNextPage(request, list->next_cursor, &res);
  return res;
}

Result<json> OneResult(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto r = deps.store->GetComplianceResult(*id);
  if (!r.ok()) return r.status();
  return store::ToJson(*r, true);
}

// --- GET /api/actions --------------------------------------------------------------------------

// Out-of-stock SKUs (cost: their planned facings) and gaps (cost: their width in facings) of
// the latest results, costliest first.
http::Response Actions(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto csv = WantsCsv(request);
  if (!csv.ok()) return http::ErrorResponse(csv.status(), v);
  store::ComplianceFilter f;
  f.store = NonEmpty(request.query, "store");
  f.shelf_location = NonEmpty(request.query, "shelf_location");
  auto latest = deps.store->LatestCompliance(f);
  if (!latest.ok()) return http::ErrorResponse(latest.status(), v);
  std::vector<json> items;
  for (const auto& r : *latest) {
    const json base = {{"store", r.store},
                       {"shelf_location", r.shelf_location},
                       {"planogram_name", r.planogram_name},
                       {"planogram_version", r.planogram_version},
                       {"scan_id", r.scan_id},
                       {"result_id", r.id},
                       {"captured_at", FormatIso8601(r.captured_at)}};
    for (const json& s : r.detail.value("skus", json::array())) {
      if (s.value("status", "") != "OUT_OF_STOCK") continue;
      json item = base;
      item["type"] = "OUT_OF_STOCK";
      item["sku"] = s.value("sku", "");
      item["product_name"] = s.value("product_name", "");
      item["facings"] = s.value("expected", 0);
      item["expected"] = s.value("expected", 0);
      item["detected"] = s.value("detected", 0);
      item["box"] = nullptr;
      items.push_back(std::move(item));
    }
    for (const json& g : r.detail.value("gaps", json::array())) {
      json item = base;
      item["type"] = "GAP";
      item["sku"] = "";
      item["product_name"] = "";
      item["facings"] = g.value("facings", 0.0);
      item["expected"] = nullptr;
      item["detected"] = nullptr;
      item["box"] = g.value("box", json(nullptr));
      items.push_back(std::move(item));
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) {
    return a["facings"].get<double>() > b["facings"].get<double>();
  });
  if (*csv) {
    std::string body =
        "rank,type,store,shelf_location,planogram_name,sku,product_name,facings,scan_id,"
        "captured_at\r\n";
    int rank = 0;
    for (const json& i : items) {
      body += std::to_string(++rank) + "," + i["type"].get<std::string>() + "," +
              CsvField(i["store"].get<std::string>()) + "," +
              CsvField(i["shelf_location"].get<std::string>()) + "," +
              CsvField(i["planogram_name"].get<std::string>()) + "," +
              CsvField(i["sku"].get<std::string>()) + "," +
              CsvField(i["product_name"].get<std::string>()) + "," + i["facings"].dump() + "," +
              i["scan_id"].dump() + "," + i["captured_at"].get<std::string>() + "\r\n";
    }
    return CsvReply(request, std::move(body), "actions.csv");
  }
  json out = json::array();
  int rank = 0;
  for (json& i : items) {
    i["rank"] = ++rank;
    out.push_back(std::move(i));
  }
  return Reply(request, out);
}

// --- alerts -----------------------------------------------------------------------------------

http::Response Alerts(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto csv = WantsCsv(request);
  if (!csv.ok()) return http::ErrorResponse(csv.status(), v);
  store::AlertFilter f;
  if (auto status = NonEmpty(request.query, "status")) {
    size_t from = 0;
    while (from <= status->size()) {
      const size_t comma = std::min(status->find(',', from), status->size());
      const std::string one = status->substr(from, comma - from);
      if (one != "open" && one != "acknowledged" && one != "resolved") {
        return http::ErrorResponse(
            Status::InvalidValue("status must be open, acknowledged or resolved"), v);
      }
      f.statuses.push_back(one);
      from = comma + 1;
    }
  }
  f.store = NonEmpty(request.query, "store");
  f.shelf_location = NonEmpty(request.query, "shelf_location");
  f.type = NonEmpty(request.query, "type");
  f.planogram_name = NonEmpty(request.query, "planogram_name");
  auto page = ParsePage(request.query);
  if (!page.ok()) return http::ErrorResponse(page.status(), v);
  auto list = deps.store->ListAlerts(f, *page);
  if (!list.ok()) return http::ErrorResponse(list.status(), v);
  if (*csv) {
    std::string body =
        "id,type,status,store,shelf_location,planogram_name,sku,scans,first_seen_at,"
        "raised_at,resolved_at,acknowledged_by,duration_seconds\r\n";
    for (const auto& a : list->items) {
      const json j = store::ToJson(a);
      body += std::to_string(a.id) + "," + a.type + "," + a.status + "," + CsvField(a.store) + "," +
              CsvField(a.shelf_location) + "," + CsvField(a.planogram_name) + "," +
              CsvField(a.sku) + "," + std::to_string(a.scans) + "," +
              FormatIso8601(a.first_seen_at) + "," +
              (a.raised_at ? FormatIso8601(*a.raised_at) : "") + "," +
              (a.resolved_at ? FormatIso8601(*a.resolved_at) : "") + "," +
              CsvField(a.acknowledged_by) + "," + j["duration_seconds"].dump() + "\r\n";
    }
    http::Response res = CsvReply(request, std::move(body), "alerts.csv");
    SetNextPage(request, list->next_cursor, &res);
    return res;
  }
  json out = json::array();
  for (const auto& a : list->items) out.push_back(store::ToJson(a));
  http::Response res = Reply(request, out);
  SetNextPage(request, list->next_cursor, &res);
  return res;
}

Result<json> OneAlert(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto a = deps.store->GetAlert(*id);
  if (!a.ok()) return a.status();
  return store::ToJson(*a);
}

Result<json> Acknowledge(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  std::string note;
  if (!request.body().empty()) {
    auto body = ParseJsonObject(request);
    if (!body.ok()) return body.status();
    VS_RETURN_IF_ERROR(GetString(*body, "note", false, &note));
  }
  auto a = deps.store->AcknowledgeAlert(*id, request.caller, note);
  if (!a.ok()) return a.status();
  return store::ToJson(*a);
}

}  // namespace

void AddComplianceRoutes(http::Router& router, const ApiDeps& deps) {
  using http::BodyKind;
  router.Add({.method = bh::verb::post,
              .pattern = "/api/analyze",
              .role = Role::kOperator,
              .summary = "Analyse a stored scan against its shelf's planograms now",
              .query = {"planogram_name", "image_path", "shelf_location", "store", "scan_id"},
              .tag = "compliance"},
             [&deps](http::Request& r) { return Reply(r, Analyze(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/discrepancies",
              .role = Role::kViewer,
              .summary = "Discrepancies of the latest analysis of each shelf (format=csv for CSV)",
              .query = {"planogram_name", "sku", "discrepancy_type", "limit", "format"},
              .tag = "compliance"},
             [&deps](http::Request& r) { return Discrepancies(r, deps); });
  router.Add(
      {.method = bh::verb::get,
       .pattern = "/api/compliance",
       .role = Role::kViewer,
       .summary = "Latest compliance per store, shelf and planogram, with pooled KPIs",
       .query = {"store", "shelf_location", "planogram_name", "start", "end", "detail", "format"},
       .tag = "compliance"},
      [&deps](http::Request& r) { return Latest(r, deps); });
  router.Add(
      {.method = bh::verb::get,
       .pattern = "/api/compliance/history",
       .role = Role::kViewer,
       .summary = "Compliance KPIs per hour or day",
       .query = {"store", "shelf_location", "planogram_name", "bucket", "from", "to", "format"},
       .tag = "compliance"},
      [&deps](http::Request& r) { return History(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/compliance/results",
              .role = Role::kViewer,
              .summary = "Stored compliance results with their per-row detail, newest first",
              .query = {"store", "shelf_location", "planogram_name", "scan_id", "start", "end",
                        "limit", "cursor"},
              .tag = "compliance"},
             [&deps](http::Request& r) { return Results(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/compliance/results/{id}",
              .role = Role::kViewer,
              .summary = "One compliance result with its per-row detail",
              .tag = "compliance"},
             [&deps](http::Request& r) { return Reply(r, OneResult(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/actions",
              .role = Role::kViewer,
              .summary = "Out-of-stock and gap items, costliest in planned facings first",
              .query = {"store", "shelf_location", "format"},
              .tag = "compliance"},
             [&deps](http::Request& r) { return Actions(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/alerts",
              .role = Role::kViewer,
              .summary = "Compliance alerts, newest first",
              .query = {"status", "store", "shelf_location", "type", "planogram_name", "limit",
                        "cursor", "format"},
              .tag = "compliance"},
             [&deps](http::Request& r) { return Alerts(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/alerts/{id}",
              .role = Role::kViewer,
              .summary = "One alert",
              .tag = "compliance"},
             [&deps](http::Request& r) { return Reply(r, OneAlert(r, deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/alerts/{id}/ack",
              .role = Role::kOperator,
              .summary = "Acknowledge an open alert (body: {\"note\": \"...\"}, optional)",
              .body = BodyKind::kJson,
              .tag = "compliance"},
             [&deps](http::Request& r) { return Reply(r, Acknowledge(r, deps)); });
}

}  // namespace vs::api
