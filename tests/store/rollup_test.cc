// Time-range splitting into exact edges and whole buckets; cursor encoding.
#include "store/rollup.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

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

}  // namespace
}  // namespace vs::store
