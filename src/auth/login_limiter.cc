#include "auth/login_limiter.h"

#include <algorithm>

namespace vs::auth {

void LoginLimiter::Expire(std::deque<Clock::time_point>* failures, Clock::time_point now) const {
  while (!failures->empty() && now - failures->front() >= options_.window) failures->pop_front();
}

std::chrono::seconds LoginLimiter::RetryAfter(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return std::chrono::seconds(0);
  Expire(&it->second, now);
  if (static_cast<int>(it->second.size()) < options_.max_failures) return std::chrono::seconds(0);
  const auto wait = it->second.front() + options_.window - now;
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
}

void LoginLimiter::RecordFailure(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (!failures_.count(address) && failures_.size() >= options_.max_addresses) MakeRoom(now);
  auto& list = failures_[address];
  Expire(&list, now);
  list.push_back(now);
  while (static_cast<int>(list.size()) > options_.max_failures) list.pop_front();
}

void LoginLimiter::RecordSuccess(const std::string& address) {
  std::lock_guard lock(mu_);
  failures_.erase(address);
}

void LoginLimiter::MakeRoom(Clock::time_point now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    Expire(&it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  if (failures_.size() < options_.max_addresses) return;
  auto stalest = std::min_element(failures_.begin(), failures_.end(), [](auto& a, auto& b) {
    return a.second.back() < b.second.back();
  });
  failures_.erase(stalest);
}

}  // namespace vs::auth
