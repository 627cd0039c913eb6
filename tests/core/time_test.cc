#include "core/time.h"

#include <gtest/gtest.h>

namespace vs {
namespace {

TEST(TimeTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatIso8601(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(1795850400123)), "2026-11-28T07:20:00.123Z");
}

TEST(TimeTest, ParsesCommonForms) {
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-11-28")), 1795824000000);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-11-28T07:20:00Z")), 1795850400000);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-11-28T07:20:00.123Z")), 1795850400123);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-11-28 07:20")), 1795850400000);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-11-28T08:20:00+01:00")), 1795850400000);
  EXPECT_EQ(ToUnixMillis(*ParseIso8601("2026-11-28T06:50:00-00:30")), 1795850400000);
}

TEST(TimeTest, RoundTrips) {
  const Timestamp t = FromUnixMillis(1795850400999);
  EXPECT_EQ(*ParseIso8601(FormatIso8601(t)), t);
}

TEST(TimeTest, RejectsMalformed) {
  for (const char* s : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-28T25:00",
                        "2026-11-28T07:20:00Zjunk", "2026-11-28T07", "11/28/2026"}) {
    const auto r = ParseIso8601(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.status().code(), Code::kInvalidValue) << s;
  }
}

}  // namespace
}  // namespace vs
