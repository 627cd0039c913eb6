// Cost of sliced inference against one full-frame pass, on a real photo resized to 4000x3000
// (decoded at full resolution, as a sliced model needs). Read the medians.
//   BM_Sliced/mode:0  one pass on the whole photo (slicing off)
//   BM_Sliced/mode:1  auto: tiles of the input's size (416) with 20% overlap, at most max_tiles
//                     (16: 5x3 larger tiles on this photo), plus the full frame
//   BM_Sliced/mode:2  grid 2x2 with 20% overlap, plus the full frame
//   .../batched:0     the bundled model (batch fixed at 1): one Run per pass
//   .../batched:1     the same weights with a dynamic batch (tools/onnx_dynamic_batch.py):
//                     passes in Runs of up to 8
// Counters: tiles, detections.
#include <benchmark/benchmark.h>

#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "vision/detector.h"
#include "vision/slicing.h"

namespace {

using namespace vs::vision;

std::unique_ptr<Detector> LoadModel(const std::string& path) {
  DetectorConfig c;
  c.model_path = path;
  c.labels_path = std::string(VS_SOURCE_DIR) + "/models/coco.names";
  c.threads = 2;
  auto loaded = Detector::Load(c);
  if (!loaded.ok()) {
    std::cerr << loaded.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(loaded).value();
}

const Detector& BatchModel() {
  static std::unique_ptr<Detector> d = LoadModel(VS_BATCH_MODEL);
  return *d;
}

const Detector& Model() {
  static std::unique_ptr<Detector> d = [] {
    DetectorConfig c;
    c.model_path = VS_BUNDLED_MODEL;
    c.threads = 2;
    auto loaded = Detector::Load(c);
    if (!loaded.ok()) {
      std::cerr << loaded.status().ToString() << "\n";
      std::exit(1);
    }
    return std::move(loaded).value();
  }();
  return *d;
}

const DecodedImage& Photo() {
  static DecodedImage im = [] {
    const cv::Mat src = cv::imread(std::string(VS_DARKNET_DATA) + "/dog.jpg");
    DecodedImage out;
    cv::resize(src, out.bgr, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    out.format = ImageFormat::kJpeg;
    out.width = 4000;
    out.height = 3000;
    return out;
  }();
  return im;
}

void BM_Sliced(benchmark::State& state) {
  SliceOptions o;
  o.mode = state.range(0) == 0 ? SliceMode::kOff
                               : (state.range(0) == 1 ? SliceMode::kAuto : SliceMode::kGrid);
  const Detector& model = state.range(1) ? BatchModel() : Model();
  const auto& info = model.info();
  const auto tiles = PlanTiles(4000, 3000, info.input_width, info.input_height, o);
  size_t detections = 0;
  for (auto _ : state) {
    auto out = DetectSliced(model, Photo(), o);
    if (!out.ok()) state.SkipWithError(out.status().message().c_str());
    detections = out.ok() ? out->detections.size() : 0;
  }
  state.counters["tiles"] = double(tiles.size());
  state.counters["detections"] = double(detections);
}
BENCHMARK(BM_Sliced)
    ->ArgNames({"mode", "batched"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
