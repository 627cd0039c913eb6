// The route table as a whole: every route states its role and is in the OpenAPI document, and
// the API enforces roles, same-origin writes and body media types before any handler runs.
#include "api/routes.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/api.h"
#include "auth/accounts.h"
#include "auth/authenticator.h"
#include "store/sqlite/sqlite.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vs_routes_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    auto opened = store::OpenSqlite({.path = dir_ + "/visionstock.db"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    scans_ =
        std::make_unique<ingest::ScanService>(store_.get(), "", nullptr, "no model in this test",
                                              std::nullopt, ingest::ImageFiles(dir_), 1'000'000);
    auth_ = std::make_unique<auth::Authenticator>(store_.get(),
                                                  auth::AuthOptions{.admin_token = "root-token"});
    ApiDeps deps;
    deps.store = store_.get();
    deps.scans = scans_.get();
    deps.model_path = dir_ + "/missing-model.onnx";
    deps.web_dir = dir_ + "/web";
    deps.auth = auth_.get();
    api_ = std::make_unique<Api>(std::move(deps));
    for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      auto t = auth::CreateToken(*store_, std::string(RoleName(r)), r, "test");
      ASSERT_TRUE(t.ok());
      tokens_[r] = t->secret;
    }
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A request for `spec`'s pattern with every parameter naming nothing that exists.
  static http::Request For(const http::RouteSpec& spec) {
    http::Request r;
    r.raw.method(spec.method);
    std::string path = spec.pattern;
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}', open) - open + 1, "999999");
    }
    r.raw.target(path);
    r.raw.set(bh::field::host, "localhost:8000");
    r.path = path;
    r.remote_address = "127.0.0.1";
    return r;
  }
  http::Response Send(http::Request r, std::optional<Role> as = std::nullopt) {
    if (as) r.raw.set(bh::field::authorization, "Bearer " + tokens_[*as]);
    return api_->Handle(r);
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ingest::ScanService> scans_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<Api> api_;
  std::map<Role, std::string> tokens_;
};

TEST_F(RoutesTest, EveryRouteStatesItsRoleAndPurpose) {
  const auto routes = api_->router().routes();
  ASSERT_GT(routes.size(), 20u);
  for (const http::RouteSpec* spec : routes) {
    const std::string name = std::string(bh::to_string(spec->method)) + " " + spec->pattern;
    EXPECT_TRUE(spec->role.has_value()) << name << " states no role";
    EXPECT_FALSE(spec->summary.empty()) << name << " has no summary";
    EXPECT_FALSE(spec->tag.empty()) << name << " has no tag";
    const bool writes = spec->method == bh::verb::post || spec->method == bh::verb::put;
    // Logout and the earlier clients' POST /api/analyze (query parameters only) take no body.
    if (writes && spec->pattern != "/api/logout" && spec->pattern != "/api/analyze") {
      EXPECT_NE(spec->body, http::BodyKind::kNone) << name << " must say what body it takes";
    }
  }
}

TEST_F(RoutesTest, OpenApiDocumentListsEveryRouteWithItsRole) {
  const nlohmann::json doc = OpenApiDocument(api_->router());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const http::RouteSpec* spec : api_->router().routes()) {
    std::string method(bh::to_string(spec->method));
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(doc["paths"].contains(spec->pattern)) << spec->pattern;
    ASSERT_TRUE(doc["paths"][spec->pattern].contains(method)) << method << " " << spec->pattern;
    EXPECT_EQ(doc["paths"][spec->pattern][method]["x-role"], RoleName(*spec->role));
  }
  // And the document is what GET /api/openapi.json answers, without a login.
  http::Request r;
  r.raw.method(bh::verb::get);
  r.raw.target("/api/openapi.json");
  r.path = "/api/openapi.json";
  const http::Response res = api_->Handle(r);
  ASSERT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(nlohmann::json::parse(res.body()), doc);
}

// Without credentials every route but the public ones answers 401; each role reaches exactly
// the routes at or below it (anything but 401/403 means the handler ran).
TEST_F(RoutesTest, RolesAreEnforcedForEveryRoute) {
  for (const http::RouteSpec* spec : api_->router().routes()) {
    const std::string name = std::string(bh::to_string(spec->method)) + " " + spec->pattern;
    auto denied = [](const http::Response& res) {
      return res.result() == bh::status::unauthorized || res.result() == bh::status::forbidden;
    };
    http::Request anonymous = For(*spec);
    const http::Response none = Send(anonymous);
    if (*spec->role == Role::kPublic) {
      EXPECT_FALSE(denied(none)) << name;
    } else {
      EXPECT_EQ(none.result(), bh::status::unauthorized) << name;
      EXPECT_EQ(none[bh::field::www_authenticate], "Bearer realm=\"visionstock\"") << name;
    }
    for (Role as : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      http::Request r = For(*spec);
      r.raw.set(bh::field::content_type, spec->body == http::BodyKind::kUpload
                                             ? "multipart/form-data; boundary=x"
                                             : "application/json");
      const http::Response res = Send(r, as);
      if (RoleAllows(as, *spec->role)) {
        EXPECT_FALSE(denied(res)) << name << " as " << RoleName(as) << ": " << res.body();
      } else {
        EXPECT_EQ(res.result(), bh::status::forbidden) << name << " as " << RoleName(as);
      }
    }
  }
}

