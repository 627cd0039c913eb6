#include "api/json_body.h"

#include <gtest/gtest.h>

namespace vs::api {
namespace {

http::Request Body(std::string body) {
  http::Request r;
  r.raw.body() = std::move(body);
  return r;
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
  auto parsed = ParseJsonObject(Body(deep));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Code::kInvalidValue);
  std::string ok = "{\"a\":" + std::string(62, '[') + std::string(62, ']') + "}";
  EXPECT_TRUE(ParseJsonObject(Body(ok)).ok());
  std::string over = "{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}";
  EXPECT_EQ(ParseJsonObject(Body(over)).status().code(), Code::kInvalidValue);
}

TEST(JsonBodyTest, StringsMustBePrintableUtf8) {
  std::string out = "unchanged";
  for (const char* bad : {R"({"s":"a\u0000b"})", R"({"s":"line\nbreak"})", R"({"s":"\u001b[31m"})"}) {
    auto j = ParseJsonObject(Body(bad));
    ASSERT_TRUE(j.ok()) << bad;
    EXPECT_EQ(GetString(*j, "s", true, &out).code(), Code::kInvalidValue) << bad;
  }
  EXPECT_EQ(out, "unchanged");
  auto j = ParseJsonObject(Body(R"({"s":"Ährenbrot Ø 20 cm"})"));
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(GetString(*j, "s", true, &out).ok());
  EXPECT_EQ(out, "Ährenbrot Ø 20 cm");
  // Invalid UTF-8 never gets past the parser.
  EXPECT_EQ(ParseJsonObject(Body("{\"s\":\"\xff\xfe\"}")).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vs::api
