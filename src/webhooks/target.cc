#include "webhooks/target.h"

#include <charconv>

namespace vs::webhooks {
namespace {

namespace ip = boost::asio::ip;

bool V4Allowed(const ip::address_v4& a, bool allow_link_local) {
  const uint32_t v = a.to_uint();
  if ((v >> 24) == 0) return false;                  // 0.0.0.0/8: "this host", unspecified
  if ((v >> 28) == 0xE) return false;                // 224.0.0.0/4 multicast
  if (v == 0xFFFFFFFFu) return false;                // limited broadcast
  if ((v >> 16) == 0xA9FE) return allow_link_local;  // 169.254.0.0/16 link-local, metadata
  return true;
}

bool ValidHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::string Target::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

Result<Target> ParseUrl(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return Status::InvalidValue("the url is too long");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return Status::InvalidValue("the url contains spaces or control characters");
    }
  }
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  Target t;
  std::string_view rest;
  if (url.substr(0, kHttp.size()) == kHttp) {
    rest = url.substr(kHttp.size());
  } else if (url.substr(0, kHttps.size()) == kHttps) {
    rest = url.substr(kHttps.size());
    t.tls = true;
    t.port = 443;
  } else {
    return Status::InvalidValue("the url must start with http:// or https://");
  }
  if (rest.find('#') != std::string_view::npos)
    return Status::InvalidValue("the url has a fragment");
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (t.path[0] == '?') t.path = "/" + t.path;
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidValue("the url must not carry user info");
  }
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidValue("the url has a bad IPv6 host");
    t.host = std::string(authority.substr(1, close - 1));
    boost::system::error_code ec;
    ip::make_address_v6(t.host, ec);
    if (ec) return Status::InvalidValue("the url has a bad IPv6 host");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Status::InvalidValue("the url has a bad host");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    for (char c : t.host) {
      if (!ValidHostChar(c)) return Status::InvalidValue("the url has a bad host name");
    }
  }
  if (t.host.empty()) return Status::InvalidValue("the url has no host");
  if (has_port) {
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
    if (port_text.empty() || ec != std::errc() || ptr != end || port == 0 || port > 65535) {
      return Status::InvalidValue("the url has a bad port");
    }
    t.port = static_cast<uint16_t>(port);
  }
  return t;
}

bool AddressAllowed(const ip::address& address, bool allow_link_local) {
  if (address.is_v4()) return V4Allowed(address.to_v4(), allow_link_local);
  const ip::address_v6 a = address.to_v6();
  if (a.is_v4_mapped()) return V4Allowed(ip::make_address_v4(ip::v4_mapped, a), allow_link_local);
  if (a.is_unspecified() || a.is_multicast()) return false;
  if (a.is_link_local()) return allow_link_local;  // fe80::/10
  static const ip::address_v6 kAwsMetadata = ip::make_address_v6("fd00:ec2::254");
  if (a == kAwsMetadata) return allow_link_local;
  return true;
}

Status ValidateWebhookUrl(std::string_view url, bool allow_link_local) {
  auto target = ParseUrl(url);
  if (!target.ok()) return target.status();
  boost::system::error_code ec;
  const ip::address literal = ip::make_address(target->host, ec);
  if (!ec && !AddressAllowed(literal, allow_link_local)) {
    return Status::InvalidValue(
        "the url points at a link-local, metadata, multicast or "
        "unspecified address; webhooks may not post there");
  }
  return Status::Ok();
}

}  // namespace vs::webhooks
