#include "ingest/photo_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vs::ingest {
namespace fs = std::filesystem;

Result<uint64_t> BytesUnder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return uint64_t{0};
  uint64_t total = 0;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) total += size;  // a file removed meanwhile counts nothing
    }
  }
  if (ec) return Status::Unavailable("cannot walk " + dir.string() + ": " + ec.message());
  return total;
}

PhotoSpace::PhotoSpace(fs::path data_dir, PhotoSpaceLimits limits)
    : data_dir_(std::move(data_dir)), limits_(limits) {}

Status PhotoSpace::Recount() {
  auto bytes = BytesUnder(data_dir_ / "images");
  if (!bytes.ok()) return bytes.status();
  std::lock_guard lock(mu_);
  used_ = *bytes;
  return Status::Ok();
}

Result<uint64_t> PhotoSpace::FreeBytes() const {
  struct statvfs st = {};
  if (::statvfs(data_dir_.c_str(), &st) != 0) {
    return Status::Unavailable("cannot read the free space of " + data_dir_.string() + ": " +
                               std::strerror(errno));
  }
  return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

Status PhotoSpace::Reserve(uint64_t bytes) {
  if (limits_.min_free_bytes > 0) {
    auto free = FreeBytes();
    if (!free.ok()) return free.status();
    if (*free < bytes || *free - bytes < limits_.min_free_bytes) {
      return Status::InsufficientStorage(
          "not storing the photo: " + std::to_string(*free) + " bytes are free on the data " +
          "folder's file system and at least " + std::to_string(limits_.min_free_bytes) +
          " must stay free");
    }
  }
  std::lock_guard lock(mu_);
  if (limits_.quota_bytes > 0 && used_ + bytes > limits_.quota_bytes) {
    return Status::InsufficientStorage("not storing the photo: stored photos use " +
                                       std::to_string(used_) + " bytes of their quota of " +
                                       std::to_string(limits_.quota_bytes) + " bytes");
  }
  used_ += bytes;
  return Status::Ok();
}

void PhotoSpace::Release(uint64_t bytes) {
  std::lock_guard lock(mu_);
  used_ -= std::min(used_, bytes);
}

uint64_t PhotoSpace::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace vs::ingest
