// The exposition text of metrics::Metrics, line by line: HELP and TYPE lines, label sets,
// histogram buckets (inclusive upper bounds, cumulative, +Inf), read-at-scrape series.
#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

namespace vs::metrics {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// The value of the one sample line that starts with `series` followed by a space.
std::string ValueOf(const std::vector<std::string>& lines, const std::string& series) {
  for (const auto& l : lines) {
    if (l.rfind(series + " ", 0) == 0) return l.substr(series.size() + 1);
  }
  return "<absent>";
}

Metrics Make() { return Metrics(BuildInfo{.version = "1.2.3", .backend = "sqlite"}); }

TEST(Metrics, EveryLineIsACommentOrASample) {
  Metrics m = Make();
  m.ObserveRequest("GET", "/api/summary", 200, 3ms);
  for (const auto& line : Lines(m.Render())) {
    ASSERT_FALSE(line.empty());
    if (line[0] == '#') {
      EXPECT_TRUE(line.rfind("# HELP visionstock_", 0) == 0 ||
                  line.rfind("# TYPE visionstock_", 0) == 0)
          << line;
      continue;
    }
    // name{labels} value  or  name value
    EXPECT_EQ(line.rfind("visionstock_", 0), 0u) << line;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    const std::string value = line.substr(space + 1);
    EXPECT_TRUE(value == "+Inf" || value.find_first_not_of("0123456789.e+-") == std::string::npos)
        << line;
  }
}

TEST(Metrics, BuildInfoAndStartTime) {
  Metrics m = Make();
  const auto lines = Lines(m.Render());
  EXPECT_TRUE(Has(lines, "# TYPE visionstock_build_info gauge"));
  EXPECT_TRUE(Has(lines, "visionstock_build_info{backend=\"sqlite\",version=\"1.2.3\"} 1"));
  EXPECT_TRUE(Has(lines, "# TYPE visionstock_start_time_seconds gauge"));
  EXPECT_GT(std::stod(ValueOf(lines, "visionstock_start_time_seconds")), 1.7e9);
}

TEST(Metrics, RequestsAreCountedByMethodRouteAndStatus) {
  Metrics m = Make();
  m.ObserveRequest("GET", "/api/scans/{id}", 200, 2ms);
  m.ObserveRequest("GET", "/api/scans/{id}", 200, 4ms);
  m.ObserveRequest("GET", "/api/scans/{id}", 404, 1ms);
  m.ObserveRequest("BREW", "unmatched", 405, 1ms);
  const auto lines = Lines(m.Render());
  EXPECT_TRUE(Has(lines, "# TYPE visionstock_http_requests_total counter"));
  EXPECT_EQ(ValueOf(lines,
                    "visionstock_http_requests_total{method=\"GET\",route=\"/api/scans/"
                    "{id}\",status=\"200\"}"),
            "2");
  EXPECT_EQ(ValueOf(lines,
                    "visionstock_http_requests_total{method=\"GET\",route=\"/api/scans/"
                    "{id}\",status=\"404\"}"),
            "1");
  // Unknown methods share one label value: the set of series stays bounded.
  EXPECT_EQ(ValueOf(lines,
                    "visionstock_http_requests_total{method=\"other\",route=\"unmatched\","
                    "status=\"405\"}"),
            "1");
  EXPECT_TRUE(Has(lines, "# TYPE visionstock_http_request_duration_seconds histogram"));
  EXPECT_EQ(ValueOf(lines,
                    "visionstock_http_request_duration_seconds_count{method=\"GET\",route="
                    "\"/api/scans/{id}\",status=\"200\"}"),
            "2");
  EXPECT_DOUBLE_EQ(std::stod(ValueOf(lines,
                                     "visionstock_http_request_duration_seconds_sum{method=\"GET\","
                                     "route=\"/api/scans/{id}\",status=\"200\"}")),
                   0.006);
}

TEST(Metrics, HistogramBucketsAreInclusiveUpperBoundsAndCumulative) {
  Metrics m = Make();
  // Exactly on an edge counts in that bucket; just above it, in the next.
  m.ObserveDecode(std::chrono::duration<double>(0.005));
  m.ObserveDecode(std::chrono::duration<double>(0.0050001));
  m.ObserveDecode(std::chrono::duration<double>(0.01));
  m.ObserveDecode(std::chrono::duration<double>(31.0));  // beyond the last bound: +Inf only
  const auto lines = Lines(m.Render());
  const std::string b = "visionstock_decode_duration_seconds_bucket";
  EXPECT_EQ(ValueOf(lines, b + "{le=\"0.005\"}"), "1");
  EXPECT_EQ(ValueOf(lines, b + "{le=\"0.01\"}"), "3");
  EXPECT_EQ(ValueOf(lines, b + "{le=\"0.025\"}"), "3");
  EXPECT_EQ(ValueOf(lines, b + "{le=\"30\"}"), "3");
  EXPECT_EQ(ValueOf(lines, b + "{le=\"+Inf\"}"), "4");
  EXPECT_EQ(ValueOf(lines, "visionstock_decode_duration_seconds_count"), "4");
  // Every bound of ScanBuckets() has its line, in increasing order, then +Inf.
  std::vector<std::string> les;
  for (const auto& l : lines) {
    if (l.rfind(b + "{le=\"", 0) == 0)
      les.push_back(l.substr(b.size() + 5, l.find('"', b.size() + 5) - b.size() - 5));
  }
  ASSERT_EQ(les.size(), ScanBuckets().size() + 1);
  for (size_t i = 0; i < ScanBuckets().size(); ++i) {
    EXPECT_DOUBLE_EQ(std::stod(les[i]), ScanBuckets()[i]) << les[i];
  }
  EXPECT_EQ(les.back(), "+Inf");
  // Detection has its own histogram, untouched here.
  EXPECT_EQ(ValueOf(lines, "visionstock_detection_duration_seconds_count"), "0");
}

TEST(Metrics, SeriesReadAtScrapeTime) {
  Metrics m = Make();
  std::atomic<int> depth{3};
  std::atomic<uint64_t> delivered{0};
  ASSERT_TRUE(
      m.AddGauge("visionstock_test_depth", "A depth", {}, [&] { return depth.load(); }).ok());
  ASSERT_TRUE(m.AddCounter("visionstock_test_events_total", "Events", {{"kind", "live"}}, [&] {
                 return static_cast<double>(delivered.load());
               }).ok());
  ASSERT_TRUE(m.AddCounter("visionstock_test_events_total", "Events", {{"kind", "replay"}}, [] {
                 return 7.0;
               }).ok());
  auto lines = Lines(m.Render());
  EXPECT_TRUE(Has(lines, "# HELP visionstock_test_depth A depth"));
  EXPECT_TRUE(Has(lines, "# TYPE visionstock_test_depth gauge"));
  EXPECT_TRUE(Has(lines, "visionstock_test_depth 3"));
  EXPECT_TRUE(Has(lines, "# TYPE visionstock_test_events_total counter"));
  EXPECT_TRUE(Has(lines, "visionstock_test_events_total{kind=\"live\"} 0"));
  EXPECT_TRUE(Has(lines, "visionstock_test_events_total{kind=\"replay\"} 7"));
  depth = 5;
  delivered = 12;
  lines = Lines(m.Render());
  EXPECT_TRUE(Has(lines, "visionstock_test_depth 5"));
  EXPECT_TRUE(Has(lines, "visionstock_test_events_total{kind=\"live\"} 12"));
  // One HELP/TYPE pair per family, however many series.
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "# TYPE visionstock_test_events_total counter"),
            1);
}

