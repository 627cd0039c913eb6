// The non-SQL parts of storing webhooks, shared by every backend so that they answer alike:
// what a storable subscription is, how its event types are kept in one TEXT column, and which
// status an attempt leaves a delivery in.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/types.h"

namespace vs::store {

// InvalidValue (naming the missing part) for an empty url, event type list or secret.
Status ValidateWebhook(const Webhook& webhook);

// The event_types column: a JSON array of strings.
std::string EventTypesColumn(const std::vector<std::string>& types);
// The strings of an event_types column; anything that is not an array of strings is skipped.
std::vector<std::string> EventTypesFromColumn(const std::string& text);

// "delivered", "pending" (a failure with a next attempt) or "failed" (gave up).
const char* DeliveryStatusAfter(const WebhookAttempt& attempt);

}  // namespace vs::store
