// Logging in and out, who am I, and the admin routes for users, API tokens and the audit log.
#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "auth/accounts.h"
#include "http/error.h"
#include "http/response.h"
#include "store/json.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

nlohmann::json UserJson(const store::User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"role", RoleName(u.role)},
          {"created_at", FormatIso8601(u.created_at)}};
}

nlohmann::json TokenJson(const store::ApiToken& t) {
  nlohmann::json j = {{"id", t.id},
                      {"name", t.name},
                      {"role", RoleName(t.role)},
                      {"created_by", t.created_by},
                      {"created_at", FormatIso8601(t.created_at)},
                      {"last_used_at", nullptr},
                      {"revoked", t.revoked}};
  if (t.last_used_at) j["last_used_at"] = FormatIso8601(*t.last_used_at);
  return j;
}

Result<Role> RoleField(const nlohmann::json& body) {
  std::string name;
  VS_RETURN_IF_ERROR(GetString(body, "role", true, &name));
  auto role = ParseRole(name);
  if (!role) return Status::InvalidValue("role must be viewer, operator or admin");
  return *role;
}

http::Response Login(http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  auto body = ParseJsonObject(request);
  if (!body.ok()) return http::ErrorResponse(body.status(), v);
  std::string name, password;
  // "username" is what most login forms send; "name" matches the users API.
  if (body->contains("username")) {
    if (Status s = GetString(*body, "username", true, &name); !s.ok()) {
      return http::ErrorResponse(s, v);
    }
  } else if (Status s = GetString(*body, "name", true, &name); !s.ok()) {
    return http::ErrorResponse(s, v);
  }
  if (Status s = GetString(*body, "password", true, &password); !s.ok()) {
    return http::ErrorResponse(s, v);
  }
  std::chrono::seconds retry_after{0};
  auto done = deps.auth->Login(name, password, request.remote_address, &retry_after);
  if (!done.ok()) {
    http::Response res = http::ErrorResponse(done.status(), v);
    if (retry_after.count() > 0)
      res.set(bh::field::retry_after, std::to_string(retry_after.count()));
    return res;
  }
  http::Response res = http::JsonResponse(bh::status::ok, {{"user", UserJson(done->user)}}, v);
  res.set(bh::field::set_cookie, done->set_cookie);
  res.set(bh::field::cache_control, "no-store");
  return res;
}

http::Response Logout(http::Request& request, const ApiDeps& deps) {
  http::Response res = http::EmptyResponse(bh::status::no_content, request.raw.version());
  res.set(bh::field::set_cookie, deps.auth->Logout(request.header(bh::field::cookie)));
  return res;
}

Result<nlohmann::json> Me(const http::Request& request) {
  return nlohmann::json{{"name", request.caller}, {"role", RoleName(request.caller_role)}};
}

Result<nlohmann::json> ListUsers(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto users = deps.store->ListUsers();
  if (!users.ok()) return users.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& u : *users) out.push_back(UserJson(u));
  return out;
}

Result<nlohmann::json> AddUser(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  std::string name, password;
  VS_RETURN_IF_ERROR(GetString(*body, "name", true, &name));
  VS_RETURN_IF_ERROR(GetString(*body, "password", true, &password));
  auto role = RoleField(*body);
  if (!role.ok()) return role.status();
  auto user = auth::AddUser(*deps.store, name, password, *role);
  if (!user.ok()) return user.status();
  return UserJson(*user);
}

// Refuses to remove the last admin: nobody could manage the server afterwards.
Status RemoveUser(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  const std::string& name = request.params.at("name");
  auto users = deps.store->ListUsers();
  if (!users.ok()) return users.status();
  int admins = 0;
  bool target_is_admin = false;
  for (const auto& u : *users) {
    admins += u.role == Role::kAdmin;
    if (u.name == name) target_is_admin = u.role == Role::kAdmin;
  }
  if (target_is_admin && admins == 1) return Status::Conflict("cannot remove the last admin");
  return deps.store->DeleteUser(name);
}

Result<nlohmann::json> ListTokens(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto tokens = deps.store->ListTokens();
  if (!tokens.ok()) return tokens.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : *tokens) out.push_back(TokenJson(t));
  return out;
}

