// The SQLite schema as an ordered list of versioned migrations. Each migration is applied once,
// in its own transaction, and recorded in schema_migrations(version, name, applied_at).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/sqlite/sqlite_db.h"

namespace vs::store::sqlite {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Every migration, oldest first.
const std::vector<Migration>& Migrations();

// Applies the migrations missing from `c`'s database. Unavailable when the database was written
// by a newer program (it records a version this program does not know).
Status Migrate(Connection* c);

// SQL that recomputes the rollup tables (rollup, rollup_conf) from detections and scans, interning
// any sku or class name not yet in rollup_names (used by the migration that creates it, and by
// tests as the definition of what InsertScan maintains incrementally). Needs RegisterBitFunctions.
std::string RollupRebuildSql();

}  // namespace vs::store::sqlite
