// PgStore: webhook subscriptions, the delivery outbox and its cursor. No events are committed (a
// delivery must never cause another one). Several instances share the outbox: the cursor moves by
// compare-and-set and a claim skips rows another instance's claim holds locked.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "core/time.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/webhook_rows.h"

namespace vs::store::pg {
namespace {

constexpr const char* kWebhookColumns =
    "id, url, event_types, secret, enabled, description, since_event_id, created_at";
constexpr const char* kDeliveryColumns =
    "id, webhook_id, event_id, event_type, body, status, attempts, created_at, next_attempt_at,"
    " last_attempt_at, last_status, last_error, delivered_at";

std::optional<Timestamp> OptTime(const Rows& q, int row, int col) {
  if (auto v = q.OptInt(row, col)) return FromUnixMillis(*v);
  return std::nullopt;
}

Webhook WebhookFromRow(const Rows& q, int i) {
  Webhook w;
  w.id = q.Int(i, 0);
  w.url = q.Text(i, 1);
  w.event_types = EventTypesFromColumn(q.Text(i, 2));
  w.secret = q.Text(i, 3);
  w.enabled = q.Int(i, 4) != 0;
  w.description = q.Text(i, 5);
  w.since_event_id = q.Int(i, 6);
  w.created_at = FromUnixMillis(q.Int(i, 7));
  return w;
}

WebhookDelivery DeliveryFromRow(const Rows& q, int i) {
  WebhookDelivery d;
  d.id = q.Int(i, 0);
  d.webhook_id = q.Int(i, 1);
  d.event_id = q.Int(i, 2);
  d.event_type = q.Text(i, 3);
  d.body = q.Text(i, 4);
  d.status = q.Text(i, 5);
  d.attempts = static_cast<int>(q.Int(i, 6));
  d.created_at = FromUnixMillis(q.Int(i, 7));
  d.next_attempt_at = OptTime(q, i, 8);
  d.last_attempt_at = OptTime(q, i, 9);
  d.last_status = static_cast<int>(q.Int(i, 10));
  d.last_error = q.Text(i, 11);
  d.delivered_at = OptTime(q, i, 12);
  return d;
}

}  // namespace

Result<Webhook> PgStore::CreateWebhook(const Webhook& webhook) {
  VS_RETURN_IF_ERROR(ValidateWebhook(webhook));
  return WriteQuiet<Webhook>([&](Conn* c) -> Result<Webhook> {
    Webhook out = webhook;
    out.created_at = Now();
    auto r = c->Query(
        "INSERT INTO webhooks(url, event_types, secret, enabled, description, since_event_id,"
        " created_at) SELECT $1, $2, $3, $4, $5, COALESCE(MAX(id), 0), $6 FROM events"
        " RETURNING id, since_event_id",
        Params::Of(out.url, EventTypesColumn(out.event_types), out.secret,
                   int64_t{out.enabled ? 1 : 0}, out.description, ToUnixMillis(out.created_at)));
    if (!r.ok()) return r.status();
    out.id = r->Int(0, 0);
    out.since_event_id = r->Int(0, 1);
    return out;
  });
}

Result<std::vector<Webhook>> PgStore::ListWebhooks() {
  return Read<std::vector<Webhook>>([&](Conn* c) {
    return QueryAll<Webhook>(
        c, std::string("SELECT ") + kWebhookColumns + " FROM webhooks ORDER BY id", {},
        WebhookFromRow);
  });
}

Result<Webhook> PgStore::GetWebhook(Id id) {
  return Read<Webhook>([&](Conn* c) {
    return QueryOne<Webhook>(
        c, std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE id = $1",
        Params::Of(id), WebhookFromRow, "no webhook " + std::to_string(id));
  });
}

Status PgStore::DeleteWebhook(Id id) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           auto r = c->Query("DELETE FROM webhooks WHERE id = $1",  // deliveries cascade
                             Params::Of(id));
           if (!r.ok()) return r.status();
           if (r->Affected() == 0) return Status::NotFound("no webhook " + std::to_string(id));
           return true;
         })
      .status();
}

Result<Id> PgStore::WebhookCursor() {
  return Read<Id>([&](Conn* c) -> Result<Id> {
    auto r = c->Query("SELECT last_event_id FROM webhook_cursor WHERE id = 1");
    if (!r.ok()) return r.status();
    return r->empty() ? Id{0} : r->Int(0, 0);
  });
}

