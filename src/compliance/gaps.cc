#include "compliance/gaps.h"

#include <algorithm>
#include <numeric>

namespace vs::compliance {
namespace {

constexpr double kTolerance = 1e-9;

struct Band {
  double top_sum = 0, bottom_sum = 0;
  std::vector<int> members;
  double top() const { return top_sum / members.size(); }
  double bottom() const { return bottom_sum / members.size(); }
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::vector<ShelfRow> GroupRows(std::span<const Rect> boxes, double min_overlap) {
  std::vector<int> order(boxes.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    const double ca = boxes[a].y1 + boxes[a].y2, cb = boxes[b].y1 + boxes[b].y2;
    if (ca != cb) return ca < cb;
    return boxes[a].x1 != boxes[b].x1 ? boxes[a].x1 < boxes[b].x1 : a < b;
  });
  std::vector<Band> bands;
  for (int i : order) {
    const Rect& b = boxes[i];
    int best = -1;
    double best_ratio = 0;
    for (size_t r = 0; r < bands.size(); ++r) {
      const double top = bands[r].top(), bottom = bands[r].bottom();
      const double overlap = std::min(b.y2, bottom) - std::max(b.y1, top);
      const double smaller = std::min(b.y2 - b.y1, bottom - top);
      if (overlap <= 0 || smaller <= 0) continue;
      const double ratio = overlap / smaller;
      if (ratio >= min_overlap - kTolerance && ratio > best_ratio) {
        best = static_cast<int>(r);
        best_ratio = ratio;
      }
    }
    if (best < 0) {
      best = static_cast<int>(bands.size());
      bands.emplace_back();
    }
    bands[best].top_sum += b.y1;
    bands[best].bottom_sum += b.y2;
    bands[best].members.push_back(i);
  }
  std::vector<ShelfRow> rows;
  for (Band& band : bands) {
    ShelfRow row;
    row.y1 = band.top();
    row.y2 = band.bottom();
    std::sort(band.members.begin(), band.members.end(), [&](int a, int b) {
      return boxes[a].x1 != boxes[b].x1 ? boxes[a].x1 < boxes[b].x1 : a < b;
    });
    std::vector<double> widths;
    for (int i : band.members) widths.push_back(boxes[i].x2 - boxes[i].x1);
    row.facing_width = Median(std::move(widths));
    row.detections = std::move(band.members);
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const ShelfRow& a, const ShelfRow& b) { return a.y1 + a.y2 < b.y1 + b.y2; });
  return rows;
}

std::vector<Gap> FindGaps(std::span<const Rect> boxes, std::span<const ShelfRow> rows,
                          double extent_x1, double extent_x2, double min_gap_facings) {
  std::vector<Gap> gaps;
  for (size_t r = 0; r < rows.size(); ++r) {
    const ShelfRow& row = rows[r];
    const double min_width = min_gap_facings * row.facing_width;
    if (row.facing_width <= 0) continue;
    auto run = [&](double x1, double x2) {
      const double width = x2 - x1;
      if (width > 0 && width >= min_width - kTolerance) {
        gaps.push_back({static_cast<int>(r), {x1, row.y1, x2, row.y2}, width / row.facing_width});
      }
    };
    double covered = extent_x1;  // everything left of here is a product or already reported
    for (int i : row.detections) {
      run(covered, std::min(boxes[i].x1, extent_x2));
      covered = std::max(covered, boxes[i].x2);
    }
    run(covered, extent_x2);
  }
  return gaps;
}

}  // namespace vs::compliance
