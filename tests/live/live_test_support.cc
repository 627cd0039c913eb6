#include "live_test_support.h"

#include <sys/resource.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace vs::live::testing {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

uint64_t RaiseFileLimit() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

LiveServer::LiveServer(store::Store& store, EventBus& bus, HubOptions options, int threads)
    : work_(net::make_work_guard(ioc_)), acceptor_(ioc_) {
  hub_ = Hub::Create(store, bus, std::move(options));
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  DoAccept();
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

LiveServer::~LiveServer() {
  hub_->CloseAll();
  net::post(acceptor_.get_executor(), [this] { acceptor_.close(); });
  work_.reset();
  for (auto& t : threads_) t.join();
  hub_.reset();
}

bool LiveServer::WaitForClients(size_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (hub_->client_count() != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

void LiveServer::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed
    struct Conn {
      explicit Conn(tcp::socket s) : stream(std::move(s)) {}
      beast::tcp_stream stream;
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
    };
    auto conn = std::make_shared<Conn>(std::move(socket));
    conn->stream.expires_after(10s);
    http::async_read(conn->stream, conn->buffer, conn->request,
                     [conn, hub = hub_](beast::error_code read_ec, size_t) {
                       if (!read_ec) hub->Accept(std::move(conn->stream), std::move(conn->request));
                     });
    DoAccept();
  });
}

WsClient::WsClient() : ws_(ioc_) {}

int WsClient::Connect(uint16_t port, const std::string& target,
                      const std::optional<std::string>& origin, int receive_buffer,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  socket.open(tcp::v4(), ec);
  if (receive_buffer > 0) socket.set_option(net::socket_base::receive_buffer_size(receive_buffer));
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  ws_.set_option(websocket::stream_base::decorator([origin, headers](websocket::request_type& req) {
    if (origin) req.set(http::field::origin, *origin);
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  // The asynchronous handshake keeps the response also when the upgrade is declined.
  websocket::response_type response;
  bool done = false;
  ws_.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                      [&](beast::error_code) { done = true; });
  if (!RunUntil(done, 10s)) return 0;
  response_body_ = response.body();
  return response.result_int();
}

bool WsClient::RunUntil(const bool& done, std::chrono::milliseconds timeout) {
  ioc_.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    ioc_.run_one_until(deadline);
  }
  if (done) return true;
  beast::get_lowest_layer(ws_).socket().cancel();
  ioc_.restart();
  while (!done) ioc_.run_one();
  return false;
}

std::optional<std::string> WsClient::Read(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  if (!reading_) {
    reading_ = true;
    read_done_ = false;
    ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
      read_error_ = ec;
      read_done_ = true;
    });
  }
  ioc_.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!read_done_ && std::chrono::steady_clock::now() < deadline) {
    ioc_.run_one_until(deadline);
  }
  if (!read_done_) return std::nullopt;  // the read stays pending for the next call
  reading_ = false;
  if (read_error_) {
    closed_ = true;
    return std::nullopt;
  }
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  return text;
}

bool WsClient::Send(const std::string& data, bool binary) {
  beast::error_code ec;
  ws_.binary(binary);
  ws_.write(net::buffer(data), ec);
  return !ec;
}

void WsClient::Close() {
  beast::error_code ec;
  ws_.close(websocket::close_code::normal, ec);
  closed_ = true;
}

}  // namespace vs::live::testing
