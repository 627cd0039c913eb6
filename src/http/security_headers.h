// The headers every response carries so that a browser treats the server's answers strictly:
// no framing, no MIME sniffing, no foreign scripts, styles, images or connections.
#pragma once

#include <string_view>

#include "http/message.h"

namespace vs::http {

// The dashboard's policy: everything from the server's own origin ('self' also covers the live
// WebSocket at ws(s)://<same host>), nothing inline (the dashboard sets styles only through the
// CSSOM, which CSP does not restrict), no frames, no plugins, no <base>, forms post back only.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'";

// Adds Content-Security-Policy (above), X-Content-Type-Options: nosniff, X-Frame-Options: DENY
// and Referrer-Policy: same-origin; a header the response already has is kept as it is.
void AddSecurityHeaders(Response& response);

}  // namespace vs::http
