// src/eval/metrics.cc against tools/coco_reference.py, an independent NumPy implementation of the
// same protocol: random cases and edge cases, every figure equal within 1e-9.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "eval/metrics.h"

namespace vs::eval {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

struct Case {
  std::vector<ImageResult> images;
  EvalOptions options;
};

// COCO ids with gaps, ascending with the index, so ranking ties resolve alike on both sides.
int64_t ImageId(size_t i) { return 10 * int64_t(i) + 5; }
int64_t CategoryId(int k) { return 3 * k + 1; }

json Box(const BoxXywh& b) { return json::array({b.x, b.y, b.w, b.h}); }

// Runs the reference on the case written as COCO files; returns its JSON answer.
json RunReference(const Case& c) {
  json gt = {
      {"images", json::array()}, {"annotations", json::array()}, {"categories", json::array()}};
  json results = json::array();
  const int classes =
      c.options.agnostic ? std::max(1, c.options.num_classes) : c.options.num_classes;
  for (int k = 0; k < classes; ++k) {
    gt["categories"].push_back({{"id", CategoryId(k)}, {"name", "c" + std::to_string(k)}});
  }
  int64_t ann = 1;
  for (size_t i = 0; i < c.images.size(); ++i) {
    gt["images"].push_back(
        {{"id", ImageId(i)}, {"file_name", "x.jpg"}, {"width", 100}, {"height", 100}});
    for (const auto& g : c.images[i].truths) {
      gt["annotations"].push_back({{"id", ann++},
                                   {"image_id", ImageId(i)},
                                   {"category_id", CategoryId(g.class_id)},
                                   {"bbox", Box(g.box)},
                                   {"iscrowd", g.crowd ? 1 : 0}});
    }
    for (const auto& p : c.images[i].predictions) {
      results.push_back({{"image_id", ImageId(i)},
                         {"category_id", CategoryId(p.class_id)},
                         {"bbox", Box(p.box)},
                         {"score", p.score}});
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("vs-coco-ref-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "gt.json") << gt.dump();
  std::ofstream(dir / "results.json") << results.dump();
  std::ostringstream cmd;
  cmd << "/usr/bin/python3 " << VS_SOURCE_DIR << "/tools/coco_reference.py " << dir / "gt.json"
      << " " << dir / "results.json"
      << " --conf " << json(c.options.conf_threshold).dump() << " --max-dets " << c.options.max_dets
      << (c.options.agnostic ? " --agnostic" : "") << " > " << dir / "out.json";
  const int rc = std::system(cmd.str().c_str());
  EXPECT_EQ(rc, 0) << cmd.str();
  std::ifstream in(dir / "out.json");
  json out = rc == 0 ? json::parse(in) : json();
  fs::remove_all(dir);
  return out;
}

void ExpectClose(const std::optional<double>& ours, const json& ref, const std::string& what) {
  if (ref.is_null()) {
    EXPECT_FALSE(ours.has_value()) << what;
  } else {
    ASSERT_TRUE(ours.has_value()) << what;
    EXPECT_NEAR(*ours, ref.get<double>(), 1e-9) << what;
  }
}

void Compare(const Case& c, const std::string& name) {
  SCOPED_TRACE(name);
  auto ours = Evaluate(c.images, c.options);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  const json ref = RunReference(c);
  ASSERT_TRUE(ref.is_object());
  ExpectClose(ours->map50, ref["map50"], "map50");
  ExpectClose(ours->map50_95, ref["map50_95"], "map50_95");
  EXPECT_NEAR(ours->precision, ref["precision"].get<double>(), 1e-9);
  EXPECT_NEAR(ours->recall, ref["recall"].get<double>(), 1e-9);
  EXPECT_NEAR(ours->f1, ref["f1"].get<double>(), 1e-9);
  EXPECT_EQ(ours->tp, ref["tp"].get<int>());
  EXPECT_EQ(ours->fp, ref["fp"].get<int>());
  EXPECT_EQ(ours->fn, ref["fn"].get<int>());
  ASSERT_EQ(ours->classes.size(), ref["categories"].size());
  for (size_t k = 0; k < ours->classes.size(); ++k) {
    const auto& o = ours->classes[k];
    const json& r = ref["categories"][k];
    const std::string what = "class " + std::to_string(k);
    ExpectClose(o.ap50, r["ap50"], what + " ap50");
    ExpectClose(o.ap50_95, r["ap50_95"], what + " ap50_95");
    EXPECT_EQ(o.tp, r["tp"].get<int>()) << what;
    EXPECT_EQ(o.fp, r["fp"].get<int>()) << what;
    EXPECT_EQ(o.truths, r["truths"].get<int>()) << what;
  }
}

// Random ground truth, and predictions near it (jittered, duplicated) and elsewhere, with scores
// often drawn from a few values so that ties are common.
Case RandomCase(std::mt19937& rng) {
  auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  Case c;
  c.options.num_classes = 1 + pick(4);
  c.options.conf_threshold = std::array{0.0, 0.25, 0.5, 0.3}[size_t(pick(4))];
  c.options.agnostic = pick(5) == 0;
  c.options.max_dets = pick(4) == 0 ? 1 + pick(5) : 100;
  const bool tied = pick(2) == 0;
  auto score = [&] { return tied ? 0.1 * (1 + pick(9)) : uni(0, 1); };
  c.images.resize(size_t(1 + pick(8)));
  for (auto& image : c.images) {
    const int truths = pick(7);
    for (int i = 0; i < truths; ++i) {
      GroundTruth g{pick(c.options.num_classes),
                    {uni(0, 90), uni(0, 90), uni(2, 40), uni(2, 40)},
                    pick(8) == 0};
      image.truths.push_back(g);
      const int copies =
          pick(3);  // 0..2 predictions near each box (a duplicate is a false positive)
      for (int j = 0; j < copies; ++j) {
        const int cls = pick(6) == 0 ? pick(c.options.num_classes) : g.class_id;
        const double s = uni(-0.3, 0.3);
        image.predictions.push_back({cls,
                                     score(),
                                     {g.box.x + s * g.box.w, g.box.y + uni(-0.3, 0.3) * g.box.h,
                                      g.box.w * uni(0.7, 1.3), g.box.h * uni(0.7, 1.3)}});
      }
    }
    const int noise = pick(4);
    for (int i = 0; i < noise; ++i) {
      image.predictions.push_back(
          {pick(c.options.num_classes), score(), {uni(0, 90), uni(0, 90), uni(2, 40), uni(2, 40)}});
    }
  }
  return c;
}

TEST(CocoReference, RandomCases) {
  std::mt19937 rng(20261201);
  for (int i = 0; i < 50; ++i) Compare(RandomCase(rng), "random case " + std::to_string(i));
}

TEST(CocoReference, NoPredictions) {
  Case c;
  c.options.num_classes = 2;
  c.images = {{{{0, {0, 0, 10, 10}, false}, {1, {20, 20, 5, 5}, false}}, {}}, {{}, {}}};
  Compare(c, "no predictions");
}

TEST(CocoReference, ClassWithoutGroundTruth) {
  Case c;
  c.options.num_classes = 3;
  c.images = {{{{0, {0, 0, 10, 10}, false}},
               {{0, 0.9, {0, 0, 10, 10}}, {2, 0.8, {30, 30, 10, 10}}, {2, 0.4, {50, 50, 9, 9}}}}};
  Compare(c, "class 2 has predictions only, class 1 nothing");
}

TEST(CocoReference, CrowdedDuplicates) {
  Case c;
  c.options.num_classes = 1;
  ImageResult image;
  image.truths = {
      {0, {0, 0, 60, 60}, true}, {0, {10, 10, 20, 20}, false}, {0, {12, 12, 20, 20}, false}};
  for (int i = 0; i < 8; ++i) {  // identical boxes over the crowd and the two real boxes
    image.predictions.push_back({0, 0.9 - 0.05 * (i % 3), {11, 11, 20, 20}});
    image.predictions.push_back({0, 0.7, {40, 40, 10, 10}});
  }
  c.images = {image, image};
  Compare(c, "crowded duplicates");
}

TEST(CocoReference, ScoreTiesAcrossImages) {
  Case c;
  c.options.num_classes = 1;
  c.options.conf_threshold = 0.5;
  c.images = {
      {{{0, {0, 0, 10, 10}, false}}, {{0, 0.5, {50, 50, 10, 10}}, {0, 0.5, {0, 0, 10, 10}}}},
      {{{0, {0, 0, 10, 10}, false}}, {{0, 0.5, {0, 0, 10, 10}}, {0, 0.5, {60, 0, 10, 10}}}},
      {{}, {{0, 0.5, {0, 0, 10, 10}}}}};
  Compare(c, "ties");
}

TEST(CocoReference, EqualIouGoesToTheLaterTruth) {
  // The first prediction overlaps both truths equally (IoU 2/3); taking the later one leaves the
  // earlier one for the second prediction, which overlaps nothing else.
  Case c;
  c.options.num_classes = 1;
  c.images = {{{{0, {0, 0, 10, 10}, false}, {0, {4, 0, 10, 10}, false}},
               {{0, 0.9, {2, 0, 10, 10}}, {0, 0.8, {-2, 0, 10, 10}}}}};
  Compare(c, "equal IoU");
}

TEST(CocoReference, OnlyCrowdGroundTruth) {
  Case c;
  c.options.num_classes = 1;
  c.images = {
      {{{0, {0, 0, 50, 50}, true}}, {{0, 0.9, {5, 5, 10, 10}}, {0, 0.8, {70, 70, 10, 10}}}}};
  Compare(c, "crowd only: no AP, one false positive");
}

}  // namespace
}  // namespace vs::eval
