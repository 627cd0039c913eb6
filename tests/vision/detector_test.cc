#include "vision/detector.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>
#include <vector>

namespace vs::vision {
namespace {

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

DetectorConfig Config(std::string model, int threads = 1, float conf = 0.25f,
                      std::string labels = "") {
  DetectorConfig c;
  c.model_path = std::move(model);
  c.labels_path = std::move(labels);
  c.threads = threads;
  c.confidence_threshold = conf;
  return c;
}

const Detection* Find(const DetectionOutput& out, const std::string& name) {
  for (const Detection& d : out.detections) {
    if (d.class_name == name) return &d;
  }
  return nullptr;
}

float CentreX(const Box& b) { return (b.x1 + b.x2) / 2; }
float CentreY(const Box& b) { return (b.y1 + b.y2) / 2; }

class BundledModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = Detector::Load(Config(VS_BUNDLED_MODEL));
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
  // Every test fails (rather than being skipped) when the bundled model does not load.
  void SetUp() override { ASSERT_NE(detector_, nullptr) << *load_error_; }

  static Detector* detector_;
  static std::string* load_error_;
};
Detector* BundledModel::detector_ = nullptr;
std::string* BundledModel::load_error_ = nullptr;

TEST_F(BundledModel, InfoFromTheModel) {
  const ModelInfo& info = detector_->info();
  EXPECT_EQ(info.name, "nanodet-416");
  EXPECT_EQ(info.layout, Layout::kNanoDet);
  EXPECT_STREQ(LayoutName(info.layout), "nanodet");
  EXPECT_EQ(info.input_width, 416);
  EXPECT_EQ(info.input_height, 416);
  ASSERT_EQ(info.class_names.size(), 80u);
  EXPECT_EQ(info.class_names[16], "dog");
  EXPECT_EQ(info.sha256.size(), 64u);
}

// dog.jpg (768x576): a bicycle across the middle, a dog lower left, a truck upper right.
void ExpectDogPhotoDetections(const DetectionOutput& out, const std::string& what) {
  const Detection* dog = Find(out, "dog");
  const Detection* bicycle = Find(out, "bicycle");
  ASSERT_NE(dog, nullptr) << what;
  ASSERT_NE(bicycle, nullptr) << what;
  EXPECT_GT(dog->confidence, 0.3f) << what;
  EXPECT_GT(bicycle->confidence, 0.5f) << what;
  // The dog sits in the lower-left quadrant, the bicycle spans the middle.
  EXPECT_LT(CentreX(dog->box), 768 / 2.f) << what;
  EXPECT_GT(CentreY(dog->box), 576 / 2.f) << what;
  EXPECT_GT(bicycle->box.x2 - bicycle->box.x1, 768 / 3.f) << what;
  EXPECT_GT(CentreX(bicycle->box), 768 * 0.3f) << what;
  EXPECT_LT(CentreX(bicycle->box), 768 * 0.7f) << what;
  for (const Detection& d : out.detections) {
    EXPECT_GE(d.box.x1, 0);
    EXPECT_LE(d.box.x2, 768);
    EXPECT_GE(d.box.y1, 0);
    EXPECT_LE(d.box.y2, 576);
    EXPECT_LT(d.box.x1, d.box.x2);
    EXPECT_GE(d.confidence, 0.25f);
  }
  for (size_t i = 1; i < out.detections.size(); ++i) {
    EXPECT_GE(out.detections[i - 1].confidence, out.detections[i].confidence);
  }
}

TEST_F(BundledModel, FindsTheDogAndTheBicycle) {
  auto img = DecodeImage(ReadFile(std::string(VS_DARKNET_DATA) + "/dog.jpg"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  auto out = detector_->Detect(*img);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectDogPhotoDetections(*out, "full resolution");
  for (const Detection& d : out->detections) {
    std::printf("  %-10s %.3f  (%.0f, %.0f)-(%.0f, %.0f)\n", d.class_name.c_str(), d.confidence,
                d.box.x1, d.box.y1, d.box.x2, d.box.y2);
  }
  EXPECT_GT(out->inference_ms, 0);
  EXPECT_GT(out->preprocess_ms, 0);
}

TEST_F(BundledModel, ReducedScaleDecodeGivesFullResolutionBoxes) {
  // The same photo enlarged 4x and decoded at 1/4 scale: boxes come back in 3072x2304 pixels.
  cv::Mat big;
  cv::resize(cv::imread(std::string(VS_DARKNET_DATA) + "/dog.jpg"), big, cv::Size(3072, 2304));
  std::vector<uint8_t> jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", big, jpeg, {cv::IMWRITE_JPEG_QUALITY, 92}));
  auto img = DecodeImage(jpeg, {.min_side = 416});
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->bgr.cols, 768);
  auto out = detector_->Detect(*img);
  ASSERT_TRUE(out.ok());
  DetectionOutput scaled = *out;
  for (Detection& d : scaled.detections) {
    EXPECT_LE(d.box.x2, 3072);
    d.box = {d.box.x1 / 4, d.box.y1 / 4, d.box.x2 / 4, d.box.y2 / 4};
  }
  ExpectDogPhotoDetections(scaled, "reduced scale");
}

TEST_F(BundledModel, ConcurrentCallsAgree) {
  auto img = DecodeImage(ReadFile(std::string(VS_DARKNET_DATA) + "/dog.jpg"));
  ASSERT_TRUE(img.ok());
  auto ref = detector_->Detect(*img);
  ASSERT_TRUE(ref.ok());
  std::vector<std::thread> threads;
  std::vector<Result<DetectionOutput>> results(4, Status::Internal("not run"));
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = detector_->Detect(*img); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->detections.size(), ref->detections.size());
    for (size_t k = 0; k < r->detections.size(); ++k) {
      EXPECT_EQ(r->detections[k].class_id, ref->detections[k].class_id);
      EXPECT_FLOAT_EQ(r->detections[k].confidence, ref->detections[k].confidence);
    }
  }
}

