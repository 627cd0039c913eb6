// A bounded pool of PostgreSQL connections. Acquire hands out an idle connection, or opens one
// while fewer than `max` are open, or waits up to `wait`; past that it answers Unavailable (503),
// so that a request never queues unboundedly behind a slow or unreachable database. A
// connection found broken when it comes back is closed, so that after a database restart the
// pool refills with fresh ones.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/postgres/pg_db.h"

namespace vs::store::pg {

class Pool {
 public:
  Pool(ConnectOptions options, int max, std::chrono::milliseconds wait)
      : options_(std::move(options)), max_(max), wait_(wait) {}

  // A borrowed connection, returned to the pool on destruction.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Conn* operator->() const { return c_.get(); }
    Conn* get() const { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> c_;
  };

  Result<Lease> Acquire();
  // Closes every idle connection (e.g. after the database was seen down).
  void DropIdle();
  const ConnectOptions& options() const { return options_; }

 private:
  void Return(std::unique_ptr<Conn> c);
  ConnectOptions options_;
  const int max_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  int open_ = 0;                             // guarded by mu_: idle + leased + connecting
};

}  // namespace vs::store::pg
