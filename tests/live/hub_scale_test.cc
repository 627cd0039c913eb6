// 1,000 concurrent WebSocket clients on loopback all receive an event committed to the real
// SQLite store.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "live/event_bus.h"
#include "live/hub.h"
#include "live_test_support.h"
#include "store/json.h"
#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace vs::live {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

// A client that connects, then records every message it receives until the connection ends.
struct Client : std::enable_shared_from_this<Client> {
  explicit Client(net::io_context& ioc) : ws(ioc) {}

  void Start(uint16_t port, std::atomic<int>& failures) {
    beast::get_lowest_layer(ws).async_connect(
        {net::ip::make_address("127.0.0.1"), port},
        [self = shared_from_this(), port, &failures](beast::error_code ec) {
          if (ec) return void(failures.fetch_add(1));
          self->ws.async_handshake("127.0.0.1:" + std::to_string(port), "/api/live",
                                   [self, &failures](beast::error_code hec) {
                                     if (hec) return void(failures.fetch_add(1));
                                     self->Read();
                                   });
        });
  }
  void Read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->close_code.store(static_cast<int>(self->ws.reason().code));
        self->ended.store(true);
        return;
      }
      {
        std::lock_guard lock(self->mu);
        self->messages.push_back(beast::buffers_to_string(self->buffer.data()));
      }
      self->buffer.consume(self->buffer.size());
      self->received.fetch_add(1);
      self->Read();
    });
  }

  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::mutex mu;
  std::vector<std::string> messages;
  std::atomic<int> received{0};
  std::atomic<bool> ended{false};
  std::atomic<int> close_code{0};
};

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(HubScaleTest, AThousandClientsAllReceiveAnEvent) {
  constexpr int kClients = 1000;
  // Each client holds two descriptors in this process (its end and the server's).
  ASSERT_GE(testing::RaiseFileLimit(), 2u * kClients + 100) << "cannot open enough sockets";

  auto dir =
      std::filesystem::temp_directory_path() / ("vs_live_scale_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto opened = store::OpenSqlite({.path = (dir / "vs.db").string()});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<store::Store> store = std::move(opened).value();
  EventBus bus;
  std::mutex committed_mu;
  std::optional<store::Event> committed;
  store->SetCommitListener([&](const store::Event& e) {
    {
      std::lock_guard lock(committed_mu);
      committed = e;
    }
    bus.Publish(e);
  });
  auto server_holder = std::make_unique<testing::LiveServer>(*store, bus);
  testing::LiveServer& server = *server_holder;

  net::io_context client_ioc;
  auto guard = net::make_work_guard(client_ioc);
  std::thread client_thread([&] { client_ioc.run(); });
  std::atomic<int> failures{0};
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_shared<Client>(client_ioc));
    clients.back()->Start(server.port(), failures);
  }
  auto all = [&](int n) {
    return [&clients, n] {
      for (auto& c : clients) {
        if (c->received.load() < n) return false;
      }
      return true;
    };
  };
  EXPECT_TRUE(WaitFor(all(1), 20s)) << "not every client got its hello";
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(server.WaitForClients(kClients));

  store::NewScan scan;
  scan.store = "Store 12";
  scan.shelf_location = "Aisle 3";
  scan.received_at = scan.captured_at = Now();
  scan.image_path = "scans/1.jpg";
  scan.sha256 = std::string(64, '0');
  scan.width = 640;
  scan.height = 480;
  scan.detections.push_back({.class_id = 39, .class_name = "bottle", .confidence = 0.9});
  // No ASSERT from here on: the client thread must be joined below.
  EXPECT_TRUE(store->InsertScan(scan).ok());
  std::string wire;
  {
    std::lock_guard lock(committed_mu);
    EXPECT_TRUE(committed.has_value());
    if (committed) wire = store::ToJson(*committed).dump();
  }
  EXPECT_TRUE(WaitFor(all(2), 10s)) << "not every client got the event";

  server.hub().CloseAll();
  EXPECT_TRUE(WaitFor(
      [&] {
        for (auto& c : clients) {
          if (!c->ended.load()) return false;
        }
        return true;
      },
      10s));
  guard.reset();
  client_thread.join();

  int exact = 0, closed_going_away = 0;
  for (auto& c : clients) {
    std::lock_guard lock(c->mu);
    if (c->messages.size() == 2 && c->messages[1] == wire) ++exact;
    if (c->close_code.load() == 1001) ++closed_going_away;
  }
  EXPECT_EQ(exact, kClients);
  EXPECT_EQ(closed_going_away, kClients);
  server_holder.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vs::live
