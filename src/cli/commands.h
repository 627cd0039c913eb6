// Options and entry points of the subcommands (internal to src/cli).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vision/detector.h"

namespace vs::cli {

// Detector settings shared by serve and detect.
struct ModelOptions {
  std::string model;   // path of the ONNX model
  int threads = 0;     // ONNX Runtime intra-op threads (0 = all cores)
  float conf = 0.25f;  // confidence threshold
  float iou = 0.45f;   // NMS IoU threshold
  int max_detections = 1000;
  int64_t max_pixels = 50'000'000;
  vision::DetectorConfig ToConfig() const;
};

struct ServeOptions {
  std::string host = "0.0.0.0";
  int port = 8000;
  std::string data_dir = "./data";
  std::string db;  // database URL (store/open.h): postgresql://…, sqlite:PATH, or empty
  std::string web_dir;
  int workers = 0;     // worker threads for requests (0 = number of cores)
  int io_threads = 1;  // socket threads
  int max_body_mb = 20;
  bool anonymous_viewer = false;  // callers without credentials may read (kiosk screens)
  bool secure_cookies = false;    // mark the session cookie Secure (TLS in front)
  int session_hours = 12;
  int login_attempts = 5;        // failed logins per address per 15 minutes
  std::string photos = "files";  // where photos live: "files" (data folder) or "database"
  int photo_retention_days = 0;  // 0 = keep photos forever
  int64_t photo_quota_mb = 0;    // 0 = no quota
  int64_t min_free_disk_mb = 100;
  int decode_budget_ms = 2000;
  std::vector<std::string> allowed_hosts;    // besides this machine's names and addresses
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For is believed
  std::vector<std::string> allowed_origins;  // e.g. https://shelf.example.com behind TLS
  std::vector<std::string> cors_origins;     // pages that may call the API with a token (CORS)
  int max_connections = 0;                   // 0 = min(4096, descriptor limit - 256)
  int max_connections_per_address = 256;
  int max_live_clients = 10000;  // open live-feed WebSockets; more get 503 before the upgrade
  int max_inflight_body_mb = 256;
  int detect_threads = 0;  // 0 = one per core
  int detect_queue = 0;    // detections queued + running; 0 = 2 x threads
  int max_jpeg_scans = 64;
  // Operations (docs/OPERATIONS.md).
  std::string metrics_access = "local";  // local, token or open (api::MetricsAccess)
  std::string metrics_token;             // empty: none
  bool access_log = true;                // one JSON line per request on stderr
  int drain_seconds = 10;                // on SIGTERM: longest wait for requests in flight
  int shutdown_delay_ms = 0;             // on SIGTERM: not ready this long before closing
  bool model_optional = false;           // /health/ready is 200 without a model
  int analysis_queue = 256;              // scans waiting for compliance analysis; more are dropped
  int alert_scans = 1;    // consecutive scans before an alert is raised (0: by minutes)
  int alert_minutes = 0;  // minutes a condition must hold to be raised (0: by scans)
  ModelOptions model;
  // Webhook delivery (src/webhooks, docs/WEBHOOKS.md).
  int webhook_workers = 2;  // deliveries in flight at once
  int webhook_max_attempts = 8;
  int webhook_retry_base_ms = 10'000;  // wait after the first failure, doubled after each
  int webhook_retry_max_ms = 3'600'000;
  int webhook_connect_timeout_ms = 5'000;
  int webhook_timeout_ms = 10'000;  // send the request and read the answer
  bool webhook_allow_link_local = false;
  // PEM CA certificates trusted for https receivers besides the system's (empty: none).
  std::string webhook_ca_file;
  int webhook_keep_days = 30;  // finished deliveries kept this long; 0 = forever
  // The model registry (docs/MODELS.md).
  int64_t model_memory_mb = 1024;           // loaded models together (ONNX file sizes)
  int64_t max_model_mb = 100;               // largest model upload
  std::vector<std::string> ignore_classes;  // of the --model: classes never reported
  std::string slicing = "off";              // of the --model: off, grid or auto
};

// `visionstock user ...` and `visionstock token ...`: account management on the data folder.
struct AccountOptions {
  std::string data_dir = "./data";
  std::string db;      // database URL (store/open.h): postgresql://…, sqlite:PATH, or empty
  std::string action;  // add, list, remove (user); create, list, revoke (token)
  std::string name;    // user name, token name, or token id (revoke)
  std::string role = "viewer";
  bool json = false;
};
int RunUser(const AccountOptions& options);
int RunToken(const AccountOptions& options);

struct DetectOptions {
  std::vector<std::string> inputs;  // files or folders
  std::string shelf_location = "unassigned";
  std::string store = "default";
  bool json = false;
  std::string data_dir = "./data";
  std::string db;  // database URL (store/open.h): postgresql://…, sqlite:PATH, or empty
  ModelOptions model;
};

// `import-legacy`: the earlier VisionStock's PostgreSQL tables into this store.
struct ImportLegacyOptions {
  std::string source;  // libpq URL of the earlier database (read only)
  std::string db;      // this store's URL; empty: SQLite in data_dir
  std::string data_dir = "./data";
  std::string store = "default";  // the earlier system had no stores: its scans go to this one
  int batch_rows = 5000;
  int batch_scans = 200;
  bool json = false;
};
int RunImportLegacy(const ImportLegacyOptions& options);

// `planogram import FILE` / `planogram export`: planogram files on the data folder's store.
struct PlanogramOptions {
  std::string data_dir = "./data";
  std::string db;                   // database URL; empty: SQLite in data_dir
  std::string action;               // import, export
  std::string file;                 // import: the file; export: the output ("" or "-" = stdout)
  std::string format;               // csv or json; "" = from the file name (import) or csv (export)
  std::string what = "planograms";  // planograms or products
};
int RunPlanogram(const PlanogramOptions& options);

// `evaluate`: metrics of the model on a labelled set (see evaluate.cc).
struct EvaluateOptions {
  std::string data;  // YOLO folder or data.yaml, or COCO .json
  bool json = false;
  bool agnostic = false;         // every class is one
  std::string save_predictions;  // when set, the predictions as a COCO results JSON file
  std::string data_dir = "./data";
  std::string db;      // database URL (store/open.h): postgresql://…, sqlite:PATH, or empty
  ModelOptions model;  // model.conf is the serving threshold for precision/recall/F1
};

// `demo`: load (or, with remove, take out) the demo store (demo/demo.h).
struct DemoOptions {
  bool remove = false;
  bool json = false;
  std::string data_dir = "./data";
  ModelOptions model;
};
int RunDemo(const DemoOptions& options);

int RunServe(const ServeOptions& options);
int RunDetect(const DetectOptions& options);
int RunEvaluate(const EvaluateOptions& options);

// The folder holding the running program (for the bundled model and web files).
std::filesystem::path ProgramDir();

}  // namespace vs::cli
