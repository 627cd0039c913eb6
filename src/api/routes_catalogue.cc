// Planograms (expected shelf contents, versioned, importable) and the product catalogue (model
// class -> SKU).
#include "api/csv.h"
#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "api/table_files.h"
#include "http/error.h"
#include "http/query.h"
#include "http/response.h"
#include "store/json.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

Result<store::Planogram> PlanogramFromBody(const http::Request& request) {
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  const auto& j = *body;
  store::Planogram p;
  VS_RETURN_IF_ERROR(GetString(j, "planogram_name", true, &p.planogram_name));
  VS_RETURN_IF_ERROR(GetString(j, "sku", true, &p.sku));
  VS_RETURN_IF_ERROR(GetString(j, "product_name", false, &p.product_name));
  VS_RETURN_IF_ERROR(GetString(j, "shelf_location", false, &p.shelf_location));
  VS_RETURN_IF_ERROR(GetString(j, "store", false, &p.store));
  VS_RETURN_IF_ERROR(GetInt(j, "expected_count", false, &p.expected_count));
  if (p.expected_count < 0) return Status::InvalidValue("expected_count must be >= 0");
  VS_RETURN_IF_ERROR(GetOptDouble(j, "x_position", &p.x_position));
  VS_RETURN_IF_ERROR(GetOptDouble(j, "y_position", &p.y_position));
  if (auto it = j.find("meta_data"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::InvalidValue("meta_data must be an object");
    if (it->dump().size() > kMaxMetaDataBytes) {
      return Status::InvalidValue("meta_data is larger than " +
                                  std::to_string(kMaxMetaDataBytes / 1024) + " KiB");
    }
    p.meta_data = *it;
  }
  return p;
}

store::PlanogramFilter PlanogramFilterOf(const http::Request& request) {
  store::PlanogramFilter f;
  f.planogram_name = NonEmpty(request.query, "planogram_name");
  f.sku = NonEmpty(request.query, "sku");
  f.shelf_location = NonEmpty(request.query, "shelf_location");
  f.store = NonEmpty(request.query, "store");
  return f;
}

// Without limit or cursor: every matching row (the earlier, unpaginated answer). With either: a
// page in id order, the next page's cursor in X-Next-Cursor and Link (as /api/detections).
http::Response ListPlanograms(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  const store::PlanogramFilter f = PlanogramFilterOf(request);
  nlohmann::json out = nlohmann::json::array();
  if (!NonEmpty(request.query, "limit") && !NonEmpty(request.query, "cursor")) {
    auto list = deps.store->ListPlanograms(f);
    if (!list.ok()) return http::ErrorResponse(list.status(), v);
    for (const auto& p : *list) out.push_back(store::ToJson(p));
    return Reply(request, out);
  }
  auto page = ParsePage(request.query);
  if (!page.ok()) return http::ErrorResponse(page.status(), v);
  auto result = deps.store->ListPlanogramPage(f, *page);
  if (!result.ok()) return http::ErrorResponse(result.status(), v);
  for (const auto& p : result->items) out.push_back(store::ToJson(p));
  http::Response res = Reply(request, out);
  if (result->next_cursor) {
    res.set("X-Next-Cursor", *result->next_cursor);
    res.set(bh::field::link,
            "<" + http::WithParam(request.path, request.query, "cursor", *result->next_cursor) +
                ">; rel=\"next\"");
  }
  return res;
}

Result<nlohmann::json> PlanogramVersions(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto list = deps.store->ListPlanogramVersions(*id);
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& x : *list) out.push_back(store::ToJson(x));
  return out;
}

// GET /api/planograms/versions?planogram_name=&version=: the rows of a planogram at a version.
Result<nlohmann::json> PlanogramAtVersion(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto name = NonEmpty(request.query, "planogram_name");
  if (!name) return Status::InvalidValue("planogram_name is required");
  int version = 0;
  if (auto text = NonEmpty(request.query, "version")) {
    try {
      size_t used = 0;
      version = std::stoi(*text, &used);
      if (used != text->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return Status::InvalidArgument("version must be an integer");
    }
    if (version < 1) return Status::InvalidValue("version must be at least 1");
  }
  auto current = deps.store->PlanogramVersionOf(*name);
  if (!current.ok()) return current.status();
  auto rows = deps.store->PlanogramAtVersion(*name, version);
  if (!rows.ok()) return rows.status();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : *rows) {
    nlohmann::json j = store::ToJson(p);
    j.erase("created_at");
    j.erase("updated_at");
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"planogram_name", *name},
                        {"version", version == 0 ? *current : version},
                        {"current_version", *current},
                        {"rows", std::move(list)}};
}

