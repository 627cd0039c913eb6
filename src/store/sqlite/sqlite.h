// Opening the SQLite backend directly (tests, benchmarks). Programs use store::Open (store/open.h).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace vs::store {

struct SqliteOptions {
  std::string path;  // database file; ":memory:" is not supported (readers need a shared file)
  int busy_timeout_ms = 5000;
};

// Opens (creating if needed) and migrates an SQLite store.
Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options);

}  // namespace vs::store
