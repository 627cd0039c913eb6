#include "webhooks/payload.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace vs::webhooks {
namespace {

bool ValidWord(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool ValidPattern(std::string_view p) {
  if (p == "*") return true;
  if (p.size() > 2 && p.substr(p.size() - 2) == ".*") p.remove_suffix(2);
  for (;;) {
    const size_t dot = p.find('.');
    if (!ValidWord(p.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    p.remove_prefix(dot + 1);
  }
}

}  // namespace

bool TypeMatches(const std::vector<std::string>& patterns, std::string_view type) {
  for (const std::string& p : patterns) {
    if (p == "*" || p == type) return true;
    if (p.size() > 2 && p.substr(p.size() - 2) == ".*") {
      const std::string_view prefix = std::string_view(p).substr(0, p.size() - 1);  // "alert."
      if (type.size() > prefix.size() && type.substr(0, prefix.size()) == prefix) return true;
    }
  }
  return false;
}

Status ValidatePatterns(const std::vector<std::string>& patterns) {
  if (patterns.empty()) return Status::InvalidValue("event_types must name at least one type");
  if (patterns.size() > 50) return Status::InvalidValue("event_types has more than 50 entries");
  for (const std::string& p : patterns) {
    if (p.size() > 100 || !ValidPattern(p)) {
      return Status::InvalidValue("event type pattern '" + p.substr(0, 100) +
                                  "' is not \"*\", a type like scan.created, or a prefix like "
                                  "alert.*");
    }
  }
  return Status::Ok();
}

std::string DeliveryBody(const store::Event& event, store::Id webhook_id) {
  const nlohmann::json body = {{"webhook_id", webhook_id},
                               {"event_id", event.id},
                               {"type", event.type},
                               {"created_at", FormatIso8601(event.created_at)},
                               {"data", event.payload}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vs::webhooks
