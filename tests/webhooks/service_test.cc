// The service against a real SQLite store and a real local receiver: fan-out from the cursor
// (catch-up included), type matching, signed delivery, retries and giving up.
#include "webhooks/service.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "../store/test_util.h"
#include "webhooks/signing.h"

namespace vs::webhooks {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using store::testing::Det;
using store::testing::MustOpen;
using store::testing::Scan;
using store::testing::TempDir;

// Answers the i-th request with statuses[i] and keeps every request (head and body).
class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses)
      : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, statuses = std::move(statuses)] {
      for (int status : statuses) {
        boost::system::error_code ec;
        tcp::socket socket(io_);
        acceptor_.accept(socket, ec);
        if (ec) return;
        net::streambuf buf;
        const size_t head = net::read_until(socket, buf, "\r\n\r\n", ec);
        std::string text(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
        const auto cl = text.find("Content-Length: ");
        const size_t length = cl == std::string::npos ? 0 : std::stoul(text.substr(cl + 16));
        if (text.size() < head + length) {
          net::read(socket, buf, net::transfer_exactly(head + length - text.size()), ec);
          text.assign(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
        }
        requests_.push_back(text);
        const std::string answer = "HTTP/1.1 " + std::to_string(status) +
                                   " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        net::write(socket, net::buffer(answer), ec);
      }
    });
  }
  ~Receiver() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  const std::vector<std::string>& requests() const { return requests_; }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::vector<std::string> requests_;
};

std::string Header(const std::string& request, const std::string& name) {
  const auto at = request.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const auto start = at + 4 + name.size();
  return request.substr(start, request.find("\r\n", start) - start);
}

std::string Body(const std::string& request) {
  return request.substr(request.find("\r\n\r\n") + 4);
}

store::Webhook Hook(const std::string& url, std::vector<std::string> types) {
  return {.url = url, .event_types = std::move(types), .secret = "whsec_test_secret_123"};
}

ServiceOptions Fast() {
  ServiceOptions o;
  o.retry = {.max_attempts = 3,
             .base = std::chrono::milliseconds(1),
             .max_delay = std::chrono::milliseconds(1)};
  o.post.connect_timeout = std::chrono::milliseconds(1000);
  o.post.response_timeout = std::chrono::milliseconds(2000);
  return o;
}

TEST(WebhookService, QueuesOnlyMatchingEventsAfterTheWebhookWasCreated) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
  ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", 1000, {Det("bottle", 0.9)})).ok());  // before
  auto scans = s->CreateWebhook(Hook("http://127.0.0.1:9/a", {"scan.created"}));
  auto products = s->CreateWebhook(Hook("http://127.0.0.1:9/b", {"product.*"}));
  ASSERT_TRUE(scans.ok() && products.ok());
  ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", 2000, {Det("bottle", 0.9)})).ok());
  ASSERT_TRUE(s->UpsertProduct({.class_name = "bottle", .sku = "SKU-B"}).ok());
  ASSERT_TRUE(
      s->CreatePlanogram({.planogram_name = "p", .sku = "SKU-B", .expected_count = 1}).ok());

  WebhookService service(*s, Fast());
  ASSERT_TRUE(service.FanOut().ok());
  auto a = s->ListWebhookDeliveries(scans->id, std::nullopt, 100);
  auto b = s->ListWebhookDeliveries(products->id, std::nullopt, 100);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].event_type, "scan.created");
  EXPECT_EQ(nlohmann::json::parse((*a)[0].body)["data"]["store"], "s1");
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0].event_type, "product.changed");
  EXPECT_EQ(s->WebhookCursor().value(), s->LastEventId().value());

  // A second pass finds nothing new.
  ASSERT_TRUE(service.FanOut().ok());
  EXPECT_EQ(s->ListWebhookDeliveries(scans->id, std::nullopt, 100)->size(), 1u);
}

