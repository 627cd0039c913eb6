// Retention of stored photos: a sweep deletes the photo files under <data>/images older than the
// retention period (by file modification time, i.e. when the server wrote them), removes the
// day folders it empties and recounts PhotoSpace. Scans and detections stay in the store; the
// scan's image route then answers 404 for its photo. Leftover temporary files of interrupted
// writes ("*.tmp" older than an hour) go too, whatever the retention.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "ingest/photo_space.h"

namespace vs::ingest {

struct PhotoJanitorOptions {
  int retention_days = 0;                                 // 0 = keep photos forever
  std::chrono::seconds interval = std::chrono::hours(1);  // between sweeps of Start()
};

struct SweepResult {
  int64_t removed_files = 0;
  uint64_t removed_bytes = 0;
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
  std::filesystem::path images_dir_;
  PhotoJanitorOptions options_;
  std::shared_ptr<PhotoSpace> space_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vs::ingest
