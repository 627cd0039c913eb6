// Model lifecycle costs, in process with the real parts (the bundled model, an SQLite store in a
// temporary folder, real photos):
//   1. evaluation throughput: eval::RunEvaluation (the code behind `visionstock evaluate` and
//      POST /api/models/{id}/evaluate) on tests/data/eval, as images per second, 3 runs;
//   2. the pause a model switch causes to requests in flight: two loops each do what
//      POST /api/detect does with the model (ModelRegistry::Resolve, then Detect on a real
//      photo) for a fixed time, first without switches, then while a third thread activates the
//      other of two registered versions every 100 ms. Latency p50 / p99 / max of both phases.
// Usage: models_bench [--seconds N] (per switch phase; default 15). Prints one line per figure.
// The loops run the model at 1 intra-op thread each (two loops on two cores).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "eval/dataset.h"
#include "eval/run.h"
#include "models/registry.h"
#include "store/open.h"

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace vs;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "models_bench: %s\n", what.c_str());
  std::exit(1);
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(q * double(v.size())))];
}

void EvaluationThroughput() {
  auto data = eval::ReadDataset(fs::path(VS_SOURCE_DIR) / "tests/data/eval");
  if (!data.ok()) Die(data.status().ToString());
  vision::DetectorConfig c;
  c.model_path = VS_BUNDLED_MODEL;
  c.threads = 2;
  c.confidence_threshold = eval::kEvalConfidence;
  auto d = vision::Detector::Load(c);
  if (!d.ok()) Die(d.status().ToString());
  std::vector<double> rates;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = Clock::now();
    auto r = eval::RunEvaluation(**d, *data, {});
    if (!r.ok()) Die(r.status().ToString());
    rates.push_back(double(data->images.size()) / (Ms(Clock::now() - t0) / 1000));
  }
  std::printf(
      "evaluation: %zu images of tests/data/eval, 2 threads: %.1f images/s (median of 3;"
      " runs %.1f %.1f %.1f)\n",
      data->images.size(), Quantile(rates, 0.5), rates[0], rates[1], rates[2]);
}

struct Phase {
  std::vector<double> latencies;
  int switches = 0;
  int failures = 0;
};

Phase RunPhase(models::ModelRegistry& registry, const vision::DecodedImage& photo,
               const std::vector<store::Id>& ids, bool with_switches, double seconds) {
  Phase p;
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> per(2);
  std::atomic<int> failures{0};
  std::vector<std::thread> loops;
  for (int t = 0; t < 2; ++t) {
    loops.emplace_back([&, t] {
      while (!stop) {
        const auto t0 = Clock::now();
        auto m = registry.Resolve(std::nullopt, std::nullopt);
        auto out = m.ok() ? (*m)->detector->Detect(photo) : m.status();
        if (!out.ok()) ++failures;
        per[size_t(t)].push_back(Ms(Clock::now() - t0));
      }
    });
  }
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  size_t next = 0;
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!with_switches) continue;
    next = 1 - next;
    if (!registry.Activate(ids[next]).ok()) ++failures;
    ++p.switches;
  }
  stop = true;
  for (auto& l : loops) l.join();
  for (auto& v : per) p.latencies.insert(p.latencies.end(), v.begin(), v.end());
  p.failures = failures;
  return p;
}

void SwitchPause(double seconds) {
  const fs::path dir = fs::temp_directory_path() / ("vs-models-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    auto store = store::Open({.data_dir = dir.string()});
    if (!store.ok()) Die(store.status().ToString());
    models::ModelRegistry registry(**store, {.data_dir = dir, .threads = 1});
    std::vector<store::Id> ids;
    for (const char* name : {"a", "b"}) {
      models::Registration r;
      r.version_name = name;
      auto v = registry.RegisterFile(VS_BUNDLED_MODEL, r);
      if (!v.ok()) Die(v.status().ToString());
      ids.push_back(v->id);
    }
    if (!registry.Activate(ids[0]).ok() || !registry.Acquire(ids[1]).ok()) Die("cannot load");
    vision::DecodedImage photo;
    photo.bgr = cv::imread(std::string(VS_DARKNET_DATA) + "/dog.jpg");
    if (photo.bgr.empty()) Die("no photo");
    photo.format = vision::ImageFormat::kJpeg;
    photo.width = photo.bgr.cols;
    photo.height = photo.bgr.rows;
    for (bool with : {false, true}) {
      const Phase p = RunPhase(registry, photo, ids, with, seconds);
      std::printf(
          "switch pause: %s: %zu requests, %d switches, %d failed: p50 %.1f ms, p99 %.1f"
          " ms, max %.1f ms\n",
          with ? "switching every 100 ms" : "no switches      ", p.latencies.size(), p.switches,
          p.failures, Quantile(p.latencies, 0.5), Quantile(p.latencies, 0.99),
          Quantile(p.latencies, 1.0));
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 15;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      Die("usage: models_bench [--seconds N]");
    }
  }
  if (!(seconds > 0)) Die("--seconds must be > 0");
  vs::log::SetLevel(vs::log::Level::kWarn);  // not a line per switch
  EvaluationThroughput();
  SwitchPause(seconds);
  return 0;
}
