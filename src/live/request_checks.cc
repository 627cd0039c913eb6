#include "live/request_checks.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

namespace vs::live {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view TrimSlash(std::string_view s) {
  if (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

// "host[:port]" or "[v6]:port" -> "host:port", lowercased, `default_port` filling an absent port.
// Empty on a malformed authority.
std::string NormalizeAuthority(std::string_view authority, std::string_view default_port) {
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    size_t end = authority.find(']');
    if (end == std::string_view::npos) return {};
    host = authority.substr(0, end + 1);
    std::string_view rest = authority.substr(end + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {};
      port = rest.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return {};
  if (port.empty()) port = default_port;
  for (char c : port) {
    if (c < '0' || c > '9') return {};
  }
  return Lower(host) + ":" + std::string(port);
}

}  // namespace

bool OriginAllowed(const std::optional<std::string_view>& origin, std::string_view host,
                   const std::vector<std::string>& allowed) {
  if (!origin) return true;
  std::string want = Lower(TrimSlash(*origin));
  if (!allowed.empty()) {
    for (const auto& a : allowed) {
      if (Lower(TrimSlash(a)) == want) return true;
    }
    return false;
  }
  size_t sep = want.find("://");
  if (sep == std::string::npos) return false;
  std::string_view scheme = std::string_view(want).substr(0, sep);
  std::string_view default_port;
  if (scheme == "http" || scheme == "ws") {
    default_port = "80";
  } else if (scheme == "https" || scheme == "wss") {
    default_port = "443";
  } else {
    return false;
  }
  std::string_view authority = std::string_view(want).substr(sep + 3);
  if (authority.find_first_of("/?#@") != std::string_view::npos) return false;
  std::string from_origin = NormalizeAuthority(authority, default_port);
  return !from_origin.empty() && from_origin == NormalizeAuthority(host, default_port);
}

Result<std::optional<store::Id>> ParseAfter(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::optional<store::Id>();
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != "after") continue;
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    store::Id id = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
    if (value.empty() || value.front() == '-' || ec != std::errc() ||
        end != value.data() + value.size()) {
      return Status::InvalidArgument("after must be a non-negative integer event id, got \"" +
                                     std::string(value) + "\"");
    }
    return std::optional<store::Id>(id);
  }
  return std::optional<store::Id>();
}

ClientMessageVerdict CheckClientMessage(bool is_text, std::string_view data, size_t max_bytes) {
  if (!is_text) return {1003, "binary messages are not accepted"};
  if (data.size() > max_bytes) return {1009, "message too big"};
  // nlohmann's parser keeps its nesting on the heap, not the call stack, and rejects invalid
  // UTF-8 inside strings (and any non-ASCII byte outside them).
  if (!nlohmann::json::accept(data)) return {1007, "malformed message"};
  return {};
}

}  // namespace vs::live
