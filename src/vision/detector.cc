// Detector backed by ONNX Runtime: one Ort::Session per model shared by all callers (Session::Run
// is thread-safe), one Ort::Env per process.
#include "vision/detector.h"

#include <onnxruntime_cxx_api.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <sstream>

#include "vision/class_names.h"
#include "vision/layout.h"
#include "vision/letterbox.h"
#include "vision/nms.h"

namespace vs::vision {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

Ort::Env& ProcessEnv() {
  static Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "visionstock");
  return env;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("model file not found or unreadable: " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return Status::Unavailable("cannot read model file " + path);
  return std::move(ss).str();
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string Metadata(const Ort::Session& session, const char* key) {
  Ort::AllocatorWithDefaultOptions alloc;
  const Ort::ModelMetadata meta = session.GetModelMetadata();
  auto value = meta.LookupCustomMetadataMapAllocated(key, alloc);
  return value ? std::string(value.get()) : std::string();
}

Result<std::vector<std::string>> LoadClassNames(const Ort::Session& session,
                                                const DetectorConfig& config) {
  const std::string literal = Metadata(session, "names");
  if (!literal.empty()) {
    auto names = ParseNamesLiteral(literal);
    if (!names.ok()) {
      return Status::Unavailable("model metadata 'names' is unreadable: " +
                                 names.status().message());
    }
    return names;
  }
  std::vector<std::string> candidates;
  if (!config.labels_path.empty()) {
    candidates.push_back(config.labels_path);
  } else {
    std::filesystem::path p(config.model_path);
    candidates.push_back(p.replace_extension(".names").string());
    candidates.push_back(p.replace_extension(".txt").string());
  }
  std::string tried;
  for (const std::string& path : candidates) {
    auto names = ReadLabelsFile(path);
    if (names.ok()) return names;
    if (names.status().code() != Code::kNotFound) {
      return Status::Unavailable(names.status().message());
    }
    tried += (tried.empty() ? "" : ", ") + path;
  }
  return Status::Unavailable(
      "no class names: the model has no 'names' metadata and no labels file (" + tried + ")");
}

// "[640, 640]" or "640" -> {h, w}; {0, 0} if unreadable.
std::pair<int, int> ParseImgsz(const std::string& s) {
  std::vector<int> v;
  int cur = -1;
  for (char c : s + ",") {
    if (c >= '0' && c <= '9') {
      cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
      if (cur > 100000) return {0, 0};
    } else if (cur >= 0) {
      v.push_back(cur);
      cur = -1;
    }
  }
  if (v.size() == 1) return {v[0], v[0]};
  if (v.size() == 2) return {v[0], v[1]};
  return {0, 0};
}

class OrtDetector final : public Detector {
 public:
  Result<DetectionOutput> Detect(const DecodedImage& image) const override;
  Result<std::vector<DetectionOutput>> DetectBatch(
      std::span<const DecodedImage> images) const override;
  const ModelInfo& info() const override { return info_; }
  const DetectorConfig& config() const override { return config_; }

  static Result<std::unique_ptr<Detector>> Create(const DetectorConfig& config);

 private:
  // Images one Run() takes: the fixed batch, else 1.
  int64_t RunBatch(int64_t n) const { return info_.batch > 1 ? info_.batch : n; }
  // Runs the session on `n` images laid one after another in `input`; returns the outputs.
  std::vector<Ort::Value> Run(std::vector<float>& input, int64_t n) const;
  // Detects `images` (at most RunBatch images) in one Run().
  Result<std::vector<DetectionOutput>> RunChunk(std::span<const DecodedImage> images) const;
  // Decoding, NMS and the mapping to image pixels of one image's outputs.
  Result<DetectionOutput> Finish(const DecodedImage& image, const Letterbox& lb,
                                 const std::vector<const float*>& data) const;

  DetectorConfig config_;
  ModelInfo info_;
  std::unique_ptr<Ort::Session> session_;
  std::string input_name_;
  std::vector<std::string> output_names_;
  std::vector<const char*> output_name_ptrs_;
  std::vector<size_t> output_sizes_;  // element count of each output, per image
  InputSpec spec_;
  OutputPlan plan_;
};

std::vector<Ort::Value> OrtDetector::Run(std::vector<float>& input, int64_t n) const {
  static const Ort::MemoryInfo kCpu =
      Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  const int64_t shape[4] = {n, 3, spec_.height, spec_.width};
  Ort::Value tensor = Ort::Value::CreateTensor<float>(kCpu, input.data(), input.size(), shape, 4);
  const char* in_name = input_name_.c_str();
  return session_->Run(Ort::RunOptions{nullptr}, &in_name, &tensor, 1, output_name_ptrs_.data(),
                       output_name_ptrs_.size());
}

Result<std::unique_ptr<Detector>> OrtDetector::Create(const DetectorConfig& config) {
  if (config.threads < 0) return Status::InvalidValue("threads must be >= 0");
  if (!(config.confidence_threshold >= 0 && config.confidence_threshold <= 1)) {
    return Status::InvalidValue("confidence threshold must be within [0, 1]");
  }
  if (!(config.iou_threshold >= 0 && config.iou_threshold <= 1)) {
    return Status::InvalidValue("IoU threshold must be within [0, 1]");
  }
  if (config.max_detections < 1) return Status::InvalidValue("max detections must be >= 1");
  if (config.max_batch < 1 || config.max_batch > 64) {
    return Status::InvalidValue("max batch must be within 1..64");
  }

  auto bytes = ReadFile(config.model_path);
  if (!bytes.ok()) return bytes.status();
  auto d = std::make_unique<OrtDetector>();
  d->config_ = config;
  d->info_.path = config.model_path;
  d->info_.name = std::filesystem::path(config.model_path).stem().string();
  d->info_.sha256 = Sha256Hex(*bytes);
  try {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(config.threads);
    options.SetInterOpNumThreads(1);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    // Intra-op threads spin briefly between parallel sections before they sleep: a lone request
    // is about 10% faster than with sleeping threads, at some cost in throughput when requests
    // overlap (both measured in docs/BENCHMARKS.md).
    options.AddConfigEntry("session.intra_op.allow_spinning", "1");
    d->session_ =
        std::make_unique<Ort::Session>(ProcessEnv(), bytes->data(), bytes->size(), options);
    Ort::Session& s = *d->session_;

    if (s.GetInputCount() != 1) {
      return Status::Unavailable("model has " + std::to_string(s.GetInputCount()) +
                                 " inputs; one image input is expected");
    }
    Ort::AllocatorWithDefaultOptions alloc;
    d->input_name_ = s.GetInputNameAllocated(0, alloc).get();
    const Ort::TypeInfo in_type = s.GetInputTypeInfo(0);
    const auto in_info = in_type.GetTensorTypeAndShapeInfo();
    const std::vector<int64_t> in_shape = in_info.GetShape();
    if (in_info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || in_shape.size() != 4 ||
        in_shape[0] > 64 || (in_shape[1] != 3 && in_shape[1] > 0)) {
      return Status::Unavailable("model input must be float [N,3,H,W] with N <= 64; it is " +
                                 ShapesToString({in_shape}));
    }
    // The batch dimension, detected here once: dynamic (<= 0 in ONNX Runtime's shape), 1, or N.
    d->info_.batch = in_shape[0] > 0 ? int(in_shape[0]) : 0;
    int h = int(in_shape[2]), w = int(in_shape[3]);
    if (h <= 0 || w <= 0) std::tie(h, w) = ParseImgsz(Metadata(s, "imgsz"));
    if (h <= 0 || w <= 0) {
      return Status::Unavailable("model input size is dynamic and metadata 'imgsz' is missing");
    }
    for (size_t i = 0; i < s.GetOutputCount(); ++i) {
      d->output_names_.push_back(s.GetOutputNameAllocated(i, alloc).get());
    }
    for (const std::string& n : d->output_names_) d->output_name_ptrs_.push_back(n.c_str());

    auto names = LoadClassNames(s, config);
    if (!names.ok()) return names.status();

    // One run on a blank input gives the real output shapes (dynamic dimensions resolved) and
    // warms the session up. Every output must lead with the batch; the layout is planned on
    // the shapes of one image.
    d->spec_ = YoloInputSpec(w, h);
    const int64_t n = d->RunBatch(1);
    std::vector<float> blank(size_t(n) * 3 * w * h, 0.f);
    std::vector<Shape> shapes;
    for (Ort::Value& v : d->Run(blank, n)) {
      const auto t = v.GetTensorTypeAndShapeInfo();
      if (t.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
        return Status::Unavailable("model outputs must be float tensors");
      }
      Shape shape = t.GetShape();
      if (shape.empty() || shape[0] != n) {
        return Status::Unavailable("model outputs must lead with the batch of " +
                                   std::to_string(n) + "; they are " + ShapesToString({shape}));
      }
      shape[0] = 1;
      shapes.push_back(shape);
      d->output_sizes_.push_back(t.GetElementCount() / size_t(n));
    }
    auto plan = PlanOutputs(shapes, w, h);
    if (!plan.ok()) return plan.status();
    d->plan_ = *plan;
    if (plan->layout == Layout::kNanoDet) d->spec_ = NanoDetInputSpec(w, h);
    if (plan->num_classes > 0 && size_t(plan->num_classes) != names->size()) {
      return Status::Unavailable("model predicts " + std::to_string(plan->num_classes) +
                                 " classes but has " + std::to_string(names->size()) +
                                 " class names");
    }
    d->info_.layout = plan->layout;
    d->info_.input_width = w;
    d->info_.input_height = h;
    d->info_.class_names = std::move(*names);
  } catch (const Ort::Exception& e) {
    return Status::Unavailable("cannot load model " + config.model_path + ": " + e.what());
  }
  return std::unique_ptr<Detector>(std::move(d));
}

Result<DetectionOutput> OrtDetector::Detect(const DecodedImage& image) const {
  auto out = RunChunk(std::span<const DecodedImage>(&image, 1));
  if (!out.ok()) return out.status();
  return std::move(out->front());
}

Result<std::vector<DetectionOutput>> OrtDetector::DetectBatch(
    std::span<const DecodedImage> images) const {
  if (info_.batch == 1 || config_.max_batch == 1) return Detector::DetectBatch(images);
  const size_t chunk = size_t(info_.batch > 1 ? info_.batch : config_.max_batch);
  std::vector<DetectionOutput> all;
  all.reserve(images.size());
  for (size_t i = 0; i < images.size(); i += chunk) {
    auto part = RunChunk(images.subspan(i, std::min(chunk, images.size() - i)));
    if (!part.ok()) return part.status();
    for (DetectionOutput& o : *part) all.push_back(std::move(o));
  }
  return all;
}

Result<std::vector<DetectionOutput>> OrtDetector::RunChunk(
    std::span<const DecodedImage> images) const {
  for (const DecodedImage& image : images) {
    if (image.bgr.empty() || image.bgr.type() != CV_8UC3 || image.width <= 0 || image.height <= 0) {
      return Status::InvalidArgument("detector input must be a non-empty 8-bit BGR image");
    }
  }
  const size_t k = images.size();
  const int64_t n = RunBatch(int64_t(k));  // the fixed batch pads with blank images
  std::vector<DetectionOutput> out(k);
  auto t = Clock::now();
  const size_t per_image = size_t(3) * spec_.width * spec_.height;
  std::vector<float> input(size_t(n) * per_image, 0.f);
  std::vector<Letterbox> lbs;
  for (size_t i = 0; i < k; ++i) {
    lbs.push_back(PreprocessImage(images[i].bgr, spec_, input.data() + i * per_image));
  }
  const double pre_ms = MsSince(t) / double(k);
  try {
    t = Clock::now();
    std::vector<Ort::Value> outputs = Run(input, n);
    const double run_ms = MsSince(t) / double(k);
    for (size_t o = 0; o < outputs.size(); ++o) {
      if (outputs[o].GetTensorTypeAndShapeInfo().GetElementCount() !=
          output_sizes_[o] * size_t(n)) {
        return Status::Internal("model output " + output_names_[o] + " changed size");
      }
    }
    for (size_t i = 0; i < k; ++i) {
      std::vector<const float*> data;
      for (size_t o = 0; o < outputs.size(); ++o) {
        data.push_back(outputs[o].GetTensorData<float>() + i * output_sizes_[o]);
      }
      auto one = Finish(images[i], lbs[i], data);
      if (!one.ok()) return one.status();
      out[i] = std::move(*one);
      out[i].preprocess_ms = pre_ms;
      out[i].inference_ms = run_ms;
    }
  } catch (const Ort::Exception& e) {
    return Status::Internal(std::string("inference failed: ") + e.what());
  }
  return out;
}

Result<DetectionOutput> OrtDetector::Finish(const DecodedImage& image, const Letterbox& lb,
                                            const std::vector<const float*>& data) const {
  const auto t = Clock::now();
  std::vector<Candidate> kept;
  std::vector<Candidate> candidates = DecodeOutputs(plan_, data, config_.confidence_threshold);
  if (plan_.layout == Layout::kEndToEnd) {
    SortAndTruncate(candidates, config_.max_detections);
    kept = std::move(candidates);
  } else {
    kept = NmsPerClass(std::move(candidates), config_.iou_threshold, config_.max_detections);
  }
  // Model-input pixels -> decoded pixels -> full-resolution (oriented) image pixels.
  DetectionOutput out;
  const float sx = float(image.bgr.cols) / float(image.width);
  const float sy = float(image.bgr.rows) / float(image.height);
  const float w = float(image.width), h = float(image.height);
  for (const Candidate& c : kept) {
    if (c.class_id < 0 || size_t(c.class_id) >= info_.class_names.size()) {
      return Status::Internal("model produced class id " + std::to_string(c.class_id) +
                              " outside its " + std::to_string(info_.class_names.size()) +
                              " class names");
    }
    const Box b = lb.ToSource(c.box);
    Detection det;
    det.class_id = c.class_id;
    det.class_name = info_.class_names[size_t(c.class_id)];
    det.confidence = c.score;
    det.box = {std::clamp(b.x1 / sx, 0.f, w), std::clamp(b.y1 / sy, 0.f, h),
               std::clamp(b.x2 / sx, 0.f, w), std::clamp(b.y2 / sy, 0.f, h)};
    out.detections.push_back(std::move(det));
  }
  out.postprocess_ms = MsSince(t);
  return out;
}

}  // namespace

Result<std::unique_ptr<Detector>> Detector::Load(const DetectorConfig& config) {
  return OrtDetector::Create(config);
}

Result<std::vector<DetectionOutput>> Detector::DetectBatch(
    std::span<const DecodedImage> images) const {
  std::vector<DetectionOutput> out;
  out.reserve(images.size());
  for (const DecodedImage& image : images) {
    auto one = Detect(image);
    if (!one.ok()) return one.status();
    out.push_back(std::move(*one));
  }
  return out;
}

}  // namespace vs::vision
