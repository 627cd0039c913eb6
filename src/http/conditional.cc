#include "http/conditional.h"

#include <cstdio>

#include "core/text.h"

namespace vs::http {
namespace {

std::string_view Opaque(std::string_view tag) {
  tag = TrimSpaceTab(tag);
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string MakeEtag(std::string_view prefix, int64_t version, std::string_view target) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : target) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "-%lld-%016llx", static_cast<long long>(version),
                static_cast<unsigned long long>(h));
  return "\"" + std::string(prefix) + buf + "\"";
}

bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag) {
  if (TrimSpaceTab(if_none_match) == "*") return true;
  const std::string_view want = Opaque(etag);
  size_t pos = 0;
  while (pos <= if_none_match.size()) {
    const size_t comma = if_none_match.find(',', pos);
    const std::string_view item = if_none_match.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (!TrimSpaceTab(item).empty() && Opaque(item) == want) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace vs::http
