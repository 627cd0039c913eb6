// Fuzzes the class-name readers (vision/class_names.h): each input is tried both as an ONNX
// "names" metadata literal (dict or list) and as a labels file.
// Checked: no crash; an accepted literal lists at least one name and, written back as a list
// literal and as a dict literal, parses to the same names; labels-file names are non-empty,
// trimmed, one line each, and read back unchanged when written one per line.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "vision/class_names.h"

namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A per-process scratch file for the labels-file reader: in $TMPDIR, else in memory (/dev/shm)
// where there is one, else /tmp. Removed at exit.
const std::string& ScratchPath() {
  static const std::string path = [] {
    const char* env = std::getenv("TMPDIR");
    const std::string dir = env && *env ? env : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    return dir + "/vs-class-names-fuzz-" + std::to_string(getpid()) + ".names";
  }();
  static const bool cleanup = [] { return std::atexit([] { unlink(path.c_str()); }) == 0; }();
  (void)cleanup;
  return path;
}

void WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

void CheckLiteral(std::string_view input) {
  auto names = vs::vision::ParseNamesLiteral(input);
  if (!names.ok()) return;
  FUZZ_CHECK(!names->empty());
  std::string list = "[", dict = "{";
  for (size_t i = 0; i < names->size(); ++i) {
    const std::string sep = i ? ", " : "";
    list += sep + Quote((*names)[i]);
    dict += sep + std::to_string(i) + ": " + Quote((*names)[i]);
  }
  list += "]";
  dict += "}";
  auto from_list = vs::vision::ParseNamesLiteral(list);
  FUZZ_CHECK(from_list.ok() && *from_list == *names);
  auto from_dict = vs::vision::ParseNamesLiteral(dict);
  FUZZ_CHECK(from_dict.ok() && *from_dict == *names);
}

void CheckLabelsFile(std::string_view input) {
  WriteFile(ScratchPath(), input);
  auto names = vs::vision::ReadLabelsFile(ScratchPath());
  if (!names.ok()) return;
  FUZZ_CHECK(!names->empty());
  std::string again;
  for (const auto& n : *names) {
    FUZZ_CHECK(!n.empty());
    FUZZ_CHECK(n.find('\n') == std::string::npos);
    FUZZ_CHECK(n.find_first_of(" \t\r") != 0);
    FUZZ_CHECK(std::string_view(" \t\r").find(n.back()) == std::string_view::npos);
    again += n + "\n";
  }
  WriteFile(ScratchPath(), again);
  auto reread = vs::vision::ReadLabelsFile(ScratchPath());
  FUZZ_CHECK(reread.ok() && *reread == *names);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckLiteral(input);
  CheckLabelsFile(input);
  return 0;
}