TEST_F(BundledModel, RejectsAnEmptyImage) {
  EXPECT_EQ(detector_->Detect(DecodedImage{}).status().code(), Code::kInvalidArgument);
}

TEST(DetectorLoad, MissingOrBrokenModelIsUnavailable) {
  auto missing = Detector::Load(Config("/nonexistent/model.onnx"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kUnavailable);
  EXPECT_NE(missing.status().message().find("/nonexistent/model.onnx"), std::string::npos);

  const std::string junk = std::string(VS_BINARY_DIR) + "/vision_junk_model.onnx";
  std::ofstream(junk) << "this is not an ONNX model";
  auto broken = Detector::Load(Config(junk));
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), Code::kUnavailable);
}

TEST(DetectorLoad, BadSettingsAreInvalid) {
  EXPECT_EQ(Detector::Load(Config(VS_BUNDLED_MODEL, 1, 1.5f)).status().code(), Code::kInvalidValue);
  EXPECT_EQ(Detector::Load(Config(VS_BUNDLED_MODEL, -1)).status().code(), Code::kInvalidValue);
}

// Two detection lists are the same within float rounding (a batched Run may sum in another
// order): same classes in the same order, scores within 1e-4, boxes within 0.05 px.
void ExpectSameDetections(const std::vector<Detection>& a, const std::vector<Detection>& b,
                          const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].class_id, b[k].class_id) << what << " #" << k;
    EXPECT_NEAR(a[k].confidence, b[k].confidence, 1e-4) << what << " #" << k;
    EXPECT_NEAR(a[k].box.x1, b[k].box.x1, 0.05) << what << " #" << k;
    EXPECT_NEAR(a[k].box.y1, b[k].box.y1, 0.05) << what << " #" << k;
    EXPECT_NEAR(a[k].box.x2, b[k].box.x2, 0.05) << what << " #" << k;
    EXPECT_NEAR(a[k].box.y2, b[k].box.y2, 0.05) << what << " #" << k;
  }
}

