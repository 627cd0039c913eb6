// Model versions and their evaluation metrics.
#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "store/json.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

Result<nlohmann::json> List(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto list = deps.store->ListModels();
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : *list) out.push_back(store::ToJson(m));
  return out;
}

Result<nlohmann::json> One(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto m = deps.store->GetModel(*id);
  if (!m.ok()) return m.status();
  return store::ToJson(*m);
}

Result<nlohmann::json> Create(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  const auto& j = *body;
  store::ModelVersion m;
  VS_RETURN_IF_ERROR(GetString(j, "version_name", true, &m.version_name));
  VS_RETURN_IF_ERROR(GetString(j, "model_type", false, &m.model_type));
  VS_RETURN_IF_ERROR(GetString(j, "model_path", false, &m.model_path));
  VS_RETURN_IF_ERROR(GetString(j, "base_model", false, &m.base_model));
  VS_RETURN_IF_ERROR(GetOptTime(j, "training_date", &m.training_date));
  VS_RETURN_IF_ERROR(GetOptInt(j, "epochs", &m.epochs));
  if (m.epochs && *m.epochs < 0) return Status::InvalidValue("epochs must be >= 0");
  VS_RETURN_IF_ERROR(GetString(j, "dataset_path", false, &m.dataset_path));
  VS_RETURN_IF_ERROR(GetBool(j, "is_active", &m.is_active));
  auto saved = deps.store->UpsertModel(m);
  if (!saved.ok()) return saved.status();
  auto full = deps.store->GetModel(saved->id);
  if (!full.ok()) return full.status();
  return store::ToJson(*full);
}

Status Fraction(const std::optional<double>& v, const char* name) {
  if (v && (*v < 0 || *v > 1))
    return Status::InvalidValue(std::string(name) + " must be within 0..1");
  return Status::Ok();
}

Result<nlohmann::json> AddMetrics(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto model = deps.store->GetModel(*id);
  if (!model.ok()) return model.status();
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  const auto& j = *body;
  store::ModelMetrics m;
  m.model_version_id = *id;
  m.evaluation_date = Now();
  std::optional<Timestamp> date;
  VS_RETURN_IF_ERROR(GetOptTime(j, "evaluation_date", &date));
  if (date) m.evaluation_date = *date;
  for (auto [key, field] : {std::pair{"map50", &m.map50}, std::pair{"map50_95", &m.map50_95},
                            std::pair{"precision", &m.precision}, std::pair{"recall", &m.recall},
                            std::pair{"f1_score", &m.f1_score}}) {
    VS_RETURN_IF_ERROR(GetOptDouble(j, key, field));
    VS_RETURN_IF_ERROR(Fraction(*field, key));
  }
  VS_RETURN_IF_ERROR(GetOptDouble(j, "inference_time_ms", &m.inference_time_ms));
  if (m.inference_time_ms && *m.inference_time_ms < 0) {
    return Status::InvalidValue("inference_time_ms must be >= 0");
  }
  VS_RETURN_IF_ERROR(GetString(j, "test_dataset_path", false, &m.test_dataset_path));
  VS_RETURN_IF_ERROR(GetOptInt(j, "num_test_images", &m.num_test_images));
  auto saved = deps.store->AddModelMetrics(m);
  if (!saved.ok()) return saved.status();
  return store::ToJson(*saved);
}

}  // namespace

void AddModelRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/api/models",
              .role = Role::kViewer,
              .summary = "List model versions with their metrics",
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, List(deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/models",
              .role = Role::kAdmin,
              .summary = "Register or update a model version",
              .body = http::BodyKind::kJson,
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, Create(r, deps), bh::status::created); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/models/{id}",
              .role = Role::kViewer,
              .summary = "One model version with its metrics",
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, One(r, deps)); });
  router.Add(
      {.method = bh::verb::post,
       .pattern = "/api/models/{id}/metrics",
       .role = Role::kAdmin,
       .summary = "Record evaluation metrics of a model version",
       .body = http::BodyKind::kJson,
       .tag = "models"},
      [&deps](http::Request& r) { return Reply(r, AddMetrics(r, deps), bh::status::created); });
}

}  // namespace vs::api