Result<TableFormat> BodyFormat(const http::Request& request) {
  const std::string_view type = request.header(bh::field::content_type);
  if (type.rfind("text/csv", 0) == 0) return TableFormat::kCsv;
  if (type.rfind("application/json", 0) == 0) return TableFormat::kJson;
  return Status::UnsupportedMedia("send the file as text/csv or application/json");
}

Result<TableFormat> ExportFormat(const http::Request& request) {
  const std::string f = NonEmpty(request.query, "format").value_or("json");
  if (f == "csv") return TableFormat::kCsv;
  if (f == "json") return TableFormat::kJson;
  return Status::InvalidValue("format must be 'json' or 'csv'");
}

http::Response CsvFile(const http::Request& request, std::string body, const char* name) {
  http::Response res = http::BytesResponse(bh::status::ok, std::move(body),
                                           "text/csv; charset=utf-8", request.raw.version());
  res.set(bh::field::content_disposition, std::string("attachment; filename=\"") + name + "\"");
  res.set(bh::field::cache_control, "no-cache");
  return res;
}

http::Response ImportPlanograms(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto format = BodyFormat(request);
  if (!format.ok()) return http::ErrorResponse(format.status(), v);
  auto file = ParsePlanogramFile(request.body(), *format);
  if (!file.errors.empty()) {
    return http::JsonResponse(bh::status::unprocessable_entity, RowErrorsJson(file.errors), v);
  }
  auto imported = deps.store->ImportPlanograms(file.rows);
  if (!imported.ok()) return http::ErrorResponse(imported.status(), v);
  return Reply(request, nlohmann::json{{"rows", imported->rows},
                                       {"removed", imported->removed},
                                       {"versions", imported->versions}});
}

http::Response ExportPlanograms(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto format = ExportFormat(request);
  if (!format.ok()) return http::ErrorResponse(format.status(), v);
  auto rows = deps.store->ListPlanograms(PlanogramFilterOf(request));
  if (!rows.ok()) return http::ErrorResponse(rows.status(), v);
  if (*format == TableFormat::kCsv) return CsvFile(request, PlanogramsCsv(*rows), "planograms.csv");
  return Reply(request, PlanogramsJson(*rows));
}

http::Response ImportProducts(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto format = BodyFormat(request);
  if (!format.ok()) return http::ErrorResponse(format.status(), v);
  auto file = ParseProductFile(request.body(), *format);
  if (!file.errors.empty()) {
    return http::JsonResponse(bh::status::unprocessable_entity, RowErrorsJson(file.errors), v);
  }
  auto stored = deps.store->ImportProducts(file.rows);
  if (!stored.ok()) return http::ErrorResponse(stored.status(), v);
  return Reply(request, nlohmann::json{{"rows", file.rows.size()}, {"products", stored->size()}});
}

http::Response ExportProducts(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto format = ExportFormat(request);
  if (!format.ok()) return http::ErrorResponse(format.status(), v);
  auto list = deps.store->ListProducts();
  if (!list.ok()) return http::ErrorResponse(list.status(), v);
  if (*format == TableFormat::kCsv) return CsvFile(request, ProductsCsv(*list), "products.csv");
  return Reply(request, ProductsJson(*list));
}

Result<nlohmann::json> CreatePlanogram(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto p = PlanogramFromBody(request);
  if (!p.ok()) return p.status();
  auto created = deps.store->CreatePlanogram(*p);
  if (!created.ok()) return created.status();
  return store::ToJson(*created);
}

Result<nlohmann::json> GetPlanogram(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto p = deps.store->GetPlanogram(*id);
  if (!p.ok()) return p.status();
  return store::ToJson(*p);
}

Result<nlohmann::json> UpdatePlanogram(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto p = PlanogramFromBody(request);
  if (!p.ok()) return p.status();
  p->id = *id;
  auto updated = deps.store->UpdatePlanogram(*p);
  if (!updated.ok()) return updated.status();
  return store::ToJson(*updated);
}

http::Response DeletePlanogram(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto id = ParseId(request);
  if (!id.ok()) return http::ErrorResponse(id.status(), v);
  if (Status s = deps.store->DeletePlanogram(*id); !s.ok()) return http::ErrorResponse(s, v);
  return http::EmptyResponse(bh::status::no_content, v);
}

