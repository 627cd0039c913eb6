#include "store/rollup.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

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

double ConfLow(int k) { return static_cast<double>(k) / kConfBuckets; }

int ConfBucketOf(double c) {
  int k = 0;
  while (k + 1 < kConfBuckets && c >= ConfLow(k + 1)) ++k;
  return k;
}

std::string ConfBucketSql(const std::string& column) {
  // One comparison per inner bound, each literal printed so that it parses back to ConfLow(k).
  std::string sql = "(0";
  for (int k = 1; k < kConfBuckets; ++k) {
    char bound[32];
    std::snprintf(bound, sizeof bound, "%.17g", ConfLow(k));
    sql += " + CASE WHEN " + column + " >= " + bound + " THEN 1 ELSE 0 END";
  }
  return sql + ")";
}

std::optional<ConfSplit> SplitConfidence(double t) {
  if (std::isnan(t)) return std::nullopt;
  if (t <= 0) return ConfSplit{0, false, t, std::nullopt};
  const int k = ConfBucketOf(t);
  if (t == ConfLow(k)) return ConfSplit{k, false, t, std::nullopt};
  ConfSplit s{k + 1, true, t, std::nullopt};
  if (k + 1 < kConfBuckets) s.partial_hi = ConfLow(k + 1);
  return s;
}

namespace {

// SQL for BucketOf(level, ts): the floor of `ts` to the level's width (0 at kLevelAll).
std::string BucketSql(int level, const std::string& ts) {
  if (level == kLevelAll) return "0";
  const std::string w = std::to_string(level == kLevelDay    ? kDayMs
                                       : level == kLevelHour ? kHourMs
                                                             : kMinuteMs);
  return "(" + ts + " - ((" + ts + " % " + w + ") + " + w + ") % " + w + ")";
}

}  // namespace

std::string RollupConfFillSql(std::initializer_list<int> levels,
                              const std::function<std::string(const std::string&)>& bits_of,
                              const std::string& null_bits) {
  std::string sql;
  const std::string cb = ConfBucketSql("d.confidence");
  for (int level : levels) {
    for (int mode = 0; mode < 4; ++mode) {
      const std::string sku = (mode & 1) ? "d.sku" : "''";
      const std::string cls = (mode & 2) ? "d.class_name" : "''";
      const std::string bucket = BucketSql(level, "d.timestamp");
      const std::string sku_bits = (mode & 1) ? null_bits : bits_of("sn.id");
      const std::string cls_bits = (mode & 2) ? null_bits : bits_of("cn.id");
      // a: the figures per row; t: per row, the scans whose top confidence bucket it is (a
      // scan's timestamp, store and shelf are its detections', so each scan is in one group).
      sql +=
          "INSERT INTO rollup_conf SELECT a.level, a.mode, a.sku, a.class_name, a.bucket,"
          " a.store, a.shelf_location, a.conf, a.n, a.sum_conf, a.max_ts, a.sku_bits,"
          " a.class_bits, COALESCE(t.k, 0) FROM (SELECT " +
          std::to_string(level) + " AS level, " + std::to_string(mode) + " AS mode, " + sku +
          " AS sku, " + cls + " AS class_name, " + bucket +
          " AS bucket, d.store AS store, d.shelf_location AS shelf_location, " + cb +
          " AS conf, COUNT(*) AS n, SUM(d.confidence) AS sum_conf, MAX(d.timestamp) AS max_ts, " +
          sku_bits + " AS sku_bits, " + cls_bits +
          " AS class_bits FROM detections d"
          " JOIN rollup_names sn ON sn.kind = 1 AND sn.name = d.sku"
          " JOIN rollup_names cn ON cn.kind = 2 AND cn.name = d.class_name"
          " GROUP BY 3, 4, 5, 6, 7, 8) a LEFT JOIN (SELECT sku, class_name, bucket, store,"
          " shelf_location, top, COUNT(*) AS k FROM (SELECT d.scan_id, " +
          sku + " AS sku, " + cls + " AS class_name, " + bucket +
          " AS bucket, d.store AS store, d.shelf_location AS shelf_location, MAX(" + cb +
          ") AS top FROM detections d GROUP BY 1, 2, 3, 4, 5, 6) s"
          " GROUP BY 1, 2, 3, 4, 5, 6) t ON t.sku = a.sku AND t.class_name = a.class_name"
          " AND t.bucket = a.bucket AND t.store = a.store"
          " AND t.shelf_location = a.shelf_location AND t.top = a.conf;\n";
    }
  }
  return sql;
}

