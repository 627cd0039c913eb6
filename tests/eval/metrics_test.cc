#include "eval/metrics.h"

#include <gtest/gtest.h>

namespace vs::eval {
namespace {

GroundTruth Truth(int cls, double x, double y, double w, double h, bool crowd = false) {
  return {cls, {x, y, w, h}, crowd};
}
Prediction Pred(int cls, double score, double x, double y, double w, double h) {
  return {cls, score, {x, y, w, h}};
}

TEST(Thresholds, AreTheCocoOnes) {
  const auto t = IouThresholds();
  EXPECT_DOUBLE_EQ(t.front(), 0.5);
  EXPECT_DOUBLE_EQ(t[1], 0.55);
  EXPECT_DOUBLE_EQ(t.back(), 0.95);
  const auto r = RecallThresholds();
  EXPECT_EQ(r.size(), 101u);
  EXPECT_DOUBLE_EQ(r[37], 0.37);
  EXPECT_EQ(r.back(), 1.0);
}

TEST(Iou, OverlapAndCrowd) {
  EXPECT_DOUBLE_EQ(Iou({0, 0, 10, 10}, {5, 0, 10, 10}, false), 50.0 / 150.0);
  // Crowd: the intersection over the prediction's own area.
  EXPECT_DOUBLE_EQ(Iou({0, 0, 10, 10}, {5, 0, 100, 100}, true), 0.5);
  EXPECT_EQ(Iou({0, 0, 10, 10}, {10, 0, 10, 10}, false), 0.0);  // touching edges
}

TEST(Evaluate, PerfectPredictionsScoreOne) {
  std::vector<ImageResult> images = {{{Truth(0, 0, 0, 10, 10), Truth(1, 50, 50, 20, 20)},
                                      {Pred(0, 0.9, 0, 0, 10, 10), Pred(1, 0.8, 50, 50, 20, 20)}}};
  auto m = Evaluate(images, {.num_classes = 3});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_DOUBLE_EQ(*m->map50, 1.0);
  EXPECT_DOUBLE_EQ(*m->map50_95, 1.0);
  EXPECT_EQ(m->classes_with_truth, 2);
  EXPECT_FALSE(m->classes[2].ap50.has_value());  // no ground truth: no AP, out of the mean
  EXPECT_EQ(m->tp, 2);
  EXPECT_DOUBLE_EQ(m->f1, 1.0);
}

TEST(Evaluate, FalsePositiveRankedFirstHalvesEarlyPrecision) {
  // Ranking: FP (0.9), TP (0.8). Recall 0 -> precision envelope 0.5; recall reaches 1 at the
  // second prediction with precision 0.5. All 101 points read 0.5.
  std::vector<ImageResult> images = {
      {{Truth(0, 0, 0, 10, 10)}, {Pred(0, 0.9, 50, 50, 10, 10), Pred(0, 0.8, 0, 0, 10, 10)}}};
  auto m = Evaluate(images, {.num_classes = 1, .conf_threshold = 0.85});
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(*m->map50, 0.5, 1e-12);
  // At confidence 0.85 only the false positive counts.
  EXPECT_EQ(m->tp, 0);
  EXPECT_EQ(m->fp, 1);
  EXPECT_EQ(m->fn, 1);
  EXPECT_EQ(m->precision, 0.0);
}

TEST(Evaluate, HalfRecallGivesHalfTheCurve) {
  // Two truths, one found: precision 1 up to recall 0.5, nothing beyond -> 51 of 101 points.
  std::vector<ImageResult> images = {
      {{Truth(0, 0, 0, 10, 10), Truth(0, 40, 40, 10, 10)}, {Pred(0, 0.9, 0, 0, 10, 10)}}};
  auto m = Evaluate(images, {.num_classes = 1});
  ASSERT_TRUE(m.ok());
  EXPECT_NEAR(*m->map50, 51.0 / 101.0, 1e-12);
  EXPECT_DOUBLE_EQ(m->recall, 0.5);
  EXPECT_DOUBLE_EQ(m->precision, 1.0);
}

TEST(Evaluate, MatchesOnlyAtThresholdsUpToTheIou) {
  // Shifted by 1.6: IoU 84/116 = 0.724, so matched at 0.50 .. 0.70 (5 of 10 thresholds).
  std::vector<ImageResult> images = {{{Truth(0, 0, 0, 10, 10)}, {Pred(0, 0.9, 1.6, 0, 10, 10)}}};
  auto m = Evaluate(images, {.num_classes = 1});
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(*m->map50, 1.0);
  EXPECT_NEAR(*m->map50_95, 0.5, 1e-12);
}

TEST(Evaluate, PredictionsOnCrowdAreNeitherTrueNorFalse) {
  std::vector<ImageResult> images = {
      {{Truth(0, 0, 0, 10, 10), Truth(0, 100, 100, 50, 50, /*crowd=*/true)},
       {Pred(0, 0.95, 110, 110, 10, 10), Pred(0, 0.9, 120, 120, 10, 10),
        Pred(0, 0.8, 0, 0, 10, 10)}}};
  auto m = Evaluate(images, {.num_classes = 1});
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(*m->map50, 1.0);
  EXPECT_EQ(m->tp, 1);
  EXPECT_EQ(m->fp, 0);
  EXPECT_EQ(m->truths, 1);
  EXPECT_EQ(m->crowd_truths, 1);
}

TEST(Evaluate, OnlyTheTopMaxDetsPerImageCount) {
  std::vector<ImageResult> images(1);
  images[0].truths = {Truth(0, 0, 0, 10, 10)};
  images[0].predictions = {Pred(0, 0.9, 50, 50, 5, 5), Pred(0, 0.8, 60, 60, 5, 5),
                           Pred(0, 0.1, 0, 0, 10, 10)};
  auto m = Evaluate(images, {.num_classes = 1, .conf_threshold = 0.0, .max_dets = 2});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m->map50, 0.0);  // the true positive was cut
  EXPECT_EQ(m->fp, 2);
  EXPECT_EQ(m->classes[0].predictions, 3);
}

TEST(Evaluate, AgnosticMergesClasses) {
  std::vector<ImageResult> images = {{{Truth(0, 0, 0, 10, 10)}, {Pred(1, 0.9, 0, 0, 10, 10)}}};
  auto by_class = Evaluate(images, {.num_classes = 2});
  ASSERT_TRUE(by_class.ok());
  EXPECT_EQ(*by_class->map50, 0.0);
  auto agnostic = Evaluate(images, {.num_classes = 2, .agnostic = true});
  ASSERT_TRUE(agnostic.ok());
  EXPECT_EQ(agnostic->classes.size(), 1u);
  EXPECT_DOUBLE_EQ(*agnostic->map50, 1.0);
}

TEST(Evaluate, NoGroundTruthAtAllHasNoMap) {
  std::vector<ImageResult> images = {{{}, {Pred(0, 0.9, 0, 0, 10, 10)}}};
  auto m = Evaluate(images, {.num_classes = 1});
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->map50.has_value());
  EXPECT_EQ(m->fp, 1);
}

TEST(Evaluate, RejectsBadInput) {
  EXPECT_EQ(Evaluate({{{Truth(3, 0, 0, 1, 1)}, {}}}, {.num_classes = 2}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Evaluate({{{}, {Pred(0, 0.5, 0, 0, -1, 1)}}}, {.num_classes = 1}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Evaluate({}, {.num_classes = 0}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vs::eval
