// Account management shared by the API (admin routes) and the command line (`visionstock user`,
// `visionstock token`): validated, hashed, and written to the store.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/role.h"
#include "core/status.h"
#include "store/store.h"

namespace vs::auth {

// InvalidValue unless 1..64 characters of [A-Za-z0-9._@-].
Status CheckUserName(std::string_view name);

// Creates a user with an Argon2id hash of `password` (policy checked). Conflict if taken.
Result<store::User> AddUser(store::Store& store, const std::string& name, std::string_view password,
                            Role role);

struct NewToken {
  store::ApiToken token;  // as stored (hash only)
  std::string secret;     // shown once to whoever created it; never stored
};
// A new random API token ("vst_…") with `role`; `name` says what it is for (1..128 bytes).
Result<NewToken> CreateToken(store::Store& store, const std::string& name, Role role,
                             const std::string& created_by);

struct FirstAdmin {
  std::string name;                          // "admin"
  std::optional<std::string> password_file;  // where a generated password was written
};
// On a store with no users, creates the admin account: its password is `password` when given
// (VISIONSTOCK_ADMIN_PASSWORD), else a random one written to `<data_dir>/initial-admin-password`
// (mode 0600). nullopt when users already exist.
Result<std::optional<FirstAdmin>> EnsureFirstAdmin(store::Store& store,
                                                   const std::filesystem::path& data_dir,
                                                   const std::optional<std::string>& password);

}  // namespace vs::auth
