// Empty-facing gaps from detection boxes alone, so that they work with any detector, including a
// class-agnostic one: boxes are grouped into horizontal shelf rows, and every empty horizontal run
// in a row at least `min_gap_facings` of the row's typical facing width wide is a gap.
#pragma once

#include <span>
#include <vector>

#include "compliance/compliance.h"

namespace vs::compliance {

// Rows by vertical overlap. Boxes are taken in order of their vertical centre (then left edge);
// each joins the existing row whose band it overlaps most, if that overlap is at least
// `min_overlap` of the smaller of the box's and the band's heights, else it starts a row. A band
// is the mean top and mean bottom of its boxes. Rows come back top to bottom, their boxes left to
// right (by left edge); facing_width is the median box width. `ShelfRow::detections` index
// `boxes`. O(boxes x rows).
std::vector<ShelfRow> GroupRows(std::span<const Rect> boxes, double min_overlap);

// The gaps of every row within [extent_x1, extent_x2]: between the extent's left end and the
// row's first box, between consecutive boxes (overlapping boxes merge), and after the last box.
// A run is a gap when its width >= min_gap_facings x facing_width (within 1e-9). A gap's box spans
// the run horizontally and the row's band vertically.
std::vector<Gap> FindGaps(std::span<const Rect> boxes, std::span<const ShelfRow> rows,
                          double extent_x1, double extent_x2, double min_gap_facings);

}  // namespace vs::compliance
