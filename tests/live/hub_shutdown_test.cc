// Shutdown of the hub while the store keeps publishing, as `visionstock serve` shuts down with a
// shared database (other instances commit, the store's watcher thread publishes): CloseAll, then
// the I/O stops without running what it still had queued, and its context is destroyed with
// the sessions it held. Once CloseAll has returned, no event may reach a session (that would
// post to a stopped or destroyed context), and a session must never be destroyed while the
// hub holds its mutex (~Session unregisters itself, taking that mutex: a self-deadlock). Both
// show under the ASan build (scripts/sanitize.sh) as a use-after-free report, or as a hang that
// the bounded wait below turns into a failure.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "live/event_bus.h"
#include "live/hub.h"
#include "live_test_support.h"
#include "memory_event_store.h"

namespace vs::live {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using testing::MemoryEventStore;
using testing::WsClient;
using namespace std::chrono_literals;

constexpr int kClients = 24;
constexpr int kRounds = 12;

// One I/O context with its threads and an acceptor handing upgrades to a hub, whose teardown is
// the test's to order (LiveServer's destructor drains the I/O gracefully instead).
struct AbruptServer {
  explicit AbruptServer(std::shared_ptr<Hub> h)
      : ioc(std::make_unique<net::io_context>()),
        work(net::make_work_guard(*ioc)),
        acceptor(std::make_unique<tcp::acceptor>(*ioc)),
        hub(std::move(h)) {
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor->open(endpoint.protocol());
    acceptor->bind(endpoint);
    acceptor->listen();
    port = acceptor->local_endpoint().port();
    Accept();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc->run(); });
  }

  void Accept() {
    acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      struct Conn {
        explicit Conn(tcp::socket socket) : stream(std::move(socket)) {}
        beast::tcp_stream stream;
        beast::flat_buffer buffer;
        beast::http::request<beast::http::string_body> request;
      };
      auto conn = std::make_shared<Conn>(std::move(s));
      beast::http::async_read(conn->stream, conn->buffer, conn->request,
                              [conn, h = hub](beast::error_code read_ec, size_t) {
                                if (!read_ec)
                                  h->Accept(std::move(conn->stream), std::move(conn->request));
                              });
      Accept();
    });
  }

  // What serve does on SIGTERM after draining HTTP: CloseAll, then Server::Stop (ioc.stop(),
  // join), then the context is destroyed with every handler it still holds. The I/O threads are
  // kept busy meanwhile (as they may be), so that the sessions' own shutdown handlers never
  // run and every session is still registered with the hub when the context goes.
  void ShutDown() {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> busy{0};
    for (size_t i = 0; i < threads.size(); ++i) {
      net::post(*ioc, [released, &busy] {
        ++busy;
        released.wait();
      });
    }
    while (busy < static_cast<int>(threads.size())) std::this_thread::yield();
    hub->CloseAll();
    ioc->stop();
    release.set_value();
    for (auto& t : threads) t.join();
    work.reset();
    acceptor.reset();
    ioc.reset();  // destroys the sessions still held by queued handlers
  }

  std::unique_ptr<net::io_context> ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::shared_ptr<Hub> hub;
  uint16_t port = 0;
  std::vector<std::thread> threads;
};

bool WaitForClients(Hub& hub, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (hub.client_count() != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

TEST(HubShutdown, EventsPublishedDuringAndAfterCloseAllTouchNoSession) {
  for (int round = 0; round < kRounds; ++round) {
    MemoryEventStore store;
    EventBus bus;
    store.SetCommitListener([&bus](const store::Event& e) { bus.Publish(e); });
    auto server = std::make_unique<AbruptServer>(Hub::Create(store, bus, HubOptions{}));
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.push_back(std::make_unique<WsClient>());
      ASSERT_EQ(clients.back()->Connect(server->port), 101);
      ASSERT_TRUE(clients.back()->Read(5s).has_value());  // the hello: registered, streaming
    }
    ASSERT_TRUE(WaitForClients(*server->hub, kClients));

    // The store's watcher: publishes before, during and after the shutdown.
    std::atomic<bool> stop{false};
    std::atomic<int> published{0};
    std::thread publisher([&] {
      while (!stop) {
        store.Commit("scan.created", {{"scan_id", published.load()}});
        ++published;
      }
    });
    while (published < 50) std::this_thread::sleep_for(1ms);

    // Bounded: a self-deadlock on the hub's mutex would otherwise hang the test.
    auto shut = std::async(std::launch::async, [&] { server->ShutDown(); });
    if (shut.wait_for(10s) != std::future_status::ready) {
      std::fprintf(stderr, "round %d: the shutdown did not finish within 10 s (deadlock)\n", round);
      std::_Exit(1);
    }
    const int at_shutdown = published.load();
    while (published < at_shutdown + 50) std::this_thread::sleep_for(1ms);
    stop = true;
    publisher.join();
    // Every session went with the context: the hub counts none and publishing reaches nobody.
    EXPECT_EQ(server->hub->client_count(), 0u) << "round " << round;
    server.reset();
    clients.clear();
  }
}

}  // namespace
}  // namespace vs::live
