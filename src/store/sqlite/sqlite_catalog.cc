// SqliteStore: product catalogue, planograms and discrepancies.
#include <map>

#include "store/checks.h"
#include "store/compliance_rules.h"
#include "store/cursor.h"
#include "store/json.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kPlanogramColumns =
    "id, planogram_name, sku, product_name, shelf_location, expected_count, x_position,"
    " y_position, meta_data, created_at, updated_at, store, version";
constexpr const char* kDiscrepancyColumns =
    "d.id, d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type, d.expected_count,"
    " d.detected_count, d.confidence_score, d.meta_data, d.created_at, d.store";

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
  p.store = q.Text(11);
  p.version = static_cast<int>(q.Int(12));
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
  d.store = q.Text(10);
  return d;
}

Result<Planogram> LoadPlanogram(Connection* c, Id id) {
  auto q = c->Prepare(std::string("SELECT ") + kPlanogramColumns + " FROM planograms WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return One<Planogram>(&*q, PlanogramFromRow, "planogram " + std::to_string(id) + " not found");
}

}  // namespace

namespace {

// Version of the next change to `name` (one more than its newest snapshot).
Result<int> NextPlanogramVersion(Connection* c, const std::string& name) {
  auto q = c->Prepare(
      "SELECT COALESCE(MAX(version), 0) + 1 FROM planogram_versions WHERE planogram_name = ?");
  if (!q.ok()) return q.status();
  q->Bind(name);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(q->Int(0));
}

Status SnapshotPlanogram(Connection* c, const Planogram& p, int version, const char* action) {
  auto q = c->Prepare(
      "INSERT INTO planogram_versions(planogram_id, version, action, planogram_name, store, sku,"
      " product_name, shelf_location, expected_count, x_position, y_position, meta_data,"
      " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  return q
      ->BindAll(p.id, version, action, p.planogram_name, p.store, p.sku, p.product_name,
                p.shelf_location, p.expected_count, p.x_position, p.y_position, p.meta_data.dump(),
                ToUnixMillis(Now()))
      .Run();
}

Result<Id> InsertPlanogramRow(Connection* c, Planogram* p) {
  auto q = c->Prepare(
      "INSERT INTO planograms(planogram_name, sku, product_name, shelf_location,"
      " expected_count, x_position, y_position, meta_data, created_at, updated_at, store,"
      " version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  VS_RETURN_IF_ERROR(q->BindAll(p->planogram_name, p->sku, p->product_name, p->shelf_location,
                                p->expected_count, p->x_position, p->y_position,
                                p->meta_data.dump(), ToUnixMillis(p->created_at),
                                ToUnixMillis(p->updated_at), p->store, p->version)
                         .Run());
  p->id = c->LastInsertId();
  return p->id;
}

Planogram PlanogramFromVersionRow(const Stmt& q) {
  // planogram_id, version, planogram_name, store, sku, product_name, shelf_location,
  // expected_count, x_position, y_position, meta_data, created_at
  Planogram p;
  p.id = q.Int(0);
  p.version = static_cast<int>(q.Int(1));
  p.planogram_name = q.Text(2);
  p.store = q.Text(3);
  p.sku = q.Text(4);
  p.product_name = q.Text(5);
  p.shelf_location = q.Text(6);
  p.expected_count = static_cast<int>(q.Int(7));
  p.x_position = q.OptReal(8);
  p.y_position = q.OptReal(9);
  p.meta_data = ParseJsonColumn(q.Text(10));
  p.created_at = p.updated_at = FromUnixMillis(q.Int(11));
  return p;
}
constexpr const char* kVersionColumns =
    "v.planogram_id, v.version, v.planogram_name, v.store, v.sku, v.product_name,"
    " v.shelf_location, v.expected_count, v.x_position, v.y_position, v.meta_data, v.created_at";

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
  if (f.store) w.Add("(store = ? OR store = '')", {*f.store});
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
    auto version = NextPlanogramVersion(c, out.planogram_name);
    if (!version.ok()) return version.status();
    out.version = *version;
    auto id = InsertPlanogramRow(c, &out);
    if (!id.ok()) return id.status();
    VS_RETURN_IF_ERROR(SnapshotPlanogram(c, out, out.version, "created"));
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
    if (old->planogram_name != out.planogram_name) {
      // The row leaves its old planogram: a version of that one without it.
      auto left = NextPlanogramVersion(c, old->planogram_name);
      if (!left.ok()) return left.status();
      VS_RETURN_IF_ERROR(SnapshotPlanogram(c, *old, *left, "deleted"));
    }
    auto version = NextPlanogramVersion(c, out.planogram_name);
    if (!version.ok()) return version.status();
    out.version = *version;
    auto q = c->Prepare(
        "UPDATE planograms SET planogram_name = ?, sku = ?, product_name = ?, shelf_location = ?,"
        " expected_count = ?, x_position = ?, y_position = ?, meta_data = ?, updated_at = ?,"
        " store = ?, version = ? WHERE id = ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(out.planogram_name, out.sku, out.product_name, out.shelf_location,
                                  out.expected_count, out.x_position, out.y_position,
                                  out.meta_data.dump(), ToUnixMillis(out.updated_at), out.store,
                                  out.version, out.id)
                           .Run());
    VS_RETURN_IF_ERROR(SnapshotPlanogram(c, out, out.version, "updated"));
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   PlanogramEvent(out.id, "updated", out.planogram_name), event));
    return out;
  });
}

