// Fuzzes request-target parsing (http/query.h) on targets as the server receives them: the input
// is a request target; targets Boost.Beast's request parser would refuse are skipped, as they
// never reach ParseTarget.
// Checked: no crash; PercentEncode then PercentDecode is the identity; a next-page link built by
// WithParam parses back to the same path and parameters with the one parameter replaced.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/query.h"

namespace {

namespace bhttp = boost::beast::http;

// The target as Beast hands it to the server, or false when Beast rejects the request line.
bool BeastTarget(std::string_view target, std::string* out) {
  const std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  bhttp::request_parser<bhttp::string_body> parser;
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(request), ec);
  if (ec || !parser.is_header_done()) return false;
  const auto t = parser.get().target();
  out->assign(t.data(), t.size());
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Any bytes survive encoding; decoding an encoded text gives it back (NUL aside, which the
  // decoder refuses on purpose).
  if (input.find('\0') == std::string_view::npos) {
    const std::string encoded = vs::http::PercentEncode(input);
    auto decoded = vs::http::PercentDecode(encoded, /*plus_is_space=*/true);
    FUZZ_CHECK(decoded.ok() && *decoded == input);
  }

  std::string target;
  if (!BeastTarget(input, &target)) return 0;
  std::string path;
  vs::http::QueryParams query;
  if (!vs::http::ParseTarget(target, &path, &query).ok()) return 0;
  FUZZ_CHECK(!path.empty() && path.front() == '/');

  const std::string link = vs::http::WithParam(path, query, "cursor", "MTIz+/=");
  std::string path2;
  vs::http::QueryParams query2;
  FUZZ_CHECK(vs::http::ParseTarget(link, &path2, &query2).ok());
  FUZZ_CHECK(path2 == path);
  std::vector<std::pair<std::string, std::string>> want;
  for (const auto& item : query.items()) {
    if (item.first != "cursor") want.push_back(item);
  }
  want.emplace_back("cursor", "MTIz+/=");
  FUZZ_CHECK(query2.items() == want);
  return 0;
}
