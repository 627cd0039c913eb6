#include "ingest/photo_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vs::ingest {

Status PhotoFileError(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) {
    return Status::InsufficientStorage("no room for the photo on disk; nothing was stored (" + msg +
                                       ")");
  }
  return Status::Unavailable(std::move(msg));
}

PhotoLock& PhotoLock::operator=(PhotoLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void PhotoLock::Release() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor drops its lock
  fd_ = -1;
}

Result<PhotoLock> PhotoLock::CreateExclusive(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return PhotoFileError("cannot create " + path.string(), errno);
  PhotoLock lock(fd);
  if (::flock(fd, LOCK_EX) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return PhotoFileError("cannot lock " + path.string(), err);
  }
  // Between open and flock a janitor may have locked the new, empty file and removed it as a
  // leftover: then the path no longer names this file, and the upload must not go on with it.
  struct stat at_path {
  }, held{};
  if (::stat(path.c_str(), &at_path) != 0 || ::fstat(fd, &held) != 0 ||
      at_path.st_ino != held.st_ino || at_path.st_dev != held.st_dev) {
    return Status::Unavailable("the photo file " + path.string() +
                               " was removed while it was being created");
  }
  return lock;
}

Result<std::optional<PhotoLock>> PhotoLock::TryLockIdle(const std::filesystem::path& path) {
  // Read-write: over NFS flock becomes a byte-range write lock, which needs a writable descriptor.
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Status::Unavailable("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  PhotoLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<PhotoLock>();
    return Status::Unavailable("cannot lock " + path.string() + ": " + std::strerror(errno));
  }
  return std::optional<PhotoLock>(std::move(lock));
}

}  // namespace vs::ingest
