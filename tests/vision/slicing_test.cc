// Sliced inference: tile planning and merging on exact boxes, and the bundled model on a mosaic
// of real photos (the tiled pass must find objects the full-frame pass misses) and on a photo no
// larger than the input (both passes must agree).
#include "vision/slicing.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace vs::vision {
namespace {

Detection Det(int cls, float conf, float x1, float y1, float x2, float y2) {
  Detection d;
  d.class_id = cls;
  d.class_name = "c" + std::to_string(cls);
  d.confidence = conf;
  d.box = {x1, y1, x2, y2};
  return d;
}

TEST(PlanTiles, OffAndAutoOnSmallPhotosPlanNothing) {
  SliceOptions o;
  EXPECT_TRUE(PlanTiles(4000, 3000, 416, 416, o).empty());
  o.mode = SliceMode::kAuto;
  EXPECT_TRUE(PlanTiles(800, 600, 416, 416, o).empty()) << "not 2x larger than the input";
  EXPECT_FALSE(PlanTiles(1000, 600, 416, 416, o).empty());
}

TEST(PlanTiles, TilesCoverThePhotoWithOverlapAndStayInside) {
  for (auto mode : {SliceMode::kAuto, SliceMode::kGrid}) {
    SliceOptions o;
    o.mode = mode;
    o.cols = 3;
    o.rows = 2;
    o.overlap = 0.2f;
    const int w = 4000, h = 3000;
    const auto tiles = PlanTiles(w, h, 416, 416, o);
    ASSERT_FALSE(tiles.empty());
    if (mode == SliceMode::kGrid) {
      EXPECT_EQ(tiles.size(), 6u);
    }
    cv::Mat covered(h, w, CV_8U, cv::Scalar(0));
    for (const Tile& t : tiles) {
      EXPECT_GE(t.x, 0);
      EXPECT_GE(t.y, 0);
      EXPECT_LE(t.x + t.width, w);
      EXPECT_LE(t.y + t.height, h);
      covered(cv::Rect(t.x, t.y, t.width, t.height)).setTo(1);
    }
    EXPECT_EQ(cv::countNonZero(covered), w * h) << SliceModeName(mode);
    // Horizontal neighbours share at least the overlap.
    for (size_t i = 0; i + 1 < tiles.size(); ++i) {
      if (tiles[i + 1].y != tiles[i].y) continue;
      EXPECT_GE(tiles[i].x + tiles[i].width - tiles[i + 1].x, int(0.2f * tiles[i].width) - 1);
    }
  }
}

TEST(MergeSliced, JoinsABoxCutByATileEdge) {
  // Two tiles side by side sharing x 400..500; an object spanning x 350..650 is seen as two
  // parts, each reaching its tile's edge.
  const std::vector<Tile> tiles = {{0, 0, 500, 500}, {400, 0, 500, 500}};
  std::vector<PassDetection> all = {{Det(1, 0.8f, 350, 100, 500, 200), 0},
                                    {Det(1, 0.6f, 400, 102, 650, 198), 1}};
  const auto out = MergeSliced(all, tiles, 100, 0.5f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FLOAT_EQ(out[0].box.x1, 350);
  EXPECT_FLOAT_EQ(out[0].box.x2, 650);
  EXPECT_FLOAT_EQ(out[0].box.y1, 100);
  EXPECT_FLOAT_EQ(out[0].box.y2, 200);
  EXPECT_FLOAT_EQ(out[0].confidence, 0.8f);
}

TEST(MergeSliced, KeepsDistinctObjectsAndOtherClasses) {
  const std::vector<Tile> tiles = {{0, 0, 500, 500}, {400, 0, 500, 500}};
  // Same edge, but not lined up (different rows), and another class lined up.
  std::vector<PassDetection> all = {{Det(1, 0.8f, 350, 100, 500, 200), 0},
                                    {Det(1, 0.7f, 400, 300, 650, 400), 1},
                                    {Det(2, 0.6f, 400, 100, 650, 200), 1}};
  EXPECT_EQ(MergeSliced(all, tiles, 100, 0.5f).size(), 3u);
}

TEST(MergeSliced, RemovesDuplicatesAndPartsSeenWhole) {
  const std::vector<Tile> tiles = {{0, 0, 500, 500}, {400, 0, 500, 500}};
  std::vector<PassDetection> all = {
      {Det(1, 0.9f, 100, 100, 300, 300), -1},  // full frame
      {Det(1, 0.7f, 102, 101, 298, 301), 0},   // the same object in a tile: NMS
      {Det(1, 0.5f, 150, 150, 250, 290), 1},   // a part of it, inside: dropped
      {Det(1, 0.4f, 600, 100, 700, 200), 1}};  // another object
  const auto out = MergeSliced(all, tiles, 100, 0.5f);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].confidence, 0.9f);
  EXPECT_FLOAT_EQ(out[1].confidence, 0.4f);
  EXPECT_EQ(MergeSliced(all, tiles, 1, 0.5f).size(), 1u) << "max_detections";
}

