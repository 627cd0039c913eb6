// An object detector backed by ONNX Runtime. One Detector per loaded model; it is shared by
// every request and safe to call from many threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/image.h"

namespace vs::vision {

// Axis-aligned box in pixels of the original (EXIF-oriented) image.
struct Box {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

struct Detection {
  int class_id = 0;
  std::string class_name;
  float confidence = 0;
  Box box;
};

struct DetectorConfig {
  std::string model_path;
  // Class names: the ONNX metadata "names" if present, else this file (one name per line);
  // empty means "<model path without extension>.names", then ".txt", beside the model.
  std::string labels_path;
  int threads = 0;  // ONNX Runtime intra-op threads; 0 = all cores
  float confidence_threshold = 0.25f;
  float iou_threshold = 0.45f;  // per-class NMS
  int max_detections = 1000;
  // Most images one ONNX Runtime Run() takes when the model's batch dimension is dynamic
  // (bounds the input tensor: 8 x 3 x 416 x 416 floats are 16 MiB); 1 runs them one at a time.
  int max_batch = 8;
};

// Output layouts the detector understands, chosen from the model's output shapes.
enum class Layout {
  kNanoDet,   // 6 outputs: scores [1,N,C] and box distributions [1,N,4*(R+1)] per stride
  kYoloV5,    // [1,N,5+C]: cx,cy,w,h, objectness, class scores
  kYoloV8,    // [1,4+C,N]: cx,cy,w,h, class scores (YOLOv8, YOLO11)
  kEndToEnd,  // [1,K,6]: x1,y1,x2,y2,score,class (YOLOv10, YOLO26; NMS already done)
};
const char* LayoutName(Layout l);  // "nanodet", "yolov5", "yolov8", "end2end"

struct ModelInfo {
  std::string name;  // file name without extension
  std::string path;
  std::string sha256;  // of the model file
  Layout layout;
  int input_width = 0;
  int input_height = 0;
  // The input's batch dimension as the model declares it: 1, a fixed N > 1 (every Run takes N
  // images; a shorter batch is padded with blank images), or 0 when it is dynamic.
  int batch = 1;
  std::vector<std::string> class_names;
};

struct DetectionOutput {
  std::vector<Detection> detections;  // sorted by confidence, highest first
  double preprocess_ms = 0;           // letterbox + normalisation
  double inference_ms = 0;            // time in ONNX Runtime's Run alone
  double postprocess_ms = 0;          // decoding + NMS
};

class Detector {
 public:
  virtual ~Detector() = default;

  // Loads the model and picks the decoder. Unavailable (with the reason) if the file is missing,
  // is not a loadable ONNX model, or has an output layout the detector does not understand.
  static Result<std::unique_ptr<Detector>> Load(const DetectorConfig& config);

  // Runs the model on one image. Thread-safe.
  virtual Result<DetectionOutput> Detect(const DecodedImage& image) const = 0;

  // Runs the model on several images, one output per image, in order. Where the model's input
  // allows it (info().batch != 1) images share Run() calls of up to max_batch (dynamic) or
  // exactly `batch` (fixed) images; otherwise, and by default, this is Detect on each in turn.
  // The detections equal Detect's on each image (within float rounding); each output's
  // inference_ms is its share of the runs it was part of. Thread-safe.
  virtual Result<std::vector<DetectionOutput>> DetectBatch(
      std::span<const DecodedImage> images) const;

  virtual const ModelInfo& info() const = 0;
  virtual const DetectorConfig& config() const = 0;
};

}  // namespace vs::vision
