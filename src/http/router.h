// Maps (method, path) to a handler. Patterns are '/'-separated segments; a segment "{name}"
// matches any one non-empty segment and is stored in Request::params["name"].
//
// Every route is registered with a RouteSpec that states the least Role it needs, the body it
// takes and what it does; the table of specs backs authorisation (api/api.cc) and the OpenAPI
// document (api/openapi.cc), so a route cannot exist without a role or be missing from the docs.
//
// A path that matches no pattern is 404; a path matched only under other methods is 405 with an
// Allow header listing them; OPTIONS on a known path is 204 with that Allow header.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/role.h"
#include "http/message.h"

namespace vs::http {

using Handler = std::function<Response(Request&)>;

// What a state-changing route accepts as its body (checked before the handler runs).
enum class BodyKind {
  kNone,    // no body is read (GET, DELETE, actions without parameters)
  kJson,    // Content-Type: application/json
  kUpload,  // an upload: multipart/form-data, or the raw photo (image/*, application/octet-stream)
  kJsonOrForm,  // application/json, or a file upload as multipart/form-data
  kTable,       // a table file: text/csv or application/json
};

struct RouteSpec {
  beast_http::verb method = beast_http::verb::get;
  std::string pattern;  // "/api/scans/{id}/image"
  // The least role a caller needs. Every route must state it; an unset role is refused at
  // dispatch (treated as beyond any caller) and fails the route-table test.
  std::optional<Role> role;
  std::string summary;             // one line for the API reference
  std::vector<std::string> query;  // the query parameters it reads
  BodyKind body = BodyKind::kNone;
  std::string tag;  // the group it belongs to in the reference ("detections", "accounts", ...)
};

class Router {
 public:
  // Registers `handler` for `spec`. Patterns are tried in registration order; register literal
  // routes before overlapping parameter routes.
  void Add(RouteSpec spec, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null when not found or method not allowed
    const RouteSpec* spec = nullptr;   // with handler
    bool path_found = false;           // some route matches the path (405 if handler is null)
    std::string allow;                 // "GET, HEAD, OPTIONS, POST" when path_found
  };
  // Finds the handler for the request and fills request.params.
  Match Find(Request& request) const;

  // The answer when `m` has no handler: 404, 405 with Allow, or 204 with Allow for OPTIONS.
  static Response Unmatched(const Request& request, const Match& m);

  // Dispatches: the handler's response, or Unmatched. (No authorisation: see api::Api.)
  Response Dispatch(Request& request) const;

  // Every registered route, in registration order.
  std::vector<const RouteSpec*> routes() const;

 private:
  struct Route {
    RouteSpec spec;
    std::vector<std::string> segments;  // "{name}" for parameters
    Handler handler;
  };
  static bool MatchPath(const Route& route, const std::vector<std::string_view>& path,
                        std::map<std::string, std::string, std::less<>>* params);
  std::vector<Route> routes_;
};

}  // namespace vs::http
