// PgStore: rollup maintenance, Summarize and Activity — the SQLite backend's design (see
// store/sqlite/sqlite_summary.cc) over the same tables: time ranges split by store/rollup.h into
// whole buckets read from the rollup rows and sub-minute edges read from the detections, one
// filter "mode" per query, bitmaps of interned sku/class ids for the distinct counts. A
// min_confidence filter reads the confidence rollups (rollup_conf, migration 9; cumulative rows
// of kModeAtLeast for mode 0, migration 11): whole 0.05-wide confidence buckets, plus for a
// threshold off that grid the detection rows of its one partial bucket (index detections_conf), a
// scan counting there unless it holds a detection of the group above that bucket (index
// detections_scan_conf); with neither sku nor class fixed, the fine confidence rows (rollup_fine,
// migration 12; 0.0001-wide at the all level, migration 13) answer that bucket as in the SQLite
// backend, its sub-hour rows found by 0.001 bucket and time (detections_thousandths, migration
// 14), the cumulative rows read through rollup_conf_at_least (migration 15). Only scan_id filters
// read rows alone.
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "core/time.h"
#include "store/id_bits.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_store.h"
#include "store/rollup.h"

namespace vs::store::pg {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int kSkuKind = 1;
constexpr int kClassKind = 2;
// Serialises the interning of new names (rare), so that ids stay dense and unique.
constexpr int64_t kNamesLock = 0x76735F6E616D;  // "vs_nam"

int ModeOf(const DetectionFilter& f) { return (f.sku ? 1 : 0) | (f.class_name ? 2 : 0); }

bool NeedsRows(const DetectionFilter& f) { return f.scan_id.has_value(); }

// As in the SQLite backend: nullopt without a min_confidence (or with one every detection meets,
// then dropped from `f`), else its split; an error for NaN (answered from the rows).
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

// With `min_conf`, the rows of rollup_conf answering confidence buckets >= min_conf
// (ConfReadFor).
Where RollupWhere(const DetectionFilter& f, int level, int64_t lo, int64_t hi,
                  std::optional<int> min_conf = std::nullopt) {
  const ConfRead read = min_conf ? ConfReadFor(ModeOf(f)) : ConfRead{ModeOf(f), false};
  const int64_t from = level == kLevelAll ? kMin : lo;
  const int64_t to = level == kLevelAll ? kMax : hi;
  Where w;
  if (read.cumulative) {
    // The mode as a literal, so that the planner can use the partial index rollup_conf_at_least
    // (migration 15: one range per conf, where the table's key visits every conf of each bucket).
    w.Add("level = ? AND mode = " + std::to_string(kModeAtLeast) +
              " AND conf = ? AND bucket >= ? AND bucket < ?",
          Params::Of(int64_t{level}, int64_t{*min_conf}, from, to));
  } else {
    w.Add("level = ? AND mode = ? AND sku = ? AND class_name = ? AND bucket >= ? AND bucket < ?",
          Params::Of(int64_t{level}, int64_t{read.mode}, f.sku.value_or(""),
                     f.class_name.value_or(""), from, to));
    if (min_conf) w.Add("conf >= ?", Params::Of(int64_t{*min_conf}));
  }
  if (f.store) w.Add("store = ?", Params::Of(*f.store));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  return w;
}

// rollup_fine rows of `level` with buckets in [lo, hi) and fine buckets `range`.
Where FineWhere(const DetectionFilter& f, int level, int64_t lo, int64_t hi,
                const FineRange& range) {
  std::vector<int64_t> js;
  for (int j = range.lo; j < range.hi; ++j) js.push_back(j);
  Where w;
  w.Add("level = ? AND res = ? AND conf = ANY(?::int8[]) AND bucket >= ? AND bucket < ?",
        Params::Of(int64_t{level}, int64_t{range.r}, js, level == kLevelAll ? kMin : lo,
                   level == kLevelAll ? kMax : hi));
  if (f.store) w.Add("store = ?", Params::Of(*f.store));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  return w;
}

std::string RollupTable(const std::optional<ConfSplit>& conf) {
  return conf ? " FROM rollup_conf" : " FROM rollup";
}
std::optional<int> MinConfBucket(const std::optional<ConfSplit>& conf) {
  return conf ? std::optional(conf->first_whole) : std::nullopt;
}
// Time parts read only whole confidence buckets, if there are any (see the SQLite backend).
bool PartsNeeded(const std::optional<ConfSplit>& conf) {
  return !conf || conf->first_whole < kConfBuckets;
}
DetectionFilter EdgeFilter(const DetectionFilter& f, const std::optional<ConfSplit>& conf) {
  DetectionFilter e = f;
  if (conf) e.min_confidence = ConfLow(conf->first_whole);
  return e;
}

// The detection rows of the partial confidence bucket that `f` (its min_confidence aside)
// selects: columns scan_id, sku, class_name, confidence, timestamp, and whether the scan also
// holds a detection of the filter's sku/class group in a higher bucket.
// With `by_time`, for a short time range, the rows are found by 0.001 bucket and time (index
// detections_thousandths, migration 14: one range per bucket, covering what is read); the exact
// confidence bounds are written so that no index on confidence matches them (the planner
// otherwise ANDs in the bitmap of the whole partial bucket, ~170,000 entries at 10M).
// Without `scans_possible` (no scan has its top detection among these rows: PartialRead::tops),
// every row reads as having a higher one.
Result<Rows> ReadPartial(Conn* c, const DetectionFilter& f, const ConfSplit& conf,
                         bool by_time = false, bool scans_possible = true) {
  DetectionFilter g = f;
  g.min_confidence.reset();
  Where w = DetectionWhere(g, "d.");
  if (by_time) {
    w.Add(std::string(kThousandthSql) + " = ANY(?::int4[])",
          Params::Of(ThousandthsOf(conf.partial_lo, conf.partial_hi)));
  }
  const std::string column = by_time ? "(d.confidence + 0)" : "d.confidence";
  w.Add(column + " >= ?", Params::Of(conf.partial_lo));
  std::string higher = conf.partial_hi ? "true" : "false";
  if (conf.partial_hi) w.Add(column + " < ?", Params::Of(*conf.partial_hi));
  if (conf.partial_hi && scans_possible) {
    Params extra = Params::Of(*conf.partial_hi);
    higher = "EXISTS (SELECT 1 FROM detections e WHERE e.scan_id = d.scan_id AND e.confidence >= " +
             w.Next();
    if (f.sku) {
      higher += " AND e.sku = $" + std::to_string(w.args.size() + extra.size() + 1);
      extra.Append(Params::Of(*f.sku));
    }
    if (f.class_name) {
      higher += " AND e.class_name = $" + std::to_string(w.args.size() + extra.size() + 1);
      extra.Append(Params::Of(*f.class_name));
    }
    higher += ")";
    w.args.Append(extra);
  }
  return c->Query("SELECT d.scan_id, d.sku, d.class_name, d.confidence, d.timestamp, " + higher +
                      " FROM detections d" + w.sql,
                  w.args);
}

// As in the SQLite backend: whether a scan of the filter's stores and shelves may have its top
// detection in the fine buckets `tops` (PartialPlan::tops).
Result<bool> AnyTopIn(Conn* c, const DetectionFilter& f, const std::vector<FineRange>& tops) {
  for (const FineRange& range : tops) {
    const Where w = FineWhere(f, kLevelAll, 0, 0, range);
    auto q = c->Query("SELECT 1 FROM rollup_fine" + w.sql + " AND scans > 0 LIMIT 1", w.args);
    if (!q.ok()) return q.status();
    if (!q->empty()) return true;
  }
  return false;
}

DetectionFilter WithRange(DetectionFilter f, int64_t lo, int64_t hi) {
  f.start = FromUnixMillis(lo);
  f.end = FromUnixMillis(hi);
  return f;
}

// The interned ids of `names` of one kind: existing ones read, new ones created.
Result<std::map<std::string, int64_t>> Intern(Conn* c, int kind,
                                              const std::vector<std::string>& names) {
  std::map<std::string, int64_t> ids;
  const auto read = [&]() -> Status {
    auto r = c->Query("SELECT name, id FROM rollup_names WHERE kind = $1 AND name = ANY($2)",
                      Params::Of(int64_t{kind}, names));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) ids[r->Text(i, 0)] = r->Int(i, 1);
    return Status::Ok();
  };
  VS_RETURN_IF_ERROR(read());
  if (ids.size() == names.size()) return ids;
  // Under the lock (held to commit), each statement sees what earlier holders committed.
  VS_RETURN_IF_ERROR(c->Run("SELECT pg_advisory_xact_lock($1)", Params::Of(kNamesLock)));
  VS_RETURN_IF_ERROR(read());
  std::vector<std::string> missing;
  for (const auto& n : names) {
    if (!ids.count(n)) missing.push_back(n);
  }
  if (missing.empty()) return ids;
  auto r = c->Query(
      "INSERT INTO rollup_names(kind, name, id) SELECT $1, u.name,"
      " (SELECT COALESCE(MAX(id), -1) FROM rollup_names WHERE kind = $1) + u.ord"
      " FROM unnest($2::text[]) WITH ORDINALITY AS u(name, ord) RETURNING name, id",
      Params::Of(int64_t{kind}, missing));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->size(); ++i) ids[r->Text(i, 0)] = r->Int(i, 1);
  return ids;
}

