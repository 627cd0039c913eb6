#include "models/zip_set.h"

#include <sys/stat.h>
#include <zip.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace vs::models {
namespace fs = std::filesystem;
namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// A relative path of plain components, or an empty path when the name is unsafe.
fs::path SafeRelative(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
      name.find(':') != std::string::npos) {
    return {};
  }
  fs::path out;
  for (const auto& part : fs::path(name)) {
    const std::string p = part.string();
    if (p.empty() || p == ".") continue;
    if (p == "..") return {};
    out /= part;
  }
  return out;
}

bool IsSymlink(zip_t* z, zip_uint64_t i) {
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(z, i, 0, &opsys, &attributes) != 0) return false;
  return opsys == ZIP_OPSYS_UNIX && ((attributes >> 16) & S_IFMT) == S_IFLNK;
}

Status Unpack(zip_t* z, const fs::path& dest, const ZipLimits& limits) {
  const zip_int64_t n = zip_get_num_entries(z, 0);
  if (n < 0) return Status::InvalidValue("the zip archive cannot be read");
  if (uint64_t(n) > limits.max_entries) {
    return Status::InvalidValue("the zip archive has " + std::to_string(n) + " entries; at most " +
                                std::to_string(limits.max_entries));
  }
  uint64_t total = 0;
  std::vector<char> buffer(1 << 16);
  for (zip_uint64_t i = 0; i < zip_uint64_t(n); ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
      return Status::InvalidValue("zip entry " + std::to_string(i) + " cannot be read");
    }
    const std::string name = st.name;
    if (name.find('\0') != std::string::npos) return Status::InvalidValue("zip entry name has NUL");
    const fs::path rel = SafeRelative(name);
    if (rel.empty() && name != "./" && name != ".") {
      return Status::InvalidValue("zip entry '" + name + "' leads outside the set (refused)");
    }
    if (IsSymlink(z, i)) {
      return Status::InvalidValue("zip entry '" + name + "' is a symbolic link (refused)");
    }
    std::error_code ec;
    if (name.back() == '/') {
      fs::create_directories(dest / rel, ec);
      if (ec) return Status::Unavailable("cannot create " + rel.string());
      continue;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > limits.max_entry_bytes) {
      return Status::InvalidValue("zip entry '" + name + "' unpacks to more than " +
                                  std::to_string(limits.max_entry_bytes >> 20) + " MiB");
    }
    const uint64_t packed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    fs::create_directories((dest / rel).parent_path(), ec);
    if (ec) return Status::Unavailable("cannot create the folder of " + rel.string());
    std::unique_ptr<zip_file_t, FileCloser> in(zip_fopen_index(z, i, 0));
    if (!in) {
      return Status::InvalidValue("zip entry '" + name + "' cannot be opened: " + zip_strerror(z));
    }
    std::ofstream out(dest / rel, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Unavailable("cannot write " + rel.string());
    uint64_t written = 0;
    for (;;) {
      const zip_int64_t got = zip_fread(in.get(), buffer.data(), buffer.size());
      if (got < 0) return Status::InvalidValue("zip entry '" + name + "' is damaged");
      if (got == 0) break;
      written += uint64_t(got);
      total += uint64_t(got);
      // Counted on what is really unpacked: declared sizes may lie.
      if (written > limits.max_entry_bytes || total > limits.max_total_bytes ||
          (written > (1u << 20) && written > limits.max_ratio * std::max<uint64_t>(packed, 1))) {
        return Status::InvalidValue("zip entry '" + name +
                                    "' unpacks to more than the limits allow (zip bomb?)");
      }
      out.write(buffer.data(), got);
    }
    out.close();
    if (!out) return Status::Unavailable("cannot write " + rel.string());
  }
  return Status::Ok();
}

}  // namespace

Status ExtractZip(std::string_view bytes, const fs::path& dest, const ZipLimits& limits) {
  std::error_code ec;
  if (fs::exists(dest, ec)) return Status::Internal(dest.string() + " exists already");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    zip_error_fini(&error);
    return Status::Unavailable("cannot read the upload");
  }
  std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(source, ZIP_RDONLY, &error));
  if (!z) {
    zip_source_free(source);
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Status::InvalidValue("the upload is not a readable zip archive: " + why);
  }
  zip_error_fini(&error);
  fs::create_directories(dest, ec);
  if (ec) return Status::Unavailable("cannot create " + dest.string() + ": " + ec.message());
  Status s = Unpack(z.get(), dest, limits);
  if (!s.ok()) fs::remove_all(dest, ec);
  return s;
}

Result<fs::path> FindSetRoot(const fs::path& folder) {
  fs::path dir = folder;
  for (int depth = 0; depth < 2; ++depth) {
    std::error_code ec;
    if (fs::is_regular_file(dir / "data.yaml", ec)) return dir;
    std::vector<fs::path> jsons, dirs;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_directory()) dirs.push_back(e.path());
      if (e.is_regular_file() && e.path().extension() == ".json") jsons.push_back(e.path());
    }
    if (jsons.size() == 1) return jsons[0];
    if (fs::is_directory(dir / "images", ec)) return dir;
    if (dirs.size() != 1) break;
    dir = dirs[0];
  }
  return Status::InvalidValue(
      "the zip archive holds no labelled set: expected images/ with labels/ (or data.yaml), or "
      "one COCO .json, at its top or in its one folder");
}

Result<UnpackedSet> UnpackUploadedSet(const fs::path& data_dir, std::string_view zip,
                                      const ZipLimits& limits) {
  if (zip.empty()) return Status::InvalidValue("the uploaded set is empty (0 bytes)");
  std::random_device rd;
  char tag[32];
  std::snprintf(tag, sizeof tag, "%lld-%08x", static_cast<long long>(std::time(nullptr)), rd());
  UnpackedSet out;
  out.folder = data_dir / "sets" / "uploads" / tag;
  std::error_code ec;
  fs::create_directories(out.folder.parent_path(), ec);
  VS_RETURN_IF_ERROR(ExtractZip(zip, out.folder, limits));
  auto root = FindSetRoot(out.folder);
  if (!root.ok()) {
    fs::remove_all(out.folder, ec);
    return root.status();
  }
  out.relative = fs::relative(*root, data_dir, ec).string();
  return out;
}

}  // namespace vs::models
