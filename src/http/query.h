// Request-target parsing: percent-decoding and query strings (application/x-www-form-urlencoded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace vs::http {

// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' ' (query strings). InvalidArgument on
// a malformed escape or an encoded NUL byte.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Percent-encodes everything except unreserved characters (RFC 3986), for building links.
std::string PercentEncode(std::string_view text);

// Splits "/path?a=1&b=2" into a decoded path and decoded parameters. InvalidArgument when the
// target is not an origin-form path or an escape is malformed.
Status ParseTarget(std::string_view target, std::string* path, QueryParams* query);

// Re-encodes `query` with `name` set to `value` (replacing any earlier values), for next-page
// links.
std::string WithParam(const std::string& path, const QueryParams& query, std::string_view name,
                      std::string_view value);

}  // namespace vs::http