TEST(Metrics, MalformedNamesAndKindClashesAreRefused) {
  Metrics m = Make();
  EXPECT_FALSE(m.AddGauge("bad name", "x", {}, [] { return 0.0; }).ok());
  EXPECT_FALSE(m.AddGauge("visionstock_ok", "x", {{"bad-label", "v"}}, [] { return 0.0; }).ok());
  EXPECT_FALSE(m.AddGauge("visionstock_ok", "x", {}, nullptr).ok());
  ASSERT_TRUE(m.AddGauge("visionstock_ok", "x", {}, [] { return 0.0; }).ok());
  EXPECT_FALSE(m.AddCounter("visionstock_ok", "x", {{"a", "b"}}, [] { return 0.0; }).ok());
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m = Make();
  ASSERT_TRUE(
      m.AddGauge("visionstock_test_escape", "x", {{"v", "a\"b\\c\nd"}}, [] { return 1.0; }).ok());
  EXPECT_TRUE(Has(Lines(m.Render()), "visionstock_test_escape{v=\"a\\\"b\\\\c\\nd\"} 1"));
}

TEST(Metrics, ConcurrentObservationsAreAllCounted) {
  Metrics m = Make();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) m.ObserveRequest("GET", "/health", 200, 1ms);
    });
  }
  for (auto& t : threads) t.join();
  const auto lines = Lines(m.Render());
  EXPECT_EQ(ValueOf(lines,
                    "visionstock_http_requests_total{method=\"GET\",route=\"/health\","
                    "status=\"200\"}"),
            "4000");
}

}  // namespace
}  // namespace vs::metrics
