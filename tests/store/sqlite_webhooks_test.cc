// Webhook subscriptions and the outbox, on every backend: CRUD, the cursor's compare-and-set,
// leases, attempts, durability across a reopen, two instances sharing the outbox, and that none
// of it commits an event.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "backends.h"

namespace vs::store {
namespace {

using testing::Scan;

class Webhooks : public testing::BackendTest {};

Webhook Hook(const std::string& url = "http://127.0.0.1:9000/in") {
  return {
      .url = url, .event_types = {"scan.created", "alert.*"}, .secret = "whsec_0123456789abcdef"};
}

NewWebhookDelivery Delivery(Id webhook, Id event) {
  return {.webhook_id = webhook,
          .event_id = event,
          .event_type = "scan.created",
          .body = R"({"event_id":)" + std::to_string(event) + "}"};
}

TEST_P(Webhooks, CreateListGetDelete) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->InsertScan(Scan("s", "A", 1000, {})).ok());
  auto created = s->CreateWebhook(Hook());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->since_event_id, s->LastEventId().value());
  auto got = s->GetWebhook(created->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->url, "http://127.0.0.1:9000/in");
  EXPECT_EQ(got->event_types, (std::vector<std::string>{"scan.created", "alert.*"}));
  EXPECT_EQ(got->secret, "whsec_0123456789abcdef");
  EXPECT_TRUE(got->enabled);
  ASSERT_TRUE(s->CreateWebhook(Hook("http://127.0.0.1:9001/")).ok());
  EXPECT_EQ(s->ListWebhooks()->size(), 2u);
  EXPECT_TRUE(s->DeleteWebhook(created->id).ok());
  EXPECT_EQ(s->DeleteWebhook(created->id).code(), Code::kNotFound);
  EXPECT_EQ(s->GetWebhook(created->id).status().code(), Code::kNotFound);
  EXPECT_EQ(s->ListWebhooks()->size(), 1u);
}

TEST_P(Webhooks, BadWebhooksChangeNothing) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  Webhook no_url = Hook("");
  Webhook no_types = Hook();
  no_types.event_types.clear();
  Webhook no_secret = Hook();
  no_secret.secret.clear();
  for (const Webhook& w : {no_url, no_types, no_secret}) {
    EXPECT_EQ(s->CreateWebhook(w).status().code(), Code::kInvalidValue);
  }
  EXPECT_TRUE(s->ListWebhooks()->empty());
}

TEST_P(Webhooks, NothingHereCommitsAnEvent) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id before = s->LastEventId().value();
  const Id hook = s->CreateWebhook(Hook()).value().id;
  ASSERT_TRUE(s->EnqueueWebhookDeliveries(5, {Delivery(hook, 5)}).value());
  auto claimed = s->ClaimWebhookDeliveries(Now(), Now() + std::chrono::seconds(30), 10).value();
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_TRUE(
      s->RecordWebhookAttempt(
           {.delivery_id = claimed[0].id, .at = Now(), .delivered = true, .http_status = 200})
          .ok());
  ASSERT_TRUE(s->DeleteWebhook(hook).ok());
  EXPECT_EQ(s->LastEventId().value(), before);
}

TEST_P(Webhooks, TheCursorMovesOnceAndDuplicatesAreSkipped) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  EXPECT_EQ(s->WebhookCursor().value(), 0);
  auto first = s->EnqueueWebhookDeliveries(3, {Delivery(hook, 2), Delivery(hook, 3)});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  EXPECT_EQ(s->WebhookCursor().value(), 3);
  // The same batch again (another process got there first): refused, nothing added.
  EXPECT_FALSE(s->EnqueueWebhookDeliveries(3, {Delivery(hook, 2), Delivery(hook, 3)}).value());
  EXPECT_FALSE(s->EnqueueWebhookDeliveries(2, {Delivery(hook, 2)}).value());
  // A later batch repeating a (webhook, event) pair keeps the one row.
  EXPECT_TRUE(s->EnqueueWebhookDeliveries(4, {Delivery(hook, 3), Delivery(hook, 4)}).value());
  EXPECT_EQ(s->ListWebhookDeliveries(hook, std::nullopt, 100)->size(), 3u);
  // A delivery for a webhook deleted meanwhile is dropped, the rest of the batch is kept.
  EXPECT_TRUE(s->EnqueueWebhookDeliveries(6, {Delivery(9999, 5), Delivery(hook, 6)}).value());
  EXPECT_EQ(s->ListWebhookDeliveries(hook, std::nullopt, 100)->size(), 4u);
  EXPECT_EQ(s->WebhookCursor().value(), 6);
}

