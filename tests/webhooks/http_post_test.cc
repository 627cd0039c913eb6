// Post against real local sockets: an answering receiver, a silent one, a closed port, and
// refused addresses; for https, peers that do not complete a TLS handshake (tls_test.cc posts
// to real TLS receivers).
#include "webhooks/http_post.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

namespace vs::webhooks {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// Accepts one connection on 127.0.0.1; `answer` (may be empty: say nothing) is written after
// the request head and body arrive. Keeps the request it read.
class OneShotReceiver {
 public:
  explicit OneShotReceiver(std::string answer)
      : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, answer = std::move(answer)] {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      net::streambuf buf;
      net::read_until(socket, buf, "\r\n\r\n", ec);
      request_.assign(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
      if (answer.empty()) {
        std::this_thread::sleep_for(milliseconds(1500));  // longer than the test's deadline
        return;
      }
      net::write(socket, net::buffer(answer), ec);
    });
  }
  ~OneShotReceiver() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Join() { thread_.join(); }
  const std::string& request() const { return request_; }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::string request_;
};

// Accepts one connection on 127.0.0.1, writes `greeting` (may be empty) at once, then reads
// until the client hangs up: a peer that never speaks TLS.
class RawPeer {
 public:
  explicit RawPeer(std::string greeting) : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, greeting = std::move(greeting)] {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      if (!greeting.empty()) net::write(socket, net::buffer(greeting), ec);
      char sink[4096];
      while (!ec) socket.read_some(net::buffer(sink), ec);
    });
  }
  ~RawPeer() { thread_.join(); }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

Target Local(uint16_t port) { return {.host = "127.0.0.1", .port = port, .path = "/in?x=1"}; }
Target LocalTls(uint16_t port) {
  return {.host = "localhost", .port = port, .path = "/in", .tls = true};
}

TEST(Post, SendsTheRequestAndReturnsTheStatus) {
  OneShotReceiver rx("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  auto answer = Post(Local(rx.port()), {{"X-Test", "yes"}, {"Content-Type", "application/json"}},
                     R"({"a":1})", {});
  rx.Join();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body_head, "ok");
  EXPECT_NE(rx.request().find("POST /in?x=1 HTTP/1.1\r\n"), std::string::npos) << rx.request();
  EXPECT_NE(rx.request().find("X-Test: yes\r\n"), std::string::npos);
  EXPECT_NE(rx.request().find("Host: 127.0.0.1:" + std::to_string(rx.port())), std::string::npos);
  EXPECT_NE(rx.request().find("Content-Length: 7\r\n"), std::string::npos);
}

TEST(Post, AnErrorStatusIsAnAnswer) {
  OneShotReceiver rx("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom");
  auto answer = Post(Local(rx.port()), {}, "{}", {});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 500);
}

TEST(Post, ASilentReceiverTimesOut) {
  OneShotReceiver rx("");
  const auto start = std::chrono::steady_clock::now();
  auto answer = Post(Local(rx.port()), {}, "{}", {.response_timeout = milliseconds(300)});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_NE(answer.status().message().find("timed out"), std::string::npos)
      << answer.status().message();
  EXPECT_LT(took, std::chrono::seconds(1));  // bounded wait: the deadline, not the receiver
}

TEST(Post, AClosedPortIsUnavailable) {
  uint16_t port = 0;
  {
    net::io_context io;
    tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed again: nothing listens there now
  auto answer = Post(Local(port), {}, "{}", {});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
}

TEST(Post, RefusedAddressesAreNeverConnected) {
  for (const char* host : {"169.254.169.254", "0.0.0.0", "fe80::1"}) {
    auto answer = Post({.host = host, .port = 80, .path = "/"}, {}, "{}",
                       {.connect_timeout = milliseconds(200)});
    ASSERT_FALSE(answer.ok()) << host;
    EXPECT_EQ(answer.status().code(), Code::kPermissionDenied) << host;
  }
}

TEST(PostTls, APeerThatNeverAnswersTheHandshakeTimesOut) {
  RawPeer peer("");
  const auto start = std::chrono::steady_clock::now();
  auto answer = Post(LocalTls(peer.port()), {}, "{}", {.connect_timeout = milliseconds(300)});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_EQ(answer.status().message(), "TLS handshake timed out");
  EXPECT_LT(took, std::chrono::seconds(1));  // bounded wait: the connect deadline
}

TEST(PostTls, APlainHttpPeerFailsTheHandshake) {
  RawPeer peer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  auto answer = Post(LocalTls(peer.port()), {}, "{}", {});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), Code::kUnavailable);
  EXPECT_EQ(answer.status().message().rfind("TLS handshake failed: ", 0), 0)
      << answer.status().message();
}

TEST(PostTls, RefusedAddressesAreNeverConnected) {
  for (const char* host : {"169.254.169.254", "fe80::1", "::ffff:169.254.169.254"}) {
    auto answer = Post({.host = host, .port = 443, .path = "/", .tls = true}, {}, "{}",
                       {.connect_timeout = milliseconds(200)});
    ASSERT_FALSE(answer.ok()) << host;
    EXPECT_EQ(answer.status().code(), Code::kPermissionDenied) << host;
  }
}

}  // namespace
}  // namespace vs::webhooks
