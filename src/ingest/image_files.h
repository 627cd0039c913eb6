// Where stored photos live: files under the data folder, <data>/images/YYYY/MM/DD/<name>.<ext>
// (the default; with several instances, a folder they all mount), or rows of the database
// (InDatabase: any instance of a shared database serves any photo). Either way the name is chosen
// by the server, the extension by the image's content, and the path is what the scan records.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "ingest/photo_lock.h"
#include "ingest/photo_space.h"
#include "store/store.h"

namespace vs::ingest {

// A photo just written: its path relative to the data folder and, for a file, the lock that marks
// it in flight (ingest/photo_lock.h). Hold it until the scan naming the photo is committed or the
// photo removed; a janitor leaves a locked file alone.
struct WrittenPhoto {
  std::string path;
  PhotoLock lock;  // not held for a photo in the database
};

class ImageFiles {
 public:
  // With a `space`, every Write first reserves room in it (quota, free-space floor) and Remove
  // gives the room back; copies share it.
  explicit ImageFiles(std::filesystem::path data_dir, std::shared_ptr<PhotoSpace> space = nullptr)
      : data_dir_(std::move(data_dir)), space_(std::move(space)) {}

  // Photos as rows of `database` (Store::PutPhoto), which must outlive every copy. No PhotoSpace:
  // quota, retention and the free-space floor are about files.
  static ImageFiles InDatabase(store::Store* database) {
    ImageFiles files{std::filesystem::path()};
    files.database_ = database;
    files.in_database_ = true;
    return files;
  }
  bool in_database() const { return in_database_; }

  // Writes `bytes` atomically (temporary file, fsync, rename; or one database row) to a new unique
  // path dated by `received_at`; returns the path relative to the data folder
  // ("images/2026/11/28/...jpg") with the file's lock, held from before the first byte. Nothing
  // half-written is ever readable. InsufficientStorage (nothing written) when the space has no room
  // or the disk is full (ENOSPC, EDQUOT); Unavailable when the file system or the database fails
  // otherwise (nothing left behind).
  Result<WrittenPhoto> Write(std::string_view bytes, Timestamp received_at, std::string_view sha256,
                             std::string_view extension) const;
  // Removes a file written by Write (best effort; used when a scan is not stored after all).
  void Remove(const std::string& relative_path) const;
  // Reads a stored photo. NotFound if it is missing or the path leaves the images folder.
  Result<std::string> Read(const std::string& relative_path) const;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::shared_ptr<PhotoSpace>& space() const { return space_; }

 private:
  static Result<PhotoLock> WriteFileAtomically(const std::filesystem::path& path,
                                               std::string_view bytes);

  std::filesystem::path data_dir_;
  std::shared_ptr<PhotoSpace> space_;
  store::Store* database_ = nullptr;  // null with in_database_: no store, every call Unavailable
  bool in_database_ = false;
};

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace vs::ingest
