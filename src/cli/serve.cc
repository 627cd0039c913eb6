// `visionstock serve`: store -> event bus -> live hub, detector, metrics, API, HTTP server; runs
// until SIGINT or SIGTERM, then shuts down cleanly: not ready first, then no new connections,
// then the requests in flight are answered (within --drain-seconds), then exit.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "analysis/analyzer.h"
#include "api/api.h"
#include "auth/accounts.h"
#include "auth/authenticator.h"
#include "cli/commands.h"
#include "core/log.h"
#include "http/forwarded.h"
#include "http/server.h"
#include "ingest/photo_janitor.h"
#include "ingest/photo_space.h"
#include "ingest/scan_service.h"
#include "live/event_bus.h"
#include "live/hub.h"
#include "metrics/metrics.h"
#include "models/evaluation.h"
#include "models/follower.h"
#include "models/registry.h"
#include "store/open.h"
#include "webhooks/service.h"

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

// The series /metrics reads at scrape time (docs/OPERATIONS.md lists them). `server` is set once
// the server has started, before any request can arrive; `hub` and `store` may be null.
void AddReadSeries(metrics::Metrics& m, const http::Server* const& server,
                   const std::shared_ptr<live::Hub>& hub, const store::Store* store,
                   const std::atomic<bool>& shutting_down) {
  std::vector<Status> added;
  const auto http_stat = [&server](size_t http::Server::Stats::*field) {
    return [&server, field] { return server ? static_cast<double>(server->stats().*field) : 0.0; };
  };
  using S = http::Server::Stats;
  added.push_back(m.AddGauge("visionstock_http_requests_in_flight",
                             "Requests received and not yet answered", {},
                             http_stat(&S::requests_in_flight)));
  added.push_back(m.AddGauge("visionstock_http_open_connections", "Open HTTP connections", {},
                             http_stat(&S::open_connections)));
  added.push_back(m.AddGauge("visionstock_http_body_bytes_in_flight",
                             "Request body bytes being received or held by a handler", {},
                             http_stat(&S::body_bytes_in_flight)));
  added.push_back(m.AddGauge("visionstock_detect_queue_depth",
                             "Detections queued or running in the detection lane", {},
                             http_stat(&S::heavy_in_flight)));
  added.push_back(m.AddGauge("visionstock_detect_queue_capacity",
                             "Bound of the detection lane (queued + running); more get 503", {},
                             http_stat(&S::heavy_capacity)));
  added.push_back(m.AddGauge("visionstock_detect_threads", "Threads running detections", {},
                             http_stat(&S::heavy_threads)));
  added.push_back(m.AddGauge("visionstock_shutting_down",
                             "1 once shutdown has begun (GET /health/ready answers 503)", {},
                             [&shutting_down] { return shutting_down.load() ? 1.0 : 0.0; }));
  if (hub) {
    added.push_back(m.AddGauge("visionstock_live_clients", "Connected live (WebSocket) clients", {},
                               [&hub] { return static_cast<double>(hub->client_count()); }));
    added.push_back(
        m.AddCounter("visionstock_live_events_delivered_total",
                     "Committed events queued to live clients as they happened (one per client)",
                     {}, [&hub] { return static_cast<double>(hub->events_delivered()); }));
    added.push_back(m.AddCounter(
        "visionstock_live_events_replayed_total",
        "Stored events replayed to live clients resuming with ?after= (one per client)", {},
        [&hub] { return static_cast<double>(hub->events_replayed()); }));
  }
  if (const store::DbStats* db = store ? store->db_stats() : nullptr) {
    const auto gauge = [&](const char* name, const char* help, auto read) {
      added.push_back(
          m.AddGauge(name, help, {}, [db, read] { return static_cast<double>(read(*db)); }));
    };
    const auto counter = [&](const char* name, const char* help, auto read) {
      added.push_back(
          m.AddCounter(name, help, {}, [db, read] { return static_cast<double>(read(*db)); }));
    };
    gauge("visionstock_db_pool_max", "Bound of the database connection pool",
          [](const store::DbStats& d) { return d.pool_max(); });
    gauge("visionstock_db_pool_open", "Open connections of the pool (idle or in use)",
          [](const store::DbStats& d) { return d.open(); });
    gauge("visionstock_db_pool_in_use", "Connections of the pool in use",
          [](const store::DbStats& d) { return d.in_use(); });
    counter("visionstock_db_pool_acquired_total", "Connections taken from the pool",
            [](const store::DbStats& d) { return d.acquired(); });
    counter("visionstock_db_pool_waits_total",
            "Takes that had to wait for a connection (the pool was exhausted)",
            [](const store::DbStats& d) { return d.waits(); });
    counter("visionstock_db_pool_wait_seconds_total", "Time spent waiting for a connection",
            [](const store::DbStats& d) { return d.wait_seconds(); });
    counter("visionstock_db_pool_timeouts_total", "Takes that gave up waiting for a connection",
            [](const store::DbStats& d) { return d.timeouts(); });
    counter("visionstock_db_errors_total",
            "Database operations that failed on the database's side (open, begin, commit)",
            [](const store::DbStats& d) { return d.errors(); });
    if (store->backend() != "sqlite" || db->listen() != store::DbStats::Listen::kNotUsed) {
      gauge("visionstock_db_listen_up",
            "1 while the LISTEN connection of the shared database is up, else 0",
            [](const store::DbStats& d) { return d.listen() == store::DbStats::Listen::kUp; });
      gauge("visionstock_db_listen_last_event_id",
            "Id of the last event delivered through the LISTEN connection",
            [](const store::DbStats& d) { return d.listen_last_event_id(); });
    }
  }
  for (const Status& s : added) {
    if (!s.ok()) vs::log::Error("cannot register a metric", {{"error", s.ToString()}});
  }
}

