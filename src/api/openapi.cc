// GET /api/openapi.json: an OpenAPI 3 document generated from the route table, so that every
// route appears with its role (x-role), its parameters and the one error shape.
#include <set>

#include "api/routes.h"
#include "http/response.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

nlohmann::json ErrorRef() {
  return {
      {"description", "error"},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

nlohmann::json Components() {
  return {{"securitySchemes",
           {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
            {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "vs_session"}}}}},
          {"schemas",
           {{"Error",
             {{"type", "object"},
              {"required", {"error"}},
              {"properties",
               {{"error",
                 {{"type", "object"},
                  {"required", {"code", "message"}},
                  {"properties",
                   {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}};
}

// Path parameters of a pattern ("/api/scans/{id}" -> {"id"}).
std::vector<std::string> PathParams(const std::string& pattern) {
  std::vector<std::string> out;
  for (size_t open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1)) {
    const size_t close = pattern.find('}', open);
    if (close == std::string::npos) break;
    out.push_back(pattern.substr(open + 1, close - open - 1));
  }
  return out;
}

nlohmann::json Operation(const http::RouteSpec& spec) {
  nlohmann::json op = {
      {"summary", spec.summary},
      {"operationId", std::string(bh::to_string(spec.method)) + " " + spec.pattern},
      {"x-role", spec.role ? RoleName(*spec.role) : "none"}};
  if (!spec.tag.empty()) op["tags"] = {spec.tag};
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : PathParams(spec.pattern)) {
    params.push_back(
        {{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  for (const auto& q : spec.query) {
    params.push_back(
        {{"name", q}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
  }
  if (!params.empty()) op["parameters"] = params;
  if (spec.body == http::BodyKind::kJson) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
  } else if (spec.body == http::BodyKind::kTable) {
    op["requestBody"] = {{"required", true},
                         {"content",
                          {{"text/csv", {{"schema", {{"type", "string"}}}}},
                           {"application/json", {{"schema", {{"type", "array"}}}}}}}};
  } else if (spec.body == http::BodyKind::kUpload) {
    op["requestBody"] = {
        {"required", true},
        {"content",
         {{"multipart/form-data",
           {{"schema",
             {{"type", "object"},
              {"properties", {{"file", {{"type", "string"}, {"format", "binary"}}}}}}}}}}}};
  }
  op["security"] = spec.role == Role::kPublic
                       ? nlohmann::json::array()
                       : nlohmann::json::array({{{"bearer", nlohmann::json::array()}},
                                                {{"session", nlohmann::json::array()}}});
  nlohmann::json responses = {{"200", {{"description", "success"}}}, {"default", ErrorRef()}};
  if (spec.role != Role::kPublic) {
    responses["401"] = ErrorRef();
    responses["403"] = ErrorRef();
  }
  op["responses"] = responses;
  return op;
}

}  // namespace

nlohmann::json OpenApiDocument(const http::Router& router) {
  nlohmann::json paths = nlohmann::json::object();
  for (const http::RouteSpec* spec : router.routes()) {
    std::string method(bh::to_string(spec->method));
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    paths[spec->pattern][method] = Operation(*spec);
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "VisionStock API"},
            {"version", Version()},
            {"description",
             "Shelf photos in, detected products out. Every operation names the least role it "
             "needs in x-role (public, viewer, operator, admin). Errors share one shape."}}},
          {"paths", std::move(paths)},
          {"components", Components()}};
}

void AddOpenApiRoute(http::Router& router) {
  router.Add({.method = bh::verb::get,
              .pattern = "/api/openapi.json",
              .role = Role::kPublic,
              .summary = "This API's OpenAPI 3 document",
              .tag = "meta"},
             [&router](http::Request& r) { return Reply(r, OpenApiDocument(router)); });
}

}  // namespace vs::api
