// vs_seed: fills a new SQLite store file with synthetic BENCHMARK data through the Store
// interface (never used by the product). Shape: ~50 detections per scan, scans spread over the
// 30 days before now across 3 stores x 6 shelves; each shelf mostly shows its own 8 of the 80
// COCO classes; 20 classes have catalogue products. Deterministic for a given N.
//
// Usage: vs_seed DB_PATH [--detections N]   (default 1,000,000; DB_PATH must not exist)
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace {

using namespace vs;
using namespace vs::store;

std::vector<std::string> ReadClassNames(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fill an SQLite store with synthetic benchmark detections"};
  std::string db_path;
  int64_t total = 1'000'000;
  app.add_option("db_path", db_path, "database file to create")->required();
  app.add_option("--detections", total, "number of detections")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  if (std::filesystem::exists(db_path)) {
    std::fprintf(stderr, "vs_seed: %s already exists; remove it or choose another path\n",
                 db_path.c_str());
    return 1;
  }
  const auto classes = ReadClassNames(VS_SOURCE_DIR "/models/coco.names");
  if (classes.size() != 80) {
    std::fprintf(stderr, "vs_seed: expected 80 class names in %s\n",
                 VS_SOURCE_DIR "/models/coco.names");
    return 1;
  }
  if (auto dir = std::filesystem::path(db_path).parent_path(); !dir.empty()) {
    std::filesystem::create_directories(dir);
  }
  auto opened = OpenSqlite({db_path});
  if (!opened.ok()) {
    std::fprintf(stderr, "vs_seed: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  Store& store = **opened;

  std::mt19937_64 rng(20261128);
  std::uniform_real_distribution<double> u01(0, 1);
  for (int i = 0; i < 20; ++i) {
    const std::string& cls = classes[(i * 7) % 80];
    std::string sku = "SKU-" + std::to_string(1000 + i);
    auto p = store.UpsertProduct({0, cls, sku, "Benchmark product " + std::to_string(i), "Bench"});
    if (!p.ok()) {
      std::fprintf(stderr, "vs_seed: %s\n", p.status().ToString().c_str());
      return 1;
    }
  }
  const std::vector<std::string> stores = {"store-north", "store-central", "store-south"};
  const std::vector<std::string> shelves = {"A1", "A2", "A3", "B1", "B2", "B3"};
  // Each (store, shelf) shows 8 classes most of the time.
  std::vector<std::vector<int>> shelf_classes(stores.size() * shelves.size());
  for (auto& list : shelf_classes) {
    for (int k = 0; k < 8; ++k) list.push_back(static_cast<int>(rng() % 80));
  }

  const int64_t scans = std::max<int64_t>(1, total / 50);
  const int64_t now = ToUnixMillis(Now());
  const int64_t span = 30LL * 86'400'000;
  std::vector<int64_t> times(scans);
  for (auto& t : times) t = now - span + static_cast<int64_t>(u01(rng) * span);
  std::sort(times.begin(), times.end());  // photos arrive roughly in time order

  const auto t0 = std::chrono::steady_clock::now();
  int64_t written = 0;
  for (int64_t i = 0; i < scans; ++i) {
    const size_t combo = rng() % shelf_classes.size();
    NewScan s;
    s.store = stores[combo / shelves.size()];
    s.shelf_location = shelves[combo % shelves.size()];
    s.captured_at = FromUnixMillis(times[i]);
    s.received_at = FromUnixMillis(times[i] + 200 + static_cast<int64_t>(rng() % 800));
    s.image_path = "bench/" + std::to_string(i) + ".jpg";
    char hex[65];
    std::snprintf(hex, sizeof hex, "%016llx%048d", static_cast<unsigned long long>(rng()), 0);
    s.sha256 = hex;
    s.width = 1280;
    s.height = 960;
    s.inference_ms = 40 + u01(rng) * 30;
    // Spread the remainder so that the total is exactly N.
    const int64_t n = total / scans + (i < total % scans ? 1 : 0);
    for (int64_t k = 0; k < n; ++k) {
      NewDetection d;
      const auto& own = shelf_classes[combo];
      d.class_id = u01(rng) < 0.85 ? own[rng() % own.size()] : static_cast<int>(rng() % 80);
      d.class_name = classes[d.class_id];
      d.confidence = 0.25 + 0.75 * std::pow(u01(rng), 0.7);
      d.width = 0.03 + u01(rng) * 0.1;
      d.height = 0.05 + u01(rng) * 0.2;
      d.x_center = d.width / 2 + u01(rng) * (1 - d.width);
      d.y_center = d.height / 2 + u01(rng) * (1 - d.height);
      s.detections.push_back(std::move(d));
    }
    auto r = store.InsertScan(s);
    if (!r.ok()) {
      std::fprintf(stderr, "vs_seed: scan %lld: %s\n", static_cast<long long>(i),
                   r.status().ToString().c_str());
      return 1;
    }
    written += n;
    if ((i + 1) % 1000 == 0 || i + 1 == scans) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("vs_seed: %lld/%lld scans, %lld detections, %.1f s\n",
                  static_cast<long long>(i + 1), static_cast<long long>(scans),
                  static_cast<long long>(written), secs);
      std::fflush(stdout);
    }
  }
  std::printf("vs_seed: done: %s holds %lld synthetic benchmark detections\n", db_path.c_str(),
              static_cast<long long>(written));
  return 0;
}
