// SqliteStore: rollup maintenance, Summarize and Activity.
//
// The rollup table (see sqlite_schema.cc, version 3) holds, per bucket, store and shelf and per
// filter "mode" (which of sku / class_name is fixed), the count, confidence sum, newest timestamp
// and number of scans of the detections in it, plus bitmaps of the skus and classes present. A
// query splits its time range into whole day/hour/minute buckets read from the rollups and
// sub-minute edges read from the detection rows (store/rollup.h); it reads the rows of exactly one
// mode, with its sku/class filter as key prefix.
//
// A min_confidence filter reads rollup_conf instead (version 12): the same rows split by 0.05-wide
// confidence bucket, each counting as scans those whose top detection of the group lies in it;
// with neither sku nor class fixed, cumulative rows instead (version 14, kModeAtLeast: one row per
// bucket, store and shelf holds everything at or above a confidence bucket). A threshold on the
// grid is answered from whole buckets; one off the grid from the whole buckets above it plus the
// detection rows of its partial bucket (the expression index detections_conf), where a scan counts
// unless it also holds a detection of the group above that bucket (one seek in
// detections_scan_conf): exact either way. With neither sku nor class fixed, the partial bucket
// is answered from the fine confidence rows instead (version 15, store/rollup.h FineSplit): the
// 0.01- and 0.001-wide buckets at or above the threshold, at the all, day and hour levels, and
// 0.0001-wide ones at the all level (version 17); the detection rows are read only for time parts
// under an hour (found by 0.001 bucket and time: detections_thousandths, version 18) and below
// the threshold's first whole fine bucket (more than three decimals with a time range, four
// without). Cumulative rows are read through rollup_conf_at_least (version 19). Only scan_id
// filters are answered from the detection rows alone (SummarizeExact).
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "store/rollup.h"
#include "store/sqlite/sqlite_bits.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int kSkuKind = 1;
constexpr int kClassKind = 2;

// The rollup mode answering a filter: bit 0 when sku is fixed, bit 1 when class_name is.
int ModeOf(const DetectionFilter& f) { return (f.sku ? 1 : 0) | (f.class_name ? 2 : 0); }

bool NeedsRows(const DetectionFilter& f) { return f.scan_id.has_value(); }

// How a filter's min_confidence is answered: nullopt when it has none (or one every detection
// meets, which is then dropped from `f`), else the split of store/rollup.h.
Result<std::optional<ConfSplit>> ConfPlan(DetectionFilter* f) {
  if (!f->min_confidence) return std::optional<ConfSplit>();
  const auto split = SplitConfidence(*f->min_confidence);
  if (!split) return Status::InvalidArgument("min_confidence is not a number");
  if (split->first_whole == 0 && !split->partial) {
    f->min_confidence.reset();
    return std::optional<ConfSplit>();
  }
  return split;
}

// Rollup rows of `level` with buckets in [lo, hi) for the filter's mode and dimensions; with
// `min_conf`, the rows of rollup_conf answering confidence buckets >= min_conf (ConfReadFor).
Where RollupWhere(const DetectionFilter& f, int level, int64_t lo, int64_t hi,
                  std::optional<int> min_conf = std::nullopt) {
  const ConfRead read = min_conf ? ConfReadFor(ModeOf(f)) : ConfRead{ModeOf(f), false};
  const int64_t from = level == kLevelAll ? kMin : lo;
  const int64_t to = level == kLevelAll ? kMax : hi;
  Where w;
  if (read.cumulative) {
    // The mode as a literal, so that the partial index rollup_conf_at_least (version 19: one
    // range per conf, where the table's key visits every conf of each bucket) applies.
    w.Add("level = ? AND mode = " + std::to_string(kModeAtLeast) +
              " AND conf = ? AND bucket >= ? AND bucket < ?",
          {int64_t{level}, int64_t{*min_conf}, from, to});
  } else {
    w.Add("level = ? AND mode = ? AND sku = ? AND class_name = ? AND bucket >= ? AND bucket < ?",
          {int64_t{level}, int64_t{read.mode}, f.sku.value_or(""), f.class_name.value_or(""), from,
           to});
    if (min_conf) w.Add("conf >= ?", {int64_t{*min_conf}});
  }
  if (f.store) w.Add("store = ?", {*f.store});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  return w;
}

