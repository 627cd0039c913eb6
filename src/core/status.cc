#include "core/status.h"

namespace vs {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kInvalidValue:
      return "invalid_value";
    case Code::kNotFound:
      return "not_found";
    case Code::kConflict:
      return "conflict";
    case Code::kTooLarge:
      return "too_large";
    case Code::kUnsupportedMedia:
      return "unsupported_media_type";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kInsufficientStorage:
      return "insufficient_storage";
    case Code::kInternal:
      return "internal";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kTooManyRequests:
      return "too_many_requests";
    case Code::kNotImplemented:
      return "not_implemented";
  }
  return "internal";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace vs
