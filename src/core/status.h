// Errors as values at module boundaries. A Status is ok or carries a code and a message meant
// for a person; Result<T> holds either a T or a non-ok Status. No exceptions cross a module API.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vs {

// Each code maps to exactly one HTTP status at the API edge (see http/error.h).
enum class Code {
  kOk,
  kInvalidArgument,      // 400: malformed request or bad parameter syntax
  kInvalidValue,         // 422: well-formed but unacceptable field value
  kNotFound,             // 404
  kConflict,             // 409
  kTooLarge,             // 413
  kUnsupportedMedia,     // 415: not a decodable image
  kUnavailable,          // 503: model or store cannot serve, or the server is at a limit
  kInsufficientStorage,  // 507: no room to store (photo quota or free-space floor)
  kInternal,             // 500
  kUnauthenticated,      // 401: no or bad credentials
  kPermissionDenied,     // 403: authenticated, but the role (or the request's origin) may not
  kTooManyRequests,      // 429: a per-client budget is spent (e.g. failed logins, connections)
  kNotImplemented,       // 501: a request feature the server does not implement
};

// Stable machine-readable name of a code, as sent in {"error": {"code": ...}}.
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status InvalidValue(std::string m) { return {Code::kInvalidValue, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status UnsupportedMedia(std::string m) { return {Code::kUnsupportedMedia, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status InsufficientStorage(std::string m) {
    return {Code::kInsufficientStorage, std::move(m)};
  }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status TooManyRequests(std::string m) { return {Code::kTooManyRequests, std::move(m)}; }
  static Status NotImplemented(std::string m) { return {Code::kNotImplemented, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: message" (or "ok").
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a value or a non-ok Status. Accessing value() of an error is a programming error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be ok

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vs

// Returns the status of `expr` from the enclosing function if it is not ok.
#define VS_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::vs::Status vs_status_ = (expr);        \
    if (!vs_status_.ok()) return vs_status_; \
  } while (0)
