// The compliance service on a real store (SQLite and PostgreSQL): planogram rows (slots, settings
// overrides, store scoping) -> engine -> stored results, discrepancies and alerts; the bounded
// queue.
#include "analysis/analyzer.h"

#include <gtest/gtest.h>

#include <thread>

#include "../store/backends.h"
#include "analysis/inputs.h"

namespace vs::analysis {
namespace {

store::Planogram Row(const std::string& sku, int expected,
                     nlohmann::json meta = nlohmann::json::object(), const std::string& store = "",
                     const std::string& shelf = "A1") {
  store::Planogram p;
  p.planogram_name = "cola";
  p.sku = sku;
  p.expected_count = expected;
  p.shelf_location = shelf;
  p.store = store;
  p.meta_data = std::move(meta);
  return p;
}

store::NewDetection Box(const std::string& cls, double x, double conf = 0.9) {
  store::NewDetection d;
  d.class_name = cls;
  d.confidence = conf;
  d.x_center = x;
  d.y_center = 0.5;
  d.width = 0.2;
  d.height = 0.4;
  return d;
}

class AnalyzerTest : public store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    store_ = OpenStore();
    ASSERT_TRUE(store_);
  }
  store::Id AddScan(const std::string& store, std::vector<store::NewDetection> dets,
                    int64_t ms = 1'700'000'000'000) {
    auto s = store_->InsertScan(store::testing::Scan(store, "A1", ms, std::move(dets)));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->id : 0;
  }
  std::unique_ptr<store::Store> store_;
};

TEST_P(AnalyzerTest, SlotsStatusesDiscrepanciesAndAlerts) {
  // Two slots side by side; the right one holds the wrong product.
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 1, {{"slot", {0.0, 0.3, 0.25, 0.7}}})).ok());
  ASSERT_TRUE(store_->CreatePlanogram(Row("FANTA", 1, {{"slot", {0.25, 0.3, 0.5, 0.7}}})).ok());
  ASSERT_TRUE(store_->CreatePlanogram(Row("SPRITE", 2)).ok());
  const store::Id scan = AddScan("north", {Box("COLA", 0.125), Box("COLA", 0.375)});
  Analyzer analyzer(store_.get(), {});
  auto done = analyzer.AnalyzeScan(scan);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_EQ(done->results.size(), 1u);
  const store::ComplianceResult& r = done->results[0];
  EXPECT_GT(r.id, 0);
  EXPECT_EQ(r.planogram_version, 3);
  const auto& skus = r.detail["skus"];
  ASSERT_EQ(skus.size(), 3u);
  EXPECT_EQ(skus[0]["status"], "OVERSTOCK");  // COLA: 2 of 1
  EXPECT_EQ(skus[1]["status"], "OUT_OF_STOCK");
  EXPECT_EQ(skus[2]["status"], "OUT_OF_STOCK");
  const auto& slots = r.detail["slots"];
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0]["status"], "OK");
  EXPECT_EQ(slots[1]["status"], "MISPLACED");
  EXPECT_EQ(slots[1]["found_sku"], "COLA");
  EXPECT_EQ(r.kpis.planned_units, 3);  // two slots + SPRITE (count only)
  EXPECT_EQ(r.kpis.compliant_units, 1);
  ASSERT_EQ(done->discrepancies.size(), 3u);
  EXPECT_EQ(done->discrepancies[1].discrepancy_type, "missing");
  EXPECT_EQ(done->discrepancies[1].sku, "FANTA");

  auto alerts = store_->ListAlerts({}, {});
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->items.size(), 2u);  // FANTA and SPRITE out of stock
  for (const auto& a : alerts->items) {
    EXPECT_EQ(a.type, "OUT_OF_STOCK");
    EXPECT_EQ(a.status, "open");
  }

  // The next scan has everything in place: both alerts resolve, none is raised again.
  const store::Id full =
      AddScan("north",
              {Box("COLA", 0.125), Box("FANTA", 0.375), Box("SPRITE", 0.625), Box("SPRITE", 0.875)},
              1'700'000'060'000);
  auto next = analyzer.AnalyzeScan(full);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(next->results[0].compliant);
  EXPECT_TRUE(next->discrepancies.empty());
  store::AlertFilter resolved;
  resolved.statuses = {"resolved"};
  EXPECT_EQ(store_->ListAlerts(resolved, {})->items.size(), 2u);
  EXPECT_TRUE(store_->ListAlerts({.statuses = {"open"}}, {})->items.empty());
}

