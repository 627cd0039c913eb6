#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <future>
#include <nlohmann/json.hpp>

#include "http/response.h"

namespace vs::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using beast_http::verb;

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    router.Add({.method = verb::get, .pattern = "/hello", .role = Role::kPublic}, [](Request& r) {
      return JsonResponse(beast_http::status::ok,
                          {{"path", r.path}, {"q", r.query.Get("q").value_or("")}});
    });
    router.Add({.method = verb::post, .pattern = "/echo", .role = Role::kPublic}, [](Request& r) {
      return BytesResponse(beast_http::status::ok, r.body(), "application/octet-stream");
    });
    router.Add({.method = verb::get, .pattern = "/slow", .role = Role::kPublic}, [this](Request&) {
      // Waits until /fast has been answered: proves handlers do not hold the I/O thread.
      const bool released =
          fast_done.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
      return JsonResponse(beast_http::status::ok, {{"released", released}});
    });
    router.Add({.method = verb::get, .pattern = "/fast", .role = Role::kPublic}, [this](Request&) {
      fast_done.set_value();
      return JsonResponse(beast_http::status::ok, {{"fast", true}});
    });
    server = std::make_unique<Server>(
        options, [this](Request& r) { return router.Dispatch(r); },
        [this](boost::beast::tcp_stream stream, RawRequest req, std::shared_ptr<void>) {
          upgraded_target = std::string(req.target());
          beast_http::response<beast_http::string_body> res{beast_http::status::switching_protocols,
                                                            11};
          res.prepare_payload();
          boost::beast::error_code ec;
          beast_http::write(stream, res, ec);
        });
    ASSERT_TRUE(server->Start().ok());
  }

  tcp::socket Connect() {
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()));
    return s;
  }

  Response RoundTrip(tcp::socket& s, const RawRequest& req) {
    beast_http::write(s, req);
    Response res;
    beast_http::read(s, buffer, res);
    return res;
  }

  static RawRequest Get(const std::string& target) {
    RawRequest req{verb::get, target, 11};
    req.set(beast_http::field::host, "localhost");
    return req;
  }

  // Reads until the server closes; returns what arrived.
  static std::string ReadToClose(tcp::socket& s) {
    std::string data;
    boost::system::error_code ec;
    char buf[4096];
    while (true) {
      const size_t n = s.read_some(asio::buffer(buf), ec);
      data.append(buf, n);
      if (ec) break;
    }
    return data;
  }

  asio::io_context ioc;
  boost::beast::flat_buffer buffer;
  Router router;
  std::unique_ptr<Server> server;
  std::promise<void> fast_done;
  std::string upgraded_target;
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  auto s = Connect();
  for (int i = 0; i < 3; ++i) {
    const Response res = RoundTrip(s, Get("/hello?q=" + std::to_string(i)));
    EXPECT_EQ(res.result(), beast_http::status::ok);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(nlohmann::json::parse(res.body())["q"], std::to_string(i));
  }
  EXPECT_EQ(RoundTrip(s, Get("/nope")).result(), beast_http::status::not_found);
  RawRequest del{verb::delete_, "/hello", 11};
  del.set(beast_http::field::host, "localhost");
  const Response res = RoundTrip(s, del);
  EXPECT_EQ(res.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(res[beast_http::field::allow], "GET, HEAD, OPTIONS");
}

TEST_F(ServerTest, EchoesABody) {
  StartServer();
  auto s = Connect();
  RawRequest req{verb::post, "/echo", 11};
  req.set(beast_http::field::host, "localhost");
  req.body() = std::string(100000, 'x');
  req.prepare_payload();
  EXPECT_EQ(RoundTrip(s, req).body(), req.body());
}

TEST_F(ServerTest, OversizedContentLengthIs413BeforeTheBodyIsSent) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  auto s = Connect();
  asio::write(s, asio::buffer(std::string(
                     "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n")));
  const std::string answer = ReadToClose(s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("too_large"), std::string::npos);
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  auto s = Connect();
  std::string req = "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
  req += "0\r\n\r\n";
  asio::write(s, asio::buffer(req));
  const std::string answer = ReadToClose(s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
}

TEST_F(ServerTest, SlowHeaderIsCutOff) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  auto s = Connect();
  asio::write(
      s, asio::buffer(std::string("GET /hello HTTP/1.1\r\nHost: localhost\r\n")));  // never ends
  const std::string answer = ReadToClose(s);  // returns only because the server closes
  EXPECT_EQ(answer.find("200"), std::string::npos);
}

TEST_F(ServerTest, SlowBodyIsCutOff) {
  ServerOptions o;
  o.body_timeout = std::chrono::milliseconds(300);
  StartServer(o);
  auto s = Connect();
  asio::write(s, asio::buffer(std::string(
                     "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc")));
  const std::string answer = ReadToClose(s);
  EXPECT_EQ(answer.find("200"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestIs400) {
  StartServer();
  auto s = Connect();
  asio::write(s, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  const std::string answer = ReadToClose(s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

TEST_F(ServerTest, HandlersRunOffTheIoThread) {
  ServerOptions o;
  o.io_threads = 1;
  o.worker_threads = 2;
  StartServer(o);
  auto slow = Connect();
  beast_http::write(slow, Get("/slow"));
  auto fast = Connect();
  boost::beast::flat_buffer fast_buffer;
  beast_http::write(fast, Get("/fast"));
  Response fast_res;
  beast_http::read(fast, fast_buffer, fast_res);
  EXPECT_EQ(fast_res.result(), beast_http::status::ok);
  Response slow_res;
  beast_http::read(slow, buffer, slow_res);
  EXPECT_EQ(nlohmann::json::parse(slow_res.body())["released"], true);
}

TEST_F(ServerTest, WebSocketUpgradeOnLivePathGoesToUpgradeHandler) {
  StartServer();
  auto s = Connect();
  RawRequest req = Get("/api/live?after=3");
  req.set(beast_http::field::upgrade, "websocket");
  req.set(beast_http::field::connection, "Upgrade");
  req.set(beast_http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(beast_http::field::sec_websocket_version, "13");
  const Response res = RoundTrip(s, req);
  EXPECT_EQ(res.result(), beast_http::status::switching_protocols);
  EXPECT_EQ(upgraded_target, "/api/live?after=3");
}

TEST_F(ServerTest, StopIsIdempotent) {
  StartServer();
  server->Stop();
  server->Stop();
}

}  // namespace
}  // namespace vs::http
