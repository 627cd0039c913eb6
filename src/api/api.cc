#include "api/api.h"

#include "api/routes.h"
#include "core/log.h"
#include "http/conditional.h"
#include "http/error.h"
#include "http/response.h"

#ifndef VISIONSTOCK_VERSION
#error "VISIONSTOCK_VERSION must be defined by the build"
#endif

namespace vs::api {
namespace {

namespace bh = http::beast_http;

bool IsApiPath(const std::string& path) {
  return path == "/health" || path == "/api" || path.rfind("/api/", 0) == 0 ||
         path.rfind("/health/", 0) == 0 || path == "/metrics";
}

// GET answers that follow the store's data (not health, live or the immutable photos).
bool FollowsStore(const std::string& path) {
  if (path.rfind("/api/", 0) != 0) return false;
  // Accounts, the audit log and webhook deliveries change without events.
  for (const char* own : {"/api/health", "/api/live", "/api/me", "/api/users", "/api/tokens",
                          "/api/audit", "/api/openapi.json", "/api/webhooks"}) {
    if (path.rfind(own, 0) == 0) return false;
  }
  return path.size() < 6 || path.compare(path.size() - 6, 6, "/image") != 0;
}

bool IsSafeMethod(bh::verb v) {
  return v == bh::verb::get || v == bh::verb::head || v == bh::verb::options;
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string out;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c != ' ' && c != '\t') out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

// "host[:port]" of an origin "scheme://host[:port]", lower-cased; empty if malformed.
std::string OriginAuthority(std::string_view origin) {
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return "";
  std::string out;
  for (char c : origin.substr(sep + 3)) out.push_back(static_cast<char>(std::tolower(c)));
  if (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

Status CheckBody(const http::Request& request, http::BodyKind kind) {
  const std::string type = MediaType(request.header(bh::field::content_type));
  switch (kind) {
    case http::BodyKind::kNone:
      return Status::Ok();
    case http::BodyKind::kJson:
      if (type == "application/json") return Status::Ok();
      return Status::UnsupportedMedia("send the request body as application/json");
    case http::BodyKind::kUpload:
      // A cross-site HTML form can send multipart/form-data but never the raw types, which
      // need a CORS preflight that this server answers only for --cors-origins (whose callers
      // must send a bearer token).
      if (type == "multipart/form-data" || type == "application/octet-stream" ||
          type.rfind("image/", 0) == 0) {
        return Status::Ok();
      }
      return Status::UnsupportedMedia(
          "send the upload as multipart/form-data, or the photo itself as image/*");
    case http::BodyKind::kJsonOrForm:
      if (type == "application/json" || type == "multipart/form-data") return Status::Ok();
      return Status::UnsupportedMedia("send application/json, or the file as multipart/form-data");
    case http::BodyKind::kTable:
      // Neither type can be sent by a cross-site form without a CORS preflight.
      if (type == "text/csv" || type == "application/json") return Status::Ok();
      return Status::UnsupportedMedia("send the file as text/csv or application/json");
  }
  return Status::Ok();
}

}  // namespace

const char* Version() { return VISIONSTOCK_VERSION; }

Status NeedStore(const ApiDeps& deps) {
  if (deps.store) return Status::Ok();
  return Status::Unavailable("store unavailable: " + deps.store_reason);
}

http::Response Reply(const http::Request& request, const Result<nlohmann::json>& result,
                     http::beast_http::status status) {
  if (!result.ok()) return http::ErrorResponse(result.status(), request.raw.version());
  http::Response res = http::JsonResponse(status, *result, request.raw.version());
  res.set(http::beast_http::field::cache_control, "no-cache");
  return res;
}

Api::Api(ApiDeps deps) : deps_(std::move(deps)), web_(deps_.web_dir) {
  AddHealthRoutes(router_, deps_);
  AddAuthRoutes(router_, deps_);
  AddMetricsRoutes(router_, deps_);
  AddDetectRoutes(router_, deps_);
  AddQueryRoutes(router_, deps_);
  AddScanRoutes(router_, deps_);
  AddCatalogueRoutes(router_, deps_);
  AddModelCompareRoutes(router_, deps_);
  AddModelRoutes(router_, deps_);
  AddComplianceRoutes(router_, deps_);
  AddWebhookRoutes(router_, deps_);
  AddDemoRoutes(router_, deps_);
  AddOpenApiRoute(router_);
}

Result<auth::Principal> Api::Authorize(http::Request& request, const http::RouteSpec& spec) const {
  if (!deps_.auth) return Status::Unavailable("authentication is not configured");
  if (!spec.role) return Status::PermissionDenied("this route states no role; nobody may use it");
  const Role needed = *spec.role;
  auto principal = deps_.auth->Authenticate(request.header(bh::field::authorization),
                                            request.header(bh::field::cookie));
  if (!principal.ok()) {
    // Bad credentials fail even on public routes, except that logging in or out never needs any.
    if (needed == Role::kPublic && principal.status().code() == Code::kUnauthenticated) {
      return auth::Principal{};
    }
    return principal.status();
  }
  request.caller_role = principal->role;
  // Named only when authenticated: the access log shows no user for anonymous callers.
  if (principal->via != auth::Principal::Via::kNone) request.caller = principal->actor;
  if (!RoleAllows(principal->role, needed)) {
    if (principal->role == Role::kPublic) {
      return Status::Unauthenticated("log in, or send 'Authorization: Bearer <API token>'");
    }
    return Status::PermissionDenied(std::string(RoleName(needed)) + " role needed; you are " +
                                    std::string(RoleName(principal->role)));
  }
  if (!IsSafeMethod(request.method())) {
    // Cross-site requests must not change anything. A browser sends Origin (and Sec-Fetch-Site)
    // with every state-changing request; bearer-token clients send no cookie and need neither.
    const std::string_view origin = request.header(bh::field::origin);
    const std::string_view fetch_site = http::Sv(request.raw["Sec-Fetch-Site"]);
    // A page of a CORS origin holds a token of its own: a cross-site page cannot make the
    // browser send one, so only cookie requests must stay same-origin.
    const bool cors_token = !principal->via_cookie() && deps_.cors.Allows(origin);
    if (cors_token) {
      VS_RETURN_IF_ERROR(CheckBody(request, spec.body));
      return principal;
    }
    if (!fetch_site.empty() && fetch_site != "same-origin" && fetch_site != "none") {
      return Status::PermissionDenied("cross-site requests may not change data");
    }
    if (!origin.empty()) {
      const bool allowed = deps_.origin_allowed ? deps_.origin_allowed(origin)
                                                : OriginAuthority(origin) ==
                                                      MediaType(request.header(bh::field::host));
      if (!allowed)
        return Status::PermissionDenied("requests from " + std::string(origin) +
                                        " may not change data");
    } else if (principal->via_cookie() && fetch_site.empty()) {
      return Status::PermissionDenied(
          "a request that relies on the session cookie must carry Origin or Sec-Fetch-Site");
    }
    VS_RETURN_IF_ERROR(CheckBody(request, spec.body));
  }
  return principal;
}

void Api::Audit(const http::Request& request, const http::Response& response) const {
  if (!deps_.store) return;
  store::AuditEntry entry;
  entry.actor = request.caller.empty() ? "anonymous" : request.caller;
  entry.action = std::string(bh::to_string(request.method())) + " " + request.path;
  entry.target = std::string(request.target());
  entry.status = static_cast<int>(response.result_int());
  entry.remote_address = request.remote_address;
  if (auto s = deps_.store->AppendAudit(entry); !s.ok()) {
    vs::log::Error("cannot write the audit log", {{"error", s.status().ToString()}});
  }
}

http::Response Api::Handle(http::Request& request) const {
  http::Response res = Answer(request);
  deps_.cors.Apply(request, res);
  return res;
}

http::Response Api::Answer(http::Request& request) const {
  const unsigned version = request.raw.version();
  if (!IsApiPath(request.path)) {
    if (request.method() != bh::verb::get) {
      http::Response res = http::ErrorResponse(
          Status::InvalidArgument("only GET is allowed on " + request.path), version);
      res.result(bh::status::method_not_allowed);
      res.set(bh::field::allow, "GET, HEAD");
      return res;
    }
    request.route = "static";  // one label for every file of the dashboard
    return web_.Serve(request);
  }
  const http::Router::Match match = router_.Find(request);
  if (!match.handler) return http::Router::Unmatched(request, match);
  const http::RouteSpec& spec = *match.spec;
  // A scraper's metrics token is no account credential: it opens /metrics alone.
  if (spec.pattern == "/metrics" && HasMetricsToken(request, deps_)) {
    request.caller = "metrics-token";
    return (*match.handler)(request);
  }

  auto principal = Authorize(request, spec);
  if (!principal.ok()) {
    http::Response res = http::ErrorResponse(principal.status(), version);
    if (principal.status().code() == Code::kUnauthenticated) {
      res.set(bh::field::www_authenticate, "Bearer realm=\"visionstock\"");
    }
    // Refused admin actions of known callers are audited too; anonymous noise is not.
    if (spec.role == Role::kAdmin && !IsSafeMethod(request.method()) &&
        principal.status().code() == Code::kPermissionDenied) {
      Audit(request, res);
    }
    return res;
  }
  std::string etag;
  if (request.method() == bh::verb::get && deps_.store && FollowsStore(request.path)) {
    auto last = deps_.store->LastEventId();
    if (last.ok()) {
      etag = http::MakeEtag("e", *last, request.target());
      if (http::IfNoneMatchHits(request.header(bh::field::if_none_match), etag)) {
        http::Response res = http::EmptyResponse(bh::status::not_modified, version);
        res.set(bh::field::etag, etag);
        res.set(bh::field::cache_control, "no-cache");
        return res;
      }
    }
  }
  http::Response res = (*match.handler)(request);
  if (!etag.empty() && res.result() == bh::status::ok) {
    res.set(bh::field::etag, etag);
    res.set(bh::field::cache_control, "no-cache");
  }
  if (spec.role == Role::kAdmin && !IsSafeMethod(request.method())) Audit(request, res);
  return res;
}

}  // namespace vs::api
