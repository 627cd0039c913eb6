// Conditional GET: entity tags and If-None-Match (RFC 9110 section 13.1.2, weak comparison).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vs::http {

// A strong tag "\"<prefix>-<16 hex of FNV-1a(target)>\"": changes when `version` or `target`
// changes. For API answers `version` is the store's last event id.
std::string MakeEtag(std::string_view prefix, int64_t version, std::string_view target);

// True when the If-None-Match header value lists `etag` (weakly: W/ ignored) or is "*".
bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag);

}  // namespace vs::http
