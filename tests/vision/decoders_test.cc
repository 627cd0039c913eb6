#include <gtest/gtest.h>

#include <vector>

#include "vision/layout.h"

namespace vs::vision {
namespace {

void ExpectBoxNear(const Box& a, const Box& b, float tol = 1e-3f) {
  EXPECT_NEAR(a.x1, b.x1, tol);
  EXPECT_NEAR(a.y1, b.y1, tol);
  EXPECT_NEAR(a.x2, b.x2, tol);
  EXPECT_NEAR(a.y2, b.y2, tol);
}

TEST(PlanOutputs, NanoDet416) {
  const std::vector<Shape> shapes = {{1, 2704, 80}, {1, 676, 80}, {1, 169, 80},
                                     {1, 2704, 44}, {1, 676, 44}, {1, 169, 44}};
  auto plan = PlanOutputs(shapes, 416, 416);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->layout, Layout::kNanoDet);
  EXPECT_EQ(plan->num_classes, 80);
  EXPECT_EQ(plan->reg_max, 10);
  ASSERT_EQ(plan->heads.size(), 3u);
  const int strides[3] = {8, 16, 32}, grids[3] = {52, 26, 13}, scores[3] = {0, 1, 2};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(plan->heads[size_t(i)].stride, strides[i]);
    EXPECT_EQ(plan->heads[size_t(i)].grid_w, grids[i]);
    EXPECT_EQ(plan->heads[size_t(i)].scores_output, scores[i]);
    EXPECT_EQ(plan->heads[size_t(i)].boxes_output, scores[i] + 3);
  }
}

TEST(PlanOutputs, YoloLayoutsAt640) {
  auto v8 = PlanOutputs({{1, 84, 8400}}, 640, 640);
  ASSERT_TRUE(v8.ok());
  EXPECT_EQ(v8->layout, Layout::kYoloV8);
  EXPECT_EQ(v8->num_classes, 80);
  auto v5 = PlanOutputs({{1, 25200, 85}}, 640, 640);
  ASSERT_TRUE(v5.ok());
  EXPECT_EQ(v5->layout, Layout::kYoloV5);
  EXPECT_EQ(v5->num_classes, 80);
  auto v5_one_class = PlanOutputs({{1, 25200, 6}}, 640, 640);  // not mistaken for end-to-end
  ASSERT_TRUE(v5_one_class.ok());
  EXPECT_EQ(v5_one_class->layout, Layout::kYoloV5);
  auto e2e = PlanOutputs({{1, 300, 6}}, 640, 640);
  ASSERT_TRUE(e2e.ok());
  EXPECT_EQ(e2e->layout, Layout::kEndToEnd);
  EXPECT_EQ(e2e->rows, 300);
}

TEST(PlanOutputs, RejectsUnknownLayouts) {
  for (const std::vector<Shape>& s :
       std::vector<std::vector<Shape>>{{},
                                       {{1, 4}},
                                       {{2, 84, 8400}},
                                       {{1, 3, 4}},
                                       {{1, 84, 8400}, {1, 32, 160, 160}},
                                       {{1, 2704, 80},
                                        {1, 676, 80},
                                        {1, 169, 80},
                                        {1, 2704, 44},
                                        {1, 676, 44},
                                        {1, 170, 44}}}) {
    auto plan = PlanOutputs(s, 416, 416);
    EXPECT_FALSE(plan.ok()) << ShapesToString(s);
    if (!plan.ok()) {
      EXPECT_EQ(plan.status().code(), Code::kUnavailable);
    }
  }
}

