#include "models/follower.h"

namespace vs::models {

ActiveModelFollower::ActiveModelFollower(ModelRegistry& registry)
    : registry_(registry), worker_([this] { Run(); }) {}

ActiveModelFollower::~ActiveModelFollower() { Stop(); }

void ActiveModelFollower::OnEvent(const store::Event& event) {
  if (event.type != "model.changed" && event.type != "model.settings") return;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    pending_ = true;
  }
  wake_.notify_one();
}

void ActiveModelFollower::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void ActiveModelFollower::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    pending_ = false;
    lock.unlock();
    (void)registry_.FollowStore();  // logs why when it cannot; the next event tries again
    lock.lock();
  }
}

}  // namespace vs::models