TEST_P(AnalyzerTest, CountedConfidenceDefaultsToTheModelThresholdAndPlanogramsOverrideIt) {
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 1)).ok());
  const store::Id scan = AddScan("north", {Box("COLA", 0.5, 0.4)});
  Analyzer strict(store_.get(), {.model_confidence_threshold = 0.5});
  auto a = strict.AnalyzeScan(scan);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->results[0].detail["skus"][0]["status"], "OUT_OF_STOCK");
  Analyzer loose(store_.get(), {.model_confidence_threshold = 0.3});
  auto b = loose.AnalyzeScan(scan);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->results[0].detail["skus"][0]["status"], "OK");
  // Re-analysing a scan replaces its result.
  EXPECT_EQ(store_->ListComplianceResults({}, {})->items.size(), 1u);

  auto rows = store_->ListPlanograms({});
  store::Planogram p = rows->front();
  p.meta_data = {{"compliance", {{"counted_confidence", 0.45}}}};
  ASSERT_TRUE(store_->UpdatePlanogram(p).ok());
  auto c = loose.AnalyzeScan(scan);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->results[0].detail["skus"][0]["status"], "OUT_OF_STOCK");
  EXPECT_EQ(c->results[0].detail["settings"]["counted_confidence"], 0.45);
  EXPECT_EQ(c->results[0].planogram_version, 2);
}

TEST_P(AnalyzerTest, APlanogramsAlertRulesOverrideTheServers) {
  // The server raises at once; this planogram only after two consecutive scans.
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 1, {{"compliance", {{"alert_scans", 2}}}})).ok());
  Analyzer analyzer(store_.get(), {.alerts = {.scans = 1}});
  auto first = analyzer.AnalyzeScan(AddScan("north", {}, 1'700'000'000'000));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->results[0].detail["alert_rules"]["scans"], 2);
  EXPECT_TRUE(store_->ListAlerts({.statuses = {"open"}}, {})->items.empty());
  EXPECT_EQ(store_->ListAlerts({.statuses = {"pending"}}, {})->items.size(), 1u);
  ASSERT_TRUE(analyzer.AnalyzeScan(AddScan("north", {}, 1'700'000'060'000)).ok());
  EXPECT_EQ(store_->ListAlerts({.statuses = {"open"}}, {})->items.size(), 1u);
  // Bad rules are refused, naming the planogram, and nothing is stored.
  auto rows = store_->ListPlanograms({});
  store::Planogram p = rows->front();
  p.meta_data = {{"compliance", {{"alert_scans", 0}, {"alert_minutes", 0}}}};
  ASSERT_TRUE(store_->UpdatePlanogram(p).ok());
  auto bad = analyzer.AnalyzeScan(AddScan("north", {}, 1'700'000'120'000));
  EXPECT_EQ(bad.status().code(), Code::kInvalidValue);
  EXPECT_NE(bad.status().message().find("planogram 'cola'"), std::string::npos);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM compliance_results"), 2);
}

TEST_P(AnalyzerTest, ShelfPlanogramsAreThoseOfTheScansStoreOrEveryStore) {
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 1, nlohmann::json::object(), "")).ok());
  store::Planogram south = Row("FANTA", 1, nlohmann::json::object(), "south");
  south.planogram_name = "south-only";
  ASSERT_TRUE(store_->CreatePlanogram(south).ok());
  Analyzer analyzer(store_.get(), {});
  auto north = analyzer.AnalyzeScan(AddScan("north", {Box("COLA", 0.5)}));
  ASSERT_TRUE(north.ok());
  ASSERT_EQ(north->results.size(), 1u);
  EXPECT_EQ(north->results[0].planogram_name, "cola");
  auto s = analyzer.AnalyzeScan(AddScan("south", {Box("COLA", 0.5)}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->results.size(), 2u);
  EXPECT_EQ(analyzer.AnalyzeScan(AddScan("north", {}), std::string("south-only")).status().code(),
            Code::kNotFound);
}

