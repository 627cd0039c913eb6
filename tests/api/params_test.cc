#include "api/params.h"

#include <gtest/gtest.h>

#include "http/query.h"

namespace vs::api {
namespace {

http::QueryParams Q(const std::string& query) {
  std::string path;
  http::QueryParams q;
  EXPECT_TRUE(http::ParseTarget("/x?" + query, &path, &q).ok());
  return q;
}

TEST(ParsePage, DefaultsAndBounds) {
  EXPECT_EQ(ParsePage(Q("")).value().limit, 100);
  EXPECT_EQ(ParsePage(Q("limit=1")).value().limit, 1);
  EXPECT_EQ(ParsePage(Q("limit=1000")).value().limit, 1000);
  EXPECT_EQ(ParsePage(Q("limit=0")).status().code(), Code::kInvalidValue);
  EXPECT_EQ(ParsePage(Q("limit=1001")).status().code(), Code::kInvalidValue);
  EXPECT_EQ(ParsePage(Q("limit=-5")).status().code(), Code::kInvalidValue);
  EXPECT_EQ(ParsePage(Q("limit=99999999999999999999")).status().code(), Code::kInvalidValue);
  EXPECT_EQ(ParsePage(Q("limit=ten")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParsePage(Q("limit=10x")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParsePage(Q("cursor=abc")).value().cursor.value(), "abc");
  EXPECT_FALSE(ParsePage(Q("cursor=")).value().cursor.has_value());
}

TEST(ParseDetectionFilter, FieldsAndEmptyValues) {
  auto f =
      ParseDetectionFilter(Q("sku=S1&class_name=dog&shelf_location=A+1&store=&min_confidence=0.5"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->sku.value(), "S1");
  EXPECT_EQ(f->class_name.value(), "dog");
  EXPECT_EQ(f->shelf_location.value(), "A 1");
  EXPECT_FALSE(f->store.has_value());
  EXPECT_DOUBLE_EQ(f->min_confidence.value(), 0.5);
}

TEST(ParseDetectionFilter, TimeRange) {
  auto f = ParseDetectionFilter(Q("start=2026-01-01&end=2026-01-02T00:00:00Z"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(FormatIso8601(*f->start), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(ParseDetectionFilter(Q("start=2026-01-02&end=2026-01-01")).status().code(),
            Code::kInvalidValue);
  EXPECT_EQ(ParseDetectionFilter(Q("start=2026-01-01&end=2026-01-01")).status().code(),
            Code::kInvalidValue);
  EXPECT_EQ(ParseDetectionFilter(Q("start=yesterday")).status().code(), Code::kInvalidValue);
}

TEST(ParseDetectionFilter, MinConfidence) {
  EXPECT_EQ(ParseDetectionFilter(Q("min_confidence=abc")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseDetectionFilter(Q("min_confidence=nan")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseDetectionFilter(Q("min_confidence=1.5")).status().code(), Code::kInvalidValue);
  EXPECT_EQ(ParseDetectionFilter(Q("min_confidence=-0.1")).status().code(), Code::kInvalidValue);
}

TEST(ParseGranularity, HourDayOnly) {
  EXPECT_EQ(ParseGranularity(Q("")).value(), store::Granularity::kHour);
  EXPECT_EQ(ParseGranularity(Q("granularity=day")).value(), store::Granularity::kDay);
  EXPECT_EQ(ParseGranularity(Q("granularity=week")).status().code(), Code::kInvalidValue);
}

TEST(ParseId, PositiveIntegersOnly) {
  http::Request r;
  r.params["id"] = "42";
  EXPECT_EQ(ParseId(r).value(), 42);
  for (const char* bad : {"0", "-1", "abc", "4x", ""}) {
    r.params["id"] = bad;
    EXPECT_EQ(ParseId(r).status().code(), Code::kNotFound) << bad;
  }
}

}  // namespace
}  // namespace vs::api
