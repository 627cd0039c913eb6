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
#include "store/sqlite/sqlite.h"
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
  // Like ReadThrough, for a last id that another thread sets in `last` (0 until known): keeps
  // reading while that thread commits, as a live client does.
  static std::vector<std::string> ReadWhileCommitting(WsClient& client,
                                                      const std::atomic<store::Id>& last) {
    std::vector<std::string> got;
    store::Id seen = -1;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while ((last.load() == 0 || seen != last.load()) &&
           std::chrono::steady_clock::now() < deadline) {
      auto m = client.Read(50ms);
      if (!m) {
        if (client.closed()) break;
        continue;  // nothing yet: check `last` again
      }
      got.push_back(*m);
      seen = json::parse(*m).value("id", store::Id{-1});
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
  std::atomic<store::Id> last{0};
  std::thread writer([&] {
    InsertScans(60);
    last = LastId();
  });
  WsClient client;
  int status = client.Connect(server.port(), "/api/live?after=" + std::to_string(seen));
  auto hello = client.Read();
  auto got = ReadWhileCommitting(client, last);
  writer.join();
  ASSERT_EQ(status, 101);
  ASSERT_TRUE(hello);
  EXPECT_EQ(json::parse(*hello)["type"], "hello");
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
  // Small: many replay batches, and live events overflow the replay buffer. A client this tightly
  // bounded may also be dropped as too slow on a busy machine; it then does what a dashboard
  // does, reconnecting with its last id, and the events must still arrive exactly once.
  options.max_queue = 32;
  LiveServer server(*store_, *bus_, options);
  std::atomic<store::Id> last{0};
  std::thread writer([&] {
    InsertScans(300);
    last = LastId();
  });
  std::vector<std::string> got;
  store::Id seen = 0;
  int connections = 0;
  while (connections < 50 && (last.load() == 0 || seen != last.load())) {
    ++connections;
    WsClient client;
    if (client.Connect(server.port(), "/api/live?after=" + std::to_string(seen)) != 101) break;
    if (!client.Read()) break;  // hello
    auto part = ReadWhileCommitting(client, last);
    for (const auto& m : part) {
      got.push_back(m);
      seen = json::parse(m)["id"];
    }
    if (client.closed() && client.close_code() != 1008) break;
  }
  writer.join();
  ExpectExactly(got, StoredAfter(0));
  RecordProperty("connections", connections);
}

}  // namespace
}  // namespace vs::live
