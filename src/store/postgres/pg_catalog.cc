// PgStore: product catalogue, planograms and discrepancies.
#include <map>

#include "core/time.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace vs::store::pg {
namespace {

constexpr const char* kPlanogramColumns =
    "id, planogram_name, sku, product_name, shelf_location, expected_count, x_position,"
    " y_position, meta_data, created_at, updated_at";
constexpr const char* kDiscrepancyColumns =
    "d.id, d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type, d.expected_count,"
    " d.detected_count, d.confidence_score, d.meta_data, d.created_at";

nlohmann::json PlanogramEvent(Id id, const char* action, const std::string& name) {
  return {{"planogram_id", id}, {"action", action}, {"planogram_name", name}};
}

Planogram PlanogramFromRow(const Rows& q, int i) {
  Planogram p;
  p.id = q.Int(i, 0);
  p.planogram_name = q.Text(i, 1);
  p.sku = q.Text(i, 2);
  p.product_name = q.Text(i, 3);
  p.shelf_location = q.Text(i, 4);
  p.expected_count = static_cast<int>(q.Int(i, 5));
  p.x_position = q.OptReal(i, 6);
  p.y_position = q.OptReal(i, 7);
  p.meta_data = ParseJsonColumn(q.Text(i, 8));
  p.created_at = FromUnixMillis(q.Int(i, 9));
  p.updated_at = FromUnixMillis(q.Int(i, 10));
  return p;
}

Discrepancy DiscrepancyFromRow(const Rows& q, int i) {
  Discrepancy d;
  d.id = q.Int(i, 0);
  d.planogram_id = q.Int(i, 1);
  d.sku = q.Text(i, 2);
  d.shelf_location = q.Text(i, 3);
  d.discrepancy_type = q.Text(i, 4);
  d.expected_count = static_cast<int>(q.Int(i, 5));
  d.detected_count = static_cast<int>(q.Int(i, 6));
  d.confidence_score = q.OptReal(i, 7);
  d.meta_data = ParseJsonColumn(q.Text(i, 8));
  d.created_at = FromUnixMillis(q.Int(i, 9));
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

Result<Planogram> LoadPlanogram(Conn* c, Id id) {
  return QueryOne<Planogram>(
      c, std::string("SELECT ") + kPlanogramColumns + " FROM planograms WHERE id = $1",
      Params::Of(id), PlanogramFromRow, "planogram " + std::to_string(id) + " not found");
}

}  // namespace

// --- products ---------------------------------------------------------------------------------

Result<std::vector<Product>> PgStore::ListProducts() {
  return Read<std::vector<Product>>([&](Conn* c) {
    return QueryAll<Product>(
        c,
        "SELECT id, class_name, sku, product_name, brand FROM products"
        " ORDER BY class_name COLLATE \"C\"",
        {}, [](const Rows& r, int i) {
          return Product{r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)};
        });
  });
}

Result<Product> PgStore::UpsertProduct(const Product& p) {
  if (p.class_name.empty()) return Status::InvalidValue("class_name is required");
  if (p.sku.empty()) return Status::InvalidValue("sku is required");
  return Mutate<Product>([&](Conn* c, Event* event) -> Result<Product> {
    auto owner = c->Query("SELECT class_name FROM products WHERE sku = $1", Params::Of(p.sku));
    if (!owner.ok()) return owner.status();
    if (!owner->empty() && owner->Text(0, 0) != p.class_name) {
      return Status::Conflict("sku '" + p.sku + "' already belongs to class '" + owner->Text(0, 0) +
                              "'");
    }
    auto r = c->Query(
        "INSERT INTO products(class_name, sku, product_name, brand) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT(class_name) DO UPDATE SET sku = excluded.sku,"
        " product_name = excluded.product_name, brand = excluded.brand RETURNING id",
        Params::Of(p.class_name, p.sku, p.product_name, p.brand));
    if (!r.ok()) return r.status();
    Product out = p;
    out.id = r->Int(0, 0);
    VS_RETURN_IF_ERROR(AppendEvent(
        c, "product.changed", {{"product_id", out.id}, {"class_name", out.class_name}}, event));
    return out;
  });
}

// --- planograms -------------------------------------------------------------------------------

Result<std::vector<Planogram>> PgStore::ListPlanograms(const PlanogramFilter& f) {
  Where w;
  if (f.planogram_name) w.Add("planogram_name = ?", Params::Of(*f.planogram_name));
  if (f.sku) w.Add("sku = ?", Params::Of(*f.sku));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  return Read<std::vector<Planogram>>([&](Conn* c) {
    return QueryAll<Planogram>(c,
                               std::string("SELECT ") + kPlanogramColumns + " FROM planograms" +
                                   w.sql + " ORDER BY planogram_name COLLATE \"C\", id",
                               w.args, PlanogramFromRow);
  });
}

Result<Planogram> PgStore::GetPlanogram(Id id) {
  return Read<Planogram>([&](Conn* c) { return LoadPlanogram(c, id); });
}