// Adds the ids of `names` (all interned by the time their detections are visible) to `bits`.
Status AddNames(Conn* c, int kind, const std::set<std::string>& names, IdBits* bits) {
  if (names.empty()) return Status::Ok();
  auto r =
      c->Query("SELECT id FROM rollup_names WHERE kind = $1 AND name = ANY($2)",
               Params::Of(int64_t{kind}, std::vector<std::string>(names.begin(), names.end())));
  if (!r.ok()) return r.status();
  if (r->size() != static_cast<int>(names.size())) {
    return Status::Internal("rollup_names lacks some names");
  }
  for (int i = 0; i < r->size(); ++i) bits->Set(r->Int(i, 0));
  return Status::Ok();
}

// One upsert of many rollup rows (arrays through unnest).
constexpr const char* kUpsertRollup =
    "INSERT INTO rollup(level, mode, sku, class_name, bucket, store, shelf_location, n, sum_conf,"
    " max_ts, scans, sku_bits, class_bits)"
    " SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::int8[],"
    " $6::text[], $7::text[], $8::int8[], $9::float8[], $10::int8[], $11::int8[],"
    " $12::bytea[], $13::bytea[])"
    " ON CONFLICT (level, mode, sku, class_name, bucket, store, shelf_location) DO UPDATE SET"
    " n = rollup.n + excluded.n, sum_conf = rollup.sum_conf + excluded.sum_conf,"
    " max_ts = CASE WHEN rollup.max_ts IS NULL OR excluded.max_ts > rollup.max_ts"
    " THEN excluded.max_ts ELSE rollup.max_ts END,"
    " scans = rollup.scans + excluded.scans,"
    " sku_bits = vs_bits_or(rollup.sku_bits, excluded.sku_bits),"
    " class_bits = vs_bits_or(rollup.class_bits, excluded.class_bits)";

