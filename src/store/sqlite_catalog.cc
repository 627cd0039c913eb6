// SqliteStore: product catalogue, planograms, model versions and discrepancies.
#include <map>

#include "store/json.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kPlanogramColumns =
    "id, planogram_name, sku, product_name, shelf_location, expected_count, x_position,"
    " y_position, meta_data, created_at, updated_at";
constexpr const char* kModelColumns =
    "id, version_name, model_type, model_path, base_model, training_date, epochs, dataset_path,"
    " is_active, created_at";
constexpr const char* kMetricsColumns =
    "id, model_version_id, evaluation_date, map50, map50_95, precision, recall, f1_score,"
    " inference_time_ms, test_dataset_path, num_test_images";
constexpr const char* kDiscrepancyColumns =
    "d.id, d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type, d.expected_count,"
    " d.detected_count, d.confidence_score, d.meta_data, d.created_at";

Planogram PlanogramFromRow(const Stmt& q) {
  Planogram p;
  p.id = q.Int(0);
  p.planogram_name = q.Text(1);
  p.sku = q.Text(2);
  p.product_name = q.Text(3);
  p.shelf_location = q.Text(4);
  p.expected_count = static_cast<int>(q.Int(5));
  p.x_position = q.OptReal(6);
  p.y_position = q.OptReal(7);
  p.meta_data = ParseJsonColumn(q.Text(8));
  p.created_at = FromUnixMillis(q.Int(9));
  p.updated_at = FromUnixMillis(q.Int(10));
  return p;
}

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

Discrepancy DiscrepancyFromRow(const Stmt& q) {
  Discrepancy d;
  d.id = q.Int(0);
  d.planogram_id = q.Int(1);
  d.sku = q.Text(2);
  d.shelf_location = q.Text(3);
  d.discrepancy_type = q.Text(4);
  d.expected_count = static_cast<int>(q.Int(5));
  d.detected_count = static_cast<int>(q.Int(6));
  d.confidence_score = q.OptReal(7);
  d.meta_data = ParseJsonColumn(q.Text(8));
  d.created_at = FromUnixMillis(q.Int(9));
  return d;
}

// Runs `q` (already bound) and maps every row with `from_row`.
template <typename T, typename F>
Result<std::vector<T>> Collect(Stmt* q, F from_row) {
  std::vector<T> out;
  for (;;) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(from_row(*q));
  }
  return out;
}

template <typename T, typename F>
Result<T> One(Stmt* q, F from_row, const std::string& missing) {
  auto row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(missing);
  return from_row(*q);
}

Status ValidatePlanogram(const Planogram& p) {
  if (p.planogram_name.empty()) return Status::InvalidValue("planogram_name is required");
  if (p.sku.empty()) return Status::InvalidValue("sku is required");
  if (p.expected_count < 0) return Status::InvalidValue("expected_count must not be negative");
  if (!p.meta_data.is_object()) return Status::InvalidValue("meta_data must be a JSON object");
  return Status::Ok();
}

Timestamp OrNow(Timestamp t) { return ToUnixMillis(t) == 0 ? Now() : t; }

Status CheckLimit(int limit) {
  if (limit < 1 || limit > 10000) return Status::InvalidValue("limit must be between 1 and 10000");
  return Status::Ok();
}

Result<Planogram> LoadPlanogram(Connection* c, Id id) {
  auto q = c->Prepare(std::string("SELECT ") + kPlanogramColumns + " FROM planograms WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return One<Planogram>(&*q, PlanogramFromRow, "planogram " + std::to_string(id) + " not found");
}

}  // namespace

// --- products ---------------------------------------------------------------------------------

Result<std::vector<Product>> SqliteStore::ListProducts() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(
      "SELECT id, class_name, sku, product_name, brand FROM products ORDER BY class_name");
  if (!q.ok()) return q.status();
  return Collect<Product>(&*q, [](const Stmt& s) {
    return Product{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
  });
}

