// Fuzzes the multipart/form-data parser (http/multipart.h) as POST /api/detect uses it: the input
// is a Content-Type header line, then "\n", then the body exactly as received.
// Checked: no crash, no exception; every part has a name and its data lies inside the body; the
// part limit holds; a parsed form re-serialised with the same boundary parses to the same parts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/multipart.h"

namespace {

using vs::http::MultipartForm;

// The form as a client would send it again (names and filenames quoted, quotes escaped).
std::string Serialise(const MultipartForm& form, std::string_view boundary) {
  const auto quoted = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::string body;
  for (const auto& p : form.parts) {
    body +=
        "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=" + quoted(p.name);
    if (p.filename) body += "; filename=" + quoted(*p.filename);
    body += "\r\n";
    if (!p.content_type.empty()) body += "Content-Type: " + p.content_type + "\r\n";
    body += "\r\n";
    body += p.data;
    body += "\r\n";
  }
  return body + "--" + std::string(boundary) + "--\r\n";
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string_view content_type = input.substr(0, nl);
  const std::string_view body = input.substr(nl + 1);

  (void)vs::http::IsMultipartFormData(content_type);
  auto boundary = vs::http::MultipartBoundary(content_type);
  if (!boundary.ok()) return 0;
  FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70);

  const vs::http::MultipartLimits limits;
  auto form = vs::http::ParseMultipart(body, *boundary, limits);
  if (!form.ok()) return 0;
  FUZZ_CHECK(!form->parts.empty() && form->parts.size() <= limits.max_parts);
  for (const auto& p : form->parts) {
    FUZZ_CHECK(!p.name.empty());
    FUZZ_CHECK(Inside(p.data, body));
    FUZZ_CHECK(form->Find(p.name) != nullptr && form->Count(p.name) >= 1);
  }

  // Round trip: only when no value could be read back differently (a CR or LF in a name,
  // filename or content type cannot be written into a header line; part data containing the
  // delimiter cannot have come from a valid body).
  for (const auto& p : form->parts) {
    const auto unsafe = [](std::string_view s) { return s.find_first_of("\r\n") != s.npos; };
    if (unsafe(p.name) || (p.filename && unsafe(*p.filename)) || unsafe(p.content_type)) return 0;
    if (p.content_type.find_first_of(" \t") == 0) return 0;
  }
  const std::string again = Serialise(*form, *boundary);
  auto reparsed = vs::http::ParseMultipart(again, *boundary, limits);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->parts.size() == form->parts.size());
  for (size_t i = 0; i < form->parts.size(); ++i) {
    const auto& a = form->parts[i];
    const auto& b = reparsed->parts[i];
    FUZZ_CHECK(a.name == b.name);
    FUZZ_CHECK(a.filename == b.filename);
    FUZZ_CHECK(a.content_type == b.content_type);
    FUZZ_CHECK(a.data == b.data);
  }
  return 0;
}
