// PgStore: users, API tokens, login sessions and the audit log. No events are committed.
#include <cstdint>

#include "core/time.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace vs::store::pg {
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

User UserFromRow(const Rows& q, int i) {
  User u;
  u.id = q.Int(i, 0);
  u.name = q.Text(i, 1);
  u.password_hash = q.Text(i, 2);
  u.role = RoleFromInt(q.Int(i, 3));
  u.created_at = FromUnixMillis(q.Int(i, 4));
  return u;
}

ApiToken TokenFromRow(const Rows& q, int i) {
  ApiToken t;
  t.id = q.Int(i, 0);
  t.name = q.Text(i, 1);
  t.token_hash = q.Text(i, 2);
  t.role = RoleFromInt(q.Int(i, 3));
  t.created_by = q.Text(i, 4);
  t.created_at = FromUnixMillis(q.Int(i, 5));
  if (auto used = q.OptInt(i, 6)) t.last_used_at = FromUnixMillis(*used);
  t.revoked = q.Int(i, 7) != 0;
  return t;
}

AuditEntry AuditFromRow(const Rows& q, int i) {
  AuditEntry a;
  a.id = q.Int(i, 0);
  a.at = FromUnixMillis(q.Int(i, 1));
  a.actor = q.Text(i, 2);
  a.action = q.Text(i, 3);
  a.target = q.Text(i, 4);
  a.status = static_cast<int>(q.Int(i, 5));
  a.remote_address = q.Text(i, 6);
  return a;
}

int64_t RoleInt(Role r) { return static_cast<int64_t>(r); }

}  // namespace

// --- users ------------------------------------------------------------------------------------

Result<User> PgStore::CreateUser(const User& user) {
  if (user.role == Role::kPublic) return Status::InvalidValue("a user needs a role");
  return WriteQuiet<User>([&](Conn* c) -> Result<User> {
    User out = user;
    out.created_at = Now();
    auto r = c->Query(
        "INSERT INTO users(name, password_hash, role, created_at) VALUES ($1, $2, $3, $4)"
        " RETURNING id",
        Params::Of(out.name, out.password_hash, RoleInt(out.role), ToUnixMillis(out.created_at)));
    if (r.status().code() == Code::kConflict) {
      return Status::Conflict("user '" + user.name + "' exists");
    }
    if (!r.ok()) return r.status();
    out.id = r->Int(0, 0);
    return out;
  });
}

Result<std::vector<User>> PgStore::ListUsers() {
  return Read<std::vector<User>>([&](Conn* c) {
    return QueryAll<User>(
        c, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name COLLATE \"C\"", {},
        UserFromRow);
  });
}

Result<User> PgStore::GetUserByName(const std::string& name) {
  return Read<User>([&](Conn* c) {
    return QueryOne<User>(c, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = $1",
                          Params::Of(name), UserFromRow, "user '" + name + "' not found");
  });
}

Result<User> PgStore::GetUser(Id id) {
  return Read<User>([&](Conn* c) {
    return QueryOne<User>(c, std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1",
                          Params::Of(id), UserFromRow, "user " + std::to_string(id) + " not found");
  });
}

Status PgStore::DeleteUser(const std::string& name) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           VS_RETURN_IF_ERROR(
               c->Run("UPDATE api_tokens SET revoked = 1 WHERE created_by = $1", Params::Of(name)));
           auto r = c->Query("DELETE FROM users WHERE name = $1",  // sessions cascade
                             Params::Of(name));
           if (!r.ok()) return r.status();
           if (r->Affected() == 0) return Status::NotFound("user '" + name + "' not found");
           return true;
         })
      .status();
}

// --- API tokens -------------------------------------------------------------------------------

Result<ApiToken> PgStore::CreateToken(const ApiToken& token) {
  if (token.role == Role::kPublic) return Status::InvalidValue("a token needs a role");
  return WriteQuiet<ApiToken>([&](Conn* c) -> Result<ApiToken> {
    ApiToken out = token;
    out.created_at = Now();
    out.revoked = false;
    out.last_used_at.reset();
    auto r = c->Query(
        "INSERT INTO api_tokens(name, token_hash, role, created_by, created_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING id",
        Params::Of(out.name, out.token_hash, RoleInt(out.role), out.created_by,
                   ToUnixMillis(out.created_at)));
    if (!r.ok()) return r.status();
    out.id = r->Int(0, 0);
    return out;
  });
}

