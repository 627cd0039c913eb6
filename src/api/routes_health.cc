// Health (200 whenever the process is up; "degraded" names what is missing) and the plain-GET
// answer of the WebSocket path.
#include "api/routes.h"
#include "vision/detector.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

nlohmann::json Health(const ApiDeps& deps) {
  nlohmann::json store_json;
  bool healthy = true;
  if (deps.store) {
    const Status ping = deps.store->Ping();
    store_json = {{"status", ping.ok() ? "ok" : "unavailable"}, {"backend", deps.store->backend()}};
    if (!ping.ok()) {
      store_json["message"] = ping.message();
      healthy = false;
    }
  } else {
    store_json = {{"status", "unavailable"}, {"backend", "sqlite"}, {"message", deps.store_reason}};
    healthy = false;
  }
  nlohmann::json model_json;
  if (const auto* detector = deps.scans->detector()) {
    const auto& info = detector->info();
    model_json = {{"status", "ready"},
                  {"name", info.name},
                  {"version_name", deps.model_version_name},
                  {"path", info.path},
                  {"layout", vision::LayoutName(info.layout)},
                  {"input", {info.input_width, info.input_height}},
                  {"classes", info.class_names.size()}};
  } else {
    model_json = {
        {"status", "unavailable"}, {"name", nullptr}, {"path", deps.model_path},
        {"layout", nullptr},       {"classes", 0},    {"reason", deps.scans->model_reason()}};
    healthy = false;
  }
  return {{"status", healthy ? "healthy" : "degraded"},
          {"version", Version()},
          {"store", std::move(store_json)},
          {"model", std::move(model_json)},
          {"live_clients", deps.live_clients ? deps.live_clients() : 0}};
}

}  // namespace

void AddHealthRoutes(http::Router& router, const ApiDeps& deps) {
  for (const char* path : {"/health", "/api/health"}) {
    router.Add(bh::verb::get, path, [&deps](http::Request& r) {
      http::Response res = Reply(r, Health(deps));
      res.set(bh::field::cache_control, "no-store");
      return res;
    });
  }
  // A WebSocket upgrade of /api/live never reaches the router (the server hands it to the hub).
  router.Add(bh::verb::get, "/api/live", [&deps](http::Request& r) {
    if (!deps.live_clients) {
      return Reply(r,
                   Status::Unavailable("live updates unavailable: " +
                                       (deps.store ? std::string("no live hub")
                                                   : "store unavailable: " + deps.store_reason)));
    }
    return Reply(r, Status::InvalidArgument("GET /api/live needs a WebSocket upgrade"));
  });
}

}  // namespace vs::api
