#include "http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/query.h"

namespace vs::http {
namespace {
namespace fs = std::filesystem;

void WriteFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = fs::temp_directory_path() /
           ("vs_static_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base);
    root = base / "web";
    WriteFile(root / "index.html", "<html>index</html>");
    WriteFile(root / "assets" / "index-4f3a9c1b.js", "js");
    WriteFile(root / "favicon.svg", "<svg/>");
    WriteFile(base / "secret.txt", "secret");
    fs::create_symlink(base / "secret.txt", root / "link.txt");
  }
  void TearDown() override { fs::remove_all(base); }

  Response Get(const std::string& target, const std::string& inm = "") {
    Request r;
    r.raw.method(beast_http::verb::get);
    r.raw.target(target);
    if (!inm.empty()) r.raw.set(beast_http::field::if_none_match, inm);
    EXPECT_TRUE(ParseTarget(target, &r.path, &r.query).ok());
    return StaticFiles(root).Serve(r);
  }

  fs::path base, root;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  Response res = Get("/");
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res.body(), "<html>index</html>");
  EXPECT_EQ(res[beast_http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res[beast_http::field::cache_control], "no-cache");
  res = Get("/assets/index-4f3a9c1b.js");
  EXPECT_EQ(res.body(), "js");
  EXPECT_EQ(res[beast_http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res[beast_http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(Get("/favicon.svg")[beast_http::field::content_type], "image/svg+xml");
}

TEST_F(StaticFilesTest, SpaFallbackOnlyWithoutExtension) {
  EXPECT_EQ(Get("/inventory/planograms").body(), "<html>index</html>");
  EXPECT_EQ(Get("/missing.js").result(), beast_http::status::not_found);
}

TEST_F(StaticFilesTest, NoEscapeFromRoot) {
  for (const char* target :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt", "/assets/..%5c..%5csecret.txt", "/link.txt", "/./index.html"}) {
    const Response res = Get(target);
    EXPECT_NE(res.body(), "secret") << target;
    EXPECT_EQ(res.result(), beast_http::status::not_found) << target;
  }
  StaticFiles files(root);
  EXPECT_FALSE(files.Resolve("/../secret.txt").ok());
  EXPECT_FALSE(files.Resolve(std::string("/index.html\0x", 13)).ok());
  EXPECT_FALSE(files.Resolve("relative.txt").ok());
}

TEST_F(StaticFilesTest, ConditionalGet) {
  const Response first = Get("/favicon.svg");
  const std::string etag(first[beast_http::field::etag]);
  ASSERT_FALSE(etag.empty());
  const Response again = Get("/favicon.svg", etag);
  EXPECT_EQ(again.result(), beast_http::status::not_modified);
  EXPECT_TRUE(again.body().empty());
}

TEST_F(StaticFilesTest, WithoutIndexSaysDashboardNotBuilt) {
  fs::remove(root / "index.html");
  const Response res = Get("/");
  EXPECT_EQ(res.result(), beast_http::status::service_unavailable);
  EXPECT_NE(res.body().find("not built"), std::string::npos);
  EXPECT_EQ(Get("/favicon.svg").result(), beast_http::status::ok);
}

TEST(HashedAssetName, Recognised) {
  EXPECT_TRUE(IsHashedAssetName("index-4f3a9c1b.js"));
  EXPECT_TRUE(IsHashedAssetName("app.8f9e0d1c2b3a.css"));
  EXPECT_FALSE(IsHashedAssetName("index.html"));
  EXPECT_FALSE(IsHashedAssetName("favicon.svg"));
  EXPECT_FALSE(IsHashedAssetName("my-component.js"));
}

}  // namespace
}  // namespace vs::http