Result<nlohmann::json> ListProducts(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto list = deps.store->ListProducts();
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *list) out.push_back(store::ToJson(p));
  return out;
}

Result<nlohmann::json> UpsertProduct(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  store::Product p;
  VS_RETURN_IF_ERROR(GetString(*body, "class_name", true, &p.class_name));
  VS_RETURN_IF_ERROR(GetString(*body, "sku", true, &p.sku));
  VS_RETURN_IF_ERROR(GetString(*body, "product_name", false, &p.product_name));
  VS_RETURN_IF_ERROR(GetString(*body, "brand", false, &p.brand));
  auto saved = deps.store->UpsertProduct(p);
  if (!saved.ok()) return saved.status();
  return store::ToJson(*saved);
}

}  // namespace

void AddCatalogueRoutes(http::Router& router, const ApiDeps& deps) {
  using http::BodyKind;
  router.Add({.method = bh::verb::get,
              .pattern = "/api/planograms",
              .role = Role::kViewer,
              .summary = "Planogram rows (expected shelf contents); paginated with limit/cursor",
              .query = {"planogram_name", "sku", "shelf_location", "store", "limit", "cursor"},
              .tag = "planograms"},
             [&deps](http::Request& r) { return ListPlanograms(r, deps); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/planograms/import",
              .role = Role::kAdmin,
              .summary = "Replace planograms from a CSV or JSON file (all rows or none)",
              .body = BodyKind::kTable,
              .tag = "planograms"},
             [&deps](http::Request& r) { return ImportPlanograms(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/planograms/export",
              .role = Role::kViewer,
              .summary = "Planogram rows as an importable CSV or JSON file",
              .query = {"format", "planogram_name", "sku", "shelf_location", "store"},
              .tag = "planograms"},
             [&deps](http::Request& r) { return ExportPlanograms(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/planograms/versions",
              .role = Role::kViewer,
              .summary = "A planogram's rows as they were at a version",
              .query = {"planogram_name", "version"},
              .tag = "planograms"},
             [&deps](http::Request& r) { return Reply(r, PlanogramAtVersion(r, deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/planograms",
              .role = Role::kAdmin,
              .summary = "Add a planogram row",
              .body = BodyKind::kJson,
              .tag = "planograms"},
             [&deps](http::Request& r) {
               return Reply(r, CreatePlanogram(r, deps), bh::status::created);
             });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/planograms/{id}",
              .role = Role::kViewer,
              .summary = "One planogram row",
              .tag = "planograms"},
             [&deps](http::Request& r) { return Reply(r, GetPlanogram(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/planograms/{id}/versions",
              .role = Role::kViewer,
              .summary = "Every version of a planogram row, oldest first",
              .tag = "planograms"},
             [&deps](http::Request& r) { return Reply(r, PlanogramVersions(r, deps)); });
  router.Add({.method = bh::verb::put,
              .pattern = "/api/planograms/{id}",
              .role = Role::kAdmin,
              .summary = "Replace a planogram row",
              .body = BodyKind::kJson,
              .tag = "planograms"},
             [&deps](http::Request& r) { return Reply(r, UpdatePlanogram(r, deps)); });
  router.Add({.method = bh::verb::delete_,
              .pattern = "/api/planograms/{id}",
              .role = Role::kAdmin,
              .summary = "Delete a planogram row",
              .tag = "planograms"},
             [&deps](http::Request& r) { return DeletePlanogram(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/products",
              .role = Role::kViewer,
              .summary = "The product catalogue (model class -> SKU)",
              .tag = "catalogue"},
             [&deps](http::Request& r) { return Reply(r, ListProducts(deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/products/import",
              .role = Role::kAdmin,
              .summary = "Add or update products from a CSV or JSON file (all rows or none)",
              .body = BodyKind::kTable,
              .tag = "catalogue"},
             [&deps](http::Request& r) { return ImportProducts(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/products/export",
              .role = Role::kViewer,
              .summary = "The product catalogue as an importable CSV or JSON file",
              .query = {"format"},
              .tag = "catalogue"},
             [&deps](http::Request& r) { return ExportProducts(r, deps); });
  router.Add(
      {.method = bh::verb::post,
       .pattern = "/api/products",
       .role = Role::kAdmin,
       .summary = "Add or update the product of a model class",
       .body = BodyKind::kJson,
       .tag = "catalogue"},
      [&deps](http::Request& r) { return Reply(r, UpsertProduct(r, deps), bh::status::created); });
}

}  // namespace vs::api
