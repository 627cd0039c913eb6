// SqliteStore: users, API tokens, login sessions and the audit log. No events are committed.
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kUserColumns = "id, name, password_hash, role, created_at";
constexpr const char* kTokenColumns =
    "id, name, token_hash, role, created_by, created_at, last_used_at, revoked";
constexpr const char* kAuditColumns = "id, at, actor, action, target, status, remote_address";

Role RoleFromInt(int64_t v) {
  if (v >= static_cast<int64_t>(Role::kAdmin)) return Role::kAdmin;
  if (v == static_cast<int64_t>(Role::kOperator)) return Role::kOperator;
  return Role::kViewer;
}

User UserFromRow(const Stmt& q) {
  User u;
  u.id = q.Int(0);
  u.name = q.Text(1);
  u.password_hash = q.Text(2);
  u.role = RoleFromInt(q.Int(3));
  u.created_at = FromUnixMillis(q.Int(4));
  return u;
}

ApiToken TokenFromRow(const Stmt& q) {
  ApiToken t;
  t.id = q.Int(0);
  t.name = q.Text(1);
  t.token_hash = q.Text(2);
  t.role = RoleFromInt(q.Int(3));
  t.created_by = q.Text(4);
  t.created_at = FromUnixMillis(q.Int(5));
  if (auto used = q.OptInt(6)) t.last_used_at = FromUnixMillis(*used);
  t.revoked = q.Int(7) != 0;
  return t;
}

AuditEntry AuditFromRow(const Stmt& q) {
  AuditEntry a;
  a.id = q.Int(0);
  a.at = FromUnixMillis(q.Int(1));
  a.actor = q.Text(2);
  a.action = q.Text(3);
  a.target = q.Text(4);
  a.status = static_cast<int>(q.Int(5));
  a.remote_address = q.Text(6);
  return a;
}

int64_t RoleInt(Role r) { return static_cast<int64_t>(r); }

}  // namespace

// --- users ------------------------------------------------------------------------------------

Result<User> SqliteStore::CreateUser(const User& user) {
  if (user.role == Role::kPublic) return Status::InvalidValue("a user needs a role");
  return WriteQuiet<User>([&](Connection* c) -> Result<User> {
    User out = user;
    out.created_at = Now();
    auto q =
        c->Prepare("INSERT INTO users(name, password_hash, role, created_at) VALUES (?, ?, ?, ?)");
    if (!q.ok()) return q.status();
    Status s =
        q->BindAll(out.name, out.password_hash, RoleInt(out.role), ToUnixMillis(out.created_at))
            .Run();
    if (s.code() == Code::kConflict) return Status::Conflict("user '" + user.name + "' exists");
    VS_RETURN_IF_ERROR(s);
    out.id = c->LastInsertId();
    return out;
  });
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name");
  if (!q.ok()) return q.status();
  return Collect<User>(&*q, UserFromRow);
}

Result<User> SqliteStore::GetUserByName(const std::string& name) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?");
  if (!q.ok()) return q.status();
  q->Bind(name);
  return One<User>(&*q, UserFromRow, "user '" + name + "' not found");
}

Result<User> SqliteStore::GetUser(Id id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return One<User>(&*q, UserFromRow, "user " + std::to_string(id) + " not found");
}

Status SqliteStore::DeleteUser(const std::string& name) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
           auto tokens = c->Prepare("UPDATE api_tokens SET revoked = 1 WHERE created_by = ?");
           if (!tokens.ok()) return tokens.status();
           VS_RETURN_IF_ERROR(tokens->Bind(name).Run());
           auto q = c->Prepare("DELETE FROM users WHERE name = ?");  // sessions cascade
           if (!q.ok()) return q.status();
           VS_RETURN_IF_ERROR(q->Bind(name).Run());
           if (c->Changes() == 0) return Status::NotFound("user '" + name + "' not found");
           return true;
         })
      .status();
}

// --- API tokens -------------------------------------------------------------------------------

Result<ApiToken> SqliteStore::CreateToken(const ApiToken& token) {
  if (token.role == Role::kPublic) return Status::InvalidValue("a token needs a role");
  return WriteQuiet<ApiToken>([&](Connection* c) -> Result<ApiToken> {
    ApiToken out = token;
    out.created_at = Now();
    out.revoked = false;
    out.last_used_at.reset();
    auto q = c->Prepare(
        "INSERT INTO api_tokens(name, token_hash, role, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(out.name, out.token_hash, RoleInt(out.role), out.created_by,
                                  ToUnixMillis(out.created_at))
                           .Run());
    out.id = c->LastInsertId();
    return out;
  });
}

