// Time-range splitting into exact edges and whole buckets; cursor encoding.
#include "store/rollup.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "store/cursor.h"

namespace vs::store {
namespace {

constexpr int64_t kT0 = 1795824000000;  // a UTC midnight

// Every instant of [lo, hi) is covered by exactly one part, and nothing outside it.
void ExpectExactCover(int64_t lo, int64_t hi, int coarsest) {
  const auto parts = SplitRange(lo, hi, coarsest);
  int64_t at = lo;
  for (const auto& p : parts) {
    EXPECT_EQ(p.lo, at);
    EXPECT_LT(p.lo, p.hi);
    if (p.level == kLevelExact) {
      // An edge is under a minute; a range without a whole minute is under two.
      EXPECT_LT(p.hi - p.lo, parts.size() == 1 ? 2 * kMinuteMs : kMinuteMs);
    } else {
      const int64_t w = p.level == kLevelDay ? kDayMs : p.level == kLevelHour ? kHourMs : kMinuteMs;
      EXPECT_LE(p.level, kLevelMinute);
      EXPECT_GE(p.level, coarsest);
      EXPECT_EQ(FloorTo(p.lo, w), p.lo);
      EXPECT_EQ(FloorTo(p.hi, w), p.hi);
    }
    at = p.hi;
  }
  EXPECT_EQ(at, parts.empty() ? lo : hi);
  if (lo >= hi) {
    EXPECT_TRUE(parts.empty());
  }
}

TEST(RollupTest, SplitsRangesExactly) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const int64_t lo = kT0 + static_cast<int64_t>(rng() % (5 * kDayMs)) - 2 * kDayMs;
    const int64_t len = static_cast<int64_t>(rng() % (3 * kDayMs));
    for (int c : {kLevelAll, kLevelDay, kLevelHour, kLevelMinute}) {
      ExpectExactCover(lo, lo + len, c);
    }
  }
  ExpectExactCover(kT0, kT0 + kDayMs, kLevelAll);
  ExpectExactCover(kT0 + 1, kT0 + 2, kLevelAll);
  ExpectExactCover(-5 * kHourMs - 7, 3 * kDayMs, kLevelAll);  // before 1970 too
}

TEST(RollupTest, UsesBiggestBucketsAvailable) {
  const int64_t min = kMinuteMs;
  auto parts = SplitRange(kT0 - 90 * min - 5, kT0 + kDayMs + 30 * min + 7, kLevelAll);
  std::vector<int> levels;
  for (const auto& p : parts) levels.push_back(p.level);
  EXPECT_EQ(levels, (std::vector<int>{kLevelExact, kLevelMinute, kLevelHour, kLevelDay,
                                      kLevelMinute, kLevelExact}));
  EXPECT_EQ(parts[1].lo, kT0 - 90 * min);
  EXPECT_EQ(parts[2].lo, kT0 - 60 * min);
  EXPECT_EQ(parts[4].hi, kT0 + kDayMs + 30 * min);
  parts = SplitRange(std::nullopt, std::nullopt, kLevelAll);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].level, kLevelAll);
  parts = SplitRange(kT0 + 1, std::nullopt, kLevelHour);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].level, kLevelMinute);
  EXPECT_EQ(parts[2].level, kLevelHour);
  EXPECT_EQ(parts[2].hi, std::numeric_limits<int64_t>::max());
}

TEST(CursorTest, RoundTripsAndRejectsNonCanonicalText) {
  for (CursorKey k : {CursorKey{0, 1}, CursorKey{kT0, 123456789}, CursorKey{-5, 7}}) {
    auto back = DecodeCursor(EncodeCursor(k));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->ms, k.ms);
    EXPECT_EQ(back->id, k.id);
  }
  const std::string good = EncodeCursor({kT0, 42});
  EXPECT_FALSE(DecodeCursor(good + "A").ok());
  EXPECT_FALSE(DecodeCursor(good.substr(1)).ok());
  EXPECT_FALSE(DecodeCursor("MDE6Mg").ok());  // "01:2": leading zero
}

