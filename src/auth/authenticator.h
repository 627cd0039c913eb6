// Who is calling: resolves a request's credentials to a Principal, and logs people in and out.
//
//   - `Authorization: Bearer <token>`: the admin token from the environment
//     (VISIONSTOCK_ADMIN_TOKEN, compared in constant time) or an API token from the store (looked
//     up by its SHA-256). A malformed, unknown or revoked token is Unauthenticated — a client
//     that sends credentials never silently falls back to anonymous access.
//   - the session cookie `vs_session` set by Login: the role of the user behind it. An expired or
//     unknown cookie counts as no credentials.
//   - nothing: the public role, or viewer when anonymous viewing is switched on (kiosk screens).
//
// Store errors (database down) are returned as they are (503 at the edge), never as a login.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/login_limiter.h"
#include "core/role.h"
#include "core/status.h"
#include "store/store.h"

namespace vs::auth {

inline constexpr std::string_view kSessionCookie = "vs_session";

struct Principal {
  enum class Via { kNone, kSession, kToken, kEnvToken };
  Role role = Role::kPublic;
  Via via = Via::kNone;
  std::string name;   // user or token name; empty for anonymous callers
  std::string actor;  // how the audit log names this caller
  std::optional<store::Id> user_id;
  bool via_cookie() const { return via == Via::kSession; }
};

struct AuthOptions {
  std::string admin_token;        // accepted as an admin bearer token when non-empty
  bool anonymous_viewer = false;  // callers without credentials may read
  std::chrono::hours session_ttl{12};
  bool secure_cookie = false;  // add Secure (served over TLS, e.g. behind nginx)
  LoginLimiter::Options login_limit;
};

struct LoginResult {
  store::User user;
  std::string set_cookie;  // the Set-Cookie header value
};

class Authenticator {
 public:
  Authenticator(store::Store* store, AuthOptions options);

  // The caller behind these header values (either may be empty).
  Result<Principal> Authenticate(std::string_view authorization, std::string_view cookie) const;

  // Checks name and password; TooManyRequests (with *retry_after set) while `address` has spent
  // its failed-login budget; Unauthenticated for a wrong name or password (the same answer and,
  // roughly, the same time for both).
  Result<LoginResult> Login(const std::string& name, std::string_view password,
                            const std::string& address, std::chrono::seconds* retry_after);
  // Ends the session of this Cookie header (if any); returns the Set-Cookie value that clears it.
  std::string Logout(std::string_view cookie);

  const AuthOptions& options() const { return options_; }

 private:
  Result<Principal> FromBearer(std::string_view token) const;
  Result<std::optional<Principal>> FromCookie(std::string_view cookie) const;
  std::string CookieHeader(const std::string& value, long max_age_seconds) const;

  store::Store* store_;
  AuthOptions options_;
  std::string admin_token_hash_;
  std::string dummy_hash_;  // verified against when the user does not exist
  LoginLimiter limiter_;
};

// The value of cookie `name` in a Cookie header ("a=1; vs_session=xyz"), if present.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

}  // namespace vs::auth
