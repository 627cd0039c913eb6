#include "api/json_body.h"

#include <cmath>

namespace vs::api {
namespace {

const nlohmann::json* Field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

Status Missing(const char* key) { return Status::InvalidValue(std::string(key) + " is required"); }
Status Wrong(const char* key, const char* type) {
  return Status::InvalidValue(std::string(key) + " must be " + type);
}

}  // namespace

Result<nlohmann::json> ParseJsonObject(const http::Request& request) {
  auto j = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("the request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return j;
}

Status GetString(const nlohmann::json& j, const char* key, bool required, std::string* out) {
  const auto* f = Field(j, key);
  if (!f) return required ? Missing(key) : Status::Ok();
  if (!f->is_string()) return Wrong(key, "a string");
  *out = f->get<std::string>();
  if (required && out->empty())
    return Status::InvalidValue(std::string(key) + " must not be empty");
  if (out->size() > 1000) return Status::InvalidValue(std::string(key) + " is too long");
  return Status::Ok();
}

Status GetInt(const nlohmann::json& j, const char* key, bool required, int* out) {
  const auto* f = Field(j, key);
  if (!f) return required ? Missing(key) : Status::Ok();
  if (!f->is_number_integer()) return Wrong(key, "an integer");
  // Unsigned numbers above INT64_MAX would wrap to negatives in get<int64_t>().
  if (f->is_number_unsigned() && f->get<uint64_t>() > 2147483647u) {
    return Wrong(key, "a 32-bit integer");
  }
  const auto v = f->get<int64_t>();
  if (v < -2147483647 || v > 2147483647) return Wrong(key, "a 32-bit integer");
  *out = static_cast<int>(v);
  return Status::Ok();
}

Status GetOptInt(const nlohmann::json& j, const char* key, std::optional<int>* out) {
  if (!Field(j, key)) return Status::Ok();
  int v = 0;
  VS_RETURN_IF_ERROR(GetInt(j, key, true, &v));
  *out = v;
  return Status::Ok();
}

Status GetOptDouble(const nlohmann::json& j, const char* key, std::optional<double>* out) {
  const auto* f = Field(j, key);
  if (!f) return Status::Ok();
  if (!f->is_number()) return Wrong(key, "a number");
  const double v = f->get<double>();
  if (!std::isfinite(v)) return Wrong(key, "a finite number");
  *out = v;
  return Status::Ok();
}

Status GetOptTime(const nlohmann::json& j, const char* key, std::optional<Timestamp>* out) {
  const auto* f = Field(j, key);
  if (!f) return Status::Ok();
  if (!f->is_string()) return Wrong(key, "an ISO 8601 date-time string");
  auto t = ParseIso8601(f->get<std::string>());
  if (!t.ok()) return Wrong(key, "an ISO 8601 date-time string");
  *out = *t;
  return Status::Ok();
}

Status GetBool(const nlohmann::json& j, const char* key, bool* out) {
  const auto* f = Field(j, key);
  if (!f) return Status::Ok();
  if (!f->is_boolean()) return Wrong(key, "true or false");
  *out = f->get<bool>();
  return Status::Ok();
}

}  // namespace vs::api
