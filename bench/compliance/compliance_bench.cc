// compliance_bench: per-call latency (p50, p99, max; wall and thread CPU) of the compliance
// engine per scan (200 slotted rows x 200 detections; a dense 1,000 x 1,000 shelf), of the
// history and latest-state queries over a year of hourly results for 100 shelves (876,000
// results in a SQLite store, seeded here with plain SQL through the real schema and its
// triggers, not timed), and of RecordCompliance on that store (the cost of keeping the history
// buckets). Run: compliance_bench [--calls N].
// Wall-clock latency includes waiting for a CPU on a busy machine; the thread CPU time per call
// is reported beside it as the contention-independent part.
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "compliance/compliance.h"
#include "store/sqlite/sqlite.h"

namespace vs {
namespace {

using vs::bench::Percentile;
using vs::bench::ThreadCpuMs;

struct Case {
  std::string name;
  int calls;
  std::function<Status(int)> call;  // argument: iteration number (to vary filter values)
};

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

// A store with a year of hourly results for 100 shelves (10 stores x 10 shelves).
class HistoryStore {
 public:
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
  store::Store* store() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

constexpr int64_t kYearStart = 1'700'000'000'000;  // the seed's first hour
constexpr int64_t kHourMs = 3'600'000;

std::string StoreName(int i) { return "store-" + std::to_string(i % 10); }
std::string ShelfName(int i) { return "shelf-" + std::to_string(i % 10); }

Status History(store::Store* s, const store::ComplianceFilter& f, store::Granularity g) {
  auto r = s->ComplianceHistory(f, g);
  if (r.ok() && r->empty()) return Status::Internal("no history buckets");
  return r.status();
}

int Run(int calls) {
  compliance::Planogram plan200, plan1000;
  std::vector<compliance::Detection> dets200, dets1000;
  Shelf(200, &plan200, &dets200);
  Shelf(1000, &plan1000, &dets1000);
  auto analyse = [](const compliance::Planogram& plan,
                    const std::vector<compliance::Detection>& dets) -> Status {
    auto r = compliance::AnalyzeShelf(plan, std::span<const compliance::Planogram>(&plan, 1), dets,
                                      {}, {});
    return r.status();
  };
  const auto t0 = std::chrono::steady_clock::now();
  HistoryStore hs;
  std::printf("seeded 876,000 results in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  store::Store* s = hs.store();
  using store::Granularity;
  auto shelf = [](int i) {
    store::ComplianceFilter f;
    f.store = StoreName(i);
    f.shelf_location = ShelfName(i / 10);
    return f;
  };
  auto of_store = [](int i) {
    store::ComplianceFilter f;
    f.store = StoreName(i);
    return f;
  };
  int64_t next_ms = kYearStart + 8760 * kHourMs;
  const std::vector<Case> cases = {
      {"AnalyzeShelf 200 rows x " + std::to_string(dets200.size()) + " detections", calls,
       [&](int) { return analyse(plan200, dets200); }},
      {"AnalyzeShelf 1000 rows x " + std::to_string(dets1000.size()) + " detections",
       std::max(1, calls / 4), [&](int) { return analyse(plan1000, dets1000); }},
      {"history one shelf, year by day", calls,
       [&](int i) { return History(s, shelf(i), Granularity::kDay); }},
      {"history one shelf, year by hour", calls,
       [&](int i) { return History(s, shelf(i), Granularity::kHour); }},
      {"history one store, year by day", calls,
       [&](int i) { return History(s, of_store(i), Granularity::kDay); }},
      {"history one store, year by hour", calls,
       [&](int i) { return History(s, of_store(i), Granularity::kHour); }},
      {"history one store, 30 days unaligned, by day", calls,
       [&](int i) {
         store::ComplianceFilter f = of_store(i);
         const int64_t lo = kYearStart + (100 + i % 200) * 24 * kHourMs + 1'234'567;
         f.start = FromUnixMillis(lo);
         f.end = FromUnixMillis(lo + 30 * 24 * kHourMs + 7'654'321);
         return History(s, f, Granularity::kDay);
       }},
      {"history all stores, year by day", calls,
       [&](int) { return History(s, {}, Granularity::kDay); }},
      {"history one shelf name in every store, by day", calls,
       [&](int i) {
         store::ComplianceFilter f;
         f.shelf_location = ShelfName(i);
         return History(s, f, Granularity::kDay);
       }},
      {"latest state of one store", calls,
       [&](int i) { return s->LatestCompliance(of_store(i)).status(); }},
      {"RecordCompliance, one result (+ buckets)", calls,
       [&](int i) -> Status {
         const int64_t ms = next_ms;
         next_ms += 60'000;
         store::NewScan scan;
         scan.store = StoreName(i);
         scan.shelf_location = ShelfName(i / 10);
         scan.captured_at = scan.received_at = FromUnixMillis(ms);
         scan.image_path = "bench";
         scan.sha256 = "bench";
         scan.width = scan.height = 1;
         auto stored = s->InsertScan(scan);
         if (!stored.ok()) return stored.status();
         store::ComplianceWrite w;
         w.scan_id = stored->id;
         w.store = scan.store;
         w.shelf_location = scan.shelf_location;
         store::ComplianceResult r;
         r.store = scan.store;
         r.shelf_location = scan.shelf_location;
         r.planogram_name = "p";
         r.planogram_version = 1;
         r.captured_at = r.analysed_at = scan.captured_at;
         r.kpis.planned_units = 20;
         r.kpis.compliant_units = i % 21;
         r.detail = nlohmann::json::object();
         w.results = {r};
         return s->RecordCompliance(w).status();
       }},
  };
  std::printf("%-48s %6s %9s %9s %9s %12s %12s\n", "case", "calls", "p50 ms", "p99 ms", "max ms",
              "cpu p50 ms", "cpu p99 ms");
  for (const Case& c : cases) {
    for (int i = 0; i < 3; ++i) {  // warm caches and the statement cache
      if (Status st = c.call(i); !st.ok()) {
        std::fprintf(stderr, "compliance_bench: %s: %s\n", c.name.c_str(), st.ToString().c_str());
        return 1;
      }
    }
    std::vector<double> ms, cpu;
    for (int i = 0; i < c.calls; ++i) {
      const double c0 = ThreadCpuMs();
      const auto w0 = std::chrono::steady_clock::now();
      Status st = c.call(i);
      const auto w1 = std::chrono::steady_clock::now();
      cpu.push_back(ThreadCpuMs() - c0);
      if (!st.ok()) {
        std::fprintf(stderr, "compliance_bench: %s: %s\n", c.name.c_str(), st.ToString().c_str());
        return 1;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(w1 - w0).count());
    }
    std::printf("%-48s %6d %9.3f %9.3f %9.3f %12.3f %12.3f\n", c.name.c_str(), c.calls,
                Percentile(ms, 0.5), Percentile(ms, 0.99), *std::max_element(ms.begin(), ms.end()),
                Percentile(cpu, 0.5), Percentile(cpu, 0.99));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace vs

int main(int argc, char** argv) {
  int calls = 200;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--calls") == 0 && i + 1 < argc) calls = std::atoi(argv[++i]);
  }
  return vs::Run(std::max(1, calls));
}
