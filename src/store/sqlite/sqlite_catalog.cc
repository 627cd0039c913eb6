// SqliteStore: product catalogue, planograms and discrepancies.
#include <map>

#include "store/json.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kPlanogramColumns =
    "id, planogram_name, sku, product_name, shelf_location, expected_count, x_position,"
    " y_position, meta_data, created_at, updated_at";
constexpr const char* kDiscrepancyColumns =
    "d.id, d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type, d.expected_count,"
    " d.detected_count, d.confidence_score, d.meta_data, d.created_at";

// A planogram.changed payload: ids and the name, never the record (see live/hub.h).
nlohmann::json PlanogramEvent(Id id, const char* action, const std::string& name) {
  return {{"planogram_id", id}, {"action", action}, {"planogram_name", name}};
}

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

Status ValidatePlanogram(const Planogram& p) {
  if (p.planogram_name.empty()) return Status::InvalidValue("planogram_name is required");
  if (p.sku.empty()) return Status::InvalidValue("sku is required");
  if (p.expected_count < 0) return Status::InvalidValue("expected_count must not be negative");
  if (!p.meta_data.is_object()) return Status::InvalidValue("meta_data must be a JSON object");
  return Status::Ok();
}

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
    VS_RETURN_IF_ERROR(AppendEvent(
        c, "product.changed", {{"product_id", out.id}, {"class_name", out.class_name}}, event));
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
                                   PlanogramEvent(out.id, "created", out.planogram_name), event));
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
                                   PlanogramEvent(out.id, "updated", out.planogram_name), event));
    return out;
  });
}

Status SqliteStore::DeletePlanogram(Id id) {
  auto r = Mutate<bool>([&](Connection* c, Event* event) -> Result<bool> {
    auto q = c->Prepare("DELETE FROM planograms WHERE id = ? RETURNING planogram_name");
    if (!q.ok()) return q.status();
    q->Bind(id);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("planogram " + std::to_string(id) + " not found");
    const std::string name = q->Text(0);
    VS_RETURN_IF_ERROR(q->Run());
    VS_RETURN_IF_ERROR(
        AppendEvent(c, "planogram.changed", PlanogramEvent(id, "deleted", name), event));
    return true;
  });
  return r.status();
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
