// `visionstock serve`: store -> event bus -> live hub, detector, API, HTTP server; runs until
// SIGINT or SIGTERM, then shuts down cleanly.
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "analysis/analyzer.h"
#include "api/api.h"
#include "api/model_registry.h"
#include "auth/accounts.h"
#include "auth/authenticator.h"
#include "cli/commands.h"
#include "core/log.h"
#include "http/server.h"
#include "ingest/photo_janitor.h"
#include "ingest/photo_space.h"
#include "ingest/scan_service.h"
#include "live/event_bus.h"
#include "live/hub.h"
#include "store/open.h"

namespace vs::cli {
namespace fs = std::filesystem;
namespace {

int g_signal_pipe[2] = {-1, -1};

void OnStopSignal(int signal_number) {
  const char byte = static_cast<char>(signal_number);
  [[maybe_unused]] const ssize_t n = ::write(g_signal_pipe[1], &byte, 1);  // async-signal-safe
}

// From now on SIGINT and SIGTERM (on whichever thread) wake WaitForStopSignal. Before this, they
// keep their default action: a slow start-up (e.g. a long migration) can still be interrupted.
bool CatchStopSignals() {
  if (::pipe(g_signal_pipe) != 0) return false;
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  return sigaction(SIGINT, &action, nullptr) == 0 && sigaction(SIGTERM, &action, nullptr) == 0;
}

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// Creates the first admin account on an empty store and says, once, how to log in.
void EnsureAdmin(store::Store& store, const std::string& data_dir) {
  auto admin = auth::EnsureFirstAdmin(store, data_dir, Env("VISIONSTOCK_ADMIN_PASSWORD"));
  if (!admin.ok()) {
    vs::log::Error("cannot create the first admin account", {{"error", admin.status().ToString()}});
    return;
  }
  if (!*admin) return;
  if ((*admin)->password_file) {
    vs::log::Info("created the first admin account",
                  {{"user", (*admin)->name},
                   {"password_file", *(*admin)->password_file},
                   {"hint", "log in as admin with the password in that file, then delete it"}});
  } else {
    vs::log::Info("created the first admin account",
                  {{"user", (*admin)->name}, {"password", "from VISIONSTOCK_ADMIN_PASSWORD"}});
  }
}

int WaitForStopSignal() {
  char byte = 0;
  while (::read(g_signal_pipe[0], &byte, 1) != 1) {
  }
  return byte;
}

}  // namespace

int RunServe(const ServeOptions& o) {
  std::error_code ec;
  fs::create_directories(o.data_dir, ec);
  if (ec) {
    vs::log::Error("cannot create the data folder",
                   {{"data_dir", o.data_dir}, {"error", ec.message()}});
    return 1;
  }

  // Declared first so that it is destroyed last: the store's watcher thread publishes into it
  // until the store is destroyed.
  live::EventBus bus;
  // Compliance analysis of committed scans: the queue outlives the store (whose watcher may
  // still publish into the bus) and is stopped, below, before the store goes.
  std::unique_ptr<analysis::Analyzer> analyzer;
  std::unique_ptr<analysis::AnalysisQueue> analysis_queue;
  // Store (the server still starts without it: health says why, store routes answer 503).
  std::unique_ptr<store::Store> store;
  std::string store_reason;
  const store::Location where{.url = o.db, .data_dir = o.data_dir};
  const std::string db_path = store::Describe(where);  // without a password
  if (auto opened = store::Open(where); opened.ok()) {
    store = std::move(opened).value();
  } else {
    store_reason = opened.status().ToString();
    vs::log::Error("store unavailable", {{"path", db_path}, {"error", store_reason}});
  }

  struct StopQueue {
    std::unique_ptr<analysis::AnalysisQueue>* queue;
    ~StopQueue() {
      if (*queue) (*queue)->Stop();
    }
  } stop_queue_before_store{&analysis_queue};
  if (store) {
    analysis::AnalyzerOptions analyzer_options;
    analyzer_options.model_confidence_threshold = o.model.conf;
    analyzer_options.alerts = {.scans = o.alert_scans, .minutes = o.alert_minutes};
    analyzer = std::make_unique<analysis::Analyzer>(store.get(), analyzer_options);
    analysis_queue = std::make_unique<analysis::AnalysisQueue>(
        analyzer.get(), static_cast<size_t>(o.analysis_queue));
    bus.Subscribe([&analysis_queue](const store::Event& e) { analysis_queue->OnEvent(e); });
    analysis_queue->Start();
  }

  if (store) EnsureAdmin(*store, o.data_dir);
  auth::AuthOptions auth_options;
  auth_options.admin_token = Env("VISIONSTOCK_ADMIN_TOKEN").value_or("");
  auth_options.anonymous_viewer = o.anonymous_viewer;
  auth_options.secure_cookie = o.secure_cookies;
  auth_options.session_ttl = std::chrono::hours(o.session_hours);
  auth_options.login_limit.max_failures = o.login_attempts;
  auth::Authenticator authenticator(store.get(), auth_options);

  // Browser origins allowed to write and to open the live feed: the running server's host policy
  // (known once it has started, before any request can arrive).
  const http::Server* running = nullptr;
  const auto origin_allowed = [&running](std::string_view origin) {
    return running != nullptr && running->host_policy().OriginAllowed(origin);
  };
  std::shared_ptr<live::Hub> hub;
  if (store) {
    store->SetCommitListener([&bus](const store::Event& e) { bus.Publish(e); });
    live::HubOptions hub_options;
    // The live feed needs the viewer role, like every read.
    hub_options.authorize = [&authenticator](const live::UpgradeRequest& r) {
      auto who = authenticator.Authenticate(http::Sv(r[http::beast_http::field::authorization]),
                                            http::Sv(r[http::beast_http::field::cookie]));
      return who.ok() && RoleAllows(who->role, Role::kViewer);
    };
    hub_options.origin_allowed = origin_allowed;
    hub = live::Hub::Create(*store, bus, std::move(hub_options));
  }

  // Model (the server still starts without it: health says why, POST /api/detect answers 503).
  std::unique_ptr<vision::Detector> detector;
  std::string model_reason;
  std::optional<store::Id> model_version_id;
  std::string model_version_name;
  if (auto loaded = vision::Detector::Load(o.model.ToConfig()); loaded.ok()) {
    detector = std::move(loaded).value();
    if (store) {
      auto registered = api::RegisterLoadedModel(*store, *detector, /*measure=*/true);
      if (registered.ok()) {
        model_version_id = registered->id;
        model_version_name = registered->version_name;
      } else {
        vs::log::Error("cannot register the model", {{"error", registered.status().ToString()}});
      }
    }
  } else {
    model_reason = loaded.status().message();
    vs::log::Error("model unavailable", {{"model", o.model.model}, {"error", model_reason}});
  }

  const bool photos_in_database = o.photos == "database";
  if (photos_in_database && (o.photo_quota_mb > 0 || o.photo_retention_days > 0)) {
    vs::log::Error("--photo-quota-mb and --photo-retention-days apply to photo files only",
                   {{"photos", o.photos}});
    return 2;
  }
  auto space = std::make_shared<ingest::PhotoSpace>(
      o.data_dir,
      ingest::PhotoSpaceLimits{.quota_bytes = static_cast<uint64_t>(o.photo_quota_mb) << 20,
                               .min_free_bytes = static_cast<uint64_t>(o.min_free_disk_mb) << 20});
  if (Status counted = space->Recount(); !counted.ok()) {
    vs::log::Error("cannot count the stored photos", {{"error", counted.ToString()}});
  }
  ingest::PhotoJanitor janitor(o.data_dir, {.retention_days = o.photo_retention_days}, space);
  if (!photos_in_database) janitor.Start();
  const ingest::ScanService scans(
      store.get(), store_reason, detector.get(), model_reason, model_version_id,
      photos_in_database ? ingest::ImageFiles::InDatabase(store.get())
                         : ingest::ImageFiles(o.data_dir, space),
      ingest::ScanLimits{.max_pixels = o.model.max_pixels,
                         .max_jpeg_scans = o.max_jpeg_scans,
                         .decode_budget = std::chrono::milliseconds(o.decode_budget_ms)});
  api::ApiDeps deps;
  deps.store = store.get();
  deps.store_reason = store_reason;
  deps.scans = &scans;
  deps.analyzer = analyzer.get();
  deps.model_version_name = model_version_name;
  deps.model_path = o.model.model;
  if (hub) deps.live_clients = [&hub] { return hub->client_count(); };
  deps.web_dir = o.web_dir;
  deps.auth = &authenticator;
  deps.origin_allowed = origin_allowed;
  const api::Api api(std::move(deps));

  http::ServerOptions server_options;
  server_options.host = o.host;
  server_options.port = static_cast<uint16_t>(o.port);
  server_options.io_threads = o.io_threads;
  server_options.worker_threads =
      o.workers > 0 ? o.workers
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server_options.max_body_bytes = static_cast<size_t>(o.max_body_mb) << 20;
  for (const auto& h : o.allowed_hosts) server_options.host_policy.AllowHost(h);
  for (const auto& origin : o.allowed_origins) server_options.host_policy.AllowOrigin(origin);
  server_options.max_connections = o.max_connections;
  server_options.max_connections_per_address = o.max_connections_per_address;
  server_options.max_body_bytes_in_flight = static_cast<size_t>(o.max_inflight_body_mb) << 20;
  // Detection (decode + inference) runs in its own bounded lane, so reads, the dashboard and
  // /health keep answering while it is full; a full lane answers 503 at once.
  server_options.heavy.is_heavy = [](http::beast_http::verb method, std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return method == http::beast_http::verb::post &&
           (path == "/api/detect" || path == "/api/detect/");
  };
  server_options.heavy.threads = o.detect_threads;
  server_options.heavy.max_in_flight = o.detect_queue;
  http::Server::UpgradeHandler upgrade;
  if (hub) {
    upgrade = [&hub](boost::beast::tcp_stream stream, http::RawRequest request) {
      hub->Accept(std::move(stream), std::move(request));
    };
  }
  if (!CatchStopSignals()) {
    vs::log::Error("cannot install the SIGINT/SIGTERM handlers");
    return 1;
  }
  http::Server server(
      server_options, [&api](http::Request& r) { return api.Handle(r); }, std::move(upgrade));
  if (Status started = server.Start(); !started.ok()) {
    vs::log::Error("cannot start the server", {{"error", started.ToString()}});
    return 1;
  }
  running = &server;
  vs::log::Info("listening",
                {{"host", o.host},
                 {"port", server.port()},
                 {"url", "http://" + (o.host == "0.0.0.0" ? std::string("localhost") : o.host) +
                             ":" + std::to_string(server.port()) + "/"},
                 {"data_dir", o.data_dir},
                 {"model", detector ? model_version_name : "unavailable"},
                 {"store", store ? "ok" : "unavailable"},
                 {"workers", server_options.worker_threads},
                 {"version", api::Version()}});

  const int signal_number = WaitForStopSignal();
  vs::log::Info("shutting down", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  if (hub) hub->CloseAll();
  server.Stop();
  vs::log::Info("stopped");
  return 0;
}

}  // namespace vs::cli