Result<Product> SqliteStore::UpsertProduct(const Product& p) {
  if (p.class_name.empty()) return Status::InvalidValue("class_name is required");
  if (p.sku.empty()) return Status::InvalidValue("sku is required");
  return Mutate<Product>([&](Connection* c, Event* event) -> Result<Product> {
    {
      auto owner = c->Prepare("SELECT class_name FROM products WHERE sku = ?");
      if (!owner.ok()) return owner.status();
      owner->Bind(p.sku);
      auto row = owner->Step();
      if (!row.ok()) return row.status();
      if (*row && owner->Text(0) != p.class_name) {
        return Status::Conflict("sku '" + p.sku + "' already belongs to class '" + owner->Text(0) +
                                "'");
      }
    }
    auto q = c->Prepare(
        "INSERT INTO products(class_name, sku, product_name, brand) VALUES (?,?,?,?)"
        " ON CONFLICT(class_name) DO UPDATE SET sku = excluded.sku,"
        " product_name = excluded.product_name, brand = excluded.brand RETURNING id");
    if (!q.ok()) return q.status();
    q->BindAll(p.class_name, p.sku, p.product_name, p.brand);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    Product out = p;
    out.id = q->Int(0);
    VS_RETURN_IF_ERROR(q->Run());
    VS_RETURN_IF_ERROR(AppendEvent(c, "product.changed", {{"product", ToJson(out)}}, event));
    return out;
  });
}

// --- planograms -------------------------------------------------------------------------------

Result<std::vector<Planogram>> SqliteStore::ListPlanograms(const PlanogramFilter& f) {
  Where w;
  if (f.planogram_name) w.Add("planogram_name = ?", {*f.planogram_name});
  if (f.sku) w.Add("sku = ?", {*f.sku});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kPlanogramColumns + " FROM planograms" + w.sql +
                         " ORDER BY planogram_name, id");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  return Collect<Planogram>(&*q, PlanogramFromRow);
}

Result<Planogram> SqliteStore::GetPlanogram(Id id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  return LoadPlanogram(r->get(), id);
}

Result<Planogram> SqliteStore::CreatePlanogram(const Planogram& p) {
  VS_RETURN_IF_ERROR(ValidatePlanogram(p));
  return Mutate<Planogram>([&](Connection* c, Event* event) -> Result<Planogram> {
    Planogram out = p;
    out.created_at = out.updated_at = Now();
    auto q = c->Prepare(
        "INSERT INTO planograms(planogram_name, sku, product_name, shelf_location,"
        " expected_count, x_position, y_position, meta_data, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(out.planogram_name, out.sku, out.product_name, out.shelf_location,
                                  out.expected_count, out.x_position, out.y_position,
                                  out.meta_data.dump(), ToUnixMillis(out.created_at),
                                  ToUnixMillis(out.updated_at))
                           .Run());
    out.id = c->LastInsertId();
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   {{"action", "created"}, {"planogram", ToJson(out)}}, event));
    return out;
  });
}

Result<Planogram> SqliteStore::UpdatePlanogram(const Planogram& p) {
  VS_RETURN_IF_ERROR(ValidatePlanogram(p));
  return Mutate<Planogram>([&](Connection* c, Event* event) -> Result<Planogram> {
    auto old = LoadPlanogram(c, p.id);
    if (!old.ok()) return old.status();
    Planogram out = p;
    out.created_at = old->created_at;
    out.updated_at = Now();
    auto q = c->Prepare(
        "UPDATE planograms SET planogram_name = ?, sku = ?, product_name = ?, shelf_location = ?,"
        " expected_count = ?, x_position = ?, y_position = ?, meta_data = ?, updated_at = ?"
        " WHERE id = ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(out.planogram_name, out.sku, out.product_name, out.shelf_location,
                                  out.expected_count, out.x_position, out.y_position,
                                  out.meta_data.dump(), ToUnixMillis(out.updated_at), out.id)
                           .Run());
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   {{"action", "updated"}, {"planogram", ToJson(out)}}, event));
    return out;
  });
}

