// Failed-login budget per client address: after `max_failures` failures within `window`, the
// address gets no more tries until the oldest of them is `window` old. Successful logins clear
// the address's record. Memory is bounded: at most `max_addresses` are tracked (the stalest
// record is dropped first). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vs::auth {

class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int max_failures = 5;
    std::chrono::seconds window{15 * 60};
    size_t max_addresses = 10'000;
  };
  LoginLimiter() : LoginLimiter(Options{}) {}
  explicit LoginLimiter(Options options) : options_(options) {}

  // Zero when `address` may try now, else how long until it may.
  std::chrono::seconds RetryAfter(const std::string& address, Clock::time_point now = Clock::now());
  void RecordFailure(const std::string& address, Clock::time_point now = Clock::now());
  void RecordSuccess(const std::string& address);

 private:
  void Expire(std::deque<Clock::time_point>* failures, Clock::time_point now) const;
  void MakeRoom(Clock::time_point now);  // requires mu_

  Options options_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;  // guarded by mu_
};

}  // namespace vs::auth
