#include "store/postgres/pg_pool.h"

namespace vs::store::pg {

Pool::Lease::~Lease() {
  if (c_) pool_->Return(std::move(c_));
}

void Pool::Return(std::unique_ptr<Conn> c) {
  // A connection left inside a transaction or broken is not reused.
  const bool reusable = c->healthy() && PQtransactionStatus(c->raw()) == PQTRANS_IDLE;
  std::unique_ptr<Conn> closing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reusable) {
      idle_.push_back(std::move(c));
    } else {
      closing = std::move(c);
      --open_;
    }
  }
  cv_.notify_one();
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, wait_, [this] { return !idle_.empty() || open_ < max_; })) {
    return Status::Unavailable("no PostgreSQL connection free within " +
                               std::to_string(wait_.count()) + " ms (pool of " +
                               std::to_string(max_) + ")");
  }
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  auto c = Conn::Connect(options_);
  if (!c.ok()) {
    {
      std::lock_guard<std::mutex> relock(mu_);
      --open_;
    }
    cv_.notify_one();
    return c.status();
  }
  return Lease(this, std::move(c).value());
}

void Pool::DropIdle() {
  std::vector<std::unique_ptr<Conn>> closing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing.swap(idle_);
    open_ -= static_cast<int>(closing.size());
  }
  cv_.notify_all();
}

}  // namespace vs::store::pg
