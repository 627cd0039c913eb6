#include "metrics/metrics.h"

#include <prometheus/check_names.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <sstream>

#include "core/time.h"

namespace vs::metrics {
namespace {

std::string_view KnownMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kMethods = {
      "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"};
  for (auto m : kMethods) {
    if (m == method) return m;
  }
  return "other";
}

}  // namespace

const std::vector<double>& RequestBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

const std::vector<double>& ScanBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10,  30};
  return kBuckets;
}

Metrics::Metrics(const BuildInfo& build) : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("visionstock_http_requests_total")
                   .Help("HTTP requests answered, by method, route pattern and status code")
                   .Register(*registry_);
  request_seconds_ =
      &prometheus::BuildHistogram()
           .Name("visionstock_http_request_duration_seconds")
           .Help("Time from a request's header to its answer, by method, route pattern and status")
           .Register(*registry_);
  decode_seconds_ = &prometheus::BuildHistogram()
                         .Name("visionstock_decode_duration_seconds")
                         .Help("Time to decode one uploaded photo")
                         .Register(*registry_)
                         .Add({}, ScanBuckets());
  detection_seconds_ = &prometheus::BuildHistogram()
                            .Name("visionstock_detection_duration_seconds")
                            .Help("Time of one model inference on a decoded photo")
                            .Register(*registry_)
                            .Add({}, ScanBuckets());
  prometheus::BuildGauge()
      .Name("visionstock_build_info")
      .Help("Always 1; the labels name the running version and store backend")
      .Register(*registry_)
      .Add({{"version", build.version}, {"backend", build.backend}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("visionstock_start_time_seconds")
      .Help("When the process started, in seconds since the Unix epoch")
      .Register(*registry_)
      .Add({})
      .Set(static_cast<double>(ToUnixMillis(Now())) / 1000.0);
}

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                             std::chrono::duration<double> elapsed) {
  const prometheus::Labels labels = {{"method", std::string(KnownMethod(method))},
                                     {"route", std::string(route)},
                                     {"status", std::to_string(status)}};
  requests_->Add(labels).Increment();
  request_seconds_->Add(labels, RequestBuckets()).Observe(elapsed.count());
}

void Metrics::ObserveDecode(std::chrono::duration<double> elapsed) {
  decode_seconds_->Observe(elapsed.count());
}

void Metrics::ObserveDetection(std::chrono::duration<double> elapsed) {
  detection_seconds_->Observe(elapsed.count());
}

Status Metrics::AddGauge(const std::string& name, const std::string& help, Labels labels,
                         std::function<double()> read) {
  return AddRead(Kind::kGauge, name, help, std::move(labels), std::move(read));
}

Status Metrics::AddCounter(const std::string& name, const std::string& help, Labels labels,
                           std::function<double()> read) {
  return AddRead(Kind::kCounter, name, help, std::move(labels), std::move(read));
}

Status Metrics::AddRead(Kind kind, const std::string& name, const std::string& help, Labels labels,
                        std::function<double()> read) {
  if (!prometheus::CheckMetricName(name)) {
    return Status::InvalidArgument("malformed metric name '" + name + "'");
  }
  for (const auto& [label, value] : labels) {
    if (!prometheus::CheckLabelName(label)) {
      return Status::InvalidArgument("malformed label name '" + label + "' of " + name);
    }
  }
  if (!read) return Status::InvalidArgument("no value to read for " + name);
  std::lock_guard lock(read_mu_);
  auto [it, inserted] = read_.try_emplace(name, ReadFamily{help, kind, {}});
  if (!inserted && it->second.kind != kind) {
    return Status::InvalidArgument("metric " + name + " registered with another kind");
  }
  it->second.series.push_back({std::move(labels), std::move(read)});
  return Status::Ok();
}

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    std::lock_guard lock(read_mu_);
    for (const auto& [name, family] : read_) {
      prometheus::MetricFamily out;
      out.name = name;
      out.help = family.help;
      out.type = family.kind == Kind::kGauge ? prometheus::MetricType::Gauge
                                             : prometheus::MetricType::Counter;
      for (const auto& series : family.series) {
        prometheus::ClientMetric m;
        for (const auto& [label, value] : series.labels) m.label.push_back({label, value});
        const double v = series.read();
        if (family.kind == Kind::kGauge) {
          m.gauge.value = v;
        } else {
          m.counter.value = v;
        }
        out.metric.push_back(std::move(m));
      }
      families.push_back(std::move(out));
    }
  }
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, families);
  return text.str();
}

}  // namespace vs::metrics
