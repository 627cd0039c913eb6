// SqliteStore: webhook subscriptions, the delivery outbox and its cursor. No events are
// committed (a delivery must never cause another one).
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/webhook_rows.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kWebhookColumns =
    "id, url, event_types, secret, enabled, description, since_event_id, created_at";
constexpr const char* kDeliveryColumns =
    "id, webhook_id, event_id, event_type, body, status, attempts, created_at, next_attempt_at,"
    " last_attempt_at, last_status, last_error, delivered_at";

std::optional<Timestamp> OptTime(const Stmt& q, int col) {
  if (auto v = q.OptInt(col)) return FromUnixMillis(*v);
  return std::nullopt;
}

Webhook WebhookFromRow(const Stmt& q) {
  Webhook w;
  w.id = q.Int(0);
  w.url = q.Text(1);
  w.event_types = EventTypesFromColumn(q.Text(2));
  w.secret = q.Text(3);
  w.enabled = q.Int(4) != 0;
  w.description = q.Text(5);
  w.since_event_id = q.Int(6);
  w.created_at = FromUnixMillis(q.Int(7));
  return w;
}

WebhookDelivery DeliveryFromRow(const Stmt& q) {
  WebhookDelivery d;
  d.id = q.Int(0);
  d.webhook_id = q.Int(1);
  d.event_id = q.Int(2);
  d.event_type = q.Text(3);
  d.body = q.Text(4);
  d.status = q.Text(5);
  d.attempts = static_cast<int>(q.Int(6));
  d.created_at = FromUnixMillis(q.Int(7));
  d.next_attempt_at = OptTime(q, 8);
  d.last_attempt_at = OptTime(q, 9);
  d.last_status = static_cast<int>(q.Int(10));
  d.last_error = q.Text(11);
  d.delivered_at = OptTime(q, 12);
  return d;
}

Result<Id> ReadCursor(Connection* c) {
  auto q = c->Prepare("SELECT last_event_id FROM webhook_cursor WHERE id = 1");
  if (!q.ok()) return q.status();
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return *row ? q->Int(0) : Id{0};
}

}  // namespace

Result<Webhook> SqliteStore::CreateWebhook(const Webhook& webhook) {
  VS_RETURN_IF_ERROR(ValidateWebhook(webhook));
  return WriteQuiet<Webhook>([&](Connection* c) -> Result<Webhook> {
    Webhook out = webhook;
    out.created_at = Now();
    auto last = c->Prepare("SELECT COALESCE(MAX(id), 0) FROM events");
    if (!last.ok()) return last.status();
    auto row = last->Step();
    if (!row.ok()) return row.status();
    out.since_event_id = last->Int(0);
    last->Reset();
    auto q = c->Prepare(
        "INSERT INTO webhooks(url, event_types, secret, enabled, description, since_event_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(out.url, EventTypesColumn(out.event_types), out.secret,
                                  int64_t{out.enabled ? 1 : 0}, out.description, out.since_event_id,
                                  ToUnixMillis(out.created_at))
                           .Run());
    out.id = c->LastInsertId();
    return out;
  });
}

Result<std::vector<Webhook>> SqliteStore::ListWebhooks() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kWebhookColumns + " FROM webhooks ORDER BY id");
  if (!q.ok()) return q.status();
  return Collect<Webhook>(&*q, WebhookFromRow);
}

Result<Webhook> SqliteStore::GetWebhook(Id id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return One<Webhook>(&*q, WebhookFromRow, "no webhook " + std::to_string(id));
}

Status SqliteStore::DeleteWebhook(Id id) {
  auto done = WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
    auto q = c->Prepare("DELETE FROM webhooks WHERE id = ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->Bind(id).Run());
    if (c->Changes() == 0) return Status::NotFound("no webhook " + std::to_string(id));
    return true;
  });
  return done.status();
}

Result<Id> SqliteStore::WebhookCursor() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  return ReadCursor(r->get());
}

