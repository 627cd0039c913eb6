// Stored photos under the data folder: <data>/images/YYYY/MM/DD/<name>.<ext>, the name chosen by
// the server, the extension by the image's content.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace vs::ingest {

class ImageFiles {
 public:
  explicit ImageFiles(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

  // Writes `bytes` atomically (temporary file, fsync, rename) to a new unique path dated by
  // `received_at`; returns the path relative to the data folder ("images/2026/11/28/...jpg").
  Result<std::string> Write(std::string_view bytes, Timestamp received_at, std::string_view sha256,
                            std::string_view extension) const;
  // Removes a file written by Write (best effort; used when the database insert fails).
  void Remove(const std::string& relative_path) const;
  // Reads a stored photo. NotFound if it is missing or the path leaves the images folder.
  Result<std::string> Read(const std::string& relative_path) const;

  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path data_dir_;
};

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

}  // namespace vs::ingest
