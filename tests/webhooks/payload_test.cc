#include "webhooks/payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vs::webhooks {
namespace {

TEST(TypeMatches, ExactPrefixAndAll) {
  const struct {
    std::vector<std::string> patterns;
    const char* type;
    bool match;
  } cases[] = {
      {{"scan.created"}, "scan.created", true},
      {{"scan.created"}, "scan.created2", false},
      {{"scan.created"}, "planogram.changed", false},
      {{"alert.*"}, "alert.raised", true},
      {{"alert.*"}, "alert.resolved", true},
      {{"alert.*"}, "alert", false},
      {{"alert.*"}, "alerts.raised", false},
      {{"alert.*"}, "compliance.updated", false},
      {{"*"}, "model.changed", true},
      {{"product.changed", "planogram.*"}, "planogram.changed", true},
      {{"product.changed", "planogram.*"}, "scan.created", false},
      {{}, "scan.created", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TypeMatches(c.patterns, c.type), c.match) << c.type;
  }
}

TEST(ValidatePatterns, AcceptsTypesPrefixesAndStar) {
  EXPECT_TRUE(
      ValidatePatterns({"scan.created", "alert.*", "*", "compliance.updated", "a_b.c1"}).ok());
}

TEST(ValidatePatterns, RefusesOthers) {
  for (const std::vector<std::string>& p :
       std::vector<std::vector<std::string>>{{},
                                             {""},
                                             {"Scan.created"},
                                             {"scan..created"},
                                             {".scan"},
                                             {"scan."},
                                             {"scan.*.x"},
                                             {"*.created"},
                                             {"scan created"},
                                             {"**"},
                                             {std::string(101, 'a')}}) {
    EXPECT_EQ(ValidatePatterns(p).code(), Code::kInvalidValue) << (p.empty() ? "(none)" : p[0]);
  }
  EXPECT_FALSE(ValidatePatterns(std::vector<std::string>(51, "scan.created")).ok());
}

TEST(DeliveryBody, CarriesTheEventAndItsPayload) {
  store::Event e;
  e.id = 42;
  e.type = "scan.created";
  e.payload = {{"scan_id", 7}, {"store", "demo"}};
  e.created_at = FromUnixMillis(1764633600123);
  const auto body = nlohmann::json::parse(DeliveryBody(e, 3));
  EXPECT_EQ(body, nlohmann::json::parse(R"({"webhook_id": 3, "event_id": 42,
      "type": "scan.created", "created_at": "2025-12-02T00:00:00.123Z",
      "data": {"scan_id": 7, "store": "demo"}})"));
}

}  // namespace
}  // namespace vs::webhooks
