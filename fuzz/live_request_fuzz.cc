// Fuzzes the checks on a live (WebSocket upgrade) request (live/request_checks.h). The input is
// lines: the request target, the Origin header ("-" for none), the Host header, then the
// configured allowed origins (none means the same-host rule).
// Checked: no crash; an accepted ?after= is non-negative and is the decimal text of the first
// "after" parameter; an origin always matches an allow-list naming it; the same-host rule admits
// only http, https, ws and wss origins.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "live/request_checks.h"

namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return out;
}

bool HasScheme(std::string_view origin, std::string_view scheme) {
  if (origin.size() < scheme.size() + 3) return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = origin[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return false;
  }
  return origin.substr(scheme.size(), 3) == "://";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto lines = Lines(std::string_view(reinterpret_cast<const char*>(data), size));
  if (lines.empty()) return 0;
  const std::string_view target = lines[0];

  auto after = vs::live::ParseAfter(target);
  if (after.ok() && after->has_value()) {
    FUZZ_CHECK(**after >= 0);
    FUZZ_CHECK(target.find("after=" + std::to_string(**after)) != std::string_view::npos ||
               target.find("after=0") != std::string_view::npos);  // leading zeros
  }

  if (lines.size() < 3) return 0;
  const std::optional<std::string_view> origin =
      lines[1] == "-" ? std::nullopt : std::optional<std::string_view>(lines[1]);
  const std::string_view host = lines[2];
  std::vector<std::string> allowed(lines.begin() + 3, lines.end());

  const bool ok = vs::live::OriginAllowed(origin, host, allowed);
  if (!origin) FUZZ_CHECK(ok);
  if (origin) {
    allowed.emplace_back(*origin);
    FUZZ_CHECK(vs::live::OriginAllowed(origin, host, allowed));
    if (vs::live::OriginAllowed(origin, host, {})) {
      FUZZ_CHECK(HasScheme(*origin, "http") || HasScheme(*origin, "https") ||
                 HasScheme(*origin, "ws") || HasScheme(*origin, "wss"));
    }
  }
  return 0;
}
