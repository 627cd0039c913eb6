// The demo store: a newcomer's first minute. Load puts real photos from Debian packages
// (opencv-doc, darknet; scripts/setup.sh installs them) through the real detector into the store
// named "demo", with a demo catalogue (the bundled model's retail-relevant classes -> "DEMO-" SKUs)
// and one planogram per demo shelf. Remove takes exactly that out again.
//
// What is demo, so that Remove finds it and nothing else:
//   scans: store == kStore (with their detections and photo files);
//   products: sku starts with "DEMO-" and brand == kBrand (added only for classes that have no
//     product yet: an existing product is never changed);
//   planogram rows: meta_data.demo == true.
// Load is idempotent: a shelf that already has a demo scan, a product or a planogram row that
// already exists is skipped, so a re-run adds nothing.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/scan_service.h"
#include "store/store.h"

namespace vs::demo {

inline constexpr const char* kStore = "demo";
inline constexpr const char* kBrand = "VisionStock Demo";

struct Shelf {
  std::string shelf_location;
  std::string photo;  // absolute path in a Debian package
  // The planogram: (class name, expected facings).
  std::vector<std::pair<std::string, int>> planned;
};

// The demo shelves, in load order.
const std::vector<Shelf>& Shelves();

struct Report {
  int scans = 0;
  int detections = 0;
  int products = 0;
  int planogram_rows = 0;
  int photos = 0;                    // photo files (Remove)
  std::vector<std::string> missing;  // demo photos not installed (Load skips them)
};

// Loads what is missing of the demo. Unavailable when the scan service has no detector or no
// store; the first scan error otherwise (what was stored before it stays, and a re-run goes on).
// `detector` (with its `model_version_id`), when set, runs instead of the scan service's own
// (the server's active model); it must outlive the call.
Result<Report> Load(store::Store& store, const ingest::ScanService& scans,
                    const vision::Detector* detector = nullptr,
                    std::optional<store::Id> model_version_id = std::nullopt);

// Removes every demo row and the demo scans' photo files.
Result<Report> Remove(store::Store& store, const ingest::ImageFiles& files);

// The report as JSON: {"store":"demo","scans":..,"detections":..,"products":..,
// "planogram_rows":..,"photos":..,"missing":[..]}.
nlohmann::json ToJson(const Report& report);

}  // namespace vs::demo
