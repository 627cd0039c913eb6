#include "store/webhook_rows.h"

#include <nlohmann/json.hpp>

namespace vs::store {

Status ValidateWebhook(const Webhook& webhook) {
  if (webhook.url.empty()) return Status::InvalidValue("a webhook needs a url");
  if (webhook.event_types.empty()) return Status::InvalidValue("a webhook needs event types");
  if (webhook.secret.empty()) return Status::InvalidValue("a webhook needs a secret");
  return Status::Ok();
}

std::string EventTypesColumn(const std::vector<std::string>& types) {
  return nlohmann::json(types).dump();
}

std::vector<std::string> EventTypesFromColumn(const std::string& text) {
  std::vector<std::string> out;
  const auto types = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!types.is_array()) return out;
  for (const auto& t : types) {
    if (t.is_string()) out.push_back(t.get<std::string>());
  }
  return out;
}

const char* DeliveryStatusAfter(const WebhookAttempt& attempt) {
  if (attempt.delivered) return "delivered";
  return attempt.next_attempt_at ? "pending" : "failed";
}

}  // namespace vs::store