ConfRead ConfReadFor(int mode) {
  return mode == 0 ? ConfRead{kModeAtLeast, true} : ConfRead{mode, false};
}

std::string RollupConfAtLeastSql(const std::string& bits_or_agg) {
  std::string ks = "SELECT 0 AS k";
  for (int k = 1; k < kConfBuckets; ++k) ks += " UNION ALL SELECT " + std::to_string(k);
  // Scans: a scan counts in the per-bucket row of its top bucket, so the sum over conf >= k
  // counts the scans holding a detection at or above ConfLow(k).
  return "INSERT INTO rollup_conf SELECT r.level, " + std::to_string(kModeAtLeast) +
         ", '', '', r.bucket, r.store, r.shelf_location, t.k, SUM(r.n), SUM(r.sum_conf),"
         " MAX(r.max_ts), " +
         bits_or_agg + "(r.sku_bits), " + bits_or_agg +
         "(r.class_bits), SUM(r.scans) FROM rollup_conf r JOIN (" + ks +
         ") t ON r.conf >= t.k WHERE r.mode = 0"
         " GROUP BY r.level, r.bucket, r.store, r.shelf_location, t.k;\n"
         "DELETE FROM rollup_conf WHERE mode = 0;\n";
}

int FinestFineAt(int level) {
  switch (level) {
    case kLevelAll:
      return kFine10000;
    case kLevelDay:
    case kLevelHour:
      return kFine1000;
    default:
      return 0;
  }
}

double FineLow(int r, int j) { return static_cast<double>(j) / r; }

int FineBucketOf(int r, double c) {
  if (!(c >= FineLow(r, 1))) return 0;  // below the first inner bound, or NaN
  // A guess within one of the answer (c * r rounds by under one unit), then comparisons only.
  int j = c >= 1 ? r - 1 : static_cast<int>(c * r);
  if (j >= r) j = r - 1;
  while (j > 0 && c < FineLow(r, j)) --j;
  while (j + 1 < r && c >= FineLow(r, j + 1)) ++j;
  return j;
}

std::vector<int64_t> ThousandthsOf(double lo, std::optional<double> hi) {
  const int first = std::max(0, static_cast<int>(lo * 1000) - 1);
  const int last = std::min(1000, static_cast<int>(hi.value_or(1.0) * 1000) + 1);
  std::vector<int64_t> ks;
  for (int k = first; k <= last; ++k) ks.push_back(k);
  return ks;
}

std::string FineBucketSql(int r, const std::string& column) {
  // The same guess and one correction step each way (the guess is never further off: a
  // truncating or rounding cast of c * r is within one of the largest j with c >= j / r), then
  // clamped to [0, r). Divisions are in double precision, as FineLow's.
  const std::string rs = std::to_string(r);
  const std::string g = "CAST(" + column + " * " + rs + " AS BIGINT)";
  const std::string lo = "CAST(" + g + " AS DOUBLE PRECISION) / " + rs;
  const std::string hi = "CAST(" + g + " + 1 AS DOUBLE PRECISION) / " + rs;
  const std::string j = "(CASE WHEN " + column + " < " + lo + " THEN " + g + " - 1 WHEN " + column +
                        " >= " + hi + " THEN " + g + " + 1 ELSE " + g + " END)";
  return "(CASE WHEN " + j + " >= " + rs + " THEN " + std::to_string(r - 1) + " WHEN " + j +
         " < 0 THEN 0 ELSE " + j + " END)";
}

FineSplit SplitFine(const ConfSplit& partial, int finest) {
  FineSplit s;
  const double t = partial.partial_lo;
  // j: the first bucket of `finest` wholly at or above t; top: the first above the partial
  // bucket, in units of the resolution r at hand. From the finest resolution up, the buckets
  // of r run from j to the next multiple of 10 (a bucket of r / 10), then r / 10 takes over.
  const int b = FineBucketOf(finest, t);
  int j = t <= FineLow(finest, b) ? b : b + 1;
  int top = partial.partial_hi ? (finest / kConfBuckets) * partial.first_whole : finest;
  if (j >= top) return s;
  s.finest = finest;
  s.first = j;
  s.whole_lo = FineLow(finest, j);
  s.rest = t < s.whole_lo;
  for (int r = finest; r > kFine100; r /= 10, j /= 10, top /= 10) {
    const int m = std::min(top, (j + 9) / 10 * 10);
    if (j < m) s.whole.push_back({r, j, m});
    j = m;
  }
  if (j < top) s.whole.push_back({kFine100, j, top});
  return s;
}

