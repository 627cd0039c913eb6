#include "live/event_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace vs::live {
namespace {

store::Event Make(store::Id id) {
  store::Event e;
  e.id = id;
  e.type = "scan.created";
  return e;
}

TEST(EventBusTest, DeliversEachEventToEveryHandlerInSubscriptionOrder) {
  EventBus bus;
  std::vector<std::pair<int, store::Id>> calls;
  bus.Subscribe([&](const store::Event& e) { calls.emplace_back(1, e.id); });
  bus.Subscribe([&](const store::Event& e) { calls.emplace_back(2, e.id); });
  bus.Publish(Make(7));
  bus.Publish(Make(8));
  EXPECT_EQ(calls, (std::vector<std::pair<int, store::Id>>{{1, 7}, {2, 7}, {1, 8}, {2, 8}}));
}

TEST(EventBusTest, PublishingWithoutHandlersIsHarmless) {
  EventBus bus;
  bus.Publish(Make(1));
}

TEST(EventBusTest, ConcurrentPublishersKeepEachThreadsOrder) {
  EventBus bus;
  constexpr int kThreads = 4, kPerThread = 2000;
  std::vector<std::vector<store::Id>> seen(kThreads);  // handler calls do not overlap
  std::atomic<int> calls{0};
  bus.Subscribe([&](const store::Event& e) {
    seen[e.id / kPerThread].push_back(e.id % kPerThread);
    calls.fetch_add(1, std::memory_order_relaxed);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&bus, t] {
      for (int i = 0; i < kPerThread; ++i) bus.Publish(Make(t * kPerThread + i));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(calls.load(), kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[t][i], i);
  }
}

}  // namespace
}  // namespace vs::live
