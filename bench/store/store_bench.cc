// store_bench: per-call latency (p50, p99) of Summarize and ListDetections on a store file seeded
// by vs_seed. Run: store_bench [DB_PATH | postgresql://…] [--calls N] [--only TEXT] (the cases
// whose name holds TEXT); default DB_PATH is <build>/bench-data/store-1m.db. Reads only; filter
// values come from the data itself. Wall-clock latency includes waiting for a CPU on a busy
// machine; the thread CPU time per call is reported beside it as the contention-independent part.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "store/open.h"
#include "store/store.h"

namespace {

using vs::bench::Percentile;
using vs::bench::ThreadCpuMs;

using namespace vs;
using namespace vs::store;

struct Case {
  std::string name;
  std::function<Status(int)> call;  // argument: iteration number (to vary filter values)
};

}  // namespace

int main(int argc, char** argv) {
  std::string path = VS_BINARY_DIR "/bench-data/store-1m.db";
  int calls = 500;
  std::string only;  // run only the cases whose name holds this
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--calls") == 0 && i + 1 < argc) {
      calls = std::max(10, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      path = argv[i];
    }
  }
  const bool postgres = IsPostgresUrl(path);
  if (!postgres && !std::filesystem::exists(path)) {
    std::fprintf(stderr, "store_bench: %s not found; create it with vs_seed %s\n", path.c_str(),
                 path.c_str());
    return 1;
  }
  auto opened = Open({.url = postgres ? path : "sqlite:" + path, .data_dir = ""});
  if (!opened.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  Store& store = **opened;
  const auto total = store.Summarize({});
  const auto shelves = store.DistinctValues("shelf_location");
  const auto skus = store.DistinctValues("sku");
  const auto stores = store.DistinctValues("store");
  if (!total.ok() || !shelves.ok() || !skus.ok() || !stores.ok() || shelves->empty() ||
      skus->empty() || stores->empty() || !total->last_detection_at) {
    std::fprintf(stderr, "store_bench: %s holds no detections\n", path.c_str());
    return 1;
  }
  const Timestamp newest = *total->last_detection_at;
  std::printf("store_bench: %s %s: %lld detections, %lld scans, %zu shelves, %zu skus\n",
              store.backend().c_str(),
              Describe({.url = postgres ? path : "sqlite:" + path, .data_dir = ""}).c_str(),
              static_cast<long long>(total->total_detections),
              static_cast<long long>(total->total_scans), shelves->size(), skus->size());

  const auto shelf = [&](int i) { return (*shelves)[i % shelves->size()]; };
  const auto sku = [&](int i) { return (*skus)[i % skus->size()]; };
  const auto store_of = [&](int i) { return (*stores)[i % stores->size()]; };
  // Time windows end at arbitrary (not hour-aligned) instants before the newest detection.
  const auto window = [&](int i, int days) {
    DetectionFilter f;
    f.end = newest - std::chrono::milliseconds(int64_t{i % 97} * 3'600'000 + 1'234'567);
    f.start = *f.end - std::chrono::milliseconds(int64_t{days} * 86'400'000);
    return f;
  };
  const auto summarize = [&](DetectionFilter f) { return store.Summarize(f).status(); };
  const auto list = [&](DetectionFilter f) { return store.ListDetections(f, {100, {}}).status(); };

  std::vector<Case> cases = {
      {"Summarize no filter", [&](int) { return summarize({}); }},
      {"Summarize shelf_location",
       [&](int i) {
         DetectionFilter f;
         f.shelf_location = shelf(i);
         return summarize(f);
       }},
      {"Summarize store",
       [&](int i) {
         DetectionFilter f;
         f.store = store_of(i);
         return summarize(f);
       }},
      {"Summarize sku",
       [&](int i) {
         DetectionFilter f;
         f.sku = sku(i);
         return summarize(f);
       }},
      {"Summarize last 7 days (unaligned)", [&](int i) { return summarize(window(i, 7)); }},
      {"Summarize last 24 h (unaligned)", [&](int i) { return summarize(window(i, 1)); }},
      {"Summarize shelf + 7 days",
       [&](int i) {
         DetectionFilter f = window(i, 7);
         f.shelf_location = shelf(i);
         return summarize(f);
       }},
      // min_confidence: on the 0.05 grid (whole confidence buckets), off it (plus the rows of
      // one partial bucket), and with the filters the dashboard combines it with.
      {"Summarize min_confidence 0.5",
       [&](int) {
         DetectionFilter f;
         f.min_confidence = 0.5;
         return summarize(f);
       }},
      {"Summarize min_confidence 0.537",
       [&](int) {
         DetectionFilter f;
         f.min_confidence = 0.537;
         return summarize(f);
       }},
      {"Summarize shelf + min_confidence 0.5",
       [&](int i) {
         DetectionFilter f;
         f.shelf_location = shelf(i);
         f.min_confidence = 0.5;
         return summarize(f);
       }},
      {"Summarize 7 days + min_confidence 0.5",
       [&](int i) {
         DetectionFilter f = window(i, 7);
         f.min_confidence = 0.5;
         return summarize(f);
       }},
      {"Summarize store+shelf+7d+min_conf 0.5",
       [&](int i) {
         DetectionFilter f = window(i, 7);
         f.store = store_of(i);
         f.shelf_location = shelf(i);
         f.min_confidence = 0.5;
         return summarize(f);
       }},
      {"Summarize shelf+7 days+min_conf 0.537",
       [&](int i) {
         DetectionFilter f = window(i, 7);
         f.shelf_location = shelf(i);
         f.min_confidence = 0.537;
         return summarize(f);
       }},
      // Off the grid with neither sku nor class: the fine confidence rows; four decimals also
      // read the rows of one 0.001 bucket.
      {"Summarize min_confidence 0.5371",
       [&](int) {
         DetectionFilter f;
         f.min_confidence = 0.5371;
         return summarize(f);
       }},
      {"Summarize store + min_confidence 0.537",
       [&](int i) {
         DetectionFilter f;
         f.store = store_of(i);
         f.min_confidence = 0.537;
         return summarize(f);
       }},
      {"Summarize 7 days + min_confidence 0.537",
       [&](int i) {
         DetectionFilter f = window(i, 7);
         f.min_confidence = 0.537;
         return summarize(f);
       }},
      {"Activity hourly 7 days + min_conf 0.5",
       [&](int i) {
         DetectionFilter f = window(i, 7);
         f.min_confidence = 0.5;
         return store.Activity(f, Granularity::kHour).status();
       }},
      {"ListDetections no filter", [&](int) { return list({}); }},
      {"ListDetections shelf_location",
       [&](int i) {
         DetectionFilter f;
         f.shelf_location = shelf(i);
         return list(f);
       }},
      {"ListDetections sku",
       [&](int i) {
         DetectionFilter f;
         f.sku = sku(i);
         return list(f);
       }},
      {"ListDetections sku + shelf_location",
       [&](int i) {
         DetectionFilter f;
         f.sku = sku(i);
         f.shelf_location = shelf(i / 7);
         return list(f);
       }},
      {"ListDetections min_confidence 0.9",
       [&](int) {
         DetectionFilter f;
         f.min_confidence = 0.9;
         return list(f);
       }},
  };

  std::printf("%-36s %6s %9s %9s %9s %12s %12s\n", "case", "calls", "p50 ms", "p99 ms", "max ms",
              "cpu p50 ms", "cpu p99 ms");
  for (const Case& c : cases) {
    if (c.name.find(only) == std::string::npos) continue;
    for (int i = 0; i < 5; ++i) (void)c.call(i);  // warm caches and statement cache
    const int n = calls;
    std::vector<double> ms, cpu;
    ms.reserve(n);
    cpu.reserve(n);
    for (int i = 0; i < n; ++i) {
      const double c0 = ThreadCpuMs();
      const auto t0 = std::chrono::steady_clock::now();
      Status s = c.call(i);
      const auto t1 = std::chrono::steady_clock::now();
      cpu.push_back(ThreadCpuMs() - c0);
      if (!s.ok()) {
        std::fprintf(stderr, "store_bench: %s: %s\n", c.name.c_str(), s.ToString().c_str());
        return 1;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::printf("%-36s %6d %9.3f %9.3f %9.3f %12.3f %12.3f\n", c.name.c_str(), n,
                Percentile(ms, 0.5), Percentile(ms, 0.99), *std::max_element(ms.begin(), ms.end()),
                Percentile(cpu, 0.5), Percentile(cpu, 0.99));
    std::fflush(stdout);
  }
  return 0;
}
