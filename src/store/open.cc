#include "store/open.h"

#include <filesystem>

#include "store/postgres/postgres.h"
#include "store/sqlite/sqlite.h"

namespace vs::store {
namespace {

std::string SqlitePath(const Location& where) {
  constexpr std::string_view kScheme = "sqlite:";
  if (where.url.starts_with(kScheme)) return where.url.substr(kScheme.size());
  return (std::filesystem::path(where.data_dir) / "visionstock.db").string();
}

}  // namespace

bool IsPostgresUrl(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string Describe(const Location& where) {
  if (!IsPostgresUrl(where.url)) return SqlitePath(where);
  // postgresql://user:password@host/db → postgresql://user@host/db
  const auto scheme_end = where.url.find("://") + 3;
  const auto at = where.url.find('@', scheme_end);
  const auto colon = where.url.find(':', scheme_end);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return where.url;
  return where.url.substr(0, colon) + where.url.substr(at);
}

Result<std::unique_ptr<Store>> Open(const Location& where) {
  if (IsPostgresUrl(where.url)) {
    return OpenPostgres({.url = where.url});
  }
  if (!where.url.empty() && !where.url.starts_with("sqlite:")) {
    return Status(
        Code::kInvalidValue,
        "unknown database URL (expected postgresql://… or sqlite:PATH): " + Describe(where));
  }
  return OpenSqlite({.path = SqlitePath(where)});
}

}  // namespace vs::store
