#include "store/sqlite/sqlite_db.h"

#include <string>

namespace vs::store::sqlite {

Status ErrorStatus(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status::Conflict(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_BUSY_SNAPSHOT:
    case SQLITE_CANTOPEN:
      return Status::Unavailable(std::move(msg));
    default:
      break;
  }
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Status::InvalidValue(std::move(msg));
  return Status::Internal(std::move(msg));
}

Stmt::~Stmt() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Bind(int64_t v) {
  sqlite3_bind_int64(stmt_, next_++, v);
  return *this;
}
Stmt& Stmt::Bind(double v) {
  sqlite3_bind_double(stmt_, next_++, v);
  return *this;
}
Stmt& Stmt::Bind(std::string_view v) {
  sqlite3_bind_text(stmt_, next_++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlob(const std::vector<uint8_t>& bytes) {
  if (bytes.empty()) return BindNull();
  sqlite3_bind_blob(stmt_, next_++, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindBlob(std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, next_++, bytes.empty() ? "" : bytes.data(), bytes.size(),
                      SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull() {
  sqlite3_bind_null(stmt_, next_++);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code (sqlite3_extended_result_codes is on).
  return ErrorStatus(db_, rc, sqlite3_sql(stmt_));
}

Status Stmt::Run() {
  Status s;
  for (;;) {
    auto row = Step();
    if (!row.ok()) {
      s = row.status();
      break;
    }
    if (!*row) break;
  }
  Reset();
  return s;
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  next_ = 1;
}

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool read_only,
                                                     int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (read_only ? 0 : SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = ErrorStatus(db, rc, "cannot open database " + path);
    sqlite3_close_v2(db);
    return Status::Unavailable(s.message());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  std::unique_ptr<Connection> c(new Connection(db));
  // journal_mode=WAL is persistent in the file; readers only confirm it.
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
  if (!read_only) pragmas = "PRAGMA journal_mode=WAL; " + pragmas;
  if (read_only) pragmas += " PRAGMA query_only=ON;";
  VS_RETURN_IF_ERROR(c->Exec(pragmas));
  if (read_only) {
    auto mode = c->Prepare("PRAGMA journal_mode");
    if (!mode.ok()) return mode.status();
    auto row = mode->Step();
    if (!row.ok()) return row.status();
    if (!*row || mode->Text(0) != "wal") {
      return Status::Unavailable("database " + path + " is not in WAL mode");
    }
  }
  return c;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Connection::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return ErrorStatus(db_, rc, "exec");
  return Status::Ok();
}

Result<Stmt> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return ErrorStatus(db_, rc, "prepare " + sql);
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(db_, it->second);
}

Transaction::Transaction(Connection* c) : c_(c) {
  begin_ = c_->Exec("BEGIN IMMEDIATE");
  open_ = begin_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)c_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!open_) return Status::Internal("commit without an open transaction");
  Status s = c_->Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace vs::store::sqlite