// The bundled model rewritten with a dynamic batch, and with a fixed batch of 4
// (tools/onnx_dynamic_batch.py): the batch is detected at load, and DetectBatch on real photos
// of several sizes gives what Detect gives on each photo alone.
TEST(DetectorBatch, BatchDimensionIsDetectedAndBatchesAgreeWithSingleRuns) {
  const std::string names =
      std::string(VS_BUNDLED_MODEL).replace(std::string(VS_BUNDLED_MODEL).size() - 5, 5, ".names");
  std::vector<DecodedImage> photos;
  for (const char* name : {"dog", "eagle", "giraffe", "horses", "kite", "person"}) {
    auto img = DecodeImage(ReadFile(std::string(VS_DARKNET_DATA) + "/" + name + ".jpg"));
    ASSERT_TRUE(img.ok()) << name;
    photos.push_back(std::move(*img));
  }
  auto fixed1 = Detector::Load(Config(VS_BUNDLED_MODEL));
  ASSERT_TRUE(fixed1.ok()) << fixed1.status().ToString();
  EXPECT_EQ((*fixed1)->info().batch, 1);
  std::vector<DetectionOutput> reference;
  for (const auto& p : photos) {
    auto one = (*fixed1)->Detect(p);
    ASSERT_TRUE(one.ok());
    reference.push_back(std::move(*one));
  }
  size_t total = 0;
  for (const auto& r : reference) total += r.detections.size();
  ASSERT_GE(total, 6u) << "the photos must give detections to compare";

  const std::string dir = VS_BATCH_MODELS;
  for (auto [file, batch] :
       {std::pair{"/nanodet-416-dynamic.onnx", 0}, std::pair{"/nanodet-416-b4.onnx", 4}}) {
    for (int max_batch : {1, 4, 8}) {
      DetectorConfig c = Config(dir + file, 1, 0.25f, names);
      c.max_batch = max_batch;
      auto d = Detector::Load(c);
      ASSERT_TRUE(d.ok()) << file << ": " << d.status().ToString();
      EXPECT_EQ((*d)->info().batch, batch) << file;
      auto outs = (*d)->DetectBatch(photos);  // 6 photos: chunks of 4 + 2 (padded) for b4
      ASSERT_TRUE(outs.ok()) << outs.status().ToString();
      ASSERT_EQ(outs->size(), photos.size());
      for (size_t i = 0; i < photos.size(); ++i) {
        ExpectSameDetections(reference[i].detections, (*outs)[i].detections,
                             std::string(file) + " max_batch " + std::to_string(max_batch) +
                                 " photo " + std::to_string(i));
      }
      auto single = (*d)->Detect(photos[0]);  // one image through a batch model
      ASSERT_TRUE(single.ok());
      ExpectSameDetections(reference[0].detections, single->detections, file);
    }
  }
  DetectorConfig bad = Config(VS_BUNDLED_MODEL);
  bad.max_batch = 0;
  EXPECT_EQ(Detector::Load(bad).status().code(), Code::kInvalidValue);
}

// Tiny generated models (tools/make_yolo_test_models.py): fixed boxes in 64x64 input pixels.
class YoloLayouts : public ::testing::TestWithParam<std::pair<const char*, Layout>> {};

