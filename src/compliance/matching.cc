#include "compliance/matching.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace vs::compliance {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTie = 1e-9;

void Finish(Matching& m, std::span<const Edge> chosen) {
  for (const Edge& e : chosen) {
    m.det_of_slot[e.slot] = e.det;
    ++m.pairs;
    m.cost += e.cost;
  }
}

// Minimum-cost assignment of every row of the n x m matrix `a` (n <= m) to a distinct column;
// returns the column of each row. Hand-written (the classic potentials form of the Hungarian
// algorithm, O(n^2 m)) because no packaged library offers rectangular real-valued assignment.
std::vector<int> Hungarian(int n, int m, const std::vector<double>& a) {
  std::vector<double> u(n + 1, 0), v(m + 1, 0), minv(m + 1);
  std::vector<int> p(m + 1, 0), way(m + 1, 0);
  std::vector<char> used(m + 1);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::fill(minv.begin(), minv.end(), kInf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = kInf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = a[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> col_of_row(n, -1);
  for (int j = 1; j <= m; ++j) {
    if (p[j] != 0) col_of_row[p[j] - 1] = j - 1;
  }
  return col_of_row;
}

// Exact matching of one component: slots and dets are its members, edges index into them.
std::vector<Edge> SolveExact(const std::vector<int>& slots, const std::vector<int>& dets,
                             const std::vector<Edge>& edges) {
  const bool by_slot = slots.size() <= dets.size();  // rows are the smaller side
  const int n = static_cast<int>(by_slot ? slots.size() : dets.size());
  const int m = static_cast<int>(by_slot ? dets.size() : slots.size());
  // A disallowed pair costs more than any n allowed ones, so fewer pairs never wins.
  const double forbidden = n + 1.0;
  std::vector<double> a(static_cast<size_t>(n) * m, forbidden);
  std::vector<const Edge*> at(static_cast<size_t>(n) * m, nullptr);
  auto local = [](const std::vector<int>& members, int id) {
    return static_cast<int>(std::lower_bound(members.begin(), members.end(), id) - members.begin());
  };
  for (const Edge& e : edges) {
    const int s = local(slots, e.slot), d = local(dets, e.det);
    const size_t k = by_slot ? static_cast<size_t>(s) * m + d : static_cast<size_t>(d) * m + s;
    if (e.cost < a[k]) {
      a[k] = e.cost;
      at[k] = &e;
    }
  }
  std::vector<Edge> chosen;
  const std::vector<int> col = Hungarian(n, m, a);
  for (int r = 0; r < n; ++r) {
    const Edge* e = at[static_cast<size_t>(r) * m + col[r]];
    if (e != nullptr) chosen.push_back(*e);
  }
  return chosen;
}

std::vector<Edge> SolveGreedy(std::vector<Edge> edges, int slots, int dets) {
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    if (x.cost != y.cost) return x.cost < y.cost;
    return x.slot != y.slot ? x.slot < y.slot : x.det < y.det;
  });
  std::vector<char> slot_used(slots), det_used(dets);
  std::vector<Edge> chosen;
  for (const Edge& e : edges) {
    if (slot_used[e.slot] || det_used[e.det]) continue;
    slot_used[e.slot] = det_used[e.det] = 1;
    chosen.push_back(e);
  }
  return chosen;
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int Find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(int a, int b) { parent[Find(a)] = Find(b); }
};

}  // namespace

Matching MatchSlots(int slots, int dets, std::span<const Edge> edges, int max_exact_side) {
  Matching m;
  m.det_of_slot.assign(slots, -1);
  // Nodes 0..slots-1 are slots, slots.. are detections.
  UnionFind uf(slots + dets);
  for (const Edge& e : edges) uf.Join(e.slot, slots + e.det);
  struct Component {
    std::vector<int> slots, dets;
    std::vector<Edge> edges;
  };
  std::vector<int> index(slots + dets, -1);
  std::vector<Component> comps;
  auto comp_of = [&](int node) -> Component& {
    int& k = index[uf.Find(node)];
    if (k < 0) {
      k = static_cast<int>(comps.size());
      comps.emplace_back();
    }
    return comps[k];
  };
  for (const Edge& e : edges) comp_of(e.slot).edges.push_back(e);
  for (int s = 0; s < slots; ++s) {
    if (index[uf.Find(s)] >= 0) comp_of(s).slots.push_back(s);  // ascending: binary search later
  }
  for (int d = 0; d < dets; ++d) {
    if (index[uf.Find(slots + d)] >= 0) comp_of(slots + d).dets.push_back(d);
  }
  for (const Component& c : comps) {
    const double n = static_cast<double>(std::min(c.slots.size(), c.dets.size()));
    const double work = n * n * static_cast<double>(std::max(c.slots.size(), c.dets.size()));
    const double limit = static_cast<double>(max_exact_side) * max_exact_side * max_exact_side;
    if (work > limit) {
      m.greedy = true;
      Finish(m, SolveGreedy(c.edges, slots, dets));
    } else {
      Finish(m, SolveExact(c.slots, c.dets, c.edges));
    }
  }
  return m;
}

Matching MatchGreedy(int slots, int dets, std::span<const Edge> edges) {
  Matching m;
  m.det_of_slot.assign(slots, -1);
  m.greedy = true;
  Finish(m, SolveGreedy({edges.begin(), edges.end()}, slots, dets));
  return m;
}

namespace {

struct Search {
  int slots;
  std::vector<std::vector<const Edge*>> by_slot;
  std::vector<char> det_used;
  std::vector<const Edge*> current, best;
  int best_pairs = -1;
  double best_cost = 0;

  void Run(int s, int pairs, double cost) {
    if (s == slots) {
      if (pairs > best_pairs || (pairs == best_pairs && cost < best_cost - kTie)) {
        best_pairs = pairs;
        best_cost = cost;
        best = current;
      }
      return;
    }
    Run(s + 1, pairs, cost);  // slot s left empty
    for (const Edge* e : by_slot[s]) {
      if (det_used[e->det]) continue;
      det_used[e->det] = 1;
      current.push_back(e);
      Run(s + 1, pairs + 1, cost + e->cost);
      current.pop_back();
      det_used[e->det] = 0;
    }
  }
};

}  // namespace

Matching MatchExhaustive(int slots, int dets, std::span<const Edge> edges) {
  Search search{
      slots, std::vector<std::vector<const Edge*>>(slots), std::vector<char>(dets), {}, {}};
  for (const Edge& e : edges) search.by_slot[e.slot].push_back(&e);
  search.Run(0, 0, 0);
  Matching m;
  m.det_of_slot.assign(slots, -1);
  for (const Edge* e : search.best) {
    m.det_of_slot[e->slot] = e->det;
    ++m.pairs;
    m.cost += e->cost;
  }
  return m;
}

}  // namespace vs::compliance
