#include "http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "http/error.h"
#include "http/limits.h"
#include "http/security_headers.h"
#include "http/session.h"

namespace vs::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kFirstAcceptBackoff = std::chrono::milliseconds(10);
constexpr auto kMaxAcceptBackoff = std::chrono::milliseconds(1000);
constexpr auto kRefusalDrainTime = std::chrono::milliseconds(250);

// min(4096, RLIMIT_NOFILE - 256), at least 16: 256 descriptors stay for the store, the model,
// static files and the WebSocket clients.
size_t DefaultMaxConnections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = 1024;
  const size_t files =
      limit.rlim_cur == RLIM_INFINITY ? size_t{1} << 20 : static_cast<size_t>(limit.rlim_cur);
  return std::clamp<size_t>(files > 256 ? files - 256 : 0, 16, 4096);
}

// At most one log line per interval; counts what it held back.
class LogLimiter {
 public:
  // True if a line may be written now; *held_back is then the number of lines not written
  // since the last one.
  bool Due(size_t* held_back) {
    const auto now = std::chrono::steady_clock::now();
    if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < kLogInterval) {
      ++held_back_;
      return false;
    }
    last_ = now;
    *held_back = std::exchange(held_back_, 0);
    return true;
  }

 private:
  static constexpr std::chrono::seconds kLogInterval{10};
  std::chrono::steady_clock::time_point last_{};
  size_t held_back_ = 0;
};

int ThreadsOrCores(int threads) {
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Out of file descriptors or kernel memory: retrying at once would only fail again.
bool ResourceExhausted(const boost::system::error_code& ec) {
  const int e = ec.value();
  return ec.category() == boost::system::system_category() &&
         (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM);
}

// Answers a connection over a connection limit with `status` and Retry-After: 1, then closes it
// after a short drain (so a request already sent does not turn the close into a reset that
// would discard the answer).
void Refuse(tcp::socket socket, const Status& status) {
  struct Refusal {
    beast::tcp_stream stream;
    Response response;
    std::array<char, 4096> sink;
  };
  auto r = std::make_shared<Refusal>(
      Refusal{beast::tcp_stream(std::move(socket)), ErrorResponse(status), {}});
  r->response.keep_alive(false);
  r->response.set(beast_http::field::retry_after, "1");
  AddSecurityHeaders(r->response);
  r->stream.expires_after(kRefusalDrainTime);
  beast_http::async_write(r->stream, r->response, [r](beast::error_code ec, size_t) {
    beast::error_code ignored;
    if (ec) return r->stream.close();
    r->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    r->stream.async_read_some(asio::buffer(r->sink),
                              [r](beast::error_code, size_t) { r->stream.close(); });
  });
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  UpgradeHandler upgrade;
  // Declared before the I/O context: sessions it still holds give their leases back on its
  // destruction.
  std::shared_ptr<ConnectionLimits> connections;
  std::unique_ptr<BodyBudget> bodies;
  std::unique_ptr<Slots> heavy_lane;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer;  // on the acceptor's strand
  std::chrono::milliseconds accept_backoff{0};
  LogLimiter accept_log, refusal_log;  // on the acceptor's strand
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<asio::thread_pool> heavy_workers;
  std::vector<std::thread> io_threads;
  uint16_t port = 0;
  std::mutex stop_mu;
  bool stopped = false;
  std::atomic<size_t> in_flight{0};
  std::atomic<bool> draining{false};

  Impl(ServerOptions o, Handler h, UpgradeHandler u)
      : options(std::move(o)),
        handler(std::move(h)),
        upgrade(std::move(u)),
        ioc(std::max(1, options.io_threads)),
        acceptor(asio::make_strand(ioc)),
        accept_timer(acceptor.get_executor()) {}

  SessionContext Context() {
    return SessionContext{.options = &options,
                          .handler = &handler,
                          .upgrade = &upgrade,
                          .workers = workers.get(),
                          .heavy_workers = heavy_workers.get(),
                          .heavy_lane = heavy_lane.get(),
                          .bodies = bodies.get(),
                          .in_flight = &in_flight,
                          .draining = &draining};
  }

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted) return;
                            if (ec) return OnAcceptError(ec);
                            accept_backoff = std::chrono::milliseconds(0);
                            Admit(std::move(socket));
                            if (acceptor.is_open()) Accept();
                          });
  }

  void Admit(tcp::socket socket) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    const auto peer = socket.remote_endpoint(ec);
    const std::string address = ec ? std::string() : peer.address().to_string();
    std::optional<ConnectionLimits::Lease> lease;
    const auto verdict = connections->TryOpen(address, &lease);
    if (verdict == ConnectionLimits::Verdict::kOk) {
      std::make_shared<Session>(std::move(socket), Context(), std::move(*lease))->Start();
      return;
    }
    const bool total = verdict == ConnectionLimits::Verdict::kTooManyTotal;
    if (size_t held_back = 0; refusal_log.Due(&held_back)) {
      vs::log::Warn("connection refused", {{"peer", address},
                                           {"limit", total ? "total" : "per address"},
                                           {"open", connections->open()},
                                           {"refusals_not_logged", held_back}});
    }
    Refuse(std::move(socket),
           total ? Status::Unavailable("the server has too many open connections; try again "
                                       "shortly")
                 : Status::TooManyRequests("too many open connections from " + address +
                                           "; close some and try again"));
  }

  // Logs at most one line per 10 s (with the count of failures not logged), and
  // backs off (10 ms doubling to 1 s, reset by a success) when out of descriptors or memory.
  void OnAcceptError(const boost::system::error_code& ec) {
    if (size_t held_back = 0; accept_log.Due(&held_back)) {
      vs::log::Warn("accept failed", {{"error", ec.message()}, {"failures_not_logged", held_back}});
    }
    if (!acceptor.is_open()) return;
    if (!ResourceExhausted(ec)) return Accept();
    accept_backoff = accept_backoff.count() == 0 ? kFirstAcceptBackoff
                                                 : std::min(accept_backoff * 2, kMaxAcceptBackoff);
    accept_timer.expires_after(accept_backoff);
    accept_timer.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec && acceptor.is_open()) Accept();
    });
  }
};

