// The server's admission limits and its watch on waiting clients, over real loopback sockets:
// connection caps, accept back-off when out of descriptors, the body budget, the heavy lane and
// cancellation.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "http/response.h"
#include "test_server.h"

namespace vs::http {
namespace {

using beast_http::verb;
using testing::Client;
using testing::Get;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A gate handlers wait at until the test opens it (or 10 s pass), counting who arrived.
class Gate {
 public:
  void Arrive() {
    std::lock_guard lock(mu_);
    ++arrived_;
    cv_.notify_all();
  }
  bool WaitArrived(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= n; });
  }
  void WaitOpen() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

class ServerLimitsTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    t.router.Add({.method = verb::get, .pattern = "/hello", .role = Role::kPublic}, [](Request&) {
      return JsonResponse(beast_http::status::ok, {{"hello", 1}});
    });
    t.router.Add({.method = verb::post, .pattern = "/echo", .role = Role::kPublic}, [](Request& r) {
      return BytesResponse(beast_http::status::ok, r.body(), "application/octet-stream");
    });
    t.router.Add({.method = verb::get, .pattern = "/heavy", .role = Role::kPublic},
                 [this](Request& r) {
                   {
                     std::lock_guard lock(mu);
                     heavy_ran.push_back(r.query.Get("id").value_or(""));
                   }
                   gate.Arrive();
                   gate.WaitOpen();
                   return JsonResponse(beast_http::status::ok, {{"heavy", true}});
                 });
    t.router.Add({.method = verb::get, .pattern = "/wait", .role = Role::kPublic},
                 [this](Request& r) {
                   gate.Arrive();
                   const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
                   while (!r.client_gone() && std::chrono::steady_clock::now() < until) {
                     std::this_thread::sleep_for(std::chrono::milliseconds(5));
                   }
                   saw_cancel.set_value(r.client_gone());
                   return JsonResponse(beast_http::status::ok, {});
                 });
    t.router.Add({.method = verb::get, .pattern = "/slowish", .role = Role::kPublic}, [](Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return JsonResponse(beast_http::status::ok, {{"slowish", true}});
    });
    t.Start(std::move(options));
  }

  void TearDown() override { gate.Open(); }  // no handler outlives the test by 10 s

  static ServerOptions WithHeavyLane(int threads, int max_in_flight) {
    ServerOptions o;
    o.worker_threads = 1;
    o.heavy.is_heavy = [](verb, std::string_view target) {
      return target.substr(0, 6) == "/heavy";
    };
    o.heavy.threads = threads;
    o.heavy.max_in_flight = max_in_flight;
    return o;
  }

  // POST /echo with Content-Length `length` and Expect: 100-continue; true once the server has
  // said 100 Continue (the request holds its share of the body budget from then on).
  static bool StartUpload(Client& c, size_t length) {
    c.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(length) + "\r\n\r\n");
    const auto res = c.Read();
    return res && res->result() == beast_http::status::continue_;
  }

  Gate gate;
  std::mutex mu;
  std::vector<std::string> heavy_ran;
  std::promise<bool> saw_cancel;
  testing::TestServer t;  // last: stopped (its handlers finished) before the rest goes
};

int Status(const std::optional<Response>& res) {
  return res ? static_cast<int>(res->result_int()) : -1;
}

