#include "ingest/scan_service.h"

#include <algorithm>
#include <chrono>
#include <span>

#include "core/log.h"

namespace vs::ingest {

ScanService::ScanService(store::Store* store, std::string store_reason,
                         const vision::Detector* detector, std::string model_reason,
                         std::optional<store::Id> model_version_id, ImageFiles files,
                         int64_t max_pixels)
    : store_(store),
      store_reason_(std::move(store_reason)),
      detector_(detector),
      model_reason_(std::move(model_reason)),
      model_version_id_(model_version_id),
      files_(std::move(files)),
      max_pixels_(max_pixels) {}

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
  const auto t0 = std::chrono::steady_clock::now();
  if (!detector_) return Status::Unavailable("no detection model loaded: " + model_reason_);
  if (!store_) return Status::Unavailable("store unavailable: " + store_reason_);
  if (input.bytes.empty()) return Status::InvalidArgument("the image is empty (0 bytes)");
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(input.bytes.data()),
                                       input.bytes.size());
  auto info = vision::ProbeImage(bytes);
  if (!info.ok()) return info.status();
  if (static_cast<int64_t>(info->width) * info->height > max_pixels_) {
    return Status::TooLarge("image of " + std::to_string(info->width) + "x" +
                            std::to_string(info->height) + " pixels is over the limit of " +
                            std::to_string(max_pixels_) + " pixels");
  }
  vision::DecodeOptions options;
  options.max_pixels = max_pixels_;
  const auto& model = detector_->info();
  options.min_side = vision::MinSideForInput(*info, model.input_width, model.input_height);
  auto image = vision::DecodeImage(bytes, options);
  if (!image.ok()) return image.status();
  auto detected = detector_->Detect(*image);
  if (!detected.ok()) return detected.status();

  store::NewScan scan;
  scan.store = input.store;
  scan.shelf_location = input.shelf_location;
  scan.received_at = Now();
  scan.captured_at = input.captured_at.value_or(scan.received_at);
  scan.sha256 = Sha256Hex(input.bytes);
  scan.width = image->width;
  scan.height = image->height;
  scan.model_version_id = model_version_id_;
  scan.inference_ms = detected->inference_ms;
  for (const auto& d : detected->detections) {
    scan.detections.push_back(Normalise(d, image->width, image->height));
  }
  auto path =
      files_.Write(input.bytes, scan.received_at, scan.sha256, vision::FileExtension(info->format));
  if (!path.ok()) return path.status();
  scan.image_path = *path;
  auto stored = store_->InsertScan(scan);
  if (!stored.ok()) {
    files_.Remove(*path);
    vs::log::Warn("scan not stored", {{"error", stored.status().ToString()}});
    return stored.status();
  }
  ScanOutput out;
  out.scan = std::move(stored).value();
  out.inference_ms = detected->inference_ms;
  out.total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace vs::ingest
