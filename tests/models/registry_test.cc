// The model registry on a real SQLite store with the bundled model: registration checks,
// loading within the memory budget (least recently used first, never the active model), models
// kept alive by the requests that hold them, activation and its event.
#include "models/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "store/open.h"

namespace vs::models {
namespace {
namespace fs = std::filesystem;

const std::string kNames = std::string(VS_SOURCE_DIR) + "/models/coco.names";

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vs-registry-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::Open({.data_dir = dir_.string()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    store_->SetCommitListener([this](const store::Event& e) { events_.push_back(e); });
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  // A registry whose budget holds `models` copies of the bundled model.
  std::unique_ptr<ModelRegistry> Make(double models) {
    const auto size = fs::file_size(VS_BUNDLED_MODEL);
    return std::make_unique<ModelRegistry>(
        *store_, RegistryOptions{.data_dir = dir_,
                                 .memory_budget_bytes = uint64_t(double(size) * models),
                                 .threads = 1});
  }
  store::Id Register(ModelRegistry& r, const std::string& name) {
    Registration reg;
    reg.version_name = name;
    auto v = r.RegisterFile(VS_BUNDLED_MODEL, reg);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->id : 0;
  }
  vision::DecodedImage Photo() {
    vision::DecodedImage im;
    im.bgr = cv::imread(std::string(VS_DARKNET_DATA) + "/dog.jpg");
    im.format = vision::ImageFormat::kJpeg;
    im.width = im.bgr.cols;
    im.height = im.bgr.rows;
    return im;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::vector<store::Event> events_;
};

TEST_F(RegistryTest, RefusesFilesThatAreNotDetectorsAndRegistersNothing) {
  auto r = Make(4);
  Registration reg;
  reg.version_name = "bad";
  auto names = r->RegisterFile(kNames, reg);  // a text file
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(names.status().code(), Code::kInvalidValue);
  EXPECT_NE(names.status().message().find("not a usable ONNX detector"), std::string::npos);
  auto upload = r->RegisterUpload("not onnx at all", "a\nb\n", "x.onnx", reg);
  EXPECT_EQ(upload.status().code(), Code::kInvalidValue);
  reg.settings.ignore_classes = {"unicorn"};
  EXPECT_EQ(r->RegisterFile(VS_BUNDLED_MODEL, reg).status().code(), Code::kInvalidValue);
  EXPECT_TRUE(store_->ListModels()->empty());
  // The failed upload left nothing in the models folder.
  if (fs::exists(dir_ / "models")) {
    EXPECT_TRUE(fs::is_empty(dir_ / "models"));
  }
  EXPECT_EQ(r->Active(), nullptr);
}

TEST_F(RegistryTest, FirstModelBecomesActiveAndIgnoredClassesAreDropped) {
  auto r = Make(4);
  Registration reg;
  reg.version_name = "no-dogs";
  reg.settings.ignore_classes = {"dog"};
  auto v = r->RegisterFile(VS_BUNDLED_MODEL, reg);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->is_active);
  ASSERT_NE(r->Active(), nullptr);
  const store::Id plain = Register(*r, "plain");
  auto with = r->Active()->detector->Detect(Photo());
  auto without = (*r->Acquire(plain))->detector->Detect(Photo());
  ASSERT_TRUE(with.ok() && without.ok());
  auto has_dog = [](const vision::DetectionOutput& o) {
    for (const auto& d : o.detections)
      if (d.class_name == "dog") return true;
    return false;
  };
  EXPECT_TRUE(has_dog(*without));
  EXPECT_FALSE(has_dog(*with));
  EXPECT_EQ(with->detections.size() + 1, without->detections.size());
}

TEST_F(RegistryTest, RegisteringTheActiveVersionAgainServesItsNewSettings) {
  auto r = Make(4);
  const store::Id a = Register(*r, "a");
  auto before = r->Active();
  EXPECT_TRUE(before->settings.ignore_classes.empty());
  Registration reg;
  reg.version_name = "a";
  reg.settings.ignore_classes = {"dog"};
  ASSERT_TRUE(r->RegisterFile(VS_BUNDLED_MODEL, reg).ok());
  ASSERT_EQ(r->Active()->version.id, a);
  EXPECT_EQ(r->Active()->settings.ignore_classes, std::vector<std::string>{"dog"});
  EXPECT_TRUE(before->detector->Detect(Photo()).ok()) << "the old one still serves its holders";
}

TEST(ModelSettingsJson, ClassSkusAndMaxTilesRoundTripAndBadValuesAreRefused) {
  const auto j = nlohmann::json::parse(
      R"({"class_skus": {"bottle": "SKU-0042", "cup": "SKU-7"}, "slicing": {"max_tiles": 9}})");
  auto s = SettingsFromJson(j, ModelSettings{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->class_skus.at("bottle"), "SKU-0042");
  EXPECT_EQ(s->slicing.max_tiles, 9);
  const nlohmann::json back = SettingsToJson(*s);
  EXPECT_EQ(back["class_skus"]["cup"], "SKU-7");
  EXPECT_EQ(back["slicing"]["max_tiles"], 9);
  EXPECT_EQ(SettingsToJson(ModelSettings{})["slicing"]["max_tiles"], 16) << "default";
  auto again = SettingsFromJson(back, ModelSettings{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->class_skus, s->class_skus);
  for (const char* bad : {R"({"class_skus": ["bottle"]})", R"({"class_skus": {"bottle": ""}})",
                          R"({"class_skus": {"bottle": 7}})", R"({"slicing": {"max_tiles": 0}})",
                          R"({"slicing": {"max_tiles": 300}})"}) {
    auto r = SettingsFromJson(nlohmann::json::parse(bad), ModelSettings{});
    EXPECT_EQ(r.status().code(), Code::kInvalidValue) << bad;
  }
  ModelSettings unknown;
  unknown.class_skus = {{"unicorn", "SKU-1"}};
  EXPECT_EQ(CheckIgnoredClasses(unknown, {"dog", "bottle"}).code(), Code::kInvalidValue);
  unknown.class_skus = {{"bottle", "SKU-1"}};
  EXPECT_TRUE(CheckIgnoredClasses(unknown, {"dog", "bottle"}).ok());
}

TEST_F(RegistryTest, UpdateSettingsServesTheNewSettingsAndRefusesBadOnes) {
  auto r = Make(4);
  const store::Id a = Register(*r, "a");
  const store::Id b = Register(*r, "b");  // registered, not loaded
  auto before = r->Active();
  ASSERT_EQ(before->version.id, a);
  auto bad = r->UpdateSettings(a, {{"class_skus", {{"unicorn", "SKU-1"}}}});
  EXPECT_EQ(bad.status().code(), Code::kInvalidValue);
  EXPECT_TRUE(r->ManifestOf(a)->settings.class_skus.empty()) << "nothing changed";
  EXPECT_EQ(r->UpdateSettings(999, {{"iou", 0.5}}).status().code(), Code::kNotFound);

  auto up =
      r->UpdateSettings(a, {{"class_skus", {{"dog", "SKU-DOG"}}}, {"ignore_classes", {"car"}}});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  ASSERT_EQ(r->Active()->version.id, a) << "still active";
  EXPECT_NE(r->Active(), before) << "reloaded";
  EXPECT_EQ(r->Active()->settings.class_skus.at("dog"), "SKU-DOG");
  EXPECT_EQ(r->ManifestOf(a)->settings.ignore_classes, std::vector<std::string>{"car"});
  // A later patch keeps the fields it does not name.
  ASSERT_TRUE(r->UpdateSettings(a, {{"confidence", 0.3}}).ok());
  EXPECT_EQ(r->Active()->settings.class_skus.at("dog"), "SKU-DOG");
  EXPECT_FLOAT_EQ(r->Active()->settings.confidence, 0.3f);
  EXPECT_TRUE(before->detector->Detect(Photo()).ok()) << "the old one still serves its holders";

  auto other = r->UpdateSettings(b, {{"class_skus", {{"bicycle", "SKU-BIKE"}}}});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(r->Active()->version.id, a) << "updating another version does not switch";
  EXPECT_EQ((*r->Acquire(b))->settings.class_skus.at("bicycle"), "SKU-BIKE");
}

// Two instances on one database and one shared data folder: settings changed on one are
// announced, and the other runs the model on them once it follows the store.
TEST_F(RegistryTest, FollowStoreLoadsAgainTheModelsWhoseSettingsAnotherInstanceChanged) {
  auto here = Make(4);
  const store::Id a = Register(*here, "a");
  const store::Id b = Register(*here, "b");
  auto there = Make(4);
  ASSERT_TRUE(there->Start("", {}).ok());
  ASSERT_EQ(there->Active()->version.id, a);
  const auto before = there->Active();
  auto dogs_before = before->detector->Detect(Photo());
  ASSERT_TRUE(dogs_before.ok());
  ASSERT_FALSE(dogs_before->detections.empty());

  events_.clear();
  ASSERT_TRUE(here->UpdateSettings(a, {{"confidence", 0.6}, {"ignore_classes", {"dog"}}}).ok());
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.back().type, "model.settings");
  EXPECT_EQ(events_.back().payload["model_id"], a);
  EXPECT_EQ(there->Active(), before) << "nothing changes there before it follows";

  ASSERT_TRUE(there->FollowStore().ok());
  const auto after = there->Active();
  ASSERT_NE(after, before);
  EXPECT_EQ(after->version.id, a) << "the same version stays active";
  EXPECT_FLOAT_EQ(after->settings.confidence, 0.6f);
  auto out = after->detector->Detect(Photo());
  ASSERT_TRUE(out.ok());
  for (const auto& d : out->detections) {
    EXPECT_GE(d.confidence, 0.6f);
    EXPECT_NE(d.class_name, "dog");
  }
  EXPECT_TRUE(before->detector->Detect(Photo()).ok()) << "the old one still serves its holders";
  // A version not loaded there stays unloaded; following again with nothing new changes nothing.
  ASSERT_TRUE(here->UpdateSettings(b, {{"iou", 0.5}}).ok());
  ASSERT_TRUE(there->FollowStore().ok());
  EXPECT_EQ(there->Loaded(), std::vector<store::Id>{a});
  EXPECT_EQ(there->Active(), after);
}

TEST_F(RegistryTest, LeastRecentlyUsedIsUnloadedFirstButNeverTheActiveOne) {
  auto r = Make(2.5);
  const store::Id a = Register(*r, "a");  // active
  const store::Id b = Register(*r, "b");
  const store::Id c = Register(*r, "c");
  ASSERT_EQ(r->Active()->version.id, a);
  auto held_b = r->Acquire(b);
  ASSERT_TRUE(held_b.ok());
  EXPECT_EQ(r->Loaded(), (std::vector<store::Id>{a, b}));
  ASSERT_TRUE(r->Acquire(c).ok());
  EXPECT_EQ(r->Loaded(), (std::vector<store::Id>{a, c})) << "b was the least recently used";
  // A holder of the unloaded model still runs it.
  EXPECT_TRUE((*held_b)->detector->Detect(Photo()).ok());
  ASSERT_TRUE(r->Acquire(b).ok());
  EXPECT_EQ(r->Loaded(), (std::vector<store::Id>{a, b}));
}

TEST_F(RegistryTest, ActivateSwitchesRecordsAnEventAndKeepsTheOldModelForItsHolders) {
  auto r = Make(4);
  const store::Id a = Register(*r, "a");
  const store::Id b = Register(*r, "b");
  auto old = r->Active();
  ASSERT_EQ(old->version.id, a);
  events_.clear();
  auto now = r->Activate(b);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(r->Active()->version.id, b);
  EXPECT_TRUE(old->detector->Detect(Photo()).ok());
  const auto listed = *store_->ListModels();
  for (const auto& v : listed) EXPECT_EQ(v.is_active, v.id == b) << v.version_name;
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.back().type, "model.activated");
  EXPECT_EQ(events_.back().payload["model_id"], b);
  EXPECT_EQ(events_.back().payload["previous_id"], a);
  EXPECT_EQ(r->Activate(9999).status().code(), Code::kNotFound);
  EXPECT_EQ(r->Active()->version.id, b);
}

TEST_F(RegistryTest, ResolveByNameIdAndType) {
  auto r = Make(4);
  const store::Id a = Register(*r, "a");
  Registration reg;
  reg.version_name = "tuned";
  reg.model_type = "finetuned";
  const store::Id t = r->RegisterFile(VS_BUNDLED_MODEL, reg)->id;
  EXPECT_EQ((*r->Resolve(std::string("tuned"), std::nullopt))->version.id, t);
  EXPECT_EQ((*r->Resolve(std::to_string(t), std::nullopt))->version.id, t);
  EXPECT_EQ((*r->Resolve(std::nullopt, std::string("finetuned")))->version.id, t);
  EXPECT_EQ((*r->Resolve(std::nullopt, std::string("baseline")))->version.id, a);
  EXPECT_EQ((*r->Resolve(std::nullopt, std::nullopt))->version.id, a);
  EXPECT_EQ(r->Resolve(std::string("nope"), std::nullopt).status().code(), Code::kNotFound);
  EXPECT_EQ((*r->Resolve(std::nullopt, std::string("yolov8n")))->version.id, a)
      << "a type no version has: the active model, as before";
}

TEST_F(RegistryTest, StartFallsBackWhenTheActiveModelNoLongerLoads) {
  fs::copy_file(VS_BUNDLED_MODEL, dir_ / "copy.onnx");
  fs::copy_file(kNames, dir_ / "copy.names");
  {
    auto r = Make(4);
    ASSERT_TRUE(r->Start(VS_BUNDLED_MODEL, {}).ok());
    Registration reg;
    reg.version_name = "copy";
    auto v = r->RegisterFile((dir_ / "copy.onnx").string(), reg);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(r->Activate(v->id).ok());
  }
  std::ofstream(dir_ / "copy.onnx", std::ios::trunc) << "damaged";
  auto r = Make(4);
  ASSERT_TRUE(r->Start(VS_BUNDLED_MODEL, {}).ok());
  ASSERT_NE(r->Active(), nullptr);
  EXPECT_NE(r->Active()->version.version_name, "copy");
  EXPECT_EQ(r->Resolve(std::string("copy"), std::nullopt).status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace vs::models
