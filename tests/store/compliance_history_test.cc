// Pre-aggregated compliance history (store/compliance_history.h), on every backend: whatever the
// filter, granularity and range, ComplianceHistory equals sums computed here from the stored
// results (the source of truth) — after results are replaced, after a store's removal cascades
// to its results, and after the migration builds the buckets of results stored before it.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "backends.h"
#include "store/rollup.h"

namespace vs::store {
namespace {

using testing::Scan;

class ComplianceHistoryStore : public testing::BackendTest {};

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z, mid-day and mid-hour

ComplianceResult RandomResult(std::mt19937* rng, const std::string& store, const std::string& shelf,
                              const std::string& planogram, int64_t ms) {
  ComplianceResult r;
  r.store = store;
  r.shelf_location = shelf;
  r.planogram_name = planogram;
  r.planogram_version = 1;
  r.captured_at = FromUnixMillis(ms);
  r.analysed_at = FromUnixMillis(ms + 5);
  r.compliant = (*rng)() % 2;
  ComplianceKpis& k = r.kpis;
  k.planned_units = static_cast<int>((*rng)() % 20);
  k.compliant_units = static_cast<int>((*rng)() % 20);
  k.stocked_skus = static_cast<int>((*rng)() % 7);
  k.present_skus = static_cast<int>((*rng)() % 7);
  k.out_of_stock_skus = static_cast<int>((*rng)() % 4);
  k.gap_count = static_cast<int>((*rng)() % 3);
  k.facings = static_cast<int>((*rng)() % 30);
  k.gap_width = ((*rng)() % 1000) / 1000.0;
  k.row_width = 1 + ((*rng)() % 1000) / 1000.0;
  r.detail = {{"skus", nlohmann::json::array()}};
  return r;
}

// Every stored result, read back through the paged listing.
std::vector<ComplianceResult> AllResults(Store* s) {
  std::vector<ComplianceResult> out;
  PageRequest page{.limit = 1000};
  while (true) {
    auto p = s->ListComplianceResults({}, page);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) return out;
    out.insert(out.end(), p->items.begin(), p->items.end());
    if (!p->next_cursor) return out;
    page.cursor = p->next_cursor;
  }
}

bool Matches(const ComplianceFilter& f, const ComplianceResult& r) {
  const int64_t ms = ToUnixMillis(r.captured_at);
  return (!f.store || *f.store == r.store) &&
         (!f.shelf_location || *f.shelf_location == r.shelf_location) &&
         (!f.planogram_name || *f.planogram_name == r.planogram_name) &&
         (!f.scan_id || *f.scan_id == r.scan_id) && (!f.start || ms >= ToUnixMillis(*f.start)) &&
         (!f.end || ms < ToUnixMillis(*f.end));
}

// The reference: sums over `results` per UTC hour or day.
std::vector<ComplianceBucket> Reference(const std::vector<ComplianceResult>& results,
                                        const ComplianceFilter& f, Granularity g) {
  std::map<int64_t, ComplianceBucket> by;
  for (const ComplianceResult& r : results) {
    if (!Matches(f, r)) continue;
    const int64_t start =
        FloorTo(ToUnixMillis(r.captured_at), g == Granularity::kDay ? kDayMs : kHourMs);
    ComplianceBucket& b = by[start];
    b.start = FromUnixMillis(start);
    b.results += 1;
    b.compliant_results += r.compliant ? 1 : 0;
    b.planned_units += r.kpis.planned_units;
    b.compliant_units += r.kpis.compliant_units;
    b.stocked_skus += r.kpis.stocked_skus;
    b.present_skus += r.kpis.present_skus;
    b.out_of_stock_skus += r.kpis.out_of_stock_skus;
    b.gap_count += r.kpis.gap_count;
    b.facings += r.kpis.facings;
    b.gap_width += r.kpis.gap_width;
    b.row_width += r.kpis.row_width;
  }
  std::vector<ComplianceBucket> out;
  for (auto& [start, b] : by) out.push_back(b);
  return out;
}

std::string Describe(const ComplianceFilter& f, Granularity g) {
  auto opt = [](const auto& v) { return v ? std::string(*v) : std::string("*"); };
  return "store=" + opt(f.store) + " shelf=" + opt(f.shelf_location) +
         " planogram=" + opt(f.planogram_name) +
         " scan=" + (f.scan_id ? std::to_string(*f.scan_id) : "*") +
         " from=" + (f.start ? std::to_string(ToUnixMillis(*f.start)) : "*") +
         " to=" + (f.end ? std::to_string(ToUnixMillis(*f.end)) : "*") +
         (g == Granularity::kDay ? " by day" : " by hour");
}

void ExpectEqualHistory(Store* s, const std::vector<ComplianceResult>& results,
                        const ComplianceFilter& f, Granularity g) {
  SCOPED_TRACE(Describe(f, g));
  auto got = s->ComplianceHistory(f, g);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const auto want = Reference(results, f, g);
  ASSERT_EQ(got->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const ComplianceBucket &a = (*got)[i], &b = want[i];
    EXPECT_EQ(ToUnixMillis(a.start), ToUnixMillis(b.start));
    EXPECT_EQ(a.results, b.results);
    EXPECT_EQ(a.compliant_results, b.compliant_results);
    EXPECT_EQ(a.planned_units, b.planned_units);
    EXPECT_EQ(a.compliant_units, b.compliant_units);
    EXPECT_EQ(a.stocked_skus, b.stocked_skus);
    EXPECT_EQ(a.present_skus, b.present_skus);
    EXPECT_EQ(a.out_of_stock_skus, b.out_of_stock_skus);
    EXPECT_EQ(a.gap_count, b.gap_count);
    EXPECT_EQ(a.facings, b.facings);
    EXPECT_NEAR(a.gap_width, b.gap_width, 1e-9);
    EXPECT_NEAR(a.row_width, b.row_width, 1e-9);
  }
}

const char* const kStores[] = {"a", "b", "c"};
const char* const kShelves[] = {"s1", "s2", "s3"};

// Records `n` random scans (one or two planograms each) over four days around kT0.
std::vector<Id> Seed(Store* s, std::mt19937* rng, int n) {
  std::vector<Id> scans;
  for (int i = 0; i < n; ++i) {
    const std::string store = kStores[(*rng)() % 3];
    const std::string shelf = kShelves[(*rng)() % 3];
    const int64_t ms = kT0 - 2 * kDayMs + static_cast<int64_t>((*rng)() % (4 * kDayMs));
    auto scan = s->InsertScan(Scan(store, shelf, ms, {}));
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    if (!scan.ok()) return scans;
    ComplianceWrite w;
    w.scan_id = scan->id;
    w.store = store;
    w.shelf_location = shelf;
    w.results = {RandomResult(rng, store, shelf, "p", ms)};
    if ((*rng)() % 3 == 0) w.results.push_back(RandomResult(rng, store, shelf, "q", ms));
    auto stored = s->RecordCompliance(w);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    scans.push_back(scan->id);
  }
  return scans;
}

// Every filter (each of store, shelf, planogram, scan present or not) x granularity x ranges:
// none, one side only, aligned to days, aligned to hours, and unaligned.
void ExpectEveryFilterMatches(Store* s, std::mt19937* rng, const std::vector<Id>& scans) {
  const auto results = AllResults(s);
  ASSERT_FALSE(results.empty());
  std::vector<std::pair<std::optional<int64_t>, std::optional<int64_t>>> ranges = {
      {std::nullopt, std::nullopt},
      {kT0, std::nullopt},
      {std::nullopt, kT0},
      {FloorTo(kT0, kDayMs) - kDayMs, FloorTo(kT0, kDayMs) + kDayMs},
      {FloorTo(kT0, kHourMs) - 5 * kHourMs, FloorTo(kT0, kHourMs) + 30 * kHourMs},
      {kT0 + 1234, kT0 + 1234 + 20 * 60'000},  // inside one hour
      {kT0 + 5 * kDayMs, kT0 - 5 * kDayMs},    // empty
  };
  for (int i = 0; i < 4; ++i) {
    const int64_t lo = kT0 - 2 * kDayMs + static_cast<int64_t>((*rng)() % (3 * kDayMs));
    ranges.push_back({lo, lo + static_cast<int64_t>((*rng)() % (2 * kDayMs))});
  }
  for (int mask = 0; mask < 16; ++mask) {
    for (const auto& [lo, hi] : ranges) {
      for (Granularity g : {Granularity::kHour, Granularity::kDay}) {
        ComplianceFilter f;
        if (mask & 1) f.store = kStores[(*rng)() % 3];
        if (mask & 2) f.shelf_location = kShelves[(*rng)() % 3];
        if (mask & 4) f.planogram_name = (*rng)() % 2 ? "p" : "q";
        if (mask & 8) f.scan_id = scans[(*rng)() % scans.size()];
        if (lo) f.start = FromUnixMillis(*lo);
        if (hi) f.end = FromUnixMillis(*hi);
        ExpectEqualHistory(s, results, f, g);
      }
    }
  }
}

TEST_P(ComplianceHistoryStore, BucketsEqualSumsOfTheResultsForEveryFilter) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::mt19937 rng(11);
  auto scans = Seed(s.get(), &rng, 150);
  ExpectEveryFilterMatches(s.get(), &rng, scans);
  // The buckets hold sums, never the results themselves: a year of hourly results of one
  // shelf is 8,760 + 365 rows per scope, whatever the scans per hour.
  EXPECT_GT(QueryInt("SELECT COUNT(*) FROM compliance_history"), 0);
}

TEST_P(ComplianceHistoryStore, ReplacedAndRemovedResultsLeaveTheBuckets) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::mt19937 rng(12);
  auto scans = Seed(s.get(), &rng, 80);
  // Re-analysing a scan replaces its result of that planogram (a different one now).
  for (int i = 0; i < 20; ++i) {
    auto scan = s->GetScan(scans[rng() % scans.size()], false);
    ASSERT_TRUE(scan.ok());
    ComplianceWrite w;
    w.scan_id = scan->id;
    w.store = scan->store;
    w.shelf_location = scan->shelf_location;
    w.results = {RandomResult(&rng, scan->store, scan->shelf_location, "p",
                              ToUnixMillis(scan->captured_at))};
    ASSERT_TRUE(s->RecordCompliance(w).ok());
  }
  // Removing a store removes its results (a cascade) and with them its share of every bucket.
  ASSERT_TRUE(s->DeleteScansOfStore("b").ok());
  std::vector<Id> left;
  for (Id id : scans) {
    if (s->GetScan(id, false).ok()) left.push_back(id);
  }
  ExpectEveryFilterMatches(s.get(), &rng, left);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM compliance_history WHERE store = 'b'"), 0);
  // No bucket row outlives its results.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM compliance_history WHERE results <= 0"), 0);
}

TEST_P(ComplianceHistoryStore, MigrationBuildsTheBucketsOfStoredResults) {
  std::mt19937 rng(13);
  std::vector<Id> scans;
  {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    scans = Seed(s.get(), &rng, 60);
  }
  // Back to the schema before the buckets, results kept: the migration runs again on open.
  const int version = postgres() ? 10 : 13;
  ASSERT_TRUE(ExecSql(
      std::string(postgres() ? "DROP TRIGGER compliance_results_history ON compliance_results;"
                               " DROP FUNCTION vs_compliance_history();"
                             : "DROP TRIGGER compliance_results_history_insert;"
                               " DROP TRIGGER compliance_results_history_delete;"
                               " DROP TRIGGER compliance_results_history_update;") +
      " DROP TABLE compliance_history; DELETE FROM schema_migrations WHERE version = " +
      std::to_string(version) + ";"));
  auto s = OpenStore();
  ASSERT_TRUE(s);
  EXPECT_GT(QueryInt("SELECT COUNT(*) FROM compliance_history"), 0);
  ExpectEveryFilterMatches(s.get(), &rng, scans);
}

VS_STORE_BACKENDS(ComplianceHistoryStore);

}  // namespace
}  // namespace vs::store