TEST_F(RoutesTest, BadOrRevokedTokensAreRefusedEvenOnPublicReads) {
  http::Request r;
  r.raw.method(bh::verb::get);
  r.raw.target("/api/summary");
  r.path = "/api/summary";
  r.raw.set(bh::field::authorization, "Bearer vst_not-a-token");
  EXPECT_EQ(api_->Handle(r).result(), bh::status::unauthorized);
  r.raw.set(bh::field::authorization, "Basic YWRtaW46YWRtaW4=");
  EXPECT_EQ(api_->Handle(r).result(), bh::status::unauthorized);
  auto tokens = store_->ListTokens();
  ASSERT_TRUE(tokens.ok());
  ASSERT_TRUE(store_->RevokeToken(tokens->front().id).ok());  // the viewer's
  r.raw.set(bh::field::authorization, "Bearer " + tokens_[Role::kViewer]);
  EXPECT_EQ(api_->Handle(r).result(), bh::status::unauthorized);
  r.raw.set(bh::field::authorization, "Bearer root-token");  // the environment's admin token
  EXPECT_EQ(api_->Handle(r).result(), bh::status::ok);
}

TEST_F(RoutesTest, JsonRoutesRefuseOtherMediaTypes) {
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    http::Request r;
    r.raw.method(bh::verb::post);
    r.raw.target("/api/products");
    r.path = "/api/products";
    if (*type) r.raw.set(bh::field::content_type, type);
    r.raw.body() = R"({"class_name":"bottle","sku":"SKU-1"})";
    const http::Response res = Send(r, Role::kAdmin);
    EXPECT_EQ(res.result(), bh::status::unsupported_media_type) << type;
  }
  auto products = store_->ListProducts();
  ASSERT_TRUE(products.ok());
  EXPECT_TRUE(products->empty()) << "a refused request stores nothing";
}

TEST_F(RoutesTest, CookieWritesMustBeSameOrigin) {
  ASSERT_TRUE(auth::AddUser(*store_, "alice", "correct horse", Role::kAdmin).ok());
  std::chrono::seconds retry{0};
  auto login = auth_->Login("alice", "correct horse", "127.0.0.1", &retry);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  const std::string cookie = login->set_cookie.substr(0, login->set_cookie.find(';'));
  auto post = [&](std::optional<std::string> origin, std::optional<std::string> fetch_site) {
    http::Request r;
    r.raw.method(bh::verb::post);
    r.raw.target("/api/products");
    r.path = "/api/products";
    r.raw.set(bh::field::host, "localhost:8000");
    r.raw.set(bh::field::cookie, cookie);
    r.raw.set(bh::field::content_type, "application/json");
    if (origin) r.raw.set(bh::field::origin, *origin);
    if (fetch_site) r.raw.set("Sec-Fetch-Site", *fetch_site);
    r.raw.body() = R"({"class_name":"bottle","sku":"SKU-1"})";
    return api_->Handle(r).result();
  };
  EXPECT_EQ(post(std::nullopt, std::nullopt), bh::status::forbidden);
  EXPECT_EQ(post("http://evil.example", std::nullopt), bh::status::forbidden);
  EXPECT_EQ(post("http://localhost:8000", "cross-site"), bh::status::forbidden);
  EXPECT_EQ(post("http://localhost:8000", "same-site"), bh::status::forbidden);
  auto products = store_->ListProducts();
  ASSERT_TRUE(products.ok());
  EXPECT_TRUE(products->empty());
  EXPECT_EQ(post("http://localhost:8000", "same-origin"), bh::status::created);
  // A GET with the cookie needs no Origin.
  http::Request get;
  get.raw.method(bh::verb::get);
  get.raw.target("/api/me");
  get.path = "/api/me";
  get.raw.set(bh::field::cookie, cookie);
  const http::Response me = api_->Handle(get);
  ASSERT_EQ(me.result(), bh::status::ok);
  EXPECT_EQ(nlohmann::json::parse(me.body())["name"], "alice");
}

TEST_F(RoutesTest, AdminActionsAreAudited) {
  http::Request r;
  r.raw.method(bh::verb::post);
  r.raw.target("/api/products");
  r.path = "/api/products";
  r.remote_address = "10.1.2.3";
  r.raw.set(bh::field::content_type, "application/json");
  r.raw.body() = R"({"class_name":"bottle","sku":"SKU-1"})";
  ASSERT_EQ(Send(r, Role::kAdmin).result(), bh::status::created);
  r.raw.body() = R"({"class_name":"cup","sku":"SKU-2"})";
  ASSERT_EQ(Send(r, Role::kOperator).result(), bh::status::forbidden);
  auto log = store_->ListAudit(std::nullopt, 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].actor.rfind("token:", 0), 0u);
  EXPECT_EQ((*log)[0].status, 403);
  EXPECT_EQ((*log)[1].action, "POST /api/products");
  EXPECT_EQ((*log)[1].status, 201);
  EXPECT_EQ((*log)[1].remote_address, "10.1.2.3");
}

TEST_F(RoutesTest, HealthShowsNoPaths) {
  http::Request r;
  r.raw.method(bh::verb::get);
  r.raw.target("/health");
  r.path = "/health";
  const http::Response res = api_->Handle(r);
  ASSERT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(res.body().find(dir_), std::string::npos) << res.body();
}

}  // namespace
}  // namespace vs::api
