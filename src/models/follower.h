// Several instances on one database: keeps this instance's active model the one the store marks
// active, and its loaded models on the settings their manifests hold. Every model.changed and
// model.settings event (whichever instance committed it) wakes a worker thread that calls
// ModelRegistry::FollowStore; loading a model takes a while, so it never runs on the thread
// that publishes events, and a burst of events collapses into one look at the store.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "models/registry.h"
#include "store/types.h"

namespace vs::models {

class ActiveModelFollower {
 public:
  explicit ActiveModelFollower(ModelRegistry& registry);
  ~ActiveModelFollower();  // Stop()
  ActiveModelFollower(const ActiveModelFollower&) = delete;
  ActiveModelFollower& operator=(const ActiveModelFollower&) = delete;

  // For the event bus: non-blocking; ignores every type but model.changed and model.settings,
  // and everything once stopped.
  void OnEvent(const store::Event& event);
  // Waits for a look in progress to end and ends the worker; the registry may go afterwards.
  void Stop();

 private:
  void Run();

  ModelRegistry& registry_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread worker_;
};

}  // namespace vs::models
