// Test fixtures for the live hub: a tiny server (TCP acceptor -> Beast HTTP request read ->
// Hub::Accept, as the HTTP server does for GET /api/live) and a WebSocket client whose every
// wait has a deadline.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "live/event_bus.h"
#include "live/hub.h"

namespace vs::live::testing {

using namespace std::chrono_literals;

// Raises the soft limit on open files to the hard limit; returns the new soft limit.
uint64_t RaiseFileLimit();

// Serves GET /api/live on 127.0.0.1 (ephemeral port) with a Hub over `store` and `bus`, on
// `threads` I/O threads. The destructor closes every client and waits for the I/O to finish.
class LiveServer {
 public:
  LiveServer(store::Store& store, EventBus& bus, HubOptions options = {}, int threads = 1);
  ~LiveServer();
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  uint16_t port() const { return port_; }
  Hub& hub() { return *hub_; }
  // Waits until hub().client_count() == n; false after `timeout`.
  bool WaitForClients(size_t n, std::chrono::milliseconds timeout = 10s);

 private:
  void DoAccept();

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Hub> hub_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

// A blocking WebSocket client on its own io_context.
class WsClient {
 public:
  WsClient();
  // Connects to 127.0.0.1:port and handshakes for `target`, sending `origin` as the Origin
  // header when given. Returns the HTTP status of the handshake response (101 on success, 0 when
  // no response). `receive_buffer`, when non-zero, sets SO_RCVBUF before connecting. `headers`
  // are added to the upgrade request.
  int Connect(uint16_t port, const std::string& target = "/api/live",
              const std::optional<std::string>& origin = std::nullopt, int receive_buffer = 0,
              const std::vector<std::pair<std::string, std::string>>& headers = {});
  // The next text message; nullopt on timeout (the read then continues in the next call), or on
  // close or error (then closed() is true; see close_code()).
  std::optional<std::string> Read(std::chrono::milliseconds timeout = 10s);
  // Sends one message; false on error.
  bool Send(const std::string& data, bool binary = false);
  // Closes normally (1000).
  void Close();

  bool closed() const { return closed_; }
  // The close frame received from the server (code 0 when none).
  int close_code() const { return static_cast<int>(ws_.reason().code); }
  std::string close_reason() const { return std::string(ws_.reason().reason.c_str()); }
  const std::string& response_body() const { return response_body_; }

 private:
  // Runs the io_context until `done` or the deadline; on the deadline cancels the socket.
  bool RunUntil(const bool& done, std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  bool closed_ = false;
  bool reading_ = false;  // an async_read is pending
  bool read_done_ = false;
  boost::beast::error_code read_error_;
  std::string response_body_;
};

}  // namespace vs::live::testing
