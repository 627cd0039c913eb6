// Pre-aggregated compliance history (the compliance_history table of both backends), shared by
// every backend: which rows answer a filter, how a time range splits into whole buckets and exact
// edges, and the one statement that reads them.
//
// Each compliance_results row is counted in eight bucket rows: UTC day and hour (`level`, as in
// store/rollup.h) x four scopes: kScopeShelf (store, shelf_location, planogram_name),
// kScopeStoreShelf (store, shelf_location, ""), kScopeStore (store, "", "") and kScopeAll
// ("", "", ""). A bucket row holds the sums
// ComplianceBucket reports. The database keeps them (a trigger on compliance_results, in the
// statement's own transaction), so every write of results — RecordCompliance, a store's
// removal cascading to its results — keeps them exact; a bucket whose results are all gone is
// deleted. The results stay the source of truth: the migration that adds the table builds it
// from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/types.h"

namespace vs::store {

inline constexpr int kScopeShelf = 0;
inline constexpr int kScopeStore = 1;
inline constexpr int kScopeAll = 2;
inline constexpr int kScopeStoreShelf = 3;

// The scope of the bucket rows that answer `f`: kScopeStoreShelf when it names a store and a
// shelf but no planogram, else kScopeShelf when it names a shelf or a planogram, kScopeStore
// when it names only a store, kScopeAll when it names neither; nullopt
// when only the results can (a scan_id filter).
std::optional<int> HistoryScope(const ComplianceFilter& f);

// A piece of a history range: level kLevelExact for the results with captured_at in [lo, hi),
// kLevelHour or kLevelDay for the buckets of that level starting in [lo, hi) (each wholly
// inside the range). An absent bound is unbounded.
struct HistoryPart {
  int level;
  std::optional<int64_t> lo, hi;
};

// Splits [lo, hi) into exact edges (each under an hour), hour buckets and, for kDay, day
// buckets, the biggest that fit, never coarser than `g`. Disjoint, covering the range; an empty
// range gives no parts.
std::vector<HistoryPart> SplitHistoryRange(std::optional<int64_t> lo, std::optional<int64_t> hi,
                                           Granularity g);

// One statement with `?` placeholders and its values, in order.
struct HistoryQuery {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> args;
};

// The statement answering ComplianceHistory(f, g): rows of (bucket start, results,
// compliant_results, planned_units, compliant_units, stocked_skus, present_skus,
// out_of_stock_skus, gap_count, facings, gap_width, row_width), oldest first, empty buckets
// absent. Portable SQL (both backends run it; PostgreSQL after numbering the placeholders).
// Returns the empty statement ("") for an empty range.
HistoryQuery HistorySql(const ComplianceFilter& f, Granularity g);

// The migration that adds compliance_history (portable SQL): the table, its indexes and its
// rows built from the stored results. The backend's trigger SQL follows it. The one difference
// between the backends is storage: the rows clustered by their key (SQLite WITHOUT ROWID; a
// PostgreSQL primary key that INCLUDEs the sums), so that a shelf's year of hours is one
// sequential index range rather than one table page per bucket.
std::string HistoryTableSql(bool sqlite);
// The triggers that keep compliance_history equal to sums over compliance_results: SQLite's
// (one per INSERT, DELETE and UPDATE) and PostgreSQL's (a PL/pgSQL function and its trigger).
std::string SqliteHistoryTriggerSql();
std::string PgHistoryTriggerSql();

// SQL of the key columns, in table order, of bucket row (level, scope) of the result in
// `row` ("NEW", "OLD" or a table alias): level, scope, store, shelf_location, planogram_name,
// bucket. For the backends' triggers and migrations.
std::string HistoryKeySql(int level, int scope, const std::string& row);
// The values of the sum columns of compliance_history for the result in `row`, times `sign`
// (1 or -1): results, compliant_results, planned_units, ... row_width, in table order.
std::string HistorySumsSql(const std::string& row, int sign);
// The sum columns of compliance_history, in table order ("results, compliant_results, ...").
extern const char* const kHistorySumColumns;

}  // namespace vs::store
