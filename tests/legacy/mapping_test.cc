#include "legacy/mapping.h"

#include <gtest/gtest.h>

namespace vs::legacy {
namespace {

LegacyDetection Row(double x, double y, double w, double h) {
  LegacyDetection r;
  r.id = 1;
  r.image_path = "/srv/uploads/shelf 1.jpg";
  r.class_name = "bottle";
  r.confidence = 0.8;
  r.timestamp_ms = 1'700'000'000'000;
  r.shelf_location = "A1";
  r.x_center = x;
  r.y_center = y;
  r.width = w;
  r.height = h;
  return r;
}

TEST(LegacyImagePath, IsDeterministicUniqueAndStaysInTheDataFolder) {
  EXPECT_EQ(ImagePathFor("/a/b.jpg"), ImagePathFor("/a/b.jpg"));
  EXPECT_NE(ImagePathFor("/a/b.jpg"), ImagePathFor("/c/b.jpg"));
  const std::string p = ImagePathFor("../../etc/pa$$wd");
  EXPECT_TRUE(p.starts_with("legacy/")) << p;
  EXPECT_EQ(p.find(".."), std::string::npos) << p;
  EXPECT_EQ(p.substr(p.rfind('/') + 1), "pa__wd");
  EXPECT_TRUE(ImagePathFor("dir/..").ends_with("/image"));
}

struct BoxCase {
  const char* name;
  double x, y, w, h;
  const char* skipped;  // nullptr: imported
  bool clipped;
};

class LegacyBoxTest : public ::testing::TestWithParam<BoxCase> {};

TEST_P(LegacyBoxTest, MapsSafelyOrSaysWhy) {
  const BoxCase& c = GetParam();
  Tally mapped, skipped;
  auto d = MapDetection(Row(c.x, c.y, c.w, c.h), &mapped, &skipped);
  if (c.skipped) {
    EXPECT_FALSE(d.has_value());
    EXPECT_EQ(skipped[c.skipped], 1) << c.name;
    return;
  }
  ASSERT_TRUE(d.has_value()) << c.name;
  EXPECT_TRUE(skipped.empty());
  EXPECT_EQ(mapped.size(), c.clipped ? 1u : 0u) << c.name;
  EXPECT_GE(d->x_center - d->width / 2, 0.0);
  EXPECT_LE(d->x_center + d->width / 2, 1.0);
  EXPECT_EQ(d->class_id, -1);  // the earlier table had no class index
}

INSTANTIATE_TEST_SUITE_P(
    Boxes, LegacyBoxTest,
    ::testing::Values(
        BoxCase{"inside", 0.5, 0.5, 0.2, 0.2, nullptr, false},
        BoxCase{"edge", 0.1, 0.5, 0.2, 0.2, nullptr, false},
        BoxCase{"overhang", 0.995, 0.5, 0.02, 0.2, nullptr, true},
        BoxCase{"pixels", 320, 240, 50, 80, "box in pixels (no image size to normalise it)", false},
        BoxCase{"far out", 0.05, 0.5, 0.3, 0.2, "box outside the photo", false},
        BoxCase{"zero width", 0.5, 0.5, 0, 0.2, "box with zero or negative size", false},
        BoxCase{"negative", -0.5, 0.5, 0.1, 0.1, "box outside the photo", false}),
    [](const auto& p) {
      std::string n = p.param.name;
      for (char& ch : n) {
        if (ch == ' ') ch = '_';
      }
      return n;
    });

TEST(LegacyDetectionTest, RefusesMissingClassConfidenceOrCoordinate) {
  Tally mapped, skipped;
  auto r = Row(0.5, 0.5, 0.1, 0.1);
  r.class_name.reset();
  EXPECT_FALSE(MapDetection(r, &mapped, &skipped));
  r = Row(0.5, 0.5, 0.1, 0.1);
  r.confidence = 87;  // a percentage is not a probability we can trust to rescale
  EXPECT_FALSE(MapDetection(r, &mapped, &skipped));
  r = Row(0.5, 0.5, 0.1, 0.1);
  r.height.reset();
  EXPECT_FALSE(MapDetection(r, &mapped, &skipped));
  EXPECT_EQ(skipped["detection without class_name"], 1);
  EXPECT_EQ(skipped["confidence missing or outside 0..1"], 1);
  EXPECT_EQ(skipped["box incomplete (a null coordinate)"], 1);
}

TEST(LegacyScanTest, GroupsRowsIntoOneScanAtTheEarliestTimestamp) {
  std::vector<LegacyDetection> rows = {Row(0.2, 0.5, 0.1, 0.1), Row(0.6, 0.5, 0.1, 0.1),
                                       Row(320, 200, 40, 40)};
  rows[1].timestamp_ms = *rows[0].timestamp_ms - 3;  // one upload, milliseconds apart
  rows[0].shelf_location.reset();
  rows[0].model_version_id = 7;
  Tally mapped, skipped;
  auto scan = MapScan(rows, {}, {{7, 42}}, &mapped, &skipped);
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ(scan->detections.size(), 2u);
  EXPECT_EQ(ToUnixMillis(scan->captured_at), 1'700'000'000'000 - 3);
  EXPECT_EQ(scan->shelf_location, "A1");  // from the row that had one
  EXPECT_EQ(scan->model_version_id, 42);
  EXPECT_EQ(scan->store, "default");
  EXPECT_EQ(skipped["box in pixels (no image size to normalise it)"], 1);
}

TEST(LegacyScanTest, NullShelfBecomesUnassignedAndUnknownModelIsLeftEmpty) {
  std::vector<LegacyDetection> rows = {Row(0.2, 0.5, 0.1, 0.1)};
  rows[0].shelf_location.reset();
  rows[0].model_version_id = 9;
  Tally mapped, skipped;
  auto scan = MapScan(rows, {}, {}, &mapped, &skipped);
  ASSERT_TRUE(scan.has_value());
  EXPECT_EQ(scan->shelf_location, "unassigned");
  EXPECT_FALSE(scan->model_version_id.has_value());
  EXPECT_EQ(mapped["shelf_location missing: set to 'unassigned'"], 1);
  EXPECT_EQ(mapped["model_version_id of no imported model: left empty"], 1);
}

TEST(LegacyScanTest, NoTimestampOrNoGoodRowMeansNoScan) {
  std::vector<LegacyDetection> rows = {Row(0.2, 0.5, 0.1, 0.1), Row(0.3, 0.5, 0.1, 0.1)};
  for (auto& r : rows) r.timestamp_ms.reset();
  Tally mapped, skipped;
  EXPECT_FALSE(MapScan(rows, {}, {}, &mapped, &skipped));
  EXPECT_EQ(skipped["image whose rows all lack a timestamp"], 2);
  rows = {Row(500, 500, 10, 10)};
  EXPECT_FALSE(MapScan(rows, {}, {}, &mapped, &skipped));
}

TEST(LegacyCatalogueTest, AddsOnlyUnambiguousPairs) {
  std::vector<SkuPair> pairs = {
      {"bottle", "SKU-B", 10}, {"cup", "SKU-C1", 3}, {"cup", "SKU-C2", 1},    {"apple", "SKU-F", 2},
      {"orange", "SKU-F", 2},  {"book", "SKU-K", 5}, {"bowl", "SKU-TAKEN", 1}};
  std::vector<store::Product> catalogue(2);
  catalogue[0].class_name = "book";
  catalogue[0].sku = "BOOK-1";
  catalogue[1].class_name = "vase";
  catalogue[1].sku = "SKU-TAKEN";
  Tally skipped;
  auto added = CatalogueFromSkus(pairs, catalogue, &skipped);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].class_name, "bottle");
  EXPECT_EQ(added[0].sku, "SKU-B");
  EXPECT_EQ(skipped["class carried several SKUs: not added to the catalogue"], 1);
  EXPECT_EQ(skipped["SKU carried by several classes: not added to the catalogue"], 3);
  EXPECT_EQ(skipped["class already in the catalogue: its SKU stays"], 1);
}

}  // namespace
}  // namespace vs::legacy
