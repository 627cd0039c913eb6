// Backend-neutral arithmetic of the detection rollups: bucket levels and how a time range
// [lo, hi) splits into edges answered exactly from detection rows and whole buckets answered
// from pre-aggregated rows. Splitting is exact: the parts are disjoint and cover the range.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace vs::store {

inline constexpr int kLevelAll = 0;     // one bucket (0) for all time
inline constexpr int kLevelDay = 1;     // UTC days
inline constexpr int kLevelHour = 2;    // UTC hours
inline constexpr int kLevelMinute = 3;  // UTC minutes
inline constexpr int kLevelExact = -1;  // not a rollup: the detection rows themselves
inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 86'400'000;

// Largest multiple of `width` <= ms (also for negative ms).
int64_t FloorTo(int64_t ms, int64_t width);
// Bucket start of `ms` at a day, hour or minute level; 0 at kLevelAll.
int64_t BucketOf(int level, int64_t ms);

// A piece of a time range. For kLevelExact: timestamps in [lo, hi). For a rollup level: the
// buckets whose start is in [lo, hi), each wholly inside the range. kLevelAll ignores lo/hi.
struct RangePart {
  int level;
  int64_t lo, hi;
};

// Splits [lo, hi) (nullopt: unbounded on that side) into day, hour and minute buckets and exact
// edges (each under a minute; under two minutes when the range holds no whole minute), using the
// biggest buckets that fit and no level coarser than `coarsest` (kLevelAll, kLevelDay,
// kLevelHour or kLevelMinute). An empty range gives no parts.
std::vector<RangePart> SplitRange(std::optional<int64_t> lo, std::optional<int64_t> hi,
                                  int coarsest);

}  // namespace vs::store
