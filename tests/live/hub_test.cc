// The hub's protocol on loopback: hello, exact event JSON, Origin checks, bad client messages,
// slow clients, store failures and shutdown. The store here keeps events in memory; replay
// against the real SQLite store is in hub_replay_test.cc.
#include "live/hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "live/event_bus.h"
#include "live_test_support.h"
#include "memory_event_store.h"
#include "store/json.h"

namespace vs::live {
namespace {

using nlohmann::json;
using testing::LiveServer;
using testing::MemoryEventStore;
using testing::WsClient;
using namespace std::chrono_literals;

class HubTest : public ::testing::Test {
 protected:
  HubTest() {
    store_.SetCommitListener([this](const store::Event& e) { bus_.Publish(e); });
  }
  store::Event Commit(int n, size_t pad = 0) {
    return store_.Commit("scan.created", {{"n", n}, {"pad", std::string(pad, 'x')}});
  }
  static std::string Wire(const store::Event& e) { return store::ToJson(e).dump(); }
  static json Hello(store::Id last) { return {{"type", "hello"}, {"last_event_id", last}}; }

  MemoryEventStore store_;
  EventBus bus_;
};

TEST_F(HubTest, SendsHelloThenEachCommittedEventAsItsExactJson) {
  Commit(1);
  Commit(2);
  LiveServer server(store_, bus_);
  WsClient client;
  ASSERT_EQ(client.Connect(server.port()), 101);
  auto hello = client.Read();
  ASSERT_TRUE(hello);
  EXPECT_EQ(json::parse(*hello), Hello(2));
  ASSERT_TRUE(server.WaitForClients(1));

  store::Event e3 = Commit(3);
  auto got = client.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, Wire(e3));

  store::Event e4;
  e4.id = 4;
  e4.type = "planogram.changed";
  e4.payload = {{"name", "naïve \"quoted\" ✓"}, {"list", {1, 2.5, nullptr}}};
  e4.created_at = FromUnixMillis(1'700'000'000'123);
  bus_.Publish(e4);
  got = client.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, Wire(e4));
}

TEST_F(HubTest, ReplaysEventsAfterTheGivenIdBeforeLiveOnes) {
  for (int i = 1; i <= 5; ++i) Commit(i);
  LiveServer server(store_, bus_);
  WsClient client;
  ASSERT_EQ(client.Connect(server.port(), "/api/live?after=2"), 101);
  EXPECT_EQ(json::parse(client.Read().value_or("null")), Hello(5));
  for (int id = 3; id <= 5; ++id) {
    auto got = client.Read();
    ASSERT_TRUE(got);
    EXPECT_EQ(json::parse(*got)["id"], id);
  }
  ASSERT_TRUE(server.WaitForClients(1));
  Commit(6);
  EXPECT_EQ(json::parse(client.Read().value_or("null"))["id"], 6);
}

TEST_F(HubTest, AnAfterBeyondTheNewestEventStreamsEveryNewEvent) {
  Commit(1);
  Commit(2);
  LiveServer server(store_, bus_);
  WsClient client;
  ASSERT_EQ(client.Connect(server.port(), "/api/live?after=1000"), 101);
  EXPECT_EQ(json::parse(client.Read().value_or("null")), Hello(2));
  ASSERT_TRUE(server.WaitForClients(1));
  store::Event e3 = Commit(3);
  EXPECT_EQ(client.Read().value_or(""), Wire(e3));
}

TEST_F(HubTest, RefusesForeignOriginsWith403) {
  LiveServer server(store_, bus_);
  const std::string self = "http://127.0.0.1:" + std::to_string(server.port());
  {
    WsClient c;
    EXPECT_EQ(c.Connect(server.port(), "/api/live", "http://evil.example"), 403);
    EXPECT_EQ(json::parse(c.response_body())["error"]["code"], "forbidden");
  }
  {
    WsClient c;  // same host, other port
    EXPECT_EQ(c.Connect(server.port(), "/api/live", "http://127.0.0.1:1"), 403);
  }
  {
    WsClient c;
    EXPECT_EQ(c.Connect(server.port(), "/api/live", "null"), 403);
  }
  {
    WsClient c;
    EXPECT_EQ(c.Connect(server.port(), "/api/live", self), 101);
  }
  {
    WsClient c;  // no Origin: not a browser
    EXPECT_EQ(c.Connect(server.port()), 101);
  }
}