// One upsert of many confidence rollup rows (schema version 9).
constexpr const char* kUpsertRollupConf =
    "INSERT INTO rollup_conf(level, mode, sku, class_name, bucket, store, shelf_location, conf,"
    " n, sum_conf, max_ts, scans, sku_bits, class_bits)"
    " SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::int8[],"
    " $6::text[], $7::text[], $8::int8[], $9::int8[], $10::float8[], $11::int8[], $12::int8[],"
    " $13::bytea[], $14::bytea[])"
    " ON CONFLICT (level, mode, sku, class_name, bucket, store, shelf_location, conf) DO UPDATE"
    " SET n = rollup_conf.n + excluded.n, sum_conf = rollup_conf.sum_conf + excluded.sum_conf,"
    " max_ts = GREATEST(rollup_conf.max_ts, excluded.max_ts),"
    " scans = rollup_conf.scans + excluded.scans,"
    " sku_bits = vs_bits_or(rollup_conf.sku_bits, excluded.sku_bits),"
    " class_bits = vs_bits_or(rollup_conf.class_bits, excluded.class_bits)";

// One upsert of many fine confidence rows (schema version 12; RollupKey's mode is `res`).
constexpr const char* kUpsertRollupFine =
    "INSERT INTO rollup_fine(level, res, conf, bucket, store, shelf_location, n, sum_conf,"
    " max_ts, scans, sku_bits, class_bits)"
    " SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::text[],"
    " $6::text[], $7::int8[], $8::float8[], $9::int8[], $10::int8[], $11::bytea[], $12::bytea[])"
    " ON CONFLICT (level, res, conf, bucket, store, shelf_location) DO UPDATE"
    " SET n = rollup_fine.n + excluded.n, sum_conf = rollup_fine.sum_conf + excluded.sum_conf,"
    " max_ts = GREATEST(rollup_fine.max_ts, excluded.max_ts),"
    " scans = rollup_fine.scans + excluded.scans,"
    " sku_bits = vs_bits_or(rollup_fine.sku_bits, excluded.sku_bits),"
    " class_bits = vs_bits_or(rollup_fine.class_bits, excluded.class_bits)";

