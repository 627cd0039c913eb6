// PgStore: product catalogue, planograms and discrepancies.
#include <map>

#include "core/time.h"
#include "store/checks.h"
#include "store/compliance_rules.h"
#include "store/cursor.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace vs::store::pg {
namespace {

constexpr const char* kPlanogramColumns =
    "id, planogram_name, sku, product_name, shelf_location, expected_count, x_position,"
    " y_position, meta_data, created_at, updated_at, store, version";
constexpr const char* kDiscrepancyColumns =
    "d.id, d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type, d.expected_count,"
    " d.detected_count, d.confidence_score, d.meta_data, d.created_at, d.store";

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
  p.store = q.Text(i, 11);
  p.version = static_cast<int>(q.Int(i, 12));
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
  d.store = q.Text(i, 10);
  return d;
}

Result<Planogram> LoadPlanogram(Conn* c, Id id) {
  return QueryOne<Planogram>(
      c, std::string("SELECT ") + kPlanogramColumns + " FROM planograms WHERE id = $1",
      Params::Of(id), PlanogramFromRow, "planogram " + std::to_string(id) + " not found");
}

// Planogram version numbers are taken as MAX + 1 under this transaction-scoped advisory lock,
// so that concurrent changes (from any instance) number their versions one after the other as
// SQLite's single writer does. One lock for every planogram: changes are rare, and an import or
// a rename that touches several names cannot deadlock on it.
constexpr int64_t kPlanogramLock = 0x76735F706C67;  // "vs_plg"

Status LockPlanograms(Conn* c) {
  return c->Run("SELECT pg_advisory_xact_lock($1)", Params::Of(kPlanogramLock));
}

// Version of the next change to `name` (one more than its newest snapshot). Requires the lock.
Result<int> NextPlanogramVersion(Conn* c, const std::string& name) {
  auto r = c->Query(
      "SELECT COALESCE(MAX(version), 0) + 1 FROM planogram_versions WHERE planogram_name = $1",
      Params::Of(name));
  if (!r.ok()) return r.status();
  return static_cast<int>(r->Int(0, 0));
}

Status SnapshotPlanogram(Conn* c, const Planogram& p, int version, const char* action) {
  return c->Run(
      "INSERT INTO planogram_versions(planogram_id, version, action, planogram_name, store, sku,"
      " product_name, shelf_location, expected_count, x_position, y_position, meta_data,"
      " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      Params::Of(p.id, version, action, p.planogram_name, p.store, p.sku, p.product_name,
                 p.shelf_location, p.expected_count, p.x_position, p.y_position, p.meta_data.dump(),
                 ToUnixMillis(Now())));
}

Result<Id> InsertPlanogramRow(Conn* c, Planogram* p) {
  auto r = c->Query(
      "INSERT INTO planograms(planogram_name, sku, product_name, shelf_location,"
      " expected_count, x_position, y_position, meta_data, created_at, updated_at, store,"
      " version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
      Params::Of(p->planogram_name, p->sku, p->product_name, p->shelf_location, p->expected_count,
                 p->x_position, p->y_position, p->meta_data.dump(), ToUnixMillis(p->created_at),
                 ToUnixMillis(p->updated_at), p->store, p->version));
  if (!r.ok()) return r.status();
  p->id = r->Int(0, 0);
  return p->id;
}

constexpr const char* kVersionColumns =
    "v.planogram_id, v.version, v.planogram_name, v.store, v.sku, v.product_name,"
    " v.shelf_location, v.expected_count, v.x_position, v.y_position, v.meta_data, v.created_at";

Planogram PlanogramFromVersionRow(const Rows& q, int i) {
  Planogram p;
  p.id = q.Int(i, 0);
  p.version = static_cast<int>(q.Int(i, 1));
  p.planogram_name = q.Text(i, 2);
  p.store = q.Text(i, 3);
  p.sku = q.Text(i, 4);
  p.product_name = q.Text(i, 5);
  p.shelf_location = q.Text(i, 6);
  p.expected_count = static_cast<int>(q.Int(i, 7));
  p.x_position = q.OptReal(i, 8);
  p.y_position = q.OptReal(i, 9);
  p.meta_data = ParseJsonColumn(q.Text(i, 10));
  p.created_at = p.updated_at = FromUnixMillis(q.Int(i, 11));
  return p;
}

