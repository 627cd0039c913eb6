// RollupDelta: a batch's rollup rows merged by key equal the sum of each scan's own rows.
#include "store/rollup_delta.h"

#include <gtest/gtest.h>

#include "store/rollup.h"

namespace vs::store {
namespace {

constexpr int64_t kT0 = 1795824000000;  // a UTC midnight

ScanRecord ScanAt(int64_t ms, const std::string& shelf,
                  std::vector<std::pair<std::string, double>> dets) {
  ScanRecord s;
  s.store = "s1";
  s.shelf_location = shelf;
  s.captured_at = FromUnixMillis(ms);
  for (const auto& [cls, conf] : dets) {
    DetectionRecord d;
    d.class_name = cls;
    d.sku = "SKU-" + cls;
    d.confidence = conf;
    s.detections.push_back(d);
  }
  return s;
}

const std::map<std::string, int64_t> kSkus = {{"SKU-cup", 0}, {"SKU-jar", 1}};
const std::map<std::string, int64_t> kClasses = {{"cup", 0}, {"jar", 1}};

TEST(RollupDelta, MergesTheRowsScansShareAndKeepsTheOthersApart) {
  RollupDelta one_by_one_a, one_by_one_b, both;
  const ScanRecord a = ScanAt(kT0 + 5'000, "A1", {{"cup", 0.91}, {"jar", 0.42}});
  const ScanRecord b = ScanAt(kT0 + 3 * kHourMs, "A1", {{"cup", 0.93}});
  one_by_one_a.Add(a, kSkus, kClasses);
  one_by_one_b.Add(b, kSkus, kClasses);
  both.Add(a, kSkus, kClasses);
  both.Add(b, kSkus, kClasses);

  // Level all, mode 0: one row for both scans.
  const RollupKey all{kLevelAll, 0, "", "", 0, "s1", "A1", -1};
  const RollupFigures& f = both.rollup().at(all);
  EXPECT_EQ(f.n, 3);
  EXPECT_EQ(f.scans, 2);
  EXPECT_DOUBLE_EQ(f.sum_conf, 0.91 + 0.42 + 0.93);
  EXPECT_EQ(f.max_ts, kT0 + 3 * kHourMs);
  EXPECT_EQ(f.skus.Count(), 2);
  // Hours differ: the scans keep rows of their own at the hour and minute levels.
  EXPECT_EQ(both.rollup().count({kLevelHour, 0, "", "", kT0, "s1", "A1", -1}), 1u);
  EXPECT_EQ(both.rollup().count({kLevelHour, 0, "", "", kT0 + 3 * kHourMs, "s1", "A1", -1}), 1u);
  // Every key of the single-scan deltas is in the merged one, and nothing else.
  for (auto table : {&RollupDelta::rollup, &RollupDelta::conf, &RollupDelta::fine}) {
    std::map<RollupKey, int64_t> expected;
    for (const auto* d : {&one_by_one_a, &one_by_one_b}) {
      for (const auto& [k, v] : (d->*table)()) expected[k] += v.n;
    }
    std::map<RollupKey, int64_t> got;
    for (const auto& [k, v] : (both.*table)()) got[k] = v.n;
    EXPECT_EQ(got, expected);
  }
  // Confidence rows: the 0.9 bucket holds both cups, and counts both scans there.
  const RollupFigures& top = both.conf().at({kLevelAll, 2, "", "cup", 0, "s1", "A1", 18});
  EXPECT_EQ(top.n, 2);
  EXPECT_EQ(top.scans, 2);
}

TEST(RollupDelta, UnfilteredConfidenceRowsAreCumulative) {
  RollupDelta d;
  d.Add(ScanAt(kT0, "A1", {{"cup", 0.91}, {"jar", 0.42}, {"jar", 0.44}}), kSkus, kClasses);
  for (const auto& [k, f] : d.conf()) EXPECT_NE(k.mode, 0);  // no per-bucket rows of mode 0
  // conf 0..8 hold all three detections, 9..18 the cup alone, nothing above 18.
  for (int conf = 0; conf < kConfBuckets; ++conf) {
    const RollupKey key{kLevelDay, kModeAtLeast, "", "", kT0, "s1", "A1", conf};
    if (conf > 18) {
      EXPECT_EQ(d.conf().count(key), 0u) << conf;
      continue;
    }
    const RollupFigures& f = d.conf().at(key);
    EXPECT_EQ(f.n, conf <= 8 ? 3 : 1) << conf;
    EXPECT_DOUBLE_EQ(f.sum_conf, conf <= 8 ? 0.91 + 0.42 + 0.44 : 0.91) << conf;
    EXPECT_EQ(f.classes.Count(), conf <= 8 ? 2 : 1) << conf;
    EXPECT_EQ(f.skus.Count(), conf <= 8 ? 2 : 1) << conf;
    EXPECT_EQ(f.scans, 1) << conf;
    EXPECT_EQ(f.max_ts, kT0) << conf;
  }
  // Other modes stay per bucket: the jars' 0.40 bucket, the cup's 0.90 one.
  EXPECT_EQ(d.conf().at({kLevelDay, 2, "", "jar", kT0, "s1", "A1", 8}).n, 2);
  EXPECT_EQ(d.conf().count({kLevelDay, 2, "", "jar", kT0, "s1", "A1", 7}), 0u);
}

TEST(RollupDelta, AScanWithoutDetectionsNamesItsShelfOnly) {
  RollupDelta d;
  d.Add(ScanAt(kT0, "B2", {}), {}, {});
  EXPECT_EQ(d.rollup().size(), 4u);  // mode 0 at each level
  for (const auto& [k, f] : d.rollup()) {
    EXPECT_EQ(k.mode, 0);
    EXPECT_EQ(f.n, 0);
    EXPECT_FALSE(f.max_ts.has_value());
  }
  EXPECT_TRUE(d.conf().empty());
  EXPECT_TRUE(d.fine().empty());
}

TEST(RollupDelta, FineRowsAtTheCoarseLevelsOnly) {
  RollupDelta d;
  d.Add(ScanAt(kT0 + 5'000, "A1", {{"cup", 0.537}, {"jar", 0.5372}, {"jar", 0.42}}), kSkus,
        kClasses);
  for (const auto& [k, f] : d.fine()) {
    EXPECT_TRUE(HasFineRows(k.level)) << k.level;
    EXPECT_LE(k.mode, FinestFineAt(k.level)) << k.level;  // 0.0001 buckets at the all level only
    EXPECT_EQ(k.sku, "");
    EXPECT_EQ(k.class_name, "");
  }
  // The 0.001 bucket 537 holds both detections at 0.537..0.538; the scan's top is there.
  const RollupFigures& b537 = d.fine().at({kLevelHour, kFine1000, "", "", kT0, "s1", "A1", 537});
  EXPECT_EQ(b537.n, 2);
  EXPECT_EQ(b537.scans, 1);
  EXPECT_EQ(b537.classes.Count(), 2);
  EXPECT_EQ(d.fine().at({kLevelAll, kFine1000, "", "", 0, "s1", "A1", 420}).scans, 0);
  EXPECT_EQ(d.fine().at({kLevelDay, kFine100, "", "", kT0, "s1", "A1", 53}).n, 2);
  EXPECT_EQ(d.fine().at({kLevelDay, kFine100, "", "", kT0, "s1", "A1", 53}).scans, 1);
  EXPECT_EQ(d.fine().at({kLevelDay, kFine100, "", "", kT0, "s1", "A1", 42}).scans, 0);
  // 0.0001 buckets 5370 and 5372 (one detection each, the top in 5372) and 4200.
  EXPECT_EQ(d.fine().at({kLevelAll, kFine10000, "", "", 0, "s1", "A1", 5370}).scans, 0);
  EXPECT_EQ(d.fine().at({kLevelAll, kFine10000, "", "", 0, "s1", "A1", 5372}).scans, 1);
  EXPECT_EQ(d.fine().at({kLevelAll, kFine10000, "", "", 0, "s1", "A1", 4200}).n, 1);
  EXPECT_EQ(d.fine().size(), 3u * 4u + 3u);  // 3 levels x (2 + 2 buckets), 3 at the all level
}

}  // namespace
}  // namespace vs::store
