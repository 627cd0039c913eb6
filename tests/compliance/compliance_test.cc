#include "compliance/compliance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"

namespace vs::compliance {
namespace {

using namespace testing;  // NOLINT: the test builders

const SkuResult* FindSku(const ShelfAnalysis& a, const std::string& sku) {
  for (const SkuResult& r : a.skus) {
    if (r.sku == sku) return &r;
  }
  return nullptr;
}

struct CountCase {
  const char* name;
  int expected;
  int detected;
  double low_stock_share;
  int overstock_tolerance;
  SkuStatus status;
};

TEST(ComplianceTest, StatusFromCounts) {
  const CountCase cases[] = {
      {"as planned", 4, 4, 0.5, 0, SkuStatus::kOk},
      {"none", 4, 0, 0.5, 0, SkuStatus::kOutOfStock},
      {"below half", 4, 1, 0.5, 0, SkuStatus::kLowStock},
      {"exactly half is not low", 4, 2, 0.5, 0, SkuStatus::kOk},
      {"above half but short", 4, 3, 0.5, 0, SkuStatus::kOk},
      {"odd: 1 of 3 is below 1.5", 3, 1, 0.5, 0, SkuStatus::kLowStock},
      {"odd: 2 of 3 is not", 3, 2, 0.5, 0, SkuStatus::kOk},
      {"one more than planned", 4, 5, 0.5, 0, SkuStatus::kOverstock},
      {"within the tolerance", 4, 5, 0.5, 1, SkuStatus::kOk},
      {"past the tolerance", 4, 6, 0.5, 1, SkuStatus::kOverstock},
      {"30% of 10 is exactly 3", 10, 3, 0.3, 0, SkuStatus::kOk},
      {"2 of 10 is below 30%", 10, 2, 0.3, 0, SkuStatus::kLowStock},
      {"28% of 25 is exactly 7 (0.28 x 25 rounds above 7)", 25, 7, 0.28, 0, SkuStatus::kOk},
      {"6 of 25 is below 28%", 25, 6, 0.28, 0, SkuStatus::kLowStock},
      {"share 1: any shortfall is low", 4, 3, 1.0, 0, SkuStatus::kLowStock},
      {"share 1: full is OK", 4, 4, 1.0, 0, SkuStatus::kOk},
      {"share 0: never low", 4, 1, 0.0, 0, SkuStatus::kOk},
      {"share 0: none is still out of stock", 4, 0, 0.0, 0, SkuStatus::kOutOfStock},
      {"share 0.75: 3 of 4 is OK", 4, 3, 0.75, 0, SkuStatus::kOk},
      {"share 0.75: 2 of 4 is low", 4, 2, 0.75, 0, SkuStatus::kLowStock},
      {"planned zero, none", 0, 0, 0.5, 0, SkuStatus::kOk},
      {"planned zero, one seen", 0, 1, 0.5, 0, SkuStatus::kOverstock},
      {"single facing present", 1, 1, 0.5, 0, SkuStatus::kOk},
      {"single facing gone", 1, 0, 0.5, 0, SkuStatus::kOutOfStock},
  };
  for (const CountCase& c : cases) {
    SCOPED_TRACE(c.name);
    Settings s;
    s.low_stock_share = c.low_stock_share;
    s.overstock_tolerance = c.overstock_tolerance;
    const Planogram shelf = Shelf("p", "A1", {Row("S1", c.expected)});
    const auto dets = Facings("S1", c.detected, 0.0, 0.08);
    auto a = AnalyzeShelf(shelf, {}, dets, {}, s);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_EQ(a->skus.size(), 1u);
    EXPECT_EQ(a->skus[0].expected, c.expected);
    EXPECT_EQ(a->skus[0].detected, c.detected);
    EXPECT_EQ(a->skus[0].status, c.status)
        << SkuStatusName(a->skus[0].status) << " != " << SkuStatusName(c.status);
  }
}

TEST(ComplianceTest, MisplacedAndUnexpected) {
  const Planogram here = Shelf("cold", "A1", {Row("S1", 1)});
  const std::vector<Planogram> store = {
      here,
      Shelf("cold", "A2", {Row("S2", 2)}),
      Shelf("dry", "B1", {Row("S2", 1), Row("S2", 1), Row("S1", 3)}),
  };
  const auto dets = Join({Facings("S1", 1, 0.0), Facings("S2", 1, 0.1), Facings("S3", 2, 0.2)});
  auto a = AnalyzeShelf(here, store, dets, {}, Settings{});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->skus.size(), 3u);
  const SkuResult* s1 = FindSku(*a, "S1");
  const SkuResult* s2 = FindSku(*a, "S2");
  const SkuResult* s3 = FindSku(*a, "S3");
  ASSERT_TRUE(s1 && s2 && s3);
  EXPECT_EQ(s1->status, SkuStatus::kOk);
  ASSERT_EQ(s1->planned_on.size(), 1u);  // the shelf itself is not "elsewhere"
  EXPECT_EQ(s1->planned_on[0].planogram_name, "dry");
  EXPECT_EQ(s2->status, SkuStatus::kMisplaced);
  EXPECT_EQ(s2->expected, 0);
  EXPECT_EQ(s2->detected, 1);
  ASSERT_EQ(s2->planned_on.size(), 2u);  // each shelf once
  EXPECT_EQ(s2->planned_on[0].shelf_location, "A2");
  EXPECT_EQ(s2->planned_on[1].shelf_location, "B1");
  EXPECT_EQ(s3->status, SkuStatus::kUnexpected);
  EXPECT_EQ(s3->detected, 2);
  EXPECT_TRUE(s3->planned_on.empty());
  EXPECT_FALSE(a->compliant);
}

TEST(ComplianceTest, ResultsInRowOrderThenUnplannedBySku) {
  const Planogram here = Shelf("p", "A", {Row("Z", 1), Row("B", 1), Row("Z", 2)});
  const auto dets = Join({Facings("Y", 1, 0.0), Facings("X", 1, 0.1), Facings("Z", 3, 0.2)});
  auto a = AnalyzeShelf(here, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  std::vector<std::string> order;
  for (const SkuResult& r : a->skus) order.push_back(r.sku);
  EXPECT_EQ(order, (std::vector<std::string>{"Z", "B", "X", "Y"}));
  EXPECT_EQ(a->skus[0].expected, 3);  // rows of one SKU are summed
  EXPECT_EQ(a->skus[0].rows, (std::vector<int>{0, 2}));
  EXPECT_EQ(a->skus[0].status, SkuStatus::kOk);
  EXPECT_EQ(a->skus[1].status, SkuStatus::kOutOfStock);
}

TEST(ComplianceTest, CountedConfidenceDefaultsToTheModelsAndIsInclusive) {
  const Planogram here = Shelf("p", "A", {Row("S1", 2)});
  std::vector<Detection> dets = Facings("S1", 3, 0.0);
  dets[0].confidence = 0.25;    // counts: at the threshold
  dets[1].confidence = 0.2499;  // does not
  dets[2].confidence = 0.6;
  Settings s;
  s.model_confidence_threshold = 0.25;
  auto a = AnalyzeShelf(here, {}, dets, {}, s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->counted_detections, 2);
  EXPECT_EQ(a->skus[0].detected, 2);
  EXPECT_EQ(a->skus[0].status, SkuStatus::kOk);

  s.counted_confidence = 0.5;
  a = AnalyzeShelf(here, {}, dets, {}, s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->skus[0].detected, 1);
  EXPECT_EQ(a->kpis.facings, 1);
}

TEST(ComplianceTest, UncountedDetectionsAreIgnoredEverywhere) {
  const Planogram here = Shelf("p", "A", {Row("S1", 1)});
  std::vector<Detection> dets = Facings("S1", 1, 0.0);
  Detection faint = Det("GHOST", 0.5, 0.5, 0.1, 0.2, 0.1);
  dets.push_back(faint);
  auto a = AnalyzeShelf(here, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->skus.size(), 1u);  // no UNEXPECTED for the faint one
  EXPECT_EQ(a->kpis.facings_by_sku.count("GHOST"), 0u);
  ASSERT_EQ(a->shelf_rows.size(), 1u);
  EXPECT_EQ(a->shelf_rows[0].detections, (std::vector<int>{0}));
  EXPECT_TRUE(a->compliant);
}

TEST(ComplianceTest, CatalogueMapsClassesToSkusAndNamesBrands) {
  const std::vector<Product> catalogue = {
      {"cola_can", "COLA-330", "Cola can", "Fizz"},
      {"cola_can_tilted", "COLA-330", "Cola can", "Fizz"},
      {"chips", "CHIPS-1", "Salted chips", ""},
  };
  const Planogram here = Shelf("p", "A", {Row("COLA-330", 2)});
  std::vector<Detection> dets;
  for (const char* cls : {"cola_can", "cola_can_tilted", "chips", "bottle"}) {
    Detection d = Det("", 0.1 + dets.size() * 0.1);
    d.class_name = cls;
    dets.push_back(d);
  }
  auto a = AnalyzeShelf(here, {}, dets, catalogue, Settings{});
  ASSERT_TRUE(a.ok());
  const SkuResult* cola = FindSku(*a, "COLA-330");
  ASSERT_NE(cola, nullptr);
  EXPECT_EQ(cola->detected, 2);  // two classes, one SKU
  EXPECT_EQ(cola->status, SkuStatus::kOk);
  EXPECT_EQ(cola->brand, "Fizz");
  EXPECT_EQ(cola->product_name, "Cola can");  // the row had none: the catalogue's
  const SkuResult* chips = FindSku(*a, "CHIPS-1");
  ASSERT_NE(chips, nullptr);
  EXPECT_EQ(chips->status, SkuStatus::kUnexpected);
  EXPECT_EQ(chips->product_name, "Salted chips");
  const SkuResult* bottle = FindSku(*a, "bottle");  // no catalogue entry: the class name
  ASSERT_NE(bottle, nullptr);
  EXPECT_EQ(bottle->status, SkuStatus::kUnexpected);
  EXPECT_EQ(bottle->brand, "");
}

TEST(ComplianceTest, DetectionSkuWinsOverTheCatalogue) {
  const std::vector<Product> catalogue = {{"cola_can", "COLA-330", "Cola can", "Fizz"}};
  Detection d = Det("COLA-500", 0.5);
  d.class_name = "cola_can";
  auto a = AnalyzeShelf(Shelf("p", "A", {Row("COLA-500", 1)}), {}, std::vector<Detection>{d},
                        catalogue, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->skus[0].status, SkuStatus::kOk);
}

TEST(ComplianceTest, PlanogramProductNameWins) {
  PlanogramRow r = Row("COLA-330", 1);
  r.product_name = "Cola 330 ml";
  const std::vector<Product> catalogue = {{"cola_can", "COLA-330", "Cola can", "Fizz"}};
  auto a = AnalyzeShelf(Shelf("p", "A", {r}), {}, Facings("COLA-330", 1), catalogue, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->skus[0].product_name, "Cola 330 ml");
}

TEST(ComplianceTest, CompliantShelf) {
  const Planogram here = Shelf("p", "A", {Row("S1", 2), Row("S2", 2)});
  const auto dets = Join({Facings("S1", 2, 0.0), Facings("S2", 2, 0.2)});
  auto a = AnalyzeShelf(here, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->compliant);
  EXPECT_TRUE(a->gaps.empty());
  // The same shelf with an S1 facing gone in the middle of the row: a gap, not compliant, while
  // every SKU still meets its count rule (1 of 2 is not below half).
  const auto holed = Join({Facings("S1", 1, 0.0), Facings("S2", 2, 0.2)});
  a = AnalyzeShelf(here, {}, holed, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->skus[0].status, SkuStatus::kOk);
  EXPECT_EQ(a->gaps.size(), 1u);
  EXPECT_FALSE(a->compliant);
}

TEST(ComplianceTest, EmptyPlanogramAndNoDetections) {
  auto a = AnalyzeShelf(Shelf("p", "A", {}), {}, {}, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->skus.empty());
  EXPECT_TRUE(a->gaps.empty());
  EXPECT_FALSE(a->kpis.compliance_score.has_value());
  EXPECT_TRUE(a->compliant);
}

struct BadInput {
  const char* name;
  Planogram shelf;
  std::vector<Detection> dets;
  const char* message_part;
};

TEST(ComplianceTest, RefusesBadInput) {
  Planogram no_sku = Shelf("p", "A", {Row("", 1)});
  Planogram negative = Shelf("p", "A", {Row("S", -1)});
  Planogram far = Shelf("p", "A", {PointRow("S", 1, 1.2, 0.5)});
  Planogram inverted = Shelf("p", "A", {SlotRow("S", 1, {0.5, 0.1, 0.4, 0.3})});
  Planogram half_extent = Shelf("p", "A", {});
  half_extent.extent_x1 = 0.1;
  Planogram bad_extent = Shelf("p", "A", {});
  bad_extent.extent_x1 = 0.6;
  bad_extent.extent_x2 = 0.4;
  Detection zero_width = Det("S", 0.5, 0.5, 0.0);
  Detection nan = Det("S", std::nan(""), 0.5);
  Detection conf = Det("S", 0.5, 0.5, 0.1, 0.1, 1.5);
  const BadInput cases[] = {
      {"empty sku", no_sku, {}, "rows[0].sku"},
      {"negative count", negative, {}, "rows[0].expected_count"},
      {"position outside the photo", far, {}, "rows[0].position"},
      {"inverted slot", inverted, {}, "rows[0].slot"},
      {"one-sided extent", half_extent, {}, "extent"},
      {"inverted extent", bad_extent, {}, "extent"},
      {"zero width", Shelf("p", "A", {}), {zero_width}, "detections[0]"},
      {"not a number", Shelf("p", "A", {}), {Det("S", 0.5), nan}, "detections[1]"},
      {"confidence above 1", Shelf("p", "A", {}), {conf}, "detections[0].confidence"},
  };
  for (const BadInput& c : cases) {
    auto a = AnalyzeShelf(c.shelf, {}, c.dets, {}, Settings{});
    ASSERT_FALSE(a.ok()) << c.name;
    EXPECT_EQ(a.status().code(), Code::kInvalidValue) << c.name;
    EXPECT_NE(a.status().message().find(c.message_part), std::string::npos)
        << c.name << ": " << a.status().message();
  }
  Settings bad;
  bad.low_stock_share = 3;
  EXPECT_EQ(AnalyzeShelf(Shelf("p", "A", {}), {}, {}, {}, bad).status().code(),
            Code::kInvalidValue);
}

TEST(ComplianceTest, StatusNames) {
  EXPECT_STREQ(SkuStatusName(SkuStatus::kOk), "OK");
  EXPECT_STREQ(SkuStatusName(SkuStatus::kLowStock), "LOW_STOCK");
  EXPECT_STREQ(SkuStatusName(SkuStatus::kOutOfStock), "OUT_OF_STOCK");
  EXPECT_STREQ(SkuStatusName(SkuStatus::kOverstock), "OVERSTOCK");
  EXPECT_STREQ(SkuStatusName(SkuStatus::kMisplaced), "MISPLACED");
  EXPECT_STREQ(SkuStatusName(SkuStatus::kUnexpected), "UNEXPECTED");
  EXPECT_STREQ(SlotStatusName(SlotStatus::kOk), "OK");
  EXPECT_STREQ(SlotStatusName(SlotStatus::kMisplaced), "MISPLACED");
  EXPECT_STREQ(SlotStatusName(SlotStatus::kWrongProduct), "WRONG_PRODUCT");
  EXPECT_STREQ(SlotStatusName(SlotStatus::kEmptySlot), "EMPTY_SLOT");
}

}  // namespace
}  // namespace vs::compliance
