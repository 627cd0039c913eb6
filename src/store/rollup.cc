#include "store/rollup.h"

#include <limits>

namespace vs::store {

int64_t FloorTo(int64_t ms, int64_t width) {
  const int64_t r = ((ms % width) + width) % width;
  return ms - r;
}

int64_t BucketOf(int level, int64_t ms) {
  switch (level) {
    case kLevelDay:
      return FloorTo(ms, kDayMs);
    case kLevelHour:
      return FloorTo(ms, kHourMs);
    default:
      return 0;
  }
}

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t CeilTo(int64_t ms, int64_t width) {
  const int64_t f = FloorTo(ms, width);
  return f == ms ? ms : f + width;
}

}  // namespace

std::vector<RangePart> SplitRange(std::optional<int64_t> lo, std::optional<int64_t> hi,
                                  int coarsest) {
  if (!lo && !hi && coarsest == kLevelAll) return {{kLevelAll, 0, 0}};
  const int64_t l = lo.value_or(kMin);
  const int64_t h = hi.value_or(kMax);
  if (l >= h) return {};
  // Near the int64 limits there are no whole buckets worth using: stay exact.
  const bool lo_ok = !lo || l < kMax - kDayMs;
  const bool hi_ok = !hi || h > kMin + kDayMs;
  if (!lo_ok || !hi_ok) return {{kLevelExact, l, h}};
  const int64_t h1 = lo ? CeilTo(l, kHourMs) : kMin;
  const int64_t h2 = hi ? FloorTo(h, kHourMs) : kMax;
  if (h1 >= h2) return {{kLevelExact, l, h}};
  std::vector<RangePart> parts;
  if (l < h1) parts.push_back({kLevelExact, l, h1});
  const int64_t d1 = lo ? CeilTo(l, kDayMs) : kMin;
  const int64_t d2 = hi ? FloorTo(h, kDayMs) : kMax;
  if (coarsest != kLevelHour && d1 < d2) {
    if (h1 < d1) parts.push_back({kLevelHour, h1, d1});
    parts.push_back({kLevelDay, d1, d2});
    if (d2 < h2) parts.push_back({kLevelHour, d2, h2});
  } else {
    parts.push_back({kLevelHour, h1, h2});
  }
  if (h2 < h) parts.push_back({kLevelExact, h2, h});
  return parts;
}

}  // namespace vs::store
