// SqliteStore: removing a whole store's scans (with their rollup rows) and a product.
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {

Result<std::vector<ScanRecord>> SqliteStore::DeleteScansOfStore(const std::string& store) {
  {
    // Nothing to remove: no write and no event.
    auto r = AcquireReader();
    if (!r.ok()) return r.status();
    auto q = (*r)->Prepare("SELECT 1 FROM scans WHERE store = ? LIMIT 1");
    if (!q.ok()) return q.status();
    q->Bind(store);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::vector<ScanRecord>{};
  }
  return Mutate<std::vector<ScanRecord>>(
      [&](Connection* c, Event* event) -> Result<std::vector<ScanRecord>> {
        auto list = c->Prepare(std::string("SELECT ") + kScanColumns +
                               " FROM scans WHERE store = ? ORDER BY id");
        if (!list.ok()) return list.status();
        list->Bind(store);
        auto scans = Collect<ScanRecord>(&*list, ScanFromRow);
        list->Reset();
        if (!scans.ok()) return scans.status();
        // Every rollup row belongs to one store, so this removes exactly the store's share.
        for (const char* sql :
             {"DELETE FROM detections WHERE store = ?", "DELETE FROM scans WHERE store = ?",
              "DELETE FROM rollup WHERE store = ?", "DELETE FROM rollup_conf WHERE store = ?",
              "DELETE FROM rollup_fine WHERE store = ?"}) {
          auto q = c->Prepare(sql);
          if (!q.ok()) return q.status();
          VS_RETURN_IF_ERROR(q->Bind(store).Run());
        }
        VS_RETURN_IF_ERROR(
            AppendEvent(c, "scans.deleted",
                        {{"store", store}, {"scans", static_cast<int64_t>(scans->size())}}, event));
        return scans;
      });
}

Status SqliteStore::DeleteProduct(const std::string& class_name) {
  auto r = Mutate<bool>([&](Connection* c, Event* event) -> Result<bool> {
    auto q = c->Prepare("DELETE FROM products WHERE class_name = ? RETURNING id");
    if (!q.ok()) return q.status();
    q->Bind(class_name);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no product for class '" + class_name + "'");
    const Id id = q->Int(0);
    VS_RETURN_IF_ERROR(q->Run());
    VS_RETURN_IF_ERROR(
        AppendEvent(c, "product.changed",
                    {{"product_id", id}, {"class_name", class_name}, {"deleted", true}}, event));
    return true;
  });
  return r.status();
}

}  // namespace vs::store::sqlite
