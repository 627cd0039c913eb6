// What a set of scans adds to the rollup tables: `rollup` (the SQLite schema's version 3) and
// `rollup_conf` (version 12) and `rollup_fine` (version 15), merged by row key. A transaction
// writing scans upserts each key once (PostgreSQL's ON CONFLICT may not touch a row twice in one
// statement) and in key order, so that concurrent writers lock rows in one order. Backend-neutral:
// each backend only turns the rows into its upsert statements.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "store/id_bits.h"
#include "store/types.h"

namespace vs::store {

// A rollup row's primary key, in the tables' column order.
struct RollupKey {
  int level;
  int mode;
  std::string sku, class_name;  // '' where the mode does not fix them
  int64_t bucket;
  std::string store, shelf_location;
  int conf;  // the confidence bucket (store/rollup.h) of a rollup_conf row; -1 in `rollup`
  // In rollup_fine rows `mode` is the resolution and `conf` the fine bucket (store/rollup.h,
  // FineRowsOf); sku and class_name are ''.
  auto operator<=>(const RollupKey&) const = default;
};

// A rollup row's figures; Merge adds another share of the same row.
struct RollupFigures {
  int64_t n = 0;
  double sum_conf = 0;
  std::optional<int64_t> max_ts;  // absent while n == 0
  int64_t scans = 0;
  IdBits skus, classes;  // empty where the mode fixes the value
  void Merge(const RollupFigures& other);
};

class RollupDelta {
 public:
  // Adds `scan` (its detections included) at every level. `sku_ids` and `class_ids` hold the
  // interned id of every sku and class name of its detections.
  void Add(const ScanRecord& scan, const std::map<std::string, int64_t>& sku_ids,
           const std::map<std::string, int64_t>& class_ids);

  // Rows of `rollup`: every scan names its store and shelf (mode 0, n may be 0).
  const std::map<RollupKey, RollupFigures>& rollup() const { return rollup_; }
  // Rows of `rollup_conf`: only scans with detections contribute.
  const std::map<RollupKey, RollupFigures>& conf() const { return conf_; }
  // Rows of `rollup_fine`, at the levels HasFineRows names: likewise.
  const std::map<RollupKey, RollupFigures>& fine() const { return fine_; }

 private:
  std::map<RollupKey, RollupFigures> rollup_, conf_, fine_;
};

}  // namespace vs::store
