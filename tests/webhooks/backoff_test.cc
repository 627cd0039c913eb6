#include "webhooks/backoff.h"

#include <gtest/gtest.h>

namespace vs::webhooks {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesFromTheBaseUntilTheCap) {
  const RetryPolicy p{
      .max_attempts = 10, .base = milliseconds(10'000), .max_delay = milliseconds(60'000)};
  const struct {
    int attempts_made;
    std::optional<milliseconds> wait;
  } cases[] = {
      {1, milliseconds(10'000)}, {2, milliseconds(20'000)}, {3, milliseconds(40'000)},
      {4, milliseconds(60'000)}, {9, milliseconds(60'000)}, {10, std::nullopt},
      {11, std::nullopt},        {0, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RetryDelay(p, c.attempts_made), c.wait) << "after " << c.attempts_made << " attempts";
  }
}

TEST(Backoff, DefaultScheduleIsDocumented) {
  // docs/WEBHOOKS.md: 10 s, 20 s, 40 s, 80 s, 160 s, 320 s, 640 s, then failed (8 attempts).
  const RetryPolicy p;
  int64_t expected = 10'000;
  for (int made = 1; made < 8; ++made, expected *= 2) {
    EXPECT_EQ(RetryDelay(p, made), milliseconds(expected)) << made;
  }
  EXPECT_EQ(RetryDelay(p, 8), std::nullopt);
}

TEST(Backoff, OneAttemptMeansNoRetry) {
  EXPECT_EQ(RetryDelay({.max_attempts = 1}, 1), std::nullopt);
}

TEST(Backoff, ManyAttemptsDoNotOverflow) {
  const RetryPolicy p{
      .max_attempts = 1000, .base = milliseconds(1), .max_delay = milliseconds(5000)};
  EXPECT_EQ(RetryDelay(p, 999), milliseconds(5000));
}

TEST(Backoff, ACapBelowTheBaseIsTheBase) {
  const RetryPolicy p{.max_attempts = 5, .base = milliseconds(500), .max_delay = milliseconds(100)};
  EXPECT_EQ(RetryDelay(p, 3), milliseconds(500));
}

}  // namespace
}  // namespace vs::webhooks