TEST_P(Webhooks, ClaimsLeaseDueRowsOfEnabledWebhooks) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  Webhook off = Hook("http://127.0.0.1:9002/");
  off.enabled = false;
  const Id disabled = s->CreateWebhook(off).value().id;
  ASSERT_TRUE(
      s->EnqueueWebhookDeliveries(2, {Delivery(hook, 1), Delivery(hook, 2), Delivery(disabled, 1)})
          .value());
  const Timestamp now = Now() + std::chrono::seconds(1);
  const Timestamp lease = now + std::chrono::seconds(60);
  auto one = s->ClaimWebhookDeliveries(now, lease, 1).value();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].event_id, 1);  // oldest due first
  EXPECT_EQ(one[0].body, R"({"event_id":1})");
  auto rest = s->ClaimWebhookDeliveries(now, lease, 10).value();
  ASSERT_EQ(rest.size(), 1u);  // the leased one and the disabled webhook's are not handed out
  EXPECT_EQ(rest[0].event_id, 2);
  EXPECT_TRUE(s->ClaimWebhookDeliveries(now, lease, 10)->empty());
  // Once the lease runs out (a crash mid-attempt), both are due again.
  EXPECT_EQ(s->ClaimWebhookDeliveries(lease, lease + std::chrono::seconds(60), 10)->size(), 2u);
}

TEST_P(Webhooks, AttemptsMoveTheStatus) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  ASSERT_TRUE(s->EnqueueWebhookDeliveries(2, {Delivery(hook, 1), Delivery(hook, 2)}).value());
  const Timestamp t0 = Now();
  auto due =
      s->ClaimWebhookDeliveries(t0 + std::chrono::seconds(1), t0 + std::chrono::seconds(60), 10)
          .value();
  ASSERT_EQ(due.size(), 2u);
  const Timestamp retry_at = FromUnixMillis(ToUnixMillis(t0) + 10'000);
  ASSERT_TRUE(s->RecordWebhookAttempt({.delivery_id = due[0].id,
                                       .at = t0,
                                       .http_status = 500,
                                       .error = "HTTP 500",
                                       .next_attempt_at = retry_at})
                  .ok());
  ASSERT_TRUE(
      s->RecordWebhookAttempt({.delivery_id = due[1].id, .at = t0, .error = "connect failed"})
          .ok());
  auto pending = s->ListWebhookDeliveries(hook, "pending", 10).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].last_status, 500);
  EXPECT_EQ(pending[0].last_error, "HTTP 500");
  EXPECT_EQ(pending[0].next_attempt_at, retry_at);
  auto failed = s->ListWebhookDeliveries(hook, "failed", 10).value();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].last_error, "connect failed");
  EXPECT_FALSE(failed[0].next_attempt_at.has_value());
  // Not due before its retry time; then delivered.
  EXPECT_TRUE(
      s->ClaimWebhookDeliveries(retry_at - std::chrono::milliseconds(1), retry_at, 10)->empty());
  auto again = s->ClaimWebhookDeliveries(retry_at, retry_at + std::chrono::seconds(60), 10).value();
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(
      s->RecordWebhookAttempt(
           {.delivery_id = again[0].id, .at = retry_at, .delivered = true, .http_status = 204})
          .ok());
  auto delivered = s->ListWebhookDeliveries(hook, "delivered", 10).value();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].attempts, 2);
  EXPECT_EQ(delivered[0].delivered_at, retry_at);
  EXPECT_FALSE(delivered[0].next_attempt_at.has_value());
  EXPECT_EQ(s->RecordWebhookAttempt({.delivery_id = 9999, .at = t0}).code(), Code::kNotFound);
  // Newest first.
  auto all = s->ListWebhookDeliveries(hook, std::nullopt, 10).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_GT(all[0].id, all[1].id);
}

