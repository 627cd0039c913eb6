// Removing a store's scans and a product: exactly those rows go, rollups stay exact.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/sqlite_store.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::Scan;
using testing::TempDir;

std::unique_ptr<sqlite::SqliteStore> OpenRaw(const std::string& path) {
  auto s = sqlite::SqliteStore::Open({path});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(SqliteRemoval, DeletesOneStoresScansAndItsRollupShare) {
  TempDir dir;
  auto s = OpenRaw(dir.File("vs.db"));
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
  const Summary exact = s->SummarizeExact({}).value();
  EXPECT_EQ(after.total_detections, exact.total_detections);
  EXPECT_EQ(after.unique_skus, exact.unique_skus);
  EXPECT_EQ(s->DistinctValues("store").value(), stores_before);
  EXPECT_EQ(s->DistinctValues("sku").value(), skus_before);
  EXPECT_EQ(s->ListScans({.store = "demo"}, {}).value().items.size(), 0u);
  EXPECT_EQ(s->ListScans({}, {}).value().items.size(), 2u);

  // Nothing left: no write, no event.
  EXPECT_TRUE(s->DeleteScansOfStore("demo").value().empty());
  EXPECT_EQ(s->LastEventId().value(), last_before_delete + 1);
}

TEST(SqliteRemoval, DeletesAProduct) {
  TempDir dir;
  auto s = OpenRaw(dir.File("vs.db"));
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

}  // namespace
}  // namespace vs::store
