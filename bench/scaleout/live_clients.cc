// vs_live_clients: many WebSocket clients of one VisionStock instance, for bench/scaleout's
// commit-to-client latency. One Beast I/O thread and no work per message beyond stamping its
// arrival and a JSON parse, so that what is measured is the servers' delivery rather than the
// client runtime (a script engine handling 1,000 sockets on the same 2 cores adds tens of ms).
//
// Protocol (stdout, one line each): "ready" once every client has its hello; then, for every
// scan.created event as soon as all clients have it (or, for the rest, when stdin closes):
//   {"scan_id":N,"created_at_ms":T,"at_ms":[wall-clock arrival in ms, one per client]}
// The process ends when stdin closes. Arrival times are system_clock (the server stamps
// created_at with the same clock on the same machine).
//
// Usage: vs_live_clients --port P [--token T] [--clients 1000]
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

double WallMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(system_clock::now().time_since_epoch()).count();
}

struct Arrivals {
  double created_at_ms = 0;
  std::vector<double> at;
};

struct Shared {
  int clients = 0;
  int hellos = 0;
  std::map<int64_t, Arrivals> pending;  // scan_id -> arrivals so far (I/O thread only)

  void Print(int64_t scan_id, const Arrivals& a) {
    nlohmann::json line = {
        {"scan_id", scan_id}, {"created_at_ms", a.created_at_ms}, {"at_ms", a.at}};
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
  }
  void OnEvent(const std::string& text, double at) {
    const auto msg = nlohmann::json::parse(text, nullptr, false);
    if (!msg.is_object() || msg.value("type", "") != "scan.created") return;
    const int64_t id = msg["payload"].value("scan_id", int64_t{-1});
    Arrivals& a = pending[id];
    if (a.at.empty()) {
      auto ts = vs::ParseIso8601(msg.value("created_at", ""));
      a.created_at_ms = ts.ok() ? static_cast<double>(vs::ToUnixMillis(*ts)) : 0;
    }
    a.at.push_back(at);
    if (static_cast<int>(a.at.size()) == clients) {
      Print(id, a);
      pending.erase(id);
    }
  }
};

struct Client : std::enable_shared_from_this<Client> {
  Client(net::io_context& ioc, Shared& s) : ws(ioc), shared(s) {}
  void Start(uint16_t port, const std::string& token) {
    beast::get_lowest_layer(ws).async_connect(
        {net::ip::make_address("127.0.0.1"), port},
        [self = shared_from_this(), port, token](beast::error_code ec) {
          if (ec) Fail("connect", ec);
          self->ws.set_option(
              websocket::stream_base::decorator([token](websocket::request_type& req) {
                if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
              }));
          self->ws.async_handshake("127.0.0.1:" + std::to_string(port), "/api/live",
                                   [self](beast::error_code hec) {
                                     if (hec) Fail("handshake", hec);
                                     self->Read();
                                   });
        });
  }
  [[noreturn]] static void Fail(const char* what, beast::error_code ec) {
    std::fprintf(stderr, "vs_live_clients: %s: %s\n", what, ec.message().c_str());
    std::_Exit(2);
  }
  void Read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;  // closed: the run is over (or the server dropped us: counted as missing)
      const double at = WallMs();
      const std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (!self->hello) {
        self->hello = true;
        if (++self->shared.hellos == self->shared.clients) {
          std::printf("ready\n");
          std::fflush(stdout);
        }
      } else {
        self->shared.OnEvent(text, at);
      }
      self->Read();
    });
  }

  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  Shared& shared;
  bool hello = false;
};

}  // namespace

int main(int argc, char** argv) {
  int port = 0, clients = 1000;
  std::string token;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--port")
      port = std::atoi(argv[i + 1]);
    else if (k == "--clients")
      clients = std::atoi(argv[i + 1]);
    else if (k == "--token")
      token = argv[i + 1];
  }
  if (port <= 0 || port > 65535 || clients <= 0) {
    std::fprintf(stderr, "usage: vs_live_clients --port P [--token T] [--clients N]\n");
    return 2;
  }
  net::io_context ioc(1);
  Shared shared;
  shared.clients = clients;
  std::vector<std::shared_ptr<Client>> all;
  for (int i = 0; i < clients; ++i) {
    all.push_back(std::make_shared<Client>(ioc, shared));
    all.back()->Start(static_cast<uint16_t>(port), token);
  }
  auto work = net::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });
  // Until stdin closes; then the partly received events, and out.
  for (std::string line; std::getline(std::cin, line);) {
  }
  net::post(ioc, [&] {
    for (const auto& [id, a] : shared.pending) shared.Print(id, a);
    shared.pending.clear();
    for (auto& c : all) beast::get_lowest_layer(c->ws).close();
    work.reset();
    ioc.stop();
  });
  io.join();
  return 0;
}
