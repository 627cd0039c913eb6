#include "http/multipart.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace vs::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status Bad(std::string message) { return Status::InvalidArgument("multipart body: " + message); }

// Where a delimiter found at `pos` (pointing at "--boundary") ends. Sets *close for the close
// delimiter. Returns npos when the text at `pos` is not a complete delimiter line: either the
// boundary is followed by other characters (then it is data) or the body ends (*truncated).
size_t DelimiterEnd(std::string_view body, size_t pos, size_t dash_len, bool* close,
                    bool* truncated) {
  size_t q = pos + dash_len;
  *close = false;
  *truncated = false;
  if (body.compare(q, 2, "--") == 0) {
    *close = true;
    return q + 2;
  }
  while (q < body.size() && (body[q] == ' ' || body[q] == '\t')) ++q;  // transport padding
  if (q + 2 <= body.size() && body.compare(q, 2, "\r\n") == 0) return q + 2;
  if (q >= body.size() || (q + 1 == body.size() && body[q] == '\r')) *truncated = true;
  return std::string_view::npos;
}

Status ParsePartHeaders(std::string_view headers, MultipartPart* part) {
  std::vector<std::pair<std::string, std::string>> fields;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t eol = headers.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = headers.size();
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty()) continue;
    if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      // Obsolete line folding: the continuation joins the value with one space. A blank
      // continuation adds nothing, so a value never ends (or starts) with whitespace, as an
      // unfolded one never does.
      const std::string_view more = TrimSpaceTab(line);
      std::string& value = fields.back().second;
      if (!more.empty()) value += (value.empty() ? "" : " ") + std::string(more);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Bad("malformed part header line '" + std::string(line.substr(0, 80)) + "'");
    }
    fields.emplace_back(Lower(TrimSpaceTab(line.substr(0, colon))),
                        std::string(TrimSpaceTab(line.substr(colon + 1))));
  }
  const std::string* disposition = nullptr;
  for (const auto& [name, value] : fields) {
    if (name == "content-disposition") {
      if (disposition) return Bad("part has two Content-Disposition headers");
      disposition = &value;
    } else if (name == "content-type") {
      part->content_type = value;
    }
  }
  if (!disposition) return Bad("part without Content-Disposition header");
  auto parsed = ParseHeaderValue(*disposition);
  if (!parsed.ok()) return Bad(parsed.status().message());
  if (parsed->value != "form-data") {
    return Bad("part Content-Disposition is '" + parsed->value + "', expected form-data");
  }
  auto name = parsed->Param("name");
  if (!name || name->empty()) return Bad("part Content-Disposition without a name");
  part->name = std::move(*name);
  part->filename = parsed->Param("filename");
  return Status::Ok();
}

}  // namespace

std::optional<std::string> HeaderValue::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

