// JSON bodies: nesting and string limits, and field getters on inputs found by
// fuzz/json_body_fuzz.cc.
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

TEST(JsonBodyTest, DepthIsCountedOutsideStrings) {
  EXPECT_EQ(JsonDepth("{}"), 1u);
  EXPECT_EQ(JsonDepth(R"({"a":[1,{"b":[]}]})"), 4u);
  EXPECT_EQ(JsonDepth(R"({"a":"[[[[{{{{\"[["})"), 1u);
  EXPECT_EQ(JsonDepth("plain"), 0u);
}

TEST(JsonBodyTest, DeepNestingIsRefusedBeforeParsing) {
  // The body that crashed the server: meta_data nested 60,000 levels deep.
  std::string deep = R"({"planogram_name":"p","sku":"s","meta_data":{"x":)";
  deep += std::string(60'000, '[') + std::string(60'000, ']') + "}}";
  auto parsed = Body((deep));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Code::kInvalidValue);
  std::string ok = "{\"a\":" + std::string(62, '[') + std::string(62, ']') + "}";
  EXPECT_TRUE(Body((ok)).ok());
  std::string over = "{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}";
  EXPECT_EQ(Body((over)).status().code(), Code::kInvalidValue);
}

TEST(JsonBodyTest, StringsMustBePrintableUtf8) {
  std::string out = "unchanged";
  for (const char* bad :
       {R"({"s":"a\u0000b"})", R"({"s":"line\nbreak"})", R"({"s":"\u001b[31m"})"}) {
    auto j = Body((bad));
    ASSERT_TRUE(j.ok()) << bad;
    EXPECT_EQ(GetString(*j, "s", true, &out).code(), Code::kInvalidValue) << bad;
  }
  EXPECT_EQ(out, "unchanged");
  auto j = Body((R"({"s":"Ährenbrot Ø 20 cm"})"));
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(GetString(*j, "s", true, &out).ok());
  EXPECT_EQ(out, "Ährenbrot Ø 20 cm");
  // Invalid UTF-8 never gets past the parser.
  EXPECT_EQ(Body(("{\"s\":\"\xff\xfe\"}")).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vs::api