TEST_P(AnalyzerTest, BadInputIsRefusedAndNothingIsStored) {
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 1, {{"slot", {0.1, 0.2}}})).ok());
  Analyzer analyzer(store_.get(), {});
  auto r = analyzer.AnalyzeScan(AddScan("north", {Box("COLA", 0.5)}));
  EXPECT_EQ(r.status().code(), Code::kInvalidValue);
  EXPECT_NE(r.status().message().find("meta_data.slot"), std::string::npos);
  EXPECT_TRUE(store_->ListComplianceResults({}, {})->items.empty());
  EXPECT_EQ(analyzer.AnalyzeScan(12345).status().code(), Code::kNotFound);
  // A shelf without planogram: nothing to do, nothing stored.
  const store::Id other = store_->InsertScan(store::testing::Scan("north", "B9", 5, {}))->id;
  auto none = analyzer.AnalyzeScan(other);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->results.empty());
}

TEST_P(AnalyzerTest, QueueAnalysesCommittedScansAndDropsWhenFull) {
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 1)).ok());
  Analyzer analyzer(store_.get(), {});
  AnalysisQueue queue(&analyzer, /*capacity=*/1);
  const store::Id a = AddScan("north", {Box("COLA", 0.5)});
  const store::Id b = AddScan("north", {});
  EXPECT_TRUE(queue.Enqueue(a));
  EXPECT_FALSE(queue.Enqueue(b));  // not started: the one place is taken
  EXPECT_EQ(queue.counters().dropped, 1u);
  queue.Start();
  ASSERT_TRUE(queue.WaitIdle(std::chrono::seconds(20)));
  EXPECT_EQ(queue.counters().analysed, 1u);
  store::Event e;
  e.type = "scan.created";
  e.payload = {{"scan_id", b}};
  queue.OnEvent(e);
  ASSERT_TRUE(queue.WaitIdle(std::chrono::seconds(20)));
  EXPECT_EQ(queue.counters().analysed, 2u);
  EXPECT_EQ(store_->ListComplianceResults({}, {})->items.size(), 2u);
  queue.Stop();
  EXPECT_FALSE(queue.Enqueue(a));
}

// Two instances (two Store objects on one database, two analyzers) analysing scans of one shelf
// at the same time: every analysis is stored (none lost to a conflict over the shelf's alerts),
// there is never more than one unresolved alert per condition, and the alert state at the end is
// that of the newest scan (a scan analysed after a newer one changes no alert).
TEST_P(AnalyzerTest, TwoInstancesAnalysingOneShelfAtOnceStoreEveryAnalysis) {
  ASSERT_TRUE(store_->CreatePlanogram(Row("COLA", 2)).ok());
  auto other = OpenStore();
  ASSERT_TRUE(other);
  constexpr int kScans = 40;
  std::vector<store::Id> scans;
  for (int i = 0; i < kScans; ++i) {
    // Out of stock, then stocked, in runs of three, so that alerts keep opening and resolving.
    std::vector<store::NewDetection> dets;
    if ((i / 3) % 2 == 1) dets = {Box("COLA", 0.3), Box("COLA", 0.6)};
    scans.push_back(AddScan("north", std::move(dets), 1'700'000'000'000 + i * 60'000));
  }
  const bool last_out_of_stock = ((kScans - 1) / 3) % 2 == 0;
  Analyzer one(store_.get(), {});
  Analyzer two(other.get(), {});
  std::vector<Status> failures[2];
  auto run = [&](Analyzer* a, int parity) {
    for (int i = parity; i < kScans; i += 2) {
      auto r = a->AnalyzeScan(scans[i]);
      if (!r.ok()) failures[parity].push_back(r.status());
    }
  };
  std::thread t1(run, &one, 0);
  std::thread t2(run, &two, 1);
  t1.join();
  t2.join();
  for (const auto& f : failures) {
    for (const Status& s : f) ADD_FAILURE() << "analysis lost: " << s.ToString();
  }
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM compliance_results"), kScans);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM (SELECT type, sku FROM alerts WHERE status <> 'resolved'"
                     " GROUP BY type, sku HAVING COUNT(*) > 1) AS twice"),
            0);
  auto open = store_->ListAlerts({.statuses = {"open"}}, {});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->items.size(), last_out_of_stock ? 1u : 0u);
  if (last_out_of_stock) {
    EXPECT_EQ(open->items[0].last_scan_id, scans.back());
  }
}

