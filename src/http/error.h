// The one error shape at the HTTP edge: {"error": {"code": "<vs::CodeName>", "message": "..."}},
// with one HTTP status per vs::Code.
#pragma once

#include <boost/beast/http/status.hpp>

#include "core/status.h"
#include "http/message.h"

namespace vs::http {

// kInvalidArgument 400, kInvalidValue 422, kNotFound 404, kConflict 409, kTooLarge 413,
// kUnsupportedMedia 415, kUnavailable 503, kInsufficientStorage 507, kInternal 500,
// kUnauthenticated 401, kPermissionDenied 403, kTooManyRequests 429, kNotImplemented 501
// (kOk 200).
beast_http::status HttpStatusFor(Code code);

// A JSON error response for a non-ok `status`, with Cache-Control: no-store.
Response ErrorResponse(const Status& status, unsigned version = 11);

}  // namespace vs::http
