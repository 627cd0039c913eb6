// Scans, detections, filters and pagination of every backend (StoreTest), and the schema of the
// SQLite store (SqliteStoreTest).
#include <gtest/gtest.h>

#include <set>

#include "backends.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::QueryInt;
using testing::Scan;
using testing::TempDir;

constexpr int64_t kT0 = 1795824000000;  // 2026-11-28T00:00:00Z
constexpr int64_t kMin = 60'000;

class StoreTest : public testing::BackendTest {};
VS_STORE_BACKENDS(StoreTest);

TEST(SqliteStoreTest, MigrationsAreAppliedOnceAndSurviveReopen) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  const int64_t n = static_cast<int64_t>(sqlite::Migrations().size());
  {
    auto s = testing::MustOpen(path);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->backend(), "sqlite");
    EXPECT_TRUE(s->Ping().ok());
    ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", kT0, {Det("bottle", 0.9)})).ok());
  }
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM schema_migrations"), n);
  for (int i = 0; i < 2; ++i) {
    auto s = testing::MustOpen(path);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->GetScan(1, true)->detections.size(), 1u);
  }
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM schema_migrations"), n);
  EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM detections"), 1);
}

TEST(SqliteStoreTest, RefusesDatabaseFromNewerProgramAndMemoryPaths) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  ASSERT_TRUE(testing::MustOpen(path));
  ASSERT_TRUE(testing::ExecRaw(
      path, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'x', 0)"));
  auto s = OpenSqlite({path});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  EXPECT_FALSE(OpenSqlite({":memory:"}).ok());
}

TEST_P(StoreTest, InsertScanRoundTrip) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  NewScan in = Scan("store-1", "A3", kT0 + 1234, {Det("bottle", 0.91, 39), Det("cup", 0.42, 41)});
  in.detections[1].x_center = 0.25;
  auto out = s->InsertScan(in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_GT(out->id, 0);
  EXPECT_EQ(out->detections_count, 2);
  ASSERT_EQ(out->detections.size(), 2u);

  auto got = s->GetScan(out->id, true);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->store, "store-1");
  EXPECT_EQ(got->shelf_location, "A3");
  EXPECT_EQ(ToUnixMillis(got->captured_at), kT0 + 1234);
  EXPECT_EQ(ToUnixMillis(got->received_at), kT0 + 1239);
  EXPECT_EQ(got->image_path, in.image_path);
  EXPECT_EQ(got->sha256, in.sha256);
  EXPECT_EQ(got->width, 640);
  EXPECT_EQ(got->height, 480);
  EXPECT_FALSE(got->model_version_id);
  EXPECT_DOUBLE_EQ(got->inference_ms, 12.5);
  EXPECT_EQ(got->detections_count, 2);
  ASSERT_EQ(got->detections.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& d = got->detections[i];
    EXPECT_EQ(d.id, out->detections[i].id);
    EXPECT_EQ(d.scan_id, out->id);
    EXPECT_EQ(d.class_name, in.detections[i].class_name);
    EXPECT_EQ(d.class_id, in.detections[i].class_id);
    EXPECT_DOUBLE_EQ(d.confidence, in.detections[i].confidence);
    EXPECT_DOUBLE_EQ(d.x_center, in.detections[i].x_center);
    EXPECT_DOUBLE_EQ(d.height, in.detections[i].height);
    EXPECT_EQ(d.store, "store-1");
    EXPECT_EQ(d.shelf_location, "A3");
    EXPECT_EQ(d.image_path, in.image_path);
    EXPECT_EQ(ToUnixMillis(d.timestamp), kT0 + 1234);
  }
  auto bare = s->GetScan(out->id, false);
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->detections.empty());
  EXPECT_EQ(bare->detections_count, 2);
  EXPECT_EQ(s->GetScan(out->id + 100, false).status().code(), Code::kNotFound);
}

TEST_P(StoreTest, RejectsInvalidDetections) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->InsertScan(Scan("s", "A", kT0, {Det("bottle", 1.5)})).status().code(),
            Code::kInvalidValue);
  EXPECT_EQ(s->InsertScan(Scan("s", "A", kT0, {Det("", 0.5)})).status().code(),
            Code::kInvalidValue);
  NewScan bad_model = Scan("s", "A", kT0, {Det("bottle", 0.5)});
  bad_model.model_version_id = 42;  // no such model: foreign key
  EXPECT_FALSE(s->InsertScan(bad_model).ok());
  EXPECT_EQ(*s->LastEventId(), 0);
}

TEST_P(StoreTest, HasScanForImageByStoredPath) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  const NewScan in = Scan("s", "A", kT0, {Det("bottle", 0.5)});
  EXPECT_FALSE(*s->HasScanForImage(in.image_path));
  ASSERT_TRUE(s->InsertScan(in).ok());
  EXPECT_TRUE(*s->HasScanForImage(in.image_path));
  EXPECT_FALSE(*s->HasScanForImage("images/other.jpg"));
  EXPECT_FALSE(*s->HasScanForImage(""));
  // Looked up by an index, not by a scan of the table.
  EXPECT_EQ(QueryInt(postgres() ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'scans_image'"
                                : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'scans_image'"),
            1);
}