Result<HeaderValue> ParseHeaderValue(std::string_view text) {
  HeaderValue out;
  size_t semi = text.find(';');
  out.value = Lower(TrimSpaceTab(text.substr(0, semi)));
  size_t pos = semi == std::string_view::npos ? text.size() : semi + 1;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == ';')) ++pos;
    if (pos >= text.size()) break;
    const size_t eq = text.find('=', pos);
    const size_t next_semi = text.find(';', pos);
    if (eq == std::string_view::npos || (next_semi != std::string_view::npos && next_semi < eq)) {
      return Status::InvalidArgument("header parameter without '=' in '" + std::string(text) + "'");
    }
    std::string name = Lower(TrimSpaceTab(text.substr(pos, eq - pos)));
    pos = eq + 1;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    std::string value;
    if (pos < text.size() && text[pos] == '"') {
      ++pos;
      bool closed = false;
      while (pos < text.size()) {
        const char c = text[pos++];
        if (c == '\\' && pos < text.size()) {
          value.push_back(text[pos++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.push_back(c);
        }
      }
      if (!closed) {
        return Status::InvalidArgument("unterminated quoted string in '" + std::string(text) + "'");
      }
      while (pos < text.size() && text[pos] != ';') {
        if (text[pos] != ' ' && text[pos] != '\t') {
          return Status::InvalidArgument("text after quoted string in '" + std::string(text) + "'");
        }
        ++pos;
      }
    } else {
      const size_t end = text.find(';', pos);
      value = std::string(
          TrimSpaceTab(text.substr(pos, end == std::string_view::npos ? end : end - pos)));
      pos = end == std::string_view::npos ? text.size() : end;
    }
    out.params.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

bool IsMultipartFormData(std::string_view content_type) {
  auto parsed = ParseHeaderValue(content_type);
  const std::string value =
      parsed.ok() ? parsed->value
                  : Lower(TrimSpaceTab(content_type.substr(0, content_type.find(';'))));
  return value == "multipart/form-data";
}

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto parsed = ParseHeaderValue(content_type);
  if (!parsed.ok()) return Bad(parsed.status().message());
  auto boundary = parsed->Param("boundary");
  if (!boundary || boundary->empty()) return Bad("Content-Type has no boundary parameter");
  if (boundary->size() > 70) return Bad("boundary longer than 70 characters");
  return *boundary;
}

const MultipartPart* MultipartForm::Find(std::string_view name) const {
  for (const auto& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

size_t MultipartForm::Count(std::string_view name) const {
  return static_cast<size_t>(
      std::count_if(parts.begin(), parts.end(), [&](const auto& p) { return p.name == name; }));
}

Result<MultipartForm> ParseMultipart(std::string_view body, std::string_view boundary,
                                     const MultipartLimits& limits) {
  if (boundary.empty() || boundary.size() > 70) return Bad("invalid boundary");
  const std::string dash = "--" + std::string(boundary);
  const std::string crlf_dash = "\r\n" + dash;

  // The first delimiter: at the very start, or after a CRLF ending the preamble.
  size_t pos = body.compare(0, dash.size(), dash) == 0 ? 0 : std::string_view::npos;
  size_t cursor = 0;
  bool close = false, truncated = false;
  size_t after = std::string_view::npos;
  while (true) {
    if (pos == std::string_view::npos) {
      const size_t found = body.find(crlf_dash, cursor);
      if (found == std::string_view::npos) {
        return body.empty() ? Bad("empty body") : Bad("no boundary delimiter found (truncated?)");
      }
      pos = found + 2;
    }
    after = DelimiterEnd(body, pos, dash.size(), &close, &truncated);
    if (after != std::string_view::npos) break;
    if (truncated) return Bad("body ends inside a boundary delimiter (truncated)");
    cursor = pos + 1;
    pos = std::string_view::npos;
  }
  if (close) return Bad("no parts before the close delimiter");

  MultipartForm form;
  while (true) {
    // `after` is the start of a part's headers.
    size_t headers_end;
    if (body.compare(after, 2, "\r\n") == 0) {
      headers_end = after;  // no headers at all
    } else {
      headers_end = body.find("\r\n\r\n", after);
      if (headers_end == std::string_view::npos)
        return Bad("part headers not terminated (truncated)");
    }
    if (headers_end - after > limits.max_header_bytes) return Bad("part headers too long");
    MultipartPart part;
    VS_RETURN_IF_ERROR(ParsePartHeaders(body.substr(after, headers_end - after), &part));
    const size_t data_start = headers_end == after ? after + 2 : headers_end + 4;

    // The data ends at the next CRLF--boundary that forms a complete delimiter line.
    size_t search = data_start;
    size_t found;
    while (true) {
      found = body.find(crlf_dash, search);
      if (found == std::string_view::npos) {
        return Bad("part '" + part.name + "' not terminated by a boundary (truncated)");
      }
      after = DelimiterEnd(body, found + 2, dash.size(), &close, &truncated);
      if (after != std::string_view::npos) break;
      if (truncated) return Bad("body ends inside a boundary delimiter (truncated)");
      search = found + 1;
    }
    part.data = body.substr(data_start, found - data_start);
    form.parts.push_back(std::move(part));
    if (form.parts.size() > limits.max_parts) return Bad("too many parts");
    if (close) break;
  }
  return form;
}

}  // namespace vs::http
