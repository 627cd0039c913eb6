// SqliteStore: rollup maintenance, Summarize and Activity.
//
// The rollup table (see sqlite_schema.cc) holds, per bucket and per combination of store,
// shelf_location, sku and class_name, the count, confidence sum, newest timestamp and number of
// scans of the detections in it. A query splits its time range into whole hour/day buckets read
// from the rollups and sub-hour edges read from the detection rows (store/rollup.h). Filters on
// min_confidence or scan_id have no rollup and are answered from the rows alone.
#include <limits>
#include <map>
#include <tuple>
#include <unordered_set>

#include "store/rollup.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Rollup mode whose `scans` column counts the scans matching the filter's sku/class fields.
int ScanMode(const DetectionFilter& f) { return (f.sku ? 1 : 0) | (f.class_name ? 2 : 0); }

bool NeedsRows(const DetectionFilter& f) { return f.min_confidence || f.scan_id; }

// Rollup rows of `level` with buckets in [lo, hi) matching the filter's dimensions, in modes 3
// (detection figures) and ScanMode (scan counts).
Where RollupWhere(const DetectionFilter& f, int level, int64_t lo, int64_t hi) {
  Where w;
  w.Add("level = ? AND mode IN (3, ?) AND bucket >= ? AND bucket < ?",
        {int64_t{level}, int64_t{ScanMode(f)}, lo, hi});
  if (f.store) w.Add("store = ?", {*f.store});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  if (f.sku) w.Add("sku = ?", {*f.sku});
  if (f.class_name) w.Add("class_name = ?", {*f.class_name});
  return w;
}

DetectionFilter WithRange(DetectionFilter f, int64_t lo, int64_t hi) {
  f.start = FromUnixMillis(lo);
  f.end = FromUnixMillis(hi);
  return f;
}

struct SummaryAcc {
  int64_t n = 0;
  double sum = 0;
  std::optional<int64_t> max_ts;
  std::unordered_set<std::string> skus, classes;
  int64_t scans = 0;

  void AddTs(int64_t ts) {
    if (!max_ts || ts > *max_ts) max_ts = ts;
  }
};

}  // namespace

Status SqliteStore::AddToRollups(Connection* c, const ScanRecord& scan) {
  struct Agg {
    int64_t n = 0;
    double sum = 0;
  };
  // (mode, sku, class_name) -> figures of this scan's detections.
  std::map<std::tuple<int, std::string, std::string>, Agg> groups;
  groups[{0, "", ""}];  // every scan, even without detections, names its store and shelf
  for (const auto& d : scan.detections) {
    for (int mode = 0; mode < 4; ++mode) {
      Agg& a = groups[{mode, (mode & 1) ? d.sku : "", (mode & 2) ? d.class_name : ""}];
      ++a.n;
      a.sum += d.confidence;
    }
  }
  const int64_t ts = ToUnixMillis(scan.captured_at);
  auto q = c->Prepare(
      "INSERT INTO rollup(level, mode, bucket, store, shelf_location, sku, class_name, n,"
      " sum_conf, max_ts, scans) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
      " ON CONFLICT(level, mode, bucket, store, shelf_location, sku, class_name) DO UPDATE SET"
      " n = n + excluded.n, sum_conf = sum_conf + excluded.sum_conf,"
      " max_ts = CASE WHEN max_ts IS NULL OR excluded.max_ts > max_ts"
      " THEN excluded.max_ts ELSE max_ts END,"
      " scans = scans + excluded.scans");
  if (!q.ok()) return q.status();
  for (int level : {kLevelAll, kLevelDay, kLevelHour}) {
    for (const auto& [key, a] : groups) {
      const auto& [mode, sku, cls] = key;
      q->BindAll(level, mode, BucketOf(level, ts), scan.store, scan.shelf_location, sku, cls, a.n,
                 a.sum);
      q->Bind(a.n > 0 ? std::optional<int64_t>(ts) : std::nullopt);
      q->Bind(int64_t{a.n > 0 ? 1 : 0});
      VS_RETURN_IF_ERROR(q->Run());
    }
  }
  return Status::Ok();
}

Result<Summary> SqliteStore::SummarizeExact(const DetectionFilter& f) {
  const Where w = DetectionWhere(f, "");
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(
      "SELECT COUNT(*), COUNT(DISTINCT sku), COUNT(DISTINCT class_name), AVG(confidence),"
      " COUNT(DISTINCT scan_id), MAX(timestamp) FROM detections" +
      w.sql);
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  Summary s;
  s.total_detections = q->Int(0);
  s.unique_skus = q->Int(1);
  s.unique_classes = q->Int(2);
  s.average_confidence = q->OptReal(3);
  s.total_scans = q->Int(4);
  if (auto ts = q->OptInt(5)) s.last_detection_at = FromUnixMillis(*ts);
  return s;
}

