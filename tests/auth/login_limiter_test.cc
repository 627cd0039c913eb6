#include "auth/login_limiter.h"

#include <gtest/gtest.h>

namespace vs::auth {
namespace {

using std::chrono::seconds;

TEST(LoginLimiterTest, BlocksAfterMaxFailuresUntilTheWindowPasses) {
  LoginLimiter limiter({.max_failures = 3, .window = seconds(60), .max_addresses = 100});
  const auto t0 = LoginLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.RetryAfter("1.2.3.4", t0 + seconds(i)).count(), 0) << i;
    limiter.RecordFailure("1.2.3.4", t0 + seconds(i));
  }
  EXPECT_EQ(limiter.RetryAfter("1.2.3.4", t0 + seconds(2)), seconds(58));
  EXPECT_EQ(limiter.RetryAfter("5.6.7.8", t0 + seconds(2)).count(), 0) << "per address";
  EXPECT_EQ(limiter.RetryAfter("1.2.3.4", t0 + seconds(59)), seconds(1));
  EXPECT_EQ(limiter.RetryAfter("1.2.3.4", t0 + seconds(60)).count(), 0) << "oldest failure expired";
}

TEST(LoginLimiterTest, SuccessClearsTheAddress) {
  LoginLimiter limiter({.max_failures = 2, .window = seconds(60), .max_addresses = 100});
  const auto t0 = LoginLimiter::Clock::now();
  limiter.RecordFailure("a", t0);
  limiter.RecordSuccess("a");
  limiter.RecordFailure("a", t0);
  EXPECT_EQ(limiter.RetryAfter("a", t0).count(), 0);
  limiter.RecordFailure("a", t0);
  EXPECT_GT(limiter.RetryAfter("a", t0).count(), 0);
}

TEST(LoginLimiterTest, MemoryIsBounded) {
  LoginLimiter limiter({.max_failures = 1, .window = seconds(600), .max_addresses = 10});
  const auto t0 = LoginLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i)
    limiter.RecordFailure("10.0.0." + std::to_string(i), t0 + seconds(i % 100));
  int tracked = 0;
  for (int i = 0; i < 1000; ++i)
    tracked += limiter.RetryAfter("10.0.0." + std::to_string(i), t0 + seconds(100)).count() > 0;
  EXPECT_LE(tracked, 10);
  EXPECT_GE(tracked, 1);
}

}  // namespace
}  // namespace vs::auth
