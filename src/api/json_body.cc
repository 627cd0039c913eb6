#include "api/json_body.h"

#include <algorithm>
#include <cmath>

#include "core/text.h"

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

size_t JsonDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Result<nlohmann::json> ParseJsonObject(const http::Request& request) {
  // Checked before parsing: nlohmann's parser is iterative, but copying, dumping and destroying a
  // deeply nested value recurse, and 60,000 levels overflow the stack.
  if (JsonDepth(request.body()) > kMaxJsonDepth) {
    return Status::InvalidValue("the request body nests deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels");
  }
  auto j = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("the request body is not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return j;
}

Status GetString(const nlohmann::json& j, const char* key, bool required, std::string* out) {
  const auto* f = Field(j, key);
  if (!f) return required ? Missing(key) : Status::Ok();
  if (!f->is_string()) return Wrong(key, "a string");
  const auto& text = f->get_ref<const std::string&>();
  if (text.empty()) {
    if (required) return Status::InvalidValue(std::string(key) + " must not be empty");
    out->clear();
    return Status::Ok();
  }
  VS_RETURN_IF_ERROR(ValidateIdentifier(key, text, kMaxStringField));
  *out = text;
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
