// Replay storms on the real SQLite store: many clients that ask for old positions and hang up
// at once must cost the server little, and a dashboard connecting right after must still get
// its hello promptly. Event reads are counted by a forwarding store (counting_store.h).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "counting_store.h"
#include "live/event_bus.h"
#include "live/hub.h"
#include "live_test_support.h"
#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace vs::live {
namespace {

using nlohmann::json;
using testing::CountingStore;
using testing::LiveServer;
using testing::WsClient;
using namespace std::chrono_literals;

constexpr int kStormClients = 100;

class HubStormTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vs_live_storm_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenSqlite({.path = (dir_ / "vs.db").string()});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    counting_ = std::make_unique<CountingStore>(*store_);
    store_->SetCommitListener([this](const store::Event& e) { bus_.Publish(e); });
  }
  void TearDown() override {
    counting_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Stores `n` scans (one scan.created event each) through the store's own API.
  void InsertScans(int n) {
    for (int i = 0; i < n; ++i) {
      store::NewScan scan;
      scan.store = "Store " + std::to_string(i % 3);
      scan.shelf_location = "A" + std::to_string(i % 5);
      scan.received_at = scan.captured_at = Now();
      scan.image_path = "scans/" + std::to_string(i) + ".jpg";
      scan.sha256 = std::string(64, 'a');
      scan.width = 640;
      scan.height = 480;
      for (int d = 0; d < 3; ++d) {
        scan.detections.push_back({.class_id = 39 + d,
                                   .class_name = d == 0   ? "bottle"
                                                 : d == 1 ? "cup"
                                                          : "bowl",
                                   .confidence = 0.5 + i % 50 / 100.0,
                                   .x_center = 0.2 + 0.3 * d,
                                   .y_center = 0.5,
                                   .width = 0.1,
                                   .height = 0.2});
      }
      auto r = store_->InsertScan(scan);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  store::Id LastId() { return store_->LastEventId().value(); }
  // Opens kStormClients connections asking for ?after=`after`; each hangs up (closes its TCP
  // connection without a close handshake) as soon as its upgrade is answered.
  static void Storm(uint16_t port, store::Id after) {
    for (int i = 0; i < kStormClients; ++i) {
      WsClient c;
      ASSERT_EQ(c.Connect(port, "/api/live?after=" + std::to_string(after)), 101);
    }
  }
  // Connects a new client and checks that its hello arrives within a bounded wait; returns the
  // hello and records how long it took.
  json FreshHello(LiveServer& server) {
    auto start = std::chrono::steady_clock::now();
    WsClient fresh;
    EXPECT_EQ(fresh.Connect(server.port()), 101);
    auto hello = fresh.Read(10s);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    RecordProperty("fresh_hello_ms", static_cast<int>(ms));
    EXPECT_TRUE(hello) << "no hello within 10 s after the storm";
    return hello ? json::parse(*hello) : json();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<CountingStore> counting_;
  EventBus bus_;
};

// With the default HubOptions (max_replay_events 1000): positions 3,000 events old are not
// replayed at all.
TEST_F(HubStormTest, ClientsFarBehindThatHangUpReadNoEvents) {
  InsertScans(3000);
  auto server = std::make_unique<LiveServer>(*counting_, bus_);
  Storm(server->port(), 0);
  json hello = FreshHello(*server);
  EXPECT_EQ(hello["type"], "hello");
  EXPECT_EQ(hello["last_event_id"], LastId());
  server.reset();  // waits for every replay read still running
  RecordProperty("rows_read", static_cast<int>(counting_->rows_read()));
  EXPECT_EQ(counting_->rows_read(), 0);
}

// Positions within the replay window: the reads of clients that hung up stop at once. The
// store holds its readers until every storm client has gone, so each read starts after the
// hang-up; together the hung-up clients read fewer rows than one full replay (900).
TEST_F(HubStormTest, ReplayReadsOfClientsThatHungUpStop) {
  InsertScans(1000);
  const store::Id after = LastId() - 900;
  auto server = std::make_unique<LiveServer>(*counting_, bus_);
  counting_->Hold();
  Storm(server->port(), after);
  ASSERT_TRUE(server->WaitForClients(0));
  std::this_thread::sleep_for(200ms);  // the last hang-ups reach their sessions
  counting_->Release();
  json hello = FreshHello(*server);
  EXPECT_EQ(hello["type"], "hello");
  server.reset();
  RecordProperty("rows_read", static_cast<int>(counting_->rows_read()));
  EXPECT_LT(counting_->rows_read(), 900);
}

}  // namespace
}  // namespace vs::live
