// The one event bus: every committed change (store::Event) is published here once, and every
// way events leave the process (the WebSocket hub today) subscribes to it.
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "store/types.h"

namespace vs::live {

class EventBus {
 public:
  using Handler = std::function<void(const store::Event&)>;

  // Handlers run on the publishing thread, in subscription order; they must not block (queue
  // work elsewhere). Subscribe before serving: there is no unsubscribe.
  void Subscribe(Handler handler);
  // Delivers `event` to every handler. Thread-safe; events published from one thread are
  // delivered in publication order.
  void Publish(const store::Event& event);

 private:
  std::mutex mu_;
  std::vector<Handler> handlers_;
};

}  // namespace vs::live
