#include "cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <tuple>

#include "api/api.h"
#include "cli/commands.h"

namespace vs::cli {
namespace {

// Adds --name bound to `value`, also read from VISIONSTOCK_<NAME>.
template <typename T>
CLI::Option* Opt(CLI::App* app, const std::string& name, T& value, const std::string& help) {
  std::string env = "VISIONSTOCK_";
  for (char c : name) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return app->add_option("--" + name, value, help)->envname(env)->capture_default_str();
}

void AddModelOptions(CLI::App* app, ModelOptions& m) {
  Opt(app, "model", m.model,
      "ONNX detection model (default: <program dir>/models/nanodet-416.onnx)");
  Opt(app, "threads", m.threads, "ONNX Runtime threads per inference (0 = all cores)")
      ->check(CLI::Range(0, 256));
  Opt(app, "conf", m.conf, "confidence threshold")->check(CLI::Range(0.0, 1.0));
  Opt(app, "iou", m.iou, "NMS IoU threshold")->check(CLI::Range(0.0, 1.0));
  Opt(app, "max-detections", m.max_detections, "most detections kept per image")
      ->check(CLI::Range(1, 100000));
  Opt(app, "max-pixels", m.max_pixels, "largest image accepted, in pixels (width x height)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
}

void AddWebhookOptions(CLI::App* app, ServeOptions& s) {
  Opt(app, "webhook-workers", s.webhook_workers, "webhook deliveries in flight at once")
      ->check(CLI::Range(1, 64));
  Opt(app, "webhook-max-attempts", s.webhook_max_attempts,
      "attempts per webhook delivery before it is marked failed")
      ->check(CLI::Range(1, 100));
  Opt(app, "webhook-retry-base-ms", s.webhook_retry_base_ms,
      "wait after a failed delivery, doubled after each further failure")
      ->check(CLI::Range(10, 86'400'000));
  Opt(app, "webhook-retry-max-ms", s.webhook_retry_max_ms, "longest wait between attempts")
      ->check(CLI::Range(10, 86'400'000));
  Opt(app, "webhook-connect-timeout-ms", s.webhook_connect_timeout_ms,
      "deadline for connecting to a webhook receiver")
      ->check(CLI::Range(100, 600'000));
  Opt(app, "webhook-timeout-ms", s.webhook_timeout_ms,
      "deadline for sending a delivery and reading the answer")
      ->check(CLI::Range(100, 600'000));
  Opt(app, "webhook-keep-days", s.webhook_keep_days,
      "days to keep delivered and failed webhook deliveries (0 = forever)")
      ->check(CLI::Range(0, 36500));
  Opt(app, "webhook-ca-file", s.webhook_ca_file,
      "PEM file of CA certificates trusted for https webhook receivers, besides the system's");
  app->add_flag("--webhook-allow-link-local", s.webhook_allow_link_local,
                "let webhooks post to link-local and cloud metadata addresses (SSRF risk)")
      ->envname("VISIONSTOCK_WEBHOOK_ALLOW_LINK_LOCAL");
}

}  // namespace

std::filesystem::path ProgramDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : exe.parent_path();
}

vision::DetectorConfig ModelOptions::ToConfig() const {
  vision::DetectorConfig c;
  c.model_path = model;
  c.threads = threads;
  c.confidence_threshold = conf;
  c.iou_threshold = iou;
  c.max_detections = max_detections;
  return c;
}

int Run(int argc, char** argv) {
  CLI::App app{"VisionStock: shelf photos in, detected products out (REST API + live dashboard)",
               "visionstock"};
  app.require_subcommand(1);

  ServeOptions serve;
  serve.model.model = (ProgramDir() / "models" / "nanodet-416.onnx").string();
  serve.web_dir = (ProgramDir() / "web").string();
  CLI::App* serve_cmd =
      app.add_subcommand("serve", "serve the REST API, live updates and dashboard");
  Opt(serve_cmd, "host", serve.host, "address to listen on");
  Opt(serve_cmd, "port", serve.port, "port to listen on (0 = any free port)")
      ->check(CLI::Range(0, 65535));
  Opt(serve_cmd, "data-dir", serve.data_dir, "folder for the database and stored photos");
  Opt(serve_cmd, "db", serve.db,
      "database URL: postgresql://user@host/db for a PostgreSQL shared by several instances, "
      "sqlite:PATH, or empty for <data-dir>/visionstock.db");
  Opt(serve_cmd, "web-dir", serve.web_dir, "folder of the built dashboard");
  Opt(serve_cmd, "workers", serve.workers, "request worker threads (0 = number of cores)")
      ->check(CLI::Range(0, 256));
  Opt(serve_cmd, "io-threads", serve.io_threads, "socket I/O threads")->check(CLI::Range(1, 64));
  Opt(serve_cmd, "max-body-mb", serve.max_body_mb, "largest request body, in MiB")
      ->check(CLI::Range(1, 1024));
  Opt(serve_cmd, "session-hours", serve.session_hours, "how long a dashboard login lasts")
      ->check(CLI::Range(1, 24 * 90));
  Opt(serve_cmd, "login-attempts", serve.login_attempts,
      "failed logins allowed per address per 15 minutes")
      ->check(CLI::Range(1, 1000));
  Opt(serve_cmd, "allowed-hosts", serve.allowed_hosts,
      "host names to answer besides this machine's (e.g. shelf.example.com)")
      ->delimiter(',');
  Opt(serve_cmd, "trusted-proxies", serve.trusted_proxies,
      "addresses of reverse proxies (e.g. nginx: 127.0.0.1) whose X-Forwarded-For names the "
      "client for login limits, audit and access logs")
      ->delimiter(',');
  Opt(serve_cmd, "allowed-origins", serve.allowed_origins,
      "extra browser origins that may write, e.g. https://shelf.example.com behind TLS")
      ->delimiter(',');
  Opt(serve_cmd, "cors-origins", serve.cors_origins,
      "origins whose pages may call the API with a bearer token (CORS; closed by default)")
      ->delimiter(',');
  Opt(serve_cmd, "max-connections", serve.max_connections,
      "open connections (0 = min(4096, descriptor limit - 256))")
      ->check(CLI::Range(0, 1'000'000));
  Opt(serve_cmd, "max-connections-per-ip", serve.max_connections_per_address,
      "open connections per client address")
      ->check(CLI::Range(1, 1'000'000));
  Opt(serve_cmd, "max-live-clients", serve.max_live_clients,
      "open live-feed connections; more get 503 before the upgrade")
      ->check(CLI::Range(1, 1'000'000));
  Opt(serve_cmd, "max-inflight-body-mb", serve.max_inflight_body_mb,
      "request body MiB being received at once, all clients together")
      ->check(CLI::Range(1, 65536));
  Opt(serve_cmd, "detect-threads", serve.detect_threads,
      "threads running detections (0 = one per core)")
      ->check(CLI::Range(0, 256));
  Opt(serve_cmd, "detect-queue", serve.detect_queue,
      "detections queued or running before uploads get 503 (0 = 2 x detect threads)")
      ->check(CLI::Range(0, 100000));
  Opt(serve_cmd, "photos", serve.photos,
      "where photos live: files (the data folder; shared by instances that mount it) or database")
      ->check(CLI::IsMember({"files", "database"}));
  Opt(serve_cmd, "photo-retention-days", serve.photo_retention_days,
      "delete stored photos older than this (detections stay; 0 = keep forever)")
      ->check(CLI::Range(0, 36500));
  Opt(serve_cmd, "photo-quota-mb", serve.photo_quota_mb,
      "most MiB of stored photos; uploads beyond get 507 (0 = no quota)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  Opt(serve_cmd, "min-free-disk-mb", serve.min_free_disk_mb,
      "free MiB to leave on the data folder's disk; uploads below it get 507")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  Opt(serve_cmd, "decode-budget-ms", serve.decode_budget_ms, "longest decode of one photo")
      ->check(CLI::Range(50, 60'000));
  Opt(serve_cmd, "max-jpeg-scans", serve.max_jpeg_scans,
      "most scans in a progressive JPEG (more is refused)")
      ->check(CLI::Range(1, 10'000));
  Opt(serve_cmd, "analysis-queue", serve.analysis_queue,
      "scans waiting for compliance analysis; more are dropped (analyse them on demand)")
      ->check(CLI::Range(1, 1'000'000));
  Opt(serve_cmd, "alert-scans", serve.alert_scans,
      "consecutive scans a condition must show before its alert is raised (0: by minutes)")
      ->check(CLI::Range(0, 1000));
  Opt(serve_cmd, "alert-minutes", serve.alert_minutes,
      "minutes a condition must hold before its alert is raised (0: by scans)")
      ->check(CLI::Range(0, 525600));
  serve_cmd
      ->add_flag("--anonymous-viewer", serve.anonymous_viewer,
                 "let callers without credentials read (kiosk screens, older clients)")
      ->envname("VISIONSTOCK_ANONYMOUS_VIEWER");
  serve_cmd
      ->add_flag("--secure-cookies", serve.secure_cookies,
                 "mark the session cookie Secure (when TLS is in front)")
      ->envname("VISIONSTOCK_SECURE_COOKIES");
  Opt(serve_cmd, "metrics-access", serve.metrics_access,
      "who may read GET /metrics besides the admin role and the metrics token: local "
      "(loopback callers not behind a proxy), token (nobody else) or open (anyone)")
      ->check(CLI::IsMember({"local", "token", "open"}));
  Opt(serve_cmd, "metrics-token", serve.metrics_token,
      "bearer token that opens GET /metrics and nothing else (prefer the environment "
      "variable: a command line is visible to every local user)");
  Opt(serve_cmd, "access-log", serve.access_log,
      "one JSON line per request on stderr (true/false)");
  Opt(serve_cmd, "drain-seconds", serve.drain_seconds,
      "on SIGTERM, the longest wait for requests in flight before exiting")
      ->check(CLI::Range(0, 3600));
  Opt(serve_cmd, "shutdown-delay-ms", serve.shutdown_delay_ms,
      "on SIGTERM, how long /health/ready answers 503 before new connections are refused "
      "(time for a load balancer to notice)")
      ->check(CLI::Range(0, 600'000));
  serve_cmd
      ->add_flag("--model-optional", serve.model_optional,
                 "report ready (GET /health/ready) without a detection model")
      ->envname("VISIONSTOCK_MODEL_OPTIONAL");
  Opt(serve_cmd, "model-memory-mb", serve.model_memory_mb,
      "MiB of models kept loaded at once (ONNX file sizes); least recently used unloaded first")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  Opt(serve_cmd, "max-model-mb", serve.max_model_mb,
      "largest model upload, in MiB (--max-body-mb must allow it too)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  Opt(serve_cmd, "ignore-classes", serve.ignore_classes,
      "classes of --model never reported, e.g. person")
      ->delimiter(',');
  Opt(serve_cmd, "slicing", serve.slicing,
      "sliced inference for --model: off, grid (2x2) or auto (tiles when the photo is much "
      "larger than the input)")
      ->check(CLI::IsMember({"off", "grid", "auto"}));
  AddModelOptions(serve_cmd, serve.model);
  AddWebhookOptions(serve_cmd, serve);

  DetectOptions detect;
  detect.model.model = serve.model.model;
  CLI::App* detect_cmd =
      app.add_subcommand("detect", "detect products in image files or folders into the store");
  detect_cmd->add_option("inputs", detect.inputs, "image files or folders")->required();
  Opt(detect_cmd, "shelf-location", detect.shelf_location, "shelf location of these photos");
  Opt(detect_cmd, "store", detect.store, "store of these photos");
  detect_cmd->add_flag("--json", detect.json, "print one JSON object per image")
      ->envname("VISIONSTOCK_JSON");
  Opt(detect_cmd, "data-dir", detect.data_dir, "folder for the database and stored photos");
  Opt(detect_cmd, "db", detect.db,
      "database URL: postgresql://user@host/db for a PostgreSQL shared by several instances, "
      "sqlite:PATH, or empty for <data-dir>/visionstock.db");
  AddModelOptions(detect_cmd, detect.model);

  AccountOptions user;
  CLI::App* user_cmd = app.add_subcommand("user", "manage dashboard users (add, list, remove)");
  user_cmd->add_option("action", user.action, "add, list or remove")
      ->required()
      ->check(CLI::IsMember({"add", "list", "remove"}));
  user_cmd->add_option("name", user.name, "user name (add, remove)");
  Opt(user_cmd, "role", user.role, "viewer, operator or admin (add)")
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  Opt(user_cmd, "data-dir", user.data_dir, "folder of the database");
  Opt(user_cmd, "db", user.db,
      "database URL: postgresql://user@host/db for a PostgreSQL shared by several instances, "
      "sqlite:PATH, or empty for <data-dir>/visionstock.db");
  user_cmd->add_flag("--json", user.json, "print JSON (list)");

  AccountOptions token;
  CLI::App* token_cmd = app.add_subcommand("token", "manage API tokens (create, list, revoke)");
  token_cmd->add_option("action", token.action, "create, list or revoke")
      ->required()
      ->check(CLI::IsMember({"create", "list", "revoke"}));
  token_cmd->add_option("name", token.name, "what the token is for (create), or its id (revoke)");
  Opt(token_cmd, "role", token.role, "viewer, operator or admin (create)")
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  Opt(token_cmd, "data-dir", token.data_dir, "folder of the database");
  Opt(token_cmd, "db", token.db,
      "database URL: postgresql://user@host/db for a PostgreSQL shared by several instances, "
      "sqlite:PATH, or empty for <data-dir>/visionstock.db");
  token_cmd->add_flag("--json", token.json, "print JSON");

  EvaluateOptions evaluate;
  evaluate.model.model = serve.model.model;
  CLI::App* evaluate_cmd = app.add_subcommand(
      "evaluate", "measure the model on a labelled set (mAP, precision, recall)");
  Opt(evaluate_cmd, "data", evaluate.data, "labelled set: YOLO folder or data.yaml, or COCO .json")
      ->required();
  evaluate_cmd->add_flag("--json", evaluate.json, "print one JSON object")
      ->envname("VISIONSTOCK_JSON");
  evaluate_cmd->add_flag("--agnostic", evaluate.agnostic, "count every class as one")
      ->envname("VISIONSTOCK_AGNOSTIC");
  evaluate_cmd->add_option("--save-predictions", evaluate.save_predictions,
                           "also write the predictions as a COCO results JSON file");
  Opt(evaluate_cmd, "data-dir", evaluate.data_dir,
      "store the figures here if the model is registered");
  Opt(evaluate_cmd, "db", evaluate.db,
      "database URL: postgresql://user@host/db for a PostgreSQL shared by several instances, "
      "sqlite:PATH, or empty for <data-dir>/visionstock.db");
  AddModelOptions(evaluate_cmd, evaluate.model);

  ImportLegacyOptions legacy;
  CLI::App* legacy_cmd = app.add_subcommand(
      "import-legacy", "import the earlier VisionStock's history from its PostgreSQL database");
  legacy_cmd->add_option("source", legacy.source, "the earlier database, e.g. postgresql://host/db")
      ->required();
  Opt(legacy_cmd, "db", legacy.db, "this store: postgresql://… (default: SQLite in --data-dir)");
  Opt(legacy_cmd, "data-dir", legacy.data_dir, "folder of the SQLite store");
  legacy_cmd->add_option("--store", legacy.store, "store the earlier scans belong to")
      ->capture_default_str();
  legacy_cmd->add_option("--batch", legacy.batch_rows, "detections read per round trip")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  legacy_cmd
      ->add_option("--batch-scans", legacy.batch_scans,
                   "scans written per transaction (an interrupted run keeps whole batches)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  legacy_cmd->add_flag("--json", legacy.json, "print the summary as one JSON object");
  DemoOptions demo;
  demo.model.model = serve.model.model;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "load a labelled demo store from packaged photos (--remove takes it out again)");
  demo_cmd->add_flag("--remove", demo.remove, "remove every demo row and photo");
  demo_cmd->add_flag("--json", demo.json, "print one JSON object")->envname("VISIONSTOCK_JSON");
  Opt(demo_cmd, "data-dir", demo.data_dir, "folder for the database and stored photos");
  AddModelOptions(demo_cmd, demo.model);

  PlanogramOptions planogram;
  CLI::App* planogram_cmd = app.add_subcommand(
      "planogram", "import or export planograms (or the catalogue) as CSV or JSON files");
  planogram_cmd->add_option("action", planogram.action, "import or export")
      ->required()
      ->check(CLI::IsMember({"import", "export"}));
  planogram_cmd->add_option("file", planogram.file,
                            "the file to import, or to export to (default: standard output)");
  Opt(planogram_cmd, "format", planogram.format, "csv or json (default: from the file name)")
      ->check(CLI::IsMember({"", "csv", "json"}));
  Opt(planogram_cmd, "what", planogram.what, "planograms or products")
      ->check(CLI::IsMember({"planograms", "products"}));
  Opt(planogram_cmd, "data-dir", planogram.data_dir, "folder of the database");
  Opt(planogram_cmd, "db", planogram.db,
      "database URL: postgresql://user@host/db, sqlite:PATH, or empty for "
      "<data-dir>/visionstock.db");

  CLI::App* version_cmd = app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (serve_cmd->parsed()) return RunServe(serve);
  if (detect_cmd->parsed()) return RunDetect(detect);
  for (auto [cmd, opts, needs_name] :
       {std::tuple{user_cmd, &user, std::string("add remove")},
        std::tuple{token_cmd, &token, std::string("create revoke")}}) {
    if (!cmd->parsed()) continue;
    if (opts->name.empty() && needs_name.find(opts->action) != std::string::npos) {
      std::fprintf(stderr, "visionstock %s %s: a name is needed\n", cmd->get_name().c_str(),
                   opts->action.c_str());
      return 2;
    }
    return cmd == user_cmd ? RunUser(*opts) : RunToken(*opts);
  }

  if (evaluate_cmd->parsed()) return RunEvaluate(evaluate);
  if (legacy_cmd->parsed()) return RunImportLegacy(legacy);
  if (planogram_cmd->parsed()) return RunPlanogram(planogram);
  if (demo_cmd->parsed()) return RunDemo(demo);
  if (version_cmd->parsed()) {
    std::printf("visionstock %s\n", api::Version());
    return 0;
  }
  return 1;
}

}  // namespace vs::cli
