// When a failed delivery is tried again: exponential backoff without jitter (the outbox spreads
// deliveries already; a deterministic schedule is easy to document and to reason about).
#pragma once

#include <chrono>
#include <optional>

namespace vs::webhooks {

struct RetryPolicy {
  int max_attempts = 8;                            // attempts in all, the first one included
  std::chrono::milliseconds base{10'000};          // wait after the first failure
  std::chrono::milliseconds max_delay{3'600'000};  // no wait is longer
};

// The wait before the next attempt after `attempts_made` (>= 1) failed attempts:
// min(base * 2^(attempts_made - 1), max_delay); none when attempts_made >= max_attempts.
std::optional<std::chrono::milliseconds> RetryDelay(const RetryPolicy& policy, int attempts_made);

}  // namespace vs::webhooks