// Stops the webhook service on scope exit, before the store it uses is destroyed.
struct StopWebhooks {
  webhooks::WebhookService* service = nullptr;
  ~StopWebhooks() {
    if (service) service->Stop();
  }
};

webhooks::ServiceOptions WebhookServiceOptions(const ServeOptions& o,
                                               std::shared_ptr<webhooks::TlsClient> tls) {
  webhooks::ServiceOptions w;
  w.post.tls = std::move(tls);
  w.workers = o.webhook_workers;
  w.retry.max_attempts = o.webhook_max_attempts;
  w.retry.base = std::chrono::milliseconds(o.webhook_retry_base_ms);
  w.retry.max_delay = std::chrono::milliseconds(o.webhook_retry_max_ms);
  w.post.connect_timeout = std::chrono::milliseconds(o.webhook_connect_timeout_ms);
  w.post.response_timeout = std::chrono::milliseconds(o.webhook_timeout_ms);
  w.post.allow_link_local = o.webhook_allow_link_local;
  w.keep = std::chrono::hours(24 * o.webhook_keep_days);
  return w;
}

int WaitForStopSignal() {
  char byte = 0;
  while (::read(g_signal_pipe[0], &byte, 1) != 1) {
  }
  return byte;
}

}  // namespace

int RunServe(const ServeOptions& o) {
  vs::log::SetAccessLog(o.access_log);
  // https webhook deliveries: the system trust store plus --webhook-ca-file (a bad file is a
  // configuration error, found now rather than at the first delivery).
  auto webhook_tls = webhooks::TlsClient::Create(o.webhook_ca_file);
  if (!webhook_tls.ok()) {
    vs::log::Error("cannot set up TLS for webhooks", {{"error", webhook_tls.status().message()}});
    return 2;
  }
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
  // Outlives the store (the bus may wake it until then); stopped before the store goes.
  std::unique_ptr<webhooks::WebhookService> webhook_service;
  // Follows models activated by other instances; outlives the store (the bus may call it until
  // then), stopped before the registry goes.
  std::unique_ptr<models::ActiveModelFollower> follower;
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
  StopWebhooks stop_webhooks;  // declared after the store: runs before the store is destroyed
  if (store) {
    webhook_service =
        std::make_unique<webhooks::WebhookService>(*store, WebhookServiceOptions(o, *webhook_tls));
    webhook_service->Attach(bus);
    stop_webhooks.service = webhook_service.get();
  }
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
    hub_options.max_clients = static_cast<size_t>(o.max_live_clients);
    hub = live::Hub::Create(*store, bus, std::move(hub_options));
  }

  // Models (the server still starts without one: health says why, POST /api/detect answers 503).
  // With a store they live in the registry, which can hold several; without one, the --model
  // alone serves, unregistered.
  std::unique_ptr<vision::Detector> detector;
  std::string model_reason;
  std::optional<store::Id> model_version_id;
  std::string model_version_name;
  std::unique_ptr<models::ModelRegistry> registry;
  std::unique_ptr<models::EvaluationRunner> evaluations;
  struct StopFollower {
    std::unique_ptr<models::ActiveModelFollower>* follower;
    ~StopFollower() {
      if (*follower) (*follower)->Stop();
    }
  } stop_follower_before_registry{&follower};
  if (store) {
    registry = std::make_unique<models::ModelRegistry>(
        *store, models::RegistryOptions{
                    .data_dir = o.data_dir,
                    .memory_budget_bytes = static_cast<uint64_t>(o.model_memory_mb) << 20,
                    .max_upload_bytes = static_cast<uint64_t>(o.max_model_mb) << 20,
                    .threads = o.model.threads,
                    .max_detections = o.model.max_detections});
    models::Registration start;
    start.settings.confidence = o.model.conf;
    start.settings.iou = o.model.iou;
    start.settings.ignore_classes = o.ignore_classes;
    if (auto mode = vision::ParseSliceMode(o.slicing); mode.ok())
      start.settings.slicing.mode = *mode;
    if (Status started = registry->Start(o.model.model, start); !started.ok()) {
      model_reason = started.message();
      vs::log::Error("no model can serve", {{"error", model_reason}});
    }
    evaluations = std::make_unique<models::EvaluationRunner>(*registry, o.model.max_pixels);
    follower = std::make_unique<models::ActiveModelFollower>(*registry);
    bus.Subscribe([&follower](const store::Event& e) { follower->OnEvent(e); });
  } else if (auto loaded = vision::Detector::Load(o.model.ToConfig()); loaded.ok()) {
    detector = std::move(loaded).value();
  } else {
    model_reason = loaded.status().message();
    vs::log::Error("model unavailable", {{"model", o.model.model}, {"error", model_reason}});
  }

  for (const auto& proxy : o.trusted_proxies) {
    if (http::CanonicalAddress(proxy).empty()) {
      vs::log::Error("--trusted-proxies takes IP addresses", {{"value", proxy}});
      return 2;
    }
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
  // Started before the server listens: whatever an interrupted upload of an earlier run left
  // (a temporary file, a photo whose scan was never committed) goes in its first sweep. Another
  // instance sharing the photo folder may have an upload in flight right now: its photo file is
  // locked until its scan is committed (ingest/photo_lock.h), so the janitor leaves it alone.
  // Photo rows (--photos database) have no lock: those of the last kUploadInFlight are spared (a
  // photo row is written just before its scan's transaction, after detection, so none stays
  // unnamed for long) and go at a later start.
  constexpr auto kUploadInFlight = std::chrono::minutes(10);
  const auto serve_start = std::chrono::system_clock::now();
  ingest::PhotoJanitorOptions janitor_options{.retention_days = o.photo_retention_days,
                                              .leftovers_before = serve_start};
  if (store) {
    janitor_options.has_scan = [s = store.get()](const std::string& image_path) {
      return s->HasScanForImage(image_path);
    };
  }
  ingest::PhotoJanitor janitor(o.data_dir, std::move(janitor_options), space);
  if (photos_in_database) {
    // The same first sweep over photo rows: a photo written just before a crash, whose scan
    // was never committed.
    if (store) {
      auto removed = store->DeleteOrphanPhotos(
          std::chrono::time_point_cast<std::chrono::milliseconds>(serve_start - kUploadInFlight));
      if (!removed.ok()) {
        vs::log::Warn("cannot remove orphan photos", {{"error", removed.status().ToString()}});
      } else if (*removed > 0) {
        vs::log::Info("removed orphan photos", {{"photos", *removed}});
      }
    }
  } else {
    janitor.Start();
  }
  const ingest::ScanService scans(
      store.get(), store_reason, detector.get(), model_reason, model_version_id,
      photos_in_database ? ingest::ImageFiles::InDatabase(store.get())
                         : ingest::ImageFiles(o.data_dir, space),
      ingest::ScanLimits{.max_pixels = o.model.max_pixels,
                         .max_jpeg_scans = o.max_jpeg_scans,
                         .decode_budget = std::chrono::milliseconds(o.decode_budget_ms)});
  // Set on SIGTERM: /health/ready answers 503 from then on.
  std::atomic<bool> shutting_down{false};
  const http::Server* running_server = nullptr;
  metrics::Metrics metrics(
      {.version = api::Version(), .backend = store ? store->backend() : std::string("none")});
  AddReadSeries(metrics, running_server, hub, store.get(), shutting_down);

  api::ApiDeps deps;
  deps.store = store.get();
  deps.store_reason = store_reason;
  deps.scans = &scans;
  deps.analyzer = analyzer.get();
  deps.model_version_name = model_version_name;
  deps.models = registry.get();
  deps.evaluations = evaluations.get();
  deps.model_path = o.model.model;
  if (hub) deps.live_clients = [&hub] { return hub->client_count(); };
  deps.web_dir = o.web_dir;
  deps.auth = &authenticator;
  deps.origin_allowed = origin_allowed;
  for (const auto& origin : o.cors_origins) {
    if (Status allowed = deps.cors.Allow(origin); !allowed.ok()) {
      vs::log::Error("bad --cors-origins", {{"error", allowed.ToString()}});
      return 1;
    }
  }
  deps.metrics = &metrics;
  deps.metrics_access = o.metrics_access == "open"    ? api::MetricsAccess::kOpen
                        : o.metrics_access == "token" ? api::MetricsAccess::kToken
                                                      : api::MetricsAccess::kLocal;
  deps.metrics_token = o.metrics_token;
  deps.shutting_down = [&shutting_down] { return shutting_down.load(); };
  deps.model_optional = o.model_optional;
  deps.webhooks_allow_link_local = o.webhook_allow_link_local;
  if (webhook_service) deps.webhooks_changed = [&webhook_service] { webhook_service->Wake(); };
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
  server_options.trusted_proxies = o.trusted_proxies;
  for (const auto& origin : o.allowed_origins) server_options.host_policy.AllowOrigin(origin);
  server_options.max_connections = o.max_connections;
  server_options.max_connections_per_address = o.max_connections_per_address;
  server_options.max_body_bytes_in_flight = static_cast<size_t>(o.max_inflight_body_mb) << 20;
  // Detection (decode + inference) runs in its own bounded lane, so reads, the dashboard and
  // /health keep answering while it is full; a full lane answers 503 at once.
  server_options.heavy.is_heavy = [](http::beast_http::verb method, std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return method == http::beast_http::verb::post &&
           (path == "/api/detect" || path == "/api/detect/" ||
            path == "/api/models/compare-photo" || path == "/api/models/compare-photo/");
  };
  server_options.heavy.threads = o.detect_threads;
  server_options.heavy.max_in_flight = o.detect_queue;
  // Route patterns only: a raw path would make one series per scan id.
  server_options.on_request = [&metrics](const http::RequestRecord& r) {
    metrics.ObserveRequest(r.method, r.route.empty() ? std::string_view("none") : r.route, r.status,
                           r.elapsed);
  };
  http::Server::UpgradeHandler upgrade;
  if (hub) {
    upgrade = [&hub](boost::beast::tcp_stream stream, http::RawRequest request,
                     std::shared_ptr<void> hold) {
      hub->Accept(std::move(stream), std::move(request), std::move(hold));
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
  running_server = &server;
  // Catches up on events committed while no server ran, then follows the bus.
  if (webhook_service) webhook_service->Start();
  vs::log::Info("listening",
                {{"host", o.host},
                 {"port", server.port()},
                 {"url", "http://" + (o.host == "0.0.0.0" ? std::string("localhost") : o.host) +
                             ":" + std::to_string(server.port()) + "/"},
                 {"data_dir", o.data_dir},
                 {"model", registry && registry->Active()
                               ? registry->Active()->version.version_name
                               : (detector ? detector->info().name : "unavailable")},
                 {"store", store ? "ok" : "unavailable"},
                 {"workers", server_options.worker_threads},
                 {"version", api::Version()}});

  const int signal_number = WaitForStopSignal();
  // Not ready first, so that a load balancer stops sending; then no new connections; then the
  // requests already received are answered, within the drain bound.
  shutting_down = true;
  vs::log::Info("shutting down", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"},
                                  {"shutdown_delay_ms", o.shutdown_delay_ms},
                                  {"drain_seconds", o.drain_seconds}});
  server.CloseKeepAlive();
  if (o.shutdown_delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.shutdown_delay_ms));
  }
  if (!server.Drain(std::chrono::seconds(o.drain_seconds))) {
    vs::log::Warn("requests still in flight at the drain deadline; they are cut off",
                  {{"in_flight", server.stats().requests_in_flight}});
  }
  // Before the I/O stops: once CloseAll returns, events the store still publishes reach no
  // session, so the I/O context can go while the store's threads run.
  if (hub) hub->CloseAll();
  server.Stop();
  if (webhook_service) webhook_service->Stop();
  vs::log::Info("stopped");
  return 0;
}

}  // namespace vs::cli
