// The REST API and the dashboard's files behind one handler (docs/API.md is the reference):
// /health and /api/* go to the routes, every other GET to the web folder.
//
// Before a route's handler runs, in this order: the caller is authenticated (401 with
// WWW-Authenticate when the route needs a login and none was given, or bad credentials were
// given), authorised by the route's declared role (403), a state-changing request carried by the
// session cookie must be same-origin (403), and the body must have the route's media type (415).
// Successful or not, every state-changing admin request is written to the audit log.
// CORS is closed unless ApiDeps::cors names origins (http/cors.h); a bearer-token request from
// such an origin may also change data, a cookie request never cross-origin.
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
#include "http/cors.h"
#include "http/message.h"
#include "http/router.h"
#include "http/static_files.h"
#include "ingest/scan_service.h"
#include "metrics/metrics.h"
#include "models/evaluation.h"
#include "models/registry.h"
#include "store/store.h"

namespace vs::api {

// Who may read GET /metrics (docs/OPERATIONS.md). Whatever the choice, the admin role and the
// metrics token (ApiDeps::metrics_token, sent as "Authorization: Bearer <token>") may.
enum class MetricsAccess {
  kLocal,  // default: also callers on a loopback address that came through no proxy
  kToken,  // only the admin role or the metrics token
  kOpen,   // anyone who can reach the port (a private network, a scraper without credentials)
};

struct ApiDeps {
  store::Store* store = nullptr;               // null when the store could not be opened
  std::string store_reason;                    // why, when null
  const ingest::ScanService* scans = nullptr;  // required; knows the detector (possibly none)
  // The servable models; when set it chooses the model of every detection (the scan service's
  // own detector is then unused). Null: the scan service's detector serves alone.
  models::ModelRegistry* models = nullptr;
  models::EvaluationRunner* evaluations = nullptr;  // background evaluations; may be null
  analysis::Analyzer* analyzer = nullptr;           // null: POST /api/analyze answers 503
  std::string model_version_name;                   // of the loaded model, when registered
  std::string model_path;                // the configured model path (for health when none loaded)
  std::function<size_t()> live_clients;  // may be empty (no live hub)
  std::filesystem::path web_dir;
  auth::Authenticator* auth = nullptr;  // required: every route's role is checked through it
  // Whether a browser Origin ("http://host:port") may change data with the session cookie.
  // Empty: the Origin's host[:port] must equal the Host header.
  std::function<bool(std::string_view origin)> origin_allowed;
  // Origins whose pages may call the API with a bearer token (CORS); closed by default.
  http::CorsPolicy cors;

  // Operations (docs/OPERATIONS.md). GET /metrics answers 503 while `metrics` is null.
  metrics::Metrics* metrics = nullptr;
  MetricsAccess metrics_access = MetricsAccess::kLocal;
  std::string metrics_token;  // empty: none
  // GET /health/ready: true once shutdown has begun (then 503); may be empty (never).
  std::function<bool()> shutting_down;
  // GET /health/ready: ready without a loaded model (a deployment that only serves reads).
  bool model_optional = false;
  // Webhook URLs may point at link-local / metadata addresses (webhooks/target.h).
  bool webhooks_allow_link_local = false;
  // Called after a webhook is created (wakes the delivery service). May be empty.
  std::function<void()> webhooks_changed;
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
  // Handle without the CORS headers.
  http::Response Answer(http::Request& request) const;
  void Audit(const http::Request& request, const http::Response& response) const;

  ApiDeps deps_;
  http::Router router_;
  http::StaticFiles web_;
};

// The program's version ("0.1.0").
const char* Version();

}  // namespace vs::api