// rollup_fine rows of `level` with buckets in [lo, hi) and fine buckets `range`.
Where FineWhere(const DetectionFilter& f, int level, int64_t lo, int64_t hi,
                const FineRange& range) {
  // Values appended one by one (an initializer list of variants trips GCC 12's
  // maybe-uninitialized warning once this is inlined with constant arguments).
  std::vector<Where::Value> values;
  values.emplace_back(int64_t{level});
  values.emplace_back(int64_t{range.r});
  std::string in;
  for (int j = range.lo; j < range.hi; ++j) {
    in += in.empty() ? "?" : ",?";
    values.emplace_back(int64_t{j});
  }
  values.emplace_back(level == kLevelAll ? kMin : lo);
  values.emplace_back(level == kLevelAll ? kMax : hi);
  Where w;
  w.Add("level = ? AND res = ? AND conf IN (" + in + ") AND bucket >= ? AND bucket < ?",
        std::move(values));
  if (f.store) w.Add("store = ?", {*f.store});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  return w;
}

// The rollup table a query reads and the confidence bucket it starts at.
std::string RollupTable(const std::optional<ConfSplit>& conf) {
  return conf ? " FROM rollup_conf" : " FROM rollup";
}
std::optional<int> MinConfBucket(const std::optional<ConfSplit>& conf) {
  return conf ? std::optional(conf->first_whole) : std::nullopt;
}

// With a confidence split, time parts (rollup rows and exact edges alike) read only the whole
// confidence buckets, if any: edges read rows at or above them, the partial bucket is read apart.
bool PartsNeeded(const std::optional<ConfSplit>& conf) {
  return !conf || conf->first_whole < kConfBuckets;
}
DetectionFilter EdgeFilter(const DetectionFilter& f, const std::optional<ConfSplit>& conf) {
  DetectionFilter e = f;
  if (conf) e.min_confidence = ConfLow(conf->first_whole);
  return e;
}

// A condition on the index detections_thousandths (schema version 18) naming every value of its
// first column that a confidence in [lo, hi) can have (ThousandthsOf), one seek each.
std::string ThousandthsIn(double lo, std::optional<double> hi) {
  std::string in;
  for (int64_t k : ThousandthsOf(lo, hi)) in += (in.empty() ? "" : ",") + std::to_string(k);
  return std::string(kThousandthSql) + " IN (" + in + ")";
}

// The detection rows of the partial confidence bucket of `conf` that `f` (its min_confidence
// aside) selects, each with whether its scan also holds a detection of the filter's sku/class
// group in a higher bucket (then the scan is counted there, not here). Calls `row(stmt)` with
// columns scan_id, sku, class_name, confidence, timestamp, higher.
// With `by_time`, for a short time range, the rows are found by 0.001 bucket and time
// (detections_thousandths) instead of by confidence over all time. Without `scans_possible` (no
// scan has its top detection among these rows: PartialRead::tops), every row reads as having a
// higher one.
template <typename RowFn>
Status ReadPartial(Connection* c, const DetectionFilter& f, const ConfSplit& conf, RowFn row,
                   bool by_time = false, bool scans_possible = true) {
  DetectionFilter g = f;
  g.min_confidence.reset();
  Where w = DetectionWhere(g, "");
  if (by_time) w.Add(ThousandthsIn(conf.partial_lo, conf.partial_hi), {});
  const std::string column = by_time ? "confidence" : "confidence * 1.0";
  w.Add(column + " >= ?", {conf.partial_lo});
  if (conf.partial_hi) w.Add(column + " < ?", {*conf.partial_hi});
  const bool check = conf.partial_hi && scans_possible;
  std::string higher = conf.partial_hi ? "1" : "0";
  if (check) {
    higher = "EXISTS (SELECT 1 FROM detections e WHERE e.scan_id = p.scan_id AND e.confidence >= ?";
    if (f.sku) higher += " AND +e.sku = ?";
    if (f.class_name) higher += " AND +e.class_name = ?";
    higher += ")";
  }
  auto q = c->Prepare(
      std::string("WITH p AS (SELECT scan_id, sku, class_name, confidence, timestamp FROM"
                  " detections") +
      (by_time ? " INDEXED BY detections_thousandths" : " INDEXED BY detections_conf") + w.sql +
      ") SELECT scan_id, sku, class_name, confidence, timestamp, " + higher + " FROM p");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  if (check) {
    q->Bind(*conf.partial_hi);
    if (f.sku) q->Bind(*f.sku);
    if (f.class_name) q->Bind(*f.class_name);
  }
  for (;;) {
    auto r = q->Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
    row(*q);
  }
}