enum class RollupTableKind { kRollup, kConf, kFine };

// One upsert of `rows` (in key order, each key once) into rollup, rollup_conf or rollup_fine.
Status UpsertRows(Conn* c, const std::map<RollupKey, RollupFigures>& rows, RollupTableKind kind) {
  std::vector<int64_t> level_col, mode_col, bucket_col, conf_col, n_col, scans_col;
  std::vector<std::optional<int64_t>> max_col;
  std::vector<std::string> sku_col, class_col, store_col, shelf_col;
  std::vector<double> sum_col;
  std::vector<std::vector<uint8_t>> sku_bits_col, class_bits_col;
  for (const auto& [k, f] : rows) {
    level_col.push_back(k.level);
    mode_col.push_back(k.mode);
    sku_col.push_back(k.sku);
    class_col.push_back(k.class_name);
    bucket_col.push_back(k.bucket);
    store_col.push_back(k.store);
    shelf_col.push_back(k.shelf_location);
    conf_col.push_back(k.conf);
    n_col.push_back(f.n);
    sum_col.push_back(f.sum_conf);
    max_col.push_back(f.max_ts);
    scans_col.push_back(f.scans);
    sku_bits_col.push_back(f.skus.bytes());
    class_bits_col.push_back(f.classes.bytes());
  }
  Params p;
  switch (kind) {
    case RollupTableKind::kRollup:
      p = Params::Of(level_col, mode_col, sku_col, class_col, bucket_col, store_col, shelf_col,
                     n_col, sum_col, max_col, scans_col);
      break;
    case RollupTableKind::kConf:
      p = Params::Of(level_col, mode_col, sku_col, class_col, bucket_col, store_col, shelf_col,
                     conf_col, n_col, sum_col, max_col, scans_col);
      break;
    case RollupTableKind::kFine:
      p = Params::Of(level_col, mode_col, conf_col, bucket_col, store_col, shelf_col, n_col,
                     sum_col, max_col, scans_col);
      break;
  }
  p.AddBytesArray(sku_bits_col).AddBytesArray(class_bits_col);
  return c->Run(kind == RollupTableKind::kRollup ? kUpsertRollup
                : kind == RollupTableKind::kConf ? kUpsertRollupConf
                                                 : kUpsertRollupFine,
                p);
}

}  // namespace

Status PgStore::AddToRollups(Conn* c, const ScanRecord& scan, RollupDelta* rollups) {
  std::map<std::string, int64_t> sku_ids, class_ids;
  if (!scan.detections.empty()) {
    // In order of first appearance, as the SQLite backend interns them.
    std::vector<std::string> skus, classes;
    std::set<std::string> seen_skus, seen_classes;
    for (const auto& d : scan.detections) {
      if (seen_skus.insert(d.sku).second) skus.push_back(d.sku);
      if (seen_classes.insert(d.class_name).second) classes.push_back(d.class_name);
    }
    auto s = Intern(c, kSkuKind, skus);
    if (!s.ok()) return s.status();
    sku_ids = std::move(s).value();
    auto k = Intern(c, kClassKind, classes);
    if (!k.ok()) return k.status();
    class_ids = std::move(k).value();
  }
  rollups->Add(scan, sku_ids, class_ids);
  return Status::Ok();
}

