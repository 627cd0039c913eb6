// One-to-one matching of planned slots to detections over the allowed pairs (edges). The
// objective: the most pairs, and among matchings with that many pairs the least total cost.
//
// MatchSlots splits the bipartite graph into connected components and solves each exactly with
// the Hungarian algorithm, O(n^2 m) for a component of n x m (n <= m). A component with
// n^2 m > max_exact_side^3 (by default larger than 250 x 250) is matched greedily instead
// (O(E log E) for its E edges), and MatchSlots reports that it did.
// MatchExhaustive is the reference that the tests hold MatchSlots equal to on small cases.
#pragma once

#include <span>
#include <vector>

namespace vs::compliance {

struct Edge {
  int slot = 0;
  int det = 0;
  double cost = 0;  // 0..1
};

struct Matching {
  std::vector<int> det_of_slot;  // -1 when the slot is unmatched
  int pairs = 0;
  double cost = 0;
  bool greedy = false;  // some component was matched greedily
};

inline constexpr int kMaxExactSide = 250;

Matching MatchSlots(int slots, int dets, std::span<const Edge> edges,
                    int max_exact_side = kMaxExactSide);

// Cheapest edge first, skipping edges whose slot or detection is taken. Not optimal.
Matching MatchGreedy(int slots, int dets, std::span<const Edge> edges);

// Tries every matching: exponential, for the tests' small cases only.
Matching MatchExhaustive(int slots, int dets, std::span<const Edge> edges);

}  // namespace vs::compliance
