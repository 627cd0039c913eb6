// What the server checks in every request before a handler sees it, and what it adds to every
// answer: Host, Transfer-Encoding, HEAD, security headers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/response.h"
#include "http/security_headers.h"
#include "test_server.h"

namespace vs::http {
namespace {

using beast_http::verb;
using testing::Get;

class ServerPolicyTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    t.router.Add({.method = verb::get, .pattern = "/hello", .role = Role::kPublic}, [](Request& r) {
      return JsonResponse(beast_http::status::ok,
                          {{"method", std::string(r.raw.method_string())}, {"path", r.path}});
    });
    t.router.Add({.method = verb::post, .pattern = "/echo", .role = Role::kPublic}, [](Request& r) {
      return BytesResponse(beast_http::status::ok, r.body(), "application/octet-stream");
    });
    t.router.Add({.method = verb::get, .pattern = "/framed", .role = Role::kPublic}, [](Request&) {
      Response res = BytesResponse(beast_http::status::ok, "x", "text/plain");
      res.set("X-Frame-Options", "SAMEORIGIN");
      res.set("Content-Security-Policy", "default-src 'none'");
      return res;
    });
    t.Start(std::move(options));
  }

  // The status of the one answer to `request` on a fresh connection.
  int StatusOf(const std::string& request) {
    auto c = t.Connect();
    c.Send(request);
    const auto res = c.Read();
    return res ? static_cast<int>(res->result_int()) : -1;
  }

  testing::TestServer t;
};

TEST_F(ServerPolicyTest, RequestWithoutHostIs400) {
  Start();
  auto c = t.Connect();
  c.Send("GET /hello HTTP/1.1\r\n\r\n");
  const auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::bad_request);
  EXPECT_EQ(nlohmann::json::parse(res->body())["error"]["code"], "invalid_argument");
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(ServerPolicyTest, RequestWithTwoHostsIs400) {
  Start();
  EXPECT_EQ(StatusOf("GET /hello HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET /hello HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n"), 400);
}

TEST_F(ServerPolicyTest, ForeignHostIs400NamingTheOption) {
  Start();
  auto c = t.Connect();
  c.Send("GET /hello HTTP/1.1\r\nHost: rebind.evil.example:8000\r\n\r\n");
  const auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::bad_request);
  const std::string message = nlohmann::json::parse(res->body())["error"]["message"];
  EXPECT_NE(message.find("--allowed-hosts rebind.evil.example"), std::string::npos) << message;
}

TEST_F(ServerPolicyTest, AllowedHostsAnswer) {
  ServerOptions o;
  o.host_policy.AllowHost("shelf.example.com");
  Start(o);
  for (const char* host : {"localhost", "LOCALHOST:1234", "127.0.0.1:8000", "[::1]:8000",
                           "shelf.example.com", "Shelf.Example.Com:443"}) {
    EXPECT_EQ(StatusOf("GET /hello HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n"), 200)
        << host;
  }
  EXPECT_EQ(StatusOf("GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n"), 400);
}

TEST_F(ServerPolicyTest, ThePolicyInForceKnowsTheBoundPort) {
  Start();
  const HostPolicy& p = t.server().host_policy();
  EXPECT_EQ(p.port(), t.port());
  EXPECT_TRUE(p.OriginAllowed("http://localhost:" + std::to_string(t.port())));
  EXPECT_FALSE(p.OriginAllowed("http://evil.example:" + std::to_string(t.port())));
}

TEST_F(ServerPolicyTest, TransferCodingsOtherThanChunkedAre501BeforeTheBody) {
  ServerOptions o;
  o.body_timeout = std::chrono::milliseconds(5000);
  Start(o);
  for (const char* coding : {"gzip", "gzip, chunked", "deflate", "chunked, chunked", "identity"}) {
    auto c = t.Connect();
    // Only the header: the answer must not wait for a body.
    c.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: " + std::string(coding) +
           "\r\n\r\n");
    const auto res = c.Read();
    ASSERT_TRUE(res) << coding;
    EXPECT_EQ(res->result(), beast_http::status::not_implemented) << coding;
    EXPECT_EQ(nlohmann::json::parse(res->body())["error"]["code"], "not_implemented");
  }
  // Chunked alone still works.
  auto c = t.Connect();
  c.Send(
      "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n");
  const auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "hello");
}

TEST_F(ServerPolicyTest, HeadIsAnsweredLikeGetWithoutTheBody) {
  Start();
  auto c = t.Connect();
  c.Send(Get("/hello"));
  const auto get = c.Read();
  ASSERT_TRUE(get);
  c.Send("HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto head = c.Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->result(), beast_http::status::ok);
  EXPECT_EQ((*head)[beast_http::field::content_length], std::to_string(get->body().size()));
  EXPECT_EQ((*head)[beast_http::field::content_type], (*get)[beast_http::field::content_type]);
  // The handler saw GET; no body bytes followed, so the next answer on the connection parses.
  EXPECT_EQ(nlohmann::json::parse(get->body())["method"], "GET");
  c.Send(Get("/hello"));
  const auto again = c.Read();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body(), get->body());
  // Errors too: same status as GET, no body.
  c.Send("HEAD /missing HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto missing = c.Read(/*head=*/true);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result(), beast_http::status::not_found);
  EXPECT_NE((*missing)[beast_http::field::content_length], "0");
  c.Send(Get("/hello"));
  EXPECT_TRUE(c.Read());
}

TEST_F(ServerPolicyTest, EveryAnswerCarriesTheSecurityHeaders) {
  Start();
  const auto check = [](const Response& res, const std::string& what) {
    EXPECT_EQ(res["Content-Security-Policy"], Bsv(kContentSecurityPolicy)) << what;
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff") << what;
    EXPECT_EQ(res["X-Frame-Options"], "DENY") << what;
    EXPECT_EQ(res["Referrer-Policy"], "same-origin") << what;
  };
  for (const char* request :
       {"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: evil.example\r\n\r\n", "NOT HTTP\r\n\r\n"}) {
    auto c = t.Connect();
    c.Send(request);
    const auto res = c.Read();
    ASSERT_TRUE(res) << request;
    check(*res, request);
  }
}

TEST_F(ServerPolicyTest, AHandlersOwnSecurityHeadersAreKept) {
  Start();
  auto c = t.Connect();
  c.Send(Get("/framed"));
  const auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ((*res)["X-Frame-Options"], "SAMEORIGIN");
  EXPECT_EQ((*res)["Content-Security-Policy"], "default-src 'none'");
  EXPECT_EQ((*res)["X-Content-Type-Options"], "nosniff");
}

TEST(ContentSecurityPolicy, HasTheRequiredDirectives) {
  const std::string csp(kContentSecurityPolicy);
  for (const char* directive : {"default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
                                "form-action 'self'", "object-src 'none'"}) {
    EXPECT_NE(csp.find(directive), std::string::npos) << directive;
  }
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
}

}  // namespace
}  // namespace vs::http
