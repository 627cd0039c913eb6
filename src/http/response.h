// Building responses: JSON, plain bytes, empty. Every helper sets Content-Length.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "http/message.h"

namespace vs::http {

// `body` serialised compactly as application/json; invalid UTF-8 is replaced, never thrown.
Response JsonResponse(beast_http::status status, const nlohmann::json& body, unsigned version = 11);
// Raw bytes with the given Content-Type.
Response BytesResponse(beast_http::status status, std::string body, std::string_view content_type,
                       unsigned version = 11);
// No body (204, 304, ...).
Response EmptyResponse(beast_http::status status, unsigned version = 11);

}  // namespace vs::http
