// Fuzzes JSON request bodies (api/json_body.h) as POST /api/planograms, /api/products,
// /api/models and /api/models/{id}/metrics read them: ParseJsonObject on the raw body, then the
// field getters those routes call.
// Checked: no crash, no exception; a body is accepted only as an object; an accepted field holds
// exactly the JSON value (strings up to 1000 bytes, integers in 32-bit range, finite doubles,
// parseable times); an absent or null field leaves the output untouched.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "api/json_body.h"
#include "fuzz_check.h"

namespace {

using nlohmann::json;

const json* Present(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

void CheckString(const json& j, const char* key, bool required) {
  std::string out = "unchanged";
  const vs::Status s = vs::api::GetString(j, key, required, &out);
  const json* f = Present(j, key);
  if (!f) {
    FUZZ_CHECK(s.ok() != required);
    if (!required) FUZZ_CHECK(out == "unchanged");
    return;
  }
  if (!s.ok()) return;
  FUZZ_CHECK(f->is_string() && f->get<std::string>() == out && out.size() <= 1000);
  if (required) FUZZ_CHECK(!out.empty());
}

void CheckInt(const json& j, const char* key) {
  int out = 12345;
  std::optional<int> opt;
  const vs::Status s = vs::api::GetInt(j, key, false, &out);
  const vs::Status s_opt = vs::api::GetOptInt(j, key, &opt);
  FUZZ_CHECK(s.ok() == s_opt.ok());
  const json* f = Present(j, key);
  if (!f) {
    FUZZ_CHECK(s.ok() && out == 12345 && !opt);
    return;
  }
  if (!s.ok()) return;
  FUZZ_CHECK(opt && *opt == out);
  if (f->is_number_unsigned()) {
    FUZZ_CHECK(out >= 0 && f->get<uint64_t>() == static_cast<uint64_t>(out));
  } else {
    FUZZ_CHECK(f->is_number_integer() && f->get<int64_t>() == out);
  }
}

void CheckDouble(const json& j, const char* key) {
  std::optional<double> out;
  const vs::Status s = vs::api::GetOptDouble(j, key, &out);
  if (!Present(j, key)) {
    FUZZ_CHECK(s.ok() && !out);
    return;
  }
  if (s.ok()) FUZZ_CHECK(out && std::isfinite(*out));
}

void CheckTime(const json& j, const char* key) {
  std::optional<vs::Timestamp> out;
  const vs::Status s = vs::api::GetOptTime(j, key, &out);
  const json* f = Present(j, key);
  if (!f) {
    FUZZ_CHECK(s.ok() && !out);
    return;
  }
  if (!s.ok()) return;
  auto again = vs::ParseIso8601(f->get<std::string>());
  FUZZ_CHECK(out && again.ok() && *again == *out);
}

void CheckBool(const json& j, const char* key) {
  bool out = true;
  const vs::Status s = vs::api::GetBool(j, key, &out);
  const json* f = Present(j, key);
  if (!f) {
    FUZZ_CHECK(s.ok() && out);
    return;
  }
  if (s.ok()) FUZZ_CHECK(f->is_boolean() && f->get<bool>() == out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vs::http::Request request;
  request.raw.body().assign(reinterpret_cast<const char*>(data), size);
  auto body = vs::api::ParseJsonObject(request);
  if (!body.ok()) return 0;
  const json& j = *body;
  FUZZ_CHECK(j.is_object());

  // POST /api/planograms, /api/products
  CheckString(j, "planogram_name", true);
  CheckString(j, "sku", true);
  CheckString(j, "product_name", false);
  CheckString(j, "shelf_location", false);
  CheckInt(j, "expected_count");
  CheckDouble(j, "x_position");
  CheckDouble(j, "y_position");
  CheckString(j, "class_name", true);
  CheckString(j, "brand", false);
  // POST /api/models, /api/models/{id}/metrics
  CheckString(j, "version_name", true);
  CheckString(j, "model_type", false);
  CheckTime(j, "training_date");
  CheckInt(j, "epochs");
  CheckBool(j, "is_active");
  CheckTime(j, "evaluation_date");
  CheckDouble(j, "map50");
  CheckDouble(j, "inference_time_ms");
  CheckInt(j, "num_test_images");
  return 0;
}
