// Reading the earlier VisionStock's PostgreSQL tables (detections, planograms, discrepancies,
// model_versions, model_metrics; columns in docs/LEGACY.md) with libpq. Read-only: it runs every
// query in one READ ONLY transaction, so the import sees one consistent snapshot and cannot change
// the earlier database. A column or table the earlier database lacks reads as null or empty.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "legacy/mapping.h"
#include "store/types.h"

namespace vs::legacy {

// A row of the earlier `planograms` table; null text reads as "", a null count as -1.
struct LegacyPlanogram {
  int64_t id = 0;
  store::Planogram row;
};

struct LegacyDiscrepancy {
  int64_t planogram_id = 0;  // the earlier planogram's id
  store::Discrepancy row;
};

class Source {
 public:
  // Connects to `url` (a libpq connection string or postgresql:// URL) and opens the snapshot.
  static Result<std::unique_ptr<Source>> Connect(const std::string& url);
  ~Source();

  Result<bool> HasTable(const std::string& table);
  Result<int64_t> CountDetections();
  // Earlier id → version; metrics carry the earlier model_version_id.
  Result<std::vector<std::pair<int64_t, store::ModelVersion>>> Models();
  Result<std::vector<store::ModelMetrics>> Metrics();
  Result<std::vector<LegacyPlanogram>> Planograms();
  Result<std::vector<LegacyDiscrepancy>> Discrepancies();
  // Distinct non-null (class_name, sku) pairs of the detections, with their row counts.
  Result<std::vector<SkuPair>> SkuPairs();

  // Calls `batch` with the detections in (image_path, id) order, at most `batch_rows` at a time,
  // rows with a null image_path last. Stops at the first error `batch` returns.
  Status ForEachDetectionBatch(int batch_rows,
                               const std::function<Status(std::vector<LegacyDetection>&)>& batch);

 private:
  struct Impl;
  explicit Source(std::unique_ptr<Impl> impl);
  // "name" (quoted) when the table has the column, else "NULL" — cast either way to `type`.
  Result<std::string> Column(const std::string& table, const std::string& column,
                             const std::string& type);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vs::legacy
