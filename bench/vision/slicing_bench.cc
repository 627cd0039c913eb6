// Cost of sliced inference against one full-frame pass, on a real photo resized to 4000x3000
// (decoded at full resolution, as a sliced model needs). Read the medians.
//   BM_Sliced/mode:0  one pass on the whole photo (slicing off)
//   BM_Sliced/mode:1  auto: tiles of the input's size (416) with 20% overlap, plus the full frame
//   BM_Sliced/mode:2  grid 2x2 with 20% overlap, plus the full frame
// Counters: tiles, detections.
#include <benchmark/benchmark.h>

#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/detector.h"
#include "vision/slicing.h"

namespace {

using namespace vs::vision;

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
  const auto& info = Model().info();
  const auto tiles = PlanTiles(4000, 3000, info.input_width, info.input_height, o);
  size_t detections = 0;
  for (auto _ : state) {
    auto out = DetectSliced(Model(), Photo(), o);
    if (!out.ok()) state.SkipWithError(out.status().message().c_str());
    detections = out.ok() ? out->detections.size() : 0;
  }
  state.counters["tiles"] = double(tiles.size());
  state.counters["detections"] = double(detections);
}
BENCHMARK(BM_Sliced)->ArgName("mode")->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
