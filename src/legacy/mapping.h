// Mapping the earlier VisionStock's rows into this store's records. Pure functions, no I/O: the
// importer (importer.h) reads the rows and writes what these functions return.
//
// The earlier system stored some rows badly. What can be repaired without guessing is mapped and
// counted under a "mapped: …" reason; what cannot is skipped and counted under its reason. Nothing
// is invented: a detection keeps the class, confidence and box it had, or it is not imported.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/types.h"

namespace vs::legacy {

// One row of the earlier `detections` table (every column may be null there).
struct LegacyDetection {
  int64_t id = 0;
  std::optional<std::string> image_path, sku, class_name, shelf_location;
  std::optional<int64_t> timestamp_ms;  // unix milliseconds (UTC)
  std::optional<double> confidence, x_center, y_center, width, height;
  std::optional<int64_t> model_version_id;
};

// Counts by reason, e.g. {"box in pixels (no image size to normalise it)", 12}.
using Tally = std::map<std::string, int64_t>;

struct ScanDefaults {
  std::string store = "default";                // the earlier system had no stores
  std::string unassigned_shelf = "unassigned";  // for a null shelf_location
};

// The store's image_path for an earlier image_path: "legacy/<16 hex of its SHA-256>/<file name>"
// with the file name reduced to [A-Za-z0-9._-]. Deterministic (a re-run finds it again), unique per
// earlier path, and never escapes the data folder.
std::string ImagePathFor(const std::string& legacy_image_path);

// The detection, or nullopt (with the reason tallied in `skipped`). A box that overhangs the photo
// by up to kMaxOverhang is clipped to it (tallied in `mapped`).
std::optional<store::NewDetection> MapDetection(const LegacyDetection& row, Tally* mapped,
                                                Tally* skipped);
inline constexpr double kMaxOverhang = 0.02;

// The scan for the rows of one earlier image_path (all rows share it), or nullopt when no row
// can be imported. captured_at is the earliest row timestamp; model_version_id maps through
// `model_ids` (earlier id → this store's id). Tallies count rows, not scans.
std::optional<store::NewScan> MapScan(std::span<const LegacyDetection> rows,
                                      const ScanDefaults& defaults,
                                      const std::map<int64_t, store::Id>& model_ids, Tally* mapped,
                                      Tally* skipped);

// Class → SKU pairs the earlier rows carried, with their row counts.
struct SkuPair {
  std::string class_name, sku;
  int64_t rows = 0;
};

// The catalogue entries that can be added without guessing: a class that carried exactly one SKU,
// that SKU carried by no other class, and neither already in `catalogue`. The rest are tallied.
std::vector<store::Product> CatalogueFromSkus(std::span<const SkuPair> pairs,
                                              std::span<const store::Product> catalogue,
                                              Tally* skipped);

}  // namespace vs::legacy
