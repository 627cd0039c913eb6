// A thin layer over the SQLite C API: one Connection owns one sqlite3 handle and a cache of
// prepared statements; Stmt is a borrowed, reset-on-destruction view of a cached statement.
// A Connection is used by one thread at a time (the store's pool and writer mutex see to it).
// SQLite errors become Status values here; nothing in this layer throws.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace vs::store::sqlite {

// Maps an SQLite result code (extended codes included) to a Status: constraint violations are
// Conflict (unique) or InvalidValue (others), busy/locked are Unavailable, the rest Internal.
Status ErrorStatus(sqlite3* db, int rc, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_), next_(o.next_) { o.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Binds the next parameter (1, 2, ... in call order). std::nullopt binds NULL.
  Stmt& Bind(int64_t v);
  Stmt& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  Stmt& Bind(double v);
  Stmt& Bind(std::string_view v);
  Stmt& Bind(const std::string& v) { return Bind(std::string_view(v)); }
  Stmt& Bind(const char* v) { return Bind(std::string_view(v)); }
  Stmt& BindNull();
  // Binds a BLOB, or NULL when `bytes` is empty.
  Stmt& BindBlob(const std::vector<uint8_t>& bytes);
  Stmt& BindBlob(std::string_view bytes);  // an empty blob, not NULL
  template <typename T>
  Stmt& Bind(const std::optional<T>& v) {
    return v ? Bind(*v) : BindNull();
  }
  template <typename... Ts>
  Stmt& BindAll(const Ts&... vs) {
    (Bind(vs), ...);
    return *this;
  }

  // True with a row ready, false when done, or the error.
  Result<bool> Step();
  // Runs to completion, ignoring rows, then resets so that the statement can be bound anew.
  Status Run();
  // Makes the statement ready to run again; the next Bind sets parameter 1.
  void Reset();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const;
  const void* BlobData(int col) const { return sqlite3_column_blob(stmt_, col); }
  int BlobSize(int col) const { return sqlite3_column_bytes(stmt_, col); }
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }
  std::optional<double> OptReal(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<double>(Real(col));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_ = 1;
};

class Connection {
 public:
  // Opens `path` (creating it unless read_only), in WAL mode with foreign keys enforced and the
  // given busy timeout. read_only connections refuse writes (PRAGMA query_only).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only,
                                                  int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows of interest.
  Status Exec(const std::string& sql);
  // A cached prepared statement for `sql`. At most one Stmt per distinct SQL text may be alive.
  Result<Stmt> Prepare(const std::string& sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// A read transaction (one snapshot for several queries): BEGIN on construction, COMMIT on
// destruction.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection* c) : c_(c), ok_(c->Exec("BEGIN").ok()) {}
  ~ReadSnapshot() {
    if (ok_) (void)c_->Exec("COMMIT");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Connection* c_;
  bool ok_;
};

// BEGIN IMMEDIATE on construction (check status()); rolls back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection* c);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& status() const { return begin_; }
  Status Commit();

 private:
  Connection* c_;
  Status begin_;
  bool open_ = false;
};

}  // namespace vs::store::sqlite
