// Maps (method, path) to a handler. Patterns are '/'-separated segments; a segment "{name}"
// matches any one non-empty segment and is stored in Request::params["name"].
// A path that matches no pattern is 404; a path matched only under other methods is 405 with an
// Allow header listing them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace vs::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // Registers `handler` for `method` on `pattern` (e.g. "/api/scans/{id}/image"). Patterns are
  // tried in registration order; register literal routes before overlapping parameter routes.
  void Add(beast_http::verb method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null when not found or method not allowed
    bool path_found = false;           // some route matches the path (405 if handler is null)
    std::string allow;                 // "GET, POST" when path_found
  };
  // Finds the handler for the request and fills request.params.
  Match Find(Request& request) const;

  // Dispatches: the handler's response, or the 404 / 405 error response.
  Response Dispatch(Request& request) const;

 private:
  struct Route {
    beast_http::verb method;
    std::vector<std::string> segments;  // "{name}" for parameters
    Handler handler;
  };
  static bool MatchPath(const Route& route, const std::vector<std::string_view>& path,
                        std::map<std::string, std::string, std::less<>>* params);
  std::vector<Route> routes_;
};

}  // namespace vs::http
