#include "compliance/slots.h"

#include <gtest/gtest.h>

#include <random>

#include "compliance/compliance.h"
#include "test_support.h"

namespace vs::compliance {
namespace {

using namespace testing;  // NOLINT: the test builders

std::vector<SlotStatus> Statuses(const ShelfAnalysis& a) {
  std::vector<SlotStatus> out;
  for (const SlotResult& s : a.slots) out.push_back(s.status);
  return out;
}

constexpr Rect kLeft{0.0, 0.4, 0.3, 0.6};   // three facings of 0.1
constexpr Rect kRight{0.3, 0.4, 0.6, 0.6};  // three more

TEST(SlotsTest, BoxSplitsIntoEqualFacings) {
  const auto slots = BuildSlots(Shelf("p", "A", {SlotRow("S1", 3, kLeft), Row("S2", 2)}));
  ASSERT_EQ(slots.size(), 3u);  // S2 has no box or position: no slots
  for (int f = 0; f < 3; ++f) {
    EXPECT_EQ(slots[f].row, 0);
    EXPECT_EQ(slots[f].facing, f);
    ASSERT_TRUE(slots[f].box.has_value());
    EXPECT_NEAR(slots[f].box->x1, 0.1 * f, 1e-12);
    EXPECT_NEAR(slots[f].box->x2, 0.1 * (f + 1), 1e-12);
    EXPECT_NEAR(slots[f].centre.x, 0.1 * f + 0.05, 1e-12);
    EXPECT_NEAR(slots[f].centre.y, 0.5, 1e-12);
    EXPECT_EQ(slots[f].status, SlotStatus::kEmptySlot);
  }
}

TEST(SlotsTest, PositionGivesOneSlotPerFacingAtThePointAndZeroGivesNone) {
  const auto slots =
      BuildSlots(Shelf("p", "A", {PointRow("S1", 2, 0.3, 0.4), SlotRow("S2", 0, kRight)}));
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_FALSE(slots[1].box.has_value());
  EXPECT_DOUBLE_EQ(slots[1].centre.x, 0.3);
  EXPECT_DOUBLE_EQ(slots[1].centre.y, 0.4);
}

struct SlotCase {
  const char* name;
  std::vector<Detection> dets;
  std::vector<SlotStatus> statuses;  // S1 slots then S2 slots
  std::vector<std::string> found;
  double compliance;
};

TEST(SlotsTest, StatusesOfBoxSlots) {
  using S = SlotStatus;
  const Planogram shelf = Shelf("p", "A", {SlotRow("S1", 3, kLeft), SlotRow("S2", 3, kRight)});
  const SlotCase cases[] = {
      {"all in place",
       Join({Facings("S1", 3, 0.0), Facings("S2", 3, 0.3)}),
       {S::kOk, S::kOk, S::kOk, S::kOk, S::kOk, S::kOk},
       {"S1", "S1", "S1", "S2", "S2", "S2"},
       1.0},
      {"middle S1 facing empty",
       {Det("S1", 0.05), Det("S1", 0.25), Det("S2", 0.35), Det("S2", 0.45), Det("S2", 0.55)},
       {S::kOk, S::kEmptySlot, S::kOk, S::kOk, S::kOk, S::kOk},
       {"S1", "", "S1", "S2", "S2", "S2"},
       5.0 / 6},
      {"an S2 in an S1 slot is misplaced, S2's own slot then empty",
       {Det("S1", 0.05), Det("S2", 0.15), Det("S1", 0.25), Det("S2", 0.35), Det("S2", 0.45)},
       {S::kOk, S::kMisplaced, S::kOk, S::kOk, S::kOk, S::kEmptySlot},
       {"S1", "S2", "S1", "S2", "S2", ""},
       4.0 / 6},
      {"a product of no slot on this shelf is the wrong product",
       Join({Facings("S1", 3, 0.0), {Det("X9", 0.35)}, Facings("S2", 2, 0.4)}),
       {S::kOk, S::kOk, S::kOk, S::kWrongProduct, S::kOk, S::kOk},
       {"S1", "S1", "S1", "X9", "S2", "S2"},
       5.0 / 6},
      {"nothing detected",
       {},
       {S::kEmptySlot, S::kEmptySlot, S::kEmptySlot, S::kEmptySlot, S::kEmptySlot, S::kEmptySlot},
       {"", "", "", "", "", ""},
       0.0},
      {"products on another shelf level match nothing",
       {Det("S1", 0.05, 0.9), Det("S1", 0.15, 0.9)},
       {S::kEmptySlot, S::kEmptySlot, S::kEmptySlot, S::kEmptySlot, S::kEmptySlot, S::kEmptySlot},
       {"", "", "", "", "", ""},
       0.0},
  };
  for (const SlotCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto a = AnalyzeShelf(shelf, {}, c.dets, {}, Settings{});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(Statuses(*a), c.statuses);
    std::vector<std::string> found;
    for (const SlotResult& s : a->slots) {
      found.push_back(s.found_sku);
      EXPECT_EQ(s.detection.has_value(), !s.found_sku.empty());
      if (s.detection) {
        EXPECT_EQ(c.dets[*s.detection].sku, s.found_sku);
      }
    }
    EXPECT_EQ(found, c.found);
    ASSERT_TRUE(a->kpis.compliance_score.has_value());
    EXPECT_NEAR(*a->kpis.compliance_score, c.compliance, 1e-12);
    EXPECT_EQ(a->kpis.planned_units, 6);
  }
}

TEST(SlotsTest, ExtraProductsAreUnmatched) {
  const Planogram shelf = Shelf("p", "A", {SlotRow("S1", 1, {0.0, 0.4, 0.1, 0.6})});
  const std::vector<Detection> dets = {Det("S1", 0.06), Det("S1", 0.5), Det("S1", 0.03)};
  auto a = AnalyzeShelf(shelf, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->slots.size(), 1u);
  EXPECT_EQ(a->slots[0].detection, 0);  // the better-overlapping one (IoU 0.82 against 0.67)
  EXPECT_EQ(a->unmatched_detections, (std::vector<int>{1, 2}));
  EXPECT_EQ(a->skus[0].status, SkuStatus::kOverstock);
}

TEST(SlotsTest, MinimumIouIsInclusive) {
  // Slot [0, 0.1] x [0.4, 0.6]; a detection of the same size shifted right by 0.05 has IoU 1/3.
  const Planogram shelf = Shelf("p", "A", {SlotRow("S1", 1, {0.0, 0.4, 0.1, 0.6})});
  const std::vector<Detection> dets = {Det("S1", 0.1)};
  ASSERT_NEAR(Iou({0.0, 0.4, 0.1, 0.6}, {0.05, 0.4, 0.15, 0.6}), 1.0 / 3, 1e-12);
  Settings s;
  s.slot_min_iou = 1.0 / 3 - 1e-12;
  auto a = AnalyzeShelf(shelf, {}, dets, {}, s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->slots[0].status, SlotStatus::kOk);
  s.slot_min_iou = 1.0 / 3 + 1e-9;
  a = AnalyzeShelf(shelf, {}, dets, {}, s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->slots[0].status, SlotStatus::kEmptySlot);
}

TEST(SlotsTest, PositionSlotsMatchWithinTheDistance) {
  const Planogram shelf = Shelf("p", "A", {PointRow("S1", 2, 0.3, 0.5)});
  // One at 0.05 from the point, one at 0.09, one at 0.2 (too far for the default 0.1).
  const std::vector<Detection> dets = {Det("S1", 0.5), Det("S1", 0.39), Det("S1", 0.25)};
  auto a = AnalyzeShelf(shelf, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->slots.size(), 2u);
  EXPECT_EQ(a->slots[0].status, SlotStatus::kOk);
  EXPECT_EQ(a->slots[1].status, SlotStatus::kOk);
  EXPECT_EQ(a->unmatched_detections, (std::vector<int>{0}));
  Settings tight;
  tight.slot_max_distance = 0.06;
  a = AnalyzeShelf(shelf, {}, dets, {}, tight);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Statuses(*a), (std::vector<SlotStatus>{SlotStatus::kOk, SlotStatus::kEmptySlot}));
  EXPECT_EQ(a->slots[0].detection, 2);
}

TEST(SlotsTest, OptimalMatchingFillsBothSlots) {
  // Detection 0 overlaps slot A best of all pairs (IoU 0.67) and slot B a little (0.11);
  // detection 1 overlaps only A (0.33). Cheapest-first would give A detection 0 and leave B empty;
  // the matching with the most pairs gives A detection 1 and B detection 0.
  const Planogram shelf = Shelf(
      "p", "A", {SlotRow("S1", 1, {0.0, 0.4, 0.1, 0.6}), SlotRow("S1", 1, {0.1, 0.4, 0.2, 0.6})});
  const std::vector<Detection> dets = {Det("S1", 0.07), Det("S1", 0.0)};
  auto a = AnalyzeShelf(shelf, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Statuses(*a), (std::vector<SlotStatus>{SlotStatus::kOk, SlotStatus::kOk}));
  EXPECT_EQ(a->slots[0].detection, 1);
  EXPECT_EQ(a->slots[1].detection, 0);
  EXPECT_FALSE(a->greedy_matching);
}

TEST(SlotsTest, MixedShelfCountsSlotsAndUnslottedSkus) {
  // Slots of S1 (2, one filled) plus S2 checked by count (OK) plus S3 by count (out of stock).
  const Planogram shelf =
      Shelf("p", "A", {SlotRow("S1", 2, {0.0, 0.4, 0.2, 0.6}), Row("S2", 1), Row("S3", 1)});
  const std::vector<Detection> dets = {Det("S1", 0.05), Det("S2", 0.5)};
  auto a = AnalyzeShelf(shelf, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kpis.planned_units, 4);
  EXPECT_EQ(a->kpis.compliant_units, 2);
  EXPECT_NEAR(*a->kpis.compliance_score, 0.5, 1e-12);
}

TEST(SlotsTest, UncountedDetectionsFillNoSlot) {
  const Planogram shelf = Shelf("p", "A", {SlotRow("S1", 1, {0.0, 0.4, 0.1, 0.6})});
  const std::vector<Detection> dets = {Det("S1", 0.05, 0.5, 0.1, 0.2, 0.1)};
  auto a = AnalyzeShelf(shelf, {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->slots[0].status, SlotStatus::kEmptySlot);
  EXPECT_TRUE(a->unmatched_detections.empty());
}

// 200 planogram rows of one facing in a 20 x 10 grid, 200 detections near them in random order:
// every block is small, so matching stays exact, and every slot is filled by its own product.
TEST(SlotsTest, TwoHundredRowsAndDetections) {
  std::vector<PlanogramRow> rows;
  std::vector<Detection> dets;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> jitter(-0.005, 0.005);
  for (int r = 0; r < 10; ++r) {
    for (int c = 0; c < 20; ++c) {
      const std::string sku = "S" + std::to_string(r * 20 + c);
      const double x1 = c * 0.05, y1 = r * 0.1;
      rows.push_back(SlotRow(sku, 1, {x1, y1, x1 + 0.05, y1 + 0.1}));
      dets.push_back(Det(sku, x1 + 0.025 + jitter(rng), y1 + 0.05 + jitter(rng), 0.045, 0.09));
    }
  }
  std::shuffle(dets.begin(), dets.end(), rng);
  auto a = AnalyzeShelf(Shelf("p", "A", rows), {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->greedy_matching);
  ASSERT_EQ(a->slots.size(), 200u);
  for (const SlotResult& s : a->slots) EXPECT_EQ(s.status, SlotStatus::kOk) << s.sku;
  EXPECT_EQ(a->shelf_rows.size(), 10u);
  EXPECT_TRUE(a->gaps.empty());
  EXPECT_TRUE(a->compliant);
}

// 1,000 facings planned at one point and 1,000 products around it: one dense block of a million
// candidate pairs, too large for exact matching, so it is matched greedily and says so.
TEST(SlotsTest, DenseBlockFallsBackToGreedy) {
  std::vector<Detection> dets;
  for (int i = 0; i < 1000; ++i) {
    dets.push_back(Det("S1", 0.5 + (i % 40 - 20) * 0.001, 0.5 + (i / 40 - 12) * 0.001, 0.01, 0.01));
  }
  auto a =
      AnalyzeShelf(Shelf("p", "A", {PointRow("S1", 1000, 0.5, 0.5)}), {}, dets, {}, Settings{});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->greedy_matching);
  ASSERT_EQ(a->slots.size(), 1000u);
  std::vector<char> used(dets.size());
  for (const SlotResult& s : a->slots) {
    ASSERT_EQ(s.status, SlotStatus::kOk);
    ASSERT_FALSE(used[*s.detection]) << "detection used twice";
    used[*s.detection] = 1;
  }
  EXPECT_TRUE(a->unmatched_detections.empty());
}

}  // namespace
}  // namespace vs::compliance
