#include "api/api.h"

#include "api/routes.h"
#include "http/conditional.h"
#include "http/error.h"
#include "http/response.h"

#ifndef VISIONSTOCK_VERSION
#error "VISIONSTOCK_VERSION must be defined by the build"
#endif

namespace vs::api {
namespace {

bool IsApiPath(const std::string& path) {
  return path == "/health" || path == "/api" || path.rfind("/api/", 0) == 0;
}

// GET answers that follow the store's data (not health, live or the immutable photos).
bool FollowsStore(const std::string& path) {
  if (path.rfind("/api/", 0) != 0) return false;
  if (path == "/api/health" || path == "/api/live") return false;
  return path.size() < 6 || path.compare(path.size() - 6, 6, "/image") != 0;
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
  AddDetectRoutes(router_, deps_);
  AddQueryRoutes(router_, deps_);
  AddScanRoutes(router_, deps_);
  AddCatalogueRoutes(router_, deps_);
  AddModelRoutes(router_, deps_);
}

http::Response Api::Handle(http::Request& request) const {
  namespace bh = http::beast_http;
  if (!IsApiPath(request.path)) {
    if (request.method() != bh::verb::get) {
      http::Response res = http::ErrorResponse(
          Status::InvalidArgument("only GET is allowed on " + request.path), request.raw.version());
      res.result(bh::status::method_not_allowed);
      res.set(bh::field::allow, "GET");
      return res;
    }
    return web_.Serve(request);
  }
  std::string etag;
  if (request.method() == bh::verb::get && deps_.store && FollowsStore(request.path)) {
    auto last = deps_.store->LastEventId();
    if (last.ok()) {
      etag = http::MakeEtag("e", *last, request.target());
      if (http::IfNoneMatchHits(request.header(bh::field::if_none_match), etag)) {
        http::Response res = http::EmptyResponse(bh::status::not_modified, request.raw.version());
        res.set(bh::field::etag, etag);
        res.set(bh::field::cache_control, "no-cache");
        return res;
      }
    }
  }
  http::Response res = router_.Dispatch(request);
  if (!etag.empty() && res.result() == bh::status::ok) {
    res.set(bh::field::etag, etag);
    res.set(bh::field::cache_control, "no-cache");
  }
  return res;
}

}  // namespace vs::api
