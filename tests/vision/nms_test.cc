#include "vision/nms.h"

#include <gtest/gtest.h>

namespace vs::vision {
namespace {

TEST(IoU, KnownValues) {
  EXPECT_FLOAT_EQ(IoU({0, 0, 10, 10}, {0, 0, 10, 10}), 1.f);
  EXPECT_FLOAT_EQ(IoU({0, 0, 10, 10}, {5, 0, 15, 10}), 50.f / 150.f);
  EXPECT_FLOAT_EQ(IoU({0, 0, 10, 10}, {10, 0, 20, 10}), 0.f);
  EXPECT_FLOAT_EQ(IoU({0, 0, 0, 10}, {0, 0, 10, 10}), 0.f);  // empty box
}

TEST(Nms, SuppressesOverlapsWithinAClassOnly) {
  std::vector<Candidate> c = {
      {0, 0.6f, {1, 0, 11, 10}},    // overlaps the 0.9 box of class 0 (IoU 0.82): dropped
      {0, 0.9f, {0, 0, 10, 10}},    // kept
      {1, 0.8f, {0, 0, 10, 10}},    // same place, other class: kept
      {0, 0.5f, {50, 50, 60, 60}},  // elsewhere: kept
      {0, 0.4f, {6, 0, 16, 10}},    // IoU with the 0.9 box 0.25 <= 0.45: kept
  };
  const auto kept = NmsPerClass(c, 0.45f, 100);
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_FLOAT_EQ(kept[1].score, 0.8f);
  EXPECT_EQ(kept[1].class_id, 1);
  EXPECT_FLOAT_EQ(kept[2].score, 0.5f);
  EXPECT_FLOAT_EQ(kept[3].score, 0.4f);
}

TEST(Nms, ThresholdIsStrict) {
  // IoU exactly 0.5 is not above a 0.5 threshold.
  std::vector<Candidate> c = {{0, 0.9f, {0, 0, 30, 10}}, {0, 0.8f, {10, 0, 40, 10}}};
  EXPECT_EQ(NmsPerClass(c, 0.5f, 10).size(), 2u);
  EXPECT_EQ(NmsPerClass(c, 0.49f, 10).size(), 1u);
}

TEST(Nms, CapsTheNumberOfDetections) {
  std::vector<Candidate> c;
  for (int i = 0; i < 50; ++i) c.push_back({0, 0.01f * i, {20.f * i, 0, 20.f * i + 10, 10}});
  const auto kept = NmsPerClass(c, 0.45f, 5);
  ASSERT_EQ(kept.size(), 5u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.49f);
  EXPECT_FLOAT_EQ(kept[4].score, 0.45f);
}

TEST(Nms, EmptyInput) { EXPECT_TRUE(NmsPerClass({}, 0.45f, 10).empty()); }

}  // namespace
}  // namespace vs::vision
