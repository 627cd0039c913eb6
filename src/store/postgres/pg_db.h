// A thin layer over libpq: Params builds typed parameter lists (every value travels as a
// parameter with its type, never inside the SQL text), Rows owns a result, Conn owns one
// connection with a cache of prepared statements. A Conn is used by one thread at a time (the
// pool sees to it). PostgreSQL errors become Status values here (SQLSTATE → Code); nothing in
// this layer throws.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace vs::store::pg {

// Maps a SQLSTATE to a Code: 23505 (unique) Conflict, other 23xxx (constraints) and 22xxx (data)
// InvalidValue, connection errors (08xxx), shutdown (57P0x), lack of resources (53xxx),
// serialization failures and deadlocks (40xxx) Unavailable, anything else Internal.
Code CodeOfSqlState(std::string_view sqlstate);

// Parameter values in text form with explicit type OIDs (int8, float8, text, bytea, arrays).
class Params {
 public:
  Params& Add(int64_t v);
  Params& Add(int v) { return Add(static_cast<int64_t>(v)); }
  Params& Add(double v);
  Params& Add(std::string_view v);
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  // A BYTEA, or NULL when `bytes` is empty (as the SQLite store binds empty blobs).
  Params& AddBytes(const std::vector<uint8_t>& bytes);
  // A BYTEA, empty included (photos). Sent as hex text: twice the size on the wire.
  Params& AddByteString(std::string_view bytes);
  template <typename T>
  Params& Add(const std::optional<T>& v) {
    if (v) return Add(*v);
    return AddNull(TypeOf<T>());
  }
  // Arrays (for unnest): int8[], float8[], text[], bytea[]; nullopt elements are NULL.
  Params& Add(const std::vector<int64_t>& v);
  Params& Add(const std::vector<std::optional<int64_t>>& v);
  Params& Add(const std::vector<double>& v);
  Params& Add(const std::vector<std::string>& v);
  Params& AddBytesArray(const std::vector<std::vector<uint8_t>>& v);
  template <typename... Ts>
  static Params Of(const Ts&... vs) {
    Params p;
    (p.Add(vs), ...);
    return p;
  }
  Params& Append(const Params& other);

  int size() const { return static_cast<int>(values_.size()); }
  const std::vector<Oid>& types() const { return types_; }
  // Pointers for PQexecPrepared (null for NULL); valid while this object is unchanged.
  std::vector<const char*> Pointers() const;

 private:
  template <typename T>
  static Oid TypeOf();
  Params& AddNull(Oid type);
  Params& Push(std::string text, Oid type);
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<Oid> types_;
};

// A query's rows, in text form (libpq's default), read by row and column.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;
  double Real(int row, int col) const;
  bool Bool(int row, int col) const;
  std::string Text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  std::vector<uint8_t> Bytes(int row, int col) const;  // BYTEA
  std::string ByteString(int row, int col) const;      // BYTEA as raw bytes
  std::optional<int64_t> OptInt(int row, int col) const {
    return IsNull(row, col) ? std::nullopt : std::optional<int64_t>(Int(row, col));
  }
  std::optional<double> OptReal(int row, int col) const {
    return IsNull(row, col) ? std::nullopt : std::optional<double>(Real(row, col));
  }
  // Rows affected by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

struct ConnectOptions {
  std::string url;            // postgresql://… (any libpq connection string works)
  int connect_timeout_s = 2;  // libpq's smallest useful value
};

class Conn {
 public:
  static Result<std::unique_ptr<Conn>> Connect(const ConnectOptions& options);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs `sql` (one statement, $1… placeholders) as a prepared statement, preparing it on first
  // use on this connection with the parameter types of `params`.
  Result<Rows> Query(const std::string& sql, const Params& params = {});
  // Like Query, for statements whose rows do not matter.
  Status Run(const std::string& sql, const Params& params = {});
  // Runs one or more statements without parameters (schema migrations, BEGIN/COMMIT).
  Status Exec(const std::string& sql);
  // COMMIT, checked: an error unless the server answers "COMMIT".
  Status Commit();
  // False once the connection is lost; the pool then drops it.
  bool healthy() const { return PQstatus(c_) == CONNECTION_OK; }
  PGconn* raw() const { return c_; }

 private:
  explicit Conn(PGconn* c) : c_(c) {}
  Status Check(PGresult* r, std::string_view what);
  PGconn* c_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
};

// BEGIN on construction (check status()); rolls back on destruction unless committed.
class Tx {
 public:
  explicit Tx(Conn* c) : c_(c), begin_(c->Exec("BEGIN")) {}
  ~Tx() {
    if (begin_.ok() && !done_) (void)c_->Exec("ROLLBACK");
  }
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  const Status& status() const { return begin_; }
  // Unavailable unless the server confirms the commit (COMMIT of a failed transaction is
  // answered "ROLLBACK"; a lost connection leaves the outcome unknown).
  Status Commit() {
    done_ = true;
    return c_->Commit();
  }

 private:
  Conn* c_;
  Status begin_;
  bool done_ = false;
};

}  // namespace vs::store::pg
