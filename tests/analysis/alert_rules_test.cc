// Alert rules: when a condition becomes pending, open, resolved or dropped, table-driven.
#include "analysis/alert_rules.h"

#include <gtest/gtest.h>

namespace vs::analysis {
namespace {

store::ScanRecord ScanAt(store::Id id, int64_t minute) {
  store::ScanRecord s;
  s.id = id;
  s.store = "north";
  s.shelf_location = "A1";
  s.captured_at = FromUnixMillis(minute * 60'000);
  return s;
}

Condition Oos(const std::string& sku) {
  return {"OUT_OF_STOCK", "p", sku, nlohmann::json::object()};
}

// Applies the plan as the store would (ids for new alerts, drops removed) and returns the state.
std::vector<store::Alert> Apply(std::vector<store::Alert> state, const AlertPlan& plan,
                                store::Id* next_id) {
  for (store::Id id : plan.dropped) {
    std::erase_if(state, [&](const store::Alert& a) { return a.id == id; });
  }
  for (store::Alert a : plan.alerts) {
    if (a.id == 0) {
      a.id = ++*next_id;
      state.push_back(a);
    } else {
      for (auto& s : state) {
        if (s.id == a.id) s = a;
      }
    }
  }
  std::erase_if(state, [](const store::Alert& a) { return a.status == "resolved"; });
  return state;
}

struct Step {
  int64_t minute;
  bool shows;          // the scan shows OUT_OF_STOCK for SKU "A"
  const char* status;  // the alert's status after it ("" = no alert)
};

void Replay(const AlertRules& rules, const std::vector<Step>& steps) {
  std::vector<store::Alert> state;
  store::Id next = 0;
  store::Id scan = 0;
  for (const Step& step : steps) {
    std::vector<Condition> now;
    if (step.shows) now.push_back(Oos("A"));
    const AlertPlan plan = PlanAlerts(state, now, {"p"}, ScanAt(++scan, step.minute), rules);
    std::string status;
    for (const auto& a : plan.alerts) status = a.status;
    state = Apply(state, plan, &next);
    if (status.empty() && !state.empty()) status = state.front().status;
    EXPECT_EQ(status, step.status) << "scan " << scan << " at minute " << step.minute;
  }
}

TEST(AlertRules, DefaultRaisesOnTheFirstScanAndResolvesWhenTheConditionEnds) {
  Replay({}, {{0, true, "open"}, {1, true, "open"}, {2, false, "resolved"}, {3, false, ""}});
}

TEST(AlertRules, ThreeConsecutiveScans) {
  Replay({.scans = 3}, {{0, true, "pending"},
                        {1, true, "pending"},
                        {2, false, ""},  // the pending alert is dropped, never raised
                        {3, true, "pending"},
                        {4, true, "pending"},
                        {5, true, "open"},
                        {6, true, "open"},
                        {7, false, "resolved"}});
}

TEST(AlertRules, MinutesAlone) {
  Replay({.scans = 0, .minutes = 10},
         {{0, true, "pending"}, {9, true, "pending"}, {10, true, "open"}, {12, false, "resolved"}});
}

TEST(AlertRules, ScansOrMinutesWhicheverFirst) {
  Replay({.scans = 5, .minutes = 10}, {{0, true, "pending"}, {11, true, "open"}});
}

TEST(AlertRules, NeverRaisedTwiceAndOtherPlanogramsUntouched) {
  store::Alert open;
  open.id = 7;
  open.type = "GAP";
  open.planogram_name = "other";
  open.status = "open";
  open.scans = 4;
  const AlertPlan plan = PlanAlerts({open}, {}, {"p"}, ScanAt(1, 0), {});
  EXPECT_TRUE(plan.alerts.empty());
  EXPECT_TRUE(plan.dropped.empty());
  const AlertPlan again =
      PlanAlerts({open}, {{"GAP", "other", "", {}}}, {"other"}, ScanAt(2, 1), {});
  ASSERT_EQ(again.alerts.size(), 1u);
  EXPECT_EQ(again.alerts[0].id, 7);
  EXPECT_EQ(again.alerts[0].status, "open");
  EXPECT_EQ(again.alerts[0].scans, 5);
}

TEST(AlertRules, AcknowledgedAlertsResolveToo) {
  store::Alert a;
  a.id = 3;
  a.type = "OUT_OF_STOCK";
  a.planogram_name = "p";
  a.sku = "A";
  a.status = "acknowledged";
  const AlertPlan plan = PlanAlerts({a}, {}, {"p"}, ScanAt(9, 5), {});
  ASSERT_EQ(plan.alerts.size(), 1u);
  EXPECT_EQ(plan.alerts[0].status, "resolved");
  EXPECT_EQ(plan.alerts[0].resolved_scan_id, 9);
}

TEST(AlertRules, ConditionsOfAResult) {
  compliance::ShelfAnalysis a;
  a.skus.push_back({.sku = "A", .status = compliance::SkuStatus::kOutOfStock, .expected = 2});
  a.skus.push_back(
      {.sku = "B", .status = compliance::SkuStatus::kLowStock, .expected = 4, .detected = 1});
  a.skus.push_back({.sku = "C", .status = compliance::SkuStatus::kOk});
  a.skus.push_back({.sku = "D", .status = compliance::SkuStatus::kMisplaced});
  a.skus.push_back({.sku = "E", .status = compliance::SkuStatus::kUnexpected});
  a.gaps.push_back({.shelf_row = 0, .facings = 1.5});
  const auto c = ConditionsOf("p", a);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].type, "OUT_OF_STOCK");
  EXPECT_EQ(c[1].type, "LOW_STOCK");
  EXPECT_EQ(c[1].detail["detected"], 1);
  EXPECT_EQ(c[2].type, "MISPLACED");
  EXPECT_EQ(c[3].type, "GAP");
  EXPECT_EQ(c[3].sku, "");
}

TEST(AlertRules, APlanogramsOwnRulesOverrideTheServers) {
  AlertPolicy policy({.scans = 1});
  policy.by_planogram["slow"] = {.scans = 3};
  const std::vector<Condition> shown = {{"OUT_OF_STOCK", "slow", "A", {}},
                                        {"OUT_OF_STOCK", "fast", "A", {}}};
  const AlertPlan plan = PlanAlerts({}, shown, {"slow", "fast"}, ScanAt(1, 0), policy);
  ASSERT_EQ(plan.alerts.size(), 2u);
  EXPECT_EQ(plan.alerts[0].planogram_name, "slow");
  EXPECT_EQ(plan.alerts[0].status, "pending");
  EXPECT_EQ(plan.alerts[1].planogram_name, "fast");
  EXPECT_EQ(plan.alerts[1].status, "open");
}

store::Alert OpenAlert(store::Id id, store::Id last_scan, int64_t last_minute) {
  store::Alert a;
  a.id = id;
  a.type = "OUT_OF_STOCK";
  a.planogram_name = "p";
  a.sku = "A";
  a.status = "open";
  a.scans = 2;
  a.last_scan_id = last_scan;
  a.last_seen_at = FromUnixMillis(last_minute * 60'000);
  return a;
}

TEST(AlertRules, AScanOlderThanTheNewestResultChangesNoAlert) {
  store::ShelfAlertState state;
  state.active = {OpenAlert(4, 20, 10)};
  state.newest_result["p"] = FromUnixMillis(10 * 60'000);
  // Scan 15 (minute 5) is analysed after scan 20 (minute 10): it neither resolves the alert
  // nor starts another.
  auto stale = PlanShelfAlerts(state, {{"GAP", "p", "", {}}}, {"p"}, ScanAt(15, 5), {});
  EXPECT_TRUE(stale.alerts.empty());
  EXPECT_TRUE(stale.dropped.empty());
  // A newer scan that no longer shows it resolves it.
  auto newer = PlanShelfAlerts(state, {}, {"p"}, ScanAt(21, 11), {});
  ASSERT_EQ(newer.alerts.size(), 1u);
  EXPECT_EQ(newer.alerts[0].status, "resolved");
}

TEST(AlertRules, AScanCountedAlreadyIsNotCountedAgain) {
  // Re-analysing scan 20 (POST /api/analyze) leaves the count as it was.
  const AlertPlan plan = PlanAlerts({OpenAlert(4, 20, 10)}, {Oos("A")}, {"p"}, ScanAt(20, 10), {});
  EXPECT_TRUE(plan.alerts.empty());
  const AlertPlan next = PlanAlerts({OpenAlert(4, 20, 10)}, {Oos("A")}, {"p"}, ScanAt(21, 11), {});
  ASSERT_EQ(next.alerts.size(), 1u);
  EXPECT_EQ(next.alerts[0].scans, 3);
}

TEST(AlertRules, Validation) {
  EXPECT_TRUE(ValidateAlertRules({}).ok());
  EXPECT_FALSE(ValidateAlertRules({.scans = 0, .minutes = 0}).ok());
  EXPECT_FALSE(ValidateAlertRules({.scans = -1}).ok());
}

}  // namespace
}  // namespace vs::analysis
