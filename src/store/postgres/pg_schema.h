// The PostgreSQL schema as numbered migrations, applied in order at start. Each runs in its own
// transaction and is recorded in schema_migrations. Migrate holds a session advisory lock while
// it runs, so that instances starting together apply each migration once; the others wait and
// then find nothing left to do.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/postgres/pg_db.h"

namespace vs::store::pg {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Advisory lock keys of this schema (per database: PostgreSQL scopes them to it).
inline constexpr int64_t kMigrationLock = 0x76735F6D6967;  // "vs_mig"
inline constexpr int64_t kEventLock = 0x76735F657674;      // "vs_evt", see vs_append_event

const std::vector<Migration>& Migrations();

// Brings the database to the newest version. Unavailable when the database is newer than this
// program (written by a later release).
Status Migrate(Conn* c);

}  // namespace vs::store::pg
