// Compliance costs: the engine per scan (200 slotted rows x 200 detections; a dense 1,000 x
// 1,000 shelf), and the history query over a year of hourly results for 100 shelves (876,000
// rows in a SQLite store, seeded here with plain SQL), per shelf and per store.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "compliance/compliance.h"
#include "store/sqlite/sqlite.h"

namespace vs {
namespace {

// `n` slotted rows in 10 shelf levels and one detection per slot, slightly off its slot.
void Shelf(int n, compliance::Planogram* plan, std::vector<compliance::Detection>* dets) {
  plan->name = "bench";
  plan->shelf_location = "A1";
  const int per_row = n / 10;
  for (int i = 0; i < n; ++i) {
    const int level = i / per_row, col = i % per_row;
    const double w = 1.0 / per_row, h = 0.1;
    compliance::PlanogramRow r;
    r.sku = "SKU-" + std::to_string(i % 50);
    r.expected_count = 1;
    r.slot = compliance::Rect{col * w, level * h, (col + 1) * w, (level + 1) * h};
    plan->rows.push_back(r);
    if (i % 17 == 0) continue;  // some empty slots
    compliance::Detection d;
    d.sku = "SKU-" + std::to_string((i + (i % 13 == 0)) % 50);
    d.class_name = d.sku;
    d.confidence = 0.9;
    d.x_center = (col + 0.55) * w;
    d.y_center = (level + 0.5) * h;
    d.width = w * 0.9;
    d.height = h * 0.9;
    dets->push_back(d);
  }
}

void BM_AnalyzeShelf(benchmark::State& state) {
  compliance::Planogram plan;
  std::vector<compliance::Detection> dets;
  Shelf(static_cast<int>(state.range(0)), &plan, &dets);
  const std::vector<compliance::Planogram> store = {plan};
  for (auto _ : state) {
    auto r = compliance::AnalyzeShelf(plan, store, dets, {}, {});
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["detections"] = static_cast<double>(dets.size());
}
BENCHMARK(BM_AnalyzeShelf)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);

// A store with a year of hourly results for 100 shelves (10 stores x 10 shelves).
class HistoryStore {
 public:
  static HistoryStore& Get() {
    static HistoryStore s;
    return s;
  }
  store::Store* store() { return store_.get(); }

 private:
  HistoryStore() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vs_bench_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    const std::string path = dir_ + "/history.db";
    { auto s = store::OpenSqlite({path}); }  // creates the schema
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    const char* seed = R"sql(
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 875999)
INSERT INTO scans(id, store, shelf_location, captured_at, received_at, image_path, sha256, width,
                  height, inference_ms, detections_count)
SELECT i + 1, 'store-' || (i % 10), 'shelf-' || ((i / 10) % 10),
       1700000000000 + (i / 100) * 3600000, 1700000000000 + (i / 100) * 3600000, 'x', 'x', 1, 1,
       1.0, 0 FROM n;
INSERT INTO compliance_results(scan_id, store, shelf_location, planogram_name, planogram_version,
    captured_at, analysed_at, compliant, planned_units, compliant_units, stocked_skus,
    present_skus, out_of_stock_skus, gap_count, facings, gap_width, row_width, compliance_score,
    availability, out_of_stock_rate, gap_share, detail)
SELECT id, store, shelf_location, 'p', 1, captured_at, captured_at, 0, 20, id % 21, 10,
       10 - id % 3, id % 3, id % 4, 40, 0.1, 2.0, (id % 21) / 20.0, (10 - id % 3) / 10.0,
       (id % 3) / 10.0, 0.05, '{}' FROM scans;
INSERT INTO compliance_latest
SELECT store, shelf_location, planogram_name, MAX(captured_at), MAX(id) FROM compliance_results
GROUP BY store, shelf_location, planogram_name;
COMMIT;
ANALYZE;
)sql";
    char* err = nullptr;
    if (sqlite3_exec(db, seed, nullptr, nullptr, &err) != SQLITE_OK) {
      std::fprintf(stderr, "seed failed: %s\n", err ? err : "?");
      std::abort();
    }
    sqlite3_close(db);
    auto opened = store::OpenSqlite({path});
    store_ = std::move(opened).value();
  }
  ~HistoryStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

void BM_HistoryOfOneShelf(benchmark::State& state) {
  store::Store* s = HistoryStore::Get().store();
  store::ComplianceFilter f;
  f.store = "store-3";
  f.shelf_location = "shelf-7";
  const auto g = state.range(0) ? store::Granularity::kDay : store::Granularity::kHour;
  for (auto _ : state) {
    auto r = s->ComplianceHistory(f, g);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_HistoryOfOneShelf)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_HistoryOfOneStore(benchmark::State& state) {
  store::Store* s = HistoryStore::Get().store();
  store::ComplianceFilter f;
  f.store = "store-3";
  for (auto _ : state) {
    auto r = s->ComplianceHistory(f, store::Granularity::kDay);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_HistoryOfOneStore)->Unit(benchmark::kMillisecond);

void BM_LatestOfOneStore(benchmark::State& state) {
  store::Store* s = HistoryStore::Get().store();
  store::ComplianceFilter f;
  f.store = "store-3";
  for (auto _ : state) {
    auto r = s->LatestCompliance(f);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_LatestOfOneStore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vs

BENCHMARK_MAIN();