// Whether a scan of the filter's stores and shelves may have its top detection in the fine
// buckets `tops` (PartialPlan::tops): whether their all-time rows count any scan.
Result<bool> AnyTopIn(Connection* c, const DetectionFilter& f, const std::vector<FineRange>& tops) {
  for (const FineRange& range : tops) {
    const Where w = FineWhere(f, kLevelAll, 0, 0, range);
    auto q = c->Prepare("SELECT 1 FROM rollup_fine" + w.sql + " AND scans > 0 LIMIT 1");
    if (!q.ok()) return q.status();
    w.BindTo(&*q);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) return true;
  }
  return false;
}

DetectionFilter WithRange(DetectionFilter f, int64_t lo, int64_t hi) {
  f.start = FromUnixMillis(lo);
  f.end = FromUnixMillis(hi);
  return f;
}

// The interned id of a sku (kind 1) or class name (kind 2), creating it if new.
Result<int64_t> Intern(Connection* c, int kind, const std::string& name) {
  {
    auto q = c->Prepare("SELECT id FROM rollup_names WHERE kind = ? AND name = ?");
    if (!q.ok()) return q.status();
    q->BindAll(kind, name);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) return q->Int(0);
  }
  auto q = c->Prepare(
      "INSERT INTO rollup_names(kind, name, id) SELECT ?, ?, COALESCE(MAX(id), -1) + 1"
      " FROM rollup_names WHERE kind = ? RETURNING id");
  if (!q.ok()) return q.status();
  q->BindAll(kind, name, kind);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  const int64_t id = q->Int(0);
  VS_RETURN_IF_ERROR(q->Run());
  return id;
}

