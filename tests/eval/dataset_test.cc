#include "eval/dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "eval/data_yaml.h"

namespace vs::eval {
namespace {
namespace fs = std::filesystem;

const fs::path kSet = fs::path(VS_SOURCE_DIR) / "tests/data/eval";

// A temporary YOLO folder holding copies of the committed images (no labels).
class YoloFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("vs-eval-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "images");
    fs::create_directories(root_ / "labels");
    fs::copy_file(kSet / "images/dog.jpg", root_ / "images/dog.jpg");
    Write("classes.txt", "person\ndog\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel) << text;
  }
  fs::path root_;
};

TEST(CommittedSet, YoloAndCocoHoldTheSameBoxes) {
  auto yolo = ReadDataset(kSet);
  ASSERT_TRUE(yolo.ok()) << yolo.status().ToString();
  auto coco = ReadDataset(kSet / "annotations.json");
  ASSERT_TRUE(coco.ok()) << coco.status().ToString();
  EXPECT_EQ(yolo->format, DatasetFormat::kYolo);
  EXPECT_EQ(coco->format, DatasetFormat::kCoco);
  EXPECT_EQ(yolo->class_names.size(), 80u);
  EXPECT_EQ(yolo->class_names, coco->class_names);
  ASSERT_EQ(yolo->images.size(), 7u);
  ASSERT_EQ(coco->images.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    const auto& y = yolo->images[i];
    const auto& c = coco->images[i];
    EXPECT_EQ(y.path.filename(), c.path.filename());
    auto yt = TruthsInPixels(y, c.width, c.height);
    auto ct = TruthsInPixels(c, c.width, c.height);
    ASSERT_TRUE(yt.ok() && ct.ok());
    ASSERT_EQ(yt->size(), ct->size()) << y.path;
    for (size_t k = 0; k < yt->size(); ++k) {
      EXPECT_EQ((*yt)[k].class_id, (*ct)[k].class_id);
      EXPECT_NEAR((*yt)[k].box.x, (*ct)[k].box.x, 0.01);
      EXPECT_NEAR((*yt)[k].box.y, (*ct)[k].box.y, 0.01);
      EXPECT_NEAR((*yt)[k].box.w, (*ct)[k].box.w, 0.01);
      EXPECT_NEAR((*yt)[k].box.h, (*ct)[k].box.h, 0.01);
    }
  }
  // dog.jpg (first by name): dog, bicycle, truck, motorbike.
  EXPECT_EQ(yolo->class_names[size_t(yolo->images[0].truths[0].class_id)], "dog");
}

TEST(CommittedSet, CocoRejectsAnotherImageSize) {
  auto coco = ReadDataset(kSet / "annotations.json");
  ASSERT_TRUE(coco.ok());
  auto t = TruthsInPixels(coco->images[0], 100, 100);
  EXPECT_EQ(t.status().code(), Code::kInvalidValue);
  EXPECT_NE(t.status().message().find("dog.jpg"), std::string::npos);
}

TEST_F(YoloFolder, ReadsBoxesAndPolygons) {
  Write("labels/dog.txt", "1 0.5 0.5 0.2 0.4\n\n0 0.1 0.2 0.3 0.2 0.2 0.6\n");
  auto d = ReadYoloDataset(root_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->images.size(), 1u);
  const auto& t = d->images[0].truths;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].class_id, 1);
  EXPECT_DOUBLE_EQ(t[0].box.x, 0.4);
  EXPECT_DOUBLE_EQ(t[0].box.h, 0.4);
  EXPECT_DOUBLE_EQ(t[1].box.x, 0.1);
  EXPECT_DOUBLE_EQ(t[1].box.w, 0.2);
  EXPECT_DOUBLE_EQ(t[1].box.h, 0.4);
  auto px = TruthsInPixels(d->images[0], 768, 576);
  ASSERT_TRUE(px.ok());
  EXPECT_DOUBLE_EQ((*px)[0].box.w, 0.2 * 768);
}

TEST_F(YoloFolder, ImageWithoutLabelsIsBackground) {
  auto d = ReadYoloDataset(root_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->images[0].truths.empty());
}

TEST_F(YoloFolder, MalformedLineNamesFileAndLine) {
  Write("labels/dog.txt", "1 0.5 0.5 0.2 0.4\n1 0.5 0.5 0.2\n");
  auto d = ReadYoloDataset(root_);
  EXPECT_EQ(d.status().code(), Code::kInvalidValue);
  EXPECT_NE(d.status().message().find("labels/dog.txt:2:"), std::string::npos)
      << d.status().message();
}

TEST_F(YoloFolder, ClassOutOfRange) {
  Write("labels/dog.txt", "2 0.5 0.5 0.2 0.4\n");
  auto d = ReadYoloDataset(root_);
  EXPECT_EQ(d.status().code(), Code::kInvalidValue);
  EXPECT_NE(d.status().message().find("labels/dog.txt:1: class 2 out of range"), std::string::npos)
      << d.status().message();
}

TEST_F(YoloFolder, ValueOutsideUnitRange) {
  Write("labels/dog.txt", "0 0.5 1.5 0.2 0.4\n");
  EXPECT_NE(ReadYoloDataset(root_).status().message().find("dog.txt:1: '1.5'"), std::string::npos);
}