// NanoDet at a 32x32 input: strides 8, 16, 32 -> 16, 4 and 1 cells; 2 classes, reg_max 3.
TEST(DecodeNanoDet, ExpectationOfBinDistributions) {
  const std::vector<Shape> shapes = {{1, 16, 2},  {1, 4, 2},  {1, 1, 2},
                                     {1, 16, 16}, {1, 4, 16}, {1, 1, 16}};
  auto plan = PlanOutputs(shapes, 32, 32);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<std::vector<float>> data;
  for (const Shape& s : shapes) data.emplace_back(size_t(s[1] * s[2]), 0.f);
  for (auto& v : data) std::fill(v.begin(), v.end(), -50.f);  // box logits: one-hot via 50
  for (int i = 0; i < 3; ++i) std::fill(data[size_t(i)].begin(), data[size_t(i)].end(), 0.01f);

  // Stride 8, cell 5 (row 1, col 1; centre 12,12): class 1 score 0.9, distances 1,2,3,0 bins.
  data[0][5 * 2 + 1] = 0.9f;
  float* d = &data[3][5 * 16];
  const int bins[4] = {1, 2, 3, 0};
  for (int side = 0; side < 4; ++side) d[side * 4 + bins[side]] = 50.f;
  // Stride 32, only cell (centre 16,16): class 0 score 0.5, uniform bins -> 1.5 bins each side.
  data[2][0] = 0.5f;
  std::fill(data[5].begin(), data[5].end(), 0.f);

  std::vector<const float*> ptrs;
  for (auto& v : data) ptrs.push_back(v.data());
  auto c = DecodeNanoDet(*plan, ptrs, 0.3f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].class_id, 1);
  EXPECT_FLOAT_EQ(c[0].score, 0.9f);
  ExpectBoxNear(c[0].box, {12 - 8, 12 - 16, 12 + 24, 12 + 0});
  EXPECT_EQ(c[1].class_id, 0);
  ExpectBoxNear(c[1].box, {16 - 48, 16 - 48, 16 + 48, 16 + 48});
  EXPECT_TRUE(DecodeNanoDet(*plan, ptrs, 0.95f).empty());
}

TEST(DecodeYoloV5, ObjectnessTimesClassScore) {
  auto plan = PlanOutputs({{1, 3 * 84, 7}}, 64, 64);  // 2 classes
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->layout, Layout::kYoloV5);
  std::vector<float> out(size_t(3 * 84 * 7), 0.f);
  const float row3[7] = {32, 20, 10, 8, 0.8f, 0.1f, 0.9f};  // score 0.72, class 1
  const float row9[7] = {5, 5, 4, 4, 0.2f, 1.0f, 0.0f};     // objectness below threshold
  const float row11[7] = {5, 5, 4, 4, 0.5f, 0.4f, 0.1f};    // 0.5 * 0.4 = 0.2 below 0.25
  std::copy(row3, row3 + 7, &out[3 * 7]);
  std::copy(row9, row9 + 7, &out[9 * 7]);
  std::copy(row11, row11 + 7, &out[11 * 7]);
  auto c = DecodeYoloV5(*plan, out.data(), 0.25f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].class_id, 1);
  EXPECT_FLOAT_EQ(c[0].score, 0.72f);
  ExpectBoxNear(c[0].box, {27, 16, 37, 24});
}

TEST(DecodeYoloV8, ChannelMajorColumns) {
  auto plan = PlanOutputs({{1, 4 + 3, 84}}, 64, 64);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->layout, Layout::kYoloV8);
  const int n = 84;
  std::vector<float> out(size_t(7 * n), 0.f);
  auto set = [&](int col, std::vector<float> v) {
    for (size_t ch = 0; ch < v.size(); ++ch) out[ch * n + size_t(col)] = v[ch];
  };
  set(40, {10, 20, 6, 4, 0.1f, 0.2f, 0.7f});
  set(83, {50, 50, 20, 20, 0.3f, 0.0f, 0.0f});
  set(0, {1, 1, 1, 1, 0.2f, 0.1f, 0.0f});
  auto c = DecodeYoloV8(*plan, out.data(), 0.25f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].class_id, 2);
  EXPECT_FLOAT_EQ(c[0].score, 0.7f);
  ExpectBoxNear(c[0].box, {7, 18, 13, 22});
  EXPECT_EQ(c[1].class_id, 0);
  ExpectBoxNear(c[1].box, {40, 40, 60, 60});
}

TEST(DecodeEndToEnd, CornersScoreClass) {
  auto plan = PlanOutputs({{1, 4, 6}}, 640, 640);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->layout, Layout::kEndToEnd);
  const std::vector<float> out = {10, 20, 30, 40, 0.9f, 3,   //
                                  0,  0,  5,  5,  0.1f, 1,   // below threshold
                                  1,  2,  3,  4,  0.5f, 0,   //
                                  0,  0,  0,  0,  0.0f, 0};  // empty slot
  auto c = DecodeEndToEnd(*plan, out.data(), 0.25f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].class_id, 3);
  ExpectBoxNear(c[0].box, {10, 20, 30, 40});
  EXPECT_EQ(c[1].class_id, 0);
  EXPECT_FLOAT_EQ(c[1].score, 0.5f);
}

}  // namespace
}  // namespace vs::vision
