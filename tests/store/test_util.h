// Helpers shared by the store tests: a temporary directory and scan builders.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace vs::store::testing {

// A fresh directory under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vs_store_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::unique_ptr<Store> MustOpen(const std::string& path) {
  auto s = OpenSqlite({path});
  if (!s.ok()) {
    ADD_FAILURE() << s.status().ToString();
    return nullptr;
  }
  return std::move(s).value();
}

inline NewDetection Det(const std::string& cls, double conf, int class_id = 0) {
  NewDetection d;
  d.class_id = class_id;
  d.class_name = cls;
  d.confidence = conf;
  d.x_center = 0.5;
  d.y_center = 0.4;
  d.width = 0.1;
  d.height = 0.2;
  return d;
}

inline NewScan Scan(const std::string& store, const std::string& shelf, int64_t captured_ms,
                    std::vector<NewDetection> dets) {
  NewScan s;
  s.store = store;
  s.shelf_location = shelf;
  s.captured_at = FromUnixMillis(captured_ms);
  s.received_at = FromUnixMillis(captured_ms + 5);
  s.image_path = "images/" + std::to_string(captured_ms) + ".jpg";
  s.sha256 = std::string(64, 'a');
  s.width = 640;
  s.height = 480;
  s.inference_ms = 12.5;
  s.detections = std::move(dets);
  return s;
}

// Runs one SQL statement on the file through a separate raw connection and returns the first
// column of the first row as int64 (or -1 on error).
inline int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t v = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return v;
}

inline bool ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  bool ok = false;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  sqlite3_close(db);
  return ok;
}

}  // namespace vs::store::testing