Result<nlohmann::json> CreateToken(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  std::string name;
  VS_RETURN_IF_ERROR(GetString(*body, "name", true, &name));
  auto role = RoleField(*body);
  if (!role.ok()) return role.status();
  auto created = auth::CreateToken(*deps.store, name, *role, request.caller);
  if (!created.ok()) return created.status();
  nlohmann::json out = TokenJson(created->token);
  out["token"] = created->secret;  // shown this once
  return out;
}

Result<nlohmann::json> ListAudit(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto page = ParsePage(request.query);
  if (!page.ok()) return page.status();
  std::optional<store::Id> before;
  if (auto b = NonEmpty(request.query, "before")) {
    char* end = nullptr;
    const long long v = std::strtoll(b->c_str(), &end, 10);
    if (*end != '\0' || v <= 0) return Status::InvalidArgument("before must be a positive id");
    before = v;
  }
  auto entries = deps.store->ListAudit(before, page->limit);
  if (!entries.ok()) return entries.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : *entries) {
    out.push_back({{"id", e.id},
                   {"at", FormatIso8601(e.at)},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"target", e.target},
                   {"status", e.status},
                   {"remote_address", e.remote_address}});
  }
  return out;
}

http::Response NoContent(const http::Request& request, const Status& s) {
  if (!s.ok()) return http::ErrorResponse(s, request.raw.version());
  return http::EmptyResponse(bh::status::no_content, request.raw.version());
}

}  // namespace

void AddAuthRoutes(http::Router& router, const ApiDeps& deps) {
  using http::BodyKind;
  router.Add({.method = bh::verb::post,
              .pattern = "/api/login",
              .role = Role::kPublic,
              .summary = "Log in with a user name and password; sets the session cookie",
              .body = BodyKind::kJson,
              .tag = "accounts"},
             [&deps](http::Request& r) { return Login(r, deps); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/logout",
              .role = Role::kPublic,
              .summary = "End the session of the cookie sent",
              .tag = "accounts"},
             [&deps](http::Request& r) { return Logout(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/me",
              .role = Role::kViewer,
              .summary = "The caller's name and role",
              .tag = "accounts"},
             [](http::Request& r) { return Reply(r, Me(r)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/users",
              .role = Role::kAdmin,
              .summary = "List users",
              .tag = "accounts"},
             [&deps](http::Request& r) { return Reply(r, ListUsers(deps)); });
  router.Add({.method = bh::verb::post,
              .pattern = "/api/users",
              .role = Role::kAdmin,
              .summary = "Add a user {name, password, role}",
              .body = BodyKind::kJson,
              .tag = "accounts"},
             [&deps](http::Request& r) { return Reply(r, AddUser(r, deps), bh::status::created); });
  router.Add({.method = bh::verb::delete_,
              .pattern = "/api/users/{name}",
              .role = Role::kAdmin,
              .summary = "Remove a user, their sessions and their tokens",
              .tag = "accounts"},
             [&deps](http::Request& r) { return NoContent(r, RemoveUser(r, deps)); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/tokens",
              .role = Role::kAdmin,
              .summary = "List API tokens (never their secrets)",
              .tag = "accounts"},
             [&deps](http::Request& r) { return Reply(r, ListTokens(deps)); });
  router.Add(
      {.method = bh::verb::post,
       .pattern = "/api/tokens",
       .role = Role::kAdmin,
       .summary = "Create an API token {name, role}; the answer shows its secret once",
       .body = BodyKind::kJson,
       .tag = "accounts"},
      [&deps](http::Request& r) { return Reply(r, CreateToken(r, deps), bh::status::created); });
  router.Add({.method = bh::verb::delete_,
              .pattern = "/api/tokens/{id}",
              .role = Role::kAdmin,
              .summary = "Revoke an API token",
              .tag = "accounts"},
             [&deps](http::Request& r) {
               auto id = ParseId(r);
               if (!id.ok()) return NoContent(r, id.status());
               return NoContent(
                   r, NeedStore(deps).ok() ? deps.store->RevokeToken(*id) : NeedStore(deps));
             });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/audit",
              .role = Role::kAdmin,
              .summary = "The audit log of admin actions, newest first",
              .query = {"limit", "before"},
              .tag = "accounts"},
             [&deps](http::Request& r) { return Reply(r, ListAudit(r, deps)); });
}

}  // namespace vs::api
