#include "http/router.h"

#include <algorithm>

#include "http/error.h"
#include "http/response.h"

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

void AddUnique(std::vector<std::string>* names, std::string name) {
  if (std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
}

}  // namespace

void Router::Add(RouteSpec spec, Handler handler) {
  Route r{std::move(spec), {}, std::move(handler)};
  for (auto s : Split(r.spec.pattern)) r.segments.emplace_back(s);
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
    if (route.spec.method == request.method() && m.handler == nullptr) {
      request.params.clear();
      MatchPath(route, path, &request.params);
      m.handler = &route.handler;
      m.spec = &route.spec;
      request.route = route.spec.pattern;
    }
    AddUnique(&allowed, std::string(beast_http::to_string(route.spec.method)));
    if (route.spec.method == beast_http::verb::get) AddUnique(&allowed, "HEAD");
  }
  if (m.path_found) AddUnique(&allowed, "OPTIONS");
  std::sort(allowed.begin(), allowed.end());
  for (const auto& a : allowed) m.allow += (m.allow.empty() ? "" : ", ") + a;
  return m;
}

Response Router::Unmatched(const Request& request, const Match& m) {
  const unsigned version = request.raw.version();
  if (!m.path_found)
    return ErrorResponse(Status::NotFound("no route for " + request.path), version);
  if (request.method() == beast_http::verb::options) {
    Response res = EmptyResponse(beast_http::status::no_content, version);
    res.set(beast_http::field::allow, m.allow);
    return res;
  }
  Response res =
      ErrorResponse(Status(Code::kInvalidArgument,
                           "method " + std::string(beast_http::to_string(request.method())) +
                               " not allowed on " + request.path + "; allowed: " + m.allow),
                    version);
  res.result(beast_http::status::method_not_allowed);
  res.set(beast_http::field::allow, m.allow);
  return res;
}

Response Router::Dispatch(Request& request) const {
  const Match m = Find(request);
  if (m.handler) return (*m.handler)(request);
  return Unmatched(request, m);
}

std::vector<const RouteSpec*> Router::routes() const {
  std::vector<const RouteSpec*> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back(&r.spec);
  return out;
}

}  // namespace vs::http
