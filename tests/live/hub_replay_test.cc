// Reconnection on the real SQLite store: a client that comes back with its last event id gets
// exactly the events it missed (none twice, none lost), also when events are committed during
// its replay, and also after a server restart on the reopened store.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "live/event_bus.h"
#include "live/hub.h"
#include "live_test_support.h"
#include "store/json.h"
#include "store/store.h"

namespace vs::live {
namespace {

using nlohmann::json;
using testing::LiveServer;
using testing::WsClient;
using namespace std::chrono_literals;

class HubReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vs_live_replay_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // (Re)opens the store file; its commits go to `bus_`.
  void Reopen() {
    store_.reset();
    auto opened = store::OpenSqlite({.path = (dir_ / "vs.db").string()});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    bus_ = std::make_unique<EventBus>();
    store_->SetCommitListener([bus = bus_.get()](const store::Event& e) { bus->Publish(e); });
  }
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
      scan.detections.push_back({.class_id = 39,
                                 .class_name = "bottle",
                                 .confidence = 0.5 + i % 50 / 100.0,
                                 .x_center = 0.5,
                                 .y_center = 0.5,
                                 .width = 0.1,
                                 .height = 0.2});
      auto r = store_->InsertScan(scan);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  // Every stored event with id > after, as its wire JSON, oldest first.
  std::vector<std::string> StoredAfter(store::Id after) {
    std::vector<std::string> out;
    for (;;) {
      auto events = store_->EventsAfter(after, 1000);
      EXPECT_TRUE(events.ok()) << events.status().ToString();
      if (!events.ok() || events->empty()) return out;
      for (const auto& e : *events) out.push_back(store::ToJson(e).dump());
      after = events->back().id;
    }
  }
  store::Id LastId() { return store_->LastEventId().value(); }
  // Reads messages until one has id `last` (or the stream stops); returns them all.
  static std::vector<std::string> ReadThrough(WsClient& client, store::Id last) {
    std::vector<std::string> got;
    while (auto m = client.Read()) {
      got.push_back(*m);
      if (json::parse(*m).value("id", store::Id{-1}) == last) break;
    }
    return got;
  }
  static void ExpectExactly(const std::vector<std::string>& got,
                            const std::vector<std::string>& want) {
    ASSERT_EQ(got.size(), want.size());
    std::set<store::Id> ids;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], want[i]) << "message " << i;
      ids.insert(json::parse(got[i])["id"].get<store::Id>());
    }
    EXPECT_EQ(ids.size(), got.size()) << "an event arrived twice";
  }
  static json Hello(store::Id last) { return {{"type", "hello"}, {"last_event_id", last}}; }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EventBus> bus_;
};

TEST_F(HubReplayTest, AReconnectingClientGetsExactlyTheEventsItMissed) {
  LiveServer server(*store_, *bus_);
  store::Id seen = 0;
  {
    WsClient client;
    ASSERT_EQ(client.Connect(server.port()), 101);
    EXPECT_EQ(json::parse(client.Read().value_or("null")), Hello(LastId()));
    ASSERT_TRUE(server.WaitForClients(1));
    store::Id before = LastId();
    InsertScans(3);
    auto got = ReadThrough(client, LastId());
    ExpectExactly(got, StoredAfter(before));
    seen = LastId();
  }
  ASSERT_TRUE(server.WaitForClients(0));

  InsertScans(4);  // while the client is away
  // More commits while the client reconnects and replays.
  std::thread writer([&] { InsertScans(60); });
  WsClient client;
  ASSERT_EQ(client.Connect(server.port(), "/api/live?after=" + std::to_string(seen)), 101);
  auto hello = client.Read();
  ASSERT_TRUE(hello);
  EXPECT_EQ(json::parse(*hello)["type"], "hello");
  writer.join();
  auto got = ReadThrough(client, LastId());
  ExpectExactly(got, StoredAfter(seen));

  // And the connection stays live afterwards.
  store::Id before = LastId();
  InsertScans(1);
  ExpectExactly(ReadThrough(client, LastId()), StoredAfter(before));
}

TEST_F(HubReplayTest, AReconnectingClientCatchesUpAcrossAServerRestart) {
  store::Id seen = 0;
  {
    LiveServer server(*store_, *bus_);
    WsClient client;
    ASSERT_EQ(client.Connect(server.port()), 101);
    ASSERT_TRUE(client.Read());
    ASSERT_TRUE(server.WaitForClients(1));
    InsertScans(5);
    auto got = ReadThrough(client, LastId());
    ASSERT_FALSE(got.empty());
    seen = json::parse(got.back())["id"];
  }                // server stopped; the client's connection ends with it
  InsertScans(3);  // committed while no server runs
  Reopen();        // a new process opens the same file
  InsertScans(2);
  LiveServer server(*store_, *bus_);
  WsClient client;
  ASSERT_EQ(client.Connect(server.port(), "/api/live?after=" + std::to_string(seen)), 101);
  EXPECT_EQ(json::parse(client.Read().value_or("null")), Hello(LastId()));
  ExpectExactly(ReadThrough(client, LastId()), StoredAfter(seen));
  ASSERT_TRUE(server.WaitForClients(1));
  store::Id before = LastId();
  InsertScans(2);
  ExpectExactly(ReadThrough(client, LastId()), StoredAfter(before));
}

TEST_F(HubReplayTest, ALongReplayWithCommitsDuringItHasNoGapAndNoDuplicate) {
  InsertScans(700);
  HubOptions options;
  options.max_queue = 32;  // many replay batches; live events overflow the replay buffer
  LiveServer server(*store_, *bus_, options);
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    InsertScans(300);
    writing = false;
  });
  WsClient client;
  ASSERT_EQ(client.Connect(server.port(), "/api/live?after=0"), 101);
  ASSERT_TRUE(client.Read());  // hello
  writer.join();
  ExpectExactly(ReadThrough(client, LastId()), StoredAfter(0));
}

}  // namespace
}  // namespace vs::live
