// Webhook subscriptions and their deliveries (admin only). A webhook's secret is answered once,
// by the POST that creates it, and never again.
#include "api/json_body.h"
#include "api/params.h"
#include "api/routes.h"
#include "auth/secrets.h"
#include "http/error.h"
#include "http/response.h"
#include "webhooks/payload.h"
#include "webhooks/target.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

constexpr size_t kMinSecretBytes = 16;
constexpr size_t kMaxSecretBytes = 200;

nlohmann::json OptTime(const std::optional<Timestamp>& t) {
  return t ? nlohmann::json(FormatIso8601(*t)) : nlohmann::json(nullptr);
}

nlohmann::json WebhookJson(const store::Webhook& w) {
  return {{"id", w.id},
          {"url", w.url},
          {"event_types", w.event_types},
          {"enabled", w.enabled},
          {"description", w.description},
          {"created_at", FormatIso8601(w.created_at)}};
}

nlohmann::json DeliveryJson(const store::WebhookDelivery& d) {
  return {
      {"id", d.id},
      {"webhook_id", d.webhook_id},
      {"event_id", d.event_id},
      {"event_type", d.event_type},
      {"status", d.status},
      {"attempts", d.attempts},
      {"last_status", d.last_status == 0 ? nlohmann::json(nullptr) : nlohmann::json(d.last_status)},
      {"last_error", d.last_error},
      {"created_at", FormatIso8601(d.created_at)},
      {"last_attempt_at", OptTime(d.last_attempt_at)},
      {"next_attempt_at", d.status == "pending" ? OptTime(d.next_attempt_at) : nullptr},
      {"delivered_at", OptTime(d.delivered_at)}};
}

Result<store::Webhook> WebhookFromBody(const http::Request& request, const ApiDeps& deps) {
  auto body = ParseJsonObject(request);
  if (!body.ok()) return body.status();
  const auto& j = *body;
  store::Webhook w;
  VS_RETURN_IF_ERROR(GetString(j, "url", true, &w.url));
  VS_RETURN_IF_ERROR(webhooks::ValidateWebhookUrl(w.url, deps.webhooks_allow_link_local));
  auto types = j.find("event_types");
  if (types == j.end() || !types->is_array()) {
    return Status::InvalidValue("event_types must be an array of event type patterns");
  }
  for (const auto& t : *types) {
    if (!t.is_string()) return Status::InvalidValue("event_types must hold strings");
    w.event_types.push_back(t.get<std::string>());
  }
  VS_RETURN_IF_ERROR(webhooks::ValidatePatterns(w.event_types));
  VS_RETURN_IF_ERROR(GetString(j, "secret", false, &w.secret));
  if (!w.secret.empty() &&
      (w.secret.size() < kMinSecretBytes || w.secret.size() > kMaxSecretBytes)) {
    return Status::InvalidValue("secret must be " + std::to_string(kMinSecretBytes) + " to " +
                                std::to_string(kMaxSecretBytes) + " bytes");
  }
  if (w.secret.empty()) w.secret = auth::NewSecret("whsec_");
  VS_RETURN_IF_ERROR(GetBool(j, "enabled", &w.enabled));
  VS_RETURN_IF_ERROR(GetString(j, "description", false, &w.description));
  return w;
}

Result<nlohmann::json> ListWebhooks(const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto list = deps.store->ListWebhooks();
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : *list) out.push_back(WebhookJson(w));
  return out;
}

Result<nlohmann::json> CreateWebhook(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto w = WebhookFromBody(request, deps);
  if (!w.ok()) return w.status();
  auto created = deps.store->CreateWebhook(*w);
  if (!created.ok()) return created.status();
  if (deps.webhooks_changed) deps.webhooks_changed();
  nlohmann::json out = WebhookJson(*created);
  out["secret"] = created->secret;  // this once
  return out;
}

Result<nlohmann::json> GetWebhook(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto w = deps.store->GetWebhook(*id);
  if (!w.ok()) return w.status();
  return WebhookJson(*w);
}

http::Response DeleteWebhook(const http::Request& request, const ApiDeps& deps) {
  const unsigned v = request.raw.version();
  if (Status s = NeedStore(deps); !s.ok()) return http::ErrorResponse(s, v);
  auto id = ParseId(request);
  if (!id.ok()) return http::ErrorResponse(id.status(), v);
  if (Status s = deps.store->DeleteWebhook(*id); !s.ok()) return http::ErrorResponse(s, v);
  return http::EmptyResponse(bh::status::no_content, v);
}

Result<nlohmann::json> ListDeliveries(const http::Request& request, const ApiDeps& deps) {
  VS_RETURN_IF_ERROR(NeedStore(deps));
  auto id = ParseId(request);
  if (!id.ok()) return id.status();
  auto page = ParsePage(request.query);
  if (!page.ok()) return page.status();
  const auto status = NonEmpty(request.query, "status");
  if (status && *status != "pending" && *status != "delivered" && *status != "failed") {
    return Status::InvalidValue("status must be pending, delivered or failed");
  }
  if (auto w = deps.store->GetWebhook(*id); !w.ok()) return w.status();
  auto list = deps.store->ListWebhookDeliveries(*id, status, page->limit);
  if (!list.ok()) return list.status();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : *list) out.push_back(DeliveryJson(d));
  return out;
}

}  // namespace

void AddWebhookRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::get,
              .pattern = "/api/webhooks",
              .role = Role::kAdmin,
              .summary = "Webhook subscriptions (without their secrets)",
              .tag = "webhooks"},
             [&deps](http::Request& r) { return Reply(r, ListWebhooks(deps)); });
  router.Add(
      {.method = bh::verb::post,
       .pattern = "/api/webhooks",
       .role = Role::kAdmin,
       .summary = "Subscribe a URL to event types; answers the signing secret once",
       .body = http::BodyKind::kJson,
       .tag = "webhooks"},
      [&deps](http::Request& r) { return Reply(r, CreateWebhook(r, deps), bh::status::created); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/webhooks/{id}",
              .role = Role::kAdmin,
              .summary = "One webhook subscription (without its secret)",
              .tag = "webhooks"},
             [&deps](http::Request& r) { return Reply(r, GetWebhook(r, deps)); });
  router.Add({.method = bh::verb::delete_,
              .pattern = "/api/webhooks/{id}",
              .role = Role::kAdmin,
              .summary = "Delete a webhook with its deliveries",
              .tag = "webhooks"},
             [&deps](http::Request& r) { return DeleteWebhook(r, deps); });
  router.Add({.method = bh::verb::get,
              .pattern = "/api/webhooks/{id}/deliveries",
              .role = Role::kAdmin,
              .summary = "A webhook's deliveries, newest first: status, attempts, errors",
              .query = {"status", "limit"},
              .tag = "webhooks"},
             [&deps](http::Request& r) { return Reply(r, ListDeliveries(r, deps)); });
}

}  // namespace vs::api