TEST(SqliteStoreTest, FaultsOfTheFileReachClientsAsTheirOwnCodes) {
  using sqlite::ErrorStatus;
  // A full disk is 507, a read-only file or a lock held elsewhere 503, whatever extended code
  // SQLite reports, each with a message that says which.
  const Status full = ErrorStatus(nullptr, SQLITE_FULL, "INSERT");
  EXPECT_EQ(full.code(), Code::kInsufficientStorage);
  EXPECT_NE(full.message().find("full"), std::string::npos);
  for (int rc : {SQLITE_READONLY, SQLITE_READONLY_DBMOVED, SQLITE_READONLY_DIRECTORY}) {
    const Status ro = ErrorStatus(nullptr, rc, "INSERT");
    EXPECT_EQ(ro.code(), Code::kUnavailable) << rc;
    EXPECT_NE(ro.message().find("read-only"), std::string::npos) << ro.message();
  }
  for (int rc : {SQLITE_BUSY, SQLITE_BUSY_TIMEOUT, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED}) {
    const Status busy = ErrorStatus(nullptr, rc, "BEGIN IMMEDIATE");
    EXPECT_EQ(busy.code(), Code::kUnavailable) << rc;
    EXPECT_NE(busy.message().find("locked"), std::string::npos) << busy.message();
  }
  EXPECT_EQ(ErrorStatus(nullptr, SQLITE_CONSTRAINT_UNIQUE, "x").code(), Code::kConflict);
  EXPECT_EQ(ErrorStatus(nullptr, SQLITE_CONSTRAINT_CHECK, "x").code(), Code::kInvalidValue);
  EXPECT_EQ(ErrorStatus(nullptr, SQLITE_CORRUPT, "x").code(), Code::kInternal);
}

TEST_P(StoreTest, SkuComesFromCatalogueElseClassName) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->UpsertProduct({0, "bottle", "SKU-WATER-500", "Water 500ml", "Aqua"}).ok());
  auto scan = s->InsertScan(Scan("s", "A", kT0, {Det("bottle", 0.8), Det("banana", 0.7)}));
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->detections[0].sku, "SKU-WATER-500");
  EXPECT_EQ(scan->detections[1].sku, "banana");
  auto got = s->GetScan(scan->id, true);
  EXPECT_EQ(got->detections[0].sku, "SKU-WATER-500");
  EXPECT_EQ(got->detections[1].sku, "banana");

  DetectionFilter f;
  f.sku = "SKU-WATER-500";
  auto page = s->ListDetections(f, {});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].class_name, "bottle");
  f.sku = "banana";
  EXPECT_EQ(s->ListDetections(f, {})->items.size(), 1u);
}

// Each combination of filter fields returns exactly the rows that satisfy all of them.
TEST_P(StoreTest, DetectionFiltersEachAndCombined) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::vector<DetectionRecord> all;
  const char* stores[] = {"s1", "s2"};
  const char* shelves[] = {"A", "B", "C"};
  const char* classes[] = {"bottle", "cup", "apple"};
  for (int i = 0; i < 24; ++i) {
    auto r =
        s->InsertScan(Scan(stores[i % 2], shelves[i % 3], kT0 + i * kMin,
                           {Det(classes[i % 3], 0.3 + 0.02 * i), Det(classes[(i + 1) % 3], 0.5)}));
    ASSERT_TRUE(r.ok());
    for (auto& d : r->detections) all.push_back(d);
  }
  for (int mask = 0; mask < 256; ++mask) {
    DetectionFilter f;
    if (mask & 1) f.sku = "cup";
    if (mask & 2) f.class_name = "cup";
    if (mask & 4) f.shelf_location = "B";
    if (mask & 8) f.store = "s1";
    if (mask & 16) f.start = FromUnixMillis(kT0 + 5 * kMin);
    if (mask & 32) f.end = FromUnixMillis(kT0 + 19 * kMin);
    if (mask & 64) f.min_confidence = 0.5;
    if (mask & 128) f.scan_id = all[20].scan_id;
    std::set<Id> want;
    for (const auto& d : all) {
      if (f.sku && d.sku != *f.sku) continue;
      if (f.class_name && d.class_name != *f.class_name) continue;
      if (f.shelf_location && d.shelf_location != *f.shelf_location) continue;
      if (f.store && d.store != *f.store) continue;
      if (f.start && d.timestamp < *f.start) continue;
      if (f.end && d.timestamp >= *f.end) continue;
      if (f.min_confidence && d.confidence < *f.min_confidence) continue;
      if (f.scan_id && d.scan_id != *f.scan_id) continue;
      want.insert(d.id);
    }
    auto page = s->ListDetections(f, {1000, std::nullopt});
    ASSERT_TRUE(page.ok());
    std::set<Id> got;
    for (const auto& d : page->items) got.insert(d.id);
    EXPECT_EQ(got, want) << "filter mask " << mask;
    EXPECT_FALSE(page->next_cursor);
  }
}

