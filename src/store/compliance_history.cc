#include "store/compliance_history.h"

#include <iterator>
#include <string_view>

#include "store/rollup.h"

namespace vs::store {
namespace {

// The result columns summed into a bucket, in compliance_history order (after `results`).
constexpr const char* kSummed[] = {
    "compliant",         "planned_units", "compliant_units", "stocked_skus", "present_skus",
    "out_of_stock_skus", "gap_count",     "facings",         "gap_width",    "row_width"};
// The part columns of HistorySql's union, named by the first part.
constexpr const char* kPartNames[] = {"t",  "n",  "c",  "pu", "cu", "ss",
                                      "ps", "os", "gc", "fc", "gw", "rw"};

int64_t WidthOf(int level) { return level == kLevelDay ? kDayMs : kHourMs; }

// Largest multiple of `width` <= `column` (also before 1970: % truncates toward zero).
std::string FloorSql(const std::string& column, int64_t width) {
  const std::string w = std::to_string(width);
  return "(" + column + " - ((" + column + " % " + w + ") + " + w + ") % " + w + ")";
}

int64_t CeilTo(int64_t ms, int64_t width) {
  const int64_t f = FloorTo(ms, width);
  return f == ms ? ms : f + width;
}

std::string Aliased(const std::vector<std::string>& exprs) {
  std::string out;
  for (size_t i = 0; i < exprs.size(); ++i) {
    out += (i ? ", " : "") + exprs[i] + " AS " + kPartNames[i];
  }
  return out;
}

class Builder {
 public:
  void Add(const std::string& condition) {
    where_ += (where_.empty() ? " WHERE " : " AND ") + condition;
  }
  template <typename T>
  void Add(const std::string& condition, T value) {
    Add(condition);
    args_.emplace_back(std::move(value));
  }
  std::string TakeWhere() { return std::exchange(where_, std::string()); }
  std::vector<std::variant<int64_t, std::string>> TakeArgs() { return std::move(args_); }

