// JSON body field getters on inputs found by fuzz/json_body_fuzz.cc.
#include "api/json_body.h"

#include <gtest/gtest.h>

namespace vs::api {
namespace {

Result<nlohmann::json> Body(const std::string& text) {
  http::Request request;
  request.raw.body() = text;
  return ParseJsonObject(request);
}

// 18446744073709551615 (2^64 - 1) is an unsigned JSON number; read through int64_t it wrapped to
// -1 and passed the 32-bit range check, so {"num_test_images": 18446744073709551615} stored -1.
TEST(GetIntTest, RefusesUnsignedNumbersBeyondInt32) {
  for (const char* n : {"18446744073709551615", "18446744073709551614", "18446744071562067968",
                        "9223372036854775808", "2147483648"}) {
    auto j = Body(std::string("{\"count\": ") + n + "}");
    ASSERT_TRUE(j.ok()) << n;
    int out = 7;
    std::optional<int> opt;
    EXPECT_EQ(GetInt(*j, "count", false, &out).code(), Code::kInvalidValue) << n;
    EXPECT_EQ(GetOptInt(*j, "count", &opt).code(), Code::kInvalidValue) << n;
    EXPECT_FALSE(opt.has_value()) << n;
  }
}

TEST(GetIntTest, ReadsTheEdgesOfTheRange) {
  auto j = Body(R"({"max": 2147483647, "min": -2147483647, "zero": 0})");
  ASSERT_TRUE(j.ok());
  int out = 7;
  ASSERT_TRUE(GetInt(*j, "max", true, &out).ok());
  EXPECT_EQ(out, 2147483647);
  ASSERT_TRUE(GetInt(*j, "min", true, &out).ok());
  EXPECT_EQ(out, -2147483647);
  ASSERT_TRUE(GetInt(*j, "zero", true, &out).ok());
  EXPECT_EQ(out, 0);
}

}  // namespace
}  // namespace vs::api
