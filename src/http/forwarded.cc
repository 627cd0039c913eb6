#include "http/forwarded.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include "core/text.h"

namespace vs::http {
namespace {

bool IsTrusted(const std::string& address, const std::vector<std::string>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&](const std::string& t) { return CanonicalAddress(t) == address; });
}

}  // namespace

std::string CanonicalAddress(std::string_view text) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(std::string(TrimSpaceTab(text)), ec);
  return ec ? std::string() : a.to_string();
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<std::string>& trusted) {
  std::string client(peer);
  if (TrimSpaceTab(forwarded_for).empty() || !IsTrusted(CanonicalAddress(peer), trusted))
    return client;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const std::string address = CanonicalAddress(entry);
    if (address.empty()) return client;
    client = address;
    if (!IsTrusted(address, trusted)) return client;
  }
  return client;
}

}  // namespace vs::http