VS_STORE_BACKENDS(AnalyzerTest);

TEST(Inputs, AlertRulesOfAPlanogram) {
  auto plan_of = [](nlohmann::json compliance) {
    auto plans = GroupPlanograms({Row("A", 1, {{"compliance", std::move(compliance)}})});
    EXPECT_TRUE(plans.ok());
    return plans->front();
  };
  const AlertRules server{.scans = 2, .minutes = 30};
  auto r = PlanAlertRules(plan_of({{"alert_scans", 5}, {"low_stock_share", 0.4}}), server);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scans, 5);
  EXPECT_EQ(r->minutes, 30);
  auto reset = PlanAlertRules(plan_of({{"alert_minutes", nullptr}}), server);
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->minutes, 30);
  EXPECT_FALSE(PlanAlertRules(plan_of({{"alert_scans", "3"}}), server).ok());
  EXPECT_FALSE(PlanAlertRules(plan_of({{"alert_scans", -1}}), server).ok());
  EXPECT_FALSE(PlanAlertRules(plan_of({{"alert_scans", 1.5}}), server).ok());
  // The engine's settings ignore the alert keys and keep refusing unknown ones.
  auto settings = PlanSettings(plan_of({{"alert_scans", 5}, {"low_stock_share", 0.4}}), {});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_DOUBLE_EQ(settings->low_stock_share, 0.4);
  EXPECT_FALSE(PlanSettings(plan_of({{"alert_scan", 5}}), {}).ok());
}

TEST(Inputs, GroupsRowsBySlotPositionAndExtent) {
  std::vector<store::Planogram> rows;
  rows.push_back(Row("A", 2, {{"slot", {0.1, 0.2, 0.3, 0.4}}, {"extent", {0.05, 0.95}}}));
  rows.back().id = 2;
  rows.push_back(Row("B", 1));
  rows.back().id = 1;
  rows.back().x_position = 0.5;
  rows.back().y_position = 0.6;
  rows.push_back(Row("C", 1, nlohmann::json::object(), "", "B2"));
  rows.back().id = 3;
  auto plans = GroupPlanograms(rows);
  ASSERT_TRUE(plans.ok());
  ASSERT_EQ(plans->size(), 2u);
  const auto& a1 = (*plans)[0].planogram;
  EXPECT_EQ(a1.shelf_location, "A1");
  ASSERT_EQ(a1.rows.size(), 2u);
  EXPECT_EQ(a1.rows[0].sku, "B");  // id order
  ASSERT_TRUE(a1.rows[0].position);
  EXPECT_DOUBLE_EQ(a1.rows[0].position->y, 0.6);
  ASSERT_TRUE(a1.rows[1].slot);
  EXPECT_DOUBLE_EQ(a1.rows[1].slot->x2, 0.3);
  EXPECT_DOUBLE_EQ(*a1.extent_x2, 0.95);
  rows[0].meta_data["extent"] = "wide";
  EXPECT_EQ(GroupPlanograms(rows).status().code(), Code::kInvalidValue);
}

}  // namespace
}  // namespace vs::analysis
