// The client address of a request that came through reverse proxies (nginx in front of several
// instances): X-Forwarded-For, believed only when the connection's peer is a trusted proxy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vs::http {

// `peer`: the connection's peer address; `forwarded_for`: the X-Forwarded-For header (empty if
// absent; several headers joined with ","); `trusted`: the proxies' addresses. Returns `peer`
// unless it is trusted and the header names someone; then the header's entries are read right to
// left (each proxy appends the address it saw) and the first that is not a trusted proxy is the
// client. An entry that is not an IP address ends the walk: the address before it (the last
// proxy that added something parseable, or the peer) is returned, so a client cannot forge a
// trusted-looking chain. Addresses are compared in canonical form ("::ffff:127.0.0.1" is not
// "127.0.0.1": list both when the proxy connects over IPv6).
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<std::string>& trusted);

// Canonical text of an IP address, or empty when `text` is not one.
std::string CanonicalAddress(std::string_view text);

}  // namespace vs::http
