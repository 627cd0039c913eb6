#include "ingest/scan_service.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <span>

#include "core/log.h"
#include "core/text.h"
#include "vision/image_storage.h"

namespace vs::ingest {
namespace {

// Removes the written photo when the scan is abandoned, whichever way (return or exception).
class PhotoGuard {
 public:
  PhotoGuard(const ImageFiles& files, std::string path) : files_(files), path_(std::move(path)) {}
  ~PhotoGuard() {
    if (!kept_) files_.Remove(path_);
  }
  PhotoGuard(const PhotoGuard&) = delete;
  PhotoGuard& operator=(const PhotoGuard&) = delete;
  void Keep() { kept_ = true; }

 private:
  const ImageFiles& files_;
  std::string path_;
  bool kept_ = false;
};

Status CheckClient(const ScanInput& input, const char* stage) {
  if (input.client_gone && input.client_gone()) {
    return Status::Unavailable(std::string("the client went away ") + stage +
                               "; nothing was stored");
  }
  return Status::Ok();
}

}  // namespace

ScanService::ScanService(store::Store* store, std::string store_reason,
                         const vision::Detector* detector, std::string model_reason,
                         std::optional<store::Id> model_version_id, ImageFiles files,
                         ScanLimits limits)
    : store_(store),
      store_reason_(std::move(store_reason)),
      detector_(detector),
      model_reason_(std::move(model_reason)),
      model_version_id_(model_version_id),
      files_(std::move(files)),
      limits_(limits) {}

store::NewDetection Normalise(const vision::Detection& d, int width, int height) {
  const double w = std::max(1, width), h = std::max(1, height);
  const double x1 = std::clamp<double>(d.box.x1, 0, w), x2 = std::clamp<double>(d.box.x2, 0, w);
  const double y1 = std::clamp<double>(d.box.y1, 0, h), y2 = std::clamp<double>(d.box.y2, 0, h);
  store::NewDetection n;
  n.class_id = d.class_id;
  n.class_name = d.class_name;
  n.confidence = d.confidence;
  n.x_center = (x1 + x2) / 2 / w;
  n.y_center = (y1 + y2) / 2 / h;
  n.width = (x2 - x1) / w;
  n.height = (y2 - y1) / h;
  return n;
}

Result<ScanOutput> ScanService::Scan(const ScanInput& input) const {
  try {
    return ScanOrThrow(input);
  } catch (const std::exception& e) {
    vs::log::Error("scan failed", {{"error", e.what()}});
    return Status::Internal(std::string("scan failed: ") + e.what());
  } catch (...) {
    vs::log::Error("scan failed", {{"error", "unknown exception"}});
    return Status::Internal("scan failed");
  }
}

Result<ScanOutput> ScanService::ScanOrThrow(const ScanInput& input) const {
  const auto t0 = std::chrono::steady_clock::now();
  const vision::Detector* detector = input.detector ? input.detector : detector_;
  if (!detector) return Status::Unavailable("no detection model loaded: " + model_reason_);
  if (!store_) return Status::Unavailable("store unavailable: " + store_reason_);
  VS_RETURN_IF_ERROR(ValidateIdentifier("store", input.store, kMaxNameBytes));
  VS_RETURN_IF_ERROR(ValidateIdentifier("shelf_location", input.shelf_location, kMaxNameBytes));
  if (input.bytes.empty()) return Status::InvalidArgument("the image is empty (0 bytes)");
  auto photo = Decode(input.bytes, *detector, input.full_resolution, input.client_gone);
  if (!photo.ok()) return photo.status();
  const vision::DecodedImage& image = photo->image;
  VS_RETURN_IF_ERROR(CheckClient(input, "before detection"));
  auto detected = detector->Detect(image);
  if (!detected.ok()) return detected.status();
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(input.bytes.data()),
                                       input.bytes.size());
  auto storable = vision::ImageForStorage(bytes, photo->options);
  if (!storable.ok()) return storable.status();

  store::NewScan scan;
  scan.store = input.store;
  scan.shelf_location = input.shelf_location;
  scan.received_at = Now();
  scan.captured_at = input.captured_at.value_or(scan.received_at);
  scan.sha256 = Sha256Hex(input.bytes);  // of the upload, see the header
  scan.width = image.width;
  scan.height = image.height;
  scan.model_version_id = input.detector ? input.model_version_id : model_version_id_;
  scan.inference_ms = detected->inference_ms;
  for (const auto& d : detected->detections) {
    scan.detections.push_back(Normalise(d, image.width, image.height));
    if (input.class_skus) {
      // One mapping path: the store takes this SKU over the catalogue's (store::NewDetection).
      if (auto it = input.class_skus->find(d.class_name); it != input.class_skus->end()) {
        scan.detections.back().sku = it->second;
      }
    }
  }
  VS_RETURN_IF_ERROR(CheckClient(input, "before storing"));
  auto written = files_.Write(storable->bytes, scan.received_at, scan.sha256,
                              vision::FileExtension(image.format));
  if (!written.ok()) return written.status();
  // Declared after `written`, so destroyed before it: an abandoned photo is removed while its
  // lock is still held, and a committed one unlocked only after its scan is stored.
  PhotoGuard guard(files_, written->path);
  scan.image_path = written->path;
  VS_RETURN_IF_ERROR(CheckClient(input, "before storing"));
  auto stored = store_->InsertScan(scan);
  if (!stored.ok()) {
    vs::log::Warn("scan not stored", {{"error", stored.status().ToString()}});
    return stored.status();
  }
  guard.Keep();
  ScanOutput out;
  out.scan = std::move(stored).value();
  out.inference_ms = detected->inference_ms;
  out.decode_ms = photo->decode_ms;
  out.total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

Result<DecodedPhoto> ScanService::Decode(std::string_view data, const vision::Detector& detector,
                                         bool full_resolution,
                                         const std::function<bool()>& client_gone) const {
  if (data.empty()) return Status::InvalidArgument("the image is empty (0 bytes)");
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  auto info = vision::ProbeImage(bytes);
  if (!info.ok()) return info.status();
  if (static_cast<int64_t>(info->width) * info->height > limits_.max_pixels) {
    return Status::TooLarge("image of " + std::to_string(info->width) + "x" +
                            std::to_string(info->height) + " pixels is over the limit of " +
                            std::to_string(limits_.max_pixels) + " pixels");
  }
  DecodedPhoto out;
  out.options.max_pixels = limits_.max_pixels;
  out.options.max_jpeg_scans = limits_.max_jpeg_scans;
  out.options.decode_budget = limits_.decode_budget;
  const auto& model = detector.info();
  out.options.min_side =
      full_resolution ? std::max(info->width, info->height)
                      : vision::MinSideForInput(*info, model.input_width, model.input_height);
  if (client_gone && client_gone()) {
    return Status::Unavailable("the client went away before decoding; nothing was stored");
  }
  const auto decode_start = std::chrono::steady_clock::now();
  auto image = vision::DecodeImage(bytes, out.options);
  out.decode_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - decode_start)
          .count();
  if (!image.ok()) return image.status();
  out.image = std::move(image).value();
  return out;
}

}  // namespace vs::ingest
