// vs_seed: fills a new store (an SQLite file, or an empty PostgreSQL database) with synthetic
// BENCHMARK data through the Store interface (never used by the product). Scans go in through
// Store::InsertScans, BATCH scans per transaction: the same rows, rollups and events as InsertScan
// writes (the backends share one code path), without a commit per scan (4x faster on SQLite;
// PostgreSQL is bound by the rollup upserts either way, docs/BENCHMARKS.md). Ids follow capture
// time (roughly, with several jobs). Shape: ~50 detections per scan, scans spread over the 30 days
// before now (--days) across 3 stores x 6 shelves; each shelf mostly shows its own 8 of the 80 COCO
// classes; 20 classes have catalogue products. Deterministic for a given N.
//
// Usage: vs_seed --db URL_OR_PATH [--detections N] [--days D] [--batch SCANS] [--jobs J]
//   URL_OR_PATH: postgresql://… (a database without scans), or an SQLite file that must not
//   exist yet (also accepted as the first argument, as before). N defaults to 1,000,000.
// --jobs: concurrent transactions (PostgreSQL only; default 2). Job k takes the scans of the
// (store, shelf) pairs p with p % J == k: rollup rows are kept per store and shelf, so
// concurrent batches never update the same rollup row.
// Progress: one line, rewritten in place on a terminal; a line per 10% otherwise.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "store/open.h"
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
  CLI::App app{"Fill a store with synthetic benchmark detections"};
  std::string db_path;
  int64_t total = 1'000'000;
  int batch = 500;
  int jobs = 0;
  double days = 30;
  app.add_option("db_path", db_path, "SQLite file to create (or use --db)");
  app.add_option("--db", db_path, "postgresql://… URL, or an SQLite file to create");
  app.add_option("--detections", total, "number of detections")->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "scans per transaction")->check(CLI::Range(1, 100000));
  app.add_option("--days", days, "days before now the scans spread over (default 30)")
      ->check(CLI::Range(0.01, 3650.0));
  app.add_option("--jobs", jobs, "concurrent transactions (PostgreSQL)")->check(CLI::Range(1, 16));
  CLI11_PARSE(app, argc, argv);
  if (db_path.empty()) {
    std::fprintf(stderr, "vs_seed: give --db URL_OR_PATH\n");
    return 2;
  }
  const bool postgres = IsPostgresUrl(db_path);
  if (jobs == 0) jobs = postgres ? 2 : 1;
  if (!postgres) jobs = 1;  // SQLite has one writer

  if (!postgres && std::filesystem::exists(db_path)) {
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
  if (auto dir = std::filesystem::path(db_path).parent_path(); !postgres && !dir.empty()) {
    std::filesystem::create_directories(dir);
  }
  auto opened = Open({.url = postgres ? db_path : "sqlite:" + db_path, .data_dir = ""});
  if (!opened.ok()) {
    std::fprintf(stderr, "vs_seed: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  Store& store = **opened;
  if (auto existing = store.Summarize({}); !existing.ok() || existing->total_scans > 0) {
    std::fprintf(stderr, "vs_seed: %s\n",
                 existing.ok() ? "the database already holds scans; use an empty one"
                               : existing.status().ToString().c_str());
    return 1;
  }
  const bool tty = isatty(STDOUT_FILENO) != 0;

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
  const auto span = static_cast<int64_t>(days * 86'400'000);
  std::vector<int64_t> times(scans);
  for (auto& t : times) t = now - span + static_cast<int64_t>(u01(rng) * span);
  std::sort(times.begin(), times.end());  // photos arrive roughly in time order

  const auto t0 = std::chrono::steady_clock::now();
  int64_t written = 0, reported = 0;
  // pending[k]: job k's next batch. A round starts when every job has a full batch (or at the end).
  std::vector<std::vector<NewScan>> pending(static_cast<size_t>(jobs));
  const auto full = [&] {
    for (const auto& p : pending) {
      if (static_cast<int>(p.size()) < batch) return false;
    }
    return true;
  };
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
    pending[combo % pending.size()].push_back(std::move(s));
    written += n;
    if (!full() && i + 1 < scans) continue;
    std::vector<Status> results(pending.size());
    std::vector<std::thread> workers;
    for (size_t k = 0; k < pending.size(); ++k) {
      workers.emplace_back([&, k] { results[k] = store.InsertScans(pending[k]); });
    }
    for (auto& w : workers) w.join();
    for (const Status& st : results) {
      if (!st.ok()) {
        std::fprintf(stderr, "\nvs_seed: before scan %lld: %s\n", static_cast<long long>(i + 1),
                     st.ToString().c_str());
        return 1;
      }
    }
    for (auto& p : pending) p.clear();
    const bool last = i + 1 == scans;
    if (tty || last || (written - reported) * 10 >= total) {
      reported = written;
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double rate = static_cast<double>(written) / std::max(secs, 1e-3);
      std::printf(
          "%svs_seed: %lld/%lld detections (%lld scans), %.0f s, %.0f detections/s, ~%.0f s left%s",
          tty ? "\r" : "", static_cast<long long>(written), static_cast<long long>(total),
          static_cast<long long>(i + 1), secs, rate,
          static_cast<double>(total - written) / std::max(rate, 1.0), tty && !last ? "" : "\n");
      std::fflush(stdout);
    }
  }
  std::printf("vs_seed: done: %s holds %lld synthetic benchmark detections\n", db_path.c_str(),
              static_cast<long long>(written));
  return 0;
}
