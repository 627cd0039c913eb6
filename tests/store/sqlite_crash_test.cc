// Crash atomicity: a child process inserting scans is killed with SIGKILL at random moments;
// after each kill the file reopens, passes integrity_check, and every stored scan holds exactly
// detections_count detections (a scan is whole or absent), with rollups and events to match.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::QueryInt;
using testing::Scan;
using testing::TempDir;

[[noreturn]] void InsertForever(const std::string& path, int round) {
  auto s = OpenSqlite({path});
  if (!s.ok()) _exit(2);
  for (int i = 0;; ++i) {
    std::vector<NewDetection> dets;
    for (int k = 0; k < 1 + (i * 7 + round) % 40; ++k) dets.push_back(Det("cup", 0.5));
    auto r = (*s)->InsertScan(Scan("s", "A", 1795824000000 + i * 1000, dets));
    if (!r.ok()) _exit(3);
  }
}

TEST(SqliteCrashTest, KilledWriterLeavesWholeScansOnly) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  ASSERT_TRUE(testing::MustOpen(path));  // create and migrate first
  std::mt19937 rng(std::random_device{}());
  int64_t last_scans = 0;
  for (int round = 0; round < 6; ++round) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) InsertForever(path, round);
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 350));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child ended by itself, status " << status;

    auto s = testing::MustOpen(path);
    ASSERT_TRUE(s);
    EXPECT_EQ(QueryInt(path,
                       "SELECT COUNT(*) FROM pragma_integrity_check WHERE "
                       "integrity_check <> 'ok'"),
              0);
    EXPECT_EQ(QueryInt(path,
                       "SELECT COUNT(*) FROM scans s WHERE detections_count <> "
                       "(SELECT COUNT(*) FROM detections d WHERE d.scan_id = s.id)"),
              0);
    const int64_t scans = QueryInt(path, "SELECT COUNT(*) FROM scans");
    EXPECT_GT(scans, last_scans) << "round " << round << " stored nothing";
    last_scans = scans;
    EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM events"), scans);
    auto summary = s->Summarize({});
    ASSERT_TRUE(summary.ok());
    EXPECT_EQ(summary->total_scans, scans);
    EXPECT_EQ(summary->total_detections, QueryInt(path, "SELECT COUNT(*) FROM detections"));
  }
}

}  // namespace
}  // namespace vs::store
