// The dashboard's files, served from one folder (the web dir) for GET of any non-/api path.
//   - Paths are confined to the folder: "..", "\", NUL and symbolic links leading outside are
//     refused (404), whatever their encoding.
//   - An unknown path whose last segment has no extension is client-side routing: index.html.
//   - Hashed asset names (e.g. assets/index-4f3a9c1b.js) get a one-year immutable cache; every
//     other file, index.html included, gets Cache-Control: no-cache with an ETag (304 on match).
//   - Without index.html in the folder, GET / answers 503 "dashboard not built".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace vs::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // The regular file inside the root that `path` (decoded, starting with '/') names, with the SPA
  // fallback applied. NotFound when it does not exist or would leave the root; Unavailable when
  // the fallback is needed but index.html is missing.
  Result<std::filesystem::path> Resolve(std::string_view path) const;

  // Answers a GET request (reads the file; run on a worker thread).
  Response Serve(const Request& request) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // canonical when it exists
};

// "text/html; charset=utf-8" etc. by file extension (web assets only; images in the API are typed
// by content).
std::string_view ContentTypeForExtension(std::string_view extension);
// True for names like "index-4f3a9c1b.js" / "app.8f9e0d1c2b3a.css": a content hash in the name.
bool IsHashedAssetName(std::string_view filename);

}  // namespace vs::http