TEST_F(YoloFolder, LabelsWithoutImage) {
  Write("labels/cat.txt", "0 0.5 0.5 0.2 0.4\n");
  auto d = ReadYoloDataset(root_);
  EXPECT_EQ(d.status().code(), Code::kNotFound);
  EXPECT_NE(d.status().message().find("labels/cat.txt: no image"), std::string::npos)
      << d.status().message();
}

TEST_F(YoloFolder, NoClassNames) {
  fs::remove(root_ / "classes.txt");
  EXPECT_EQ(ReadYoloDataset(root_).status().code(), Code::kNotFound);
}

TEST_F(YoloFolder, DataYamlValFolder) {
  fs::create_directories(root_ / "images/val");
  fs::create_directories(root_ / "labels/val");
  fs::rename(root_ / "images/dog.jpg", root_ / "images/val/dog.jpg");
  Write("labels/val/dog.txt", "0 0.5 0.5 0.2 0.4\n");
  Write("data.yaml", "path: .\nval: images/val\nnames: [person]\n");
  auto d = ReadYoloDataset(root_ / "data.yaml");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->class_names, std::vector<std::string>{"person"});
  ASSERT_EQ(d->images.size(), 1u);
  EXPECT_EQ(d->images[0].truths.size(), 1u);
}

TEST(DataYaml, ListAndMappingForms) {
  auto flow = ParseDataYaml("names: ['a', \"b c\"]\n", "d.yaml");
  ASSERT_TRUE(flow.ok()) << flow.status().ToString();
  EXPECT_EQ(flow->names, (std::vector<std::string>{"a", "b c"}));
  auto block = ParseDataYaml("nc: 2\nnames:\n  - a\n  - b\nval: images/val\n", "d.yaml");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(block->val, "images/val");
  auto map = ParseDataYaml("names:\n  1: b\n  0: a\n", "d.yaml");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->names, (std::vector<std::string>{"a", "b"}));
}

TEST(DataYaml, Errors) {
  auto gap = ParseDataYaml("names:\n  0: a\n  2: c\n", "d.yaml");
  EXPECT_EQ(gap.status().code(), Code::kInvalidValue);
  EXPECT_NE(gap.status().message().find("class id 1 is missing"), std::string::npos);
  auto key = ParseDataYaml("x: 1\nnames:\n  zero: a\n", "d.yaml");
  EXPECT_NE(key.status().message().find("d.yaml:3:"), std::string::npos) << key.status().message();
  EXPECT_NE(ParseDataYaml("names: [a\n", "d.yaml").status().message().find("not valid YAML"),
            std::string::npos);
  EXPECT_NE(ParseDataYaml("nc: 3\n", "d.yaml").status().message().find("no names"),
            std::string::npos);
}

// A COCO file written next to a copy of dog.jpg.
class CocoFile : public YoloFolder {
 protected:
  Result<Dataset> Read(const std::string& json) {
    Write("a.json", json);
    return ReadCocoDataset(root_ / "a.json");
  }
};

TEST_F(CocoFile, CrowdAndCategoryOrder) {
  auto d = Read(R"({"images": [{"id": 7, "file_name": "dog.jpg", "width": 768, "height": 576}],
    "categories": [{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}],
    "annotations": [{"image_id": 7, "category_id": 18, "bbox": [1, 2, 3, 4], "iscrowd": 1}]})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->class_names, (std::vector<std::string>{"person", "dog"}));  // by category id
  ASSERT_EQ(d->images[0].truths.size(), 1u);
  EXPECT_EQ(d->images[0].truths[0].class_id, 1);
  EXPECT_TRUE(d->images[0].truths[0].crowd);
  EXPECT_DOUBLE_EQ(d->images[0].truths[0].box.h, 4);
  EXPECT_EQ(d->images[0].path, root_ / "images/dog.jpg");
}

TEST_F(CocoFile, Errors) {
  const std::string cats = R"("categories": [{"id": 1, "name": "dog"}])";
  const std::string image =
      R"("images": [{"id": 1, "file_name": "dog.jpg", "width": 768, "height": 576}])";
  auto missing = Read(
      R"({"images": [{"id": 1, "file_name": "cat.jpg", "width": 1, "height": 1}], )" + cats + "}");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("a.json: images[0]: image 'cat.jpg' not found"),
            std::string::npos)
      << missing.status().message();
  auto bad_cat =
      Read("{" + image + ", " + cats +
           R"(, "annotations": [{"image_id": 1, "category_id": 5, "bbox": [0, 0, 1, 1]}]})");
  EXPECT_NE(bad_cat.status().message().find("annotations[0]: category_id 5"), std::string::npos);
  auto bad_box =
      Read("{" + image + ", " + cats +
           R"(, "annotations": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1]}]})");
  EXPECT_NE(bad_box.status().message().find("annotations[0]: bbox"), std::string::npos);
  auto syntax = Read("{\n" + image + ",\n" + cats + ",,\n}");
  EXPECT_NE(syntax.status().message().find("a.json:3: not valid JSON"), std::string::npos)
      << syntax.status().message();
}

}  // namespace
}  // namespace vs::eval
