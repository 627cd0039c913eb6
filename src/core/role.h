// Who may do what. Every route declares the least role it needs; a caller's role is the one of
// its API token or of the user behind its session. Roles are ordered: each one may do everything
// the ones below it may.
#pragma once

#include <optional>
#include <string_view>

namespace vs {

enum class Role {
  kPublic = 0,    // no login needed (health, the login route, the dashboard's files)
  kViewer = 1,    // read everything, open the live feed
  kOperator = 2,  // also upload photos, acknowledge alerts
  kAdmin = 3,     // also planograms, catalogue, models, users, tokens, settings, audit log
};

// "public", "viewer", "operator", "admin".
constexpr std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPublic:
      return "public";
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "public";
}

// The role called `name` among viewer, operator and admin (a caller can never be "public").
constexpr std::optional<Role> ParseRole(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

constexpr bool RoleAllows(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

}  // namespace vs
