// Query-parameter parsing for the read routes. Syntax errors (not a number) are InvalidArgument
// (400); well-formed but unacceptable values (limit outside 1..1000, start >= end, unknown
// granularity) are InvalidValue (422). An empty value means the parameter is absent.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "http/message.h"
#include "store/types.h"

namespace vs::api {

// sku, class_name, shelf_location, store, start, end, min_confidence.
Result<store::DetectionFilter> ParseDetectionFilter(const http::QueryParams& q);
// store, shelf_location, start, end.
Result<store::ScanFilter> ParseScanFilter(const http::QueryParams& q);
// limit (1..1000, default 100) and cursor.
Result<store::PageRequest> ParsePage(const http::QueryParams& q);
// granularity: hour (default) or day.
Result<store::Granularity> ParseGranularity(const http::QueryParams& q);
// A path parameter that must be a positive integer id; NotFound otherwise (no such resource).
Result<store::Id> ParseId(const http::Request& request, const char* name = "id");

// Reads ISO 8601 times `start_name` and `end_name` into `*start` / `*end`; InvalidValue for a
// bad time, or unless start < end when both are set.
Status ParseTimeRange(const http::QueryParams& q, std::optional<Timestamp>* start,
                      std::optional<Timestamp>* end, const char* start_name = "start",
                      const char* end_name = "end");

// The non-empty value of `name`, if any.
std::optional<std::string> NonEmpty(const http::QueryParams& q, const char* name);

}  // namespace vs::api
