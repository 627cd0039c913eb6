// Request ids: the id the access log and the X-Request-Id response header give a request.
#pragma once

#include <string>
#include <string_view>

namespace vs::http {

// The longest incoming X-Request-Id kept.
inline constexpr size_t kMaxRequestIdBytes = 64;

// Whether `id` (an incoming X-Request-Id, e.g. set by a proxy) may be used as is: 1 to
// kMaxRequestIdBytes characters, each an ASCII letter, digit, or one of "-_.:". Anything else
// (empty, longer, spaces, quotes, control bytes) could break a log line or a header, and is
// replaced by a generated id.
bool SaneRequestId(std::string_view id);

// A new id: 16 lowercase hex digits, random (not a secret: ids are only for correlating logs).
// Thread-safe.
std::string NewRequestId();

// `incoming` if SaneRequestId, else NewRequestId().
std::string RequestIdFor(std::string_view incoming);

}  // namespace vs::http
