#include "live/event_bus.h"

#include <utility>

namespace vs::live {

void EventBus::Subscribe(Handler handler) {
  std::lock_guard lock(mu_);
  handlers_.push_back(std::move(handler));
}

void EventBus::Publish(const store::Event& event) {
  // Handlers are only added before serving, so the list is read under the lock and called
  // under it too: the lock is uncontended in steady state, and holding it keeps the list stable
  // without copying it on every event. Handlers must not call Subscribe or Publish.
  std::lock_guard lock(mu_);
  for (const auto& handler : handlers_) handler(event);
}

}  // namespace vs::live
