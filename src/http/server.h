// The HTTP/1.1 server: a few I/O threads run the sockets (accept, read, write) and a separate
// worker pool runs every handler, so slow work (decode, inference, database) never blocks I/O.
//
//   - keep-alive; a request's header must arrive within header_timeout (also the idle limit
//     between keep-alive requests) and its body within body_timeout (slowloris-safe);
//   - a body larger than max_body_bytes is answered 413 as soon as its Content-Length is read (or
//     when a chunked body crosses the limit), without reading the rest; the connection closes;
//   - a WebSocket upgrade whose path is `upgrade_path` is handed, with the socket, to the upgrade
//     handler (the live hub);
//   - one structured log line per request: method, target, status, bytes, ms.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/message.h"
#include "http/router.h"

namespace vs::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8000;  // 0 = any free port (see Server::port())
  int io_threads = 1;
  int worker_threads = 2;
  size_t max_body_bytes = 20u << 20;
  size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds header_timeout{15'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::string upgrade_path = "/api/live";
};

class Server {
 public:
  // Takes over an upgraded connection; the request has been read (header only).
  using UpgradeHandler = std::function<void(boost::beast::tcp_stream, RawRequest)>;

  // `handler` answers every request (on a worker thread); `upgrade` may be empty (then upgrade
  // requests reach `handler` like any other).
  Server(ServerOptions options, Handler handler, UpgradeHandler upgrade);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Unavailable (with the reason) if the address cannot
  // be bound.
  Status Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Stops accepting, stops the I/O threads and waits for running handlers. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vs::http