TEST_F(ServerLimitsTest, ConnectionsOverThePerAddressCapGet429AndAreClosed) {
  ServerOptions o;
  o.max_connections_per_address = 2;
  Start(o);
  auto a = t.Connect();
  auto b = t.Connect();
  a.Send(Get("/hello"));
  b.Send(Get("/hello"));
  ASSERT_EQ(Status(a.Read()), 200);
  ASSERT_EQ(Status(b.Read()), 200);
  auto c = t.Connect();
  c.Send(Get("/hello"));
  const auto refused = c.Read();
  ASSERT_EQ(Status(refused), 429);
  EXPECT_EQ((*refused)[beast_http::field::retry_after], "1");
  EXPECT_EQ(nlohmann::json::parse(refused->body())["error"]["code"], "too_many_requests");
  EXPECT_TRUE(c.ClosedByServer());
  // Closing one frees its place (the server notices the close a moment later).
  a.socket().close();
  int status = -1;
  for (int i = 0; i < 250 && status != 200; ++i) {
    auto d = t.Connect();
    d.Send(Get("/hello"));
    status = Status(d.Read());
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ServerLimitsTest, ConnectionsOverTheTotalCapGet503) {
  ServerOptions o;
  o.max_connections = 2;
  Start(o);
  auto a = t.Connect();
  auto b = t.Connect();
  a.Send(Get("/hello"));
  b.Send(Get("/hello"));
  ASSERT_EQ(Status(a.Read()), 200);
  ASSERT_EQ(Status(b.Read()), 200);
  auto c = t.Connect();
  const auto refused = c.Read();  // answered without waiting for a request
  ASSERT_EQ(Status(refused), 503);
  EXPECT_EQ((*refused)[beast_http::field::retry_after], "1");
  EXPECT_TRUE(c.ClosedByServer());
}

TEST(ServerAccept, BacksOffAndLogsOnceWhenOutOfDescriptors) {
#if defined(__SANITIZE_ADDRESS__)
  // With no descriptor left, the sanitizer runtime itself cannot work and ends the process; the
  // Release build runs this test.
  GTEST_SKIP() << "needs a process without AddressSanitizer";
#endif
  testing::TestServer t;
  t.router.Add({.method = verb::get, .pattern = "/hello", .role = Role::kPublic}, [](Request&) {
    return JsonResponse(beast_http::status::ok, {{"hello", 1}});
  });
  t.Start();
  std::vector<asio::ip::tcp::socket> sockets;
  for (int i = 0; i < 3; ++i) sockets.emplace_back(t.ioc()).open(asio::ip::tcp::v4());
  ::testing::internal::CaptureStderr();
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  const int lowest_free = dup(0);
  ASSERT_GE(lowest_free, 0);
  close(lowest_free);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(lowest_free);  // no descriptor left for accept(2)
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), t.port());
  for (auto& s : sockets) {
    s.connect(server);  // completes in the kernel's backlog
    asio::write(s, asio::buffer(Get("/hello")));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  std::vector<int> statuses;
  for (auto& s : sockets) statuses.push_back(Status(Client(std::move(s)).Read()));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(statuses, std::vector<int>({200, 200, 200}));  // accepting again once fds are back
  size_t failures_logged = 0;
  for (size_t at = 0; (at = log.find("\"msg\":\"accept failed\"", at)) != std::string::npos; ++at) {
    ++failures_logged;
  }
  EXPECT_EQ(failures_logged, 1u) << log.substr(0, 2000);
}

