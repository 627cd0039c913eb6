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
    case kLevelMinute:
      return FloorTo(ms, kMinuteMs);
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

int64_t Width(int level) {
  return level == kLevelDay ? kDayMs : level == kLevelHour ? kHourMs : kMinuteMs;
}

// Appends the parts of [lo, hi) using buckets of `level` and finer. An absent bound is unbounded.
void Split(std::optional<int64_t> lo, std::optional<int64_t> hi, int level,
           std::vector<RangePart>* out) {
  if (lo && hi && *lo >= *hi) return;
  if (level > kLevelMinute) {
    out->push_back({kLevelExact, lo.value_or(kMin), hi.value_or(kMax)});
    return;
  }
  const int64_t w = Width(level);
  const int64_t a = lo ? CeilTo(*lo, w) : kMin;
  const int64_t b = hi ? FloorTo(*hi, w) : kMax;
  if (a >= b) {
    Split(lo, hi, level + 1, out);
    return;
  }
  if (lo) Split(lo, a, level + 1, out);
  out->push_back({level, a, b});
  if (hi) Split(b, hi, level + 1, out);
}

}  // namespace

std::vector<RangePart> SplitRange(std::optional<int64_t> lo, std::optional<int64_t> hi,
                                  int coarsest) {
  if (!lo && !hi && coarsest == kLevelAll) return {{kLevelAll, 0, 0}};
  if (lo && hi && *lo >= *hi) return {};
  // Near the int64 limits there are no whole buckets worth using: stay exact.
  if ((lo && *lo > kMax - 2 * kDayMs) || (hi && *hi < kMin + 2 * kDayMs)) {
    return {{kLevelExact, lo.value_or(kMin), hi.value_or(kMax)}};
  }
  std::vector<RangePart> parts;
  Split(lo, hi, coarsest == kLevelAll ? kLevelDay : coarsest, &parts);
  return parts;
}

}  // namespace vs::store
