// Gaps on a real photo through the real detector. board.jpg (OpenCV's sample data, 640x480) shows
// a circuit board with a row of three large capacitors at the left, which the bundled COCO model
// reports as "clock"; painting the middle one over leaves an empty facing in that row.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "compliance/compliance.h"
#include "vision/detector.h"

namespace vs::compliance {
namespace {

const std::string kPhoto = std::string(VS_OPENCV_DATA) + "/board.jpg";
const Rect kPainted{0.12, 0.30, 0.19, 0.395};  // the middle capacitor, normalised

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

// The photo with `r` filled with the mean colour of a band around it, encoded as PNG.
std::vector<uint8_t> PaintOver(const std::vector<uint8_t>& jpeg, const Rect& r) {
  cv::Mat img = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  const cv::Rect box(cvRound(r.x1 * img.cols), cvRound(r.y1 * img.rows),
                     cvRound((r.x2 - r.x1) * img.cols), cvRound((r.y2 - r.y1) * img.rows));
  const cv::Rect ring =
      (box + cv::Size(16, 16) - cv::Point(8, 8)) & cv::Rect(0, 0, img.cols, img.rows);
  cv::Mat mask(img.size(), CV_8U, cv::Scalar(0));
  mask(ring).setTo(255);
  mask(box).setTo(0);
  img(box).setTo(cv::mean(img, mask));
  std::vector<uint8_t> png;
  cv::imencode(".png", img, png);
  return png;
}

class GapsOnPhoto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    vision::DetectorConfig c;
    c.model_path = VS_BUNDLED_MODEL;
    c.threads = 1;
    auto d = vision::Detector::Load(c);
    if (d.ok()) {
      detector_ = std::move(d).value().release();
    } else {
      load_error_ = new std::string(d.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete detector_;
    delete load_error_;
  }
  // Fails (rather than skips) when the bundled model does not load.
  void SetUp() override { ASSERT_NE(detector_, nullptr) << *load_error_; }

  // Detections of the image, normalised the way the store keeps them.
  static std::vector<Detection> Detect(const std::vector<uint8_t>& bytes) {
    auto img = vision::DecodeImage(bytes);
    EXPECT_TRUE(img.ok()) << img.status().ToString();
    if (!img.ok()) return {};
    auto out = detector_->Detect(*img);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok()) return {};
    std::vector<Detection> dets;
    for (const vision::Detection& v : out->detections) {
      Detection d;
      d.class_name = v.class_name;
      d.confidence = v.confidence;
      d.x_center = (v.box.x1 + v.box.x2) / 2 / img->width;
      d.y_center = (v.box.y1 + v.box.y2) / 2 / img->height;
      d.width = (v.box.x2 - v.box.x1) / img->width;
      d.height = (v.box.y2 - v.box.y1) / img->height;
      dets.push_back(d);
    }
    return dets;
  }

  static Result<ShelfAnalysis> Analyze(const std::vector<Detection>& dets) {
    PlanogramRow row;
    row.sku = "CAP-470";
    row.expected_count = 3;
    row.slot = Rect{0.015, 0.29, 0.26, 0.44};  // the capacitor row, three facings
    Planogram shelf;
    shelf.name = "board";
    shelf.shelf_location = "left";
    shelf.rows = {row};
    const std::vector<Product> catalogue = {{"clock", "CAP-470", "Capacitor 470 uF", "Board"}};
    Settings s;
    s.model_confidence_threshold = detector_->config().confidence_threshold;
    return AnalyzeShelf(shelf, {}, dets, catalogue, s);
  }

  // Gaps whose box overlaps the painted area.
  static std::vector<Gap> GapsOverPainted(const ShelfAnalysis& a) {
    std::vector<Gap> out;
    for (const Gap& g : a.gaps) {
      if (g.box.x1 < kPainted.x2 && g.box.x2 > kPainted.x1 && g.box.y1 < kPainted.y2 &&
          g.box.y2 > kPainted.y1) {
        out.push_back(g);
      }
    }
    return out;
  }

  static vision::Detector* detector_;
  static std::string* load_error_;
};
vision::Detector* GapsOnPhoto::detector_ = nullptr;
std::string* GapsOnPhoto::load_error_ = nullptr;

TEST_F(GapsOnPhoto, PaintedOverFacingIsAGapAndAnEmptySlot) {
  const std::vector<uint8_t> original = ReadFile(kPhoto);
  ASSERT_FALSE(original.empty()) << kPhoto;

  auto before = Analyze(Detect(original));
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_TRUE(GapsOverPainted(*before).empty()) << "the original row has no empty facing";
  ASSERT_EQ(before->slots.size(), 3u);
  for (const SlotResult& s : before->slots) {
    EXPECT_EQ(s.status, SlotStatus::kOk) << "facing " << s.facing;
  }

  auto after = Analyze(Detect(PaintOver(original, kPainted)));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const std::vector<Gap> gaps = GapsOverPainted(*after);
  ASSERT_EQ(gaps.size(), 1u);
  const double centre = (kPainted.x1 + kPainted.x2) / 2;
  EXPECT_LT(gaps[0].box.x1, centre);
  EXPECT_GT(gaps[0].box.x2, centre);
  EXPECT_GE(gaps[0].facings, 1.0);
  EXPECT_GT(after->kpis.gap_count, before->kpis.gap_count);
  EXPECT_GT(*after->kpis.gap_share, *before->kpis.gap_share);
  ASSERT_EQ(after->slots.size(), 3u);
  EXPECT_EQ(after->slots[0].status, SlotStatus::kOk);
  EXPECT_EQ(after->slots[1].status, SlotStatus::kEmptySlot);
  EXPECT_EQ(after->slots[2].status, SlotStatus::kOk);
  // One "clock" fewer on the shelf (the photo has a fourth, smaller one elsewhere).
  EXPECT_EQ(after->skus[0].detected, before->skus[0].detected - 1);
  EXPECT_LT(*after->kpis.compliance_score, *before->kpis.compliance_score);
}

TEST_F(GapsOnPhoto, GapsDoNotDependOnClassNames) {
  // A one-class model would label every box alike: the gaps come from the boxes alone.
  const std::vector<Detection> dets = Detect(PaintOver(ReadFile(kPhoto), kPainted));
  std::vector<Detection> agnostic = dets;
  for (Detection& d : agnostic) d.class_name = d.sku = "object";
  auto labelled = Analyze(dets);
  auto plain = Analyze(agnostic);
  ASSERT_TRUE(labelled.ok() && plain.ok());
  ASSERT_EQ(plain->gaps.size(), labelled->gaps.size());
  for (size_t i = 0; i < plain->gaps.size(); ++i) {
    EXPECT_DOUBLE_EQ(plain->gaps[i].box.x1, labelled->gaps[i].box.x1);
    EXPECT_DOUBLE_EQ(plain->gaps[i].box.x2, labelled->gaps[i].box.x2);
  }
  EXPECT_EQ(GapsOverPainted(*plain).size(), 1u);
}

}  // namespace
}  // namespace vs::compliance
