// Where a webhook posts, and which addresses it may reach.
//
// URLs are http://host[:port][/path][?query] or https://host[:port][/path][?query] (TLS, with
// the receiver's certificate verified: tls.h): no user info, no fragment, at most kMaxUrlBytes.
//
// Server-side request forgery: a webhook URL is chosen by an admin, but the server makes the
// request from inside its own network. Unless allowed by an option, no delivery goes to a
// link-local address (169.254.0.0/16, fe80::/10: where cloud metadata services answer, e.g.
// 169.254.169.254), the AWS IPv6 metadata address fd00:ec2::254, an unspecified (0.0.0.0, ::),
// multicast or broadcast address, or an IPv4-mapped IPv6 form of any of them. The check is made
// when the webhook is created (for a literal address) and on every delivery, on the addresses the
// host name resolves to, and only allowed addresses are connected to, so a name that later
// resolves elsewhere (DNS rebinding) gains nothing. Loopback and private networks stay allowed
// (receivers on the same machine or LAN are the common case).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vs::webhooks {

inline constexpr size_t kMaxUrlBytes = 2000;

struct Target {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 80;
  std::string path;  // the request target: "/path?query", at least "/"
  bool tls = false;  // https: the port defaults to 443 and the receiver is verified
  // The Host header value: host, with [brackets] for IPv6, and :port unless the scheme's
  // default (80 for http, 443 for https).
  std::string HostHeader() const;
};

// InvalidValue with the reason for anything but the URLs described above.
Result<Target> ParseUrl(std::string_view url);

// Whether a delivery may connect to `address` (see above).
bool AddressAllowed(const boost::asio::ip::address& address, bool allow_link_local);

// ParseUrl, then, when the host is a literal address, AddressAllowed (InvalidValue if not).
Status ValidateWebhookUrl(std::string_view url, bool allow_link_local);

}  // namespace vs::webhooks
