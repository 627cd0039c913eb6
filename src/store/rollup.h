// Backend-neutral arithmetic of the detection rollups: bucket levels and how a time range
// [lo, hi) splits into edges answered exactly from detection rows and whole buckets answered
// from pre-aggregated rows; and the confidence buckets of the confidence rollups, and how a
// min_confidence threshold splits into whole confidence buckets and at most one partial one.
// Splitting is exact: the parts are disjoint and cover the range.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/id_bits.h"
#include "store/types.h"

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

// Confidence buckets: bucket k (0..19) holds the confidences c with ConfLow(k) <= c <
// ConfLow(k + 1) (bucket 19: up to 1 inclusive; bucket 0 also anything below 0.05). The grid
// steps by 0.05 as the dashboard's confidence slider does, so its thresholds are whole buckets.
inline constexpr int kConfBuckets = 20;

// The lower bound of bucket k as a double: k / 20.0, the same value as parsing "0.05", "0.5"...
double ConfLow(int k);
// The bucket of confidence c: the largest k in [0, 19] with c >= ConfLow(k) (0 when none).
// Defined by comparisons with ConfLow, never by rounding c * 20, so that it agrees exactly with
// `confidence >= threshold` in SQL and with ConfBucketSql.
int ConfBucketOf(double c);
// SQL (portable: SQLite and PostgreSQL) computing ConfBucketOf(`column`), for migrations that
// rebuild the confidence rollups from detection rows.
std::string ConfBucketSql(const std::string& column);

// How `confidence >= t` splits: the whole buckets [first_whole, kConfBuckets), answered from
// rollup rows, plus, when t is off the grid, the detection rows with t <= confidence <
// ConfLow(first_whole) (no upper bound when first_whole == kConfBuckets) of one partial bucket.
struct ConfSplit {
  int first_whole;
  bool partial;
  double partial_lo;                 // t
  std::optional<double> partial_hi;  // ConfLow(first_whole), absent for the top bucket
};
// Nullopt for a NaN threshold (no split describes it: answer from the rows). t <= 0 gives
// {0, no partial}: every detection (confidences are in [0, 1]).
std::optional<ConfSplit> SplitConfidence(double t);

// rollup_conf rows of mode kModeAtLeast (the SQLite schema's version 14) are cumulative: the
// figures of mode 0 (neither sku nor class fixed) over the detections with a confidence at or
// above ConfLow(conf), and as scans those holding such a detection. A threshold with neither sku
// nor class fixed reads one such row per (bucket, store, shelf) instead of one per confidence
// bucket; mode 0 keeps no per-bucket rows in rollup_conf. Modes 1..3 stay per bucket.
inline constexpr int kModeAtLeast = 4;

// The rollup_conf rows a filter of rollup `mode` (0..3) reads for confidence buckets >= k: the
// mode of the rows, and whether they are cumulative (select conf = k, else conf >= k).
struct ConfRead {
  int mode;
  bool cumulative;
};
ConfRead ConfReadFor(int mode);

// One scan's share of the rollup_conf rows of one level (the same at every level: a scan has
// one timestamp, store and shelf), in key order (mode, sku, class_name, conf), as the SQLite
// schema's versions 12 and 14 define them: per-bucket rows of modes 1..3 and the cumulative
// rows of kModeAtLeast for conf 0..the scan's top bucket. `sku_ids` and `class_ids` hold the
// interned id of every sku and class name of `detections`.
struct ConfRow {
  int mode;
  std::string sku, class_name;  // '' where the mode does not fix them
  int conf;
  int64_t n = 0;
  double sum_conf = 0;
  IdBits skus, classes;  // empty where the mode fixes the value
  int64_t scans = 0;     // 1 when this is the scan's top confidence bucket of the group
};
std::vector<ConfRow> ConfRowsOf(const std::vector<DetectionRecord>& detections,
                                const std::map<std::string, int64_t>& sku_ids,
                                const std::map<std::string, int64_t>& class_ids);

// Fine confidence rows (table rollup_fine: the SQLite schema's version 15, PostgreSQL's 12)
// answer the partial 0.05 bucket of a threshold off that grid when neither sku nor class is
// fixed: rows of mode 0 split into 0.01-wide buckets (resolution kFine100: j in 0..99) and
// 0.001-wide ones (kFine1000: 0..999), kept at the all, day and hour levels, and at the all
// level also 0.0001-wide ones (kFine10000: 0..9999; SQLite 17, PostgreSQL 13), so that a
// threshold with four decimals and no time range reads no detections. Bucket j of resolution r
// holds the confidences c with FineLow(r, j) <= c < FineLow(r, j + 1) (the top bucket up to 1
// inclusive, bucket 0 anything below); `scans` counts the scans whose top confidence lies in
// it. The grids nest: FineLow(10000, 10 j) == FineLow(1000, j), FineLow(1000, 10 j) ==
// FineLow(100, j) and FineLow(100, 5 k) == ConfLow(k), as the same rationals correctly rounded.
inline constexpr int kFine100 = 100;
inline constexpr int kFine1000 = 1000;
inline constexpr int kFine10000 = 10000;
// The finest resolution kept at `level`: kFine10000 at kLevelAll, kFine1000 at kLevelDay and
// kLevelHour, 0 (no fine rows) elsewhere. A level keeps every resolution up to its finest.
int FinestFineAt(int level);
inline bool HasFineRows(int level) { return FinestFineAt(level) > 0; }
// j / r as a double: the value parsing the decimal (0.537 for j = 537, r = 1000) gives.
double FineLow(int r, int j);
// The largest j in [0, r) with c >= FineLow(r, j) (0 when none): by comparisons with FineLow,
// so that it agrees with `confidence >= threshold` in SQL and with FineBucketSql.
int FineBucketOf(int r, double c);
// SQL (portable) computing FineBucketOf(r, `column`).
std::string FineBucketSql(int r, const std::string& column);

