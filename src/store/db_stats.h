// What a store backend reports about its database connections, for /metrics: the connection
// pool (SQLite's read-only readers; PostgreSQL's pool), database errors, and the state of the
// LISTEN connection of a shared database. Backends own one DbStats and feed it; Store::db_stats()
// hands it to the metrics, which only read it. Every member is an atomic: feeding it costs a
// few uncontended atomic operations, and any thread may read while others feed.
#pragma once

#include <atomic>
#include <cstdint>

#include "store/types.h"

namespace vs::store {

class DbStats {
 public:
  // LISTEN connection state (PostgreSQL). kNotUsed: the backend has none (SQLite), and /metrics
  // shows no LISTEN series.
  enum class Listen { kNotUsed = -1, kDown = 0, kUp = 1 };

  // --- the pool ---------------------------------------------------------------------------
  // The pool's bound (connections at most).
  void SetPoolMax(int64_t n) { pool_max_.store(n, std::memory_order_relaxed); }
  // A connection was opened / closed (idle or in use).
  void OnOpen() { open_.fetch_add(1, std::memory_order_relaxed); }
  void OnClose() { open_.fetch_sub(1, std::memory_order_relaxed); }
  // A caller took a connection from the pool after waiting `waited_seconds` (0 if one was idle),
  // and later gave it back.
  void OnAcquire(double waited_seconds) {
    in_use_.fetch_add(1, std::memory_order_relaxed);
    acquired_.fetch_add(1, std::memory_order_relaxed);
    if (waited_seconds > 0) {
      waits_.fetch_add(1, std::memory_order_relaxed);
      AddWait(waited_seconds);
    }
  }
  void OnRelease() { in_use_.fetch_sub(1, std::memory_order_relaxed); }
  // A caller gave up waiting for a connection (pool exhausted until its timeout).
  void OnAcquireTimeout() { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  // The database refused or failed an operation (could not open a connection, begin or commit a
  // transaction, run a statement): errors of the database, not of the caller's input.
  void OnError() { errors_.fetch_add(1, std::memory_order_relaxed); }

  // --- LISTEN (a shared database) ------------------------------------------------------------
  void SetListen(Listen state) {
    listen_.store(static_cast<int>(state), std::memory_order_relaxed);
  }
  // The id of the last event the LISTEN connection delivered.
  void SetListenLastEventId(Id id) { listen_last_id_.store(id, std::memory_order_relaxed); }

  // --- reading (the metrics) -----------------------------------------------------------------
  int64_t pool_max() const { return pool_max_.load(std::memory_order_relaxed); }
  int64_t open() const { return open_.load(std::memory_order_relaxed); }
  int64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  uint64_t acquired() const { return acquired_.load(std::memory_order_relaxed); }
  uint64_t waits() const { return waits_.load(std::memory_order_relaxed); }
  double wait_seconds() const { return wait_seconds_.load(std::memory_order_relaxed); }
  uint64_t timeouts() const { return timeouts_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  Listen listen() const { return static_cast<Listen>(listen_.load(std::memory_order_relaxed)); }
  Id listen_last_event_id() const { return listen_last_id_.load(std::memory_order_relaxed); }

 private:
  void AddWait(double seconds) {
    double now = wait_seconds_.load(std::memory_order_relaxed);
    while (!wait_seconds_.compare_exchange_weak(now, now + seconds, std::memory_order_relaxed)) {
    }
  }

  std::atomic<int64_t> pool_max_{0}, open_{0}, in_use_{0};
  std::atomic<uint64_t> acquired_{0}, waits_{0}, timeouts_{0}, errors_{0};
  std::atomic<double> wait_seconds_{0};
  std::atomic<int> listen_{static_cast<int>(Listen::kNotUsed)};
  std::atomic<Id> listen_last_id_{0};
};

}  // namespace vs::store