TEST_P(YoloLayouts, PicksLayoutAndMapsBoxesThroughTheLetterbox) {
  const auto [file, layout] = GetParam();
  const std::string path = std::string(VS_VISION_TEST_MODELS) + "/" + file;
  auto det = Detector::Load(Config(path));
  ASSERT_TRUE(det.ok()) << det.status().ToString();
  EXPECT_EQ((*det)->info().layout, layout);
  EXPECT_EQ((*det)->info().input_width, 64);
  EXPECT_EQ((*det)->info().class_names, (std::vector<std::string>{"shelf", "box", "bottle"}));

  // A 200x100 image: scale 0.32, 16 px of padding above and below inside the 64x64 input.
  DecodedImage img;
  img.bgr = cv::Mat(100, 200, CV_8UC3, cv::Scalar(40, 80, 120));
  img.format = ImageFormat::kPng;
  img.width = 200;
  img.height = 100;
  auto out = (*det)->Detect(img);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->detections.size(), 2u);  // B suppressed (or absent), D below threshold
  const Detection& a = out->detections[0];
  EXPECT_EQ(a.class_name, "box");
  EXPECT_NEAR(a.confidence, 0.9f, 1e-6);
  EXPECT_NEAR(a.box.x1, 50, 0.01);
  EXPECT_NEAR(a.box.y1, 25, 0.01);
  EXPECT_NEAR(a.box.x2, 150, 0.01);
  EXPECT_NEAR(a.box.y2, 75, 0.01);
  const Detection& c = out->detections[1];
  EXPECT_EQ(c.class_name, "bottle");
  EXPECT_NEAR(c.confidence, 0.8f, 1e-6);
  EXPECT_NEAR(c.box.x1, 75, 0.01);
  EXPECT_NEAR(c.box.y1, 25, 0.01);
  EXPECT_NEAR(c.box.x2, 125, 0.01);
  EXPECT_NEAR(c.box.y2, 75, 0.01);

  // The same image decoded at half scale: boxes still in full-resolution pixels.
  DecodedImage half = img;
  half.bgr = cv::Mat(50, 100, CV_8UC3, cv::Scalar(40, 80, 120));
  half.scale = 0.5;
  auto out2 = (*det)->Detect(half);
  ASSERT_TRUE(out2.ok());
  ASSERT_EQ(out2->detections.size(), 2u);
  EXPECT_NEAR(out2->detections[0].box.x1, 50, 0.01);
  EXPECT_NEAR(out2->detections[0].box.y2, 75, 0.01);

  // A lower threshold lets D (score 0.1, class shelf) through.
  auto low = Detector::Load(Config(path, 1, 0.05f));
  ASSERT_TRUE(low.ok());
  auto out3 = (*low)->Detect(img);
  ASSERT_TRUE(out3.ok());
  ASSERT_EQ(out3->detections.size(), 3u);
  EXPECT_EQ(out3->detections[2].class_name, "shelf");
}

INSTANTIATE_TEST_SUITE_P(Models, YoloLayouts,
                         ::testing::Values(std::pair{"yolov5.onnx", Layout::kYoloV5},
                                           std::pair{"yolov8.onnx", Layout::kYoloV8},
                                           std::pair{"end2end.onnx", Layout::kEndToEnd}),
                         [](const auto& param) {
                           return std::string(LayoutName(param.param.second));
                         });

TEST(DetectorLoad, ClassNamesFromALabelsFileBesideTheModel) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(VS_BINARY_DIR) / "vision-labels-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path model = dir / "shelf-detector.onnx";
  fs::copy_file(fs::path(VS_VISION_TEST_MODELS) / "yolov8-unnamed.onnx", model);

  auto none = Detector::Load(Config(model.string()));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kUnavailable);
  EXPECT_NE(none.status().message().find("no class names"), std::string::npos);

  std::ofstream(dir / "shelf-detector.txt") << "shelf\nbox\n";  // 2 names for 3 classes
  auto wrong = Detector::Load(Config(model.string()));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("3 classes"), std::string::npos);

  std::ofstream(dir / "shelf-detector.names") << "shelf\nbox\nbottle\n";  // .names before .txt
  auto ok = Detector::Load(Config(model.string()));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok.value()->info().class_names[2], "bottle");

  std::ofstream(dir / "custom.labels") << "a\nb\nc\n";
  auto custom = Detector::Load(Config(model.string(), 1, 0.25f, (dir / "custom.labels").string()));
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  EXPECT_EQ(custom.value()->info().class_names[0], "a");
}

}  // namespace
}  // namespace vs::vision
