#include "ingest/photo_space.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "ingest/image_files.h"

namespace vs::ingest {
namespace {
namespace fs = std::filesystem;

class PhotoSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vs_space_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(PhotoSpaceTest, RecountSumsTheFilesUnderImages) {
  PhotoSpace space(dir_, {});
  ASSERT_TRUE(space.Recount().ok());  // no images folder yet
  EXPECT_EQ(space.used_bytes(), 0u);
  fs::create_directories(dir_ / "images/2026/11/28");
  std::ofstream(dir_ / "images/2026/11/28/a.jpg") << std::string(1000, 'a');
  std::ofstream(dir_ / "images/b.jpg") << std::string(24, 'b');
  std::ofstream(dir_ / "visionstock.db") << std::string(5000, 'c');  // not a photo
  ASSERT_TRUE(space.Recount().ok());
  EXPECT_EQ(space.used_bytes(), 1024u);
}

TEST_F(PhotoSpaceTest, QuotaCountsWritesAndRemovals) {
  auto space = std::make_shared<PhotoSpace>(dir_, PhotoSpaceLimits{.quota_bytes = 2500});
  const ImageFiles files(dir_, space);
  const Timestamp t = Now();
  auto a = files.Write(std::string(1000, 'a'), t, "aaaaaaaaaaaaaaaa", ".jpg");
  auto b = files.Write(std::string(1000, 'b'), t, "bbbbbbbbbbbbbbbb", ".jpg");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(space->used_bytes(), 2000u);
  auto c = files.Write(std::string(1000, 'c'), t, "cccccccccccccccc", ".jpg");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInsufficientStorage);
  EXPECT_NE(c.status().message().find("quota of 2500 bytes"), std::string::npos);
  EXPECT_EQ(space->used_bytes(), 2000u);
  files.Remove(a->path);
  EXPECT_EQ(space->used_bytes(), 1000u);
  EXPECT_TRUE(files.Write(std::string(1000, 'c'), t, "cccccccccccccccc", ".jpg").ok());
  // Recount agrees with the bookkeeping.
  ASSERT_TRUE(space->Recount().ok());
  EXPECT_EQ(space->used_bytes(), 2000u);
}

TEST_F(PhotoSpaceTest, FreeSpaceFloorComesFromTheFileSystem) {
  auto free = PhotoSpace(dir_, {}).FreeBytes();
  ASSERT_TRUE(free.ok()) << free.status().ToString();
  EXPECT_GT(*free, 0u);
  PhotoSpace low_floor(dir_, {.min_free_bytes = 1});
  EXPECT_TRUE(low_floor.Reserve(1000).ok());
  PhotoSpace high_floor(dir_, {.min_free_bytes = *free + (uint64_t{1} << 30)});
  const Status refused = high_floor.Reserve(1000);
  EXPECT_EQ(refused.code(), Code::kInsufficientStorage);
  EXPECT_NE(refused.message().find("must stay free"), std::string::npos);
  EXPECT_EQ(high_floor.used_bytes(), 0u);
  // A write that is refused leaves nothing.
  const ImageFiles files(dir_, std::make_shared<PhotoSpace>(
                                   dir_, PhotoSpaceLimits{.min_free_bytes = *free + (1u << 30)}));
  EXPECT_EQ(files.Write("x", Now(), "0123456789ab", ".jpg").status().code(),
            Code::kInsufficientStorage);
  EXPECT_FALSE(fs::exists(dir_ / "images"));
}

TEST_F(PhotoSpaceTest, ReadRefusesPathsOutsideImages) {
  const ImageFiles files(dir_);
  EXPECT_EQ(files.Read("visionstock.db").status().code(), Code::kNotFound);
  EXPECT_EQ(files.Read("images/../visionstock.db").status().code(), Code::kNotFound);
  EXPECT_EQ(files.Read("images/2026/01/01/gone.jpg").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace vs::ingest
