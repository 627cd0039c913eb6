#include "ingest/photo_janitor.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <functional>
#include <set>
#include <string>

#include "ingest/photo_lock.h"

namespace vs::ingest {
namespace {
namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;

class PhotoJanitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vs_janitor_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // A file of `size` bytes under images/, last written `age` ago.
  void Photo(const std::string& rel, size_t size, fs::file_time_type::duration age) {
    const fs::path p = dir_ / "images" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << std::string(size, 'p');
    fs::last_write_time(p, fs::file_time_type::clock::now() - age);
  }
  bool Exists(const std::string& rel) const { return fs::exists(dir_ / "images" / rel); }
  // A new file under images/, held locked as an upload holds the photo it writes.
  Result<PhotoLock> Locked(const std::string& rel) {
    const fs::path p = dir_ / "images" / rel;
    fs::create_directories(p.parent_path());
    return PhotoLock::CreateExclusive(p);
  }
  fs::path dir_;
};

TEST_F(PhotoJanitorTest, RemovesPhotosOlderThanTheRetention) {
  Photo("2026/09/01/old.jpg", 300, days(91));
  Photo("2026/09/01/older.png", 200, days(200));
  Photo("2026/11/20/recent.jpg", 100, days(8));
  Photo("2026/11/28/today.jpg", 50, hours(1));
  auto space = std::make_shared<PhotoSpace>(dir_, PhotoSpaceLimits{});
  PhotoJanitor janitor(dir_, {.retention_days = 90}, space);
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(swept->removed_files, 2);
  EXPECT_EQ(swept->removed_bytes, 500u);
  EXPECT_FALSE(Exists("2026/09/01/old.jpg"));
  EXPECT_FALSE(Exists("2026/09"));  // emptied folders go too
  EXPECT_TRUE(Exists("2026/11/20/recent.jpg"));
  EXPECT_TRUE(Exists("2026/11/28/today.jpg"));
  EXPECT_EQ(space->used_bytes(), 150u);  // recounted
  // A second sweep finds nothing more.
  EXPECT_EQ(janitor.SweepOnce(std::chrono::system_clock::now())->removed_files, 0);
}

TEST_F(PhotoJanitorTest, NoRetentionKeepsPhotosButClearsStaleTemporaryFiles) {
  Photo("2025/01/01/ancient.jpg", 10, days(700));
  Photo("2026/11/28/interrupted.jpg.tmp", 10, hours(3));
  Photo("2026/11/28/writing.jpg.tmp", 10, std::chrono::seconds(5));
  PhotoJanitor janitor(dir_, {}, nullptr);
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed_files, 1);
  EXPECT_TRUE(Exists("2025/01/01/ancient.jpg"));
  EXPECT_FALSE(Exists("2026/11/28/interrupted.jpg.tmp"));
  EXPECT_TRUE(Exists("2026/11/28/writing.jpg.tmp"));  // may still be being written
}

TEST_F(PhotoJanitorTest, NoImagesFolderIsNothingToDo) {
  PhotoJanitor janitor(dir_, {.retention_days = 1}, nullptr);
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed_files, 0);
}

