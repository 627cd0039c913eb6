// Which photo files an upload is still writing or committing. The writer holds an exclusive
// advisory lock (flock) on its photo file from the moment it creates the temporary file, through
// the rename, until its scan is committed or the photo removed; the operating system drops the
// lock when the writer's process dies. So a photo file that no process has locked and no scan
// names is a leftover of a crash, whatever its age, and another instance's upload in flight is
// never taken for one. Linux carries flock locks over NFS (as byte-range locks), so this holds
// for a photo folder the instances share.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/status.h"

namespace vs::ingest {

// A failed file-system call on a photo: InsufficientStorage when the disk or a quota is full
// (ENOSPC, EDQUOT; the client gets 507, as for the free-space floor), Unavailable otherwise.
Status PhotoFileError(const std::string& what, int err);

// One held lock on a photo file (an open descriptor); released when destroyed. Move-only.
class PhotoLock {
 public:
  PhotoLock() = default;
  ~PhotoLock() { Release(); }
  PhotoLock(PhotoLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  PhotoLock& operator=(PhotoLock&& other) noexcept;
  PhotoLock(const PhotoLock&) = delete;
  PhotoLock& operator=(const PhotoLock&) = delete;

  // Creates `path` (which must not exist) open for writing and locked; on error (PhotoFileError)
  // nothing of this call is left at `path`.
  static Result<PhotoLock> CreateExclusive(const std::filesystem::path& path);
  // Locks an existing file if no one holds it: nullopt when another descriptor (another upload,
  // in this process or any other) has it locked; an error when it cannot be opened.
  static Result<std::optional<PhotoLock>> TryLockIdle(const std::filesystem::path& path);

  bool held() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void Release();

 private:
  explicit PhotoLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace vs::ingest
