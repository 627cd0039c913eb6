// The REST API and the dashboard's files behind one handler (docs/API.md is the reference):
// /health and /api/* go to the routes, every other GET to the web folder.
// Every GET /api/* JSON answer (but /api/health) carries an ETag made from the store's last event
// id and the request target, and answers 304 to a matching If-None-Match.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"
#include "ingest/scan_service.h"
#include "store/store.h"

namespace vs::api {

struct ApiDeps {
  store::Store* store = nullptr;               // null when the store could not be opened
  std::string store_reason;                    // why, when null
  const ingest::ScanService* scans = nullptr;  // required; knows the detector (possibly none)
  std::string model_version_name;              // of the loaded model, when registered
  std::string model_path;                // the configured model path (for health when none loaded)
  std::function<size_t()> live_clients;  // may be empty (no live hub)
  std::filesystem::path web_dir;
};

class Api {
 public:
  explicit Api(ApiDeps deps);
  // Answers any request (runs on a worker thread).
  http::Response Handle(http::Request& request) const;

 private:
  ApiDeps deps_;
  http::Router router_;
  http::StaticFiles web_;
};

// The program's version ("0.1.0").
const char* Version();

}  // namespace vs::api