// Adds the ids of `names` (all interned by the time their detections are visible) to `bits`.
Status AddNames(Connection* c, int kind, const std::set<std::string>& names, IdBits* bits) {
  for (const auto& name : names) {
    auto q = c->Prepare("SELECT id FROM rollup_names WHERE kind = ? AND name = ?");
    if (!q.ok()) return q.status();
    q->BindAll(kind, name);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("rollup_names lacks '" + name + "'");
    bits->Set(q->Int(0));
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStore::AddToRollups(Connection* c, const ScanRecord& scan, RollupDelta* rollups) {
  std::map<std::string, int64_t> sku_ids, class_ids;
  for (const auto& d : scan.detections) {
    if (!sku_ids.count(d.sku)) {
      auto id = Intern(c, kSkuKind, d.sku);
      if (!id.ok()) return id.status();
      sku_ids[d.sku] = *id;
    }
    if (!class_ids.count(d.class_name)) {
      auto id = Intern(c, kClassKind, d.class_name);
      if (!id.ok()) return id.status();
      class_ids[d.class_name] = *id;
    }
  }
  rollups->Add(scan, sku_ids, class_ids);
  return Status::Ok();
}

Status SqliteStore::WriteRollups(Connection* c, const RollupDelta& rollups) {
  auto q = c->Prepare(
      "INSERT INTO rollup(level, mode, sku, class_name, bucket, store, shelf_location, n,"
      " sum_conf, max_ts, scans, sku_bits, class_bits) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
      " ON CONFLICT(level, mode, sku, class_name, bucket, store, shelf_location) DO UPDATE SET"
      " n = n + excluded.n, sum_conf = sum_conf + excluded.sum_conf,"
      " max_ts = CASE WHEN max_ts IS NULL OR excluded.max_ts > max_ts"
      " THEN excluded.max_ts ELSE max_ts END,"
      " scans = scans + excluded.scans,"
      " sku_bits = vs_bits_or(sku_bits, excluded.sku_bits),"
      " class_bits = vs_bits_or(class_bits, excluded.class_bits)");
  if (!q.ok()) return q.status();
  for (const auto& [k, f] : rollups.rollup()) {
    q->BindAll(k.level, k.mode, k.sku, k.class_name, k.bucket, k.store, k.shelf_location, f.n,
               f.sum_conf);
    q->Bind(f.max_ts);
    q->Bind(f.scans);
    q->BindBlob(f.skus.bytes());
    q->BindBlob(f.classes.bytes());
    VS_RETURN_IF_ERROR(q->Run());
  }
  if (rollups.conf().empty()) return Status::Ok();
  // The confidence rollups (schema version 12).
  auto cq = c->Prepare(
      "INSERT INTO rollup_conf(level, mode, sku, class_name, bucket, store, shelf_location, conf,"
      " n, sum_conf, max_ts, sku_bits, class_bits, scans) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
      " ON CONFLICT(level, mode, sku, class_name, bucket, store, shelf_location, conf) DO UPDATE"
      " SET n = n + excluded.n, sum_conf = sum_conf + excluded.sum_conf,"
      " max_ts = MAX(max_ts, excluded.max_ts), scans = scans + excluded.scans,"
      " sku_bits = vs_bits_or(sku_bits, excluded.sku_bits),"
      " class_bits = vs_bits_or(class_bits, excluded.class_bits)");
  if (!cq.ok()) return cq.status();
  for (const auto& [k, f] : rollups.conf()) {
    cq->BindAll(k.level, k.mode, k.sku, k.class_name, k.bucket, k.store, k.shelf_location, k.conf,
                f.n, f.sum_conf, f.max_ts.value_or(0));
    cq->BindBlob(f.skus.bytes());
    cq->BindBlob(f.classes.bytes());
    cq->Bind(f.scans);
    VS_RETURN_IF_ERROR(cq->Run());
  }
  // The fine confidence rows (schema version 15).
  auto fq = c->Prepare(
      "INSERT INTO rollup_fine(level, res, conf, bucket, store, shelf_location, n, sum_conf,"
      " max_ts, sku_bits, class_bits, scans) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
      " ON CONFLICT(level, res, conf, bucket, store, shelf_location) DO UPDATE"
      " SET n = n + excluded.n, sum_conf = sum_conf + excluded.sum_conf,"
      " max_ts = MAX(max_ts, excluded.max_ts), scans = scans + excluded.scans,"
      " sku_bits = vs_bits_or(sku_bits, excluded.sku_bits),"
      " class_bits = vs_bits_or(class_bits, excluded.class_bits)");
  if (!fq.ok()) return fq.status();
  for (const auto& [k, f] : rollups.fine()) {
    fq->BindAll(k.level, k.mode, k.conf, k.bucket, k.store, k.shelf_location, f.n, f.sum_conf,
                f.max_ts.value_or(0));
    fq->BindBlob(f.skus.bytes());
    fq->BindBlob(f.classes.bytes());
    fq->Bind(f.scans);
    VS_RETURN_IF_ERROR(fq->Run());
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

Result<Summary> SqliteStore::Summarize(const DetectionFilter& filter) {
  if (NeedsRows(filter)) return SummarizeExact(filter);
  DetectionFilter f = filter;
  auto planned = ConfPlan(&f);
  if (!planned.ok()) return SummarizeExact(filter);
  const std::optional<ConfSplit> conf = *planned;
  const auto parts =
      SplitRange(f.start ? std::optional(ToUnixMillis(*f.start)) : std::nullopt,
                 f.end ? std::optional(ToUnixMillis(*f.end)) : std::nullopt, kLevelAll);
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  Connection* c = r->get();
  ReadSnapshot snapshot(c);
  int64_t n = 0, scans = 0;
  double sum = 0;
  std::optional<int64_t> max_ts;
  const auto add_ts = [&](int64_t ts) {
    if (!max_ts || ts > *max_ts) max_ts = ts;
  };
  IdBits sku_bits, class_bits;
  std::set<std::string> edge_skus, edge_classes;
  // Adds the rows of a rollup-shaped table (rollup, rollup_conf, rollup_fine) that `w` selects.
  const auto add_rows = [&](const std::string& from, const Where& w) -> Status {
    auto q = c->Prepare("SELECT n, sum_conf, max_ts, scans, sku_bits, class_bits" + from + w.sql);
    if (!q.ok()) return q.status();
    w.BindTo(&*q);
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      n += q->Int(0);
      sum += q->Real(1);
      if (auto ts = q->OptInt(2)) add_ts(*ts);
      scans += q->Int(3);
      if (!q->IsNull(4)) sku_bits.Or(q->BlobData(4), q->BlobSize(4));
      if (!q->IsNull(5)) class_bits.Or(q->BlobData(5), q->BlobSize(5));
    }
  };
  for (const RangePart& part : PartsNeeded(conf) ? parts : std::vector<RangePart>{}) {
    if (part.level == kLevelExact) {
      const Where w = DetectionWhere(WithRange(EdgeFilter(f, conf), part.lo, part.hi), "");
      auto q = c->Prepare("SELECT scan_id, sku, class_name, confidence, timestamp FROM detections" +
                          w.sql);
      if (!q.ok()) return q.status();
      w.BindTo(&*q);
      std::unordered_set<int64_t> edge_scans;
      for (;;) {
        auto row = q->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        edge_scans.insert(q->Int(0));
        edge_skus.insert(q->Text(1));
        edge_classes.insert(q->Text(2));
        ++n;
        sum += q->Real(3);
        add_ts(q->Int(4));
      }
      // A scan lies in exactly one part (one captured_at), so per-part counts add up.
      scans += static_cast<int64_t>(edge_scans.size());
      continue;
    }
    VS_RETURN_IF_ERROR(add_rows(RollupTable(conf),
                                RollupWhere(f, part.level, part.lo, part.hi, MinConfBucket(conf))));
  }
  if (conf && conf->partial) {
    std::unordered_set<int64_t> partial_scans;
    const auto add_partial = [&](Stmt& q) {
      if (q.Int(5) == 0) partial_scans.insert(q.Int(0));
      edge_skus.insert(q.Text(1));
      edge_classes.insert(q.Text(2));
      ++n;
      sum += q.Real(3);
      add_ts(q.Int(4));
    };
    const PartialPlan plan = PlanPartial(*conf, parts, ModeOf(f));
    std::vector<bool> possible;  // per plan.tops: may a read's rows count a scan
    for (const auto& tops : plan.tops) {
      auto any = AnyTopIn(c, f, tops);
      if (!any.ok()) return any.status();
      possible.push_back(*any);
    }
    for (const PartialRead& read : plan.reads) {
      const RangePart& p = read.part;
      switch (read.kind) {
        case PartialRead::kFineRows:
          VS_RETURN_IF_ERROR(
              add_rows(" FROM rollup_fine", FineWhere(f, p.level, p.lo, p.hi, read.range)));
          break;
        case PartialRead::kRows:
        case PartialRead::kRowsByTime: {
          const bool check = read.tops < 0 || possible[read.tops];
          const bool by_time = read.kind == PartialRead::kRowsByTime;
          VS_RETURN_IF_ERROR(ReadPartial(c, by_time ? WithRange(f, p.lo, p.hi) : f, read.conf,
                                         add_partial, by_time, check));
          break;
        }
      }
    }
    scans += static_cast<int64_t>(partial_scans.size());
  }
  Summary s;
  s.total_detections = n;
  // With sku (class_name) fixed by the filter, there is one distinct sku (class) if any matched.
  if (f.sku) {
    s.unique_skus = n > 0 ? 1 : 0;
  } else {
    VS_RETURN_IF_ERROR(AddNames(c, kSkuKind, edge_skus, &sku_bits));
    s.unique_skus = sku_bits.Count();
  }
  if (f.class_name) {
    s.unique_classes = n > 0 ? 1 : 0;
  } else {
    VS_RETURN_IF_ERROR(AddNames(c, kClassKind, edge_classes, &class_bits));
    s.unique_classes = class_bits.Count();
  }
  if (n > 0) s.average_confidence = sum / static_cast<double>(n);
  s.total_scans = scans;
  if (max_ts) s.last_detection_at = FromUnixMillis(*max_ts);
  return s;
}

Result<std::vector<ActivityBucket>> SqliteStore::Activity(const DetectionFilter& filter,
                                                          Granularity granularity) {
  DetectionFilter f = filter;
  std::optional<ConfSplit> conf;
  if (!NeedsRows(f)) {
    auto planned = ConfPlan(&f);  // a NaN threshold stays in `f` and is answered from the rows
    if (planned.ok()) conf = *planned;
  }
  const bool hourly = granularity == Granularity::kHour;
  const int64_t width = hourly ? kHourMs : kDayMs;
  const std::string w_text = std::to_string(width);
  const std::string bucket_expr =
      "(timestamp - ((timestamp % " + w_text + ") + " + w_text + ") % " + w_text + ")";
  std::vector<RangePart> parts;
  const auto lo = f.start ? std::optional(ToUnixMillis(*f.start)) : std::nullopt;
  const auto hi = f.end ? std::optional(ToUnixMillis(*f.end)) : std::nullopt;
  if (NeedsRows(f) || (f.min_confidence && !conf)) {
    if (!lo || !hi || *lo < *hi) {
      parts.push_back({kLevelExact, lo.value_or(kMin), hi.value_or(kMax)});
    }
  } else {
    parts = SplitRange(lo, hi, hourly ? kLevelHour : kLevelDay);
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  Connection* c = r->get();
  ReadSnapshot snapshot(c);
  std::map<int64_t, ActivityBucket> buckets;
  for (const RangePart& part : PartsNeeded(conf) ? parts : std::vector<RangePart>{}) {
    if (part.level == kLevelExact) {
      const Where w = DetectionWhere(WithRange(EdgeFilter(f, conf), part.lo, part.hi), "");
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
    const Where w = RollupWhere(f, part.level, part.lo, part.hi, MinConfBucket(conf));
    auto q = c->Prepare("SELECT bucket, n, scans" + RollupTable(conf) + w.sql);
    if (!q.ok()) return q.status();
    w.BindTo(&*q);
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ActivityBucket& b = buckets[FloorTo(q->Int(0), width)];
      b.detections += q->Int(1);
      b.scans += q->Int(2);
    }
  }
  if (conf && conf->partial) {
    std::set<std::pair<int64_t, int64_t>> counted;  // (bucket, scan) counted here
    VS_RETURN_IF_ERROR(ReadPartial(c, f, *conf, [&](Stmt& q) {
      const int64_t b = FloorTo(q.Int(4), width);
      ++buckets[b].detections;
      if (q.Int(5) == 0 && counted.insert({b, q.Int(0)}).second) ++buckets[b].scans;
    }));
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