// Confidence buckets: bucket k starts exactly at the double k/20 (what "0.05", "0.5" parse to).
TEST(ConfBuckets, BoundsAreTheGridValues) {
  EXPECT_EQ(ConfLow(1), 0.05);
  EXPECT_EQ(ConfLow(3), 0.15);
  EXPECT_EQ(ConfLow(10), 0.5);
  EXPECT_EQ(ConfLow(19), 0.95);
  for (int k = 0; k < kConfBuckets; ++k) {
    EXPECT_EQ(ConfBucketOf(ConfLow(k)), k);
    if (k > 0) {
      EXPECT_EQ(ConfBucketOf(std::nextafter(ConfLow(k), 0.0)), k - 1);
    }
  }
  EXPECT_EQ(ConfBucketOf(1.0), kConfBuckets - 1);
  EXPECT_EQ(ConfBucketOf(0.0), 0);
  EXPECT_EQ(ConfBucketOf(-1.0), 0);
}

// For every threshold, whole buckets plus the partial range select exactly `c >= t`.
TEST(ConfBuckets, SplitSelectsExactlyTheThreshold) {
  EXPECT_FALSE(SplitConfidence(std::nan("")).has_value());
  const auto grid = SplitConfidence(0.5);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->first_whole, 10);
  EXPECT_FALSE(grid->partial);
  const auto off = SplitConfidence(0.537);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->first_whole, 11);
  EXPECT_TRUE(off->partial);
  EXPECT_EQ(off->partial_hi, 0.55);
  const auto top = SplitConfidence(1.0);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->first_whole, kConfBuckets);
  EXPECT_FALSE(top->partial_hi.has_value());
  std::mt19937_64 rng(5);
  std::vector<double> values = {0, 1, 0.05, 0.15, 0.5, 0.95, 0.3, 0.7};
  for (int k = 0; k <= kConfBuckets; ++k) {
    values.push_back(ConfLow(k));
    values.push_back(std::nextafter(ConfLow(k), 0.0));
    values.push_back(std::nextafter(ConfLow(k), 2.0));
  }
  for (int i = 0; i < 200; ++i) values.push_back(static_cast<double>(rng() % 1001) / 1000.0);
  for (const double t : values) {
    const auto s = SplitConfidence(t);
    ASSERT_TRUE(s);
    for (const double c : values) {
      if (c < 0 || c > 1) continue;
      const bool whole = ConfBucketOf(c) >= s->first_whole;
      const bool part = s->partial && c >= s->partial_lo && (!s->partial_hi || c < *s->partial_hi);
      EXPECT_FALSE(whole && part) << t << " " << c;  // disjoint
      EXPECT_EQ(whole || part, c >= t) << t << " " << c;
    }
  }
}

