// Time-range splitting into exact edges and whole buckets; cursor encoding.
#include "store/rollup.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vs::store
