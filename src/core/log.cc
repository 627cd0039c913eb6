#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/time.h"

namespace vs::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
std::atomic<bool> g_access{true};
std::mutex g_mu;
const char* Name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}
}  // namespace

void SetLevel(Level level) { g_level = level; }

void Write(Level level, std::string_view msg, const nlohmann::json& fields) {
  if (level < g_level.load()) return;
  nlohmann::json line = {{"ts", FormatIso8601(Now())}, {"level", Name(level)}, {"msg", msg}};
  if (fields.is_object()) line.update(fields);
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(g_mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

void SetAccessLog(bool on) { g_access = on; }

bool AccessLogOn() { return g_access.load(); }

void Access(const nlohmann::json& fields) {
  if (!g_access.load()) return;
  Write(Level::kInfo, "request", fields);
}

}  // namespace vs::log