// The SQL of the migrations computes the same buckets as the code that maintains them.
TEST(ConfBuckets, SqlAgreesWithCode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, ("SELECT " + ConfBucketSql("?1")).c_str(), -1, &st, nullptr),
            SQLITE_OK);
  for (int k = 0; k <= kConfBuckets; ++k) {
    for (const double c : {ConfLow(k), std::nextafter(ConfLow(k), 0.0),
                           std::nextafter(ConfLow(k), 2.0), ConfLow(k) + 0.013}) {
      sqlite3_reset(st);
      sqlite3_bind_double(st, 1, c);
      ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
      EXPECT_EQ(sqlite3_column_int(st, 0), ConfBucketOf(c)) << c;
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// Fine buckets: bucket j of resolution r starts exactly at the double j/r, which the grids share.
TEST(FineBuckets, BoundsAreTheGridValuesAndNest) {
  EXPECT_EQ(FineLow(kFine1000, 537), 0.537);
  EXPECT_EQ(FineLow(kFine100, 53), 0.53);
  EXPECT_EQ(FineLow(kFine10000, 5371), 0.5371);
  for (int j = 0; j <= kFine10000; j += 10) {
    EXPECT_EQ(FineLow(kFine10000, j), FineLow(kFine1000, j / 10));
  }
  for (int j = 0; j <= kFine1000; ++j) {
    if (j % 10 == 0) {
      EXPECT_EQ(FineLow(kFine1000, j), FineLow(kFine100, j / 10));
    }
    if (j % 50 == 0) {
      EXPECT_EQ(FineLow(kFine1000, j), ConfLow(j / 50));
    }
  }
  // Against the definition: the largest j with c >= FineLow(r, j), searched one by one.
  std::mt19937_64 rng(11);
  std::vector<double> values = {0, 1, -0.5, 1.5, std::nan("")};
  for (int j = 0; j <= kFine1000; ++j) {
    values.push_back(FineLow(kFine1000, j));
    values.push_back(std::nextafter(FineLow(kFine1000, j), 0.0));
    values.push_back(std::nextafter(FineLow(kFine1000, j), 2.0));
  }
  for (int j = 0; j <= kFine10000; j += 7) {
    values.push_back(FineLow(kFine10000, j));
    values.push_back(std::nextafter(FineLow(kFine10000, j), 0.0));
    values.push_back(std::nextafter(FineLow(kFine10000, j), 2.0));
  }
  for (int i = 0; i < 3000; ++i)
    values.push_back(std::uniform_real_distribution<double>(0, 1)(rng));
  for (const int r : {kFine100, kFine1000, kFine10000}) {
    for (const double c : values) {
      int want = 0;
      for (int j = 1; j < r; ++j) {
        if (c >= FineLow(r, j)) want = j;
      }
      EXPECT_EQ(FineBucketOf(r, c), want) << r << " " << c;
    }
  }
}

void ExpectRange(const FineRange& got, int r, int lo, int hi) {
  EXPECT_EQ(got.r, r);
  EXPECT_EQ(got.lo, lo);
  EXPECT_EQ(got.hi, hi);
}

// For every threshold off the 0.05 grid, the whole fine buckets plus the rows of [t, whole_lo)
// select exactly the partial bucket [t, partial_hi), each confidence once.
TEST(FineBuckets, SplitCoversThePartialBucketExactly) {
  const auto three = SplitConfidence(0.537);
  ASSERT_TRUE(three && three->partial);
  const FineSplit f = SplitFine(*three);
  ASSERT_EQ(f.whole.size(), 2u);
  ExpectRange(f.whole[0], kFine1000, 537, 540);
  ExpectRange(f.whole[1], kFine100, 54, 55);
  EXPECT_FALSE(f.rest);  // three decimals: no rows to read
  const FineSplit four = SplitFine(*SplitConfidence(0.5371));
  EXPECT_TRUE(four.rest);
  EXPECT_EQ(four.whole_lo, 0.538);
  EXPECT_TRUE(SplitFine(*SplitConfidence(0.9995)).whole.empty());  // under 0.001 below 1
  EXPECT_TRUE(SplitFine(*SplitConfidence(0.5495)).whole.empty());  // under 0.001 below 0.55
  // Down to 0.0001: four decimals need no rows; five read under 0.0001 of them.
  const FineSplit finest = SplitFine(*SplitConfidence(0.5371), kFine10000);
  ASSERT_EQ(finest.whole.size(), 3u);
  ExpectRange(finest.whole[0], kFine10000, 5371, 5380);
  ExpectRange(finest.whole[1], kFine1000, 538, 540);
  ExpectRange(finest.whole[2], kFine100, 54, 55);
  EXPECT_FALSE(finest.rest);
  const FineSplit five = SplitFine(*SplitConfidence(0.53715), kFine10000);
  EXPECT_TRUE(five.rest);
  EXPECT_EQ(five.finest, kFine10000);
  EXPECT_EQ(five.first, 5372);
  EXPECT_EQ(five.whole_lo, 0.5372);
  EXPECT_FALSE(SplitFine(*SplitConfidence(0.5495), kFine10000).whole.empty());
  EXPECT_TRUE(SplitFine(*SplitConfidence(0.54995), kFine10000).whole.empty());
  std::mt19937_64 rng(13);
  std::vector<double> values;
  for (int j = 0; j <= kFine1000; ++j) {
    values.push_back(FineLow(kFine1000, j));
    values.push_back(std::nextafter(FineLow(kFine1000, j), 0.0));
    values.push_back(std::nextafter(FineLow(kFine1000, j), 2.0));
  }
  for (int j = 1; j < kFine10000; j += 13) {
    values.push_back(FineLow(kFine10000, j));
    values.push_back(std::nextafter(FineLow(kFine10000, j), 0.0));
  }
  for (int i = 0; i < 500; ++i) values.push_back(std::uniform_real_distribution<double>(0, 1)(rng));
  std::vector<double> thresholds;
  for (int i = 0; i < 300; ++i) thresholds.push_back(values[rng() % values.size()]);
  for (const auto& [t, finest_r] : [&] {
         std::vector<std::pair<double, int>> cases;
         for (const double t : thresholds) {
           for (const int r : {kFine1000, kFine10000}) cases.emplace_back(t, r);
         }
         return cases;
       }()) {
    const auto s = SplitConfidence(t);
    if (!s || !s->partial) continue;
    const FineSplit fs = SplitFine(*s, finest_r);
    for (const double c : values) {
      if (c < 0 || c > 1) continue;
      const bool in_partial = c >= s->partial_lo && (!s->partial_hi || c < *s->partial_hi);
      int hits = 0;
      for (const FineRange& range : fs.whole) {
        const int j = FineBucketOf(range.r, c);
        hits += j >= range.lo && j < range.hi ? 1 : 0;
      }
      if (fs.whole.empty()) {
        hits += in_partial ? 1 : 0;  // the partial bucket's rows are read whole
      } else if (fs.rest && c >= s->partial_lo && c < fs.whole_lo) {
        ++hits;
      }
      EXPECT_EQ(hits, in_partial ? 1 : 0) << t << " " << c << " " << finest_r;
    }
  }
}

// Which reads answer a partial bucket: fine rows in the parts that have them, rows by time in the
// others, rows by confidence below the first whole 0.001 bucket, and rows alone with a sku/class.
TEST(FineBuckets, PlanReadsFineRowsWhereTheTimePartHasThem) {
  const ConfSplit three = *SplitConfidence(0.537);
  const auto all = PlanPartial(three, {{kLevelAll, 0, 0}}, 0).reads;
  ASSERT_EQ(all.size(), 2u);
  for (const PartialRead& r : all) EXPECT_EQ(r.kind, PartialRead::kFineRows);
  const auto with_sku = PlanPartial(three, {{kLevelAll, 0, 0}}, 1).reads;
  ASSERT_EQ(with_sku.size(), 1u);
  EXPECT_EQ(with_sku[0].kind, PartialRead::kRows);
  EXPECT_EQ(with_sku[0].conf.partial_lo, 0.537);
  EXPECT_EQ(with_sku[0].conf.partial_hi, 0.55);
  // Without a time range, four decimals read 0.0001 rows and no detections; five, the rows of
  // [0.53715, 0.5372) by confidence, checked against the 0.0001 bucket below 0.5372.
  const auto four_all = PlanPartial(*SplitConfidence(0.5371), {{kLevelAll, 0, 0}}, 0).reads;
  ASSERT_EQ(four_all.size(), 3u);
  for (const PartialRead& r : four_all) EXPECT_EQ(r.kind, PartialRead::kFineRows);
  EXPECT_EQ(four_all[0].range.r, kFine10000);
  const auto five_all = PlanPartial(*SplitConfidence(0.53715), {{kLevelAll, 0, 0}}, 0);
  ASSERT_EQ(five_all.reads.back().kind, PartialRead::kRows);
  EXPECT_EQ(five_all.reads.back().conf.partial_hi, 0.5372);
  ASSERT_EQ(five_all.tops.size(), 1u);
  EXPECT_EQ(five_all.tops[0][0].r, kFine10000);
  EXPECT_EQ(five_all.tops[0][0].lo, 5371);
  const auto parts =
      SplitRange(kT0 - 90 * kMinuteMs - 5, kT0 + kDayMs + 30 * kMinuteMs + 7, kLevelAll);
  const auto four = PlanPartial(*SplitConfidence(0.5371), parts, 0).reads;
  int fine = 0, by_time = 0, rows = 0;
  for (const PartialRead& r : four) {
    switch (r.kind) {
      case PartialRead::kFineRows:
        EXPECT_TRUE(HasFineRows(r.part.level));
        ++fine;
        break;
      case PartialRead::kRowsByTime:
        EXPECT_FALSE(HasFineRows(r.part.level));
        EXPECT_EQ(r.conf.partial_lo, 0.538);
        EXPECT_EQ(r.conf.partial_hi, 0.55);
        ++by_time;
        break;
      case PartialRead::kRows:
        EXPECT_EQ(r.conf.partial_lo, 0.5371);
        EXPECT_EQ(r.conf.partial_hi, 0.538);
        ++rows;
        break;
    }
  }
  // An hour and a day in the middle (two fine ranges each); minutes and an edge on each side,
  // read together.
  EXPECT_EQ(fine, 2 * 2);
  EXPECT_EQ(by_time, 2);
  EXPECT_EQ(rows, 1);
}

// The migration's SQL computes the same fine buckets as the code (SQLite here; the PostgreSQL
// store suite compares its rows with the SQLite mirror's).
TEST(FineBuckets, SqlAgreesWithCode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  for (const int r : {kFine100, kFine1000, kFine10000}) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db, ("SELECT " + FineBucketSql(r, "?1")).c_str(), -1, &st, nullptr),
        SQLITE_OK);
    for (int j = 0; j <= r; ++j) {
      for (const double c :
           {FineLow(r, j), std::nextafter(FineLow(r, j), 0.0), std::nextafter(FineLow(r, j), 2.0),
            FineLow(r, j) + 0.0004, -0.1, 1.2}) {
        sqlite3_reset(st);
        sqlite3_bind_double(st, 1, c);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        EXPECT_EQ(sqlite3_column_int(st, 0), FineBucketOf(r, c)) << r << " " << c;
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

// ThousandthsOf names the key of detections_thousandths of every confidence in [lo, hi): the
// value of kThousandthSql in SQLite (a truncating cast) and PostgreSQL's rounding one (rint).
TEST(FineBuckets, ThousandthsNameEveryKeyOfTheRange) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(
          db, ("SELECT " + std::string(kThousandthSql) + " FROM (SELECT ?1 AS confidence)").c_str(),
          -1, &st, nullptr),
      SQLITE_OK);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> bound(0, 10000);
  for (int i = 0; i < 600; ++i) {
    const double lo = FineLow(kFine10000, bound(rng));
    const std::optional<double> hi =
        i % 5 == 0 ? std::nullopt : std::optional(lo + FineLow(kFine10000, 1 + i % 60));
    const std::vector<int64_t> ks = ThousandthsOf(lo, hi);
    const auto named = [&](int64_t k) { return std::find(ks.begin(), ks.end(), k) != ks.end(); };
    const double top = hi.value_or(std::nextafter(1.0, 2.0));
    std::uniform_real_distribution<double> in(lo, top);
    for (double c : {lo, std::nextafter(lo, 2.0), std::nextafter(top, 0.0), in(rng), in(rng)}) {
      if (c < lo || c >= top) continue;
      sqlite3_reset(st);
      sqlite3_bind_double(st, 1, c);
      ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
      EXPECT_TRUE(named(sqlite3_column_int(st, 0))) << lo << " " << c;
      EXPECT_TRUE(named(static_cast<int>(std::rint(c * 1000)))) << lo << " " << c;
    }
    EXPECT_LE(ks.size(), static_cast<size_t>((top - lo) * 1000) + 4) << lo;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace vs::store
