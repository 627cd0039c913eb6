// Health (200 whenever the process is up; "degraded" names what is missing), the load
// balancer's pair /health/live (the process answers) and /health/ready (it can serve: 503
// otherwise), and the plain-GET answer of the WebSocket path.
#include "api/routes.h"
#include "vision/detector.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

// `text` with every absolute path ("/var/lib/x/y.db") replaced by its file name: /health answers
// anyone and must not show the server's file layout. (The server log keeps the full message.)
std::string HidePaths(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const bool starts = text[i] == '/' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\'' ||
                                           text[i - 1] == '"' || text[i - 1] == '(');
    if (!starts) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != '\'' && text[end] != '"' &&
           text[end] != ')' && text[end] != ',' && text[end] != ':') {
      ++end;
    }
    const std::string path = text.substr(i, end - i);
    out += "…/" + path.substr(path.find_last_of('/') + 1);
    i = end;
  }
  return out;
}

nlohmann::json Health(const ApiDeps& deps) {
  nlohmann::json store_json;
  bool healthy = true;
  if (deps.store) {
    const Status ping = deps.store->Ping();
    store_json = {{"status", ping.ok() ? "ok" : "unavailable"}, {"backend", deps.store->backend()}};
    if (!ping.ok()) {
      store_json["message"] = HidePaths(ping.message());
      healthy = false;
    }
  } else {
    store_json = {{"status", "unavailable"},
                  {"backend", "sqlite"},
                  {"message", HidePaths(deps.store_reason)}};
    healthy = false;
  }
  nlohmann::json model_json;
  const auto active = deps.models ? deps.models->Active() : nullptr;
  const vision::Detector* detector = active ? active->detector.get() : deps.scans->detector();
  if (deps.models && !active) detector = nullptr;
  if (detector) {
    const auto& info = detector->info();
    model_json = {{"status", "ready"},
                  {"name", info.name},
                  {"version_name", active ? active->version.version_name : deps.model_version_name},
                  {"model_id", active ? nlohmann::json(active->version.id) : nlohmann::json()},
                  {"loaded", deps.models ? deps.models->Loaded().size() : 1},
                  {"layout", vision::LayoutName(info.layout)},
                  {"input", {info.input_width, info.input_height}},
                  {"classes", info.class_names.size()}};
  } else {
    model_json = {
        {"status", "unavailable"},
        {"name", nullptr},
        {"layout", nullptr},
        {"classes", 0},
        {"reason", HidePaths(deps.models ? deps.models->reason() : deps.scans->model_reason())}};
    healthy = false;
  }
  return {{"status", healthy ? "healthy" : "degraded"},
          {"version", Version()},
          {"store", std::move(store_json)},
          {"model", std::move(model_json)},
          {"live_clients", deps.live_clients ? deps.live_clients() : 0}};
}

// Ready: the store answers, the model is loaded (or optional), and shutdown has not begun.
// The body names each check; `ready` says whether all passed.
nlohmann::json Readiness(const ApiDeps& deps, bool* ready) {
  nlohmann::json checks;
  std::vector<std::string> failing;
  if (!deps.store) {
    checks["store"] = "unavailable";
    failing.push_back("store unavailable: " + HidePaths(deps.store_reason));
  } else if (const Status ping = deps.store->Ping(); !ping.ok()) {
    checks["store"] = "unavailable";
    failing.push_back("store unavailable: " + HidePaths(ping.message()));
  } else {
    checks["store"] = "ok";
  }
  const bool has_model =
      deps.models ? deps.models->Active() != nullptr : deps.scans->detector() != nullptr;
  if (has_model) {
    checks["model"] = "ready";
  } else if (deps.model_optional) {
    checks["model"] = "optional";
  } else {
    checks["model"] = "unavailable";
    failing.push_back("no detection model loaded");
  }
  const bool stopping = deps.shutting_down && deps.shutting_down();
  checks["shutting_down"] = stopping;
  if (stopping) failing.push_back("shutting down");
  *ready = failing.empty();
  nlohmann::json body = {{"status", *ready ? "ready" : "not_ready"}, {"checks", checks}};
  if (!failing.empty()) body["reasons"] = failing;
  return body;
}

}  // namespace

void AddHealthRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/health/live",
              .role = Role::kPublic,
              .summary = "200 while the process answers at all (a load balancer's liveness probe)",
              .tag = "meta"},
             [](http::Request& r) {
               http::Response res = Reply(r, nlohmann::json{{"status", "alive"}});
               res.set(bh::field::cache_control, "no-store");
               return res;
             });
  router.Add({.method = bh::verb::get,
              .pattern = "/health/ready",
              .role = Role::kPublic,
              .summary = "200 when the store answers, the model is loaded (or optional) and the "
                         "server is not shutting down; 503 otherwise (a readiness probe)",
              .tag = "meta"},
             [&deps](http::Request& r) {
               bool ready = false;
               nlohmann::json body = Readiness(deps, &ready);
               http::Response res =
                   Reply(r, body, ready ? bh::status::ok : bh::status::service_unavailable);
               res.set(bh::field::cache_control, "no-store");
               return res;
             });
  for (const char* path : {"/health", "/api/health"}) {
    router.Add({.method = bh::verb::get,
                .pattern = path,
                .role = Role::kPublic,
                .summary = "Whether the process, store and model can serve (no login needed)",
                .tag = "meta"},
               [&deps](http::Request& r) {
                 http::Response res = Reply(r, Health(deps));
                 res.set(bh::field::cache_control, "no-store");
                 return res;
               });
  }
  // A WebSocket upgrade of /api/live never reaches the router (the server hands it to the hub).
  router.Add({.method = bh::verb::get,
              .pattern = "/api/live",
              .role = Role::kViewer,
              .summary = "The live event feed (a WebSocket upgrade; see docs/API.md)",
              .query = {"after"},
              .tag = "live"},
             [&deps](http::Request& r) {
               if (!deps.live_clients) {
                 return Reply(r, Status::Unavailable(
                                     "live updates unavailable: " +
                                     (deps.store ? std::string("no live hub")
                                                 : "store unavailable: " + deps.store_reason)));
               }
               return Reply(r, Status::InvalidArgument("GET /api/live needs a WebSocket upgrade"));
             });
}

}  // namespace vs::api