TEST_F(PhotoJanitorTest, TheThreadSweepsAtOnceAndStopsPromptly) {
  Photo("2026/01/01/old.jpg", 10, days(400));
  PhotoJanitor janitor(dir_, {.retention_days = 30, .interval = hours(24)}, nullptr);
  janitor.Start();
  // Bounded wait for the first sweep, which runs as soon as the thread starts.
  for (int i = 0; i < 500 && Exists("2026/01/01/old.jpg"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(Exists("2026/01/01/old.jpg"));
  janitor.Stop();  // wakes the 24-hour wait; a hang here fails the test by its timeout
  janitor.Stop();  // idempotent
}

// The scans of a store, as the janitor sees them: the set of photo paths they name.
struct Named {
  std::set<std::string> paths;
  int lookups = 0;
  bool fail = false;
  std::function<Result<bool>(const std::string&)> Fn() {
    return [this](const std::string& p) -> Result<bool> {
      ++lookups;
      if (fail) return Status::Unavailable("store down");
      return paths.count(p) > 0;
    };
  }
};

TEST_F(PhotoJanitorTest, AtStartRemovesPhotosNoScanNamesAndEveryTemporaryFile) {
  // Left by a crash just before this start: a photo whose scan was never committed and a
  // temporary file, beside a photo with its scan.
  Photo("2026/11/28/stored.jpg", 10, std::chrono::seconds(3));
  Photo("2026/11/28/orphan.jpg", 20, std::chrono::seconds(2));
  Photo("2026/11/28/half.jpg.tmp", 30, std::chrono::seconds(1));
  Named named{.paths = {"images/2026/11/28/stored.jpg"}};
  auto space = std::make_shared<PhotoSpace>(dir_, PhotoSpaceLimits{});
  PhotoJanitor janitor(
      dir_, {.leftovers_before = std::chrono::system_clock::now(), .has_scan = named.Fn()}, space);
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(swept->removed_files, 2);
  EXPECT_EQ(swept->removed_orphans, 1);
  EXPECT_EQ(swept->removed_bytes, 50u);
  EXPECT_TRUE(Exists("2026/11/28/stored.jpg"));
  EXPECT_FALSE(Exists("2026/11/28/orphan.jpg"));
  EXPECT_FALSE(Exists("2026/11/28/half.jpg.tmp"));
  EXPECT_EQ(space->used_bytes(), 10u);
  // Each photo is looked up once: the next sweep asks nothing about them.
  const int lookups = named.lookups;
  EXPECT_EQ(janitor.SweepOnce(std::chrono::system_clock::now())->removed_files, 0);
  EXPECT_EQ(named.lookups, lookups);
}

TEST_F(PhotoJanitorTest, PhotosOfUploadsStillInFlightAreLeftAlone) {
  // Written after the start and less than an hour ago: their scans may be committing now.
  Named named;  // outlives the janitor, whose lookup refers to it
  PhotoJanitor janitor(
      dir_,
      {.leftovers_before = std::chrono::system_clock::now() - hours(2), .has_scan = named.Fn()},
      nullptr);
  Photo("2026/11/28/committing.jpg", 10, std::chrono::seconds(1));
  Photo("2026/11/28/writing.jpg.tmp", 10, std::chrono::seconds(1));
  Photo("2026/11/28/lost.jpg", 10, hours(3));  // older than the hour: an orphan
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed_orphans, 1);
  EXPECT_TRUE(Exists("2026/11/28/committing.jpg"));
  EXPECT_TRUE(Exists("2026/11/28/writing.jpg.tmp"));
  EXPECT_FALSE(Exists("2026/11/28/lost.jpg"));
}

TEST_F(PhotoJanitorTest, AFailedLookupKeepsThePhotoAndAsksAgainNextSweep) {
  Photo("2026/11/28/unknown.jpg", 10, hours(3));
  Named named;
  named.fail = true;
  PhotoJanitor janitor(dir_, {.has_scan = named.Fn()}, nullptr);
  ASSERT_TRUE(janitor.SweepOnce(std::chrono::system_clock::now()).ok());
  EXPECT_TRUE(Exists("2026/11/28/unknown.jpg"));
  named.fail = false;
  EXPECT_EQ(janitor.SweepOnce(std::chrono::system_clock::now())->removed_orphans, 1);
  EXPECT_FALSE(Exists("2026/11/28/unknown.jpg"));
}

TEST_F(PhotoJanitorTest, AFileAnUploadHoldsLockedIsInFlightWhateverItsAge) {
  // Another instance (or this one) is writing one photo and committing the scan of another; both
  // files are old, so only their locks say they are in flight.
  auto writing = Locked("2026/11/28/a.jpg.tmp");
  ASSERT_TRUE(writing.ok()) << writing.status().ToString();
  auto committing = Locked("2026/11/28/b.jpg");
  ASSERT_TRUE(committing.ok()) << committing.status().ToString();
  for (const char* rel : {"2026/11/28/a.jpg.tmp", "2026/11/28/b.jpg"}) {
    fs::last_write_time(dir_ / "images" / rel, fs::file_time_type::clock::now() - hours(3));
  }
  Named named;
  PhotoJanitor janitor(
      dir_, {.leftovers_before = std::chrono::system_clock::now(), .has_scan = named.Fn()},
      nullptr);
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed_files, 0);
  EXPECT_EQ(named.lookups, 0);  // never asked while held
  EXPECT_TRUE(Exists("2026/11/28/a.jpg.tmp"));
  EXPECT_TRUE(Exists("2026/11/28/b.jpg"));
  // The uploads die without committing: their locks go, and the next sweep removes both (the
  // photo is looked up then, though its age was passed before).
  writing->Release();
  committing->Release();
  swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed_files, 2);
  EXPECT_EQ(swept->removed_orphans, 1);
  EXPECT_EQ(named.lookups, 1);
  EXPECT_FALSE(Exists("2026/11/28/a.jpg.tmp"));
  EXPECT_FALSE(Exists("2026/11/28/b.jpg"));
}

TEST_F(PhotoJanitorTest, APhotoWhoseScanCommittedUnderItsLockIsKept) {
  auto lock = Locked("2026/11/28/c.jpg");
  ASSERT_TRUE(lock.ok());
  Named named;
  PhotoJanitor janitor(
      dir_, {.leftovers_before = std::chrono::system_clock::now(), .has_scan = named.Fn()},
      nullptr);
  ASSERT_TRUE(janitor.SweepOnce(std::chrono::system_clock::now()).ok());
  named.paths.insert("images/2026/11/28/c.jpg");  // the scan commits, then the lock goes
  lock->Release();
  auto swept = janitor.SweepOnce(std::chrono::system_clock::now());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed_files, 0);
  EXPECT_TRUE(Exists("2026/11/28/c.jpg"));
}

TEST(PhotoLockTest, OneHolderAtATimeAndNeverOverAnExistingFile) {
  std::string tmpl = (fs::temp_directory_path() / "vs_lock_XXXXXX").string();
  const fs::path dir = mkdtemp(tmpl.data());
  const fs::path file = dir / "p.jpg";
  {
    auto held = PhotoLock::CreateExclusive(file);
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    EXPECT_TRUE(held->held());
    EXPECT_FALSE(PhotoLock::CreateExclusive(file).ok());  // exists: refused, left as it was
    EXPECT_TRUE(fs::exists(file));
    auto other = PhotoLock::TryLockIdle(file);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->has_value());  // held by another descriptor
  }
  auto idle = PhotoLock::TryLockIdle(file);
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->has_value());
  EXPECT_FALSE(PhotoLock::TryLockIdle(dir / "none.jpg").ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vs::ingest
