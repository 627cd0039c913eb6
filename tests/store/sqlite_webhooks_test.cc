// Webhook subscriptions and the outbox in the SQLite store: CRUD, the cursor's compare-and-set,
// leases, attempts, durability across a reopen, and that none of it commits an event.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::MustOpen;
using testing::Scan;
using testing::TempDir;

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

TEST(SqliteWebhooks, CreateListGetDelete) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, BadWebhooksChangeNothing) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, NothingHereCommitsAnEvent) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, TheCursorMovesOnceAndDuplicatesAreSkipped) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, ClaimsLeaseDueRowsOfEnabledWebhooks) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, AttemptsMoveTheStatus) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, PruningRemovesOnlyOldFinishedDeliveries) {
  TempDir dir;
  auto s = MustOpen(dir.File("vs.db"));
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

TEST(SqliteWebhooks, PendingDeliveriesSurviveAReopen) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  Id hook = 0;
  {
    auto s = MustOpen(path);
    hook = s->CreateWebhook(Hook()).value().id;
    ASSERT_TRUE(s->EnqueueWebhookDeliveries(7, {Delivery(hook, 7)}).value());
  }
  auto s = MustOpen(path);
  EXPECT_EQ(s->WebhookCursor().value(), 7);
  auto due = s->ClaimWebhookDeliveries(Now() + std::chrono::seconds(1),
                                       Now() + std::chrono::seconds(60), 10)
                 .value();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event_id, 7);
}

TEST(SqliteWebhooks, DeletingAWebhookDeletesItsDeliveries) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  auto s = MustOpen(path);
  const Id hook = s->CreateWebhook(Hook()).value().id;
  ASSERT_TRUE(s->EnqueueWebhookDeliveries(1, {Delivery(hook, 1)}).value());
  ASSERT_TRUE(s->DeleteWebhook(hook).ok());
  EXPECT_EQ(testing::QueryInt(path, "SELECT COUNT(*) FROM webhook_deliveries"), 0);
}

}  // namespace
}  // namespace vs::store
