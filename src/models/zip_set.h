// Unpacking an uploaded labelled set (a zip archive) safely, with libzip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace vs::models {

struct ZipLimits {
  uint64_t max_entries = 20000;
  uint64_t max_total_bytes = uint64_t{1} << 30;  // unpacked, all entries together
  uint64_t max_entry_bytes = uint64_t{256} << 20;
  // Unpacked size / packed size of one entry above this is a zip bomb (deflate rarely passes
  // 10:1 on photos and label text).
  uint64_t max_ratio = 200;
};

// Unpacks the zip archive `bytes` into `dest`, which must not exist yet. Refused with
// InvalidValue naming the entry, and nothing left on disk: an entry whose name is absolute,
// contains "..", a backslash or a NUL, or is a symbolic link (zip-slip); more entries, more bytes
// or a higher ratio than `limits` allow — counted on the bytes actually unpacked, not only on the
// sizes the archive declares (zip bombs); anything that is not a readable zip archive.
Status ExtractZip(std::string_view bytes, const std::filesystem::path& dest,
                  const ZipLimits& limits = {});

// Where the labelled set is inside an unpacked folder: the folder itself when it holds data.yaml,
// else its one COCO .json file, else the folder when it holds images/ (YOLO), else the same
// inside its only subfolder.
// InvalidValue when none of these is found.
Result<std::filesystem::path> FindSetRoot(const std::filesystem::path& folder);

struct UnpackedSet {
  std::filesystem::path folder;  // <data>/sets/uploads/<unique>: remove it if the set is not used
  std::string relative;          // the set's path relative to the data folder
};
// Unpacks an uploaded set (ExtractZip, FindSetRoot) into a new folder under
// <data_dir>/sets/uploads/. On failure nothing is left.
Result<UnpackedSet> UnpackUploadedSet(const std::filesystem::path& data_dir, std::string_view zip,
                                      const ZipLimits& limits = {});

}  // namespace vs::models
