// The pipeline with its real parts: the bundled NanoDet model, an SQLite store in a temporary
// folder, real photos. Every failure must leave neither a photo file nor a scan row.
#include "ingest/scan_service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "store/sqlite/sqlite.h"
#include "vision/image.h"

namespace vs::ingest {
namespace {
namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

const std::string kDog = std::string(VS_DARKNET_DATA) + "/dog.jpg";

// Regular files under `dir`, temporary files included.
int FilesUnder(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

class ScanServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vs_ingest_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    auto store = store::OpenSqlite({.path = (dir_ / "visionstock.db").string()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    static const auto detector = [] {
      vision::DetectorConfig config;
      config.model_path = VS_BUNDLED_MODEL;
      return vision::Detector::Load(config);
    }();
    ASSERT_TRUE(detector.ok()) << detector.status().ToString();
    detector_ = detector->get();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ScanService Service(std::shared_ptr<PhotoSpace> space = nullptr) {
    return ScanService(store_.get(), "", detector_, "", std::nullopt, ImageFiles(dir_, space),
                       ScanLimits{});
  }
  int Photos() const { return FilesUnder(dir_ / "images"); }
  store::Id LastEvent() { return *store_->LastEventId(); }

  // Nothing stored: no photo file (not even a temporary one) and no event (hence no scan row).
  void ExpectNothingStored(const char* what) {
    EXPECT_EQ(Photos(), 0) << what;
    EXPECT_EQ(LastEvent(), 0) << what;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  const vision::Detector* detector_ = nullptr;
};

TEST_F(ScanServiceTest, StoresAPhotoAndItsScan) {
  const std::string dog = ReadFile(kDog);
  auto out = Service().Scan({.bytes = dog, .store = "Caf\xC3\xA9 12", .shelf_location = "A1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->scan.store, "Caf\xC3\xA9 12");
  EXPECT_EQ(out->scan.width, 768);
  EXPECT_GT(out->scan.detections_count, 0);
  EXPECT_EQ(out->scan.sha256, Sha256Hex(dog));  // of the upload, not of the stored file
  EXPECT_EQ(Photos(), 1);
  auto stored = ImageFiles(dir_).Read(out->scan.image_path);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->find("Exif"), std::string::npos);  // dog.jpg's EXIF is not kept
  EXPECT_LT(stored->size(), dog.size());
}

// dog.jpg with an APP1 EXIF segment inserted after SOI: IFD0 holds Orientation and a GPS IFD
// pointer; the GPS IFD holds latitude "N" 51/1 30/1 26/1 (big-endian TIFF).
std::string WithGpsAndOrientation(const std::string& jpeg, uint16_t orientation) {
  std::string tiff("MM\0\x2A\0\0\0\x08", 8);
  auto u16 = [&](uint16_t v) {
    tiff.push_back(char(v >> 8));
    tiff.push_back(char(v));
  };
  auto u32 = [&](uint32_t v) {
    u16(uint16_t(v >> 16));
    u16(uint16_t(v));
  };
  u16(2);                                                 // IFD0: two entries
  u16(0x0112), u16(3), u32(1), u16(orientation), u16(0);  // Orientation
  u16(0x8825), u16(4), u32(1), u32(38);                   // GPS IFD at offset 38
  u32(0);
  u16(2);                                       // GPS IFD: two entries
  u16(0x0001), u16(2), u32(2), u32('N' << 24);  // GPSLatitudeRef
  u16(0x0002), u16(5), u32(3), u32(68);         // GPSLatitude, rationals at offset 68
  u32(0);
  for (uint32_t v : {51u, 1u, 30u, 1u, 26u, 1u}) u32(v);
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  const size_t len = payload.size() + 2;
  return jpeg.substr(0, 2) + "\xFF\xE1" + char(len >> 8) + char(len & 0xFF) + payload +
         jpeg.substr(2);
}

TEST_F(ScanServiceTest, TheStoredPhotoIsUprightWithoutItsGpsPosition) {
  const std::string upload = WithGpsAndOrientation(ReadFile(kDog), 8);  // turn 90 deg left
  ASSERT_NE(upload.find("Exif"), std::string::npos);
  auto out = Service().Scan({.bytes = upload});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->scan.width, 576);  // as displayed
  EXPECT_EQ(out->scan.height, 768);
  EXPECT_EQ(out->scan.sha256, Sha256Hex(upload));
  auto stored = ImageFiles(dir_).Read(out->scan.image_path);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->find("Exif"), std::string::npos);
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(stored->data()),
                                       stored->size());
  auto info = vision::ProbeImage(bytes);  // the pixels themselves are upright now
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->width, 576);
  EXPECT_EQ(info->height, 768);
}

TEST_F(ScanServiceTest, InvalidNamesAreRefusedBeforeAnythingIsWritten) {
  const std::string dog = ReadFile(kDog);
  for (const auto& [store, shelf] : std::vector<std::pair<std::string, std::string>>{
           {"caf\xE9", "A1"},                 // Latin-1, not UTF-8
           {"\xED\xA0\x80", "A1"},            // a surrogate
           {"store", "A1\nInjected: 1"},      // a control character
           {"store", std::string(201, 'x')},  // too long
           {"", "A1"}}) {
    auto out = Service().Scan({.bytes = dog, .store = store, .shelf_location = shelf});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), Code::kInvalidValue) << out.status().ToString();
    EXPECT_TRUE(
        out.status().message().starts_with(store == "store" ? "shelf_location: " : "store: "))
        << out.status().message();
  }
  ExpectNothingStored("invalid names");
}

