#include "http/query.h"

#include <gtest/gtest.h>

#include "http/conditional.h"

namespace vs::http {
namespace {

TEST(ParseTarget, PathAndParameters) {
  std::string path;
  QueryParams q;
  ASSERT_TRUE(
      ParseTarget("/api/detections?sku=A%20B&shelf_location=aisle+3&empty=&flag&sku=2", &path, &q)
          .ok());
  EXPECT_EQ(path, "/api/detections");
  EXPECT_EQ(q.Get("sku").value(), "A B");  // first value wins
  EXPECT_EQ(q.Get("shelf_location").value(), "aisle 3");
  EXPECT_EQ(q.Get("empty").value(), "");
  EXPECT_EQ(q.Get("flag").value(), "");
  EXPECT_FALSE(q.Get("missing").has_value());
  EXPECT_EQ(q.items().size(), 5u);
}

TEST(ParseTarget, PathIsDecodedWithoutPlus) {
  std::string path;
  QueryParams q;
  ASSERT_TRUE(ParseTarget("/a%2Fb+c", &path, &q).ok());
  EXPECT_EQ(path, "/a/b+c");
}

TEST(ParseTarget, RejectsMalformed) {
  std::string path;
  QueryParams q;
  EXPECT_EQ(ParseTarget("", &path, &q).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("http://x/y", &path, &q).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("/a%2", &path, &q).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("/a%zz", &path, &q).code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseTarget("/a?x=%00", &path, &q).code(), Code::kInvalidArgument);
}

TEST(WithParam, ReplacesAndEncodes) {
  QueryParams q;
  q.Add("shelf_location", "aisle 3&4");
  q.Add("cursor", "old");
  q.Add("limit", "10");
  EXPECT_EQ(WithParam("/api/detections", q, "cursor", "n/x=1"),
            "/api/detections?shelf_location=aisle%203%264&limit=10&cursor=n%2Fx%3D1");
  // Round trip.
  std::string path;
  QueryParams back;
  ASSERT_TRUE(ParseTarget(WithParam("/api/detections", q, "cursor", "n/x=1"), &path, &back).ok());
  EXPECT_EQ(back.Get("shelf_location").value(), "aisle 3&4");
  EXPECT_EQ(back.Get("cursor").value(), "n/x=1");
}

TEST(Etag, DependsOnVersionAndTarget) {
  const std::string a = MakeEtag("e", 5, "/api/summary");
  EXPECT_EQ(a, MakeEtag("e", 5, "/api/summary"));
  EXPECT_NE(a, MakeEtag("e", 6, "/api/summary"));
  EXPECT_NE(a, MakeEtag("e", 5, "/api/summary?store=x"));
  EXPECT_EQ(a.front(), '"');
  EXPECT_EQ(a.back(), '"');
}

TEST(Etag, IfNoneMatch) {
  const std::string tag = MakeEtag("e", 1, "/x");
  EXPECT_TRUE(IfNoneMatchHits(tag, tag));
  EXPECT_TRUE(IfNoneMatchHits("\"other\", W/" + tag, tag));
  EXPECT_TRUE(IfNoneMatchHits(" * ", tag));
  EXPECT_FALSE(IfNoneMatchHits("", tag));
  EXPECT_FALSE(IfNoneMatchHits("\"other\"", tag));
}

}  // namespace
}  // namespace vs::http
