#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "http/session.h"

namespace vs::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  UpgradeHandler upgrade;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;
  uint16_t port = 0;
  std::mutex stop_mu;
  bool stopped = false;

  Impl(ServerOptions o, Handler h, UpgradeHandler u)
      : options(std::move(o)),
        handler(std::move(h)),
        upgrade(std::move(u)),
        ioc(std::max(1, options.io_threads)),
        acceptor(asio::make_strand(ioc)) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted) return;
                            if (!ec) {
                              socket.set_option(tcp::no_delay(true), ec);
                              SessionContext ctx{&options, &handler, &upgrade, workers.get()};
                              std::make_shared<Session>(std::move(socket), ctx)->Start();
                            } else {
                              vs::log::Warn("accept failed", {{"error", ec.message()}});
                            }
                            if (acceptor.is_open()) Accept();
                          });
  }
};

Server::Server(ServerOptions options, Handler handler, UpgradeHandler upgrade)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(upgrade))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) return Status::InvalidValue("invalid listen address '" + s.options.host + "'");
  const tcp::endpoint endpoint(address, s.options.port);
  const auto fail = [&](const char* what) {
    return Status::Unavailable(std::string("cannot ") + what + " " + s.options.host + ":" +
                               std::to_string(s.options.port) + ": " + ec.message());
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  s.port = s.acceptor.local_endpoint(ec).port();
  s.workers = std::make_unique<asio::thread_pool>(std::max(1, s.options.worker_threads));
  s.work.emplace(s.ioc.get_executor());
  s.Accept();
  for (int i = 0; i < std::max(1, s.options.io_threads); ++i) {
    s.io_threads.emplace_back([&s] { s.ioc.run(); });
  }
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

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
  });
  s.work.reset();
  // Handlers already running finish; their answers are dropped with the I/O loop.
  if (s.workers) s.workers->join();
  s.ioc.stop();
  for (auto& t : s.io_threads) t.join();
}

}  // namespace vs::http