Status SqliteStore::DeletePlanogram(Id id) {
  auto r = Mutate<bool>([&](Connection* c, Event* event) -> Result<bool> {
    auto old = LoadPlanogram(c, id);
    if (!old.ok()) return old.status();
    const std::string name = old->planogram_name;
    auto version = NextPlanogramVersion(c, name);
    if (!version.ok()) return version.status();
    VS_RETURN_IF_ERROR(SnapshotPlanogram(c, *old, *version, "deleted"));
    auto q = c->Prepare("DELETE FROM planograms WHERE id = ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(id).Run());
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
        " expected_count, detected_count, confidence_score, meta_data, created_at, store)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)");
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
                                      x.meta_data.dump(), ToUnixMillis(x.created_at), x.store)
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

// --- planogram versions, pages and imports -----------------------------------------------------

Result<Page<Planogram>> SqliteStore::ListPlanogramPage(const PlanogramFilter& f,
                                                       const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckCompliancePage(page));
  Where w;
  if (f.planogram_name) w.Add("planogram_name = ?", {*f.planogram_name});
  if (f.sku) w.Add("sku = ?", {*f.sku});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  if (f.store) w.Add("(store = ? OR store = '')", {*f.store});
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("id > ?", {key->id});
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kPlanogramColumns + " FROM planograms" + w.sql +
                         " ORDER BY id LIMIT ?");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  q->Bind(page.limit + 1);
  auto rows = Collect<Planogram>(&*q, PlanogramFromRow);
  if (!rows.ok()) return rows.status();
  Page<Planogram> out;
  out.items = std::move(rows).value();
  if (static_cast<int>(out.items.size()) > page.limit) {
    out.items.resize(page.limit);
    out.next_cursor = EncodeCursor({0, out.items.back().id});
  }
  return out;
}

Result<std::vector<PlanogramVersion>> SqliteStore::ListPlanogramVersions(Id planogram_id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kVersionColumns +
                         ", v.action FROM planogram_versions v WHERE v.planogram_id = ?"
                         " ORDER BY v.id");
  if (!q.ok()) return q.status();
  q->Bind(planogram_id);
  auto list = Collect<PlanogramVersion>(&*q, [](const Stmt& s) {
    PlanogramVersion v;
    v.row = PlanogramFromVersionRow(s);
    v.planogram_id = v.row.id;
    v.planogram_name = v.row.planogram_name;
    v.version = v.row.version;
    v.created_at = v.row.created_at;
    v.action = s.Text(12);
    return v;
  });
  if (!list.ok()) return list.status();
  if (list->empty()) {
    return Status::NotFound("planogram " + std::to_string(planogram_id) + " not found");
  }
  return list;
}

Result<int> SqliteStore::PlanogramVersionOf(const std::string& name) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(
      "SELECT COALESCE(MAX(version), 0) FROM planogram_versions WHERE planogram_name = ?");
  if (!q.ok()) return q.status();
  q->Bind(name);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(q->Int(0));
}

