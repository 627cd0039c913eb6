// Store::InsertScans, the bulk path of vs_seed: the same rows, rollups and events as InsertScan
// of each scan, in one transaction (all or nothing), events delivered in id order.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "backends.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::Scan;

constexpr int64_t kT0 = 1795824000000;  // a UTC midnight

class InsertScansTest : public testing::BackendTest {};
VS_STORE_BACKENDS(InsertScansTest);

// Scans of `store` spread over two days, several per minute and hour, with repeated classes.
std::vector<NewScan> Scans(const std::string& store) {
  std::vector<NewScan> out;
  const std::vector<std::string> classes = {"bottle", "cup", "apple", "banana", "bowl"};
  for (int i = 0; i < 40; ++i) {
    std::vector<NewDetection> dets;
    for (int k = 0; k < i % 6; ++k) {
      dets.push_back(Det(classes[(i + k) % classes.size()], 0.3 + 0.01 * (i + k), (i + k) % 5));
    }
    const int64_t at = kT0 + int64_t{i} * 17 * 60'000 + (i % 3) * 7'000;
    NewScan s = Scan(store, i % 2 ? "A1" : "B2", at, std::move(dets));
    s.image_path = "images/" + store + "/" + std::to_string(i) + ".jpg";
    out.push_back(std::move(s));
  }
  return out;
}

// The rows of `table` (rollup, rollup_conf or rollup_fine) of one store, less the store.
std::string RollupOf(const std::string& table, const std::string& store) {
  const std::string key = table == "rollup_fine" ? "level, res, conf, bucket, shelf_location"
                          : table == "rollup_conf"
                              ? "level, mode, sku, class_name, bucket, shelf_location, conf"
                              : "level, mode, sku, class_name, bucket, shelf_location";
  return "SELECT " + key + ", n, max_ts, scans, sku_bits, class_bits FROM " + table +
         " WHERE store = '" + store + "'";
}

TEST_P(InsertScansTest, WritesWhatInsertScanWritesForEachScan) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->UpsertProduct({0, "cup", "SKU-CUP", "Cup", "Kitchen"}).ok());
  for (const NewScan& s : Scans("single")) ASSERT_TRUE(store->InsertScan(s).ok());
  ASSERT_TRUE(store->InsertScans(Scans("batch")).ok());

  // The rollup rows of the two stores are the same, row for row (both ways), although the batch
  // merged the rows its scans share before writing them.
  for (const std::string table : {"rollup", "rollup_conf", "rollup_fine"}) {
    for (const auto& [a, b] : {std::pair{"single", "batch"}, std::pair{"batch", "single"}}) {
      EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM (" + RollupOf(table, a) + " EXCEPT " +
                         RollupOf(table, b) + ") d"),
                0)
          << a << " has " << table << " rows " << b << " lacks";
    }
    EXPECT_GT(QueryInt("SELECT COUNT(*) FROM " + table + " WHERE store = 'batch'"), 40);
  }
  // Summaries (rollups and exact edges) and detections agree.
  DetectionFilter one, two;
  one.store = "single";
  two.store = "batch";
  for (auto* f : {&one, &two}) {
    f->start = FromUnixMillis(kT0 + 1'234'567);
    f->end = FromUnixMillis(kT0 + 9 * 3'600'000 + 77'000);
  }
  auto s1 = store->Summarize(one), s2 = store->Summarize(two);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_GT(s1->total_detections, 0);
  EXPECT_EQ(s1->total_detections, s2->total_detections);
  EXPECT_EQ(s1->unique_skus, s2->unique_skus);
  EXPECT_EQ(s1->unique_classes, s2->unique_classes);
  EXPECT_EQ(s1->total_scans, s2->total_scans);
  EXPECT_EQ(s1->average_confidence, s2->average_confidence);
  one.start = two.start = std::nullopt;
  one.end = two.end = std::nullopt;
  auto d1 = store->ListDetections(one, {1000, {}}), d2 = store->ListDetections(two, {1000, {}});
  ASSERT_TRUE(d1.ok() && d2.ok());
  ASSERT_EQ(d1->items.size(), d2->items.size());
  for (size_t i = 0; i < d1->items.size(); ++i) {
    EXPECT_EQ(d1->items[i].sku, d2->items[i].sku);
    EXPECT_EQ(d1->items[i].class_name, d2->items[i].class_name);
    EXPECT_EQ(d1->items[i].confidence, d2->items[i].confidence);
    EXPECT_EQ(d1->items[i].timestamp, d2->items[i].timestamp);
  }
}

TEST_P(InsertScansTest, OneEventPerScanDeliveredInIdOrderAfterTheCommit) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::mutex mu;
  std::vector<Event> heard;
  store->SetCommitListener([&](const Event& e) {
    std::lock_guard<std::mutex> lock(mu);
    heard.push_back(e);
  });
  const auto scans = Scans("batch");
  ASSERT_TRUE(store->InsertScans(scans).ok());
  auto stored = store->EventsAfter(0, 1000);
  ASSERT_TRUE(stored.ok());
  std::vector<Event> created;
  for (const Event& e : *stored) {
    if (e.type == "scan.created") created.push_back(e);
  }
  ASSERT_EQ(created.size(), scans.size());
  std::lock_guard<std::mutex> lock(mu);
  std::vector<Id> heard_ids;
  for (const Event& e : heard) {
    if (e.type == "scan.created") heard_ids.push_back(e.id);
  }
  ASSERT_EQ(heard_ids.size(), scans.size());
  for (size_t i = 0; i < created.size(); ++i) {
    EXPECT_EQ(heard_ids[i], created[i].id);
    EXPECT_EQ(created[i].payload["store"], "batch");
    if (i > 0) {
      EXPECT_LT(created[i - 1].payload["scan_id"], created[i].payload["scan_id"]);
    }
  }
}

TEST_P(InsertScansTest, AnInvalidScanStoresNoneOfTheBatch) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto before = store->LastEventId();
  ASSERT_TRUE(before.ok());
  auto scans = Scans("batch");
  scans[17].detections[0].confidence = 1.5;  // invalid: the batch is refused whole
  EXPECT_EQ(store->InsertScans(scans).code(), Code::kInvalidValue);
  // Valid, but the database refuses scan 17 (no such model version) after 17 scans went in:
  // the transaction is rolled back whole.
  scans[17].detections[0].confidence = 0.5;
  scans[17].model_version_id = 999;
  EXPECT_FALSE(store->InsertScans(scans).ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM scans"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rollup"), 0);
  auto after = store->LastEventId();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
  EXPECT_TRUE(store->InsertScans({}).ok());
}

}  // namespace
}  // namespace vs::store