Status PgStore::WriteRollups(Conn* c, const RollupDelta& rollups) {
  // Rows in key order in every transaction, so that concurrent writers lock them in one order.
  VS_RETURN_IF_ERROR(UpsertRows(c, rollups.rollup(), RollupTableKind::kRollup));
  if (rollups.conf().empty()) return Status::Ok();
  VS_RETURN_IF_ERROR(UpsertRows(c, rollups.conf(), RollupTableKind::kConf));
  return UpsertRows(c, rollups.fine(), RollupTableKind::kFine);
}

Result<Summary> PgStore::SummarizeExact(const DetectionFilter& f) {
  const Where w = DetectionWhere(f, "");
  return Read<Summary>([&](Conn* c) -> Result<Summary> {
    auto q = c->Query(
        "SELECT COUNT(*), COUNT(DISTINCT sku), COUNT(DISTINCT class_name), AVG(confidence),"
        " COUNT(DISTINCT scan_id), MAX(timestamp) FROM detections" +
            w.sql,
        w.args);
    if (!q.ok()) return q.status();
    Summary s;
    s.total_detections = q->Int(0, 0);
    s.unique_skus = q->Int(0, 1);
    s.unique_classes = q->Int(0, 2);
    s.average_confidence = q->OptReal(0, 3);
    s.total_scans = q->Int(0, 4);
    if (auto ts = q->OptInt(0, 5)) s.last_detection_at = FromUnixMillis(*ts);
    return s;
  });
}

Result<Summary> PgStore::Summarize(const DetectionFilter& filter) {
  if (NeedsRows(filter)) return SummarizeExact(filter);
  DetectionFilter f = filter;
  auto planned = ConfPlan(&f);
  if (!planned.ok()) return SummarizeExact(filter);
  const std::optional<ConfSplit> conf = *planned;
  const auto parts =
      SplitRange(f.start ? std::optional(ToUnixMillis(*f.start)) : std::nullopt,
                 f.end ? std::optional(ToUnixMillis(*f.end)) : std::nullopt, kLevelAll);
  return Read<Summary>([&](Conn* c) -> Result<Summary> {
    // One snapshot for all parts, so that a scan committed meanwhile counts in all or none.
    Tx snapshot(c);
    VS_RETURN_IF_ERROR(snapshot.status());
    VS_RETURN_IF_ERROR(c->Exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    int64_t n = 0, scans = 0;
    double sum = 0;
    std::optional<int64_t> max_ts;
    const auto add_ts = [&](int64_t ts) {
      if (!max_ts || ts > *max_ts) max_ts = ts;
    };
    IdBits sku_bits, class_bits;
    std::set<std::string> edge_skus, edge_classes;
    // Adds the rows of a rollup-shaped table (rollup, rollup_conf, rollup_fine) `w` selects.
    const auto add_rows = [&](const std::string& from, const Where& w) -> Status {
      auto q = c->Query("SELECT n, sum_conf, max_ts, scans, sku_bits, class_bits" + from + w.sql,
                        w.args);
      if (!q.ok()) return q.status();
      for (int i = 0; i < q->size(); ++i) {
        n += q->Int(i, 0);
        sum += q->Real(i, 1);
        if (auto ts = q->OptInt(i, 2)) add_ts(*ts);
        scans += q->Int(i, 3);
        if (!q->IsNull(i, 4)) {
          const auto b = q->Bytes(i, 4);
          sku_bits.Or(b.data(), static_cast<int>(b.size()));
        }
        if (!q->IsNull(i, 5)) {
          const auto b = q->Bytes(i, 5);
          class_bits.Or(b.data(), static_cast<int>(b.size()));
        }
      }
      return Status::Ok();
    };
    for (const RangePart& part : PartsNeeded(conf) ? parts : std::vector<RangePart>{}) {
      if (part.level == kLevelExact) {
        const Where w = DetectionWhere(WithRange(EdgeFilter(f, conf), part.lo, part.hi), "");
        auto q = c->Query(
            "SELECT scan_id, sku, class_name, confidence, timestamp FROM detections" + w.sql,
            w.args);
        if (!q.ok()) return q.status();
        std::unordered_set<int64_t> edge_scans;
        for (int i = 0; i < q->size(); ++i) {
          edge_scans.insert(q->Int(i, 0));
          edge_skus.insert(q->Text(i, 1));
          edge_classes.insert(q->Text(i, 2));
          ++n;
          sum += q->Real(i, 3);
          add_ts(q->Int(i, 4));
        }
        scans += static_cast<int64_t>(edge_scans.size());
        continue;
      }
      VS_RETURN_IF_ERROR(add_rows(
          RollupTable(conf), RollupWhere(f, part.level, part.lo, part.hi, MinConfBucket(conf))));
    }
    if (conf && conf->partial) {
      std::unordered_set<int64_t> partial_scans;
      const auto add_partial = [&](const Result<Rows>& q) -> Status {
        if (!q.ok()) return q.status();
        for (int i = 0; i < q->size(); ++i) {
          if (!q->Bool(i, 5)) partial_scans.insert(q->Int(i, 0));
          edge_skus.insert(q->Text(i, 1));
          edge_classes.insert(q->Text(i, 2));
          ++n;
          sum += q->Real(i, 3);
          add_ts(q->Int(i, 4));
        }
        return Status::Ok();
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
            VS_RETURN_IF_ERROR(add_partial(
                ReadPartial(c, by_time ? WithRange(f, p.lo, p.hi) : f, read.conf, by_time, check)));
            break;
          }
        }
      }
      scans += static_cast<int64_t>(partial_scans.size());
    }
    Summary s;
    s.total_detections = n;
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
    VS_RETURN_IF_ERROR(snapshot.Commit());
    return s;
  });
}

