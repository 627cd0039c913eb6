#include "http/cors.h"

#include <algorithm>
#include <cctype>

namespace vs::http {
namespace {

std::string Normalise(std::string_view origin) {
  std::string out;
  for (char c : origin)
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

// "http://host[:port]" or "https://host[:port]": a scheme, a non-empty authority, no path.
bool IsOrigin(const std::string& o) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (o.rfind(scheme, 0) != 0) continue;
    const std::string_view rest = std::string_view(o).substr(scheme.size());
    return !rest.empty() && rest.find_first_of("/?#*@ ") == std::string_view::npos;
  }
  return false;
}

}  // namespace

Status CorsPolicy::Allow(std::string_view origin) {
  const std::string o = Normalise(origin);
  if (!IsOrigin(o)) {
    return Status::InvalidArgument("'" + std::string(origin) +
                                   "' is not a CORS origin: give scheme://host[:port] exactly "
                                   "(\"*\" and \"null\" are not accepted)");
  }
  if (!Allows(o)) origins_.push_back(o);
  return Status::Ok();
}

bool CorsPolicy::Allows(std::string_view origin) const {
  if (origin.empty()) return false;
  const std::string o = Normalise(origin);
  return std::find(origins_.begin(), origins_.end(), o) != origins_.end();
}

bool CorsPolicy::IsPreflight(const Request& request) {
  return request.method() == beast_http::verb::options &&
         !request.header(beast_http::field::origin).empty() &&
         !request.header(beast_http::field::access_control_request_method).empty();
}

void CorsPolicy::Apply(const Request& request, Response& response) const {
  if (!open()) return;
  const std::string_view vary = Sv(response[beast_http::field::vary]);
  if (vary.empty()) {
    response.set(beast_http::field::vary, "Origin");
  } else if (vary.find("Origin") == std::string_view::npos) {
    response.set(beast_http::field::vary, std::string(vary) + ", Origin");
  }
  const std::string_view origin = request.header(beast_http::field::origin);
  if (!Allows(origin)) return;
  response.set(beast_http::field::access_control_allow_origin, std::string(origin));
  if (IsPreflight(request)) {
    const std::string_view allow = Sv(response[beast_http::field::allow]);
    response.set(beast_http::field::access_control_allow_methods, std::string(allow));
    response.set(beast_http::field::access_control_allow_headers,
                 "Authorization, Content-Type, If-None-Match");
    response.set(beast_http::field::access_control_max_age, "600");
  } else {
    response.set(beast_http::field::access_control_expose_headers,
                 "ETag, Retry-After, Content-Disposition");
  }
}

}  // namespace vs::http