Server::Server(ServerOptions options, Handler handler, UpgradeHandler upgrade)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(upgrade))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  ServerOptions& o = s.options;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) return Status::InvalidValue("invalid listen address '" + o.host + "'");
  const tcp::endpoint endpoint(address, o.port);
  const auto fail = [&](const char* what) {
    return Status::Unavailable(std::string("cannot ") + what + " " + o.host + ":" +
                               std::to_string(o.port) + ": " + ec.message());
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  s.port = s.acceptor.local_endpoint(ec).port();

  if (!address.is_unspecified()) o.host_policy.AllowHost(address.to_string());
  o.host_policy.set_port(s.port);
  s.connections = std::make_shared<ConnectionLimits>(
      o.max_connections > 0 ? o.max_connections : DefaultMaxConnections(),
      std::max<size_t>(1, o.max_connections_per_address));
  s.bodies = std::make_unique<BodyBudget>(o.max_body_bytes_in_flight, o.max_large_bodies,
                                          o.large_body_bytes);
  s.workers = std::make_unique<asio::thread_pool>(std::max(1, o.worker_threads));
  if (o.heavy.is_heavy) {
    const int threads = ThreadsOrCores(o.heavy.threads);
    s.heavy_workers = std::make_unique<asio::thread_pool>(threads);
    s.heavy_lane = std::make_unique<Slots>(o.heavy.max_in_flight > 0
                                               ? static_cast<size_t>(o.heavy.max_in_flight)
                                               : static_cast<size_t>(2 * threads));
  }
  s.work.emplace(s.ioc.get_executor());
  s.Accept();
  for (int i = 0; i < std::max(1, o.io_threads); ++i) {
    s.io_threads.emplace_back([&s] { s.ioc.run(); });
  }
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

const HostPolicy& Server::host_policy() const { return impl_->options.host_policy; }

void Server::CloseKeepAlive() { impl_->draining = true; }

bool Server::Drain(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  CloseKeepAlive();
  asio::post(s.acceptor.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    s.accept_timer.cancel();
  });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (s.in_flight.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

Server::Stats Server::stats() const {
  const Impl& s = *impl_;
  Stats out;
  out.requests_in_flight = s.in_flight.load();
  if (s.connections) out.open_connections = s.connections->open();
  if (s.bodies) out.body_bytes_in_flight = s.bodies->bytes_in_use();
  if (s.heavy_lane) {
    out.heavy_in_flight = s.heavy_lane->in_use();
    out.heavy_capacity = s.heavy_lane->capacity();
    out.heavy_threads = static_cast<size_t>(ThreadsOrCores(s.options.heavy.threads));
  }
  return out;
}

void Server::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.stop_mu);
    if (s.stopped) return;
    s.stopped = true;
  }
  asio::post(s.acceptor.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    s.accept_timer.cancel();
  });
  s.work.reset();
  // Handlers already running finish; their answers are dropped with the I/O loop.
  if (s.workers) s.workers->join();
  if (s.heavy_workers) s.heavy_workers->join();
  s.ioc.stop();
  for (auto& t : s.io_threads) t.join();
}

}  // namespace vs::http