// Tiles along each axis (distinct x and y starts).
std::pair<size_t, size_t> Grid(const std::vector<Tile>& tiles) {
  std::set<int> xs, ys;
  for (const Tile& t : tiles) {
    xs.insert(t.x);
    ys.insert(t.y);
  }
  return {xs.size(), ys.size()};
}

void ExpectCovered(const std::vector<Tile>& tiles, int w, int h, float overlap) {
  cv::Mat covered(h, w, CV_8U, cv::Scalar(0));
  for (const Tile& t : tiles) {
    ASSERT_GE(t.x, 0);
    ASSERT_GE(t.y, 0);
    ASSERT_LE(t.x + t.width, w);
    ASSERT_LE(t.y + t.height, h);
    covered(cv::Rect(t.x, t.y, t.width, t.height)).setTo(1);
  }
  EXPECT_EQ(cv::countNonZero(covered), w * h);
  for (size_t i = 0; i + 1 < tiles.size(); ++i) {
    if (tiles[i + 1].y != tiles[i].y) continue;
    EXPECT_GE(tiles[i].x + tiles[i].width - tiles[i + 1].x, int(overlap * tiles[i].width) - 1);
  }
}

TEST(PlanTiles, AutoIsCappedAtMaxTilesByCoarseningTheGrid) {
  SliceOptions o;
  o.mode = SliceMode::kAuto;
  o.max_tiles = 256;  // no cap in effect: tiles of the input's size
  const auto fine = PlanTiles(4000, 3000, 416, 416, o);
  EXPECT_EQ(fine.size(), 12u * 9u);
  EXPECT_EQ(fine[0].width, 416);

  o = {};
  o.mode = SliceMode::kAuto;
  EXPECT_EQ(o.max_tiles, 16) << "documented default";
  for (auto [w, h] : {std::pair{4000, 3000}, std::pair{12000, 9000}, std::pair{20000, 1000}}) {
    const auto tiles = PlanTiles(w, h, 416, 416, o);
    ASSERT_FALSE(tiles.empty());
    EXPECT_LE(tiles.size(), 16u) << w << "x" << h;
    EXPECT_GE(tiles.size(), 10u) << "coarsened only as far as needed: " << w << "x" << h;
    const auto [nx, ny] = Grid(tiles);
    EXPECT_EQ(nx * ny, tiles.size());
    // Tiles keep the input's (square) shape unless the photo's side bounds them.
    if (tiles[0].height < h) {
      EXPECT_NEAR(tiles[0].width, tiles[0].height, 1) << w << "x" << h;
    }
    ExpectCovered(tiles, w, h, o.overlap);
  }
  // The shape of the grid follows the photo: 4000x3000 -> 5x3 (from 12x9), 20000x1000 -> 16x1.
  EXPECT_EQ(Grid(PlanTiles(4000, 3000, 416, 416, o)), (std::pair<size_t, size_t>{5, 3}));
  EXPECT_EQ(Grid(PlanTiles(20000, 1000, 416, 416, o)), (std::pair<size_t, size_t>{16, 1}));
  o.max_tiles = 1;
  const auto one = PlanTiles(4000, 3000, 416, 416, o);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].width, 4000);
  EXPECT_EQ(one[0].height, 3000);
  // The cap is for auto only: a grid asks for its tiles by number.
  o.mode = SliceMode::kGrid;
  o.cols = o.rows = 16;
  o.max_tiles = 4;
  EXPECT_EQ(PlanTiles(4000, 3000, 416, 416, o).size(), 256u);
}

