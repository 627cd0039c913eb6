#include "http/limits.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace vs::http {
namespace {

TEST(Slots, GrantsUpToCapacityAndTakesBackOnRelease) {
  Slots slots(2);
  auto a = slots.TryAcquire();
  auto b = slots.TryAcquire();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(slots.TryAcquire());
  a.reset();
  EXPECT_EQ(slots.in_use(), 1u);
  auto c = slots.TryAcquire();
  EXPECT_TRUE(c);
  auto moved = std::move(*c);  // a moved-from lease gives nothing back
  c.reset();
  EXPECT_EQ(slots.in_use(), 2u);
}

TEST(BodyBudget, BytesAndLargeBodiesAreBounded) {
  BodyBudget budget(/*max_bytes=*/1000, /*max_large=*/1, /*large_bytes=*/100);
  auto small = budget.TryAcquire(50);
  auto large = budget.TryAcquire(500);
  ASSERT_TRUE(small && large);
  EXPECT_FALSE(budget.TryAcquire(200));  // a second large body
  EXPECT_FALSE(budget.TryAcquire(451));  // more bytes than are left
  auto fits = budget.TryAcquire(90);
  EXPECT_TRUE(fits);
  EXPECT_EQ(budget.bytes_in_use(), 640u);
  large.reset();
  EXPECT_EQ(budget.bytes_in_use(), 140u);
  EXPECT_EQ(budget.large_in_use(), 0u);
}

TEST(BodyBudget, ALeaseGrowsWhileItFits) {
  BodyBudget budget(1000, 1, 100);
  auto other = budget.TryAcquire(90);  // small
  auto chunked = budget.TryAcquire(0);
  ASSERT_TRUE(other && chunked);
  EXPECT_TRUE(chunked->Grow(80));
  EXPECT_TRUE(chunked->Grow(40));  // already covered
  EXPECT_EQ(chunked->bytes(), 80u);
  EXPECT_TRUE(chunked->Grow(700));  // now large
  EXPECT_EQ(budget.large_in_use(), 1u);
  EXPECT_FALSE(chunked->Grow(911));  // over the bytes
  EXPECT_EQ(chunked->bytes(), 700u);
  auto another_large = budget.TryAcquire(0);
  ASSERT_TRUE(another_large);
  EXPECT_FALSE(another_large->Grow(101));  // the one large slot is taken
  chunked.reset();
  EXPECT_EQ(budget.bytes_in_use(), 90u);
  EXPECT_TRUE(another_large->Grow(101));
}

TEST(BodyBudget, ManyThreadsNeverOverspend) {
  BodyBudget budget(10'000, 1000, 1u << 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&budget] {
      for (int i = 0; i < 2000; ++i) {
        auto lease = budget.TryAcquire(1000);
        if (lease) {
          EXPECT_LE(budget.bytes_in_use(), 10000u);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(budget.bytes_in_use(), 0u);
}

TEST(ConnectionLimits, TotalAndPerAddress) {
  auto limits = std::make_shared<ConnectionLimits>(/*max_total=*/3, /*max_per_address=*/2);
  std::optional<ConnectionLimits::Lease> a1, a2, a3, b1, c1;
  EXPECT_EQ(limits->TryOpen("10.0.0.1", &a1), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(limits->TryOpen("10.0.0.1", &a2), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(limits->TryOpen("10.0.0.1", &a3), ConnectionLimits::Verdict::kTooManyFromAddress);
  EXPECT_FALSE(a3);
  EXPECT_EQ(limits->TryOpen("10.0.0.2", &b1), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(limits->TryOpen("10.0.0.3", &c1), ConnectionLimits::Verdict::kTooManyTotal);
  a1.reset();
  EXPECT_EQ(limits->open(), 2u);
  EXPECT_EQ(limits->TryOpen("10.0.0.1", &a3), ConnectionLimits::Verdict::kOk);
}

TEST(ConnectionLimits, LeasesKeepTheLimitsAlive) {
  std::optional<ConnectionLimits::Lease> lease;
  {
    auto limits = std::make_shared<ConnectionLimits>(1, 1);
    ASSERT_EQ(limits->TryOpen("::1", &lease), ConnectionLimits::Verdict::kOk);
  }
  lease.reset();  // no use after free (checked under ASan)
}

}  // namespace
}  // namespace vs::http
