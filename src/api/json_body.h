// Reading JSON request bodies field by field. A body that is not a JSON object is
// InvalidArgument (400); a field of the wrong type or out of range is InvalidValue (422).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "http/message.h"

namespace vs::api {

inline constexpr size_t kMaxJsonDepth = 64;         // nesting of arrays and objects
inline constexpr size_t kMaxStringField = 1000;     // bytes of one string field
inline constexpr size_t kMaxMetaDataBytes = 16384;  // a meta_data object, serialised

// Nesting deeper than kMaxJsonDepth is InvalidValue (checked before parsing).
Result<nlohmann::json> ParseJsonObject(const http::Request& request);
// The deepest nesting of arrays and objects in `text` (strings skipped; no validation).
size_t JsonDepth(std::string_view text);

// Each getter leaves *out unchanged when the field is absent (or null) and not required.
// Strings must be valid UTF-8 without control characters, at most kMaxStringField bytes
// (core/text.h), else InvalidValue (422).
Status GetString(const nlohmann::json& j, const char* key, bool required, std::string* out);
Status GetInt(const nlohmann::json& j, const char* key, bool required, int* out);
Status GetOptInt(const nlohmann::json& j, const char* key, std::optional<int>* out);
Status GetOptDouble(const nlohmann::json& j, const char* key, std::optional<double>* out);
Status GetOptTime(const nlohmann::json& j, const char* key, std::optional<Timestamp>* out);
Status GetBool(const nlohmann::json& j, const char* key, bool* out);

}  // namespace vs::api
