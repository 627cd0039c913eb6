// Which incoming X-Request-Id values are kept, and what a generated id looks like.
#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace vs::http {
namespace {

TEST(RequestId, SaneIncomingIdsAreKept) {
  for (const std::string& id :
       std::vector<std::string>{"a", "5f0c2a9e41b7d3c8", "lb-42.abc:DEF_9",
                                "123e4567-e89b-12d3-a456-426614174000", std::string(64, 'x')}) {
    EXPECT_TRUE(SaneRequestId(id)) << id;
    EXPECT_EQ(RequestIdFor(id), id);
  }
}

TEST(RequestId, AnythingElseIsReplaced) {
  for (const std::string& id :
       {std::string(), std::string(65, 'x'), std::string("has space"), std::string("quo\"te"),
        std::string("new\nline"), std::string("nul\0byte", 8), std::string("caf\xc3\xa9"),
        std::string("a/b"), std::string("{json}")}) {
    EXPECT_FALSE(SaneRequestId(id)) << id;
    const std::string replaced = RequestIdFor(id);
    EXPECT_NE(replaced, id);
    EXPECT_TRUE(SaneRequestId(replaced));
  }
}

TEST(RequestId, GeneratedIdsAreSixteenHexDigitsAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace vs::http