TEST_F(HubTest, AllowedOriginsReplaceTheSameHostRule) {
  HubOptions options;
  options.allowed_origins = {"https://dashboard.example"};
  LiveServer server(store_, bus_, options);
  WsClient listed, same_host;
  EXPECT_EQ(listed.Connect(server.port(), "/api/live", "https://dashboard.example"), 101);
  EXPECT_EQ(same_host.Connect(server.port(), "/api/live",
                              "http://127.0.0.1:" + std::to_string(server.port())),
            403);
}

TEST_F(HubTest, AnOriginCallbackDecidesBrowserOriginsAlone) {
  HubOptions options;
  std::atomic<int> calls{0};
  options.origin_allowed = [&calls](std::string_view origin) {
    ++calls;
    return origin == "https://dashboard.example";
  };
  options.allowed_origins = {"https://listed.example"};  // not consulted
  LiveServer server(store_, bus_, options);
  const std::string self = "http://127.0.0.1:" + std::to_string(server.port());
  WsClient allowed, same_host, listed, no_origin;
  EXPECT_EQ(allowed.Connect(server.port(), "/api/live", "https://dashboard.example"), 101);
  EXPECT_EQ(same_host.Connect(server.port(), "/api/live", self), 403);
  EXPECT_EQ(json::parse(same_host.response_body())["error"]["code"], "forbidden");
  EXPECT_EQ(listed.Connect(server.port(), "/api/live", "https://listed.example"), 403);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(no_origin.Connect(server.port()), 101);  // not a browser: no callback
  EXPECT_EQ(calls.load(), 3);
}

TEST_F(HubTest, AnAuthorizeCallbackRefusesTheUpgradeWith401) {
  HubOptions options;
  options.authorize = [](const UpgradeRequest& request) {
    return request["Authorization"] == "Bearer open-sesame";
  };
  LiveServer server(store_, bus_, options);
  WsClient none, wrong, right;
  EXPECT_EQ(none.Connect(server.port()), 401);
  json error = json::parse(none.response_body());
  EXPECT_EQ(error["error"]["code"], "unauthorized");
  EXPECT_TRUE(error["error"]["message"].is_string());
  EXPECT_EQ(wrong.Connect(server.port(), "/api/live", std::nullopt, 0,
                          {{"Authorization", "Bearer guess"}}),
            401);
  ASSERT_EQ(right.Connect(server.port(), "/api/live", std::nullopt, 0,
                          {{"Authorization", "Bearer open-sesame"}}),
            101);
  EXPECT_EQ(json::parse(right.Read().value_or("null")), Hello(0));
  // Refused before the upgrade: only the authorized client is connected.
  EXPECT_TRUE(server.WaitForClients(1));
}

TEST_F(HubTest, AClientFurtherBehindThanMaxReplayEventsGetsATruncatedHelloAndThenLiveEvents) {
  for (int i = 1; i <= 10; ++i) Commit(i);
  HubOptions options;
  options.max_replay_events = 4;
  LiveServer server(store_, bus_, options);
  {
    WsClient within;  // exactly max_replay_events behind: replayed
    ASSERT_EQ(within.Connect(server.port(), "/api/live?after=6"), 101);
    EXPECT_EQ(json::parse(within.Read().value_or("null")), Hello(10));
    for (int id = 7; id <= 10; ++id) {
      EXPECT_EQ(json::parse(within.Read().value_or("null"))["id"], id);
    }
  }
  WsClient behind;
  ASSERT_EQ(behind.Connect(server.port(), "/api/live?after=5"), 101);
  json want = Hello(10);
  want["replay"] = "truncated";
  EXPECT_EQ(json::parse(behind.Read().value_or("null")), want);
  ASSERT_TRUE(server.WaitForClients(1));
  store::Event e11 = Commit(11);
  EXPECT_EQ(behind.Read().value_or(""), Wire(e11));
}