TEST(SliceOptions, Validation) {
  SliceOptions o;
  EXPECT_TRUE(ValidateSliceOptions(o).ok());
  o.overlap = 0.7f;
  EXPECT_FALSE(ValidateSliceOptions(o).ok());
  o = {};
  o.cols = 0;
  EXPECT_FALSE(ValidateSliceOptions(o).ok());
  o = {};
  o.max_tiles = 0;
  EXPECT_FALSE(ValidateSliceOptions(o).ok());
  o.max_tiles = 257;
  EXPECT_FALSE(ValidateSliceOptions(o).ok());
  EXPECT_FALSE(ParseSliceMode("sometimes").ok());
  EXPECT_EQ(*ParseSliceMode("auto"), SliceMode::kAuto);
}

class SlicedModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    DetectorConfig c;
    c.model_path = VS_BUNDLED_MODEL;
    c.confidence_threshold = 0.35f;
    auto d = Detector::Load(c);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    detector_ = std::move(d).value().release();
  }
  static void TearDownTestSuite() { delete detector_; }
  static DecodedImage Image(const cv::Mat& bgr) {
    DecodedImage im;
    im.bgr = bgr;
    im.format = ImageFormat::kJpeg;
    im.width = bgr.cols;
    im.height = bgr.rows;
    return im;
  }
  static Detector* detector_;
};
Detector* SlicedModel::detector_ = nullptr;

// 16 real photos (Debian darknet's six, repeated) in a 4x4 mosaic of 416 px cells: the full-frame
// pass sees each photo at a quarter of the model's input; the tiled pass sees each at about full
// size. What the model finds in each photo alone is the reference.
TEST_F(SlicedModel, TiledPassFindsObjectsTheFullFramePassMissesOnAMosaic) {
  const std::vector<std::string> names = {"dog", "eagle", "giraffe", "horses", "kite", "person"};
  constexpr int kCell = 416;
  cv::Mat mosaic(4 * kCell, 4 * kCell, CV_8UC3);
  std::set<std::tuple<int, int>> reference;  // (cell, class)
  for (int cell = 0; cell < 16; ++cell) {
    cv::Mat photo = cv::imread(std::string(VS_DARKNET_DATA) + "/" + names[cell % 6] + ".jpg");
    ASSERT_FALSE(photo.empty());
    cv::Mat resized;
    cv::resize(photo, resized, {kCell, kCell}, 0, 0, cv::INTER_AREA);
    resized.copyTo(mosaic(cv::Rect((cell % 4) * kCell, (cell / 4) * kCell, kCell, kCell)));
    auto alone = detector_->Detect(Image(resized));
    ASSERT_TRUE(alone.ok());
    for (const auto& d : alone->detections) reference.insert({cell, d.class_id});
  }
  ASSERT_GE(reference.size(), 16u);
  auto found = [&](const std::vector<Detection>& dets) {
    std::set<std::tuple<int, int>> hit;
    for (const auto& d : dets) {
      const int col = int((d.box.x1 + d.box.x2) / 2) / kCell;
      const int row = int((d.box.y1 + d.box.y2) / 2) / kCell;
      const std::tuple<int, int> key{row * 4 + col, d.class_id};
      if (reference.count(key)) hit.insert(key);
    }
    return hit.size();
  };
  auto full = detector_->Detect(Image(mosaic));
  ASSERT_TRUE(full.ok());
  SliceOptions o;
  o.mode = SliceMode::kAuto;
  auto tiled = DetectSliced(*detector_, Image(mosaic), o);
  ASSERT_TRUE(tiled.ok()) << tiled.status().ToString();
  const size_t full_hits = found(full->detections), tiled_hits = found(tiled->detections);
  std::printf("reference %zu (cell, class) pairs; full frame finds %zu, tiled %zu\n",
              reference.size(), full_hits, tiled_hits);
  EXPECT_GT(tiled_hits, full_hits + reference.size() / 4);
  EXPECT_GE(tiled_hits * 10, reference.size() * 6);
}

