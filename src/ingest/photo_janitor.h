// Retention of stored photos: a sweep deletes the photo files under <data>/images older than the
// retention period (by file modification time, i.e. when the server wrote them), removes the
// day folders it empties and recounts PhotoSpace. Scans and detections stay in the store; the
// scan's image route then answers 404 for its photo. Whatever the retention, it also removes what
// an interrupted upload leaves (a crash between writing the photo and committing its scan):
// temporary files ("*.tmp") and photos no scan names (asked of `has_scan`), once they are older
// than an hour or were written before `leftovers_before` (the server's start). A file some upload
// still holds locked (ingest/photo_lock.h: any process, any instance sharing the folder) is in
// flight and never removed as a leftover; the lookup is made under the file's lock, so a scan
// committed by the upload that held it is seen. Each photo is looked up once, in the sweep after
// it passes the cutoff (again in the next sweep if its lookup failed or it was locked).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "ingest/photo_space.h"

namespace vs::ingest {

struct PhotoJanitorOptions {
  int retention_days = 0;                                 // 0 = keep photos forever
  std::chrono::seconds interval = std::chrono::hours(1);  // between sweeps of Start()
  // Leftovers written before this are removed at once (see above); the epoch = only by age.
  std::chrono::system_clock::time_point leftovers_before{};
  // Whether a scan names the photo ("images/..." as stored); null = photos are never looked up.
  // An error skips the photo until the next sweep.
  std::function<Result<bool>(const std::string& image_path)> has_scan = nullptr;
};

struct SweepResult {
  int64_t removed_files = 0;  // expired photos, temporary files and orphans together
  uint64_t removed_bytes = 0;
  int64_t removed_orphans = 0;  // photos no scan named
};

class PhotoJanitor {
 public:
  // `space` may be null (no accounting).
  PhotoJanitor(std::filesystem::path data_dir, PhotoJanitorOptions options,
               std::shared_ptr<PhotoSpace> space);
  ~PhotoJanitor();  // Stop()
  PhotoJanitor(const PhotoJanitor&) = delete;
  PhotoJanitor& operator=(const PhotoJanitor&) = delete;

  // One sweep as of `now`. Files that cannot be removed are skipped (and logged).
  Result<SweepResult> SweepOnce(std::chrono::system_clock::time_point now);

  // Starts a thread that sweeps at once and then every `interval` until Stop().
  void Start();
  // Stops and joins the thread (waking it from its wait); idempotent.
  void Stop();

 private:
  // Whether a photo written at `written` is due for its one lookup (before `cutoff`, after what
  // earlier sweeps looked up).
  bool MayBeOrphan(std::chrono::system_clock::time_point written,
                   std::chrono::system_clock::time_point cutoff) const;

  std::filesystem::path data_dir_;
  std::filesystem::path images_dir_;
  PhotoJanitorOptions options_;
  // Photos written before this were looked up by an earlier sweep (SweepOnce's thread only).
  std::chrono::system_clock::time_point orphans_checked_until_{};
  std::shared_ptr<PhotoSpace> space_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vs::ingest
