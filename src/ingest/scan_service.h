// Turns one uploaded photo into a stored scan:
//   probe -> decode (at no less than the model's input size) -> detect -> write the photo
//   atomically under <data>/images/YYYY/MM/DD/ -> Store::InsertScan.
// Bad input (not an image: UnsupportedMedia; over the pixel limit: TooLarge) and a missing model
// (Unavailable) change nothing stored. If the insert fails, the written photo is removed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "ingest/image_files.h"
#include "store/store.h"
#include "vision/detector.h"

namespace vs::ingest {

struct ScanInput {
  std::string_view bytes;
  std::string store = "default";
  std::string shelf_location = "unassigned";
  std::optional<Timestamp> captured_at;  // received time when absent
};

struct ScanOutput {
  store::ScanRecord scan;   // with its detections
  double inference_ms = 0;  // ONNX Runtime alone
  double total_ms = 0;      // probe to commit
};

class ScanService {
 public:
  // `detector` may be null (no model: every Scan is Unavailable with `model_reason`); `store`
  // may be null (Unavailable with `store_reason`).
  ScanService(store::Store* store, std::string store_reason, const vision::Detector* detector,
              std::string model_reason, std::optional<store::Id> model_version_id, ImageFiles files,
              int64_t max_pixels);

  Result<ScanOutput> Scan(const ScanInput& input) const;

  const vision::Detector* detector() const { return detector_; }
  std::optional<store::Id> model_version_id() const { return model_version_id_; }
  const std::string& model_reason() const { return model_reason_; }
  const ImageFiles& files() const { return files_; }

 private:
  store::Store* store_;
  std::string store_reason_;
  const vision::Detector* detector_;
  std::string model_reason_;
  std::optional<store::Id> model_version_id_;
  ImageFiles files_;
  int64_t max_pixels_;
};

// Normalised 0..1 centre/size of a pixel box in an image of `width` x `height`, clamped to it.
store::NewDetection Normalise(const vision::Detection& d, int width, int height);

}  // namespace vs::ingest
