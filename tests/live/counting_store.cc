#include "counting_store.h"

namespace vs::live::testing {

void CountingStore::Hold() {
  std::lock_guard lock(mu_);
  held_ = true;
}

void CountingStore::Release() {
  {
    std::lock_guard lock(mu_);
    held_ = false;
  }
  released_.notify_all();
}

int CountingStore::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

Result<std::vector<store::Event>> CountingStore::EventsAfter(store::Id after_id, int limit) {
  {
    std::unique_lock lock(mu_);
    ++waiting_;
    released_.wait(lock, [this] { return !held_; });
    --waiting_;
  }
  auto events = inner_.EventsAfter(after_id, limit);
  reads_.fetch_add(1);
  if (events.ok()) rows_.fetch_add(static_cast<int64_t>(events->size()));
  return events;
}

}  // namespace vs::live::testing
