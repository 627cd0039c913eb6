#include "live/request_checks.h"

#include <gtest/gtest.h>

namespace vs::live {
namespace {

bool Allowed(std::optional<std::string_view> origin, std::string_view host,
             std::vector<std::string> allowed = {}) {
  return OriginAllowed(origin, host, allowed);
}

TEST(OriginAllowedTest, AcceptsRequestsWithoutOrigin) {
  EXPECT_TRUE(Allowed(std::nullopt, "example.com"));
  EXPECT_TRUE(Allowed(std::nullopt, "", {"https://a.example"}));
}

TEST(OriginAllowedTest, SameHostAndPortByDefault) {
  EXPECT_TRUE(Allowed("http://localhost:8000", "localhost:8000"));
  EXPECT_TRUE(Allowed("HTTP://LocalHost:8000/", "localhost:8000"));
  EXPECT_TRUE(Allowed("http://example.com", "example.com"));
  EXPECT_TRUE(Allowed("http://example.com", "example.com:80"));
  EXPECT_TRUE(Allowed("https://example.com", "example.com"));
  EXPECT_TRUE(Allowed("https://example.com:443", "example.com"));
  EXPECT_TRUE(Allowed("http://[::1]:8000", "[::1]:8000"));

  EXPECT_FALSE(Allowed("http://localhost:8001", "localhost:8000"));
  EXPECT_FALSE(Allowed("http://evil.example:8000", "localhost:8000"));
  EXPECT_FALSE(Allowed("https://example.com", "example.com:80"));
  EXPECT_FALSE(Allowed("http://localhost.evil.example", "localhost"));
  EXPECT_FALSE(Allowed("null", "localhost:8000"));
  EXPECT_FALSE(Allowed("file://", "localhost"));
  EXPECT_FALSE(Allowed("ftp://localhost:8000", "localhost:8000"));
  EXPECT_FALSE(Allowed("http://user@localhost:8000", "localhost:8000"));
  EXPECT_FALSE(Allowed("http://localhost:8000", ""));
  EXPECT_FALSE(Allowed("http://localhost:80x", "localhost:80x"));
}

TEST(OriginAllowedTest, AnAllowListReplacesTheSameHostRule) {
  std::vector<std::string> list = {"https://dash.example", "http://localhost:5173"};
  EXPECT_TRUE(Allowed("https://dash.example", "api.example", list));
  EXPECT_TRUE(Allowed("HTTP://localhost:5173/", "api.example", list));
  EXPECT_FALSE(Allowed("https://api.example", "api.example", list));
  EXPECT_FALSE(Allowed("https://dash.example:444", "api.example", list));
}

TEST(ParseAfterTest, ReadsTheAfterParameter) {
  EXPECT_EQ(*ParseAfter("/api/live"), std::nullopt);
  EXPECT_EQ(*ParseAfter("/api/live?"), std::nullopt);
  EXPECT_EQ(*ParseAfter("/api/live?x=1"), std::nullopt);
  EXPECT_EQ(*ParseAfter("/api/live?after=0"), store::Id{0});
  EXPECT_EQ(*ParseAfter("/api/live?x=1&after=42&y"), store::Id{42});
  EXPECT_EQ(*ParseAfter("/api/live?after=9223372036854775807"), store::Id{9223372036854775807});
}

TEST(ParseAfterTest, RejectsAnythingButANonNegativeInteger) {
  for (const char* target :
       {"/api/live?after=", "/api/live?after", "/api/live?after=-1", "/api/live?after=+1",
        "/api/live?after=1x", "/api/live?after=abc", "/api/live?after=9223372036854775808"}) {
    auto r = ParseAfter(target);
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << target;
  }
}

}  // namespace
}  // namespace vs::live
