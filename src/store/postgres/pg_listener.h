// The dedicated LISTEN connection of a PostgreSQL store. A thread LISTENs on
// visionstock_events and calls `wake` on every notification (the payload, "<id> <type>", only
// says that something was committed: the store reads the events themselves from the table)
// and every `poll` interval as a safety net. When the connection drops it reconnects with
// backoff (100 ms doubling to 2 s), LISTENs again and calls `wake` once connected, so that the
// store catches up with whatever was committed meanwhile.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "store/postgres/pg_db.h"

namespace vs::store::pg {

inline constexpr const char* kEventChannel = "visionstock_events";

class Listener {
 public:
  Listener(ConnectOptions options, std::chrono::milliseconds poll, std::function<void()> wake);
  ~Listener();  // stops and joins the thread
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

 private:
  void Run();
  // Waits for notifications on `c` until one arrives, the poll interval passes, the connection
  // breaks (false) or stop is asked.
  bool WaitOnce(Conn* c);
  bool SleepUnlessStopped(std::chrono::milliseconds d);

  ConnectOptions options_;
  std::chrono::milliseconds poll_;
  std::function<void()> wake_;
  std::atomic<bool> stop_{false};
  int stop_pipe_[2] = {-1, -1};  // written on shutdown to end a poll() at once
  std::thread thread_;
};

}  // namespace vs::store::pg
