// GET /metrics: the Prometheus exposition of metrics/metrics.h, for the callers MetricsAccess
// allows. The route is public in the route table (a scraper has no account); the check is here.
#include "api/routes.h"
#include "auth/secrets.h"
#include "http/response.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

bool IsLoopback(std::string_view address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

// A proxy on this machine makes every caller look local: a request it forwarded names its
// origin in one of these headers, and is then not treated as local.
bool ViaProxy(const http::Request& request) {
  return !request.header(bh::field::forwarded).empty() ||
         !http::Sv(request.raw["X-Forwarded-For"]).empty() ||
         !http::Sv(request.raw["X-Real-IP"]).empty();
}

Status MayScrape(const http::Request& request, const ApiDeps& deps) {
  if (HasMetricsToken(request, deps) || request.caller_role == Role::kAdmin) return Status::Ok();
  switch (deps.metrics_access) {
    case MetricsAccess::kOpen:
      return Status::Ok();
    case MetricsAccess::kLocal:
      if (IsLoopback(request.remote_address) && !ViaProxy(request)) return Status::Ok();
      break;
    case MetricsAccess::kToken:
      break;
  }
  const std::string how =
      "GET /metrics needs the metrics token (--metrics-token) or the admin role" +
      std::string(deps.metrics_access == MetricsAccess::kLocal ? ", unless called from this "
                                                                 "machine without a proxy"
                                                               : "");
  if (request.caller_role == Role::kPublic) return Status::Unauthenticated(how);
  return Status::PermissionDenied(how);
}

}  // namespace

bool HasMetricsToken(const http::Request& request, const ApiDeps& deps) {
  if (deps.metrics_token.empty()) return false;
  const std::string_view header = request.header(bh::field::authorization);
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) return false;
  return auth::ConstantTimeEquals(header.substr(kBearer.size()), deps.metrics_token);
}

void AddMetricsRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/metrics",
              .role = Role::kPublic,
              .summary = "Operational metrics in the Prometheus text format (loopback callers, "
                         "the admin role or the metrics token; see docs/OPERATIONS.md)",
              .tag = "meta"},
             [&deps](http::Request& r) {
               if (Status may = MayScrape(r, deps); !may.ok()) {
                 http::Response res = Reply(r, may);
                 if (may.code() == Code::kUnauthenticated) {
                   res.set(bh::field::www_authenticate, "Bearer realm=\"visionstock\"");
                 }
                 return res;
               }
               if (!deps.metrics) return Reply(r, Status::Unavailable("metrics are not enabled"));
               http::Response res = http::BytesResponse(bh::status::ok, deps.metrics->Render(),
                                                        metrics::kContentType, r.raw.version());
               res.set(bh::field::cache_control, "no-store");
               return res;
             });
}

}  // namespace vs::api
