#include "http/router.h"

#include <algorithm>

#include "http/error.h"

namespace vs::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    const size_t slash = path.find('/', pos);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > pos) out.push_back(path.substr(pos, end - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

bool IsParam(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

void Router::Add(beast_http::verb method, std::string_view pattern, Handler handler) {
  Route r{method, {}, std::move(handler)};
  for (auto s : Split(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

bool Router::MatchPath(const Route& route, const std::vector<std::string_view>& path,
                       std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (IsParam(seg)) {
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(path[i]);
    } else if (seg != path[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(Request& request) const {
  Match m;
  const auto path = Split(request.path);
  std::vector<std::string> allowed;
  for (const auto& route : routes_) {
    if (!MatchPath(route, path, nullptr)) continue;
    m.path_found = true;
    if (route.method == request.method() && m.handler == nullptr) {
      request.params.clear();
      MatchPath(route, path, &request.params);
      m.handler = &route.handler;
    }
    const std::string name(beast_http::to_string(route.method));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
  }
  for (const auto& a : allowed) m.allow += (m.allow.empty() ? "" : ", ") + a;
  return m;
}

Response Router::Dispatch(Request& request) const {
  const Match m = Find(request);
  if (m.handler) return (*m.handler)(request);
  if (m.path_found) {
    Response res =
        ErrorResponse(Status(Code::kInvalidArgument,
                             "method " + std::string(beast_http::to_string(request.method())) +
                                 " not allowed on " + request.path + "; allowed: " + m.allow),
                      request.raw.version());
    res.result(beast_http::status::method_not_allowed);
    res.set(beast_http::field::allow, m.allow);
    return res;
  }
  return ErrorResponse(Status::NotFound("no route for " + request.path), request.raw.version());
}

}  // namespace vs::http
