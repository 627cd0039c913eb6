// A blocking HTTP client over real loopback sockets for the server tests. Every read has a
// timeout, so a server that fails to answer fails the test instead of hanging it.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace vs::http::testing {

namespace asio = boost::asio;
namespace bh = boost::beast::http;
using tcp = asio::ip::tcp;

class Client {
 public:
  // Connects to 127.0.0.1:port; reads give up after `timeout`.
  Client(asio::io_context& ioc, uint16_t port,
         std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : socket_(ioc), timeout_(timeout) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  // Takes a socket that is already connected.
  explicit Client(tcp::socket socket, std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : socket_(std::move(socket)), timeout_(timeout) {}

  void Send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // The next response, or nothing if the connection ended (or timed out) first. `head`: the
  // response answers a HEAD request (no body follows whatever Content-Length says).
  std::optional<bh::response<bh::string_body>> Read(bool head = false) {
    bh::response_parser<bh::string_body> parser;
    parser.skip(head);
    parser.body_limit(64u << 20);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      if (!pending_.empty()) {
        const size_t used = parser.put(asio::buffer(pending_), ec);
        pending_.erase(0, used);
        if (ec && ec != bh::error::need_more) return std::nullopt;
        if (parser.is_done()) break;
        if (used > 0 && !pending_.empty()) continue;
      }
      const long n = RecvSome();
      if (n < 0) return std::nullopt;
      if (n == 0) {
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return std::nullopt;
      }
    }
    return parser.release();
  }

  // Everything until the server closes (or the timeout).
  std::string ReadToClose() {
    while (RecvSome() > 0) {
    }
    return std::exchange(pending_, {});
  }

  // True if the server closed the connection (EOF or reset) before the timeout; what it sent
  // before closing is discarded.
  bool ClosedByServer() {
    long n;
    while ((n = RecvSome()) > 0) pending_.clear();
    return n == 0 || errno_ == ECONNRESET;
  }

  tcp::socket& socket() { return socket_; }

 private:
  // Appends what arrives within the timeout to pending_: bytes read, 0 at EOF, -1 on error or
  // timeout (asio's blocking reads cannot time out, hence poll(2) and recv(2)).
  long RecvSome() {
    pollfd p{socket_.native_handle(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
    if (ready <= 0) {
      errno_ = ready == 0 ? ETIMEDOUT : errno;
      return -1;
    }
    char buf[16384];
    const ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
    if (n < 0) {
      errno_ = errno;
      return -1;
    }
    pending_.append(buf, static_cast<size_t>(n));
    return n;
  }

  tcp::socket socket_;
  std::chrono::milliseconds timeout_;
  std::string pending_;
  int errno_ = 0;
};

// "GET <target> HTTP/1.1" with Host: localhost and the given extra header lines.
inline std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

}  // namespace vs::http::testing
