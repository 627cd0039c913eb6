// Planograms (expected shelf contents) and the product catalogue (model class -> SKU).
#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "http/error.h"
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

Result<nlohmann::json> ListPlanograms(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  store::PlanogramFilter f;
  f.planogram_name = NonEmpty(request.query, "planogram_name");
  f.sku = NonEmpty(request.query, "sku");
  f.shelf_location = NonEmpty(request.query, "shelf_location");
  auto list = deps.store->ListPlanograms(f);
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *list) out.push_back(store::ToJson(p));
  return out;
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
              .summary = "Planogram rows (expected shelf contents)",
              .query = {"planogram_name", "sku", "shelf_location"},
              .tag = "planograms"},
             [&deps](http::Request& r) { return Reply(r, ListPlanograms(r, deps)); });
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