TEST(WebhookService, CatchesUpOnEventsCommittedWhileItWasNotRunning) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  store::Id hook = 0;
  {
    auto s = MustOpen(path);
    hook = s->CreateWebhook(Hook("http://127.0.0.1:9/a", {"*"})).value().id;
    WebhookService service(*s, Fast());
    ASSERT_TRUE(service.FanOut().ok());
  }
  {
    auto s = MustOpen(path);  // another process, no service running
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->InsertScan(Scan("s", "A", 1000 + i, {})).ok());
  }
  auto s = MustOpen(path);
  ServiceOptions o = Fast();
  o.batch = 2;  // several fan-out steps
  WebhookService service(*s, o);
  ASSERT_TRUE(service.FanOut().ok());
  auto queued = s->ListWebhookDeliveries(hook, "pending", 100);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->size(), 3u);
}

TEST(WebhookService, DeliversSignedAndRetriesUntilAccepted) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
  Receiver rx({500, 503, 204});
  auto hook = s->CreateWebhook(Hook(rx.url(), {"scan.created"}));
  ASSERT_TRUE(hook.ok());
  ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", 1000, {Det("cup", 0.8)})).ok());
  WebhookService service(*s, Fast());
  ASSERT_TRUE(service.FanOut().ok());
  // With a 1 ms backoff a retry may already be due within the same pass: count attempts over
  // passes (bounded), not per pass.
  int attempted = 0;
  for (int pass = 0; pass < 100 && attempted < 3; ++pass) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // past the 1 ms backoff
    auto n = service.DeliverDue();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    attempted += *n;
  }
  EXPECT_EQ(attempted, 3);
  rx.Join();
  auto d = s->ListWebhookDeliveries(hook->id, std::nullopt, 10).value();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].status, "delivered");
  EXPECT_EQ(d[0].attempts, 3);
  EXPECT_EQ(d[0].last_status, 204);
  EXPECT_TRUE(d[0].delivered_at.has_value());
  ASSERT_EQ(rx.requests().size(), 3u);
  for (const std::string& r : rx.requests()) {
    EXPECT_EQ(Body(r), d[0].body);
    EXPECT_EQ(Header(r, "X-VisionStock-Event"), "scan.created");
    EXPECT_EQ(Header(r, "X-VisionStock-Delivery"), std::to_string(d[0].id));
    EXPECT_TRUE(VerifySignature("whsec_test_secret_123", Header(r, kTimestampHeader), Body(r),
                                Header(r, kSignatureHeader)))
        << r;
  }
  // Nothing is due any more.
  EXPECT_EQ(service.DeliverDue().value(), 0);
}

TEST(WebhookService, GivesUpAfterTheLastAttempt) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
  Receiver rx({500, 500, 500});
  auto hook = s->CreateWebhook(Hook(rx.url(), {"scan.created"}));
  ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", 1000, {})).ok());
  WebhookService service(*s, Fast());
  ASSERT_TRUE(service.FanOut().ok());
  for (int round = 0; round < 4; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(service.DeliverDue().ok());
  }
  rx.Join();
  auto d = s->ListWebhookDeliveries(hook->id, std::nullopt, 10).value();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].status, "failed");
  EXPECT_EQ(d[0].attempts, 3);
  EXPECT_EQ(d[0].last_error, "HTTP 500");
  EXPECT_FALSE(d[0].next_attempt_at.has_value());
}

TEST(WebhookService, ThreadsDeliverWhatTheBusAnnounces) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
  live::EventBus bus;
  s->SetCommitListener([&bus](const store::Event& e) { bus.Publish(e); });
  Receiver rx({200});
  auto hook = s->CreateWebhook(Hook(rx.url(), {"scan.created"}));
  WebhookService service(*s, Fast());
  service.Attach(bus);
  service.Start();
  ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", 1000, {})).ok());
  rx.Join();  // returns once the one expected request was answered
  std::vector<store::WebhookDelivery> d;
  for (int i = 0; i < 200; ++i) {  // bounded wait for the attempt to be recorded
    d = s->ListWebhookDeliveries(hook->id, "delivered", 10).value();
    if (!d.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  service.Stop();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].attempts, 1);
}

}  // namespace
}  // namespace vs::webhooks
