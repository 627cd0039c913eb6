// The demo store (demo/demo.h): load it, remove it. Admin only; both are idempotent.
#include "api/routes.h"
#include "demo/demo.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

Result<nlohmann::json> LoadDemo(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  // The active model of the registry when there is one (held for the whole load).
  const auto active = deps.models ? deps.models->Active() : nullptr;
  if (deps.models && !active)
    return Status::Unavailable("no model is loaded: " + deps.models->reason());
  auto report =
      active ? demo::Load(*deps.store, *deps.scans, active->detector.get(), active->version.id)
             : demo::Load(*deps.store, *deps.scans);
  if (!report.ok()) return report.status();
  return demo::ToJson(*report);
}

Result<nlohmann::json> RemoveDemo(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto report = demo::Remove(*deps.store, deps.scans->files());
  if (!report.ok()) return report.status();
  return demo::ToJson(*report);
}

}  // namespace

void AddDemoRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::post,
              .pattern = "/api/demo",
              .role = Role::kAdmin,
              .summary = "Load the demo store (real photos through the model); adds only what is "
                         "missing (body: {})",
              .body = http::BodyKind::kJson,
              .tag = "demo"},
             [&deps](http::Request& r) { return Reply(r, LoadDemo(deps)); });
  router.Add({.method = bh::verb::delete_,
              .pattern = "/api/demo",
              .role = Role::kAdmin,
              .summary = "Remove every demo row and the demo photos",
              .tag = "demo"},
             [&deps](http::Request& r) { return Reply(r, RemoveDemo(deps)); });
}

}  // namespace vs::api
