// Checks on an upgrade request to the live endpoint: which browser origins may connect, and the
// position (?after=N) the client resumes from. Pure functions, no I/O.
#pragma once

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

}  // namespace vs::live
