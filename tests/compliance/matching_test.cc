#include "compliance/matching.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace vs::compliance {
namespace {

// A valid matching: one-to-one, only over given edges, pairs and cost consistent.
void ExpectValid(const Matching& m, int dets, const std::vector<Edge>& edges) {
  std::set<int> used;
  int pairs = 0;
  double cost = 0;
  for (size_t s = 0; s < m.det_of_slot.size(); ++s) {
    const int d = m.det_of_slot[s];
    if (d < 0) continue;
    ASSERT_LT(d, dets);
    EXPECT_TRUE(used.insert(d).second) << "detection " << d << " used twice";
    double best = 2;
    for (const Edge& e : edges) {
      if (e.slot == static_cast<int>(s) && e.det == d) best = std::min(best, e.cost);
    }
    ASSERT_LE(best, 1) << "slot " << s << " matched to " << d << " without an edge";
    ++pairs;
    cost += best;
  }
  EXPECT_EQ(pairs, m.pairs);
  EXPECT_NEAR(cost, m.cost, 1e-9);
}

std::vector<Edge> RandomEdges(std::mt19937& rng, int slots, int dets, double density) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Edge> edges;
  for (int s = 0; s < slots; ++s) {
    for (int d = 0; d < dets; ++d) {
      // Costs on a coarse grid too, so that ties occur.
      if (u(rng) < density) edges.push_back({s, d, u(rng) < 0.3 ? 0.5 : u(rng)});
    }
  }
  std::shuffle(edges.begin(), edges.end(), rng);
  return edges;
}

TEST(MatchingTest, EqualsExhaustiveOnRandomSmallCases) {
  std::mt19937 rng(20261201);
  for (int trial = 0; trial < 3000; ++trial) {
    const int slots = std::uniform_int_distribution<int>(0, 7)(rng);
    const int dets = std::uniform_int_distribution<int>(0, 7)(rng);
    const double density = std::uniform_real_distribution<double>(0.1, 1)(rng);
    const std::vector<Edge> edges = RandomEdges(rng, slots, dets, density);
    const Matching fast = MatchSlots(slots, dets, edges);
    const Matching ref = MatchExhaustive(slots, dets, edges);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ExpectValid(fast, dets, edges);
    ExpectValid(ref, dets, edges);
    ASSERT_EQ(fast.pairs, ref.pairs);
    ASSERT_NEAR(fast.cost, ref.cost, 1e-9);
    EXPECT_FALSE(fast.greedy);
  }
}

TEST(MatchingTest, PrefersMorePairsOverLowerCost) {
  // Slot 0 could take det 0 cheaply, but then slot 1 (only det 0) stays empty.
  const std::vector<Edge> edges = {{0, 0, 0.0}, {0, 1, 1.0}, {1, 0, 1.0}};
  const Matching m = MatchSlots(2, 2, edges);
  EXPECT_EQ(m.pairs, 2);
  EXPECT_EQ(m.det_of_slot, (std::vector<int>{1, 0}));
  EXPECT_NEAR(m.cost, 2.0, 1e-12);
  // Greedy takes the cheap edge and loses a pair: the reason the exact matcher is the default.
  EXPECT_EQ(MatchGreedy(2, 2, edges).pairs, 1);
}

TEST(MatchingTest, DuplicateEdgesUseTheCheapest) {
  const std::vector<Edge> edges = {{0, 0, 0.8}, {0, 0, 0.2}};
  const Matching m = MatchSlots(1, 1, edges);
  EXPECT_EQ(m.pairs, 1);
  EXPECT_NEAR(m.cost, 0.2, 1e-12);
}

TEST(MatchingTest, LargeComponentFallsBackToGreedy) {
  std::mt19937 rng(7);
  const std::vector<Edge> edges = RandomEdges(rng, 12, 12, 1.0);
  const Matching m = MatchSlots(12, 12, edges, /*max_exact_side=*/5);
  EXPECT_TRUE(m.greedy);
  ExpectValid(m, 12, edges);
  const Matching g = MatchGreedy(12, 12, edges);
  EXPECT_EQ(m.det_of_slot, g.det_of_slot);
}

TEST(MatchingTest, SmallComponentsStayExactBesideALargeOne) {
  // A 12x12 complete block (greedy with limit 5) and a separate 2x2 block that greedy gets wrong.
  std::mt19937 rng(9);
  std::vector<Edge> edges = RandomEdges(rng, 12, 12, 1.0);
  for (const Edge& e : std::vector<Edge>{{12, 12, 0.0}, {12, 13, 1.0}, {13, 12, 1.0}}) {
    edges.push_back(e);
  }
  const Matching m = MatchSlots(14, 14, edges, 5);
  EXPECT_TRUE(m.greedy);
  EXPECT_EQ(m.det_of_slot[12], 13);
  EXPECT_EQ(m.det_of_slot[13], 12);
}

TEST(MatchingTest, ManySmallComponentsAreAllExact) {
  // 1000 slots and 1000 detections in blocks of 4 along a shelf: every block solved exactly.
  std::mt19937 rng(11);
  std::vector<Edge> edges;
  for (int b = 0; b < 250; ++b) {
    for (const Edge& e : RandomEdges(rng, 4, 4, 0.7)) {
      edges.push_back({b * 4 + e.slot, b * 4 + e.det, e.cost});
    }
  }
  const Matching m = MatchSlots(1000, 1000, edges);
  EXPECT_FALSE(m.greedy);
  ExpectValid(m, 1000, edges);
  int pairs = 0;
  double cost = 0;
  for (int b = 0; b < 250; ++b) {
    std::vector<Edge> block;
    for (const Edge& e : edges) {
      if (e.slot / 4 == b) block.push_back({e.slot % 4, e.det % 4, e.cost});
    }
    const Matching r = MatchExhaustive(4, 4, block);
    pairs += r.pairs;
    cost += r.cost;
  }
  EXPECT_EQ(m.pairs, pairs);
  EXPECT_NEAR(m.cost, cost, 1e-6);
}

TEST(MatchingTest, FallbackFollowsTheWorkNotJustTheSmallerSide) {
  // 3 x 20 complete: 3^2 x 20 = 180 > 5^3 = 125, although the smaller side is under 5.
  std::mt19937 rng(13);
  const std::vector<Edge> wide = RandomEdges(rng, 3, 20, 1.0);
  EXPECT_TRUE(MatchSlots(3, 20, wide, 5).greedy);
  const std::vector<Edge> narrow = RandomEdges(rng, 3, 13, 1.0);  // 117 <= 125
  EXPECT_FALSE(MatchSlots(3, 13, narrow, 5).greedy);
}

TEST(MatchingTest, NoEdgesNoPairs) {
  const Matching m = MatchSlots(3, 2, {});
  EXPECT_EQ(m.pairs, 0);
  EXPECT_EQ(m.det_of_slot, (std::vector<int>{-1, -1, -1}));
}

}  // namespace
}  // namespace vs::compliance
