#include "memory_event_store.h"

#include <algorithm>

namespace vs::live::testing {

store::Event MemoryEventStore::Commit(const std::string& type, nlohmann::json payload) {
  store::Event event;
  CommitListener listener;
  {
    std::lock_guard lock(mu_);
    event.id = static_cast<store::Id>(events_.size()) + 1;
    event.type = type;
    event.payload = std::move(payload);
    event.created_at = Now();
    events_.push_back(event);
    listener = listener_;
  }
  if (listener) listener(event);
  return event;
}

void MemoryEventStore::SetFailing(bool failing) {
  std::lock_guard lock(mu_);
  failing_ = failing;
}

void MemoryEventStore::SetCommitListener(CommitListener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

Result<std::vector<store::Event>> MemoryEventStore::EventsAfter(store::Id after_id, int limit) {
  std::lock_guard lock(mu_);
  if (failing_) return Status::Unavailable("memory event store set to fail");
  std::vector<store::Event> out;
  for (const auto& e : events_) {
    if (e.id > after_id && static_cast<int>(out.size()) < limit) out.push_back(e);
  }
  return out;
}

Result<store::Id> MemoryEventStore::LastEventId() {
  std::lock_guard lock(mu_);
  if (failing_) return Status::Unavailable("memory event store set to fail");
  return events_.empty() ? store::Id{0} : events_.back().id;
}

}  // namespace vs::live::testing
