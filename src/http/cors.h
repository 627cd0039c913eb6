// Cross-origin resource sharing: closed unless origins are configured (`serve --cors-origins`).
// A page of a configured origin may call the API with a bearer token; no other page can read an
// answer. The answer to such a request names its exact Origin (never "*") and never says
// Access-Control-Allow-Credentials: the session cookie (SameSite=Strict) stays same-site, so a
// cross-origin caller always authenticates with a token.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace vs::http {

class CorsPolicy {
 public:
  // Closed: no origin allowed, no CORS header ever sent.
  CorsPolicy() = default;

  // An origin "scheme://host[:port]" (compared case-insensitively, a trailing "/" ignored).
  // InvalidArgument for "*", "null" or anything that is not an http(s) origin.
  Status Allow(std::string_view origin);
  bool Allows(std::string_view origin) const;
  bool open() const { return !origins_.empty(); }

  // Whether `request` is a preflight: OPTIONS with Origin and Access-Control-Request-Method.
  static bool IsPreflight(const Request& request);
  // Adds the CORS headers to `response` for `request`: when the request's Origin is allowed,
  // Access-Control-Allow-Origin (that origin) and the exposed headers, and for a preflight the
  // allowed methods (`response`'s Allow header), request headers and max age. With origins
  // configured every answer varies by Origin. Nothing when closed.
  void Apply(const Request& request, Response& response) const;

 private:
  std::vector<std::string> origins_;  // normalised
};

}  // namespace vs::http
