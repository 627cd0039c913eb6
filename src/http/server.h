// The HTTP/1.1 server: a few I/O threads run the sockets (accept, read, write) and worker pools
// run the handlers, so slow work (decode, inference, database) never blocks I/O.
//
//   - keep-alive; a request's header must arrive within header_timeout (also the idle limit
//     between keep-alive requests) and its body within body_timeout (slowloris-safe);
//   - every request needs exactly one Host header naming a host of `host_policy` (400 otherwise,
//     naming the --allowed-hosts option): DNS rebinding cannot reach the API;
//   - a Transfer-Encoding other than exactly "chunked" is 501, before any body is read;
//   - HEAD is answered as GET without the body (handlers and the router see GET);
//   - a body larger than max_body_bytes is answered 413 as soon as its Content-Length is read (or
//     when a chunked body crosses the limit), without reading the rest; the connection closes;
//   - admission limits (connections, body bytes, the heavy lane) answer 503 / 429 with
//     Retry-After: 1 at once and close the connection, without reading the body;
//   - while a request is queued or running the connection is watched: when the client goes away
//     (EOF or reset) `Request::cancelled` is set, and a heavy request not yet started is skipped;
//   - every response carries the security headers of http/security_headers.h;
//   - a WebSocket upgrade whose path is `upgrade_path` is handed, with the socket, to the upgrade
//     handler (the live hub), after the Host check (the Origin check is the hub's);
//   - every request gets an id (a sane incoming X-Request-Id, else a new one; http/request_id.h),
//     returned in the X-Request-Id header of its answer;
//   - one access-log line per request (core/log.h Access: request_id, method, route, path,
//     status, bytes, ms, remote, user) and one ServerOptions::on_request call (metrics).
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/host_policy.h"
#include "core/status.h"
#include "http/message.h"
#include "http/router.h"

namespace vs::http {

// A second worker pool for slow requests (detection), so they cannot hold the pool that answers
// reads and /health.
struct HeavyLaneOptions {
  // Which requests go to the lane, judged on the header alone (method as dispatched, so HEAD is
  // GET; the raw target with its query). Empty: no lane, every request uses the normal pool.
  std::function<bool(beast_http::verb method, std::string_view target)> is_heavy;
  // Threads of the lane. 0 = one per core (std::thread::hardware_concurrency(), at least 1): a
  // detection is mostly single-threaded decode plus inference, so one per core keeps the cores
  // busy without oversubscribing them.
  int threads = 0;
  // Bound on the lane's queued + running requests; a heavy request arriving when the lane is full
  // is answered 503 with Retry-After: 1 right after its header. 0 = 2 × threads.
  int max_in_flight = 0;
};

// One answered request, as the access log and the metrics see it.
struct RequestRecord {
  std::string_view method;  // as received ("GET", "HEAD", ...)
  std::string_view route;   // Request::route; empty when refused before dispatch or unmatched
  std::string_view path;    // the target without its query
  int status = 0;           // 101 for a WebSocket upgrade handed over
  size_t bytes = 0;         // body bytes of the answer (0 for HEAD)
  std::chrono::duration<double> elapsed{};  // from the header's arrival to the answer
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view user;  // Request::caller; empty when not authenticated
};

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8000;  // 0 = any free port (see Server::port())
  int io_threads = 1;
  // Threads of the normal pool (every request not in the heavy lane).
  int worker_threads = 2;
  // Largest request body; bigger ones are 413.
  size_t max_body_bytes = 20u << 20;
  size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds header_timeout{15'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::string upgrade_path = "/api/live";

  // The host names the server answers to and the extra browser origins (see core/host_policy.h).
  // Default: this machine's names and addresses. Start() also allows the listen address when it
  // is a specific one, and sets the bound port on its copy (see Server::host_policy()).
  HostPolicy host_policy = HostPolicy::ForThisMachine();

  // Open connections, all peers together. Over it, a new connection gets 503 with Retry-After: 1
  // and is closed. 0 = min(4096, RLIMIT_NOFILE - 256), at least 16. Connections handed to the
  // upgrade handler keep counting (with their peer address) until the handler lets go of the
  // hold it was given.
  size_t max_connections = 0;
  // Open connections from one peer address. Over it: 429 with Retry-After: 1, then closed.
  // (Counted per TCP peer: behind a proxy, limit connections per client in the proxy.)
  size_t max_connections_per_address = 256;
  // Reverse proxies whose X-Forwarded-For names the client (http/forwarded.h): a request from one
  // of them gets the forwarded client's address as its remote_address (login limits, audit,
  // access log). Empty: the header is ignored.
  std::vector<std::string> trusted_proxies;

  // Request-body bytes in flight (announced by Content-Length, or received so far of a chunked
  // body), server-wide, from the header until the handler has returned. A request that does not
  // fit is 503 with Retry-After: 1 before its body is read.
  size_t max_body_bytes_in_flight = 256u << 20;
  // Bodies larger than large_body_bytes in flight at once; one more is 503 with Retry-After: 1.
  size_t max_large_bodies = 16;
  size_t large_body_bytes = 1u << 20;

  HeavyLaneOptions heavy;

  // Called once per answered request, also for refusals before dispatch and upgrades, on an I/O
  // thread right before the answer is written: must be quick and thread-safe. May be empty.
  std::function<void(const RequestRecord&)> on_request;
};

class Server {
 public:
  // Takes over an upgraded connection; the request has been read (header only). `hold` is the
  // connection's place in the connection caps: keep it while the connection is open, drop it
  // when the connection closes.
  using UpgradeHandler =
      std::function<void(boost::beast::tcp_stream, RawRequest, std::shared_ptr<void> hold)>;

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
  // The policy in force, its port set to the bound one after Start: for the WebSocket Origin
  // check, e.g. [&server](std::string_view o) { return server.host_policy().OriginAllowed(o); }.
  const HostPolicy& host_policy() const;
  // Stops accepting, stops the I/O threads and waits for running handlers. Idempotent.
  void Stop();

  // From now on every answer closes its connection (Connection: close), so that clients open
  // new connections, elsewhere once a load balancer has seen this instance turn not ready.
  // Requests are still accepted. Idempotent.
  void CloseKeepAlive();
  // The first half of a graceful stop: CloseKeepAlive, stops accepting connections, and waits
  // until every request already received has been answered (written), or `timeout` has passed.
  // True if none is left. Call Stop() after.
  bool Drain(std::chrono::milliseconds timeout);

  // Figures for /metrics (zero before Start). Thread-safe.
  struct Stats {
    size_t open_connections = 0;
    size_t requests_in_flight = 0;  // received (header read) and not yet answered
    size_t body_bytes_in_flight = 0;
    size_t heavy_in_flight = 0;  // the heavy lane's queued + running requests
    size_t heavy_capacity = 0;   // its bound (0: no lane)
    size_t heavy_threads = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vs::http
