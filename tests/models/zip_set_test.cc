// Uploaded labelled sets: real zip archives written with libzip, unpacked safely — a good set
// found at its root or in its one folder; zip-slip names, symbolic links, bombs and non-zips
// refused with nothing left on disk.
#include "models/zip_set.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vs::models {
namespace {
namespace fs = std::filesystem;

struct Entry {
  std::string name;
  std::string data;
  bool symlink = false;
};

// A zip archive of `entries` (deflated), as bytes.
std::string MakeZip(const fs::path& scratch, const std::vector<Entry>& entries) {
  const fs::path file = scratch / "archive.zip";
  fs::remove(file);
  int error = 0;
  zip_t* z = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  for (const Entry& e : entries) {
    zip_source_t* src = zip_source_buffer(z, e.data.data(), e.data.size(), 0);
    const zip_int64_t i = zip_file_add(z, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    EXPECT_GE(i, 0) << e.name;
    if (e.symlink) {
      zip_file_set_external_attributes(z, zip_uint64_t(i), 0, ZIP_OPSYS_UNIX,
                                       zip_uint32_t(S_IFLNK | 0777) << 16);
    }
  }
  EXPECT_EQ(zip_close(z), 0);
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class ZipSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("vs-zip-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "scratch");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ZipSetTest, UnpacksASetInItsOneFolder) {
  const std::string zip = MakeZip(dir_ / "scratch", {{"shelves/data.yaml", "names: [a]\n"},
                                                     {"shelves/images/x.jpg", "jpeg bytes"},
                                                     {"shelves/labels/x.txt", "0 0.5 0.5 1 1\n"}});
  auto set = UnpackUploadedSet(dir_, zip);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->relative.rfind("sets/uploads/", 0), 0u) << set->relative;
  EXPECT_EQ(fs::path(set->relative).filename(), "shelves");
  std::ifstream label(dir_ / set->relative / "labels" / "x.txt");
  std::string line;
  std::getline(label, line);
  EXPECT_EQ(line, "0 0.5 0.5 1 1");
}

TEST_F(ZipSetTest, FindsACocoFileAtTheTop) {
  const std::string zip =
      MakeZip(dir_ / "scratch", {{"annotations.json", "{}"}, {"images/x.jpg", "jpeg"}});
  auto set = UnpackUploadedSet(dir_, zip);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(fs::path(set->relative).filename(), "annotations.json");
}

void ExpectRefused(const fs::path& dir, const std::string& zip, const std::string& why,
                   const ZipLimits& limits = {}) {
  auto set = UnpackUploadedSet(dir, zip, limits);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), Code::kInvalidValue) << set.status().ToString();
  EXPECT_NE(set.status().message().find(why), std::string::npos) << set.status().message();
  // Nothing left: the uploads folder is empty (or absent).
  if (fs::exists(dir / "sets" / "uploads")) {
    EXPECT_TRUE(fs::is_empty(dir / "sets" / "uploads"));
  }
  EXPECT_FALSE(fs::exists(dir / "evil.txt"));
  EXPECT_FALSE(fs::exists(dir / "sets" / "evil.txt"));
}

TEST_F(ZipSetTest, RefusesZipSlipNames) {
  for (const char* name : {"../../evil.txt", "images/../../../evil.txt", "/tmp/evil.txt",
                           "images\\..\\..\\evil.txt", "C:/evil.txt"}) {
    const std::string zip = MakeZip(dir_ / "scratch", {{"images/ok.jpg", "x"}, {name, "owned"}});
    ExpectRefused(dir_, zip, "leads outside");
  }
}

TEST_F(ZipSetTest, RefusesSymbolicLinks) {
  const std::string zip =
      MakeZip(dir_ / "scratch", {{"images/ok.jpg", "x"}, {"labels", "/etc", /*symlink=*/true}});
  ExpectRefused(dir_, zip, "symbolic link");
}

TEST_F(ZipSetTest, RefusesBombsByTheBytesReallyUnpacked) {
  // 64 MiB of zeros deflate to about 64 KiB: a ratio near 1000.
  const std::string zip =
      MakeZip(dir_ / "scratch", {{"images/zeros.jpg", std::string(64u << 20, '\0')}});
  ASSERT_LT(zip.size(), 1u << 20);
  ExpectRefused(dir_, zip, "zip bomb");
  ZipLimits small;
  small.max_ratio = 1'000'000;
  small.max_total_bytes = 8u << 20;
  ExpectRefused(dir_, zip, "limits", small);
  ZipLimits few;
  few.max_entries = 1;
  ExpectRefused(dir_, MakeZip(dir_ / "scratch", {{"a", "1"}, {"b", "2"}}), "entries", few);
}

TEST_F(ZipSetTest, RefusesWhatIsNotAZipOrHoldsNoSet) {
  ExpectRefused(dir_, "definitely not a zip archive", "not a readable zip");
  ExpectRefused(dir_, MakeZip(dir_ / "scratch", {{"readme.txt", "hello"}}), "no labelled set");
}

}  // namespace
}  // namespace vs::models