TEST_F(HubTest, AReplayLargerThanMaxReplayBytesIsTruncated) {
  for (int i = 1; i <= 6; ++i) Commit(i, 1000);
  const size_t one = Wire(store_.EventsAfter(0, 1).value().front()).size();
  HubOptions options;
  options.max_replay_bytes = 3 * one + one / 2;
  LiveServer server(store_, bus_, options);
  {
    WsClient small;  // three events fit
    ASSERT_EQ(small.Connect(server.port(), "/api/live?after=3"), 101);
    EXPECT_EQ(json::parse(small.Read().value_or("null")), Hello(6));
    for (int id = 4; id <= 6; ++id) {
      EXPECT_EQ(json::parse(small.Read().value_or("null"))["id"], id);
    }
  }
  WsClient large;
  ASSERT_EQ(large.Connect(server.port(), "/api/live?after=2"), 101);
  json want = Hello(6);
  want["replay"] = "truncated";
  EXPECT_EQ(json::parse(large.Read().value_or("null")), want);
  ASSERT_TRUE(server.WaitForClients(1));
  store::Event e7 = Commit(7);
  EXPECT_EQ(large.Read().value_or(""), Wire(e7));
}

TEST_F(HubTest, RefusesClientsBeyondMaxClientsWith503UntilOneLeaves) {
  HubOptions options;
  options.max_clients = 2;
  LiveServer server(store_, bus_, options);
  WsClient a, b;
  ASSERT_EQ(a.Connect(server.port()), 101);
  ASSERT_EQ(b.Connect(server.port()), 101);
  ASSERT_TRUE(a.Read());
  ASSERT_TRUE(b.Read());
  ASSERT_TRUE(server.WaitForClients(2));
  {
    WsClient c;
    EXPECT_EQ(c.Connect(server.port()), 503);
    EXPECT_EQ(json::parse(c.response_body())["error"]["code"], "unavailable");
  }
  a.Close();
  ASSERT_TRUE(server.WaitForClients(1));
  WsClient d;
  EXPECT_EQ(d.Connect(server.port()), 101);
}

TEST_F(HubTest, ClientsThatDoNotReadTheirReplayCannotMakeTheHubHoldMoreThanItsBudget) {
  // 12 MB of replay: more than the socket buffers between hub and client can absorb.
  for (int i = 1; i <= 60; ++i) Commit(i, 200 * 1024);
  HubOptions options;
  options.max_replay_bytes = 32 << 20;
  options.max_replay_bytes_total = 16 << 20;
  LiveServer server(store_, bus_, options);
  json truncated = Hello(60);
  truncated["replay"] = "truncated";
  {
    WsClient stalled;  // reads its hello, then nothing
    ASSERT_EQ(stalled.Connect(server.port(), "/api/live?after=0", std::nullopt, 4096), 101);
    ASSERT_EQ(json::parse(stalled.Read().value_or("null")), Hello(60));
    WsClient second;  // its replay would take the hub past its budget
    ASSERT_EQ(second.Connect(server.port(), "/api/live?after=0"), 101);
    EXPECT_EQ(json::parse(second.Read().value_or("null")), truncated);
  }
  ASSERT_TRUE(server.WaitForClients(0));
  // The stalled client's share came back with its connection.
  WsClient third;
  ASSERT_EQ(third.Connect(server.port(), "/api/live?after=0"), 101);
  EXPECT_EQ(json::parse(third.Read().value_or("null")), Hello(60));
  for (int id = 1; id <= 60; ++id) {
    auto m = third.Read();
    ASSERT_TRUE(m);
    ASSERT_EQ(json::parse(*m)["id"], id);
  }
}

TEST_F(HubTest, RejectsAMalformedAfterWith400) {
  LiveServer server(store_, bus_);
  WsClient c;
  EXPECT_EQ(c.Connect(server.port(), "/api/live?after=-1"), 400);
  EXPECT_EQ(json::parse(c.response_body())["error"]["code"], "invalid_argument");
}

