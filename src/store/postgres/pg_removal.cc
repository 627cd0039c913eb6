// PgStore: removing a whole store's scans (with their rollup rows) and a product.
#include <cstdint>

#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace vs::store::pg {

Result<std::vector<ScanRecord>> PgStore::DeleteScansOfStore(const std::string& store) {
  {
    // Nothing to remove: no write and no event.
    auto any = Read<bool>([&](Conn* c) -> Result<bool> {
      auto r = c->Query("SELECT 1 FROM scans WHERE store = $1 LIMIT 1", Params::Of(store));
      if (!r.ok()) return r.status();
      return !r->empty();
    });
    if (!any.ok()) return any.status();
    if (!*any) return std::vector<ScanRecord>{};
  }
  return Mutate<std::vector<ScanRecord>>(
      [&](Conn* c, Event* event) -> Result<std::vector<ScanRecord>> {
        // New scans wait until this commits (and this waits for scans being inserted), so the
        // scans listed below are exactly those whose rows and rollup shares are removed: the
        // returned list names every photo to remove. Reads go on meanwhile.
        VS_RETURN_IF_ERROR(c->Run("LOCK TABLE scans IN SHARE ROW EXCLUSIVE MODE"));
        auto scans = QueryAll<ScanRecord>(
            c, std::string("SELECT ") + kScanColumns + " FROM scans WHERE store = $1 ORDER BY id",
            Params::Of(store), ScanFromRow);
        if (!scans.ok()) return scans.status();
        // Every rollup row belongs to one store, so this removes exactly the store's share.
        for (const char* sql :
             {"DELETE FROM detections WHERE store = $1", "DELETE FROM scans WHERE store = $1",
              "DELETE FROM rollup WHERE store = $1", "DELETE FROM rollup_conf WHERE store = $1",
              "DELETE FROM rollup_fine WHERE store = $1"}) {
          VS_RETURN_IF_ERROR(c->Run(sql, Params::Of(store)));
        }
        VS_RETURN_IF_ERROR(
            AppendEvent(c, "scans.deleted",
                        {{"store", store}, {"scans", static_cast<int64_t>(scans->size())}}, event));
        return scans;
      });
}

Status PgStore::DeleteProduct(const std::string& class_name) {
  return Mutate<bool>([&](Conn* c, Event* event) -> Result<bool> {
           auto r = c->Query("DELETE FROM products WHERE class_name = $1 RETURNING id",
                             Params::Of(class_name));
           if (!r.ok()) return r.status();
           if (r->empty()) return Status::NotFound("no product for class '" + class_name + "'");
           VS_RETURN_IF_ERROR(AppendEvent(
               c, "product.changed",
               {{"product_id", r->Int(0, 0)}, {"class_name", class_name}, {"deleted", true}},
               event));
           return true;
         })
      .status();
}

}  // namespace vs::store::pg
