// `visionstock import-legacy`: the earlier VisionStock's history into this store, either backend.
//
// Order: model versions, their metrics, catalogue entries the earlier SKUs imply, planograms,
// their discrepancies, then detections grouped into scans by image_path (the rows of one upload
// share it; their timestamps can differ, so a timestamp is no key). Idempotent: what a previous run
// imported is recognised (models by version_name, metrics by model and evaluation date, planogram
// rows by name, SKU and shelf, discrepancies by planogram, scans by their image_path) and counted
// as already present, never imported twice. Scans are written batch_scans at a time, each batch one
// store transaction (Store::InsertScans), so an interrupted run leaves whole scans only and a
// re-run completes it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "legacy/mapping.h"
#include "legacy/source.h"
#include "store/store.h"

namespace vs::legacy {

struct ImportOptions {
  ScanDefaults defaults;
  int batch_rows = 5000;  // detections read per round trip
  int batch_scans = 200;  // scans written per store transaction (at least 1)
  // Called after each batch of detections: rows read so far, rows in total.
  std::function<void(int64_t done, int64_t total)> progress;
};

struct Counts {
  int64_t imported = 0;  // added now
  int64_t present = 0;   // added by an earlier run (or already there)
  int64_t skipped = 0;   // not importable; reasons in ImportReport::skipped
};

struct ImportReport {
  Counts models, metrics, products, planograms, discrepancies, scans, detections;
  Tally mapped;   // repaired rows, by what was done
  Tally skipped;  // rows left out, by why
  nlohmann::json ToJson() const;
};

// Stops at the first store or source error other than a row the store refuses (that row's scan is
// skipped with the store's reason). What was imported before the error stays; a re-run goes on.
Result<ImportReport> Import(Source& source, store::Store& store, const ImportOptions& options);

}  // namespace vs::legacy