TEST_F(ScanServiceTest, AFailedInsertLeavesNoPhoto) {
  // The real SQLite store, made to refuse scans by a trigger added from another connection.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "visionstock.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse BEFORE INSERT ON scans "
                         "BEGIN SELECT RAISE(ABORT, 'scans refused'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto out = Service().Scan({.bytes = ReadFile(kDog)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scans refused"), std::string::npos)
      << out.status().ToString();
  ExpectNothingStored("failed insert");
}

TEST_F(ScanServiceTest, AnExceptionAfterTheWriteLeavesNoPhoto) {
  // client_gone is the last thing asked before the insert, after the photo is written.
  int calls = 0;
  auto out = Service().Scan({.bytes = ReadFile(kDog), .client_gone = [&calls]() -> bool {
                               if (++calls == 4) throw std::runtime_error("connection state lost");
                               return false;
                             }});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(out.status().code(), Code::kInternal);
  EXPECT_NE(out.status().message().find("connection state lost"), std::string::npos);
  ExpectNothingStored("exception");
}

TEST_F(ScanServiceTest, ACancelledScanStoresNothingAtEveryStage) {
  const std::string dog = ReadFile(kDog);
  // The client goes away before decoding, before detection, before the write, after the write.
  for (int gone_at : {1, 2, 3, 4}) {
    int calls = 0;
    auto out = Service().Scan({.bytes = dog, .client_gone = [&] { return ++calls >= gone_at; }});
    ASSERT_FALSE(out.ok()) << gone_at;
    EXPECT_EQ(out.status().code(), Code::kUnavailable) << gone_at;
    EXPECT_NE(out.status().message().find("client went away"), std::string::npos);
    EXPECT_EQ(calls, gone_at);
  }
  ExpectNothingStored("cancelled");
  // A client that stays gets its scan.
  auto out = Service().Scan({.bytes = dog, .client_gone = [] { return false; }});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
}

TEST_F(ScanServiceTest, BadImagesStoreNothing) {
  const std::string text = "store,count\ncola,3\n";
  EXPECT_EQ(Service().Scan({.bytes = text}).status().code(), Code::kUnsupportedMedia);
  const std::string dog = ReadFile(kDog);
  EXPECT_EQ(
      Service().Scan({.bytes = std::string_view(dog).substr(0, dog.size() / 2)}).status().code(),
      Code::kUnsupportedMedia);
  ExpectNothingStored("bad images");
}

TEST_F(ScanServiceTest, NoRoomIsInsufficientStorageAndStoresNothing) {
  const std::string dog = ReadFile(kDog);
  auto quota = std::make_shared<PhotoSpace>(dir_, PhotoSpaceLimits{.quota_bytes = 1000});
  auto out = Service(quota).Scan({.bytes = dog});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kInsufficientStorage) << out.status().ToString();
  EXPECT_EQ(quota->used_bytes(), 0u);

  auto free = PhotoSpace(dir_, {}).FreeBytes();
  ASSERT_TRUE(free.ok());
  auto floor =
      std::make_shared<PhotoSpace>(dir_, PhotoSpaceLimits{.min_free_bytes = *free + (1u << 30)});
  EXPECT_EQ(Service(floor).Scan({.bytes = dog}).status().code(), Code::kInsufficientStorage);
  ExpectNothingStored("no room");

  // With room, the stored bytes are counted; a second photo then goes over a tight quota.
  auto room =
      std::make_shared<PhotoSpace>(dir_, PhotoSpaceLimits{.quota_bytes = dog.size() * 3 / 2});
  ASSERT_TRUE(Service(room).Scan({.bytes = dog}).ok());
  EXPECT_EQ(room->used_bytes(), *BytesUnder(dir_ / "images"));
  EXPECT_EQ(Service(room).Scan({.bytes = dog}).status().code(), Code::kInsufficientStorage);
  EXPECT_EQ(Photos(), 1);
}

