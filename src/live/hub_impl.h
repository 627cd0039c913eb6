// The Hub behind hub.h: the registry of connected sessions, fan-out of bus events to them, and
// the worker that performs store reads for replay. Internal to src/live.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "live/hub.h"

namespace vs::live {

class Session;

class HubImpl final : public Hub, public std::enable_shared_from_this<HubImpl> {
 public:
  HubImpl(store::Store& store, HubOptions options);
  // Waits for pending fan-out and store reads.
  ~HubImpl() override;

  void Accept(boost::beast::tcp_stream stream,
              boost::beast::http::request<boost::beast::http::string_body> request,
              std::shared_ptr<void> hold) override;
  size_t client_count() const override;
  uint64_t events_delivered() const override { return delivered_.load(); }
  uint64_t events_replayed() const override { return replayed_.load(); }
  void CloseAll() override;

  // Serialises `event` once and hands it to the fan-out thread, which posts it to every
  // registered session. Any thread; O(1) for the caller whatever the number of clients.
  void OnEvent(const store::Event& event);

  // --- for sessions ---------------------------------------------------------------------------
  const HubOptions& options() const { return options_; }
  store::Store& store() { return store_; }
  // Runs store reads off the I/O threads.
  boost::asio::thread_pool& worker() { return worker_; }
  // Adds a session that completed its handshake. False once CloseAll has been called.
  bool Register(const std::shared_ptr<Session>& session);
  // Removes a session; idempotent.
  void Unregister(const Session* session);
  bool closed() const;
  // A place among max_clients for a connection about to upgrade, taken before the handshake so
  // that upgrades arriving together cannot pass the cap; false when none is left. Every true
  // is matched by one LeaveClient.
  bool AdmitClient();
  void LeaveClient();
  // Brackets a replay read on the worker. BeginFetch is false once CloseAll has been called.
  bool BeginFetch();
  void EndFetch();
  // The hub-wide replay budget (HubOptions::max_replay_bytes_total): Reserve is false, taking
  // nothing, when `bytes` more would exceed it; every reservation is released exactly once.
  bool ReserveReplay(size_t bytes);
  void ReleaseReplay(size_t bytes);
  // Counts messages queued to a client (events_delivered / events_replayed).
  void CountDelivered() { delivered_.fetch_add(1, std::memory_order_relaxed); }
  void CountReplayed(size_t n) { replayed_.fetch_add(n, std::memory_order_relaxed); }

 private:
  store::Store& store_;
  const HubOptions options_;
  boost::asio::thread_pool worker_{2};
  // One thread, so events reach sessions in publication order.
  boost::asio::thread_pool fanout_{1};
  mutable std::mutex mu_;
  size_t admitted_ = 0;  // guarded by mu_: places taken by AdmitClient
  std::condition_variable fetches_done_;
  std::atomic<size_t> replay_held_{0};
  std::atomic<uint64_t> delivered_{0}, replayed_{0};
  // Strong references to the registered sessions, copied under mu_. Sessions are released
  // only once mu_ is unlocked: the last reference may be the copy, and ~Session takes mu_
  // (Unregister), so a session must never be destroyed while mu_ is held.
  std::vector<std::shared_ptr<Session>> SessionsLocked() const;
  int fetches_ = 0;                                                      // guarded by mu_
  bool closed_ = false;                                                  // guarded by mu_
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;  // guarded by mu_
};

}  // namespace vs::live
