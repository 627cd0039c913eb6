// Turns one uploaded photo into a stored scan:
//   validate the names -> probe -> decode (at no less than the model's input size, under the
//   decode budgets) -> detect -> strip metadata (vision/image_storage.h) -> write the photo
//   atomically under <data>/images/YYYY/MM/DD/ -> Store::InsertScan.
// Nothing is stored unless everything succeeds: a failure after the photo is written (an error
// or an exception) removes it again. Bad input changes nothing stored: a store or shelf name
// that is not a valid identifier (InvalidValue, checked before any work), not an image
// (UnsupportedMedia), over the pixel limit or the decode budget (TooLarge), a JPEG with too many
// scans or an oversized PNG (InvalidValue); a missing model or store (Unavailable); no room for
// the photo (InsufficientStorage, see photo_space.h).
//
// The stored photo carries no EXIF, XMP or comments; a JPEG with an EXIF orientation is stored
// turned upright and re-encoded. ScanRecord::sha256 stays the SHA-256 of the bytes as received
// (it identifies the upload and is the ETag of the photo route), not of the stored file.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "ingest/image_files.h"
#include "store/store.h"
#include "vision/detector.h"

namespace vs::ingest {

// Longest store or shelf_location, in bytes of UTF-8.
inline constexpr size_t kMaxNameBytes = 200;

struct ScanInput {
  std::string_view bytes;
  std::string store = "default";
  std::string shelf_location = "unassigned";
  std::optional<Timestamp> captured_at = std::nullopt;  // received time when absent
  // Asked before decoding, before inference and before anything is stored; when it answers true
  // (the client has gone) nothing is stored and Scan returns Unavailable. May be empty.
  std::function<bool()> client_gone = nullptr;
  // The model to run instead of the service's own (the caller keeps it alive during the call),
  // and the model version recorded with the scan.
  const vision::Detector* detector = nullptr;
  std::optional<store::Id> model_version_id = std::nullopt;
  // Decode every pixel (sliced inference needs them), not just enough for the model's input.
  bool full_resolution = false;
};

struct ScanOutput {
  store::ScanRecord scan;   // with its detections
  double inference_ms = 0;  // ONNX Runtime alone
  double total_ms = 0;      // probe to commit
  double decode_ms = 0;     // decoding the photo alone
};

// A photo checked and decoded as Scan does it, for callers that detect without storing.
struct DecodedPhoto {
  vision::DecodedImage image;
  vision::DecodeOptions options;  // what it was decoded with (limits, budgets, min_side)
  double decode_ms = 0;           // decoding alone
};

struct ScanLimits {
  int64_t max_pixels = 50'000'000;
  int max_jpeg_scans = 64;                        // see vision::DecodeOptions
  std::chrono::milliseconds decode_budget{2000};  // per decode
};

class ScanService {
 public:
  // `detector` may be null (no model: every Scan is Unavailable with `model_reason`); `store`
  // may be null (Unavailable with `store_reason`).
  ScanService(store::Store* store, std::string store_reason, const vision::Detector* detector,
              std::string model_reason, std::optional<store::Id> model_version_id, ImageFiles files,
              ScanLimits limits);
  ScanService(store::Store* store, std::string store_reason, const vision::Detector* detector,
              std::string model_reason, std::optional<store::Id> model_version_id, ImageFiles files,
              int64_t max_pixels)
      : ScanService(store, std::move(store_reason), detector, std::move(model_reason),
                    model_version_id, std::move(files), ScanLimits{.max_pixels = max_pixels}) {}

  // Never throws: an exception inside becomes Internal (with the photo removed).
  Result<ScanOutput> Scan(const ScanInput& input) const;

  // The checks and decode of Scan for `detector` alone, storing nothing: probe (UnsupportedMedia),
  // the pixel limit (TooLarge), decoded under the decode budgets with EXIF orientation applied, at
  // no less than the detector's input size (every pixel when `full_resolution`). `client_gone` is
  // asked before decoding, as Scan does (Unavailable). POST /api/models/compare-photo uses it, so
  // each model sees the very pixels POST /api/detect would give it.
  Result<DecodedPhoto> Decode(std::string_view bytes, const vision::Detector& detector,
                              bool full_resolution,
                              const std::function<bool()>& client_gone = nullptr) const;

  const vision::Detector* detector() const { return detector_; }
  std::optional<store::Id> model_version_id() const { return model_version_id_; }
  const std::string& model_reason() const { return model_reason_; }
  const ImageFiles& files() const { return files_; }

 private:
  Result<ScanOutput> ScanOrThrow(const ScanInput& input) const;

  store::Store* store_;
  std::string store_reason_;
  const vision::Detector* detector_;
  std::string model_reason_;
  std::optional<store::Id> model_version_id_;
  ImageFiles files_;
  ScanLimits limits_;
};

// Normalised 0..1 centre/size of a pixel box in an image of `width` x `height`, clamped to it.
store::NewDetection Normalise(const vision::Detection& d, int width, int height);

}  // namespace vs::ingest
