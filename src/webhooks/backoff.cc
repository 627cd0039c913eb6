#include "webhooks/backoff.h"

#include <algorithm>

namespace vs::webhooks {

std::optional<std::chrono::milliseconds> RetryDelay(const RetryPolicy& policy, int attempts_made) {
  if (attempts_made < 1 || attempts_made >= policy.max_attempts) return std::nullopt;
  const auto cap = std::max(policy.max_delay, policy.base);
  auto delay = policy.base;
  // Doubling stops at the cap, so no overflow however many attempts are allowed.
  for (int i = 1; i < attempts_made && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace vs::webhooks