Status SqliteStore::DeletePlanogram(Id id) {
  auto r = Mutate<bool>([&](Connection* c, Event* event) -> Result<bool> {
    auto q = c->Prepare("DELETE FROM planograms WHERE id = ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(id).Run());
    if (c->Changes() == 0)
      return Status::NotFound("planogram " + std::to_string(id) + " not found");
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   {{"action", "deleted"}, {"planogram", {{"id", id}}}}, event));
    return true;
  });
  return r.status();
}

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
    VS_RETURN_IF_ERROR(AppendEvent(c, "model.changed", {{"model", ToJson(*out)}}, event));
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
    model->metrics.push_back(out);
    VS_RETURN_IF_ERROR(AppendEvent(c, "model.changed", {{"model", ToJson(*model)}}, event));
    return out;
  });
}

// --- discrepancies ----------------------------------------------------------------------------

Result<std::vector<Discrepancy>> SqliteStore::ReplaceDiscrepancies(
    const std::string& planogram_name, const std::vector<Discrepancy>& rows) {
  return Mutate<std::vector<Discrepancy>>([&](Connection* c,
                                              Event* event) -> Result<std::vector<Discrepancy>> {
    std::map<Id, bool> ids;
    {
      auto q = c->Prepare("SELECT id FROM planograms WHERE planogram_name = ?");
      if (!q.ok()) return q.status();
      q->Bind(planogram_name);
      auto all = Collect<Id>(&*q, [](const Stmt& s) { return s.Int(0); });
      if (!all.ok()) return all.status();
      for (Id id : *all) ids[id] = true;
    }
    if (ids.empty()) return Status::NotFound("planogram '" + planogram_name + "' not found");
    auto del = c->Prepare(
        "DELETE FROM discrepancies WHERE planogram_id IN"
        " (SELECT id FROM planograms WHERE planogram_name = ?)");
    if (!del.ok()) return del.status();
    VS_RETURN_IF_ERROR(del->BindAll(planogram_name).Run());
    auto ins = c->Prepare(
        "INSERT INTO discrepancies(planogram_id, sku, shelf_location, discrepancy_type,"
        " expected_count, detected_count, confidence_score, meta_data, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    const Timestamp now = Now();
    std::vector<Discrepancy> out;
    for (const Discrepancy& d : rows) {
      if (!ids.count(d.planogram_id)) {
        return Status::InvalidValue("discrepancy refers to planogram " +
                                    std::to_string(d.planogram_id) + ", not one of '" +
                                    planogram_name + "'");
      }
      if (d.discrepancy_type.empty()) return Status::InvalidValue("discrepancy_type is required");
      Discrepancy x = d;
      x.created_at = ToUnixMillis(d.created_at) == 0 ? now : d.created_at;
      VS_RETURN_IF_ERROR(ins->BindAll(x.planogram_id, x.sku, x.shelf_location, x.discrepancy_type,
                                      x.expected_count, x.detected_count, x.confidence_score,
                                      x.meta_data.dump(), ToUnixMillis(x.created_at))
                             .Run());
      x.id = c->LastInsertId();
      out.push_back(std::move(x));
    }
    VS_RETURN_IF_ERROR(AppendEvent(
        c, "discrepancies.changed",
        {{"planogram_name", planogram_name}, {"count", static_cast<int64_t>(out.size())}}, event));
    return out;
  });
}

Result<std::vector<Discrepancy>> SqliteStore::ListDiscrepancies(
    const std::optional<std::string>& planogram_name, const std::optional<std::string>& sku,
    const std::optional<std::string>& type, int limit) {
  VS_RETURN_IF_ERROR(CheckLimit(limit));
  Where w;
  if (planogram_name) w.Add("p.planogram_name = ?", {*planogram_name});
  if (sku) w.Add("d.sku = ?", {*sku});
  if (type) w.Add("d.discrepancy_type = ?", {*type});
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kDiscrepancyColumns +
                         " FROM discrepancies d JOIN planograms p ON p.id = d.planogram_id" +
                         w.sql + " ORDER BY d.created_at DESC, d.id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  q->Bind(limit);
  return Collect<Discrepancy>(&*q, DiscrepancyFromRow);
}

}  // namespace vs::store::sqlite