PartialPlan PlanPartial(const ConfSplit& conf, const std::vector<RangePart>& parts, int mode) {
  // The split goes down to the finest resolution that every time part with fine rows keeps.
  int finest = 0;
  for (const RangePart& p : parts) {
    const int r = FinestFineAt(p.level);
    if (r > 0) finest = finest == 0 ? r : std::min(finest, r);
  }
  const FineSplit fine = mode == 0 ? SplitFine(conf, finest > 0 ? finest : kFine1000) : FineSplit{};
  if (fine.whole.empty()) return {{{PartialRead::kRows, {}, {}, conf}}, {}};
  // [whole_lo, partial_hi): fine rows where the time part has them, else the rows by time (their
  // tops: the whole fine buckets); [partial_lo, whole_lo): the rows under 0.001 wide, by
  // confidence (their tops: the 0.001 bucket below the first whole one). A tops list is added
  // when a read first names it, so that none is looked up for nothing.
  PartialPlan plan;
  std::vector<PartialRead>& reads = plan.reads;
  int whole_tops = -1;
  const ConfSplit upper{conf.first_whole, true, fine.whole_lo, conf.partial_hi};
  for (const RangePart& part : parts) {
    if (HasFineRows(part.level)) {
      for (const FineRange& range : fine.whole) {
        reads.push_back({PartialRead::kFineRows, part, range});
      }
    } else if (!reads.empty() && reads.back().kind == PartialRead::kRowsByTime &&
               reads.back().part.hi == part.lo) {
      reads.back().part.hi = part.hi;  // one read for adjacent parts (an edge and its minutes)
    } else {
      if (whole_tops < 0) {
        whole_tops = static_cast<int>(plan.tops.size());
        plan.tops.push_back(fine.whole);
      }
      reads.push_back(
          {PartialRead::kRowsByTime, {kLevelExact, part.lo, part.hi}, {}, upper, whole_tops});
    }
  }
  if (fine.rest) {
    plan.tops.push_back({{fine.finest, fine.first - 1, fine.first}});
    reads.push_back({PartialRead::kRows,
                     {},
                     {},
                     {conf.first_whole, true, conf.partial_lo, fine.whole_lo},
                     static_cast<int>(plan.tops.size()) - 1});
  }
  return plan;
}

std::vector<ConfRow> FineRowsOf(const std::vector<DetectionRecord>& detections,
                                const std::map<std::string, int64_t>& sku_ids,
                                const std::map<std::string, int64_t>& class_ids) {
  std::map<std::pair<int, int>, ConfRow> rows;  // (resolution, j)
  double top = -1;
  for (const auto& d : detections) {
    top = std::max(top, d.confidence);
    for (int r : {kFine100, kFine1000, kFine10000}) {
      const int j = FineBucketOf(r, d.confidence);
      ConfRow& row = rows.try_emplace({r, j}, ConfRow{r, "", "", j}).first->second;
      ++row.n;
      row.sum_conf += d.confidence;
      row.skus.Set(sku_ids.at(d.sku));
      row.classes.Set(class_ids.at(d.class_name));
    }
  }
  std::vector<ConfRow> out;
  if (detections.empty()) return out;
  for (int r : {kFine100, kFine1000, kFine10000}) rows.at({r, FineBucketOf(r, top)}).scans = 1;
  out.reserve(rows.size());
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}

