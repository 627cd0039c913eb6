// What the server gives operators: a request id on every answer, one on_request record per
// request with its route pattern, figures for /metrics, and a drain that answers the requests
// already received while refusing new connections.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "http/response.h"
#include "test_server.h"

namespace vs::http {
namespace {

using beast_http::verb;
using namespace std::chrono_literals;

struct Seen {
  std::string method, route, path, request_id;
  int status = 0;
};

class ServerOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.router.Add({.method = verb::get, .pattern = "/items/{id}", .role = Role::kPublic},
                       [](Request& r) {
                         return JsonResponse(beast_http::status::ok,
                                             {{"id", r.params["id"]}, {"rid", r.request_id}});
                       });
    server_.router.Add({.method = verb::get, .pattern = "/wait", .role = Role::kPublic},
                       [this](Request&) {
                         entered_.set_value();
                         release_.get_future().wait_for(10s);
                         return JsonResponse(beast_http::status::ok, {{"waited", true}});
                       });
    ServerOptions options;
    options.on_request = [this](const RequestRecord& r) {
      std::lock_guard lock(mu_);
      seen_.push_back({std::string(r.method), std::string(r.route), std::string(r.path),
                       std::string(r.request_id), r.status});
    };
    server_.Start(std::move(options));
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  testing::TestServer server_;
  std::promise<void> entered_, release_;
  std::mutex mu_;
  std::vector<Seen> seen_;
};

TEST_F(ServerOpsTest, EveryAnswerCarriesTheRequestIdAndIsRecordedWithItsRoute) {
  auto c = server_.Connect();
  c.Send(testing::Get("/items/41?x=1", "X-Request-Id: proxy-7\r\n"));
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ((*res)["X-Request-Id"], "proxy-7");
  EXPECT_EQ(nlohmann::json::parse(res->body())["rid"], "proxy-7") << "handlers see the id";
  c.Send(testing::Get("/items/42", "X-Request-Id: bad id\r\n"));
  res = c.Read();
  ASSERT_TRUE(res);
  const std::string generated((*res)["X-Request-Id"]);
  EXPECT_EQ(generated.size(), 16u);
  c.Send(testing::Get("/nowhere"));
  res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 404u);
  // Refused before dispatch (no Host): still an id, still recorded.
  auto refused = server_.Connect();
  refused.Send("GET /items/1 HTTP/1.1\r\n\r\n");
  res = refused.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_EQ((*res)["X-Request-Id"].size(), 16u);

  for (int i = 0; i < 100 && seen().size() < 4; ++i) std::this_thread::sleep_for(10ms);
  const auto s = seen();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].route, "/items/{id}");
  EXPECT_EQ(s[0].path, "/items/41") << "no query";
  EXPECT_EQ(s[0].request_id, "proxy-7");
  EXPECT_EQ(s[0].status, 200);
  EXPECT_EQ(s[0].method, "GET");
  EXPECT_EQ(s[1].request_id, generated);
  EXPECT_EQ(s[2].route, "") << "an unmatched path has no route";
  EXPECT_EQ(s[2].status, 404);
  EXPECT_EQ(s[3].route, "");
  EXPECT_EQ(s[3].status, 400);
}

TEST_F(ServerOpsTest, DrainAnswersTheRequestInFlightAndRefusesNewConnections) {
  auto c = server_.Connect();
  c.Send(testing::Get("/wait"));
  ASSERT_EQ(entered_.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(server_.server().stats().requests_in_flight, 1u);
  EXPECT_FALSE(server_.server().Drain(50ms)) << "the handler still runs";
  auto drained = std::async(std::launch::async, [this] { return server_.server().Drain(10s); });
  // The listener is closed: a new connection is refused.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    boost::asio::ip::tcp::socket s(server_.ioc());
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), server_.port()}, ec);
    refused = static_cast<bool>(ec);
    if (!refused) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(drained.wait_for(100ms), std::future_status::timeout) << "waits for the answer";
  release_.set_value();
  auto res = c.Read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_FALSE(res->keep_alive()) << "draining: the connection closes after its answer";
  EXPECT_TRUE(drained.get());
  EXPECT_EQ(server_.server().stats().requests_in_flight, 0u);
  EXPECT_TRUE(c.ClosedByServer());
}

}  // namespace
}  // namespace vs::http