Where PlanogramWhere(const PlanogramFilter& f) {
  Where w;
  if (f.planogram_name) w.Add("planogram_name = ?", Params::Of(*f.planogram_name));
  if (f.sku) w.Add("sku = ?", Params::Of(*f.sku));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  if (f.store) w.Add("(store = ? OR store = '')", Params::Of(*f.store));
  return w;
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
  Where w = PlanogramWhere(f);
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
    VS_RETURN_IF_ERROR(LockPlanograms(c));
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

Result<Planogram> PgStore::UpdatePlanogram(const Planogram& p) {
  VS_RETURN_IF_ERROR(ValidatePlanogram(p));
  return Mutate<Planogram>([&](Conn* c, Event* event) -> Result<Planogram> {
    VS_RETURN_IF_ERROR(LockPlanograms(c));
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
    VS_RETURN_IF_ERROR(
        c->Run("UPDATE planograms SET planogram_name = $1, sku = $2, product_name = $3,"
               " shelf_location = $4, expected_count = $5, x_position = $6, y_position = $7,"
               " meta_data = $8, updated_at = $9, store = $10, version = $11 WHERE id = $12",
               Params::Of(out.planogram_name, out.sku, out.product_name, out.shelf_location,
                          out.expected_count, out.x_position, out.y_position, out.meta_data.dump(),
                          ToUnixMillis(out.updated_at), out.store, out.version, out.id)));
    VS_RETURN_IF_ERROR(SnapshotPlanogram(c, out, out.version, "updated"));
    VS_RETURN_IF_ERROR(AppendEvent(c, "planogram.changed",
                                   PlanogramEvent(out.id, "updated", out.planogram_name), event));
    return out;
  });
}

Status PgStore::DeletePlanogram(Id id) {
  auto r = Mutate<bool>([&](Conn* c, Event* event) -> Result<bool> {
    VS_RETURN_IF_ERROR(LockPlanograms(c));
    auto old = LoadPlanogram(c, id);
    if (!old.ok()) return old.status();
    const std::string name = old->planogram_name;
    auto version = NextPlanogramVersion(c, name);
    if (!version.ok()) return version.status();
    VS_RETURN_IF_ERROR(SnapshotPlanogram(c, *old, *version, "deleted"));
    VS_RETURN_IF_ERROR(c->Run("DELETE FROM planograms WHERE id = $1", Params::Of(id)));
    VS_RETURN_IF_ERROR(
        AppendEvent(c, "planogram.changed", PlanogramEvent(id, "deleted", name), event));
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
          " expected_count, detected_count, confidence_score, meta_data, created_at, store)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
          Params::Of(x.planogram_id, x.sku, x.shelf_location, x.discrepancy_type, x.expected_count,
                     x.detected_count, x.confidence_score, x.meta_data.dump(),
                     ToUnixMillis(x.created_at), x.store));
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

// --- planogram versions, pages and imports -----------------------------------------------------

Result<Page<Planogram>> PgStore::ListPlanogramPage(const PlanogramFilter& f,
                                                   const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckCompliancePage(page));
  Where w = PlanogramWhere(f);
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("id > ?", Params::Of(key->id));
  }
  const std::string sql = std::string("SELECT ") + kPlanogramColumns + " FROM planograms" + w.sql +
                          " ORDER BY id LIMIT " + w.Next();
  Params p = w.args;
  p.Add(page.limit + 1);
  return Read<Page<Planogram>>([&](Conn* c) -> Result<Page<Planogram>> {
    auto rows = QueryAll<Planogram>(c, sql, p, PlanogramFromRow);
    if (!rows.ok()) return rows.status();
    Page<Planogram> out;
    out.items = std::move(rows).value();
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(page.limit);
      out.next_cursor = EncodeCursor({0, out.items.back().id});
    }
    return out;
  });
}

Result<std::vector<PlanogramVersion>> PgStore::ListPlanogramVersions(Id planogram_id) {
  return Read<std::vector<PlanogramVersion>>([&](Conn* c) -> Result<std::vector<PlanogramVersion>> {
    auto list = QueryAll<PlanogramVersion>(
        c,
        std::string("SELECT ") + kVersionColumns +
            ", v.action FROM planogram_versions v WHERE v.planogram_id = $1 ORDER BY v.id",
        Params::Of(planogram_id), [](const Rows& r, int i) {
          PlanogramVersion v;
          v.row = PlanogramFromVersionRow(r, i);
          v.planogram_id = v.row.id;
          v.planogram_name = v.row.planogram_name;
          v.version = v.row.version;
          v.created_at = v.row.created_at;
          v.action = r.Text(i, 12);
          return v;
        });
    if (!list.ok()) return list.status();
    if (list->empty()) {
      return Status::NotFound("planogram " + std::to_string(planogram_id) + " not found");
    }
    return list;
  });
}

