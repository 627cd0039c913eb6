// The webhook service: committed events -> outbox rows -> signed POSTs (docs/WEBHOOKS.md).
//
// Fan-out (one thread): woken by every event on the bus and every poll_interval, it reads the
// events after the store's webhook cursor, matches them against the enabled webhooks and, in one
// transaction, queues one outbox row per match and moves the cursor (Store::
// EnqueueWebhookDeliveries). The cursor lives in the database, so on start the service first
// catches up on every event committed while it was not running, and a crash between commit and
// fan-out loses nothing. A webhook only gets events committed after it was created.
//
// Delivery (`workers` threads, the bound on concurrent deliveries): each claims one due row at a
// time (leased, so a crash mid-attempt retries it after the lease), POSTs it with deadlines, and
// records the attempt: delivered on a 2xx answer, else retried after RetryDelay, or failed once
// max_attempts are used. Ingest never waits on any of this: the bus handler only wakes threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"
#include "live/event_bus.h"
#include "store/store.h"
#include "webhooks/backoff.h"
#include "webhooks/http_post.h"

namespace vs::webhooks {

struct ServiceOptions {
  int workers = 2;  // deliveries in flight at once
  RetryPolicy retry;
  PostOptions post;
  std::chrono::milliseconds poll_interval{1000};  // how often due retries are looked for
  int batch = 500;                                // events read per fan-out step
  // Delivered and failed deliveries are removed this long after their last attempt (checked
  // hourly by the fan-out thread); zero keeps them forever.
  std::chrono::hours keep{24 * 30};
};

class WebhookService {
 public:
  WebhookService(store::Store& store, ServiceOptions options);
  ~WebhookService();  // Stop()
  WebhookService(const WebhookService&) = delete;
  WebhookService& operator=(const WebhookService&) = delete;

  // Wakes the service on every event of `bus`. Call once, before the bus publishes.
  void Attach(live::EventBus& bus);
  // Starts the fan-out and delivery threads (the fan-out catches up first).
  void Start();
  // Stops the threads; an attempt in progress ends first (bounded by the post timeouts).
  void Stop();
  // Wakes every thread now (new events or webhooks).
  void Wake();

  // One fan-out pass until the cursor reaches the newest event (the fan-out thread's step;
  // public for tests).
  Status FanOut();
  // Claims and attempts every delivery due now, on the caller's thread; returns how many were
  // attempted (the workers' step; public for tests).
  Result<int> DeliverDue();
  // Removes finished deliveries older than options.keep; returns how many (0 when keep is 0).
  Result<int64_t> Prune();

 private:
  void FanOutLoop();
  void WorkerLoop();
  // Claims at most one due delivery and attempts it; false when none was due.
  Result<bool> DeliverOne();
  Status Attempt(const store::WebhookDelivery& delivery);
  uint64_t WakeCount();
  // Waits until a wake after `seen`, `timeout` or Stop; false once stopping.
  bool WaitForWork(uint64_t seen, std::chrono::milliseconds timeout);

  store::Store& store_;
  ServiceOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t wakes_ = 0;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace vs::webhooks
