// The REST API and the dashboard's files behind one handler (docs/API.md is the reference):
// /health and /api/* go to the routes, every other GET to the web folder.
//
// Before a route's handler runs, in this order: the caller is authenticated (401 with
// WWW-Authenticate when the route needs a login and none was given, or bad credentials were
// given), authorised by the route's declared role (403), a state-changing request carried by the
// session cookie must be same-origin (403), and the body must have the route's media type (415).
// Successful or not, every state-changing admin request is written to the audit log.
// Every GET /api/* JSON answer (but /api/health) carries an ETag made from the store's last event
// id and the request target, and answers 304 to a matching If-None-Match.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "analysis/analyzer.h"
#include "auth/authenticator.h"
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
  analysis::Analyzer* analyzer = nullptr;      // null: POST /api/analyze answers 503
  std::string model_version_name;              // of the loaded model, when registered
  std::string model_path;                // the configured model path (for health when none loaded)
  std::function<size_t()> live_clients;  // may be empty (no live hub)
  std::filesystem::path web_dir;
  auth::Authenticator* auth = nullptr;  // required: every route's role is checked through it
  // Whether a browser Origin ("http://host:port") may change data with the session cookie.
  // Empty: the Origin's host[:port] must equal the Host header.
  std::function<bool(std::string_view origin)> origin_allowed;
};

class Api {
 public:
  explicit Api(ApiDeps deps);
  // Answers any request (runs on a worker thread).
  http::Response Handle(http::Request& request) const;
  // The route table (for the OpenAPI document and the tests that walk it).
  const http::Router& router() const { return router_; }

 private:
  // The caller of `request` if it may use `spec`, else the error answer. Sets request.caller and
  // caller_role once the caller is known (also when it is then refused).
  Result<auth::Principal> Authorize(http::Request& request, const http::RouteSpec& spec) const;
  void Audit(const http::Request& request, const http::Response& response) const;

  ApiDeps deps_;
  http::Router router_;
  http::StaticFiles web_;
};

// The program's version ("0.1.0").
const char* Version();

}  // namespace vs::api