Result<bool> SqliteStore::EnqueueWebhookDeliveries(
    Id through_event_id, const std::vector<NewWebhookDelivery>& deliveries) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
    // Compare-and-set: only the first of several writers moves the cursor past this batch.
    auto move = c->Prepare(
        "UPDATE webhook_cursor SET last_event_id = ? WHERE id = 1 AND last_event_id < ?");
    if (!move.ok()) return move.status();
    VS_RETURN_IF_ERROR(move->BindAll(through_event_id, through_event_id).Run());
    if (c->Changes() == 0) return false;
    const int64_t now = ToUnixMillis(Now());
    auto q = c->Prepare(
        "INSERT INTO webhook_deliveries(webhook_id, event_id, event_type, body, status, created_at,"
        " next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)"
        " ON CONFLICT (webhook_id, event_id) DO NOTHING");
    if (!q.ok()) return q.status();
    for (const auto& d : deliveries) {
      Status s = q->BindAll(d.webhook_id, d.event_id, d.event_type, d.body, now, now).Run();
      // A webhook deleted since the batch was read: its deliveries are simply not queued.
      if (!s.ok() && s.code() != Code::kInvalidValue) return s;
    }
    return true;
  });
}

Result<std::vector<WebhookDelivery>> SqliteStore::ClaimWebhookDeliveries(Timestamp now,
                                                                         Timestamp lease_until,
                                                                         int limit) {
  {
    // Workers poll: when nothing is due, answer from a reader without taking the write lock.
    auto r = AcquireReader();
    if (!r.ok()) return r.status();
    auto q = (*r)->Prepare(
        "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?"
        " LIMIT 1");
    if (!q.ok()) return q.status();
    q->Bind(ToUnixMillis(now));
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::vector<WebhookDelivery>{};
  }
  return WriteQuiet<std::vector<WebhookDelivery>>(
      [&](Connection* c) -> Result<std::vector<WebhookDelivery>> {
        auto q =
            c->Prepare(std::string("SELECT ") + kDeliveryColumns +
                       " FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?"
                       " AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 1)"
                       " ORDER BY next_attempt_at, id LIMIT ?");
        if (!q.ok()) return q.status();
        q->BindAll(ToUnixMillis(now), int64_t{limit});
        auto due = Collect<WebhookDelivery>(&*q, DeliveryFromRow);
        q->Reset();
        if (!due.ok()) return due.status();
        auto lease = c->Prepare("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?");
        if (!lease.ok()) return lease.status();
        for (auto& d : *due) {
          VS_RETURN_IF_ERROR(lease->BindAll(ToUnixMillis(lease_until), d.id).Run());
          d.next_attempt_at = lease_until;
        }
        return due;
      });
}

Status SqliteStore::RecordWebhookAttempt(const WebhookAttempt& a) {
  const char* status = DeliveryStatusAfter(a);
  auto done = WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
    auto q = c->Prepare(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, last_attempt_at = ?,"
        " last_status = ?, last_error = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ?");
    if (!q.ok()) return q.status();
    q->BindAll(status, ToUnixMillis(a.at), int64_t{a.http_status}, a.error);
    // Bound one by one (not as optionals): GCC 12 misreads optionals here at -O3.
    if (!a.delivered && a.next_attempt_at) {
      q->Bind(ToUnixMillis(*a.next_attempt_at));
    } else {
      q->BindNull();
    }
    if (a.delivered) {
      q->Bind(ToUnixMillis(a.at));
    } else {
      q->BindNull();
    }
    VS_RETURN_IF_ERROR(q->Bind(a.delivery_id).Run());
    if (c->Changes() == 0) {
      return Status::NotFound("no webhook delivery " + std::to_string(a.delivery_id));
    }
    return true;
  });
  return done.status();
}

Result<std::vector<WebhookDelivery>> SqliteStore::ListWebhookDeliveries(
    Id webhook_id, const std::optional<std::string>& status, int limit) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  Where where;
  where.Add("webhook_id = ?", {webhook_id});
  if (status) where.Add("status = ?", {*status});
  auto q = (*r)->Prepare(std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries" +
                         where.sql + " ORDER BY id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  where.BindTo(&*q);
  q->Bind(int64_t{limit});
  return Collect<WebhookDelivery>(&*q, DeliveryFromRow);
}

Result<int64_t> SqliteStore::PruneWebhookDeliveries(Timestamp finished_before) {
  return WriteQuiet<int64_t>([&](Connection* c) -> Result<int64_t> {
    auto q = c->Prepare(
        "DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed')"
        " AND last_attempt_at < ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->Bind(ToUnixMillis(finished_before)).Run());
    return int64_t{c->Changes()};
  });
}

}  // namespace vs::store::sqlite