 private:
  std::string where_;
  std::vector<std::variant<int64_t, std::string>> args_;
};

void AddBounds(Builder* b, const std::string& column, const HistoryPart& part) {
  if (part.lo) b->Add(column + " >= ?", *part.lo);
  if (part.hi) b->Add(column + " < ?", *part.hi);
}

std::string ExactPart(const ComplianceFilter& f, const HistoryPart& part, Builder* b) {
  std::vector<std::string> cols = {"captured_at", "1"};
  for (const char* c : kSummed) cols.push_back(c);
  if (f.store) b->Add("store = ?", *f.store);
  if (f.shelf_location) b->Add("shelf_location = ?", *f.shelf_location);
  if (f.planogram_name) b->Add("planogram_name = ?", *f.planogram_name);
  if (f.scan_id) b->Add("scan_id = ?", int64_t{*f.scan_id});
  AddBounds(b, "captured_at", part);
  return "SELECT " + Aliased(cols) + " FROM compliance_results" + b->TakeWhere();
}

std::string BucketPart(const ComplianceFilter& f, int scope, const HistoryPart& part, Builder* b) {
  std::vector<std::string> cols = {"bucket", "results"};
  for (const char* c : kSummed)
    cols.push_back(c == std::string("compliant") ? "compliant_results" : c);
  // Literals, not parameters: the partial indexes (WHERE scope = 0) apply only to a query whose
  // condition names the scope itself.
  b->Add("level = " + std::to_string(part.level));
  b->Add("scope = " + std::to_string(scope));
  if (scope == kScopeShelf) {
    if (f.store) b->Add("store = ?", *f.store);
    if (f.shelf_location) b->Add("shelf_location = ?", *f.shelf_location);
    if (f.planogram_name) b->Add("planogram_name = ?", *f.planogram_name);
  } else {
    // The constant key columns make the whole (level, scope, store, shelf, planogram) prefix of
    // the primary key an equality, so the bucket range is one index range.
    b->Add("store = ?", scope == kScopeAll ? std::string() : *f.store);
    if (scope == kScopeStoreShelf) {
      b->Add("shelf_location = ?", *f.shelf_location);
    } else {
      b->Add("shelf_location = ''");
    }
    b->Add("planogram_name = ''");
  }
  AddBounds(b, "bucket", part);
  return "SELECT " + Aliased(cols) + " FROM compliance_history" + b->TakeWhere();
}

}  // namespace

const char* const kHistorySumColumns =
    "results, compliant_results, planned_units, compliant_units, stocked_skus, present_skus,"
    " out_of_stock_skus, gap_count, facings, gap_width, row_width";

std::optional<int> HistoryScope(const ComplianceFilter& f) {
  if (f.scan_id) return std::nullopt;
  if (f.store && f.shelf_location && !f.planogram_name) return kScopeStoreShelf;
  if (f.shelf_location || f.planogram_name) return kScopeShelf;
  if (f.store) return kScopeStore;
  return kScopeAll;
}

std::vector<HistoryPart> SplitHistoryRange(std::optional<int64_t> lo, std::optional<int64_t> hi,
                                           Granularity g) {
  const int coarsest = g == Granularity::kDay ? kLevelDay : kLevelHour;
  if (lo && hi && *lo >= *hi) return {};
  if (!lo && !hi) return {{coarsest, std::nullopt, std::nullopt}};
  // The whole hours inside the range.
  std::optional<int64_t> hl = lo ? std::optional(CeilTo(*lo, kHourMs)) : std::nullopt;
  std::optional<int64_t> hh = hi ? std::optional(FloorTo(*hi, kHourMs)) : std::nullopt;
  if (hl && hh && *hl >= *hh) return {{kLevelExact, lo, hi}};
  std::vector<HistoryPart> out;
  if (lo && *lo < *hl) out.push_back({kLevelExact, lo, hl});
  if (hi && *hh < *hi) out.push_back({kLevelExact, hh, hi});
  if (coarsest == kLevelHour) {
    out.push_back({kLevelHour, hl, hh});
    return out;
  }
  // The whole days inside the whole hours; hours on either side.
  std::optional<int64_t> dl = hl ? std::optional(CeilTo(*hl, kDayMs)) : std::nullopt;
  std::optional<int64_t> dh = hh ? std::optional(FloorTo(*hh, kDayMs)) : std::nullopt;
  if (dl && dh && *dl >= *dh) {
    out.push_back({kLevelHour, hl, hh});
    return out;
  }
  if (hl && *hl < *dl) out.push_back({kLevelHour, hl, dl});
  out.push_back({kLevelDay, dl, dh});
  if (hh && *dh < *hh) out.push_back({kLevelHour, dh, hh});
  return out;
}

HistoryQuery HistorySql(const ComplianceFilter& f, Granularity g) {
  const std::optional<int64_t> lo = f.start ? std::optional(ToUnixMillis(*f.start)) : std::nullopt;
  const std::optional<int64_t> hi = f.end ? std::optional(ToUnixMillis(*f.end)) : std::nullopt;
  const std::optional<int> scope = HistoryScope(f);
  std::vector<HistoryPart> parts;
  if (!scope) {
    if (!(lo && hi && *lo >= *hi)) parts.push_back({kLevelExact, lo, hi});
  } else {
    parts = SplitHistoryRange(lo, hi, g);
  }
  if (parts.empty()) return {};
  Builder b;
  // One whole-bucket part whose rows are one per bucket (a store, a shelf of a store, everything,
  // or one planogram of one shelf of a store): those rows are the answer, in key order, with
  // nothing to add up.
  const bool one_per_bucket =
      scope && (*scope != kScopeShelf || (f.store && f.shelf_location && f.planogram_name));
  if (parts.size() == 1 && parts[0].level != kLevelExact && one_per_bucket) {
    HistoryQuery q;
    q.sql = BucketPart(f, *scope, parts[0], &b) + " ORDER BY " + kPartNames[0];
    q.args = b.TakeArgs();
    return q;
  }
  std::string unions;
  for (const HistoryPart& p : parts) {
    unions += unions.empty() ? "" : " UNION ALL ";
    unions += p.level == kLevelExact ? ExactPart(f, p, &b) : BucketPart(f, *scope, p, &b);
  }
  std::string sums;
  for (size_t i = 1; i < std::size(kPartNames); ++i) {
    sums += std::string(", SUM(") + kPartNames[i] + ")";
  }
  HistoryQuery q;
  q.sql = "SELECT " + FloorSql("t", g == Granularity::kDay ? kDayMs : kHourMs) + " AS b" + sums +
          " FROM (" + unions + ") AS parts GROUP BY b HAVING SUM(n) > 0 ORDER BY b";
  q.args = b.TakeArgs();
  return q;
}

std::string HistoryKeySql(int level, int scope, const std::string& row) {
  const std::string r = row + ".";
  return std::to_string(level) + ", " + std::to_string(scope) + ", " +
         (scope == kScopeAll ? "''" : r + "store") + ", " +
         (scope == kScopeShelf || scope == kScopeStoreShelf ? r + "shelf_location" : "''") + ", " +
         (scope == kScopeShelf ? r + "planogram_name" : "''") + ", " +
         FloorSql(r + "captured_at", WidthOf(level));
}

std::string HistorySumsSql(const std::string& row, int sign) {
  const std::string s = sign < 0 ? "-" : "";
  std::string out = sign < 0 ? "-1" : "1";
  for (const char* c : kSummed) out += ", " + s + row + "." + c;
  return out;
}

namespace {

constexpr const char* kKeyColumns = "level, scope, store, shelf_location, planogram_name, bucket";
constexpr int kLevels[] = {kLevelDay, kLevelHour};
constexpr int kScopes[] = {kScopeShelf, kScopeStoreShelf, kScopeStore, kScopeAll};

// "results = <t>.results + excluded.results, ..." for an upsert's DO UPDATE.
std::string AddExcluded(const std::string& target) {
  std::string out;
  std::string_view rest = kHistorySumColumns;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view col = rest.substr(0, comma);
    while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
    const std::string c(col);
    out += (out.empty() ? "" : ", ") + c + " = " + target + c + " + excluded." + c;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

std::string Upsert(const std::string& values, const std::string& target) {
  return std::string("INSERT INTO compliance_history") + (target.empty() ? "" : " AS h") + "(" +
         kKeyColumns + ", " + kHistorySumColumns + ") VALUES " + values + " ON CONFLICT (" +
         kKeyColumns + ") DO UPDATE SET " + AddExcluded(target.empty() ? "" : target + ".") + ";\n";
}

// SQLite: one upsert per bucket row of `row` (NEW or OLD), then for a removal the rows left
// without results deleted.
std::string SqliteApply(const std::string& row, int sign) {
  std::string out;
  for (int level : kLevels) {
    for (int scope : kScopes) {
      out += "  " +
             Upsert("(" + HistoryKeySql(level, scope, row) + ", " + HistorySumsSql(row, sign) + ")",
                    "");
    }
  }
  if (sign > 0) return out;
  for (int level : kLevels) {
    for (int scope : kScopes) {
      out += std::string("  DELETE FROM compliance_history WHERE (") + kKeyColumns + ") = (" +
             HistoryKeySql(level, scope, row) + ") AND results = 0;\n";
    }
  }
  return out;
}

// PostgreSQL: one multi-row upsert of `row`'s bucket rows (in a fixed order, so that concurrent
// writers lock shared rows in the same order), then for a removal the emptied rows deleted.
std::string PgApply(const std::string& row, int sign) {
  std::string values, keys;
  for (int level : kLevels) {
    for (int scope : kScopes) {
      values += (values.empty() ? "" : ", ") + std::string("(") + HistoryKeySql(level, scope, row) +
                ", " + HistorySumsSql(row, sign) + ")";
      keys +=
          (keys.empty() ? "" : ", ") + std::string("(") + HistoryKeySql(level, scope, row) + ")";
    }
  }
  std::string out = "    " + Upsert(values, "h");
  if (sign < 0) {
    out += std::string("    DELETE FROM compliance_history WHERE results = 0 AND (") + kKeyColumns +
           ") IN (" + keys + ");\n";
  }
  return out;
}

}  // namespace

std::string HistoryTableSql(bool sqlite) {
  std::string sql =
      std::string(R"sql(
CREATE TABLE compliance_history (
  level             INTEGER NOT NULL,
  scope             INTEGER NOT NULL,
  store             TEXT NOT NULL,
  shelf_location    TEXT NOT NULL,
  planogram_name    TEXT NOT NULL,
  bucket            BIGINT NOT NULL,
  results           BIGINT NOT NULL,
  compliant_results BIGINT NOT NULL,
  planned_units     BIGINT NOT NULL,
  compliant_units   BIGINT NOT NULL,
  stocked_skus      BIGINT NOT NULL,
  present_skus      BIGINT NOT NULL,
  out_of_stock_skus BIGINT NOT NULL,
  gap_count         BIGINT NOT NULL,
  facings           BIGINT NOT NULL,
  gap_width         DOUBLE PRECISION NOT NULL,
  row_width         DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (level, scope, store, shelf_location, planogram_name, bucket))sql") +
      (sqlite ? ")\nWITHOUT ROWID;" : "\n    INCLUDE (" + std::string(kHistorySumColumns) + "));") +
      R"sql(
-- A shelf or a planogram across every store (the primary key serves the rest).
CREATE INDEX compliance_history_shelf ON compliance_history(level, shelf_location, bucket)
  WHERE scope = 0;
CREATE INDEX compliance_history_planogram ON compliance_history(level, planogram_name, bucket)
  WHERE scope = 0;
)sql";
  for (int level : kLevels) {
    for (int scope : kScopes) {
      const std::string bucket = FloorSql("r.captured_at", WidthOf(level));
      const std::string group = scope == kScopeShelf
                                    ? "r.store, r.shelf_location, r.planogram_name, "
                                : scope == kScopeStoreShelf ? "r.store, r.shelf_location, "
                                : scope == kScopeStore      ? "r.store, "
                                                            : "";
      std::string sums = "COUNT(*)";
      for (const char* c : kSummed) sums += std::string(", SUM(r.") + c + ")";
      sql += std::string("INSERT INTO compliance_history(") + kKeyColumns + ", " +
             kHistorySumColumns + ") SELECT " + HistoryKeySql(level, scope, "r") + ", " + sums +
             " FROM compliance_results r GROUP BY " + group + bucket + ";\n";
    }
  }
  return sql;
}

std::string SqliteHistoryTriggerSql() {
  return "CREATE TRIGGER compliance_results_history_insert AFTER INSERT ON compliance_results\n"
         "BEGIN\n" +
         SqliteApply("NEW", 1) +
         "END;\n"
         "CREATE TRIGGER compliance_results_history_delete AFTER DELETE ON compliance_results\n"
         "BEGIN\n" +
         SqliteApply("OLD", -1) +
         "END;\n"
         "CREATE TRIGGER compliance_results_history_update AFTER UPDATE ON compliance_results\n"
         "BEGIN\n" +
         SqliteApply("OLD", -1) + SqliteApply("NEW", 1) + "END;\n";
}

std::string PgHistoryTriggerSql() {
  return "CREATE FUNCTION vs_compliance_history() RETURNS trigger LANGUAGE plpgsql AS $$\n"
         "BEGIN\n"
         "  IF TG_OP <> 'INSERT' THEN\n" +
         PgApply("OLD", -1) +
         "  END IF;\n"
         "  IF TG_OP <> 'DELETE' THEN\n" +
         PgApply("NEW", 1) +
         "  END IF;\n"
         "  RETURN NULL;\n"
         "END $$;\n"
         "CREATE TRIGGER compliance_results_history AFTER INSERT OR UPDATE OR DELETE\n"
         "  ON compliance_results FOR EACH ROW EXECUTE FUNCTION vs_compliance_history();\n";
}

}  // namespace vs::store
