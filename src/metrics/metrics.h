// Operational metrics, exposed as GET /metrics in the Prometheus text exposition format (0.0.4).
// docs/OPERATIONS.md lists every metric and what it means.
//
// Built on prometheus-cpp's core library (Debian's prometheus-cpp-dev): its counters and gauges
// are atomics, its histograms have fixed buckets and a short lock per observation, and its
// TextSerializer writes the exposition format, so none of that is hand-written here. Only the
// core library is used: /metrics is served by VisionStock's own HTTP server, not by
// prometheus-cpp's embedded one.
//
// Two kinds of series:
//   - owned: counters and histograms this class updates (HTTP requests, decode and detection
//     time), cheap enough to call on every request;
//   - read at scrape time: gauges and counters whose value lives elsewhere (queue depths, live
//     clients, database pool), registered once as callbacks and read by Render().
// Label values come from bounded sets only (route patterns, never raw paths), so the number of
// series stays bounded whatever requests arrive.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vs::metrics {

// The media type of Render()'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Bucket upper bounds, in seconds (each bucket counts observations <= its bound).
const std::vector<double>& RequestBuckets();  // 1 ms .. 10 s
const std::vector<double>& ScanBuckets();     // 5 ms .. 30 s (decode, detection)

struct BuildInfo {
  std::string version;  // "0.1.0"
  std::string backend;  // "sqlite", "postgresql", or "none" when the store did not open
};

class Metrics {
 public:
  explicit Metrics(const BuildInfo& build);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered HTTP request. `method` outside the standard verbs is counted as "other";
  // `route` must come from a bounded set (a route pattern, or a fixed word such as "static").
  // Thread-safe.
  void ObserveRequest(std::string_view method, std::string_view route, int status,
                      std::chrono::duration<double> elapsed);
  // One photo decoded, and one detection (model inference) run. Thread-safe.
  void ObserveDecode(std::chrono::duration<double> elapsed);
  void ObserveDetection(std::chrono::duration<double> elapsed);

  // A series read at every scrape from `read` (called on the scraping thread; it must be
  // thread-safe and quick). Series of one name share one family: the same `help` and kind.
  // InvalidArgument for a malformed metric or label name, or a kind different from an earlier
  // series of that name.
  using Labels = std::map<std::string, std::string>;
  Status AddGauge(const std::string& name, const std::string& help, Labels labels,
                  std::function<double()> read);
  // `read` must never decrease (a count kept elsewhere, e.g. events delivered).
  Status AddCounter(const std::string& name, const std::string& help, Labels labels,
                    std::function<double()> read);

  // Every series in the exposition format, families in name order. Thread-safe.
  std::string Render() const;

 private:
  enum class Kind { kGauge, kCounter };
  struct ReadSeries {
    Labels labels;
    std::function<double()> read;
  };
  struct ReadFamily {
    std::string help;
    Kind kind;
    std::vector<ReadSeries> series;
  };
  Status AddRead(Kind kind, const std::string& name, const std::string& help, Labels labels,
                 std::function<double()> read);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* request_seconds_;
  prometheus::Histogram* decode_seconds_;
  prometheus::Histogram* detection_seconds_;
  mutable std::mutex read_mu_;
  std::map<std::string, ReadFamily> read_;  // guarded by read_mu_
};

}  // namespace vs::metrics
