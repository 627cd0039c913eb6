#include <gtest/gtest.h>

#include "compliance/compliance.h"
#include "test_support.h"

namespace vs::compliance {
namespace {

using namespace testing;  // NOLINT: the test builders

const std::vector<Product> kCatalogue = {
    {"s1", "S1", "One", "BrandA"},
    {"s2", "S2", "Two", "BrandA"},
    {"s3", "S3", "Three", "BrandB"},
    {"t1", "T1", "Tee", "BrandB"},
};

// One row of products on a shelf spanning 0..1: S1 x4 (0-0.4), S2 x1 (0.4-0.5), empty 0.5-0.7,
// an unplanned X (0.7-0.8), empty 0.8-1.0. Planned: S1 4, S2 2, S3 2, S4 0.
ShelfAnalysis FirstShelf() {
  Planogram shelf = Shelf("p", "A1", {Row("S1", 4), Row("S2", 2), Row("S3", 2), Row("S4", 0)});
  shelf.extent_x1 = 0;
  shelf.extent_x2 = 1;
  const auto dets = Join({Facings("S1", 4, 0.0), Facings("S2", 1, 0.4), Facings("X", 1, 0.7)});
  auto a = AnalyzeShelf(shelf, {}, dets, kCatalogue, Settings{});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return std::move(a).value();
}

// T1 x2 planned and present, extent from the boxes: 0..0.2.
ShelfAnalysis SecondShelf() {
  auto a = AnalyzeShelf(Shelf("p", "A2", {Row("T1", 2)}), {}, Facings("T1", 2, 0.0), kCatalogue,
                        Settings{});
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return std::move(a).value();
}

TEST(KpisTest, OneShelf) {
  const ShelfAnalysis a = FirstShelf();
  ASSERT_EQ(a.skus.size(), 5u);
  EXPECT_EQ(a.skus[0].status, SkuStatus::kOk);          // S1 4/4
  EXPECT_EQ(a.skus[1].status, SkuStatus::kOk);          // S2 1/2: exactly half
  EXPECT_EQ(a.skus[2].status, SkuStatus::kOutOfStock);  // S3 0/2
  EXPECT_EQ(a.skus[3].status, SkuStatus::kOk);          // S4 0/0
  EXPECT_EQ(a.skus[4].status, SkuStatus::kUnexpected);  // X
  const Kpis& k = a.kpis;
  EXPECT_EQ(k.shelves, 1);
  EXPECT_EQ(k.planned_units, 4);
  EXPECT_EQ(k.compliant_units, 3);
  EXPECT_DOUBLE_EQ(*k.compliance_score, 0.75);
  EXPECT_EQ(k.stocked_skus, 3);  // S4 expects nothing
  EXPECT_EQ(k.present_skus, 2);
  EXPECT_EQ(k.out_of_stock_skus, 1);
  EXPECT_DOUBLE_EQ(*k.availability, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*k.out_of_stock_rate, 1.0 / 3);
  EXPECT_EQ(k.gap_count, 2);
  ASSERT_EQ(a.gaps.size(), 2u);
  EXPECT_NEAR(a.gaps[0].box.x1, 0.5, 1e-12);
  EXPECT_NEAR(a.gaps[0].box.x2, 0.7, 1e-12);
  EXPECT_NEAR(a.gaps[0].facings, 2, 1e-9);
  EXPECT_NEAR(a.gaps[1].box.x1, 0.8, 1e-12);
  EXPECT_NEAR(a.gaps[1].box.x2, 1.0, 1e-12);
  EXPECT_NEAR(k.gap_width, 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(k.row_width, 1.0);
  EXPECT_NEAR(*k.gap_share, 0.4, 1e-12);
  EXPECT_EQ(k.facings, 6);
  EXPECT_EQ(k.facings_by_sku, (std::map<std::string, int>{{"S1", 4}, {"S2", 1}, {"X", 1}}));
  EXPECT_EQ(k.facings_by_brand, (std::map<std::string, int>{{"BrandA", 5}, {"", 1}}));
  EXPECT_DOUBLE_EQ(k.sku_share.at("S1"), 4.0 / 6);
  EXPECT_DOUBLE_EQ(k.sku_share.at("X"), 1.0 / 6);
  EXPECT_EQ(k.sku_share.count("S3"), 0u);  // absent rather than 0
  EXPECT_DOUBLE_EQ(k.brand_share.at("BrandA"), 5.0 / 6);
  EXPECT_DOUBLE_EQ(k.brand_share.at(""), 1.0 / 6);
  EXPECT_FALSE(a.compliant);
}

TEST(KpisTest, ExtentFromBoxesHasNoEndGaps) {
  const ShelfAnalysis a = SecondShelf();
  EXPECT_DOUBLE_EQ(a.extent_x1, 0.0);
  EXPECT_DOUBLE_EQ(a.extent_x2, 0.2);
  EXPECT_EQ(a.kpis.gap_count, 0);
  EXPECT_DOUBLE_EQ(*a.kpis.gap_share, 0.0);
  EXPECT_DOUBLE_EQ(*a.kpis.compliance_score, 1.0);
  EXPECT_TRUE(a.compliant);
}

TEST(KpisTest, ExtentIncludesSlotBoxes) {
  // The planned area reaches 0.6; the one product ends at 0.1: a gap to the planned end.
  const Planogram shelf = Shelf(
      "p", "A", {SlotRow("S1", 1, {0.0, 0.4, 0.1, 0.6}), SlotRow("S2", 1, {0.5, 0.4, 0.6, 0.6})});
  auto a = AnalyzeShelf(shelf, {}, Facings("S1", 1, 0.0), {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_DOUBLE_EQ(a->extent_x2, 0.6);
  ASSERT_EQ(a->gaps.size(), 1u);
  EXPECT_NEAR(a->gaps[0].box.x1, 0.1, 1e-12);
  EXPECT_NEAR(a->gaps[0].box.x2, 0.6, 1e-12);
}

TEST(KpisTest, EmptyShelfHasNoRatios) {
  auto a = AnalyzeShelf(Shelf("p", "A", {}), {}, {}, {}, Settings{});
  ASSERT_TRUE(a.ok());
  const Kpis& k = a->kpis;
  EXPECT_FALSE(k.compliance_score || k.availability || k.out_of_stock_rate || k.gap_share);
  EXPECT_TRUE(k.sku_share.empty());
  EXPECT_TRUE(k.brand_share.empty());
}

TEST(KpisTest, OutOfStockShelfWithNoDetections) {
  auto a = AnalyzeShelf(Shelf("p", "A", {Row("S1", 2), Row("S2", 1)}), {}, {}, {}, Settings{});
  ASSERT_TRUE(a.ok());
  const Kpis& k = a->kpis;
  EXPECT_DOUBLE_EQ(*k.compliance_score, 0);
  EXPECT_DOUBLE_EQ(*k.availability, 0);
  EXPECT_DOUBLE_EQ(*k.out_of_stock_rate, 1);
  EXPECT_FALSE(k.gap_share.has_value());  // no product rows to measure
  EXPECT_EQ(k.facings, 0);
}

TEST(KpisTest, RollUpPoolsCountsByStoreAndOverall) {
  const ShelfAnalysis one = FirstShelf(), two = SecondShelf();
  auto empty = AnalyzeShelf(Shelf("q", "Z", {}), {}, {}, {}, Settings{});
  ASSERT_TRUE(empty.ok());
  const std::vector<StoreShelfKpis> shelves = {
      {"north", one.kpis}, {"north", two.kpis}, {"south", empty->kpis}};
  const KpiRollup r = RollUpKpis(shelves);
  ASSERT_EQ(r.by_store.size(), 2u);
  const Kpis& north = r.by_store.at("north");
  EXPECT_EQ(north.shelves, 2);
  // Pooled: (3 + 1) / (4 + 1), not the mean of 0.75 and 1.
  EXPECT_DOUBLE_EQ(*north.compliance_score, 0.8);
  EXPECT_DOUBLE_EQ(*north.availability, 3.0 / 4);
  EXPECT_DOUBLE_EQ(*north.out_of_stock_rate, 1.0 / 4);
  EXPECT_EQ(north.gap_count, 2);
  EXPECT_NEAR(*north.gap_share, 0.4 / 1.2, 1e-12);
  EXPECT_EQ(north.facings, 8);
  EXPECT_DOUBLE_EQ(north.sku_share.at("S1"), 4.0 / 8);
  EXPECT_DOUBLE_EQ(north.sku_share.at("T1"), 2.0 / 8);
  EXPECT_DOUBLE_EQ(north.brand_share.at("BrandA"), 5.0 / 8);
  EXPECT_DOUBLE_EQ(north.brand_share.at("BrandB"), 2.0 / 8);
  const Kpis& south = r.by_store.at("south");
  EXPECT_EQ(south.shelves, 1);
  EXPECT_FALSE(south.compliance_score.has_value());
  EXPECT_EQ(r.overall.shelves, 3);
  EXPECT_DOUBLE_EQ(*r.overall.compliance_score, 0.8);
  EXPECT_EQ(r.overall.facings, 8);
}

TEST(KpisTest, CombineOfOneIsItself) {
  const ShelfAnalysis one = FirstShelf();
  const Kpis c = CombineKpis(std::vector<Kpis>{one.kpis});
  EXPECT_EQ(c.compliance_score, one.kpis.compliance_score);
  EXPECT_EQ(c.availability, one.kpis.availability);
  EXPECT_EQ(c.gap_share, one.kpis.gap_share);
  EXPECT_EQ(c.sku_share, one.kpis.sku_share);
  EXPECT_EQ(c.brand_share, one.kpis.brand_share);
  const Kpis none = CombineKpis({});
  EXPECT_EQ(none.shelves, 0);
  EXPECT_FALSE(none.compliance_score.has_value());
}

}  // namespace
}  // namespace vs::compliance
