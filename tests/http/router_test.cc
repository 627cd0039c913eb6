#include "http/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/response.h"

namespace vs::http {
namespace {

using beast_http::verb;

Request Make(verb method, std::string path) {
  Request r;
  r.raw.method(method);
  r.raw.target(path);
  r.path = std::move(path);
  return r;
}

Handler Echo(std::string tag) {
  return [tag](Request& r) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : r.params) params[k] = v;
    return JsonResponse(beast_http::status::ok, {{"tag", tag}, {"params", params}});
  };
}

nlohmann::json Body(const Response& r) { return nlohmann::json::parse(r.body()); }

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add(verb::get, "/api/scans", "list");
    Add(verb::get, "/api/scans/{id}", "one");
    Add(verb::get, "/api/scans/{id}/image", "image");
    Add(verb::get, "/api/planograms/{id}", "get-plan");
    Add(verb::put, "/api/planograms/{id}", "put-plan");
    Add(verb::delete_, "/api/planograms/{id}", "del-plan");
    Add(verb::post, "/api/models/{id}/metrics", "metrics");
  }
  void Add(verb method, const char* pattern, const char* tag) {
    router.Add({.method = method, .pattern = pattern, .role = Role::kViewer, .summary = tag},
               Echo(tag));
  }
  Router router;
};

TEST_F(RouterTest, LiteralAndParameterRoutes) {
  auto r = Make(verb::get, "/api/scans");
  EXPECT_EQ(Body(router.Dispatch(r))["tag"], "list");
  r = Make(verb::get, "/api/scans/42");
  auto body = Body(router.Dispatch(r));
  EXPECT_EQ(body["tag"], "one");
  EXPECT_EQ(body["params"]["id"], "42");
  r = Make(verb::get, "/api/scans/7/image");
  body = Body(router.Dispatch(r));
  EXPECT_EQ(body["tag"], "image");
  EXPECT_EQ(body["params"]["id"], "7");
  r = Make(verb::post, "/api/models/3/metrics");
  EXPECT_EQ(Body(router.Dispatch(r))["params"]["id"], "3");
}

TEST_F(RouterTest, TrailingAndDoubleSlashesAreIgnored) {
  auto r = Make(verb::get, "/api/scans/");
  EXPECT_EQ(Body(router.Dispatch(r))["tag"], "list");
  r = Make(verb::get, "//api//scans/5");
  EXPECT_EQ(Body(router.Dispatch(r))["tag"], "one");
}

TEST_F(RouterTest, MethodSelectsHandler) {
  auto r = Make(verb::put, "/api/planograms/9");
  EXPECT_EQ(Body(router.Dispatch(r))["tag"], "put-plan");
  r = Make(verb::delete_, "/api/planograms/9");
  EXPECT_EQ(Body(router.Dispatch(r))["tag"], "del-plan");
}

TEST_F(RouterTest, UnknownPathIs404WithErrorShape) {
  for (const char* path : {"/api/nothing", "/api/scans/1/image/extra", "/", "/api"}) {
    auto r = Make(verb::get, path);
    const Response res = router.Dispatch(r);
    EXPECT_EQ(res.result(), beast_http::status::not_found) << path;
    EXPECT_EQ(Body(res)["error"]["code"], "not_found") << path;
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  auto r = Make(verb::post, "/api/planograms/1");
  const Response res = router.Dispatch(r);
  EXPECT_EQ(res.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(res[beast_http::field::allow], "DELETE, GET, HEAD, OPTIONS, PUT");
  EXPECT_TRUE(Body(res)["error"]["message"].is_string());
  r = Make(verb::delete_, "/api/scans");
  EXPECT_EQ(router.Dispatch(r)[beast_http::field::allow], "GET, HEAD, OPTIONS");
}

TEST_F(RouterTest, OptionsAnswersAllowOnKnownPaths) {
  auto r = Make(verb::options, "/api/planograms/3");
  const Response res = router.Dispatch(r);
  EXPECT_EQ(res.result(), beast_http::status::no_content);
  EXPECT_EQ(res[beast_http::field::allow], "DELETE, GET, HEAD, OPTIONS, PUT");
  r = Make(verb::options, "/api/nothing");
  EXPECT_EQ(router.Dispatch(r).result(), beast_http::status::not_found);
}

TEST_F(RouterTest, RoutesListsEverySpecInOrder) {
  const auto specs = router.routes();
  ASSERT_EQ(specs.size(), 7u);
  EXPECT_EQ(specs[0]->pattern, "/api/scans");
  EXPECT_EQ(specs[6]->summary, "metrics");
  EXPECT_EQ(specs[6]->role, Role::kViewer);
}

TEST_F(RouterTest, FindReportsMatchState) {
  auto r = Make(verb::patch, "/api/scans/1");
  const auto m = router.Find(r);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_found);
  EXPECT_EQ(m.allow, "GET, HEAD, OPTIONS");
  r = Make(verb::get, "/x");
  EXPECT_FALSE(router.Find(r).path_found);
}

}  // namespace
}  // namespace vs::http
