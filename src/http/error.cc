#include "http/error.h"

#include "http/response.h"

namespace vs::http {

beast_http::status HttpStatusFor(Code code) {
  using S = beast_http::status;
  switch (code) {
    case Code::kOk:
      return S::ok;
    case Code::kInvalidArgument:
      return S::bad_request;
    case Code::kInvalidValue:
      return S::unprocessable_entity;
    case Code::kNotFound:
      return S::not_found;
    case Code::kConflict:
      return S::conflict;
    case Code::kTooLarge:
      return S::payload_too_large;
    case Code::kUnsupportedMedia:
      return S::unsupported_media_type;
    case Code::kUnavailable:
      return S::service_unavailable;
    case Code::kInsufficientStorage:
      return S::insufficient_storage;
    case Code::kInternal:
      return S::internal_server_error;
    case Code::kUnauthenticated:
      return S::unauthorized;
    case Code::kPermissionDenied:
      return S::forbidden;
    case Code::kTooManyRequests:
      return S::too_many_requests;
    case Code::kNotImplemented:
      return S::not_implemented;
  }
  return S::internal_server_error;
}

Response ErrorResponse(const Status& status, unsigned version) {
  const Code code = status.ok() ? Code::kInternal : status.code();
  const nlohmann::json body = {
      {"error",
       {{"code", CodeName(code)}, {"message", status.ok() ? "no error" : status.message()}}}};
  Response res = JsonResponse(HttpStatusFor(code), body, version);
  res.set(beast_http::field::cache_control, "no-store");
  // Every 503 is a condition that passes (a budget, a locked or read-only store, a missing
  // model being installed): say when to try again.
  if (code == Code::kUnavailable) res.set(beast_http::field::retry_after, "1");
  return res;
}

}  // namespace vs::http