TEST_F(HubTest, BadClientMessagesCloseOnlyThatConnection) {
  HubOptions options;
  options.max_client_message = 1024;
  LiveServer server(store_, bus_, options);
  WsClient malformed, oversized, binary, good;
  for (WsClient* c : {&malformed, &oversized, &binary, &good}) {
    ASSERT_EQ(c->Connect(server.port()), 101);
    ASSERT_TRUE(c->Read());  // hello
  }
  ASSERT_TRUE(server.WaitForClients(4));

  ASSERT_TRUE(good.Send(R"({"type":"ping"})"));  // valid JSON: ignored
  ASSERT_TRUE(malformed.Send("{not json"));
  ASSERT_TRUE(oversized.Send(std::string(2000, ' ')));
  ASSERT_TRUE(binary.Send("{}", /*binary=*/true));

  EXPECT_FALSE(malformed.Read());
  EXPECT_EQ(malformed.close_code(), 1007);
  EXPECT_FALSE(oversized.Read());
  EXPECT_EQ(oversized.close_code(), 1009);
  EXPECT_FALSE(binary.Read());
  EXPECT_EQ(binary.close_code(), 1003);

  ASSERT_TRUE(server.WaitForClients(1));
  store::Event e = Commit(1);
  EXPECT_EQ(good.Read().value_or(""), Wire(e));
}

TEST_F(HubTest, DropsAClientThatStopsReadingWhileOthersGetEveryEvent) {
  HubOptions options;
  options.max_queue = 64;
  LiveServer server(store_, bus_, options);
  WsClient slow, fast;
  ASSERT_EQ(slow.Connect(server.port(), "/api/live", std::nullopt, 4096), 101);
  ASSERT_EQ(fast.Connect(server.port()), 101);
  ASSERT_TRUE(slow.Read());
  ASSERT_TRUE(fast.Read());
  ASSERT_TRUE(server.WaitForClients(2));

  // Enough 16 KiB events to fill the slow client's socket buffers and then its queue. The fast
  // client reads on its own thread; the publisher stays at most kLead events ahead of it, so
  // its queue never overflows however the threads are scheduled.
  constexpr int kEvents = 800, kLead = 16;
  std::vector<std::string> fast_got;
  std::atomic<int> fast_count{0};
  std::thread reader([&] {
    for (int i = 0; i < kEvents; ++i) {
      auto m = fast.Read();
      if (!m) break;
      fast_got.push_back(std::move(*m));
      fast_count.store(i + 1);
    }
  });
  std::vector<std::string> sent;
  for (int i = 1; i <= kEvents; ++i) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (fast_count.load() < i - kLead && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100us);
    }
    sent.push_back(Wire(Commit(i, 16 * 1024)));
  }
  reader.join();
  ASSERT_EQ(fast_got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) ASSERT_TRUE(fast_got[i] == sent[i]) << "event " << i;

  ASSERT_TRUE(server.WaitForClients(1));  // the slow one is gone
  // Reading again, the slow client finds a gap-free prefix of the events, then the close.
  size_t prefix = 0;
  while (auto m = slow.Read()) {
    ASSERT_LT(prefix, sent.size());
    ASSERT_TRUE(*m == sent[prefix]) << "event " << prefix;
    ++prefix;
  }
  EXPECT_LT(prefix, sent.size());
  EXPECT_EQ(slow.close_code(), 1008);
  EXPECT_EQ(slow.close_reason(), "too slow");
}

TEST_F(HubTest, ClosesWith1011WhenTheStoreCannotBeRead) {
  LiveServer server(store_, bus_);
  store_.SetFailing(true);
  WsClient c;
  ASSERT_EQ(c.Connect(server.port()), 101);
  EXPECT_FALSE(c.Read());
  EXPECT_EQ(c.close_code(), 1011);
}

TEST_F(HubTest, CloseAllClosesEveryClientAndRefusesNewOnes) {
  LiveServer server(store_, bus_);
  WsClient a, b;
  ASSERT_EQ(a.Connect(server.port()), 101);
  ASSERT_EQ(b.Connect(server.port()), 101);
  ASSERT_TRUE(a.Read());
  ASSERT_TRUE(b.Read());
  ASSERT_TRUE(server.WaitForClients(2));
  server.hub().CloseAll();
  EXPECT_FALSE(a.Read());
  EXPECT_EQ(a.close_code(), 1001);
  EXPECT_FALSE(b.Read());
  EXPECT_EQ(b.close_code(), 1001);
  EXPECT_EQ(server.hub().client_count(), 0u);
  WsClient late;
  EXPECT_EQ(late.Connect(server.port()), 503);
}

}  // namespace
}  // namespace vs::live
