// Model versions, their metrics, registration (file on the server or upload), activation,
// comparison and background evaluation (see docs/MODELS.md).
#include <algorithm>
#include <filesystem>

#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "http/multipart.h"
#include "models/zip_set.h"
#include "store/json.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;
namespace fs = std::filesystem;

// store::ToJson(v) with "serving": what the server runs it with, or null when it cannot serve.
nlohmann::json ModelJson(const store::ModelVersion& v, const ApiDeps& deps) {
  nlohmann::json j = store::ToJson(v);
  j["serving"] = nullptr;
  if (!deps.models) return j;
  const auto manifest = deps.models->ManifestOf(v.id);
  if (!manifest) return j;
  const auto loaded = deps.models->Loaded();
  j["serving"] = {{"layout", manifest->layout},
                  {"input", {manifest->input_width, manifest->input_height}},
                  {"classes", manifest->class_names},
                  {"file_bytes", manifest->file_bytes},
                  {"sha256", manifest->sha256},
                  {"settings", models::SettingsToJson(manifest->settings)},
                  {"loaded", std::find(loaded.begin(), loaded.end(), v.id) != loaded.end()}};
  return j;
}

Result<nlohmann::json> ModelAnswer(store::Id id, const ApiDeps& deps) {
  auto m = deps.store->GetModel(id);
  if (!m.ok()) return m.status();
  return ModelJson(*m, deps);
}

Result<nlohmann::json> List(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto list = deps.store->ListModels();
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : *list) out.push_back(ModelJson(m, deps));
  return out;
}

Result<nlohmann::json> One(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  return ModelAnswer(*id, deps);
}

Status NeedModels(const ApiDeps& deps) {
  if (deps.models) return Status::Ok();
  return Status::Unavailable("this server has no model registry");
}

Result<store::ModelVersion> ActivateIf(bool activate, const store::ModelVersion& v,
                                       const ApiDeps& deps) {
  if (!activate) return v;
  auto m = deps.models->Activate(v.id);
  if (!m.ok()) return m.status();
  return v;
}

// The text of form field `name` (empty when absent); InvalidArgument when given twice.
Result<std::string> FormText(const http::MultipartForm& form, const char* name) {
  if (form.Count(name) > 1) {
    return Status::InvalidArgument(std::string("form field '") + name + "' given more than once");
  }
  const http::MultipartPart* p = form.Find(name);
  return p ? std::string(p->data) : std::string();
}

// POST /api/models as multipart/form-data: file (ONNX), names (class names, one per line), and
// the text fields version_name, model_type, base_model, dataset_path, epochs, settings (JSON),
// activate ("true").
Result<nlohmann::json> Upload(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedModels(deps));
  auto boundary = http::MultipartBoundary(std::string(request.header(bh::field::content_type)));
  if (!boundary.ok()) return boundary.status();
  auto form = http::ParseMultipart(request.body(), *boundary);
  if (!form.ok()) return form.status();
  const size_t files = form->Count("file");
  if (files != 1) return Status::InvalidArgument("send the ONNX model as exactly one 'file' field");
  const http::MultipartPart& file = *form->Find("file");
  models::Registration r;
  nlohmann::json fields = nlohmann::json::object();
  for (const char* key : {"version_name", "model_type", "base_model", "dataset_path"}) {
    auto v = FormText(*form, key);
    if (!v.ok()) return v.status();
    if (!v->empty()) fields[key] = *v;
  }
  VS_RETURN_IF_ERROR(GetString(fields, "version_name", false, &r.version_name));
  VS_RETURN_IF_ERROR(GetString(fields, "model_type", false, &r.model_type));
  VS_RETURN_IF_ERROR(GetString(fields, "base_model", false, &r.base_model));
  VS_RETURN_IF_ERROR(GetString(fields, "dataset_path", false, &r.dataset_path));
  auto epochs = FormText(*form, "epochs");
  if (!epochs.ok()) return epochs.status();
  if (!epochs->empty()) {
    try {
      size_t used = 0;
      const int e = std::stoi(*epochs, &used);
      if (used != epochs->size() || e < 0) throw std::invalid_argument("epochs");
      r.epochs = e;
    } catch (const std::exception&) {
      return Status::InvalidValue("epochs must be an integer >= 0");
    }
  }
  auto settings = FormText(*form, "settings");
  if (!settings.ok()) return settings.status();
  if (!settings->empty()) {
    const auto j = nlohmann::json::parse(*settings, nullptr, false);
    if (j.is_discarded()) return Status::InvalidValue("settings: not valid JSON");
    auto s = models::SettingsFromJson(j, r.settings);
    if (!s.ok()) return s.status();
    r.settings = *s;
  }
  auto names = FormText(*form, "names");
  if (!names.ok()) return names.status();
  auto activate = FormText(*form, "activate");
  if (!activate.ok()) return activate.status();
  if (!activate->empty() && *activate != "true" && *activate != "false") {
    return Status::InvalidValue("activate must be true or false");
  }
  auto saved = deps.models->RegisterUpload(file.data, *names, file.filename.value_or("model.onnx"),
                                           std::move(r));
  if (!saved.ok()) return saved.status();
  auto active = ActivateIf(*activate == "true", *saved, deps);
  if (!active.ok()) return active.status();
  return ModelAnswer(saved->id, deps);
}

