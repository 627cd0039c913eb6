// Picks the storage backend from a URL: `postgresql://…` (or `postgres://…`) for a shared
// PostgreSQL, anything else — an empty URL included — for SQLite in the data folder.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace vs::store {

struct Location {
  std::string url;       // empty: SQLite; "sqlite:PATH": SQLite at PATH; "postgresql://…"
  std::string data_dir;  // where the SQLite file visionstock.db lives when `url` is empty
};

// True when `url` names a PostgreSQL database.
bool IsPostgresUrl(const std::string& url);

// The location for logs and /health: the SQLite path, or the URL without its password.
std::string Describe(const Location& where);

// Opens (creating and migrating as needed) the store at `where`.
Result<std::unique_ptr<Store>> Open(const Location& where);

}  // namespace vs::store