TEST_F(ServerLimitsTest, ABodyOverTheBudgetIs503BeforeItIsSent) {
  ServerOptions o;
  o.max_body_bytes_in_flight = 1u << 20;
  Start(o);
  auto a = t.Connect();
  ASSERT_TRUE(StartUpload(a, 600'000));
  auto b = t.Connect();
  b.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 600000\r\n\r\n");
  const auto refused = b.Read();  // no body sent: the answer must not wait for it
  ASSERT_EQ(Status(refused), 503);
  EXPECT_EQ((*refused)[beast_http::field::retry_after], "1");
  EXPECT_EQ(nlohmann::json::parse(refused->body())["error"]["code"], "unavailable");
  // Small requests still fit.
  auto small = t.Connect();
  small.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(Status(small.Read()), 200);
  // Once the first upload is done its share is back.
  a.Send(std::string(600'000, 'a'));
  const auto done = a.Read();
  ASSERT_EQ(Status(done), 200);
  EXPECT_EQ(done->body().size(), 600'000u);
  auto c = t.Connect();
  EXPECT_TRUE(StartUpload(c, 600'000));
}

TEST_F(ServerLimitsTest, LargeBodiesAreCountedSeparately) {
  ServerOptions o;
  o.large_body_bytes = 1000;
  o.max_large_bodies = 1;
  Start(o);
  auto a = t.Connect();
  ASSERT_TRUE(StartUpload(a, 2000));
  auto b = t.Connect();
  b.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000\r\n\r\n");
  EXPECT_EQ(Status(b.Read()), 503);
  auto c = t.Connect();
  EXPECT_TRUE(StartUpload(c, 900));
}

TEST_F(ServerLimitsTest, AChunkedBodyThatOutgrowsTheBudgetIs503) {
  ServerOptions o;
  o.max_body_bytes_in_flight = 4096;
  Start(o);
  auto a = t.Connect();
  ASSERT_TRUE(StartUpload(a, 3000));
  auto b = t.Connect();
  b.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
         std::string(2000, 'b') + "\r\n");
  const auto refused = b.Read();
  ASSERT_EQ(Status(refused), 503);
  EXPECT_EQ((*refused)[beast_http::field::retry_after], "1");
}

TEST_F(ServerLimitsTest, AFullHeavyLaneIs503WhileReadsStillAnswer) {
  Start(WithHeavyLane(/*threads=*/2, /*max_in_flight=*/2));
  auto h1 = t.Connect();
  auto h2 = t.Connect();
  h1.Send(Get("/heavy?id=1"));
  h2.Send(Get("/heavy?id=2"));
  ASSERT_TRUE(gate.WaitArrived(2));  // both running, the lane is full
  auto h3 = t.Connect(std::chrono::seconds(5));
  h3.Send("GET /heavy?id=3 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\n");
  const auto refused = h3.Read();
  ASSERT_EQ(Status(refused), 503);
  EXPECT_EQ((*refused)[beast_http::field::retry_after], "1");
  for (int i = 0; i < 5; ++i) {  // the normal pool is not held by the heavy lane
    auto r = t.Connect(std::chrono::seconds(5));
    r.Send(Get("/hello"));
    EXPECT_EQ(Status(r.Read()), 200);
  }
  gate.Open();
  EXPECT_EQ(Status(h1.Read()), 200);
  EXPECT_EQ(Status(h2.Read()), 200);
}

TEST_F(ServerLimitsTest, AClientThatGoesAwaySetsCancelled) {
  Start();
  auto c = t.Connect();
  c.Send(Get("/wait"));
  ASSERT_TRUE(gate.WaitArrived(1));
  c.socket().close();
  auto seen = saw_cancel.get_future();
  ASSERT_EQ(seen.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(seen.get());
}

TEST_F(ServerLimitsTest, AQueuedHeavyRequestWhoseClientLeftIsSkipped) {
  Start(WithHeavyLane(/*threads=*/1, /*max_in_flight=*/3));
  auto a = t.Connect();
  a.Send(Get("/heavy?id=a"));
  ASSERT_TRUE(gate.WaitArrived(1));
  {
    auto b = t.Connect();
    b.Send(Get("/heavy?id=b"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // queued behind a
  }                                                               // b leaves
  std::this_thread::sleep_for(std::chrono::milliseconds(500));    // the server sees the close
  gate.Open();
  EXPECT_EQ(Status(a.Read()), 200);
  auto c = t.Connect();
  c.Send(Get("/heavy?id=c"));
  EXPECT_EQ(Status(c.Read()), 200);
  std::lock_guard lock(mu);
  EXPECT_EQ(heavy_ran, std::vector<std::string>({"a", "c"}));
}

TEST_F(ServerLimitsTest, PipelinedRequestsSurviveTheWatchOnTheConnection) {
  Start();
  auto c = t.Connect();
  c.Send(Get("/slowish") + Get("/hello") + Get("/slowish") + Get("/hello"));
  for (const char* key : {"slowish", "hello", "slowish", "hello"}) {
    const auto res = c.Read();
    ASSERT_EQ(Status(res), 200);
    EXPECT_TRUE(nlohmann::json::parse(res->body()).contains(key)) << res->body();
  }
}

}  // namespace
}  // namespace vs::http
