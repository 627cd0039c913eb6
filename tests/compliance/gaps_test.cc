#include "compliance/gaps.h"

#include <gtest/gtest.h>

namespace vs::compliance {
namespace {

// Boxes of one row between y1 and y2, from (x1, x2) pairs.
std::vector<Rect> Row(std::initializer_list<std::pair<double, double>> xs, double y1 = 0.4,
                      double y2 = 0.6) {
  std::vector<Rect> out;
  for (auto [x1, x2] : xs) out.push_back({x1, y1, x2, y2});
  return out;
}

std::vector<Rect> Concat(std::vector<Rect> a, const std::vector<Rect>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct ExpectedGap {
  int row;
  double x1, x2;
};

struct GapCase {
  const char* name;
  std::vector<Rect> boxes;
  double extent_x1, extent_x2;
  double min_gap_facings;
  size_t rows;
  std::vector<ExpectedGap> gaps;
};

TEST(GapsTest, SyntheticLayouts) {
  const GapCase cases[] = {
      {"full row", Row({{.1, .2}, {.2, .3}, {.3, .4}, {.4, .5}}), .1, .5, 1, 1, {}},
      {"one facing missing: exactly one facing wide is a gap",
       Row({{.1, .2}, {.2, .3}, {.4, .5}}),
       .1,
       .5,
       1,
       1,
       {{0, .3, .4}}},
      {"just under one facing is not", Row({{.1, .2}, {.2, .3}, {.399, .499}}), .1, .499, 1, 1, {}},
      {"small spaces between products are not gaps",
       Row({{.10, .18}, {.20, .28}, {.30, .38}, {.40, .48}}),
       .1,
       .48,
       1,
       1,
       {}},
      {"gaps at both ends of the extent",
       Row({{.3, .4}, {.4, .5}}),
       .1,
       .7,
       1,
       1,
       {{0, .1, .3}, {0, .5, .7}}},
      {"end space under one facing is not a gap", Row({{.3, .4}, {.4, .5}}), .25, .55, 1, 1, {}},
      {"two missing facings are one gap", Row({{.0, .1}, {.3, .4}}), 0, .4, 1, 1, {{0, .1, .3}}},
      {"overlapping boxes merge", Row({{.1, .25}, {.2, .3}, {.35, .45}}), .1, .45, 1, 1, {}},
      {"median width sets the facing: 0.15 is 1.5 facings",
       Row({{.0, .1}, {.1, .2}, {.35, .45}, {.45, .75}}),
       0,
       .75,
       1,
       1,
       {{0, .2, .35}}},
      {"even count: median of the middle two",
       Row({{.0, .1}, {.25, .45}}),
       0,
       .45,
       1,
       1,
       {{0, .1, .25}}},
      {"min_gap_facings 2 ignores 1.5 facings",
       Row({{.0, .1}, {.1, .2}, {.35, .45}}),
       0,
       .45,
       2,
       1,
       {}},
      {"min_gap_facings 0.5 reports half a facing",
       Row({{.0, .1}, {.15, .25}}),
       0,
       .25,
       0.5,
       1,
       {{0, .1, .15}}},
      {"two rows, the gap in the lower one",
       Concat(Row({{.1, .2}, {.2, .3}, {.3, .4}}, .1, .3), Row({{.1, .2}, {.3, .4}}, .5, .7)),
       .1,
       .4,
       1,
       2,
       {{1, .2, .3}}},
      {"a short row has an end gap against the shelf extent",
       Concat(Row({{.1, .2}, {.2, .3}, {.3, .4}}, .1, .3), Row({{.1, .2}}, .5, .7)),
       .1,
       .4,
       1,
       2,
       {{1, .2, .4}}},
      {"no boxes, no rows", {}, 0, 1, 1, 0, {}},
      {"class-agnostic single box fills the extent", Row({{.2, .6}}), .2, .6, 1, 1, {}},
  };
  for (const GapCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<ShelfRow> rows = GroupRows(c.boxes, 0.5);
    ASSERT_EQ(rows.size(), c.rows);
    const std::vector<Gap> gaps =
        FindGaps(c.boxes, rows, c.extent_x1, c.extent_x2, c.min_gap_facings);
    ASSERT_EQ(gaps.size(), c.gaps.size());
    for (size_t i = 0; i < gaps.size(); ++i) {
      EXPECT_EQ(gaps[i].shelf_row, c.gaps[i].row);
      EXPECT_NEAR(gaps[i].box.x1, c.gaps[i].x1, 1e-12);
      EXPECT_NEAR(gaps[i].box.x2, c.gaps[i].x2, 1e-12);
      const ShelfRow& row = rows[gaps[i].shelf_row];
      EXPECT_DOUBLE_EQ(gaps[i].box.y1, row.y1);
      EXPECT_DOUBLE_EQ(gaps[i].box.y2, row.y2);
      EXPECT_NEAR(gaps[i].facings, (c.gaps[i].x2 - c.gaps[i].x1) / row.facing_width, 1e-9);
    }
  }
}

TEST(GapsTest, RowsFollowVerticalOverlap) {
  // Heights 0.2: an overlap of exactly half joins, a little less starts a new row.
  const std::vector<Rect> joins = {{0, .1, .1, .3}, {.1, .2, .2, .4}};
  EXPECT_EQ(GroupRows(joins, 0.5).size(), 1u);
  const std::vector<Rect> splits = {{0, .1, .1, .3}, {.1, .201, .2, .401}};
  EXPECT_EQ(GroupRows(splits, 0.5).size(), 2u);
  EXPECT_EQ(GroupRows(splits, 0.4).size(), 1u);
}

TEST(GapsTest, SmallerHeightDecidesTheOverlap) {
  // A short box fully inside a tall row's band belongs to it.
  const std::vector<Rect> boxes = {{0, .1, .1, .5}, {.1, .1, .2, .5}, {.2, .3, .25, .4}};
  const auto rows = GroupRows(boxes, 0.9);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].detections, (std::vector<int>{0, 1, 2}));
}

TEST(GapsTest, RowsTopToBottomBoxesLeftToRight) {
  const std::vector<Rect> boxes = {
      {.5, .6, .6, .8}, {.1, .1, .2, .3}, {.0, .62, .1, .79}, {.3, .12, .4, .31}};
  const auto rows = GroupRows(boxes, 0.5);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].detections, (std::vector<int>{1, 3}));
  EXPECT_EQ(rows[1].detections, (std::vector<int>{2, 0}));
  EXPECT_NEAR(rows[0].y1, 0.11, 1e-12);
  EXPECT_NEAR(rows[0].y2, 0.305, 1e-12);
  EXPECT_NEAR(rows[1].facing_width, 0.1, 1e-12);
}

TEST(GapsTest, StaggeredShelvesOfDifferentHeights) {
  // Three shelf levels; products of each level differ slightly in height and top.
  std::vector<Rect> boxes;
  for (int level = 0; level < 3; ++level) {
    const double top = 0.05 + level * 0.3;
    for (int i = 0; i < 8; ++i) {
      if (level == 1 && (i == 3 || i == 4)) continue;  // two facings gone on the middle level
      const double jitter = (i % 3) * 0.01;
      boxes.push_back({i * 0.1, top + jitter, i * 0.1 + 0.09, top + 0.22 - jitter});
    }
  }
  const auto rows = GroupRows(boxes, 0.5);
  ASSERT_EQ(rows.size(), 3u);
  const auto gaps = FindGaps(boxes, rows, 0, 0.79, 1);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].shelf_row, 1);
  EXPECT_NEAR(gaps[0].box.x1, 0.29, 1e-12);
  EXPECT_NEAR(gaps[0].box.x2, 0.5, 1e-12);
  EXPECT_NEAR(gaps[0].facings, 0.21 / 0.09, 1e-9);
}

}  // namespace
}  // namespace vs::compliance