Result<bool> PgStore::EnqueueWebhookDeliveries(Id through_event_id,
                                               const std::vector<NewWebhookDelivery>& deliveries) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
    // Compare-and-set: a second writer waits for the first one's row lock, then re-reads the
    // moved cursor and changes nothing.
    auto move =
        c->Query("UPDATE webhook_cursor SET last_event_id = $1 WHERE id = 1 AND last_event_id < $1",
                 Params::Of(through_event_id));
    if (!move.ok()) return move.status();
    if (move->Affected() == 0) return false;
    if (deliveries.empty()) return true;
    std::vector<int64_t> hooks, events;
    std::vector<std::string> types, bodies;
    for (const auto& d : deliveries) {
      hooks.push_back(d.webhook_id);
      events.push_back(d.event_id);
      types.push_back(d.event_type);
      bodies.push_back(d.body);
    }
    // The named webhooks are locked against deletion first, so that the insert below (which
    // joins them) never queues a row for a webhook deleted meanwhile: those are simply dropped,
    // as a foreign-key failure would abort the whole batch.
    VS_RETURN_IF_ERROR(
        c->Run("SELECT id FROM webhooks WHERE id = ANY($1) FOR KEY SHARE", Params::Of(hooks)));
    const int64_t now = ToUnixMillis(Now());
    // Ids are given in batch order (ORDER BY the ordinality), as SQLite's one-by-one inserts.
    VS_RETURN_IF_ERROR(
        c->Run("INSERT INTO webhook_deliveries(webhook_id, event_id, event_type, body, status,"
               " created_at, next_attempt_at)"
               " SELECT u.webhook_id, u.event_id, u.event_type, u.body, 'pending', $5, $5"
               " FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[])"
               " WITH ORDINALITY AS u(webhook_id, event_id, event_type, body, ord)"
               " JOIN webhooks w ON w.id = u.webhook_id ORDER BY u.ord"
               " ON CONFLICT (webhook_id, event_id) DO NOTHING",
               Params::Of(hooks, events, types, bodies, now)));
    return true;
  });
}

Result<std::vector<WebhookDelivery>> PgStore::ClaimWebhookDeliveries(Timestamp now,
                                                                     Timestamp lease_until,
                                                                     int limit) {
  return WriteQuiet<std::vector<WebhookDelivery>>(
      [&](Conn* c) -> Result<std::vector<WebhookDelivery>> {
        // SKIP LOCKED: instances claiming at once each take different due rows instead of
        // waiting for (and then missing) the rows the other one leases.
        auto r = c->Query(
            "WITH due AS (SELECT id, next_attempt_at AS due_at FROM webhook_deliveries"
            " WHERE status = 'pending' AND next_attempt_at <= $1"
            " AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 1)"
            " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
            " UPDATE webhook_deliveries d SET next_attempt_at = $2 FROM due WHERE d.id = due.id"
            " RETURNING d.id, d.webhook_id, d.event_id, d.event_type, d.body, d.status,"
            " d.attempts, d.created_at, d.next_attempt_at, d.last_attempt_at, d.last_status,"
            " d.last_error, d.delivered_at, due.due_at",
            Params::Of(ToUnixMillis(now), ToUnixMillis(lease_until), int64_t{limit}));
        if (!r.ok()) return r.status();
        // RETURNING has no order: restore oldest due first.
        std::vector<std::pair<int64_t, WebhookDelivery>> rows;
        for (int i = 0; i < r->size(); ++i)
          rows.emplace_back(r->Int(i, 13), DeliveryFromRow(*r, i));
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
          return a.first != b.first ? a.first < b.first : a.second.id < b.second.id;
        });
        std::vector<WebhookDelivery> out;
        out.reserve(rows.size());
        for (auto& row : rows) out.push_back(std::move(row.second));
        return out;
      });
}

Status PgStore::RecordWebhookAttempt(const WebhookAttempt& a) {
  Params p = Params::Of(std::string(DeliveryStatusAfter(a)), ToUnixMillis(a.at),
                        int64_t{a.http_status}, a.error);
  std::optional<int64_t> next, delivered;
  if (!a.delivered && a.next_attempt_at) next = ToUnixMillis(*a.next_attempt_at);
  if (a.delivered) delivered = ToUnixMillis(a.at);
  p.Add(next).Add(delivered).Add(a.delivery_id);
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           auto r = c->Query(
               "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $1,"
               " last_attempt_at = $2, last_status = $3, last_error = $4, next_attempt_at = $5,"
               " delivered_at = $6 WHERE id = $7",
               p);
           if (!r.ok()) return r.status();
           if (r->Affected() == 0) {
             return Status::NotFound("no webhook delivery " + std::to_string(a.delivery_id));
           }
           return true;
         })
      .status();
}

Result<std::vector<WebhookDelivery>> PgStore::ListWebhookDeliveries(
    Id webhook_id, const std::optional<std::string>& status, int limit) {
  Where w;
  w.Add("webhook_id = ?", Params::Of(webhook_id));
  if (status) w.Add("status = ?", Params::Of(*status));
  Params p = w.args;
  p.Add(int64_t{limit});
  const std::string sql = std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries" +
                          w.sql + " ORDER BY id DESC LIMIT " + w.Next();
  return Read<std::vector<WebhookDelivery>>(
      [&](Conn* c) { return QueryAll<WebhookDelivery>(c, sql, p, DeliveryFromRow); });
}

Result<int64_t> PgStore::PruneWebhookDeliveries(Timestamp finished_before) {
  return WriteQuiet<int64_t>([&](Conn* c) -> Result<int64_t> {
    auto r = c->Query(
        "DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed')"
        " AND last_attempt_at < $1",
        Params::Of(ToUnixMillis(finished_before)));
    if (!r.ok()) return r.status();
    return r->Affected();
  });
}

}  // namespace vs::store::pg
