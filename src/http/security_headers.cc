#include "http/security_headers.h"

namespace vs::http {

void AddSecurityHeaders(Response& response) {
  const auto set_if_absent = [&response](std::string_view name, std::string_view value) {
    if (response.find(Bsv(name)) == response.end()) response.set(Bsv(name), Bsv(value));
  };
  set_if_absent("Content-Security-Policy", kContentSecurityPolicy);
  set_if_absent("X-Content-Type-Options", "nosniff");
  set_if_absent("X-Frame-Options", "DENY");
  set_if_absent("Referrer-Policy", "same-origin");
}

}  // namespace vs::http
