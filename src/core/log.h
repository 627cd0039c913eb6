// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"2026-11-28T07:20:00.123Z","level":"info","msg":"request","method":"GET",...}
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace vs::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Lines below `level` are dropped. Default: kInfo. Thread-safe.
void SetLevel(Level level);
// Writes one line with "ts", "level", "msg" and every field of `fields` (an object or null).
void Write(Level level, std::string_view msg, const nlohmann::json& fields = nullptr);

inline void Info(std::string_view m, const nlohmann::json& f = nullptr) {
  Write(Level::kInfo, m, f);
}
inline void Warn(std::string_view m, const nlohmann::json& f = nullptr) {
  Write(Level::kWarn, m, f);
}
inline void Error(std::string_view m, const nlohmann::json& f = nullptr) {
  Write(Level::kError, m, f);
}

// The access log: one info line {"msg":"request", ...fields} per answered HTTP request, written
// by the HTTP server (see docs/OPERATIONS.md for its fields). On by default; SetAccessLog(false)
// drops these lines and no others. Thread-safe.
void SetAccessLog(bool on);
bool AccessLogOn();
void Access(const nlohmann::json& fields);

}  // namespace vs::log
