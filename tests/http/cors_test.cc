#include "http/cors.h"

#include <gtest/gtest.h>

namespace vs::http {
namespace {

Request Make(beast_http::verb method, std::string_view origin, bool preflight = false) {
  Request r;
  r.raw.method(method);
  r.raw.target("/api/summary");
  if (!origin.empty()) r.raw.set(beast_http::field::origin, Bsv(origin));
  if (preflight) r.raw.set(beast_http::field::access_control_request_method, "POST");
  return r;
}

Response Plain() {
  Response res{beast_http::status::ok, 11};
  res.set(beast_http::field::allow, "GET, HEAD, OPTIONS, POST");
  return res;
}

std::string H(const Response& res, beast_http::field f) { return std::string(Sv(res[f])); }

TEST(CorsPolicyTest, ClosedByDefaultSendsNothing) {
  CorsPolicy cors;
  Response res = Plain();
  cors.Apply(Make(beast_http::verb::options, "https://a.example", true), res);
  EXPECT_EQ(H(res, beast_http::field::access_control_allow_origin), "");
  EXPECT_EQ(H(res, beast_http::field::access_control_allow_methods), "");
  EXPECT_EQ(H(res, beast_http::field::vary), "");
}

TEST(CorsPolicyTest, AnswersAPreflightOfAConfiguredOriginOnly) {
  CorsPolicy cors;
  ASSERT_TRUE(cors.Allow("https://Shelf.Example.com/").ok());
  Response ok = Plain();
  cors.Apply(Make(beast_http::verb::options, "https://shelf.example.com", true), ok);
  EXPECT_EQ(H(ok, beast_http::field::access_control_allow_origin), "https://shelf.example.com");
  EXPECT_EQ(H(ok, beast_http::field::access_control_allow_methods), "GET, HEAD, OPTIONS, POST");
  EXPECT_NE(H(ok, beast_http::field::access_control_allow_headers).find("Authorization"),
            std::string::npos);
  EXPECT_EQ(H(ok, beast_http::field::access_control_max_age), "600");
  EXPECT_EQ(H(ok, beast_http::field::access_control_allow_credentials), "");
  EXPECT_EQ(H(ok, beast_http::field::vary), "Origin");

  for (std::string_view other : {"https://evil.example", "http://shelf.example.com",
                                 "https://shelf.example.com:8443", "null"}) {
    Response res = Plain();
    cors.Apply(Make(beast_http::verb::options, other, true), res);
    EXPECT_EQ(H(res, beast_http::field::access_control_allow_origin), "") << other;
    EXPECT_EQ(H(res, beast_http::field::access_control_allow_methods), "") << other;
    EXPECT_EQ(H(res, beast_http::field::vary), "Origin") << other;
  }
}

TEST(CorsPolicyTest, AnOrdinaryRequestGetsItsOriginAndTheExposedHeaders) {
  CorsPolicy cors;
  ASSERT_TRUE(cors.Allow("http://10.0.0.7:8080").ok());
  Response res = Plain();
  res.set(beast_http::field::vary, "Accept-Encoding");
  cors.Apply(Make(beast_http::verb::get, "http://10.0.0.7:8080"), res);
  EXPECT_EQ(H(res, beast_http::field::access_control_allow_origin), "http://10.0.0.7:8080");
  EXPECT_NE(H(res, beast_http::field::access_control_expose_headers).find("ETag"),
            std::string::npos);
  EXPECT_EQ(H(res, beast_http::field::access_control_allow_methods), "");
  EXPECT_EQ(H(res, beast_http::field::vary), "Accept-Encoding, Origin");
  Response none = Plain();
  cors.Apply(Make(beast_http::verb::get, ""), none);
  EXPECT_EQ(H(none, beast_http::field::access_control_allow_origin), "");
}

TEST(CorsPolicyTest, RefusesWildcardsAndNonOrigins) {
  CorsPolicy cors;
  for (std::string_view bad : {"*", "null", "", "shelf.example.com", "https://", "ftp://x",
                               "https://a.example/path", "https://*.example.com"}) {
    EXPECT_EQ(cors.Allow(bad).code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(cors.open());
}

TEST(CorsPolicyTest, PreflightNeedsOriginAndRequestMethod) {
  EXPECT_TRUE(CorsPolicy::IsPreflight(Make(beast_http::verb::options, "https://a.example", true)));
  EXPECT_FALSE(CorsPolicy::IsPreflight(Make(beast_http::verb::options, "https://a.example")));
  EXPECT_FALSE(CorsPolicy::IsPreflight(Make(beast_http::verb::options, "", true)));
  EXPECT_FALSE(CorsPolicy::IsPreflight(Make(beast_http::verb::get, "https://a.example", true)));
}

}  // namespace
}  // namespace vs::http
