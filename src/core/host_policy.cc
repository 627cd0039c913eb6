#include "core/host_policy.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>

namespace vs {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  });
  return out;
}

// Lower case, brackets of an IPv6 literal and one trailing dot removed.
std::string NormaliseName(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return Lower(host);
}

// Splits "host[:port]" (IPv6 in brackets). False if malformed; *port = -1 when absent.
bool SplitHostPort(std::string_view text, std::string_view* host, int* port) {
  *port = -1;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    *host = text.substr(0, close + 1);
    rest = text.substr(close + 1);
  } else {
    const size_t colon = text.find(':');
    *host = text.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (host->empty() || *host == "[]") return false;
  if (rest.empty()) return true;
  if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return false;
  rest.remove_prefix(1);
  int value = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || end != rest.data() + rest.size() || value > 65535) return false;
  *port = value;
  return true;
}

std::string NormaliseOrigin(std::string_view origin) {
  if (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  return Lower(origin);
}

void AddInterfaceAddresses(HostPolicy* policy) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return;
  for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = nullptr;
    if (a->ifa_addr->sa_family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr;
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
    }
    if (raw && inet_ntop(a->ifa_addr->sa_family, raw, text, sizeof text)) policy->AllowHost(text);
  }
  freeifaddrs(list);
}

}  // namespace

HostPolicy HostPolicy::ForThisMachine() {
  HostPolicy policy;
  policy.AllowHost("localhost");
  policy.AllowHost("127.0.0.1");
  policy.AllowHost("::1");
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) == 0) {
    const std::string_view full(name);
    const std::string_view short_name = full.substr(0, full.find('.'));
    policy.AllowHost(full);
    policy.AllowHost(short_name);
    if (!short_name.empty()) policy.AllowHost(std::string(short_name) + ".local");  // mDNS
  }
  AddInterfaceAddresses(&policy);
  return policy;
}

void HostPolicy::AllowHost(std::string_view host) {
  std::string name = NormaliseName(host);
  if (name.empty() || NameAllowed(name)) return;
  hosts_.push_back(std::move(name));
}

void HostPolicy::AllowOrigin(std::string_view origin) {
  std::string normalised = NormaliseOrigin(origin);
  if (normalised.empty() ||
      std::find(origins_.begin(), origins_.end(), normalised) != origins_.end()) {
    return;
  }
  origins_.push_back(std::move(normalised));
}

bool HostPolicy::NameAllowed(std::string_view name) const {
  return std::find(hosts_.begin(), hosts_.end(), name) != hosts_.end();
}

bool HostPolicy::HostAllowed(std::string_view host_header) const {
  std::string_view host;
  int port = -1;
  if (!SplitHostPort(host_header, &host, &port)) return false;
  const std::string name = NormaliseName(host);
  return !name.empty() && NameAllowed(name);
}

bool HostPolicy::OriginAllowed(std::string_view origin) const {
  const std::string normalised = NormaliseOrigin(origin);
  if (normalised.empty() || normalised == "null") return false;
  if (std::find(origins_.begin(), origins_.end(), normalised) != origins_.end()) return true;
  constexpr std::string_view kHttp = "http://";
  if (port_ == 0 || normalised.compare(0, kHttp.size(), kHttp) != 0) return false;
  std::string_view host;
  int port = -1;
  const std::string_view authority = std::string_view(normalised).substr(kHttp.size());
  if (authority.find_first_of("/?#@") != std::string_view::npos) return false;
  if (!SplitHostPort(authority, &host, &port)) return false;
  if ((port == -1 ? 80 : port) != port_) return false;
  return NameAllowed(NormaliseName(host));
}

}  // namespace vs
