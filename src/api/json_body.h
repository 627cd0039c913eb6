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

Result<nlohmann::json> ParseJsonObject(const http::Request& request);

// Each getter leaves *out unchanged when the field is absent (or null) and not required.
Status GetString(const nlohmann::json& j, const char* key, bool required, std::string* out);
Status GetInt(const nlohmann::json& j, const char* key, bool required, int* out);
Status GetOptInt(const nlohmann::json& j, const char* key, std::optional<int>* out);
Status GetOptDouble(const nlohmann::json& j, const char* key, std::optional<double>* out);
Status GetOptTime(const nlohmann::json& j, const char* key, std::optional<Timestamp>* out);
Status GetBool(const nlohmann::json& j, const char* key, bool* out);

}  // namespace vs::api