Result<Planogram> PgStore::CreatePlanogram(const Planogram& p) {
  VS_RETURN_IF_ERROR(ValidatePlanogram(p));
  return Mutate<Planogram>([&](Conn* c, Event* event) -> Result<Planogram> {
    Planogram out = p;
    out.created_at = out.updated_at = Now();
    auto r = c->Query(
        "INSERT INTO planograms(planogram_name, sku, product_name, shelf_location,"
        " expected_count, x_position, y_position, meta_data, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        Params::Of(out.planogram_name, out.sku, out.product_name, out.shelf_location,
                   out.expected_count, out.x_position, out.y_position, out.meta_data.dump(),
                   ToUnixMillis(out.created_at), ToUnixMillis(out.updated_at)));
    if (!r.ok()) return r.status();
    out.id = r->Int(0, 0);
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   PlanogramEvent(out.id, "created", out.planogram_name), event));
    return out;
  });
}

Result<Planogram> PgStore::UpdatePlanogram(const Planogram& p) {
  VS_RETURN_IF_ERROR(ValidatePlanogram(p));
  return Mutate<Planogram>([&](Conn* c, Event* event) -> Result<Planogram> {
    auto old = LoadPlanogram(c, p.id);
    if (!old.ok()) return old.status();
    Planogram out = p;
    out.created_at = old->created_at;
    out.updated_at = Now();
    VS_RETURN_IF_ERROR(
        c->Run("UPDATE planograms SET planogram_name = $1, sku = $2, product_name = $3,"
               " shelf_location = $4, expected_count = $5, x_position = $6, y_position = $7,"
               " meta_data = $8, updated_at = $9 WHERE id = $10",
               Params::Of(out.planogram_name, out.sku, out.product_name, out.shelf_location,
                          out.expected_count, out.x_position, out.y_position, out.meta_data.dump(),
                          ToUnixMillis(out.updated_at), out.id)));
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   PlanogramEvent(out.id, "updated", out.planogram_name), event));
    return out;
  });
}

Status PgStore::DeletePlanogram(Id id) {
  auto r = Mutate<bool>([&](Conn* c, Event* event) -> Result<bool> {
    auto q =
        c->Query("DELETE FROM planograms WHERE id = $1 RETURNING planogram_name", Params::Of(id));
    if (!q.ok()) return q.status();
    if (q->empty()) return Status::NotFound("planogram " + std::to_string(id) + " not found");
    VS_RETURN_IF_ERROR(
        AppendEvent(c, "planogram.changed", PlanogramEvent(id, "deleted", q->Text(0, 0)), event));
    return true;
  });
  return r.status();
}

// --- discrepancies ----------------------------------------------------------------------------

Result<std::vector<Discrepancy>> PgStore::ReplaceDiscrepancies(
    const std::string& planogram_name, const std::vector<Discrepancy>& rows) {
  return Mutate<std::vector<Discrepancy>>([&](Conn* c,
                                              Event* event) -> Result<std::vector<Discrepancy>> {
    std::map<Id, bool> ids;
    {
      auto all = QueryAll<Id>(c, "SELECT id FROM planograms WHERE planogram_name = $1",
                              Params::Of(planogram_name),
                              [](const Rows& r, int i) { return r.Int(i, 0); });
      if (!all.ok()) return all.status();
      for (Id id : *all) ids[id] = true;
    }
    if (ids.empty()) return Status::NotFound("planogram '" + planogram_name + "' not found");
    VS_RETURN_IF_ERROR(
        c->Run("DELETE FROM discrepancies WHERE planogram_id IN"
               " (SELECT id FROM planograms WHERE planogram_name = $1)",
               Params::Of(planogram_name)));
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
      auto r = c->Query(
          "INSERT INTO discrepancies(planogram_id, sku, shelf_location, discrepancy_type,"
          " expected_count, detected_count, confidence_score, meta_data, created_at)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
          Params::Of(x.planogram_id, x.sku, x.shelf_location, x.discrepancy_type, x.expected_count,
                     x.detected_count, x.confidence_score, x.meta_data.dump(),
                     ToUnixMillis(x.created_at)));
      if (!r.ok()) return r.status();
      x.id = r->Int(0, 0);
      out.push_back(std::move(x));
    }
    VS_RETURN_IF_ERROR(AppendEvent(
        c, "discrepancies.changed",
        {{"planogram_name", planogram_name}, {"count", static_cast<int64_t>(out.size())}}, event));
    return out;
  });
}

Result<std::vector<Discrepancy>> PgStore::ListDiscrepancies(
    const std::optional<std::string>& planogram_name, const std::optional<std::string>& sku,
    const std::optional<std::string>& type, int limit) {
  VS_RETURN_IF_ERROR(CheckLimit(limit));
  Where w;
  if (planogram_name) w.Add("p.planogram_name = ?", Params::Of(*planogram_name));
  if (sku) w.Add("d.sku = ?", Params::Of(*sku));
  if (type) w.Add("d.discrepancy_type = ?", Params::Of(*type));
  const std::string sql = std::string("SELECT ") + kDiscrepancyColumns +
                          " FROM discrepancies d JOIN planograms p ON p.id = d.planogram_id" +
                          w.sql + " ORDER BY d.created_at DESC, d.id DESC LIMIT " + w.Next();
  Params p = w.args;
  p.Add(limit);
  return Read<std::vector<Discrepancy>>(
      [&](Conn* c) { return QueryAll<Discrepancy>(c, sql, p, DiscrepancyFromRow); });
}

}  // namespace vs::store::pg