// Rows of the photos table (photos kept in the database).
int PhotoRows(const fs::path& db_path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM photos", -1, &q, nullptr);
  const int n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
  sqlite3_finalize(q);
  sqlite3_close(db);
  return n;
}

TEST_F(ScanServiceTest, PhotosInTheDatabaseAreStoredReadAndRemovedWithAFailedScan) {
  const ImageFiles files = ImageFiles::InDatabase(store_.get());
  ScanService service(store_.get(), "", detector_, "", std::nullopt, files, ScanLimits{});
  const std::string dog = ReadFile(kDog);
  auto out = service.Scan({.bytes = dog, .shelf_location = "A1"});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Photos(), 0);  // no file: the photo is a row
  EXPECT_EQ(PhotoRows(dir_ / "visionstock.db"), 1);
  auto stored = files.Read(out->scan.image_path);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  auto info = vision::ProbeImage(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(stored->data()), stored->size()));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->width, 768);
  EXPECT_EQ(files.Read("images/../visionstock.db").status().code(), Code::kNotFound);

  // A scan whose commit fails takes its photo row with it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "visionstock.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER refuse BEFORE INSERT ON scans "
                         "BEGIN SELECT RAISE(ABORT, 'scans refused'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE(service.Scan({.bytes = dog}).ok());
  EXPECT_EQ(PhotoRows(dir_ / "visionstock.db"), 1);
}

// Decode alone (POST /api/models/compare-photo): the checks and pixels of Scan, nothing stored.
TEST_F(ScanServiceTest, DecodeGivesTheDetectorWhatScanGivesItAndStoresNothing) {
  const std::string dog = ReadFile(kDog);
  auto photo = Service().Decode(dog, *detector_, false);
  ASSERT_TRUE(photo.ok()) << photo.status().ToString();
  EXPECT_EQ(photo->image.width, 768);
  EXPECT_EQ(photo->image.height, 576);
  EXPECT_EQ(photo->image.format, vision::ImageFormat::kJpeg);
  EXPECT_GE(photo->decode_ms, 0);
  auto detected = detector_->Detect(photo->image);
  ASSERT_TRUE(detected.ok());
  ExpectNothingStored("decode");
  auto scan = Service().Scan({.bytes = dog});
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  ASSERT_EQ(scan->scan.detections.size(), detected->detections.size());
  for (size_t i = 0; i < detected->detections.size(); ++i) {
    EXPECT_EQ(scan->scan.detections[i].class_name, detected->detections[i].class_name);
    EXPECT_NEAR(scan->scan.detections[i].confidence, detected->detections[i].confidence, 1e-6);
  }
  auto full = Service().Decode(dog, *detector_, true);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->image.bgr.cols, 768);  // every pixel
}

TEST_F(ScanServiceTest, DecodeRefusesWhatScanRefuses) {
  const std::string dog = ReadFile(kDog);
  EXPECT_EQ(Service().Decode("", *detector_, false).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Service().Decode("store,count\n", *detector_, false).status().code(),
            Code::kUnsupportedMedia);
  EXPECT_EQ(Service()
                .Decode(std::string_view(dog).substr(0, dog.size() / 2), *detector_, false)
                .status()
                .code(),
            Code::kUnsupportedMedia);
  const ScanService small(store_.get(), "", detector_, "", std::nullopt, ImageFiles(dir_),
                          ScanLimits{.max_pixels = 768 * 576 - 1});
  EXPECT_EQ(small.Decode(dog, *detector_, false).status().code(), Code::kTooLarge);
  auto gone = Service().Decode(dog, *detector_, false, [] { return true; });
  EXPECT_EQ(gone.status().code(), Code::kUnavailable);
  ExpectNothingStored("refused decodes");
}

TEST(ImageFilesInDatabase, WithoutAStoreEveryCallIsUnavailable) {
  const ImageFiles files = ImageFiles::InDatabase(nullptr);
  EXPECT_EQ(files.Write("x", Now(), "ab", ".jpg").status().code(), Code::kUnavailable);
  EXPECT_EQ(files.Read("images/a.jpg").status().code(), Code::kUnavailable);
}

TEST(Normalise, ClampsToTheImage) {
  vision::Detection d;
  d.box = {-10, 20, 110, 70};
  const auto n = Normalise(d, 100, 100);
  EXPECT_DOUBLE_EQ(n.x_center, 0.5);
  EXPECT_DOUBLE_EQ(n.width, 1.0);
  EXPECT_DOUBLE_EQ(n.y_center, 0.45);
  EXPECT_DOUBLE_EQ(n.height, 0.5);
}

}  // namespace
}  // namespace vs::ingest
