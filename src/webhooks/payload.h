// What a delivery says, and which events a webhook wants.
//
// The body of every delivery (a JSON object, UTF-8):
//   {"webhook_id": 3, "event_id": 42, "type": "scan.created",
//    "created_at": "2026-11-28T07:20:00.123Z", "data": { ...the event's payload... }}
// `data` is the committed event's payload as the live feed (GET /api/live) carries it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/types.h"

namespace vs::webhooks {

// Whether `type` matches one pattern: "*" (every type), "prefix.*" (every type that starts with
// "prefix."), or an exact type.
bool TypeMatches(const std::vector<std::string>& patterns, std::string_view type);

// InvalidValue unless every pattern is "*", or one or more dot-separated lower-case words
// ([a-z0-9_]) optionally ending in ".*"; at most 50 patterns of at most 100 bytes.
Status ValidatePatterns(const std::vector<std::string>& patterns);

// The delivery body for `event` sent to `webhook_id` (see above).
std::string DeliveryBody(const store::Event& event, store::Id webhook_id);

}  // namespace vs::webhooks