Result<Summary> SqliteStore::Summarize(const DetectionFilter& f) {
  if (NeedsRows(f)) return SummarizeExact(f);
  const auto parts =
      SplitRange(f.start ? std::optional(ToUnixMillis(*f.start)) : std::nullopt,
                 f.end ? std::optional(ToUnixMillis(*f.end)) : std::nullopt, kLevelAll);
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  Connection* c = r->get();
  const int scan_mode = ScanMode(f);
  SummaryAcc acc;
  for (const RangePart& part : parts) {
    if (part.level == kLevelExact) {
      const Where w = DetectionWhere(WithRange(f, part.lo, part.hi), "");
      auto q = c->Prepare("SELECT scan_id, sku, class_name, confidence, timestamp FROM detections" +
                          w.sql);
      if (!q.ok()) return q.status();
      w.BindTo(&*q);
      std::unordered_set<int64_t> scans;
      for (;;) {
        auto row = q->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        scans.insert(q->Int(0));
        acc.skus.insert(q->Text(1));
        acc.classes.insert(q->Text(2));
        ++acc.n;
        acc.sum += q->Real(3);
        acc.AddTs(q->Int(4));
      }
      // A scan lies in exactly one part (one captured_at), so per-part counts add up.
      acc.scans += static_cast<int64_t>(scans.size());
      continue;
    }
    const bool all = part.level == kLevelAll;
    const Where w = RollupWhere(f, part.level, all ? kMin : part.lo, all ? kMax : part.hi);
    auto q =
        c->Prepare("SELECT mode, sku, class_name, n, sum_conf, max_ts, scans FROM rollup" + w.sql);
    if (!q.ok()) return q.status();
    w.BindTo(&*q);
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int mode = static_cast<int>(q->Int(0));
      if (mode == 3) {
        acc.skus.insert(q->Text(1));
        acc.classes.insert(q->Text(2));
        acc.n += q->Int(3);
        acc.sum += q->Real(4);
        if (auto ts = q->OptInt(5)) acc.AddTs(*ts);
      }
      if (mode == scan_mode) acc.scans += q->Int(6);
    }
  }
  Summary s;
  s.total_detections = acc.n;
  s.unique_skus = static_cast<int64_t>(acc.skus.size());
  s.unique_classes = static_cast<int64_t>(acc.classes.size());
  if (acc.n > 0) s.average_confidence = acc.sum / static_cast<double>(acc.n);
  s.total_scans = acc.scans;
  if (acc.max_ts) s.last_detection_at = FromUnixMillis(*acc.max_ts);
  return s;
}

Result<std::vector<ActivityBucket>> SqliteStore::Activity(const DetectionFilter& f,
                                                          Granularity granularity) {
  const bool hourly = granularity == Granularity::kHour;
  const int64_t width = hourly ? kHourMs : kDayMs;
  const std::string w_text = std::to_string(width);
  const std::string bucket_expr =
      "(timestamp - ((timestamp % " + w_text + ") + " + w_text + ") % " + w_text + ")";
  std::vector<RangePart> parts;
  const auto lo = f.start ? std::optional(ToUnixMillis(*f.start)) : std::nullopt;
  const auto hi = f.end ? std::optional(ToUnixMillis(*f.end)) : std::nullopt;
  if (NeedsRows(f)) {
    if (!lo || !hi || *lo < *hi)
      parts.push_back({kLevelExact, lo.value_or(kMin), hi.value_or(kMax)});
  } else {
    parts = SplitRange(lo, hi, hourly ? kLevelHour : kLevelDay);
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  Connection* c = r->get();
  const int scan_mode = ScanMode(f);
  std::map<int64_t, ActivityBucket> buckets;
  for (const RangePart& part : parts) {
    if (part.level == kLevelExact) {
      const Where w = DetectionWhere(WithRange(f, part.lo, part.hi), "");
      auto q =
          c->Prepare("SELECT " + bucket_expr +
                     ", COUNT(*), COUNT(DISTINCT scan_id) FROM detections" + w.sql + " GROUP BY 1");
      if (!q.ok()) return q.status();
      w.BindTo(&*q);
      for (;;) {
        auto row = q->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        ActivityBucket& b = buckets[q->Int(0)];
        b.detections += q->Int(1);
        b.scans += q->Int(2);  // a scan falls in one part and one bucket: counts add up
      }
      continue;
    }
    const Where w = RollupWhere(f, part.level, part.lo, part.hi);
    auto q = c->Prepare("SELECT bucket, mode, n, scans FROM rollup" + w.sql);
    if (!q.ok()) return q.status();
    w.BindTo(&*q);
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ActivityBucket& b = buckets[FloorTo(q->Int(0), width)];
      const int mode = static_cast<int>(q->Int(1));
      if (mode == 3) b.detections += q->Int(2);
      if (mode == scan_mode) b.scans += q->Int(3);
    }
  }
  std::vector<ActivityBucket> out;
  for (auto& [start, b] : buckets) {
    if (b.detections == 0) continue;  // buckets that only hold scans without detections
    b.start = FromUnixMillis(start);
    out.push_back(b);
  }
  return out;
}

}  // namespace vs::store::sqlite
