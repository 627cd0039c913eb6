#include "ingest/image_files.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

namespace vs::ingest {
namespace fs = std::filesystem;
namespace {

std::string RandomHex(int n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(kHex[rng() & 15]);
  return out;
}

Status WriteAll(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return PhotoFileError("cannot write image file", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

Result<WrittenPhoto> ImageFiles::Write(std::string_view bytes, Timestamp received_at,
                                       std::string_view sha256, std::string_view extension) const {
  const auto day = std::chrono::floor<std::chrono::days>(received_at);
  const std::chrono::year_month_day ymd{day};
  const auto tod = std::chrono::hh_mm_ss(received_at - day);
  char dir[32], stamp[32];
  std::snprintf(dir, sizeof dir, "images/%04d/%02u/%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  std::snprintf(stamp, sizeof stamp, "%02d%02d%02d%03d", static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  const std::string relative = std::string(dir) + "/" + stamp + "-" +
                               std::string(sha256.substr(0, 12)) + "-" + RandomHex(6) +
                               std::string(extension);
  if (in_database_) {
    if (!database_) return Status::Unavailable("photos live in the database, which is unavailable");
    VS_RETURN_IF_ERROR(database_->PutPhoto(relative, bytes));
    return WrittenPhoto{.path = relative};
  }
  const fs::path final_path = data_dir_ / relative;
  if (space_) VS_RETURN_IF_ERROR(space_->Reserve(bytes.size()));
  auto written = WriteFileAtomically(final_path, bytes);
  if (!written.ok()) {
    if (space_) space_->Release(bytes.size());
    return written.status();
  }
  return WrittenPhoto{.path = relative, .lock = std::move(written).value()};
}

Result<PhotoLock> ImageFiles::WriteFileAtomically(const fs::path& final_path,
                                                  std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (ec) return PhotoFileError("cannot create " + final_path.parent_path().string(), ec.value());
  const fs::path tmp = final_path.string() + ".tmp";
  auto lock = PhotoLock::CreateExclusive(tmp);
  if (!lock.ok()) return lock.status();
  Status st = WriteAll(lock->fd(), bytes);
  if (st.ok() && ::fsync(lock->fd()) != 0) {
    st = PhotoFileError("cannot sync image file", errno);
  }
  // The lock stays on the file (the inode) through the rename.
  if (st.ok() && ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    st = PhotoFileError("cannot rename image file", errno);
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return lock;
}

void ImageFiles::Remove(const std::string& relative_path) const {
  if (in_database_) {
    if (database_) (void)database_->DeletePhoto(relative_path);  // best effort, as for files
    return;
  }
  std::error_code ec;
  const fs::path path = data_dir_ / relative_path;
  const uintmax_t size = fs::file_size(path, ec);
  if (fs::remove(path, ec) && space_ && size != static_cast<uintmax_t>(-1)) space_->Release(size);
}

Result<std::string> ImageFiles::Read(const std::string& relative_path) const {
  const fs::path rel(relative_path);
  if (rel.is_absolute() || relative_path.rfind("images/", 0) != 0) {
    return Status::NotFound("stored image path is not under images/");
  }
  for (const auto& part : rel) {
    if (part == "..") return Status::NotFound("stored image path is not under images/");
  }
  if (in_database_) {
    if (!database_) return Status::Unavailable("photos live in the database, which is unavailable");
    return database_->GetPhoto(relative_path);
  }
  std::ifstream in(data_dir_ / rel, std::ios::binary);
  if (!in) return Status::NotFound("the stored photo " + relative_path + " is missing");
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

}  // namespace vs::ingest
