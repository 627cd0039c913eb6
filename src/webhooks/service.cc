#include "webhooks/service.h"

#include <algorithm>

#include "core/log.h"
#include "core/time.h"
#include "webhooks/payload.h"
#include "webhooks/signing.h"

namespace vs::webhooks {
namespace {

std::string HttpError(const PostAnswer& answer) {
  std::string text = "HTTP " + std::to_string(answer.status);
  std::string head;
  for (char c : answer.body_head) head += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (!head.empty()) text += ": " + head;
  return text;
}

}  // namespace

WebhookService::WebhookService(store::Store& store, ServiceOptions options)
    : store_(store), options_(std::move(options)) {
  options_.workers = std::max(1, options_.workers);
  options_.batch = std::max(1, options_.batch);
  // Retries are looked for at least as often as the shortest wait between attempts.
  options_.poll_interval =
      std::clamp(options_.retry.base, std::chrono::milliseconds(10),
                 std::max(options_.poll_interval, std::chrono::milliseconds(10)));
}

WebhookService::~WebhookService() { Stop(); }

void WebhookService::Attach(live::EventBus& bus) {
  bus.Subscribe([this](const store::Event&) { Wake(); });
}

void WebhookService::Start() {
  threads_.emplace_back([this] { FanOutLoop(); });
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

void WebhookService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WebhookService::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

uint64_t WebhookService::WakeCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return wakes_;
}

bool WebhookService::WaitForWork(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return stopping_ || wakes_ != seen; });
  return !stopping_;
}

Status WebhookService::FanOut() {
  for (;;) {
    auto hooks = store_.ListWebhooks();
    if (!hooks.ok()) return hooks.status();
    if (hooks->empty()) return Status::Ok();  // the cursor may lag: see since_event_id below
    auto cursor = store_.WebhookCursor();
    if (!cursor.ok()) return cursor.status();
    // No webhook wants events up to the oldest webhook's creation: skip them unread.
    store::Id start = *cursor;
    store::Id oldest = hooks->front().since_event_id;
    for (const auto& h : *hooks) oldest = std::min(oldest, h.since_event_id);
    start = std::max(start, oldest);
    auto events = store_.EventsAfter(start, options_.batch);
    if (!events.ok()) return events.status();
    if (events->empty()) return Status::Ok();
    // Listed again after the events were read: a webhook created meanwhile has a since_event_id
    // at or past `start`, so it gets exactly the events after its creation.
    hooks = store_.ListWebhooks();
    if (!hooks.ok()) return hooks.status();
    std::vector<store::NewWebhookDelivery> queued;
    for (const store::Event& e : *events) {
      for (const store::Webhook& h : *hooks) {
        if (!h.enabled || e.id <= h.since_event_id || !TypeMatches(h.event_types, e.type)) continue;
        queued.push_back({.webhook_id = h.id,
                          .event_id = e.id,
                          .event_type = e.type,
                          .body = DeliveryBody(e, h.id)});
      }
    }
    auto moved = store_.EnqueueWebhookDeliveries(events->back().id, queued);
    if (!moved.ok()) return moved.status();
    if (!queued.empty()) Wake();
    if (static_cast<int>(events->size()) < options_.batch) return Status::Ok();
  }
}

Result<bool> WebhookService::DeliverOne() {
  const Timestamp now = Now();
  const auto lease =
      options_.post.connect_timeout + options_.post.response_timeout + std::chrono::seconds(30);
  auto claimed = store_.ClaimWebhookDeliveries(now, now + lease, 1);
  if (!claimed.ok()) return claimed.status();
  if (claimed->empty()) return false;
  VS_RETURN_IF_ERROR(Attempt(claimed->front()));
  return true;
}

Result<int> WebhookService::DeliverDue() {
  int attempted = 0;
  for (;;) {
    auto one = DeliverOne();
    if (!one.ok()) return one.status();
    if (!*one) return attempted;
    ++attempted;
  }
}

Status WebhookService::Attempt(const store::WebhookDelivery& d) {
  auto hook = store_.GetWebhook(d.webhook_id);
  if (!hook.ok()) return hook.status().code() == Code::kNotFound ? Status::Ok() : hook.status();
  const std::string timestamp =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  const Headers headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", "VisionStock-Webhooks"},
      {"X-VisionStock-Event", d.event_type},
      {"X-VisionStock-Delivery", std::to_string(d.id)},
      {kTimestampHeader, timestamp},
      {kSignatureHeader, Sign(hook->secret, timestamp, d.body)},
  };
  store::WebhookAttempt attempt{.delivery_id = d.id};
  auto target = ParseUrl(hook->url);
  Result<PostAnswer> answer =
      target.ok() ? Post(*target, headers, d.body, options_.post) : target.status();
  attempt.at = Now();
  if (answer.ok()) attempt.http_status = answer->status;
  attempt.delivered = answer.ok() && answer->status >= 200 && answer->status < 300;
  if (!attempt.delivered) {
    attempt.error = answer.ok() ? HttpError(*answer) : answer.status().message();
    if (auto delay = RetryDelay(options_.retry, d.attempts + 1))
      attempt.next_attempt_at = attempt.at + *delay;
    const nlohmann::json fields = {
        {"webhook_id", d.webhook_id},
        {"delivery_id", d.id},
        {"event_id", d.event_id},
        {"attempt", d.attempts + 1},
        {"error", attempt.error},
        {"next_attempt_at", attempt.next_attempt_at
                                ? nlohmann::json(FormatIso8601(*attempt.next_attempt_at))
                                : nullptr}};
    if (attempt.next_attempt_at) {
      vs::log::Warn("webhook delivery failed, will retry", fields);
    } else {
      vs::log::Error("webhook delivery failed, giving up", fields);
    }
  }
  return store_.RecordWebhookAttempt(attempt);
}

Result<int64_t> WebhookService::Prune() {
  if (options_.keep.count() <= 0) return int64_t{0};
  return store_.PruneWebhookDeliveries(Now() - options_.keep);
}

void WebhookService::FanOutLoop() {
  std::chrono::steady_clock::time_point next_prune{};  // at once, then hourly
  for (;;) {
    if (std::chrono::steady_clock::now() >= next_prune) {
      next_prune = std::chrono::steady_clock::now() + std::chrono::hours(1);
      auto pruned = Prune();
      if (!pruned.ok()) {
        vs::log::Warn("cannot prune webhook deliveries", {{"error", pruned.status().ToString()}});
      } else if (*pruned > 0) {
        vs::log::Info("pruned webhook deliveries", {{"removed", *pruned}});
      }
    }
    const uint64_t seen = WakeCount();
    if (Status s = FanOut(); !s.ok()) {
      vs::log::Warn("webhook fan-out failed, will retry", {{"error", s.ToString()}});
    }
    if (!WaitForWork(seen, options_.poll_interval)) return;
  }
}

void WebhookService::WorkerLoop() {
  for (;;) {
    uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      seen = wakes_;
    }
    auto one = DeliverOne();
    if (!one.ok()) {
      vs::log::Warn("webhook delivery step failed", {{"error", one.status().ToString()}});
    }
    if (one.ok() && *one) continue;  // more may be due
    if (!WaitForWork(seen, options_.poll_interval)) return;
  }
}

}  // namespace vs::webhooks