Result<int> PgStore::PlanogramVersionOf(const std::string& name) {
  return Read<int>([&](Conn* c) -> Result<int> {
    auto r = c->Query(
        "SELECT COALESCE(MAX(version), 0) FROM planogram_versions WHERE planogram_name = $1",
        Params::Of(name));
    if (!r.ok()) return r.status();
    return static_cast<int>(r->Int(0, 0));
  });
}

Result<std::vector<Planogram>> PgStore::PlanogramAtVersion(const std::string& name, int version) {
  auto current = PlanogramVersionOf(name);
  if (!current.ok()) return current.status();
  if (*current == 0) return Status::NotFound("planogram '" + name + "' not found");
  if (version == 0) version = *current;
  if (version < 0 || version > *current) {
    return Status::NotFound("planogram '" + name + "' has no version " + std::to_string(version));
  }
  // Each row's newest snapshot at or before `version`, unless that snapshot is its deletion.
  return Read<std::vector<Planogram>>([&](Conn* c) {
    return QueryAll<Planogram>(
        c,
        std::string("SELECT ") + kVersionColumns +
            " FROM planogram_versions v WHERE v.planogram_name = $1 AND v.version <= $2"
            " AND v.action <> 'deleted' AND v.id = (SELECT MAX(w.id) FROM planogram_versions w"
            " WHERE w.planogram_id = v.planogram_id AND w.planogram_name = $1"
            " AND w.version <= $2) ORDER BY v.planogram_id",
        Params::Of(name, version), PlanogramFromVersionRow);
  });
}

Result<PlanogramImportResult> PgStore::ImportPlanograms(const std::vector<Planogram>& rows) {
  VS_RETURN_IF_ERROR(ValidatePlanogramImport(rows));
  return Mutate<PlanogramImportResult>([&](Conn* c, Event* event) -> Result<PlanogramImportResult> {
    VS_RETURN_IF_ERROR(LockPlanograms(c));
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
      auto old = QueryAll<Planogram>(c,
                                     std::string("SELECT ") + kPlanogramColumns +
                                         " FROM planograms WHERE planogram_name = $1 AND store = $2"
                                         " ORDER BY id",
                                     Params::Of(p.planogram_name, p.store), PlanogramFromRow);
      if (!old.ok()) return old.status();
      for (const Planogram& o : *old) {
        VS_RETURN_IF_ERROR(SnapshotPlanogram(c, o, version, "deleted"));
      }
      VS_RETURN_IF_ERROR(c->Run("DELETE FROM planograms WHERE planogram_name = $1 AND store = $2",
                                Params::Of(p.planogram_name, p.store)));
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

Result<std::vector<Product>> PgStore::ImportProducts(const std::vector<Product>& products) {
  VS_RETURN_IF_ERROR(ValidateProductImport(products));
  auto stored = Mutate<bool>([&](Conn* c, Event* event) -> Result<bool> {
    for (const Product& p : products) {
      auto owner = c->Query("SELECT class_name FROM products WHERE sku = $1", Params::Of(p.sku));
      if (!owner.ok()) return owner.status();
      if (!owner->empty() && owner->Text(0, 0) != p.class_name) {
        return Status::Conflict("sku '" + p.sku + "' already belongs to class '" +
                                owner->Text(0, 0) + "'");
      }
      VS_RETURN_IF_ERROR(
          c->Run("INSERT INTO products(class_name, sku, product_name, brand)"
                 " VALUES ($1, $2, $3, $4) ON CONFLICT(class_name) DO UPDATE SET"
                 " sku = excluded.sku, product_name = excluded.product_name,"
                 " brand = excluded.brand",
                 Params::Of(p.class_name, p.sku, p.product_name, p.brand)));
    }
    VS_RETURN_IF_ERROR(
        AppendEvent(c, "product.changed", ProductImportPayload(products.size()), event));
    return true;
  });
  if (!stored.ok()) return stored.status();
  return ListProducts();
}

}  // namespace vs::store::pg
