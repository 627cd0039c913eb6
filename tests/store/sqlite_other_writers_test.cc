// Events committed by another writer on the same data (another process on the SQLite file, e.g.
// `visionstock detect` beside `visionstock serve`, or another instance on the same PostgreSQL
// database) reach this store's commit listener exactly once, in id order.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "backends.h"
#include "store/store.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::Scan;

class OtherWritersTest : public testing::BackendTest {};
VS_STORE_BACKENDS(OtherWritersTest);

class Collected {
 public:
  void Add(const Event& e) {
    std::lock_guard lock(mu_);
    ids_.push_back(e.id);
  }
  std::vector<Id> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }
  // Waits up to `deadline` for `n` events.
  bool WaitFor(size_t n, std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      if (ids().size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ids().size() >= n;
  }

 private:
  std::mutex mu_;
  std::vector<Id> ids_;
};

TEST_P(OtherWritersTest, EventsOfAnotherWriterReachTheListener) {
  auto serving = OpenStore();
  auto other = OpenStore();
  ASSERT_TRUE(serving && other);
  Collected seen;
  serving->SetCommitListener([&](const Event& e) { seen.Add(e); });

  ASSERT_TRUE(other->InsertScan(Scan("s1", "a1", 1000, {Det("dog", 0.9)})).ok());
  ASSERT_TRUE(seen.WaitFor(1, std::chrono::seconds(10)));
  EXPECT_EQ(seen.ids(), std::vector<Id>({1}));
}

TEST_P(OtherWritersTest, InterleavedWritersAreDeliveredOnceInIdOrder) {
  auto serving = OpenStore();
  auto other = OpenStore();
  ASSERT_TRUE(serving && other);
  // An event from before the listener was set is history, not news: it is not delivered.
  ASSERT_TRUE(other->InsertScan(Scan("s1", "a1", 500, {Det("cup", 0.5)})).ok());
  Collected seen;
  serving->SetCommitListener([&](const Event& e) { seen.Add(e); });

  constexpr int kEach = 30;
  std::thread t([&] {
    for (int i = 0; i < kEach; ++i) {
      ASSERT_TRUE(other->InsertScan(Scan("s1", "a1", 2000 + i, {Det("cup", 0.5)})).ok());
    }
  });
  for (int i = 0; i < kEach; ++i) {
    ASSERT_TRUE(serving->InsertScan(Scan("s1", "a2", 3000 + i, {Det("dog", 0.7)})).ok());
  }
  t.join();
  ASSERT_TRUE(seen.WaitFor(2 * kEach, std::chrono::seconds(10)));
  std::vector<Id> expected;
  for (Id id = 2; id <= 1 + 2 * kEach; ++id) expected.push_back(id);
  EXPECT_EQ(seen.ids(), expected);
}

}  // namespace
}  // namespace vs::store
