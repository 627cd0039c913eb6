// Removing a store's scans and a product, on every backend: exactly those rows go, rollups stay
// exact. Also the events recorded with no other change (RecordEvent).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "backends.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::Scan;

class Removal : public testing::BackendTest {
 protected:
  // The backend's Summarize answered from detection rows alone.
  static Result<Summary> SummarizeExact(Store* s, const DetectionFilter& f = {}) {
    if (auto* lite = dynamic_cast<sqlite::SqliteStore*>(s)) return lite->SummarizeExact(f);
    if (auto* pg = dynamic_cast<pg::PgStore*>(s)) return pg->SummarizeExact(f);
    return Status::Internal("unknown backend");
  }
};

TEST_P(Removal, DeletesOneStoresScansAndItsRollupShare) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->InsertScan(Scan("main", "A1", 1000, {Det("bottle", 0.9), Det("cup", 0.5)})).ok());
  ASSERT_TRUE(s->InsertScan(Scan("main", "A2", 90'000'000, {Det("book", 0.7)})).ok());
  const Summary before = s->Summarize({}).value();
  const auto stores_before = s->DistinctValues("store").value();
  const auto skus_before = s->DistinctValues("sku").value();

  ASSERT_TRUE(
      s->InsertScan(Scan("demo", "A1", 1000, {Det("banana", 0.8), Det("bottle", 0.6)})).ok());
  ASSERT_TRUE(s->InsertScan(Scan("demo", "B1", 5000, {})).ok());
  const Id last_before_delete = s->LastEventId().value();
  auto removed = s->DeleteScansOfStore("demo");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  ASSERT_EQ(removed->size(), 2u);
  EXPECT_EQ((*removed)[0].store, "demo");
  EXPECT_EQ(s->LastEventId().value(), last_before_delete + 1);
  EXPECT_EQ(s->EventsAfter(last_before_delete, 10).value()[0].type, "scans.deleted");

  const Summary after = s->Summarize({}).value();
  EXPECT_EQ(after.total_detections, before.total_detections);
  EXPECT_EQ(after.total_scans, before.total_scans);
  EXPECT_EQ(after.unique_skus, before.unique_skus);
  EXPECT_EQ(after.unique_classes, before.unique_classes);
  EXPECT_EQ(after.average_confidence, before.average_confidence);
  EXPECT_EQ(after.last_detection_at, before.last_detection_at);
  const Summary exact = SummarizeExact(s.get()).value();
  EXPECT_EQ(after.total_detections, exact.total_detections);
  EXPECT_EQ(after.unique_skus, exact.unique_skus);
  // The confidence rollups lose the store's share too (on and off their grid).
  for (double t : {0.5, 0.57, 0.75}) {
    const Summary got = s->Summarize({.min_confidence = t}).value();
    const Summary want = SummarizeExact(s.get(), {.min_confidence = t}).value();
    EXPECT_EQ(got.total_detections, want.total_detections) << t;
    EXPECT_EQ(got.total_scans, want.total_scans) << t;
    EXPECT_EQ(got.unique_skus, want.unique_skus) << t;
  }
  EXPECT_EQ(s->DistinctValues("store").value(), stores_before);
  EXPECT_EQ(s->DistinctValues("sku").value(), skus_before);
  EXPECT_EQ(s->ListScans({.store = "demo"}, {}).value().items.size(), 0u);
  EXPECT_EQ(s->ListScans({}, {}).value().items.size(), 2u);

  // Nothing left: no write, no event.
  EXPECT_TRUE(s->DeleteScansOfStore("demo").value().empty());
  EXPECT_EQ(s->LastEventId().value(), last_before_delete + 1);
}

TEST_P(Removal, DeletesAProduct) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->UpsertProduct({.class_name = "bottle", .sku = "DEMO-BOTTLE"}).ok());
  ASSERT_TRUE(s->UpsertProduct({.class_name = "cup", .sku = "CUP"}).ok());
  EXPECT_TRUE(s->DeleteProduct("bottle").ok());
  EXPECT_EQ(s->DeleteProduct("bottle").code(), Code::kNotFound);
  auto left = s->ListProducts().value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].class_name, "cup");
  // The sku is free again.
  EXPECT_TRUE(s->UpsertProduct({.class_name = "vase", .sku = "DEMO-BOTTLE"}).ok());
}

// Scans inserted by another instance while a store is being removed are either removed with it
// (and listed, so that their photos go too) or kept whole: the rollups equal the rows afterwards.
TEST_P(Removal, RemovalRacingInsertsStaysExact) {
  auto s = OpenStore();
  auto writer = OpenStore();
  ASSERT_TRUE(s && writer);
  ASSERT_TRUE(s->InsertScan(Scan("keep", "A1", 1000, {Det("cup", 0.5)})).ok());
  ASSERT_TRUE(s->InsertScan(Scan("demo", "A1", 2000, {Det("bottle", 0.9)})).ok());
  constexpr int kInserts = 150;
  std::atomic<int> inserted = 0;
  std::atomic<bool> done = false;
  std::thread t([&] {
    for (int i = 0; i < kInserts; ++i) {
      if (writer->InsertScan(Scan("demo", "B1", 3000 + i, {Det("banana", 0.8)})).ok()) ++inserted;
    }
    done = true;
  });
  size_t removed = 0;
  while (!done) {
    auto r = s->DeleteScansOfStore("demo");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    removed += r->size();
  }
  t.join();
  ASSERT_EQ(inserted, kInserts);
  auto left = s->ListScans({.store = "demo"}, {.limit = 1000}).value().items.size();
  // Every demo scan was either listed as removed or is still there.
  EXPECT_EQ(removed + left, static_cast<size_t>(kInserts + 1));
  const Summary fast = s->Summarize({}).value();
  const Summary exact = SummarizeExact(s.get()).value();
  EXPECT_EQ(fast.total_detections, exact.total_detections);
  EXPECT_EQ(fast.total_scans, exact.total_scans);
  EXPECT_EQ(fast.total_detections, static_cast<int64_t>(1 + left));
}

TEST_P(Removal, RecordEventCommitsOnlyAnEvent) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::mutex mu;
  std::vector<Event> heard;
  s->SetCommitListener([&](const Event& e) {
    std::lock_guard<std::mutex> lock(mu);
    heard.push_back(e);
  });
  EXPECT_EQ(s->RecordEvent("", {{"a", 1}}).status().code(), Code::kInvalidValue);
  EXPECT_EQ(s->LastEventId().value(), 0);
  auto e = s->RecordEvent("model.activated", {{"model", "nanodet-416"}, {"progress", 0.5}});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_GT(e->id, 0);
  EXPECT_EQ(s->LastEventId().value(), e->id);
  auto stored = s->EventsAfter(0, 10).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].type, "model.activated");
  EXPECT_EQ(stored[0].payload, e->payload);
  EXPECT_EQ(stored[0].payload["model"], "nanodet-416");
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].id, e->id);
  EXPECT_EQ(heard[0].type, "model.activated");
}

VS_STORE_BACKENDS(Removal);

}  // namespace
}  // namespace vs::store