// The key of the detections_thousandths indexes (SQLite version 18, PostgreSQL 14), the
// expression CAST(confidence * 1000 AS INTEGER), and every value it can take for a confidence in
// [lo, hi) (hi absent: up to 1), whether the cast truncates (SQLite) or rounds (PostgreSQL): a
// few more than needed, never fewer; the exact bounds are checked beside it.
inline constexpr const char* kThousandthSql = "CAST(confidence * 1000 AS INTEGER)";
std::vector<int64_t> ThousandthsOf(double lo, std::optional<double> hi);

// How the partial bucket of a split (ConfSplit::partial) is answered from fine rows: the whole
// fine buckets `whole` (of one resolution each) cover the confidences [whole_lo, partial_hi);
// the detection rows with partial_lo <= c < whole_lo (when `rest`) are read apart. `whole` is
// empty when no fine bucket fits in the partial bucket (it is then under 0.001 wide).
struct FineRange {
  int r;       // resolution
  int lo, hi;  // buckets [lo, hi)
};
struct FineSplit {
  std::vector<FineRange> whole;  // finest resolution first
  int finest = kFine1000;        // the resolution of `first`
  int first = 0;  // the first whole bucket of `finest`: whole_lo == FineLow(finest, first)
  double whole_lo = 0;
  bool rest = false;
};
// `finest`: kFine1000 or kFine10000, the finest resolution the split may use.
FineSplit SplitFine(const ConfSplit& partial, int finest = kFine1000);

// The reads answering the partial bucket of `conf` (ConfSplit::partial) over the time `parts`
// (SplitRange) of a query whose filter has rollup mode `mode` (0: neither sku nor class fixed).
// The fine split goes down to the finest resolution every part with fine rows keeps
// (FinestFineAt: kFine10000 without a time range, else kFine1000).
// kFineRows: the rollup_fine rows of `range` in time part `part`. kRows: the detection rows with
// conf.partial_lo <= c < conf.partial_hi over the filter's whole time range (found by
// confidence); kRowsByTime: the same within part's [lo, hi) (adjacent time parts without fine
// rows, under an hour each, merged into one read: found by time). A
// scan read from rows counts unless it holds a detection at or above conf.partial_hi. Together
// the reads cover the partial bucket exactly once. A read of rows may name (`tops`, an index
// into PartialPlan::tops) fine buckets holding every confidence it reads: when the all-time
// rollup_fine rows of those buckets (with the filter's store and shelf) count no scan, no scan
// has its top detection among its rows, so none can count and the per-row check is skipped.
// Each such list is named once in `tops`, however many reads share it.
struct PartialRead {
  enum Kind { kFineRows, kRows, kRowsByTime } kind;
  RangePart part{};
  FineRange range{};
  ConfSplit conf{};
  int tops = -1;  // none: every row is checked
};
struct PartialPlan {
  std::vector<PartialRead> reads;
  std::vector<std::vector<FineRange>> tops;
};
PartialPlan PlanPartial(const ConfSplit& conf, const std::vector<RangePart>& parts, int mode);

// One scan's rollup_fine rows of every resolution, in key order (resolution, j), as ConfRow with
// `mode` holding the resolution; `scans` is 1 in the scan's top bucket of each resolution. A
// level keeps the rows of the resolutions up to FinestFineAt(level).
std::vector<ConfRow> FineRowsOf(const std::vector<DetectionRecord>& detections,
                                const std::map<std::string, int64_t>& sku_ids,
                                const std::map<std::string, int64_t>& class_ids);

// SQL (portable) filling the rollup_fine rows of `resolutions`, at every level keeping them,
// from the detections (which those rows must not hold yet); `bits_of` as for RollupConfFillSql.
std::string RollupFineFillSql(const std::function<std::string(const std::string&)>& bits_of,
                              std::initializer_list<int> resolutions);

// SQL (portable) that fills the confidence rollup table `rollup_conf` (see the SQLite schema,
// version 12, for its meaning) at `levels` from the detections, which it must not hold yet.
// `bits_of(id_column)` is the dialect's aggregate building an id bitmap (store/id_bits.h) from a
// column of interned ids, `null_bits` its typed NULL bitmap; every sku and class name must be
// interned in rollup_names already.
std::string RollupConfFillSql(std::initializer_list<int> levels,
                              const std::function<std::string(const std::string&)>& bits_of,
                              const std::string& null_bits);

// SQL (portable) that turns the per-bucket mode-0 rows of rollup_conf, as RollupConfFillSql
// writes them, into the cumulative rows of kModeAtLeast (the SQLite schema's version 14).
// `bits_or_agg` names the dialect's aggregate OR-ing id bitmaps.
std::string RollupConfAtLeastSql(const std::string& bits_or_agg);

}  // namespace vs::store