Result<std::vector<Planogram>> SqliteStore::PlanogramAtVersion(const std::string& name,
                                                               int version) {
  auto current = PlanogramVersionOf(name);
  if (!current.ok()) return current.status();
  if (*current == 0) return Status::NotFound("planogram '" + name + "' not found");
  if (version == 0) version = *current;
  if (version < 0 || version > *current) {
    return Status::NotFound("planogram '" + name + "' has no version " + std::to_string(version));
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  // Each row's newest snapshot at or before `version`, unless that snapshot is its deletion.
  auto q = (*r)->Prepare(
      std::string("SELECT ") + kVersionColumns +
      " FROM planogram_versions v WHERE v.planogram_name = ? AND v.version <= ?"
      " AND v.action <> 'deleted' AND v.id = (SELECT MAX(w.id) FROM planogram_versions w"
      " WHERE w.planogram_id = v.planogram_id AND w.planogram_name = ? AND w.version <= ?)"
      " ORDER BY v.planogram_id");
  if (!q.ok()) return q.status();
  q->BindAll(name, version, name, version);
  return Collect<Planogram>(&*q, PlanogramFromVersionRow);
}

Result<PlanogramImportResult> SqliteStore::ImportPlanograms(const std::vector<Planogram>& rows) {
  VS_RETURN_IF_ERROR(ValidatePlanogramImport(rows));
  return Mutate<PlanogramImportResult>(
      [&](Connection* c, Event* event) -> Result<PlanogramImportResult> {
        PlanogramImportResult out;
        std::map<std::pair<std::string, std::string>, bool> replaced;  // (name, store)
        for (const Planogram& p : rows) {
          if (!out.versions.count(p.planogram_name)) {
            auto v = NextPlanogramVersion(c, p.planogram_name);
            if (!v.ok()) return v.status();
            out.versions[p.planogram_name] = *v;
          }
          const int version = out.versions[p.planogram_name];
          if (!replaced.emplace(std::pair{p.planogram_name, p.store}, true).second) continue;
          auto q = c->Prepare(std::string("SELECT ") + kPlanogramColumns +
                              " FROM planograms WHERE planogram_name = ? AND store = ?");
          if (!q.ok()) return q.status();
          q->BindAll(p.planogram_name, p.store);
          auto old = Collect<Planogram>(&*q, PlanogramFromRow);
          if (!old.ok()) return old.status();
          for (const Planogram& o : *old) {
            VS_RETURN_IF_ERROR(SnapshotPlanogram(c, o, version, "deleted"));
          }
          auto del = c->Prepare("DELETE FROM planograms WHERE planogram_name = ? AND store = ?");
          if (!del.ok()) return del.status();
          VS_RETURN_IF_ERROR(del->BindAll(p.planogram_name, p.store).Run());
          out.removed += static_cast<int>(old->size());
        }
        const Timestamp now = Now();
        for (const Planogram& p : rows) {
          Planogram row = p;
          row.created_at = row.updated_at = now;
          row.version = out.versions[p.planogram_name];
          auto id = InsertPlanogramRow(c, &row);
          if (!id.ok()) return id.status();
          VS_RETURN_IF_ERROR(SnapshotPlanogram(c, row, row.version, "imported"));
          ++out.rows;
        }
        VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed", PlanogramImportPayload(out), event));
        return out;
      });
}

Result<std::vector<Product>> SqliteStore::ImportProducts(const std::vector<Product>& products) {
  VS_RETURN_IF_ERROR(ValidateProductImport(products));
  auto stored = Mutate<bool>([&](Connection* c, Event* event) -> Result<bool> {
    auto owner = c->Prepare("SELECT class_name FROM products WHERE sku = ?");
    if (!owner.ok()) return owner.status();
    auto q = c->Prepare(
        "INSERT INTO products(class_name, sku, product_name, brand) VALUES (?,?,?,?)"
        " ON CONFLICT(class_name) DO UPDATE SET sku = excluded.sku,"
        " product_name = excluded.product_name, brand = excluded.brand");
    if (!q.ok()) return q.status();
    for (const Product& p : products) {
      owner->Reset();
      owner->Bind(p.sku);
      auto row = owner->Step();
      if (!row.ok()) return row.status();
      if (*row && owner->Text(0) != p.class_name) {
        return Status::Conflict("sku '" + p.sku + "' already belongs to class '" + owner->Text(0) +
                                "'");
      }
      owner->Reset();
      VS_RETURN_IF_ERROR(q->BindAll(p.class_name, p.sku, p.product_name, p.brand).Run());
    }
    VS_RETURN_IF_ERROR(
        AppendEvent(c, "product.changed", ProductImportPayload(products.size()), event));
    return true;
  });
  if (!stored.ok()) return stored.status();
  return ListProducts();
}

}  // namespace vs::store::sqlite
