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

TEST(CheckClientMessageTest, AcceptsOneJsonValueInATextMessage) {
  for (std::string_view m : {R"({"type":"ping"})", "[]", "42", "\"naïve ✓\"", " {} "}) {
    EXPECT_TRUE(CheckClientMessage(true, m, 4096).accepted()) << m;
  }
}

TEST(CheckClientMessageTest, RefusesBinaryOversizedAndMalformedMessages) {
  EXPECT_EQ(CheckClientMessage(false, "{}", 4096).close_code, 1003);
  EXPECT_EQ(CheckClientMessage(true, std::string(4097, ' '), 4096).close_code, 1009);
  EXPECT_TRUE(CheckClientMessage(true, "[" + std::string(4094, ' ') + "]", 4096).accepted());
  for (std::string_view m : {"", "{not json", "{} {}", "\"\xff\"", "\"\xc3\"", "[1,]"}) {
    auto v = CheckClientMessage(true, m, 4096);
    EXPECT_EQ(v.close_code, 1007) << m;
    EXPECT_FALSE(v.reason.empty());
  }
  EXPECT_EQ(CheckClientMessage(true, std::string_view("\0", 1), 4096).close_code, 1007);
}

TEST(CheckClientMessageTest, DeepNestingIsJustMalformedOrAccepted) {
  // Nesting as deep as the size limit allows must not exhaust the stack.
  const size_t n = 1 << 20;
  EXPECT_EQ(CheckClientMessage(true, std::string(n, '['), n).close_code, 1007);
  EXPECT_TRUE(
      CheckClientMessage(true, std::string(n / 2, '[') + std::string(n / 2, ']'), n).accepted());
}

}  // namespace
}  // namespace vs::live
