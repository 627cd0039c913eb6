// Vision benchmarks. Each reports mean/median/stddev over 5 repetitions; read the medians.
//   BM_ModelRun/threads:N       ONNX Runtime Run() alone on a prepared 416x416 tensor
//   BM_DecodePreprocess/photo:P/min_side:M  ProbeImage + DecodeImage + letterbox to 416, with
//       M = 0: every pixel decoded; M = 1: min_side 416; M = 2: min_side = MinSideForInput
//       (the smallest JPEG scale that still covers the letterbox; what the detection path uses)
//   BM_Detect/photo:P/threads:N  ProbeImage + DecodeImage (M = 2) + Detector::Detect
#include <benchmark/benchmark.h>
#include <onnxruntime_cxx_api.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "vision/detector.h"
#include "vision/image.h"
#include "vision/letterbox.h"

namespace {

using Bytes = std::vector<uint8_t>;
namespace fs = std::filesystem;

constexpr int kInput = 416;

struct Photo {
  const char* name;
  int width, height;
  Bytes jpeg;
};

// Real photo resized to the benchmark sizes, JPEG quality 90, also written to bench-data/.
std::vector<Photo>& Photos() {
  static std::vector<Photo> photos = [] {
    std::vector<Photo> p = {{"1080p", 1920, 1080, {}}, {"12mp", 4000, 3000, {}}};
    const cv::Mat src = cv::imread(std::string(VS_DARKNET_DATA) + "/dog.jpg");
    if (src.empty()) {
      std::cerr << "cannot read " << VS_DARKNET_DATA << "/dog.jpg\n";
      std::exit(1);
    }
    const fs::path dir = fs::path(VS_BINARY_DIR) / "bench-data";
    fs::create_directories(dir);
    for (Photo& photo : p) {
      cv::Mat resized;
      cv::resize(src, resized, cv::Size(photo.width, photo.height), 0, 0, cv::INTER_CUBIC);
      cv::imencode(".jpg", resized, photo.jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
      std::ofstream(dir / ("photo-" + std::string(photo.name) + ".jpg"), std::ios::binary)
          .write(reinterpret_cast<const char*>(photo.jpeg.data()),
                 std::streamsize(photo.jpeg.size()));
    }
    return p;
  }();
  return photos;
}

vs::vision::DetectorConfig Config(int threads) {
  vs::vision::DetectorConfig c;
  c.model_path = VS_BUNDLED_MODEL;
  c.threads = threads;
  return c;
}

void BM_ModelRun(benchmark::State& state) {
  const int threads = int(state.range(0));
  Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "vision_bench");
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(threads);
  options.SetInterOpNumThreads(1);
  options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  options.AddConfigEntry("session.intra_op.allow_spinning", "1");  // as the detector does
  Ort::Session session(env, VS_BUNDLED_MODEL, options);

  auto img =
      vs::vision::DecodeImage(Photos()[0].jpeg, {.max_pixels = 50'000'000, .min_side = kInput});
  if (!img.ok()) {
    state.SkipWithError(img.status().ToString().c_str());
    return;
  }
  std::vector<float> input(3 * kInput * kInput);
  vs::vision::PreprocessImage(img->bgr, vs::vision::NanoDetInputSpec(kInput, kInput), input.data());
  const int64_t shape[4] = {1, 3, kInput, kInput};
  const auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  Ort::Value tensor = Ort::Value::CreateTensor<float>(mem, input.data(), input.size(), shape, 4);
  Ort::AllocatorWithDefaultOptions alloc;
  const std::string in_name = session.GetInputNameAllocated(0, alloc).get();
  std::vector<std::string> names;
  for (size_t i = 0; i < session.GetOutputCount(); ++i) {
    names.push_back(session.GetOutputNameAllocated(i, alloc).get());
  }
  std::vector<const char*> ptrs;
  for (const auto& n : names) ptrs.push_back(n.c_str());
  const char* in_ptr = in_name.c_str();
  for (int i = 0; i < 3; ++i) {  // warm-up
    session.Run(Ort::RunOptions{nullptr}, &in_ptr, &tensor, 1, ptrs.data(), ptrs.size());
  }
  for (auto _ : state) {
    auto out = session.Run(Ort::RunOptions{nullptr}, &in_ptr, &tensor, 1, ptrs.data(), ptrs.size());
    benchmark::DoNotOptimize(out.data());
  }
}

// min_side for DecodeImage under the benchmark's mode (see the top of this file).
int MinSide(const Bytes& jpeg, int mode) {
  if (mode == 0) return 0;
  if (mode == 1) return kInput;
  auto info = vs::vision::ProbeImage(jpeg);
  return info.ok() ? vs::vision::MinSideForInput(*info, kInput, kInput) : 0;
}

void BM_DecodePreprocess(benchmark::State& state) {
  const Photo& photo = Photos()[size_t(state.range(0))];
  const int mode = int(state.range(1));
  state.SetLabel(photo.name);
  std::vector<float> input(3 * kInput * kInput);
  const auto spec = vs::vision::NanoDetInputSpec(kInput, kInput);
  int decoded_w = 0;
  for (auto _ : state) {
    auto img = vs::vision::DecodeImage(
        photo.jpeg, {.max_pixels = 50'000'000, .min_side = MinSide(photo.jpeg, mode)});
    if (!img.ok()) {
      state.SkipWithError(img.status().ToString().c_str());
      return;
    }
    decoded_w = img->bgr.cols;
    vs::vision::PreprocessImage(img->bgr, spec, input.data());
    benchmark::DoNotOptimize(input.data());
  }
  state.counters["decoded_width"] = decoded_w;
}

void BM_Detect(benchmark::State& state) {
  const Photo& photo = Photos()[size_t(state.range(0))];
  state.SetLabel(photo.name);
  auto det = vs::vision::Detector::Load(Config(int(state.range(1))));
  if (!det.ok()) {
    state.SkipWithError(det.status().ToString().c_str());
    return;
  }
  double inference_ms = 0;
  for (auto _ : state) {
    auto img = vs::vision::DecodeImage(
        photo.jpeg, {.max_pixels = 50'000'000, .min_side = MinSide(photo.jpeg, 2)});
    auto out = img.ok() ? (*det)->Detect(*img) : img.status();
    if (!out.ok()) {
      state.SkipWithError(out.status().ToString().c_str());
      return;
    }
    inference_ms += out->inference_ms;
    benchmark::DoNotOptimize(out->detections.data());
  }
  state.counters["inference_ms"] = benchmark::Counter(inference_ms / double(state.iterations()));
}

// 0 = 1080p, 1 = 12 MP.
BENCHMARK(BM_ModelRun)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_DecodePreprocess)
    ->ArgNames({"photo", "min_side"})
    ->ArgsProduct({{0, 1}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Detect)
    ->ArgNames({"photo", "threads"})
    ->Args({0, 1})
    ->Args({0, 2})
    ->Args({1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
