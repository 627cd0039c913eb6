// Route groups of the API (internal to src/api). Each adds its routes to the router; handlers keep
// a reference to `deps`, which outlives the router.
#pragma once

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "http/router.h"

namespace vs::api {

void AddDetectRoutes(http::Router& router, const ApiDeps& deps);     // POST /api/detect
void AddQueryRoutes(http::Router& router, const ApiDeps& deps);      // detections, summary, ...
void AddScanRoutes(http::Router& router, const ApiDeps& deps);       // /api/scans...
void AddCatalogueRoutes(http::Router& router, const ApiDeps& deps);  // planograms, products
void AddModelRoutes(http::Router& router, const ApiDeps& deps);      // /api/models...
void AddHealthRoutes(http::Router& router, const ApiDeps& deps);     // /health, /api/health, live
void AddAuthRoutes(http::Router& router, const ApiDeps& deps);       // login, users, tokens, audit
void AddMetricsRoutes(http::Router& router, const ApiDeps& deps);    // GET /metrics
// Whether `request` carries the metrics token (ApiDeps::metrics_token) as its bearer token.
bool HasMetricsToken(const http::Request& request, const ApiDeps& deps);
void AddComplianceRoutes(http::Router& router, const ApiDeps& deps);  // analyze, alerts, ...
void AddWebhookRoutes(http::Router& router, const ApiDeps& deps);     // /api/webhooks...
void AddDemoRoutes(http::Router& router, const ApiDeps& deps);        // /api/demo
// POST /api/models/compare-photo: models side by side on one photo, nothing stored.
void AddModelCompareRoutes(http::Router& router, const ApiDeps& deps);
// GET /api/openapi.json, built from every route registered before it.
void AddOpenApiRoute(http::Router& router);
nlohmann::json OpenApiDocument(const http::Router& router);

// Unavailable unless the store is open.
Status NeedStore(const ApiDeps& deps);
// 200 (or `status`) with `body`, or the error response of `result`.
http::Response Reply(const http::Request& request, const Result<nlohmann::json>& result,
                     http::beast_http::status status = http::beast_http::status::ok);

}  // namespace vs::api