Result<std::vector<ActivityBucket>> PgStore::Activity(const DetectionFilter& filter,
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
  return Read<std::vector<ActivityBucket>>([&](Conn* c) -> Result<std::vector<ActivityBucket>> {
    Tx snapshot(c);
    VS_RETURN_IF_ERROR(snapshot.status());
    VS_RETURN_IF_ERROR(c->Exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    std::map<int64_t, ActivityBucket> buckets;
    for (const RangePart& part : PartsNeeded(conf) ? parts : std::vector<RangePart>{}) {
      if (part.level == kLevelExact) {
        const Where w = DetectionWhere(WithRange(EdgeFilter(f, conf), part.lo, part.hi), "");
        auto q = c->Query("SELECT " + bucket_expr +
                              ", COUNT(*), COUNT(DISTINCT scan_id) FROM detections" + w.sql +
                              " GROUP BY 1",
                          w.args);
        if (!q.ok()) return q.status();
        for (int i = 0; i < q->size(); ++i) {
          ActivityBucket& b = buckets[q->Int(i, 0)];
          b.detections += q->Int(i, 1);
          b.scans += q->Int(i, 2);
        }
        continue;
      }
      const Where w = RollupWhere(f, part.level, part.lo, part.hi, MinConfBucket(conf));
      auto q = c->Query("SELECT bucket, n, scans" + RollupTable(conf) + w.sql, w.args);
      if (!q.ok()) return q.status();
      for (int i = 0; i < q->size(); ++i) {
        ActivityBucket& b = buckets[FloorTo(q->Int(i, 0), width)];
        b.detections += q->Int(i, 1);
        b.scans += q->Int(i, 2);
      }
    }
    if (conf && conf->partial) {
      auto q = ReadPartial(c, f, *conf);
      if (!q.ok()) return q.status();
      std::set<std::pair<int64_t, int64_t>> counted;  // (bucket, scan) counted here
      for (int i = 0; i < q->size(); ++i) {
        const int64_t b = FloorTo(q->Int(i, 4), width);
        ++buckets[b].detections;
        if (!q->Bool(i, 5) && counted.insert({b, q->Int(i, 0)}).second) ++buckets[b].scans;
      }
    }
    VS_RETURN_IF_ERROR(snapshot.Commit());
    std::vector<ActivityBucket> out;
    for (auto& [start, b] : buckets) {
      if (b.detections == 0) continue;
      b.start = FromUnixMillis(start);
      out.push_back(b);
    }
    return out;
  });
}

}  // namespace vs::store::pg
