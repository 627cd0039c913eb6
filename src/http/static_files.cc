#include "http/static_files.h"

#include <fstream>
#include <sstream>

#include "http/conditional.h"
#include "http/error.h"
#include "http/response.h"

namespace vs::http {
namespace fs = std::filesystem;
namespace {

bool IsInside(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

// Canonical path of `candidate` when it is a regular file inside `root`.
std::optional<fs::path> RegularFileInside(const fs::path& root, const fs::path& candidate) {
  std::error_code ec;
  const fs::path canon = fs::canonical(candidate, ec);
  if (ec || !IsInside(root, canon)) return std::nullopt;
  if (!fs::is_regular_file(canon, ec) || ec) return std::nullopt;
  return canon;
}

}  // namespace

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  fs::path canon = fs::canonical(root, ec);
  root_ = ec ? root.lexically_normal() : canon;
}

Result<fs::path> StaticFiles::Resolve(std::string_view path) const {
  if (path.empty() || path.front() != '/') return Status::NotFound("not a file path");
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    return Status::NotFound("invalid file path");
  }
  fs::path rel;
  std::string_view last;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view seg = path.substr(pos, slash - pos);
    if (seg == ".." || seg == ".") return Status::NotFound("invalid file path");
    if (!seg.empty()) {
      rel /= std::string(seg);
      last = seg;
    }
    pos = slash + 1;
  }
  if (!rel.empty()) {
    if (auto file = RegularFileInside(root_, root_ / rel)) return *file;
    if (last.find('.') != std::string_view::npos) {
      return Status::NotFound("no file " + std::string(path));
    }
  }
  if (auto index = RegularFileInside(root_, root_ / "index.html")) return *index;
  return Status::Unavailable("the dashboard was not built: no index.html in " + root_.string() +
                             " (build the web/ project, e.g. `make build`)");
}

Response StaticFiles::Serve(const Request& request) const {
  const unsigned version = request.raw.version();
  auto file = Resolve(request.path);
  if (!file.ok()) return ErrorResponse(file.status(), version);
  std::error_code ec;
  const auto size = fs::file_size(*file, ec);
  const auto mtime = fs::last_write_time(*file, ec);
  const std::string etag =
      MakeEtag("f", static_cast<int64_t>(size),
               file->string() + "@" + std::to_string(mtime.time_since_epoch().count()));
  const std::string name = file->filename().string();
  const bool hashed = IsHashedAssetName(name);
  const char* cache = hashed ? "public, max-age=31536000, immutable" : "no-cache";
  if (IfNoneMatchHits(request.header(beast_http::field::if_none_match), etag)) {
    Response res = EmptyResponse(beast_http::status::not_modified, version);
    res.set(beast_http::field::etag, etag);
    res.set(beast_http::field::cache_control, cache);
    return res;
  }
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return ErrorResponse(Status::Internal("cannot read " + name), version);
  }
  Response res = BytesResponse(beast_http::status::ok, std::move(data).str(),
                               ContentTypeForExtension(file->extension().string()), version);
  res.set(beast_http::field::etag, etag);
  res.set(beast_http::field::cache_control, cache);
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

std::string_view ContentTypeForExtension(std::string_view ext) {
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTypes[] = {{".html", "text/html; charset=utf-8"},
                                     {".js", "text/javascript; charset=utf-8"},
                                     {".mjs", "text/javascript; charset=utf-8"},
                                     {".css", "text/css; charset=utf-8"},
                                     {".json", "application/json"},
                                     {".map", "application/json"},
                                     {".svg", "image/svg+xml"},
                                     {".png", "image/png"},
                                     {".jpg", "image/jpeg"},
                                     {".jpeg", "image/jpeg"},
                                     {".webp", "image/webp"},
                                     {".ico", "image/x-icon"},
                                     {".woff", "font/woff"},
                                     {".woff2", "font/woff2"},
                                     {".txt", "text/plain; charset=utf-8"},
                                     {".wasm", "application/wasm"},
                                     {".webmanifest", "application/manifest+json"}};
  for (const auto& e : kTypes) {
    if (e.ext == ext) return e.type;
  }
  return "application/octet-stream";
}

bool IsHashedAssetName(std::string_view filename) {
  const size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const std::string_view stem = filename.substr(0, dot);
  const size_t sep = stem.find_last_of("-.");
  if (sep == std::string_view::npos) return false;
  const std::string_view hash = stem.substr(sep + 1);
  if (hash.size() < 8 || hash.size() > 64) return false;
  bool digit = false;
  for (char c : hash) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '_' || c == '-';
    if (!alnum) return false;
    digit |= (c >= '0' && c <= '9');
  }
  return digit;
}

}  // namespace vs::http