Result<std::vector<ApiToken>> SqliteStore::ListTokens() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY id");
  if (!q.ok()) return q.status();
  return Collect<ApiToken>(&*q, TokenFromRow);
}

Result<ApiToken> SqliteStore::UseToken(const std::string& token_hash) {
  ApiToken token;
  {
    auto r = AcquireReader();
    if (!r.ok()) return r.status();
    auto q = (*r)->Prepare(std::string("SELECT ") + kTokenColumns +
                           " FROM api_tokens WHERE token_hash = ? AND revoked = 0");
    if (!q.ok()) return q.status();
    q->Bind(token_hash);
    auto one = One<ApiToken>(&*q, TokenFromRow, "unknown or revoked API token");
    if (!one.ok()) return one.status();
    token = std::move(one).value();
  }
  // Record the use at most once a minute per token, so that a busy camera costs no writes.
  const Timestamp now = Now();
  if (!token.last_used_at || ToUnixMillis(now) - ToUnixMillis(*token.last_used_at) > 60'000) {
    auto s = WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
      auto q = c->Prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
      if (!q.ok()) return q.status();
      VS_RETURN_IF_ERROR(q->BindAll(ToUnixMillis(now), token.id).Run());
      return true;
    });
    if (s.ok()) token.last_used_at = now;
  }
  return token;
}

Status SqliteStore::RevokeToken(Id id) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
           auto q = c->Prepare("UPDATE api_tokens SET revoked = 1 WHERE id = ?");
           if (!q.ok()) return q.status();
           VS_RETURN_IF_ERROR(q->Bind(id).Run());
           if (c->Changes() == 0) {
             return Status::NotFound("token " + std::to_string(id) + " not found");
           }
           return true;
         })
      .status();
}

// --- login sessions ---------------------------------------------------------------------------

Status SqliteStore::CreateSession(const LoginSession& session) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
           auto prune = c->Prepare("DELETE FROM login_sessions WHERE expires_at <= ?");
           if (!prune.ok()) return prune.status();
           VS_RETURN_IF_ERROR(prune->Bind(ToUnixMillis(Now())).Run());
           auto q = c->Prepare(
               "INSERT INTO login_sessions(id_hash, user_id, created_at, expires_at) "
               "VALUES (?, ?, ?, ?)");
           if (!q.ok()) return q.status();
           VS_RETURN_IF_ERROR(q->BindAll(session.id_hash, session.user_id,
                                         ToUnixMillis(session.created_at),
                                         ToUnixMillis(session.expires_at))
                                  .Run());
           return true;
         })
      .status();
}

Result<LoginSession> SqliteStore::GetSession(const std::string& id_hash) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(
      "SELECT id_hash, user_id, created_at, expires_at FROM login_sessions "
      "WHERE id_hash = ? AND expires_at > ?");
  if (!q.ok()) return q.status();
  q->BindAll(id_hash, ToUnixMillis(Now()));
  return One<LoginSession>(
      &*q,
      [](const Stmt& row) {
        LoginSession s;
        s.id_hash = row.Text(0);
        s.user_id = row.Int(1);
        s.created_at = FromUnixMillis(row.Int(2));
        s.expires_at = FromUnixMillis(row.Int(3));
        return s;
      },
      "no such session (logged out or expired)");
}

Status SqliteStore::DeleteSession(const std::string& id_hash) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
           auto q = c->Prepare("DELETE FROM login_sessions WHERE id_hash = ?");
           if (!q.ok()) return q.status();
           VS_RETURN_IF_ERROR(q->Bind(id_hash).Run());
           return true;
         })
      .status();
}

// --- audit log --------------------------------------------------------------------------------

Result<AuditEntry> SqliteStore::AppendAudit(const AuditEntry& entry) {
  return WriteQuiet<AuditEntry>([&](Connection* c) -> Result<AuditEntry> {
    AuditEntry out = entry;
    if (ToUnixMillis(out.at) == 0) out.at = Now();
    auto q = c->Prepare(
        "INSERT INTO audit_log(at, actor, action, target, status, remote_address) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(ToUnixMillis(out.at), out.actor, out.action, out.target,
                                  out.status, out.remote_address)
                           .Run());
    out.id = c->LastInsertId();
    return out;
  });
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(std::optional<Id> before_id, int limit) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kAuditColumns +
                         " FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  q->BindAll(before_id.value_or(INT64_MAX), limit);
  return Collect<AuditEntry>(&*q, AuditFromRow);
}

}  // namespace vs::store::sqlite