TEST_P(StoreTest, PaginationIsCompleteAndStableUnderInserts) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  // Several scans share a captured_at, so ties are broken by id.
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(s->InsertScan(Scan("s", "A", kT0 + (i / 3) * kMin,
                                   {Det("bottle", 0.5), Det("cup", 0.6), Det("apple", 0.7)}))
                    .ok());
  }
  const std::set<Id> before = [&] {
    std::set<Id> ids;
    for (Id i = 1; i <= 90; ++i) ids.insert(i);
    return ids;
  }();
  std::vector<DetectionRecord> seen;
  PageRequest req{7, std::nullopt};
  int pages = 0;
  for (;;) {
    auto page = s->ListDetections({}, req);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (auto& d : page->items) seen.push_back(d);
    // New scans arrive between pages, both newer and older than the cursor position.
    ASSERT_TRUE(s->InsertScan(Scan("s", "A", kT0 + 100 * kMin, {Det("bottle", 0.5)})).ok());
    ASSERT_TRUE(s->InsertScan(Scan("s", "A", kT0 + 5 * kMin, {Det("cup", 0.5)})).ok());
    ++pages;
    if (!page->next_cursor) break;
    req.cursor = page->next_cursor;
  }
  EXPECT_GE(pages, 90 / 7);
  std::set<Id> ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_TRUE(ids.insert(seen[i].id).second) << "duplicate " << seen[i].id;
    if (i > 0) {
      const auto& a = seen[i - 1];
      const auto& b = seen[i];
      EXPECT_TRUE(a.timestamp > b.timestamp || (a.timestamp == b.timestamp && a.id > b.id));
    }
  }
  for (Id id : before) EXPECT_TRUE(ids.count(id)) << "missing " << id;
}

TEST_P(StoreTest, ScanPaginationAndFilters) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(s->InsertScan(Scan(i % 2 ? "s1" : "s2", "A", kT0 + (i / 2) * kMin, {})).ok());
  }
  std::vector<Id> ids;
  PageRequest req{4, std::nullopt};
  ScanFilter f;
  f.store = "s1";
  for (;;) {
    auto page = s->ListScans(f, req);
    ASSERT_TRUE(page.ok());
    for (auto& sc : page->items) {
      EXPECT_EQ(sc.store, "s1");
      ids.push_back(sc.id);
    }
    if (!page->next_cursor) break;
    req.cursor = page->next_cursor;
  }
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
}

TEST_P(StoreTest, MalformedCursorIsInvalidValue) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  for (const char* bad : {"", "!!!", "abc", "MTIz", "MTIzOg", "OjQ1", "MTIzOjQ1eA", "MTIzOjQ1=="}) {
    auto page = s->ListDetections({}, {10, std::string(bad)});
    ASSERT_FALSE(page.ok()) << bad;
    EXPECT_EQ(page.status().code(), Code::kInvalidValue) << bad;
    EXPECT_EQ(s->ListScans({}, {10, std::string(bad)}).status().code(), Code::kInvalidValue);
  }
  EXPECT_EQ(s->ListDetections({}, {0, std::nullopt}).status().code(), Code::kInvalidValue);
}

// A detection that carries its own SKU (a model's class->SKU map) keeps it over the catalogue's.
TEST_P(StoreTest, ADetectionsOwnSkuWinsOverTheCatalogue) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->UpsertProduct({0, "bottle", "SKU-WATER-500", "Water 500ml", "Aqua"}).ok());
  NewScan in = Scan("s", "A", kT0, {Det("bottle", 0.8), Det("bottle", 0.7), Det("cup", 0.6)});
  in.detections[0].sku = "MODEL-BOTTLE";
  in.detections[2].sku = "MODEL-CUP";
  auto scan = s->InsertScan(in);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  auto got = s->GetScan(scan->id, true);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->detections.size(), 3u);
  EXPECT_EQ(got->detections[0].sku, "MODEL-BOTTLE");
  EXPECT_EQ(got->detections[1].sku, "SKU-WATER-500") << "no own SKU: the catalogue's";
  EXPECT_EQ(got->detections[2].sku, "MODEL-CUP");
}

TEST_P(StoreTest, DistinctValuesComeFromTheData) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->UpsertProduct({0, "cup", "SKU-CUP", "", ""}).ok());
  ASSERT_TRUE(s->InsertScan(Scan("s2", "B", kT0, {Det("cup", 0.5), Det("bottle", 0.5)})).ok());
  ASSERT_TRUE(s->InsertScan(Scan("s1", "A", kT0, {})).ok());
  using V = std::vector<std::string>;
  EXPECT_EQ(*s->DistinctValues("store"), (V{"s1", "s2"}));
  EXPECT_EQ(*s->DistinctValues("shelf_location"), (V{"A", "B"}));
  EXPECT_EQ(*s->DistinctValues("sku"), (V{"SKU-CUP", "bottle"}));
  EXPECT_EQ(*s->DistinctValues("class_name"), (V{"bottle", "cup"}));
  EXPECT_EQ(s->DistinctValues("image_path").status().code(), Code::kInvalidValue);
}

}  // namespace
}  // namespace vs::store
