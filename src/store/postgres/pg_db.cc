#include "store/postgres/pg_db.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace vs::store::pg {
namespace {

// Type OIDs of the built-in types used here (pg_type.dat; stable across releases).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kText = 25, kFloat8 = 701;
constexpr Oid kInt8Array = 1016, kFloat8Array = 1022, kTextArray = 1009, kByteaArray = 1001;

std::string_view AsText(const std::vector<uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string HexBytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string DoubleText(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
  return std::string(buf, end);
}

// One element of an array literal: double-quoted with " and \ escaped.
void AppendQuoted(std::string* out, std::string_view v) {
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

template <typename T, typename F>
std::string ArrayText(const std::vector<T>& v, F element) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    element(&out, v[i]);
  }
  out.push_back('}');
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

Code CodeOfSqlState(std::string_view s) {
  if (s == "23505") return Code::kConflict;
  if (s.starts_with("23") || s.starts_with("22")) return Code::kInvalidValue;
  if (s.starts_with("08") || s.starts_with("57P") || s.starts_with("53") || s.starts_with("40")) {
    return Code::kUnavailable;
  }
  return Code::kInternal;
}

// --- Params -----------------------------------------------------------------------------------

template <>
Oid Params::TypeOf<int64_t>() {
  return kInt8;
}
template <>
Oid Params::TypeOf<int>() {
  return kInt8;
}
template <>
Oid Params::TypeOf<double>() {
  return kFloat8;
}
template <>
Oid Params::TypeOf<std::string>() {
  return kText;
}
template <>
Oid Params::TypeOf<bool>() {
  return kBool;
}

Params& Params::Push(std::string text, Oid type) {
  values_.push_back(std::move(text));
  null_.push_back(false);
  types_.push_back(type);
  return *this;
}

Params& Params::AddNull(Oid type) {
  values_.emplace_back();
  null_.push_back(true);
  types_.push_back(type);
  return *this;
}

Params& Params::Add(int64_t v) { return Push(std::to_string(v), kInt8); }
Params& Params::Add(double v) { return Push(DoubleText(v), kFloat8); }
Params& Params::Add(std::string_view v) { return Push(std::string(v), kText); }

Params& Params::AddBytes(const std::vector<uint8_t>& bytes) {
  return bytes.empty() ? AddNull(kBytea) : Push(HexBytes(AsText(bytes)), kBytea);
}

Params& Params::AddByteString(std::string_view bytes) { return Push(HexBytes(bytes), kBytea); }

Params& Params::Add(const std::vector<int64_t>& v) {
  return Push(ArrayText(v, [](std::string* o, int64_t x) { *o += std::to_string(x); }), kInt8Array);
}

Params& Params::Add(const std::vector<std::optional<int64_t>>& v) {
  return Push(
      ArrayText(v, [](std::string* o,
                      const std::optional<int64_t>& x) { *o += x ? std::to_string(*x) : "NULL"; }),
      kInt8Array);
}

Params& Params::Add(const std::vector<double>& v) {
  return Push(ArrayText(v, [](std::string* o, double x) { *o += DoubleText(x); }), kFloat8Array);
}

Params& Params::Add(const std::vector<std::string>& v) {
  return Push(ArrayText(v, [](std::string* o, const std::string& x) { AppendQuoted(o, x); }),
              kTextArray);
}

Params& Params::AddBytesArray(const std::vector<std::vector<uint8_t>>& v) {
  return Push(ArrayText(v,
                        [](std::string* o, const std::vector<uint8_t>& x) {
                          if (x.empty()) {
                            *o += "NULL";
                          } else {
                            AppendQuoted(o, HexBytes(AsText(x)));
                          }
                        }),
              kByteaArray);
}

Params& Params::Append(const Params& other) {
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  null_.insert(null_.end(), other.null_.begin(), other.null_.end());
  types_.insert(types_.end(), other.types_.begin(), other.types_.end());
  return *this;
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) out[i] = null_[i] ? nullptr : values_[i].c_str();
  return out;
}

// --- Rows -------------------------------------------------------------------------------------

int64_t Rows::Int(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

double Rows::Real(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  double out = 0;
  std::from_chars(v, v + std::strlen(v), out);  // also reads "Infinity"/"NaN" as PostgreSQL writes
  return out;
}

bool Rows::Bool(int row, int col) const { return PQgetvalue(r_.get(), row, col)[0] == 't'; }

std::string Rows::ByteString(int row, int col) const {
  const std::vector<uint8_t> bytes = Bytes(row, col);
  return std::string(bytes.begin(), bytes.end());
}

std::vector<uint8_t> Rows::Bytes(int row, int col) const {
  std::vector<uint8_t> out;
  const char* v = PQgetvalue(r_.get(), row, col);
  const size_t n = std::strlen(v);
  if (n < 2 || v[0] != '\\' || v[1] != 'x') return out;  // bytea_output is hex (the default)
  out.reserve((n - 2) / 2);
  for (size_t i = 2; i + 1 < n; i += 2) {
    out.push_back(static_cast<uint8_t>(HexValue(v[i]) * 16 + HexValue(v[i + 1])));
  }
  return out;
}

int64_t Rows::Affected() const {
  const char* v = PQcmdTuples(r_.get());
  return *v ? std::strtoll(v, nullptr, 10) : 0;
}

// --- Conn -------------------------------------------------------------------------------------

Result<std::unique_ptr<Conn>> Conn::Connect(const ConnectOptions& options) {
  // Defaults first: settings in the URL override them (expand_dbname).
  const std::string timeout = std::to_string(options.connect_timeout_s);
  const char* keys[] = {"connect_timeout",
                        "application_name",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "dbname",
                        nullptr};
  const char* values[] = {timeout.c_str(),     "visionstock", "10", "5", "3",
                          options.url.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!c) return Status::Unavailable("PostgreSQL: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  // Server notices (e.g. "relation already exists, skipping") are not errors: not printed.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  auto conn = std::unique_ptr<Conn>(new Conn(c));
  // The settings that the text forms read back by Rows depend on.
  VS_RETURN_IF_ERROR(
      conn->Exec("SET client_encoding = 'UTF8'; SET extra_float_digits = 1;"
                 " SET bytea_output = 'hex'"));
  return conn;
}

Conn::~Conn() { PQfinish(c_); }

Status Conn::Check(PGresult* r, std::string_view what) {
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  // No SQLSTATE, or a lost connection: the server is unreachable.
  const Code code = !healthy() || !state ? Code::kUnavailable : CodeOfSqlState(state);
  return Status(code, std::string(what) + ": " + msg);
}

Result<Rows> Conn::Query(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "vs" + std::to_string(prepared_.size() + 1);
    PGresult* prep = PQprepare(c_, name.c_str(), sql.c_str(), params.size(), params.types().data());
    Status s = Check(prep, "prepare");
    PQclear(prep);
    if (!s.ok()) return s;
    it = prepared_.emplace(sql, name).first;
  }
  const auto values = params.Pointers();
  PGresult* r = PQexecPrepared(c_, it->second.c_str(), params.size(), values.data(), nullptr,
                               nullptr, /*resultFormat=*/0);
  Status s = Check(r, "query");
  if (!s.ok()) {
    PQclear(r);
    return s;
  }
  return Rows(r);
}

Status Conn::Run(const std::string& sql, const Params& params) {
  auto r = Query(sql, params);
  return r.status();
}

Status Conn::Exec(const std::string& sql) {
  PGresult* r = PQexec(c_, sql.c_str());
  Status s = Check(r, "exec");
  PQclear(r);
  return s;
}

Status Conn::Commit() {
  PGresult* r = PQexec(c_, "COMMIT");
  Status s = Check(r, "commit");
  if (s.ok() && std::strcmp(PQcmdStatus(r), "COMMIT") != 0) {
    s = Status::Unavailable(std::string("commit: the server answered ") + PQcmdStatus(r));
  }
  PQclear(r);
  return s;
}

}  // namespace vs::store::pg
