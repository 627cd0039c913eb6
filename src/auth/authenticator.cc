#include "auth/authenticator.h"

#include "auth/password.h"
#include "auth/secrets.h"
#include "core/text.h"

namespace vs::auth {
namespace {

bool IEqualsPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = TrimSpaceTab(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (TrimSpaceTab(pair.substr(0, eq)) == name) return TrimSpaceTab(pair.substr(eq + 1));
  }
  return std::nullopt;
}

Authenticator::Authenticator(store::Store* store, AuthOptions options)
    : store_(store), options_(std::move(options)), limiter_(options_.login_limit) {
  InitCrypto();
  if (!options_.admin_token.empty()) admin_token_hash_ = HashSecret(options_.admin_token);
  // A real Argon2id string, so that a login for an unknown user costs what a real one costs.
  if (auto h = HashPassword(NewSecret("")); h.ok()) dummy_hash_ = *h;
}

Result<Principal> Authenticator::FromBearer(std::string_view token) const {
  const std::string hash = HashSecret(token);
  if (!admin_token_hash_.empty() && ConstantTimeEquals(hash, admin_token_hash_)) {
    return Principal{Role::kAdmin, Principal::Via::kEnvToken, "admin-token", "env-token", {}};
  }
  if (!store_) return Status::Unavailable("cannot check API tokens: the store is unavailable");
  auto found = store_->UseToken(hash);
  if (!found.ok()) {
    if (found.status().code() == Code::kNotFound) {
      return Status::Unauthenticated("unknown or revoked API token");
    }
    return found.status();
  }
  return Principal{found->role,
                   Principal::Via::kToken,
                   found->name,
                   "token:" + std::to_string(found->id) + " " + found->name,
                   {}};
}

Result<std::optional<Principal>> Authenticator::FromCookie(std::string_view cookie) const {
  const auto value = CookieValue(cookie, kSessionCookie);
  if (!value || value->empty() || !store_) return std::optional<Principal>();
  auto session = store_->GetSession(HashSecret(*value));
  if (!session.ok()) {
    if (session.status().code() == Code::kNotFound) return std::optional<Principal>();
    return session.status();
  }
  auto user = store_->GetUser(session->user_id);
  if (!user.ok()) {
    if (user.status().code() == Code::kNotFound) return std::optional<Principal>();
    return user.status();
  }
  return std::optional<Principal>(
      Principal{user->role, Principal::Via::kSession, user->name, user->name, user->id});
}

Result<Principal> Authenticator::Authenticate(std::string_view authorization,
                                              std::string_view cookie) const {
  authorization = TrimSpaceTab(authorization);
  if (!authorization.empty()) {
    if (!IEqualsPrefix(authorization, "bearer ")) {
      return Status::Unauthenticated("the Authorization header must be 'Bearer <token>'");
    }
    const std::string_view token = TrimSpaceTab(authorization.substr(7));
    if (token.empty() || token.size() > 512) {
      return Status::Unauthenticated("malformed bearer token");
    }
    return FromBearer(token);
  }
  auto from_cookie = FromCookie(cookie);
  if (!from_cookie.ok()) return from_cookie.status();
  if (*from_cookie) return **from_cookie;
  Principal anonymous;
  anonymous.role = options_.anonymous_viewer ? Role::kViewer : Role::kPublic;
  anonymous.actor = "anonymous";
  return anonymous;
}

std::string Authenticator::CookieHeader(const std::string& value, long max_age_seconds) const {
  std::string out =
      std::string(kSessionCookie) + "=" + value +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (options_.secure_cookie) out += "; Secure";
  return out;
}

Result<LoginResult> Authenticator::Login(const std::string& name, std::string_view password,
                                         const std::string& address,
                                         std::chrono::seconds* retry_after) {
  if (!store_) return Status::Unavailable("cannot log in: the store is unavailable");
  if (const auto wait = limiter_.RetryAfter(address); wait.count() > 0) {
    if (retry_after) *retry_after = wait;
    return Status::TooManyRequests("too many failed logins from this address; retry in " +
                                   std::to_string(wait.count()) + " s");
  }
  auto user = store_->GetUserByName(name);
  if (!user.ok() && user.status().code() != Code::kNotFound) return user.status();
  const bool verified = user.ok() ? VerifyPassword(user->password_hash, password)
                                  : (VerifyPassword(dummy_hash_, password), false);
  if (!verified) {
    limiter_.RecordFailure(address);
    return Status::Unauthenticated("wrong user name or password");
  }
  limiter_.RecordSuccess(address);
  const std::string secret = NewSecret("");
  store::LoginSession session;
  session.id_hash = HashSecret(secret);
  session.user_id = user->id;
  session.created_at = Now();
  session.expires_at = FromUnixMillis(
      ToUnixMillis(session.created_at) +
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_ttl).count());
  VS_RETURN_IF_ERROR(store_->CreateSession(session));
  LoginResult out;
  out.user = std::move(user).value();
  out.user.password_hash.clear();
  out.set_cookie = CookieHeader(
      secret, std::chrono::duration_cast<std::chrono::seconds>(options_.session_ttl).count());
  return out;
}

std::string Authenticator::Logout(std::string_view cookie) {
  if (const auto value = CookieValue(cookie, kSessionCookie); value && !value->empty() && store_) {
    (void)store_->DeleteSession(HashSecret(*value));
  }
  return CookieHeader("", 0);
}

}  // namespace vs::auth
