// Timestamps are UTC instants with millisecond precision, exchanged as ISO 8601 text.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vs {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

Timestamp Now();
// Milliseconds since the Unix epoch, and back.
int64_t ToUnixMillis(Timestamp t);
Timestamp FromUnixMillis(int64_t ms);

// "2026-11-28T07:20:00.123Z" (always UTC, always milliseconds).
std::string FormatIso8601(Timestamp t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with an optional "Z" or "+HH:MM"/"-HH:MM"
// offset (no offset means UTC), and a space instead of "T". Returns InvalidValue otherwise.
Result<Timestamp> ParseIso8601(std::string_view text);

}  // namespace vs