std::string RollupFineFillSql(const std::function<std::string(const std::string&)>& bits_of,
                              std::initializer_list<int> resolutions) {
  std::string sql;
  for (int level : {kLevelAll, kLevelDay, kLevelHour}) {
    for (int r : resolutions) {
      if (r > FinestFineAt(level)) continue;
      const std::string bucket = BucketSql(level, "d.timestamp");
      const std::string fb = FineBucketSql(r, "d.confidence");
      // a: the figures per row; t: per row, the scans whose top confidence lies in it.
      sql +=
          "INSERT INTO rollup_fine(level, res, conf, bucket, store, shelf_location, n, sum_conf,"
          " max_ts, sku_bits, class_bits, scans) SELECT a.level, a.res, a.conf, a.bucket,"
          " a.store, a.shelf_location, a.n, a.sum_conf, a.max_ts, a.sku_bits, a.class_bits,"
          " COALESCE(t.k, 0) FROM (SELECT " +
          std::to_string(level) + " AS level, " + std::to_string(r) + " AS res, " + fb +
          " AS conf, " + bucket +
          " AS bucket, d.store AS store, d.shelf_location AS shelf_location, COUNT(*) AS n,"
          " SUM(d.confidence) AS sum_conf, MAX(d.timestamp) AS max_ts, " +
          bits_of("sn.id") + " AS sku_bits, " + bits_of("cn.id") +
          " AS class_bits FROM detections d"
          " JOIN rollup_names sn ON sn.kind = 1 AND sn.name = d.sku"
          " JOIN rollup_names cn ON cn.kind = 2 AND cn.name = d.class_name"
          " GROUP BY 3, 4, 5, 6) a LEFT JOIN (SELECT bucket, store, shelf_location, top,"
          " COUNT(*) AS k FROM (SELECT d.scan_id, " +
          bucket + " AS bucket, d.store AS store, d.shelf_location AS shelf_location, MAX(" + fb +
          ") AS top FROM detections d GROUP BY 1, 2, 3, 4) s GROUP BY 1, 2, 3, 4) t"
          " ON t.bucket = a.bucket AND t.store = a.store AND t.shelf_location = a.shelf_location"
          " AND t.top = a.conf;\n";
    }
  }
  return sql;
}

std::vector<ConfRow> ConfRowsOf(const std::vector<DetectionRecord>& detections,
                                const std::map<std::string, int64_t>& sku_ids,
                                const std::map<std::string, int64_t>& class_ids) {
  using Group = std::tuple<int, std::string, std::string>;  // mode, sku, class_name
  std::map<std::tuple<int, std::string, std::string, int>, ConfRow> rows;
  std::map<Group, int> top;  // the highest confidence bucket of each group
  for (const auto& d : detections) {
    const int cb = ConfBucketOf(d.confidence);
    for (int mode = 0; mode < 4; ++mode) {
      const std::string sku = (mode & 1) ? d.sku : "";
      const std::string cls = (mode & 2) ? d.class_name : "";
      ConfRow& r =
          rows.try_emplace({mode, sku, cls, cb}, ConfRow{mode, sku, cls, cb}).first->second;
      ++r.n;
      r.sum_conf += d.confidence;
      if (!(mode & 1)) r.skus.Set(sku_ids.at(d.sku));
      if (!(mode & 2)) r.classes.Set(class_ids.at(d.class_name));
      auto [t, first] = top.try_emplace({mode, sku, cls}, cb);
      if (!first && cb > t->second) t->second = cb;
    }
  }
  for (const auto& [g, cb] : top) {
    rows.at({std::get<0>(g), std::get<1>(g), std::get<2>(g), cb}).scans = 1;
  }
  // Mode 0 becomes cumulative: the row of conf k sums the per-bucket rows of buckets >= k.
  std::vector<ConfRow> at_least;
  if (const auto t = top.find({0, "", ""}); t != top.end()) {
    ConfRow acc{kModeAtLeast, "", "", 0};
    for (int k = t->second; k >= 0; --k) {
      if (const auto r = rows.find({0, "", "", k}); r != rows.end()) {
        acc.n += r->second.n;
        acc.sum_conf += r->second.sum_conf;
        acc.skus.Or(r->second.skus.bytes().data(), static_cast<int>(r->second.skus.bytes().size()));
        acc.classes.Or(r->second.classes.bytes().data(),
                       static_cast<int>(r->second.classes.bytes().size()));
      }
      acc.conf = k;
      acc.scans = 1;
      at_least.push_back(acc);
    }
  }
  std::vector<ConfRow> out;
  out.reserve(rows.size() + at_least.size());
  for (auto& [key, r] : rows) {
    if (r.mode != 0) out.push_back(std::move(r));
  }
  out.insert(out.end(), at_least.rbegin(), at_least.rend());  // mode 4 sorts last, conf rising
  return out;
}

}  // namespace vs::store
