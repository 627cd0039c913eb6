#include "eval/run.h"

#include <algorithm>
#include <fstream>
#include <span>
#include <sstream>
#include <unordered_map>

namespace vs::eval {
namespace {

struct Evaluated {
  ImageResult result;
  double inference_ms = 0;
};

Result<std::string> ReadBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::NotFound(p.string() + ": cannot be read");
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

// Detects on one image. Predictions carry the data set's class id; with `agnostic` also those of
// classes the set lacks (id -1), which the agnostic evaluation counts like any other.
Result<Evaluated> EvaluateImage(const vision::Detector& detector, const LabelledImage& li,
                                const std::vector<int>& class_map, bool agnostic,
                                int64_t max_pixels) {
  auto bytes = ReadBytes(li.path);
  if (!bytes.ok()) return bytes.status();
  const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes->data()),
                                      bytes->size());
  auto info = vision::ProbeImage(span);
  if (!info.ok())
    return Status(info.status().code(), li.path.string() + ": " + info.status().message());
  const auto& model = detector.info();
  auto image = vision::DecodeImage(
      span, {.max_pixels = max_pixels,
             .min_side = vision::MinSideForInput(*info, model.input_width, model.input_height)});
  if (!image.ok())
    return Status(image.status().code(), li.path.string() + ": " + image.status().message());
  auto truths = TruthsInPixels(li, image->width, image->height);
  if (!truths.ok()) return truths.status();
  auto out = detector.Detect(*image);
  if (!out.ok())
    return Status(out.status().code(), li.path.string() + ": " + out.status().message());
  Evaluated r;
  r.inference_ms = out->inference_ms;
  r.result.truths = std::move(*truths);
  for (const auto& d : out->detections) {
    const int cls = class_map[size_t(d.class_id)];
    // A class the data set does not label is not evaluated (as in COCO), unless agnostic.
    if (cls < 0 && !agnostic) continue;
    r.result.predictions.push_back(
        {cls, d.confidence, {d.box.x1, d.box.y1, d.box.x2 - d.box.x1, d.box.y2 - d.box.y1}});
  }
  return r;
}

}  // namespace

Result<std::vector<int>> ClassMap(const std::vector<std::string>& model,
                                  const std::vector<std::string>& data, bool agnostic) {
  std::unordered_map<std::string, int> by_name;
  for (size_t i = 0; i < data.size(); ++i) by_name.emplace(data[i], int(i));
  std::vector<int> map(model.size(), -1);
  bool any = false;
  for (size_t i = 0; i < model.size(); ++i) {
    const auto it = by_name.find(model[i]);
    if (it != by_name.end()) map[i] = it->second, any = true;
  }
  if (!any && !agnostic) {
    return Status::InvalidValue(
        "the model's classes share no name with the data set's (evaluate class-agnostic to count "
        "every class as one)");
  }
  return map;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Result<RunResult> RunEvaluation(const vision::Detector& detector, const Dataset& data,
                                const RunOptions& o) {
  auto class_map = ClassMap(detector.info().class_names, data.class_names, o.agnostic);
  if (!class_map.ok()) return class_map.status();
  RunResult run;
  std::vector<double> inference_ms;
  for (size_t i = 0; i < data.images.size(); ++i) {
    if (o.cancelled && o.cancelled()) return Status::Unavailable("the evaluation was stopped");
    if (o.progress) o.progress(i, data.images[i].path.filename().string());
    auto r = EvaluateImage(detector, data.images[i], *class_map, o.agnostic, o.max_pixels);
    if (!r.ok()) return r.status();
    run.results.push_back(std::move(r->result));
    inference_ms.push_back(r->inference_ms);
  }
  if (o.progress) o.progress(data.images.size(), "");
  auto metrics = Evaluate(run.results, {.num_classes = int(data.class_names.size()),
                                        .conf_threshold = o.conf,
                                        .agnostic = o.agnostic});
  if (!metrics.ok()) return metrics.status();
  run.metrics = std::move(*metrics);
  run.median_inference_ms = Median(std::move(inference_ms));
  return run;
}

}  // namespace vs::eval
