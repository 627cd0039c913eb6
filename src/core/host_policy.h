// Which names a server answers to, and which browser origins may talk to it: the defence against
// DNS rebinding (a hostile page whose name resolves to this machine) and cross-site WebSocket use.
// A plain value type: matching is pure; only ForThisMachine() asks the system (no DNS look-ups).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vs {

class HostPolicy {
 public:
  // Answers to nothing until hosts are added.
  HostPolicy() = default;
  // localhost, 127.0.0.1, ::1, the machine's own names from gethostname() (the full name, the
  // part before the first dot, and that part + ".local" as mDNS announces it) and the IP
  // addresses of its network interfaces (getifaddrs), so http://<LAN address>:<port>/ works out
  // of the box; an IP literal cannot be rebound by DNS. Asks no DNS server.
  static HostPolicy ForThisMachine();

  // A host name or IP address the server answers to ("shelf.example.com", "10.0.0.7",
  // "[fe80::1]" or "fe80::1"); compared case-insensitively, a trailing dot ignored. Empty is
  // ignored.
  void AllowHost(std::string_view host);
  // A browser origin allowed besides http://<allowed host>:<port>, e.g. "https://shelf.example.com"
  // when a TLS proxy sits in front; compared exactly but case-insensitively, a trailing "/"
  // ignored.
  void AllowOrigin(std::string_view origin);
  // The port the server listens on, which same-server origins must name (0 = not known yet: then
  // only the extra origins match). Server::Start sets it on its copy.
  void set_port(uint16_t port) { port_ = port; }
  uint16_t port() const { return port_; }

  // The value of a Host header: host[:port], an IPv6 address in brackets; any port.
  bool HostAllowed(std::string_view host_header) const;
  // An Origin header: one of the extra origins, or http://<allowed host>[:port] where the port
  // (80 when absent) is the server's port. "null" and anything malformed are refused.
  bool OriginAllowed(std::string_view origin) const;

  // The normalised allowed hosts (lower case, IPv6 without brackets) and extra origins.
  const std::vector<std::string>& hosts() const { return hosts_; }
  const std::vector<std::string>& origins() const { return origins_; }

 private:
  bool NameAllowed(std::string_view name) const;

  std::vector<std::string> hosts_;
  std::vector<std::string> origins_;
  uint16_t port_ = 0;
};

}  // namespace vs