Result<std::vector<ApiToken>> PgStore::ListTokens() {
  return Read<std::vector<ApiToken>>([&](Conn* c) {
    return QueryAll<ApiToken>(
        c, std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY id", {},
        TokenFromRow);
  });
}

Result<ApiToken> PgStore::UseToken(const std::string& token_hash) {
  auto token = Read<ApiToken>([&](Conn* c) {
    return QueryOne<ApiToken>(c,
                              std::string("SELECT ") + kTokenColumns +
                                  " FROM api_tokens WHERE token_hash = $1 AND revoked = 0",
                              Params::Of(token_hash), TokenFromRow, "unknown or revoked API token");
  });
  if (!token.ok()) return token;
  // Record the use at most once a minute per token, so that a busy camera costs no writes.
  const Timestamp now = Now();
  if (!token->last_used_at || ToUnixMillis(now) - ToUnixMillis(*token->last_used_at) > 60'000) {
    auto s = WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
      VS_RETURN_IF_ERROR(c->Run("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                                Params::Of(ToUnixMillis(now), token->id)));
      return true;
    });
    if (s.ok()) token->last_used_at = now;
  }
  return token;
}

Status PgStore::RevokeToken(Id id) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           auto r = c->Query("UPDATE api_tokens SET revoked = 1 WHERE id = $1", Params::Of(id));
           if (!r.ok()) return r.status();
           if (r->Affected() == 0) {
             return Status::NotFound("token " + std::to_string(id) + " not found");
           }
           return true;
         })
      .status();
}

// --- login sessions ---------------------------------------------------------------------------

Status PgStore::CreateSession(const LoginSession& session) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           VS_RETURN_IF_ERROR(c->Run("DELETE FROM login_sessions WHERE expires_at <= $1",
                                     Params::Of(ToUnixMillis(Now()))));
           VS_RETURN_IF_ERROR(
               c->Run("INSERT INTO login_sessions(id_hash, user_id, created_at, expires_at)"
                      " VALUES ($1, $2, $3, $4)",
                      Params::Of(session.id_hash, session.user_id, ToUnixMillis(session.created_at),
                                 ToUnixMillis(session.expires_at))));
           return true;
         })
      .status();
}

Result<LoginSession> PgStore::GetSession(const std::string& id_hash) {
  return Read<LoginSession>([&](Conn* c) {
    return QueryOne<LoginSession>(
        c,
        "SELECT id_hash, user_id, created_at, expires_at FROM login_sessions"
        " WHERE id_hash = $1 AND expires_at > $2",
        Params::Of(id_hash, ToUnixMillis(Now())),
        [](const Rows& r, int i) {
          LoginSession s;
          s.id_hash = r.Text(i, 0);
          s.user_id = r.Int(i, 1);
          s.created_at = FromUnixMillis(r.Int(i, 2));
          s.expires_at = FromUnixMillis(r.Int(i, 3));
          return s;
        },
        "no such session (logged out or expired)");
  });
}

Status PgStore::DeleteSession(const std::string& id_hash) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           VS_RETURN_IF_ERROR(
               c->Run("DELETE FROM login_sessions WHERE id_hash = $1", Params::Of(id_hash)));
           return true;
         })
      .status();
}

// --- audit log --------------------------------------------------------------------------------

Result<AuditEntry> PgStore::AppendAudit(const AuditEntry& entry) {
  return WriteQuiet<AuditEntry>([&](Conn* c) -> Result<AuditEntry> {
    AuditEntry out = entry;
    if (ToUnixMillis(out.at) == 0) out.at = Now();
    auto r = c->Query(
        "INSERT INTO audit_log(at, actor, action, target, status, remote_address)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        Params::Of(ToUnixMillis(out.at), out.actor, out.action, out.target, out.status,
                   out.remote_address));
    if (!r.ok()) return r.status();
    out.id = r->Int(0, 0);
    return out;
  });
}

Result<std::vector<AuditEntry>> PgStore::ListAudit(std::optional<Id> before_id, int limit) {
  return Read<std::vector<AuditEntry>>([&](Conn* c) {
    return QueryAll<AuditEntry>(c,
                                std::string("SELECT ") + kAuditColumns +
                                    " FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
                                Params::Of(before_id.value_or(INT64_MAX), limit), AuditFromRow);
  });
}

}  // namespace vs::store::pg
