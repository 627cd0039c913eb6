// SqliteStore: model versions and their evaluation metrics.
#include <map>

#include "store/json.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kModelColumns =
    "id, version_name, model_type, model_path, base_model, training_date, epochs, dataset_path,"
    " is_active, created_at";
constexpr const char* kMetricsColumns =
    "id, model_version_id, evaluation_date, map50, map50_95, precision, recall, f1_score,"
    " inference_time_ms, test_dataset_path, num_test_images";
ModelVersion ModelFromRow(const Stmt& q) {
  ModelVersion m;
  m.id = q.Int(0);
  m.version_name = q.Text(1);
  m.model_type = q.Text(2);
  m.model_path = q.Text(3);
  m.base_model = q.Text(4);
  if (auto t = q.OptInt(5)) m.training_date = FromUnixMillis(*t);
  if (auto e = q.OptInt(6)) m.epochs = static_cast<int>(*e);
  m.dataset_path = q.Text(7);
  m.is_active = q.Int(8) != 0;
  m.created_at = FromUnixMillis(q.Int(9));
  return m;
}

ModelMetrics MetricsFromRow(const Stmt& q) {
  ModelMetrics m;
  m.id = q.Int(0);
  m.model_version_id = q.Int(1);
  m.evaluation_date = FromUnixMillis(q.Int(2));
  m.map50 = q.OptReal(3);
  m.map50_95 = q.OptReal(4);
  m.precision = q.OptReal(5);
  m.recall = q.OptReal(6);
  m.f1_score = q.OptReal(7);
  m.inference_time_ms = q.OptReal(8);
  m.test_dataset_path = q.Text(9);
  if (auto n = q.OptInt(10)) m.num_test_images = static_cast<int>(*n);
  return m;
}

Timestamp OrNow(Timestamp t) { return ToUnixMillis(t) == 0 ? Now() : t; }

}  // namespace

// --- model versions ---------------------------------------------------------------------------

Result<ModelVersion> SqliteStore::LoadModel(Connection* c, Id id) {
  ModelVersion m;
  {
    auto q =
        c->Prepare(std::string("SELECT ") + kModelColumns + " FROM model_versions WHERE id = ?");
    if (!q.ok()) return q.status();
    q->Bind(id);
    auto one = One<ModelVersion>(&*q, ModelFromRow, "model " + std::to_string(id) + " not found");
    if (!one.ok()) return one.status();
    m = std::move(one).value();
  }
  auto q =
      c->Prepare(std::string("SELECT ") + kMetricsColumns +
                 " FROM model_metrics WHERE model_version_id = ? ORDER BY evaluation_date, id");
  if (!q.ok()) return q.status();
  q->Bind(id);
  auto metrics = Collect<ModelMetrics>(&*q, MetricsFromRow);
  if (!metrics.ok()) return metrics.status();
  m.metrics = std::move(metrics).value();
  return m;
}

Result<std::vector<ModelVersion>> SqliteStore::ListModels() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q =
      (*r)->Prepare(std::string("SELECT ") + kModelColumns + " FROM model_versions ORDER BY id");
  if (!q.ok()) return q.status();
  auto models = Collect<ModelVersion>(&*q, ModelFromRow);
  if (!models.ok()) return models.status();
  auto mq = (*r)->Prepare(std::string("SELECT ") + kMetricsColumns +
                          " FROM model_metrics ORDER BY evaluation_date, id");
  if (!mq.ok()) return mq.status();
  auto metrics = Collect<ModelMetrics>(&*mq, MetricsFromRow);
  if (!metrics.ok()) return metrics.status();
  std::map<Id, ModelVersion*> by_id;
  for (auto& m : *models) by_id[m.id] = &m;
  for (auto& x : *metrics) {
    if (auto it = by_id.find(x.model_version_id); it != by_id.end()) {
      it->second->metrics.push_back(std::move(x));
    }
  }
  return models;
}

Result<ModelVersion> SqliteStore::GetModel(Id id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  return LoadModel(r->get(), id);
}

Result<ModelVersion> SqliteStore::UpsertModel(const ModelVersion& m) {
  if (m.version_name.empty()) return Status::InvalidValue("version_name is required");
  return Mutate<ModelVersion>([&](Connection* c, Event* event) -> Result<ModelVersion> {
    if (m.is_active) {
      auto off = c->Prepare(
          "UPDATE model_versions SET is_active = 0 WHERE is_active = 1 AND version_name <> ?");
      if (!off.ok()) return off.status();
      VS_RETURN_IF_ERROR(off->BindAll(m.version_name).Run());
    }
    auto q = c->Prepare(
        "INSERT INTO model_versions(version_name, model_type, model_path, base_model,"
        " training_date, epochs, dataset_path, is_active, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(version_name) DO UPDATE SET model_type = excluded.model_type,"
        " model_path = excluded.model_path, base_model = excluded.base_model,"
        " training_date = excluded.training_date, epochs = excluded.epochs,"
        " dataset_path = excluded.dataset_path, is_active = excluded.is_active RETURNING id");
    if (!q.ok()) return q.status();
    std::optional<int64_t> training;
    if (m.training_date) training = ToUnixMillis(*m.training_date);
    q->BindAll(m.version_name, m.model_type, m.model_path, m.base_model, training, m.epochs,
               m.dataset_path, int64_t{m.is_active ? 1 : 0}, ToUnixMillis(OrNow(m.created_at)));
    auto row = q->Step();
    if (!row.ok()) return row.status();
    const Id id = q->Int(0);
    VS_RETURN_IF_ERROR(q->Run());
    auto out = LoadModel(c, id);
    if (!out.ok()) return out.status();
    VS_RETURN_IF_ERROR(AppendEvent(c, "model.changed",
                                   {{"model_id", out->id}, {"is_active", out->is_active}}, event));
    return out;
  });
}

Result<ModelMetrics> SqliteStore::AddModelMetrics(const ModelMetrics& m) {
  return Mutate<ModelMetrics>([&](Connection* c, Event* event) -> Result<ModelMetrics> {
    auto model = LoadModel(c, m.model_version_id);
    if (!model.ok()) return model.status();
    ModelMetrics out = m;
    out.evaluation_date = OrNow(m.evaluation_date);  // an unset (epoch) date means now
    auto q = c->Prepare(
        "INSERT INTO model_metrics(model_version_id, evaluation_date, map50, map50_95, precision,"
        " recall, f1_score, inference_time_ms, test_dataset_path, num_test_images)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(out.model_version_id, ToUnixMillis(out.evaluation_date),
                                  out.map50, out.map50_95, out.precision, out.recall, out.f1_score,
                                  out.inference_time_ms, out.test_dataset_path, out.num_test_images)
                           .Run());
    out.id = c->LastInsertId();
    VS_RETURN_IF_ERROR(AppendEvent(
        c, "model.changed", {{"model_id", model->id}, {"is_active", model->is_active}}, event));
    return out;
  });
}

Result<Event> SqliteStore::RecordEvent(const std::string& type, const nlohmann::json& payload) {
  if (type.empty()) return Status::InvalidValue("event type is required");
  return Mutate<Event>([&](Connection* c, Event* event) -> Result<Event> {
    VS_RETURN_IF_ERROR(AppendEvent(c, type, payload, event));
    return *event;
  });
}

}  // namespace vs::store::sqlite