TEST_P(Webhooks, PruningRemovesOnlyOldFinishedDeliveries) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  ASSERT_TRUE(s->EnqueueWebhookDeliveries(
                   4, {Delivery(hook, 1), Delivery(hook, 2), Delivery(hook, 3), Delivery(hook, 4)})
                  .value());
  const Timestamp t0 = Now();
  auto due =
      s->ClaimWebhookDeliveries(t0 + std::chrono::seconds(1), t0 + std::chrono::seconds(60), 10)
          .value();
  ASSERT_EQ(due.size(), 4u);
  const Timestamp old = t0 - std::chrono::hours(48);
  // 1: delivered long ago, 2: failed long ago, 3: delivered just now, 4: pending (failed once).
  ASSERT_TRUE(
      s->RecordWebhookAttempt({.delivery_id = due[0].id, .at = old, .delivered = true}).ok());
  ASSERT_TRUE(s->RecordWebhookAttempt({.delivery_id = due[1].id, .at = old, .error = "x"}).ok());
  ASSERT_TRUE(
      s->RecordWebhookAttempt({.delivery_id = due[2].id, .at = t0, .delivered = true}).ok());
  ASSERT_TRUE(s->RecordWebhookAttempt(
                   {.delivery_id = due[3].id, .at = old, .error = "x", .next_attempt_at = t0})
                  .ok());
  EXPECT_EQ(s->PruneWebhookDeliveries(t0 - std::chrono::hours(24)).value(), 2);
  auto left = s->ListWebhookDeliveries(hook, std::nullopt, 10).value();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].event_id, 4);
  EXPECT_EQ(left[1].event_id, 3);
  EXPECT_EQ(s->PruneWebhookDeliveries(t0 - std::chrono::hours(24)).value(), 0);
}

TEST_P(Webhooks, PendingDeliveriesSurviveAReopen) {
  Id hook = 0;
  {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    hook = s->CreateWebhook(Hook()).value().id;
    ASSERT_TRUE(s->EnqueueWebhookDeliveries(7, {Delivery(hook, 7)}).value());
  }
  auto s = OpenStore();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->WebhookCursor().value(), 7);
  auto due = s->ClaimWebhookDeliveries(Now() + std::chrono::seconds(1),
                                       Now() + std::chrono::seconds(60), 10)
                 .value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event_id, 7);
}

TEST_P(Webhooks, DeletingAWebhookDeletesItsDeliveries) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  ASSERT_TRUE(s->EnqueueWebhookDeliveries(1, {Delivery(hook, 1)}).value());
  ASSERT_TRUE(s->DeleteWebhook(hook).ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM webhook_deliveries"), 0);
}

// Two instances on one database (two servers, or a server and a CLI process): one of them moves
// the cursor past a batch, and claims made at once hand every due delivery to exactly one.
TEST_P(Webhooks, TwoInstancesShareTheOutbox) {
  auto a = OpenStore();
  auto b = OpenStore();
  ASSERT_TRUE(a && b);
  const Id hook = a->CreateWebhook(Hook()).value().id;
  std::vector<NewWebhookDelivery> batch;
  for (Id e = 1; e <= 40; ++e) batch.push_back(Delivery(hook, e));
  EXPECT_TRUE(a->EnqueueWebhookDeliveries(40, batch).value());
  EXPECT_FALSE(b->EnqueueWebhookDeliveries(40, batch).value());
  EXPECT_EQ(b->WebhookCursor().value(), 40);

  const Timestamp now = Now() + std::chrono::seconds(1);
  const Timestamp lease = now + std::chrono::seconds(60);
  std::vector<Id> got_a, got_b;
  auto drain = [&](Store* s, std::vector<Id>* got) {
    for (;;) {
      auto claimed = s->ClaimWebhookDeliveries(now, lease, 3);
      ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
      if (claimed->empty()) return;
      for (const auto& d : *claimed) got->push_back(d.event_id);
    }
  };
  std::thread ta(drain, a.get(), &got_a);
  std::thread tb(drain, b.get(), &got_b);
  ta.join();
  tb.join();
  std::vector<Id> all = got_a;
  all.insert(all.end(), got_b.begin(), got_b.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 40u);  // none handed out twice
  EXPECT_EQ(std::set<Id>(all.begin(), all.end()).size(), 40u);
  EXPECT_EQ(all.front(), 1);
  EXPECT_EQ(all.back(), 40);
}

// Deliveries are numbered in batch order, so a webhook's history lists them in event order.
TEST_P(Webhooks, DeliveriesKeepTheBatchOrder) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  std::vector<NewWebhookDelivery> batch;
  for (Id e = 1; e <= 25; ++e) batch.push_back(Delivery(hook, e));
  ASSERT_TRUE(s->EnqueueWebhookDeliveries(25, batch).value());
  auto listed = s->ListWebhookDeliveries(hook, "pending", 100).value();
  ASSERT_EQ(listed.size(), 25u);
  for (size_t i = 0; i < listed.size(); ++i) {
    EXPECT_EQ(listed[i].event_id, static_cast<Id>(25 - i));  // newest (highest id) first
  }
  EXPECT_EQ(s->ListWebhookDeliveries(hook, "pending", 5)->size(), 5u);
  EXPECT_TRUE(s->ListWebhookDeliveries(hook, "failed", 5)->empty());
}

VS_STORE_BACKENDS(Webhooks);

}  // namespace
}  // namespace vs::store
