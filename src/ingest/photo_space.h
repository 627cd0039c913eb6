// Room for stored photos: a quota on the total bytes of the photos under <data>/images and a
// floor of free space on the data folder's file system. ImageFiles asks before every write;
// when either limit would be crossed the upload is refused with InsufficientStorage (HTTP 507)
// and nothing else changes. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>

#include "core/status.h"

namespace vs::ingest {

struct PhotoSpaceLimits {
  uint64_t quota_bytes = 0;     // total bytes of stored photos; 0 = no quota
  uint64_t min_free_bytes = 0;  // free bytes to leave on the file system; 0 = no floor
};

class PhotoSpace {
 public:
  PhotoSpace(std::filesystem::path data_dir, PhotoSpaceLimits limits);

  // Sets the used bytes to the sum of the file sizes under <data>/images (start-up, and after
  // each sweep, so that files removed by hand are noticed). A missing folder counts 0.
  Status Recount();
  // Counts `bytes` as used if they fit under the quota and leave at least the floor free on the
  // file system; otherwise InsufficientStorage naming the limit, and nothing is counted.
  // Unavailable if the free space cannot be read (statvfs).
  Status Reserve(uint64_t bytes);
  // Uncounts bytes: a reservation not used, or a stored photo removed.
  void Release(uint64_t bytes);

  uint64_t used_bytes() const;
  const PhotoSpaceLimits& limits() const { return limits_; }
  // Bytes an unprivileged process may still write on the data folder's file system
  // (statvfs f_bavail x f_frsize).
  Result<uint64_t> FreeBytes() const;

 private:
  std::filesystem::path data_dir_;
  PhotoSpaceLimits limits_;
  mutable std::mutex mu_;
  uint64_t used_ = 0;
};

// Sum of the sizes of the regular files under `dir` (0 if it does not exist).
Result<uint64_t> BytesUnder(const std::filesystem::path& dir);

}  // namespace vs::ingest
