// Checks for text that names things (stores, shelf locations, ...): it is stored, indexed,
// shown in the dashboard and written to CSV, so it must be valid, printable UTF-8 of bounded size.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/status.h"

namespace vs {

// Ok when `value` is 1..max_bytes bytes of well-formed UTF-8 (RFC 3629: no overlong forms, no
// UTF-16 surrogates U+D800..U+DFFF, nothing above U+10FFFF) holding no C0 control character
// (U+0000..U+001F, NUL included) and no DEL (U+007F). Otherwise InvalidValue with a message that
// starts with `field`, e.g. "store: invalid UTF-8 at byte 3".
Status ValidateIdentifier(std::string_view field, std::string_view value, size_t max_bytes);

// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace, RFC 9110 5.6.3),
// as header values and their list elements are read.
std::string_view TrimSpaceTab(std::string_view s);

}  // namespace vs
