// `visionstock user add|list|remove` and `visionstock token create|list|revoke`: the same account
// rules as the admin API (auth/accounts.h), on the store in --data-dir, audited as "cli".
#include "auth/accounts.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "store/open.h"

namespace vs::cli {
namespace {

Result<std::unique_ptr<store::Store>> OpenStore(const AccountOptions& o) {
  std::error_code ec;
  if (o.db.empty()) std::filesystem::create_directories(o.data_dir, ec);
  return store::Open({.url = o.db, .data_dir = o.data_dir});
}

int Fail(const Status& s) {
  std::fprintf(stderr, "visionstock: %s\n", s.message().c_str());
  return s.code() == Code::kNotFound ? 3 : 1;
}

void AuditCli(store::Store& store, const std::string& action, const std::string& target) {
  store::AuditEntry e;
  e.actor = "cli";
  e.action = action;
  e.target = target;
  (void)store.AppendAudit(e);
}

// The new user's password: VISIONSTOCK_USER_PASSWORD, else typed twice on a terminal (not
// echoed), else one line of standard input.
Result<std::string> ReadPassword() {
  if (const char* env = std::getenv("VISIONSTOCK_USER_PASSWORD"); env && *env)
    return std::string(env);
  const bool tty = ::isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::fprintf(stderr, "password: ");
  }
  std::string first, second;
  std::getline(std::cin, first);
  if (tty) {
    std::fprintf(stderr, "\nagain: ");
    std::getline(std::cin, second);
    std::fprintf(stderr, "\n");
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (first != second) return Status::InvalidValue("the two passwords differ");
  }
  if (first.empty()) return Status::InvalidValue("no password given");
  return first;
}

}  // namespace

int RunUser(const AccountOptions& o) {
  auto opened = OpenStore(o);
  if (!opened.ok()) return Fail(opened.status());
  store::Store& store = **opened;
  if (o.action == "list") {
    auto users = store.ListUsers();
    if (!users.ok()) return Fail(users.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : *users) {
      if (o.json) {
        out.push_back({{"name", u.name},
                       {"role", RoleName(u.role)},
                       {"created_at", FormatIso8601(u.created_at)}});
      } else {
        std::printf("%-24s %-9s %s\n", u.name.c_str(), std::string(RoleName(u.role)).c_str(),
                    FormatIso8601(u.created_at).c_str());
      }
    }
    if (o.json) std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (o.action == "add") {
    const auto role = ParseRole(o.role);
    if (!role) return Fail(Status::InvalidValue("--role must be viewer, operator or admin"));
    if (Status s = auth::CheckUserName(o.name); !s.ok()) return Fail(s);
    auto password = ReadPassword();
    if (!password.ok()) return Fail(password.status());
    auto user = auth::AddUser(store, o.name, *password, *role);
    if (!user.ok()) return Fail(user.status());
    AuditCli(store, "user.add", o.name);
    std::printf("added %s (%s)\n", user->name.c_str(), std::string(RoleName(user->role)).c_str());
    return 0;
  }
  // remove
  if (Status s = store.DeleteUser(o.name); !s.ok()) return Fail(s);
  AuditCli(store, "user.remove", o.name);
  std::printf("removed %s\n", o.name.c_str());
  return 0;
}

int RunToken(const AccountOptions& o) {
  auto opened = OpenStore(o);
  if (!opened.ok()) return Fail(opened.status());
  store::Store& store = **opened;
  if (o.action == "list") {
    auto tokens = store.ListTokens();
    if (!tokens.ok()) return Fail(tokens.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : *tokens) {
      const std::string used = t.last_used_at ? FormatIso8601(*t.last_used_at) : "never";
      if (o.json) {
        out.push_back({{"id", t.id},
                       {"name", t.name},
                       {"role", RoleName(t.role)},
                       {"revoked", t.revoked},
                       {"last_used_at", used}});
      } else {
        std::printf("%4lld  %-24s %-9s %-8s last used %s\n", static_cast<long long>(t.id),
                    t.name.c_str(), std::string(RoleName(t.role)).c_str(),
                    t.revoked ? "revoked" : "active", used.c_str());
      }
    }
    if (o.json) std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (o.action == "create") {
    const auto role = ParseRole(o.role);
    if (!role) return Fail(Status::InvalidValue("--role must be viewer, operator or admin"));
    auto created = auth::CreateToken(store, o.name, *role, "cli");
    if (!created.ok()) return Fail(created.status());
    AuditCli(store, "token.create", o.name);
    if (o.json) {
      std::printf("%s\n", nlohmann::json({{"id", created->token.id},
                                          {"name", created->token.name},
                                          {"role", RoleName(created->token.role)},
                                          {"token", created->secret}})
                              .dump()
                              .c_str());
    } else {
      std::fprintf(stderr, "token %lld (%s) created; it is shown only now:\n",
                   static_cast<long long>(created->token.id),
                   std::string(RoleName(created->token.role)).c_str());
      std::printf("%s\n", created->secret.c_str());
    }
    return 0;
  }
  // revoke
  char* end = nullptr;
  const long long id = std::strtoll(o.name.c_str(), &end, 10);
  if (o.name.empty() || *end != '\0' || id <= 0) {
    return Fail(Status::InvalidValue("revoke takes a token id (see 'visionstock token list')"));
  }
  if (Status s = store.RevokeToken(id); !s.ok()) return Fail(s);
  AuditCli(store, "token.revoke", o.name);
  std::printf("revoked token %lld\n", id);
  return 0;
}

}  // namespace vs::cli