Result<nlohmann::json> Create(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  if (http::IsMultipartFormData(request.header(bh::field::content_type))) {
    return Upload(request, deps);
  }
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  const auto& j = *body;
  store::ModelVersion m;
  VS_RETURN_IF_ERROR(GetString(j, "version_name", false, &m.version_name));
  VS_RETURN_IF_ERROR(GetString(j, "model_type", false, &m.model_type));
  VS_RETURN_IF_ERROR(GetString(j, "model_path", false, &m.model_path));
  VS_RETURN_IF_ERROR(GetString(j, "base_model", false, &m.base_model));
  VS_RETURN_IF_ERROR(GetOptTime(j, "training_date", &m.training_date));
  VS_RETURN_IF_ERROR(GetOptInt(j, "epochs", &m.epochs));
  if (m.epochs && *m.epochs < 0) return Status::InvalidValue("epochs must be >= 0");
  VS_RETURN_IF_ERROR(GetString(j, "dataset_path", false, &m.dataset_path));
  VS_RETURN_IF_ERROR(GetBool(j, "is_active", &m.is_active));
  std::string labels_path;
  VS_RETURN_IF_ERROR(GetString(j, "labels_path", false, &labels_path));
  models::ModelSettings settings;
  if (j.contains("settings") && !j["settings"].is_null()) {
    auto s = models::SettingsFromJson(j["settings"], settings);
    if (!s.ok()) return s.status();
    settings = *s;
  }
  std::error_code ec;
  if (deps.models && !m.model_path.empty() && fs::exists(m.model_path, ec)) {
    // A model file on the server: checked by loading it, then servable.
    models::Registration r{.version_name = m.version_name,
                           .model_type = m.model_type,
                           .base_model = m.base_model,
                           .training_date = m.training_date,
                           .epochs = m.epochs,
                           .dataset_path = m.dataset_path,
                           .settings = settings,
                           .labels_path = labels_path};
    auto saved = deps.models->RegisterFile(m.model_path, std::move(r));
    if (!saved.ok()) return saved.status();
    auto active = ActivateIf(m.is_active, *saved, deps);
    if (!active.ok()) return active.status();
    return ModelAnswer(saved->id, deps);
  }
  // A record of a model trained and kept elsewhere (the earlier system's registration).
  if (m.version_name.empty()) return Status::InvalidValue("version_name is required");
  if (deps.models && m.is_active) {
    return Status::InvalidValue(
        "is_active: only a model the server can load may be active (give model_path of an ONNX "
        "file on the server, or upload it)");
  }
  auto saved = deps.store->UpsertModel(m);
  if (!saved.ok()) return saved.status();
  return ModelAnswer(saved->id, deps);
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

// PATCH /api/models/{id}/settings: the given settings fields replace the model's.
Result<nlohmann::json> PatchSettings(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  VS_RETURN_IF_ERROR(NeedModels(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  auto m = deps.models->UpdateSettings(*id, *body);
  if (!m.ok()) return m.status();
  return ModelAnswer(*id, deps);
}

Result<nlohmann::json> Activate(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  VS_RETURN_IF_ERROR(NeedModels(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto m = deps.models->Activate(*id);
  if (!m.ok()) return m.status();
  return ModelAnswer(*id, deps);
}

nlohmann::json Opt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

// The figures of a version for the comparison: its newest full evaluation (a row with mAP),
// else only the newest measured inference time; null where never measured.
nlohmann::json Figures(const store::ModelVersion& v) {
  const store::ModelMetrics* full = nullptr;
  const store::ModelMetrics* timed = nullptr;
  for (const auto& m : v.metrics) {  // oldest first
    if (m.map50 || m.map50_95) full = &m;
    if (m.inference_time_ms) timed = &m;
  }
  const store::ModelMetrics* row = full ? full : timed;
  nlohmann::json j = {{"id", v.id},
                      {"version_name", v.version_name},
                      {"model_type", v.model_type},
                      {"map50", nullptr},
                      {"map50_95", nullptr},
                      {"precision", nullptr},
                      {"recall", nullptr},
                      {"f1_score", nullptr},
                      {"inference_time_ms", nullptr},
                      {"model_metrics_id", nullptr},
                      {"evaluation_date", nullptr},
                      {"test_dataset_path", nullptr},
                      {"num_test_images", nullptr}};
  if (!row) return j;
  if (full) {
    j["map50"] = Opt(full->map50);
    j["map50_95"] = Opt(full->map50_95);
    j["precision"] = Opt(full->precision);
    j["recall"] = Opt(full->recall);
    j["f1_score"] = Opt(full->f1_score);
    j["test_dataset_path"] = full->test_dataset_path;
    j["num_test_images"] =
        full->num_test_images ? nlohmann::json(*full->num_test_images) : nlohmann::json();
  }
  j["inference_time_ms"] = Opt(row->inference_time_ms);
  j["model_metrics_id"] = row->id;
  j["evaluation_date"] = FormatIso8601(row->evaluation_date);
  return j;
}

Result<store::Id> QueryId(const http::QueryParams& q, const char* name) {
  auto v = NonEmpty(q, name);
  if (!v) return Status::InvalidValue(std::string(name) + " is required");
  try {
    size_t used = 0;
    const long long id = std::stoll(*v, &used);
    if (used == v->size() && id > 0) return store::Id(id);
  } catch (const std::exception&) {
  }
  return Status::InvalidValue(std::string(name) + " must be a positive integer id");
}

// GET /api/models/comparison?baseline_id=&finetuned_id=: the earlier system's shape,
// {baseline: {...}, finetuned: {...}, improvements: {field: finetuned - baseline}} with
// improvements_percent (relative to the baseline) beside it.
Result<nlohmann::json> Compare(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto base_id = QueryId(request.query, "baseline_id");
  if (!base_id.ok()) return base_id.status();
  auto fine_id = QueryId(request.query, "finetuned_id");
  if (!fine_id.ok()) return fine_id.status();
  auto base = deps.store->GetModel(*base_id);
  if (!base.ok()) return base.status();
  auto fine = deps.store->GetModel(*fine_id);
  if (!fine.ok()) return fine.status();
  const nlohmann::json b = Figures(*base), f = Figures(*fine);
  nlohmann::json delta = nlohmann::json::object(), percent = nlohmann::json::object();
  for (const char* k :
       {"map50", "map50_95", "precision", "recall", "f1_score", "inference_time_ms"}) {
    if (b[k].is_null() || f[k].is_null()) {
      delta[k] = nullptr;
      percent[k] = nullptr;
      continue;
    }
    const double bv = b[k].get<double>(), fv = f[k].get<double>();
    delta[k] = fv - bv;
    percent[k] = bv != 0 ? nlohmann::json((fv - bv) / bv * 100) : nlohmann::json();
  }
  const bool same_set =
      !b["test_dataset_path"].is_null() && b["test_dataset_path"] == f["test_dataset_path"];
  return nlohmann::json{{"baseline", b},
                        {"finetuned", f},
                        {"improvements", delta},
                        {"improvements_percent", percent},
                        {"same_dataset", same_set}};
}

// POST /api/models/{id}/evaluate: JSON {data, agnostic} naming a set under the data folder, or
// multipart/form-data with the set as a zip archive in 'file' (and 'agnostic' = "true").
Result<nlohmann::json> StartEvaluation(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  if (!deps.evaluations || !deps.models) {
    return Status::Unavailable("this server runs no evaluations");
  }
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  if (http::IsMultipartFormData(request.header(bh::field::content_type))) {
    auto boundary = http::MultipartBoundary(std::string(request.header(bh::field::content_type)));
    if (!boundary.ok()) return boundary.status();
    auto form = http::ParseMultipart(request.body(), *boundary);
    if (!form.ok()) return form.status();
    if (form->Count("file") != 1) {
      return Status::InvalidArgument("send the labelled set as one zip archive in 'file'");
    }
    auto agnostic = FormText(*form, "agnostic");
    if (!agnostic.ok()) return agnostic.status();
    auto model = deps.store->GetModel(*id);  // an unknown model unpacks nothing
    if (!model.ok()) return model.status();
    auto set = models::UnpackUploadedSet(deps.models->options().data_dir, form->Find("file")->data);
    if (!set.ok()) return set.status();
    auto job = deps.evaluations->Start(*id, set->relative, *agnostic == "true");
    if (!job.ok()) {
      std::error_code ec;
      fs::remove_all(set->folder, ec);
      return job.status();
    }
    return models::ToJson(*job);
  }
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  std::string data;
  VS_RETURN_IF_ERROR(GetString(*body, "data", true, &data));
  bool agnostic = false;
  VS_RETURN_IF_ERROR(GetBool(*body, "agnostic", &agnostic));
  auto job = deps.evaluations->Start(*id, data, agnostic);
  if (!job.ok()) return job.status();
  return models::ToJson(*job);
}

Result<nlohmann::json> GetEvaluation(const http::Request& request, const ApiDeps& deps) {
  if (!deps.evaluations) return Status::Unavailable("this server runs no evaluations");
  auto id = ParseId(request, "job_id");
  if (!id.ok()) return id.status();
  auto job = deps.evaluations->Get(*id);
  if (!job.ok()) return job.status();
  return models::ToJson(*job);
}

}  // namespace

void AddModelRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/api/models",
              .role = Role::kViewer,
              .summary = "List model versions with their metrics and how each serves",
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, List(deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/models",
              .role = Role::kAdmin,
              .summary = "Register a model: an ONNX file on the server (JSON model_path) or an "
                         "upload (multipart 'file'); checked by loading it",
              .body = http::BodyKind::kJsonOrForm,
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, Create(r, deps), bh::status::created); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/models/comparison",
              .role = Role::kViewer,
              .summary = "Measured metrics of two model versions and their differences",
              .query = {"baseline_id", "finetuned_id"},
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, Compare(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/models/evaluations/{job_id}",
              .role = Role::kViewer,
              .summary = "State and result of a background evaluation",
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, GetEvaluation(r, deps)); });
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
  router.Add({.method = bh::verb::patch,
              .pattern = "/api/models/{id}/settings",
              .role = Role::kAdmin,
              .summary = "Change how a model version serves (thresholds, ignored classes, "
                         "class->SKU map, slicing); the given fields replace the current ones",
              .body = http::BodyKind::kJson,
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, PatchSettings(r, deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/models/{id}/activate",
              .role = Role::kAdmin,
              .summary = "Make this version the active model, without a restart",
              .body = http::BodyKind::kJson,
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, Activate(r, deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/models/{id}/evaluate",
              .role = Role::kAdmin,
              .summary = "Evaluate this version in the background on a labelled set under the "
                         "data folder {data, agnostic}, or uploaded as a zip ('file')",
              .body = http::BodyKind::kJsonOrForm,
              .tag = "models"},
             [&deps](http::Request& r) {
               return Reply(r, StartEvaluation(r, deps), bh::status::accepted);
             });
}

}  // namespace vs::api
