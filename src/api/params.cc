#include "api/params.h"

#include <charconv>
#include <cmath>

#include "core/time.h"

namespace vs::api {
namespace {

Result<std::optional<Timestamp>> ParseTime(const http::QueryParams& q, const char* name) {
  auto text = NonEmpty(q, name);
  if (!text) return std::optional<Timestamp>();
  auto t = ParseIso8601(*text);
  if (!t.ok()) {
    return Status::InvalidValue(std::string(name) + ": '" + *text +
                                "' is not an ISO 8601 date or date-time");
  }
  return std::optional<Timestamp>(*t);
}

}  // namespace

Status ParseTimeRange(const http::QueryParams& q, std::optional<Timestamp>* start,
                      std::optional<Timestamp>* end, const char* start_name, const char* end_name) {
  auto s = ParseTime(q, start_name);
  if (!s.ok()) return s.status();
  auto e = ParseTime(q, end_name);
  if (!e.ok()) return e.status();
  if (*s && *e && **s >= **e) {
    return Status::InvalidValue(std::string(start_name) + " must be earlier than " + end_name +
                                " (" + start_name + " " + FormatIso8601(**s) + ", " + end_name +
                                " " + FormatIso8601(**e) + ")");
  }
  *start = *s;
  *end = *e;
  return Status::Ok();
}

std::optional<std::string> NonEmpty(const http::QueryParams& q, const char* name) {
  auto v = q.Get(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

Result<store::DetectionFilter> ParseDetectionFilter(const http::QueryParams& q) {
  store::DetectionFilter f;
  f.sku = NonEmpty(q, "sku");
  f.class_name = NonEmpty(q, "class_name");
  f.shelf_location = NonEmpty(q, "shelf_location");
  f.store = NonEmpty(q, "store");
  VS_RETURN_IF_ERROR(ParseTimeRange(q, &f.start, &f.end));
  if (auto text = NonEmpty(q, "min_confidence")) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || ptr != text->data() + text->size() || !std::isfinite(v)) {
      return Status::InvalidArgument("min_confidence: '" + *text + "' is not a number");
    }
    if (v < 0 || v > 1) return Status::InvalidValue("min_confidence must be within 0..1");
    f.min_confidence = v;
  }
  return f;
}

Result<store::ScanFilter> ParseScanFilter(const http::QueryParams& q) {
  store::ScanFilter f;
  f.store = NonEmpty(q, "store");
  f.shelf_location = NonEmpty(q, "shelf_location");
  VS_RETURN_IF_ERROR(ParseTimeRange(q, &f.start, &f.end));
  return f;
}

Result<store::PageRequest> ParsePage(const http::QueryParams& q) {
  store::PageRequest page;
  if (auto text = NonEmpty(q, "limit")) {
    long long v = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec == std::errc::result_out_of_range) {
      return Status::InvalidValue("limit must be within 1..1000");
    }
    if (ec != std::errc() || ptr != text->data() + text->size()) {
      return Status::InvalidArgument("limit: '" + *text + "' is not an integer");
    }
    if (v < 1 || v > 1000) return Status::InvalidValue("limit must be within 1..1000");
    page.limit = static_cast<int>(v);
  } else if (q.Has("limit")) {
    return Status::InvalidArgument("limit: empty value");
  }
  page.cursor = NonEmpty(q, "cursor");
  return page;
}

Result<store::Granularity> ParseGranularity(const http::QueryParams& q) {
  const auto g = NonEmpty(q, "granularity").value_or("hour");
  if (g == "hour") return store::Granularity::kHour;
  if (g == "day") return store::Granularity::kDay;
  return Status::InvalidValue("granularity must be 'hour' or 'day', not '" + g + "'");
}

Result<store::Id> ParseId(const http::Request& request, const char* name) {
  const auto it = request.params.find(name);
  if (it == request.params.end()) return Status::NotFound("missing id");
  const std::string& text = it->second;
  store::Id id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return Status::NotFound("no resource with id '" + text + "'");
  }
  return id;
}

}  // namespace vs::api
