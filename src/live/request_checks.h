// Checks on what a live client sends: which browser origins may connect, the position
// (?after=N) it resumes from, and its WebSocket messages. Pure functions, no I/O, no state:
// safe to fuzz with any input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/types.h"

namespace vs::live {

// Whether a request may open a live connection.
//  - `origin` absent (nullopt): a non-browser client; allowed.
//  - `allowed` non-empty: allowed only if `origin` equals one of its entries (ASCII
//    case-insensitive, a trailing "/" ignored).
//  - `allowed` empty: allowed only if the origin's host[:port] equals the Host header, an absent
//    port standing for the origin scheme's default (http/ws 80, https/wss 443). Origins of other
//    schemes, "null", or without a host are refused.
bool OriginAllowed(const std::optional<std::string_view>& origin, std::string_view host,
                   const std::vector<std::string>& allowed);

// The value of the "after" query parameter of a request target ("/api/live?after=42"): nullopt
// when absent; InvalidArgument unless it is a non-negative decimal integer that fits an Id.
Result<std::optional<store::Id>> ParseAfter(std::string_view target);

// The verdict on one message a client sent: accepted (close_code 0; the hub ignores its
// content), or the WebSocket close code and reason to close the connection with.
struct ClientMessageVerdict {
  uint16_t close_code = 0;
  std::string_view reason;  // static text
  bool accepted() const { return close_code == 0; }
};

// A client message (`data`, complete; `is_text` for a text frame) is accepted when it is a text
// message of at most `max_bytes` bytes holding one JSON value (so valid UTF-8). Otherwise:
// 1003 for binary, 1009 for oversized, 1007 for anything else. Linear in data.size(); deep
// nesting costs no stack.
ClientMessageVerdict CheckClientMessage(bool is_text, std::string_view data, size_t max_bytes);

}  // namespace vs::live
