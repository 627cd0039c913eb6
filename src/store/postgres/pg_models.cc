// PgStore: model versions and their evaluation metrics.
#include <map>

#include "core/time.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace vs::store::pg {
namespace {

constexpr const char* kModelColumns =
    "id, version_name, model_type, model_path, base_model, training_date, epochs, dataset_path,"
    " is_active, created_at";
constexpr const char* kMetricsColumns =
    "id, model_version_id, evaluation_date, map50, map50_95, precision, recall, f1_score,"
    " inference_time_ms, test_dataset_path, num_test_images";

ModelVersion ModelFromRow(const Rows& q, int i) {
  ModelVersion m;
  m.id = q.Int(i, 0);
  m.version_name = q.Text(i, 1);
  m.model_type = q.Text(i, 2);
  m.model_path = q.Text(i, 3);
  m.base_model = q.Text(i, 4);
  if (auto t = q.OptInt(i, 5)) m.training_date = FromUnixMillis(*t);
  if (auto e = q.OptInt(i, 6)) m.epochs = static_cast<int>(*e);
  m.dataset_path = q.Text(i, 7);
  m.is_active = q.Int(i, 8) != 0;
  m.created_at = FromUnixMillis(q.Int(i, 9));
  return m;
}

ModelMetrics MetricsFromRow(const Rows& q, int i) {
  ModelMetrics m;
  m.id = q.Int(i, 0);
  m.model_version_id = q.Int(i, 1);
  m.evaluation_date = FromUnixMillis(q.Int(i, 2));
  m.map50 = q.OptReal(i, 3);
  m.map50_95 = q.OptReal(i, 4);
  m.precision = q.OptReal(i, 5);
  m.recall = q.OptReal(i, 6);
  m.f1_score = q.OptReal(i, 7);
  m.inference_time_ms = q.OptReal(i, 8);
  m.test_dataset_path = q.Text(i, 9);
  if (auto n = q.OptInt(i, 10)) m.num_test_images = static_cast<int>(*n);
  return m;
}

Timestamp OrNow(Timestamp t) { return ToUnixMillis(t) == 0 ? Now() : t; }

}  // namespace

Result<ModelVersion> PgStore::LoadModel(Conn* c, Id id) {
  auto m = QueryOne<ModelVersion>(
      c, std::string("SELECT ") + kModelColumns + " FROM model_versions WHERE id = $1",
      Params::Of(id), ModelFromRow, "model " + std::to_string(id) + " not found");
  if (!m.ok()) return m;
  auto metrics = QueryAll<ModelMetrics>(
      c,
      std::string("SELECT ") + kMetricsColumns +
          " FROM model_metrics WHERE model_version_id = $1 ORDER BY evaluation_date, id",
      Params::Of(id), MetricsFromRow);
  if (!metrics.ok()) return metrics.status();
  m->metrics = std::move(metrics).value();
  return m;
}

Result<std::vector<ModelVersion>> PgStore::ListModels() {
  return Read<std::vector<ModelVersion>>([&](Conn* c) -> Result<std::vector<ModelVersion>> {
    Tx snapshot(c);  // models and metrics from one snapshot
    VS_RETURN_IF_ERROR(snapshot.status());
    VS_RETURN_IF_ERROR(c->Exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    auto models = QueryAll<ModelVersion>(
        c, std::string("SELECT ") + kModelColumns + " FROM model_versions ORDER BY id", {},
        ModelFromRow);
    if (!models.ok()) return models.status();
    auto metrics = QueryAll<ModelMetrics>(c,
                                          std::string("SELECT ") + kMetricsColumns +
                                              " FROM model_metrics ORDER BY evaluation_date, id",
                                          {}, MetricsFromRow);
    if (!metrics.ok()) return metrics.status();
    VS_RETURN_IF_ERROR(snapshot.Commit());
    std::map<Id, ModelVersion*> by_id;
    for (auto& m : *models) by_id[m.id] = &m;
    for (auto& x : *metrics) {
      if (auto it = by_id.find(x.model_version_id); it != by_id.end()) {
        it->second->metrics.push_back(std::move(x));
      }
    }
    return models;
  });
}

Result<ModelVersion> PgStore::GetModel(Id id) {
  return Read<ModelVersion>([&](Conn* c) { return LoadModel(c, id); });
}

Result<ModelVersion> PgStore::UpsertModel(const ModelVersion& m) {
  if (m.version_name.empty()) return Status::InvalidValue("version_name is required");
  return Mutate<ModelVersion>([&](Conn* c, Event* event) -> Result<ModelVersion> {
    if (m.is_active) {
      VS_RETURN_IF_ERROR(c->Run(
          "UPDATE model_versions SET is_active = 0 WHERE is_active = 1 AND version_name <> $1",
          Params::Of(m.version_name)));
    }
    std::optional<int64_t> training;
    if (m.training_date) training = ToUnixMillis(*m.training_date);
    auto r = c->Query(
        "INSERT INTO model_versions(version_name, model_type, model_path, base_model,"
        " training_date, epochs, dataset_path, is_active, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT(version_name) DO UPDATE SET model_type = excluded.model_type,"
        " model_path = excluded.model_path, base_model = excluded.base_model,"
        " training_date = excluded.training_date, epochs = excluded.epochs,"
        " dataset_path = excluded.dataset_path, is_active = excluded.is_active RETURNING id",
        Params::Of(m.version_name, m.model_type, m.model_path, m.base_model, training, m.epochs,
                   m.dataset_path, int64_t{m.is_active ? 1 : 0},
                   ToUnixMillis(OrNow(m.created_at))));
    if (!r.ok()) return r.status();
    auto out = LoadModel(c, r->Int(0, 0));
    if (!out.ok()) return out.status();
    VS_RETURN_IF_ERROR(AppendEvent(c, "model.changed",
                                   {{"model_id", out->id}, {"is_active", out->is_active}}, event));
    return out;
  });
}

Result<ModelMetrics> PgStore::AddModelMetrics(const ModelMetrics& m) {
  return Mutate<ModelMetrics>([&](Conn* c, Event* event) -> Result<ModelMetrics> {
    auto model = LoadModel(c, m.model_version_id);
    if (!model.ok()) return model.status();
    ModelMetrics out = m;
    out.evaluation_date = OrNow(m.evaluation_date);
    auto r = c->Query(
        "INSERT INTO model_metrics(model_version_id, evaluation_date, map50, map50_95, precision,"
        " recall, f1_score, inference_time_ms, test_dataset_path, num_test_images)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        Params::Of(out.model_version_id, ToUnixMillis(out.evaluation_date), out.map50, out.map50_95,
                   out.precision, out.recall, out.f1_score, out.inference_time_ms,
                   out.test_dataset_path, out.num_test_images));
    if (!r.ok()) return r.status();
    out.id = r->Int(0, 0);
    VS_RETURN_IF_ERROR(AppendEvent(
        c, "model.changed", {{"model_id", model->id}, {"is_active", model->is_active}}, event));
    return out;
  });
}

Result<Event> PgStore::RecordEvent(const std::string& type, const nlohmann::json& payload) {
  if (type.empty()) return Status::InvalidValue("event type is required");
  return Mutate<Event>([&](Conn* c, Event* event) -> Result<Event> {
    VS_RETURN_IF_ERROR(AppendEvent(c, type, payload, event));
    return *event;
  });
}

}  // namespace vs::store::pg