// The same mosaic, sliced, through the bundled model rewritten with a dynamic batch: the tiles
// and the full frame run in batches of 8 (3 Run calls for 16 tiles + 1) or one at a time, with
// the same detections within float rounding.
TEST_F(SlicedModel, BatchedTilesGiveTheDetectionsOfOneAtATime) {
  const std::vector<std::string> names = {"dog", "eagle", "giraffe", "horses", "kite", "person"};
  constexpr int kCell = 416;
  cv::Mat mosaic(4 * kCell, 4 * kCell, CV_8UC3);
  for (int cell = 0; cell < 16; ++cell) {
    cv::Mat photo = cv::imread(std::string(VS_DARKNET_DATA) + "/" + names[cell % 6] + ".jpg");
    ASSERT_FALSE(photo.empty());
    cv::Mat resized;
    cv::resize(photo, resized, {kCell, kCell}, 0, 0, cv::INTER_AREA);
    resized.copyTo(mosaic(cv::Rect((cell % 4) * kCell, (cell / 4) * kCell, kCell, kCell)));
  }
  std::string labels = VS_BUNDLED_MODEL;
  labels.replace(labels.size() - 5, 5, ".names");
  SliceOptions o;
  o.mode = SliceMode::kAuto;
  std::vector<std::vector<Detection>> results;
  for (int max_batch : {1, 8}) {
    DetectorConfig c;
    c.model_path = std::string(VS_BATCH_MODELS) + "/nanodet-416-dynamic.onnx";
    c.labels_path = labels;
    c.confidence_threshold = 0.35f;
    c.max_batch = max_batch;
    auto d = Detector::Load(c);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ASSERT_EQ((*d)->info().batch, 0) << "dynamic batch";
    auto out = DetectSliced(**d, Image(mosaic), o);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    results.push_back(out->detections);
  }
  auto plain = DetectSliced(*detector_, Image(mosaic), o);  // the fixed-batch bundled model
  ASSERT_TRUE(plain.ok());
  ASSERT_GE(results[0].size(), 10u);
  for (const auto& other : {results[1], plain->detections}) {
    ASSERT_EQ(other.size(), results[0].size());
    for (size_t k = 0; k < other.size(); ++k) {
      EXPECT_EQ(other[k].class_id, results[0][k].class_id) << k;
      EXPECT_NEAR(other[k].confidence, results[0][k].confidence, 1e-4) << k;
      EXPECT_NEAR(other[k].box.x1, results[0][k].box.x1, 0.05) << k;
      EXPECT_NEAR(other[k].box.y1, results[0][k].box.y1, 0.05) << k;
      EXPECT_NEAR(other[k].box.x2, results[0][k].box.x2, 0.05) << k;
      EXPECT_NEAR(other[k].box.y2, results[0][k].box.y2, 0.05) << k;
    }
  }
}

TEST_F(SlicedModel, OnAPhotoNoLargerThanTheInputBothPassesAgree) {
  cv::Mat photo = cv::imread(std::string(VS_DARKNET_DATA) + "/dog.jpg");
  ASSERT_FALSE(photo.empty());
  cv::Mat small;
  cv::resize(photo, small, {416, 312}, 0, 0, cv::INTER_AREA);
  auto full = detector_->Detect(Image(small));
  ASSERT_TRUE(full.ok());
  ASSERT_FALSE(full->detections.empty());
  for (SliceMode mode : {SliceMode::kAuto, SliceMode::kGrid}) {
    SliceOptions o;
    o.mode = mode;
    o.cols = o.rows = 1;  // grid: the one tile is the photo
    o.full_frame = mode == SliceMode::kAuto;
    auto sliced = DetectSliced(*detector_, Image(small), o);
    ASSERT_TRUE(sliced.ok());
    ASSERT_EQ(sliced->detections.size(), full->detections.size()) << SliceModeName(mode);
    for (size_t i = 0; i < full->detections.size(); ++i) {
      const auto& a = full->detections[i];
      const auto& b = sliced->detections[i];
      EXPECT_EQ(a.class_id, b.class_id);
      EXPECT_NEAR(a.confidence, b.confidence, 1e-6);
      EXPECT_NEAR(a.box.x1, b.box.x1, 1e-3);
      EXPECT_NEAR(a.box.y2, b.box.y2, 1e-3);
    }
  }
}

}  // namespace
}  // namespace vs::vision
