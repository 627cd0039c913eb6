// ISO 8601 parsing at the edges of the printable range, from inputs found by fuzz/time_fuzz.cc.
#include <gtest/gtest.h>

#include "core/time.h"

namespace vs {
namespace {

// "0000-01-01+01" is an hour before year 0000 began; FormatIso8601 printed it as
// "-001-12-31T23:00:00.000Z", which ParseIso8601 refuses.
TEST(TimeRangeTest, RefusesOffsetsThatLeaveYears0000To9999) {
  for (const char* s : {"0000-01-01+01", "0000-01-01T00:59:59.999+01:00", "9999-12-31T23:30-00:31",
                        "9999-12-31T23:59:60Z"}) {
    const auto r = ParseIso8601(s);
    EXPECT_FALSE(r.ok()) << s << " -> " << (r.ok() ? FormatIso8601(*r) : "");
  }
}

TEST(TimeRangeTest, EveryAcceptedEdgeFormatsAndParsesBack) {
  for (const char* s : {"0000-01-01", "0000-01-01T01:00+01:00", "0000-01-01T00:00-01:00",
                        "9999-12-31T23:59:59.999Z", "9999-12-31T22:59:59.999-01:00"}) {
    const auto t = ParseIso8601(s);
    ASSERT_TRUE(t.ok()) << s;
    const auto again = ParseIso8601(FormatIso8601(*t));
    ASSERT_TRUE(again.ok()) << s << " -> " << FormatIso8601(*t);
    EXPECT_EQ(*again, *t) << s;
  }
}

}  // namespace
}  // namespace vs
