// multipart/form-data (RFC 7578 over RFC 2046) parsing of a fully received body. Parts refer to
// the body's bytes (no copies), so the body must outlive them. Every malformation is an
// InvalidArgument status with a message naming the problem.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace vs::http {

// A header value split into its lower-cased main token and its parameters, e.g.
// `form-data; name="file"; filename="a \"b\".jpg"` -> {"form-data", {{"name","file"},
// {"filename","a \"b\".jpg"}}}. Parameter names are lower-cased; quoted strings are unescaped.
struct HeaderValue {
  std::string value;
  std::vector<std::pair<std::string, std::string>> params;
  // The first parameter named `name` (lower-case), if any.
  std::optional<std::string> Param(std::string_view name) const;
};
// InvalidArgument for an unterminated quoted string or a parameter without '='.
Result<HeaderValue> ParseHeaderValue(std::string_view text);

// True when the Content-Type's media type is multipart/form-data (any case, any parameters).
bool IsMultipartFormData(std::string_view content_type);
// The boundary parameter of a multipart Content-Type: 1 to 70 characters (RFC 2046).
Result<std::string> MultipartBoundary(std::string_view content_type);

struct MultipartPart {
  std::string name;                     // Content-Disposition name (required)
  std::optional<std::string> filename;  // Content-Disposition filename, when given
  std::string content_type;             // the part's Content-Type, empty when absent
  std::string_view data;                // the part's bytes, exactly as sent
};

struct MultipartForm {
  std::vector<MultipartPart> parts;  // in body order
  // The first part named `name`, or null.
  const MultipartPart* Find(std::string_view name) const;
  size_t Count(std::string_view name) const;
};

struct MultipartLimits {
  size_t max_parts = 64;
  size_t max_header_bytes = 8192;  // per part
};

// Parses `body` delimited by `boundary`. Preamble and epilogue are ignored. A part needs a
// Content-Disposition of type form-data with a name. The body must end with the close
// delimiter ("--boundary--"); anything shorter is reported as truncated.
Result<MultipartForm> ParseMultipart(std::string_view body, std::string_view boundary,
                                     const MultipartLimits& limits = {});

}  // namespace vs::http
