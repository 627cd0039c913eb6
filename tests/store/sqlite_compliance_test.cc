// The compliance group of the store, on every backend: planogram versions and imports, results with
// their history buckets (held equal to sums over the stored rows), latest state, discrepancies
// written with results, and alert writes with their events.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <thread>

#include "backends.h"

namespace vs::store {
namespace {

using testing::Scan;

class ComplianceStore : public testing::BackendTest {};

Planogram Row(const std::string& name, const std::string& sku, int expected,
              const std::string& shelf = "A1", const std::string& store = "") {
  Planogram p;
  p.planogram_name = name;
  p.sku = sku;
  p.expected_count = expected;
  p.shelf_location = shelf;
  p.store = store;
  return p;
}

ComplianceResult MakeResult(const std::string& store, const std::string& shelf, int64_t ms,
                            int planned, int compliant) {
  ComplianceResult r;
  r.store = store;
  r.shelf_location = shelf;
  r.planogram_name = "p";
  r.planogram_version = 1;
  r.captured_at = FromUnixMillis(ms);
  r.analysed_at = FromUnixMillis(ms + 1);
  r.kpis.planned_units = planned;
  r.kpis.compliant_units = compliant;
  r.kpis.stocked_skus = planned;
  r.kpis.present_skus = compliant;
  r.kpis.compliance_score =
      planned ? std::optional<double>(double(compliant) / planned) : std::nullopt;
  r.detail = {{"skus", nlohmann::json::array()}};
  return r;
}

TEST_P(ComplianceStore, EditsCreateVersionsAndOldVersionsStayReadable) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto a = s->CreatePlanogram(Row("summer", "A", 3));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->version, 1);
  auto b = s->CreatePlanogram(Row("summer", "B", 2, "A1", "north"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->version, 2);
  EXPECT_EQ(b->store, "north");
  Planogram edit = *a;
  edit.expected_count = 5;
  auto edited = s->UpdatePlanogram(edit);
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->version, 3);
  ASSERT_TRUE(s->DeletePlanogram(b->id).ok());
  EXPECT_EQ(*s->PlanogramVersionOf("summer"), 4);

  auto v2 = s->PlanogramAtVersion("summer", 2);
  ASSERT_TRUE(v2.ok());
  ASSERT_EQ(v2->size(), 2u);
  EXPECT_EQ((*v2)[0].expected_count, 3);
  EXPECT_EQ((*v2)[1].sku, "B");
  auto v4 = s->PlanogramAtVersion("summer", 0);
  ASSERT_TRUE(v4.ok());
  ASSERT_EQ(v4->size(), 1u);
  EXPECT_EQ((*v4)[0].expected_count, 5);
  EXPECT_EQ(s->PlanogramAtVersion("summer", 5).status().code(), Code::kNotFound);
  EXPECT_EQ(s->PlanogramAtVersion("winter", 0).status().code(), Code::kNotFound);

  auto history = s->ListPlanogramVersions(a->id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].action, "created");
  EXPECT_EQ((*history)[1].action, "updated");
  EXPECT_EQ((*history)[1].row.expected_count, 5);
  auto gone = s->ListPlanogramVersions(b->id);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->back().action, "deleted");
}

TEST_P(ComplianceStore, StoreFilterMatchesTheStoreAndEveryStoreRows) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->CreatePlanogram(Row("p", "A", 1, "A1", "")).ok());
  ASSERT_TRUE(s->CreatePlanogram(Row("p", "B", 1, "A1", "north")).ok());
  ASSERT_TRUE(s->CreatePlanogram(Row("p", "C", 1, "A1", "south")).ok());
  PlanogramFilter f;
  f.store = "north";
  auto rows = s->ListPlanograms(f);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].sku, "A");
  EXPECT_EQ((*rows)[1].sku, "B");
}

TEST_P(ComplianceStore, ImportReplacesWholePlanogramsOrNothing) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->CreatePlanogram(Row("p", "OLD", 1)).ok());
  ASSERT_TRUE(s->CreatePlanogram(Row("q", "KEEP", 1)).ok());
  auto bad = s->ImportPlanograms({Row("p", "A", 1), Row("p", "B", -1)});
  EXPECT_EQ(bad.status().code(), Code::kInvalidValue);
  EXPECT_EQ(s->ListPlanograms({})->size(), 2u);

  auto done = s->ImportPlanograms({Row("p", "A", 1), Row("p", "B", 2)});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->rows, 2);
  EXPECT_EQ(done->removed, 1);
  EXPECT_EQ(done->versions.at("p"), 2);
  auto all = s->ListPlanograms({});
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(*s->PlanogramVersionOf("q"), 1);
  EXPECT_EQ(s->PlanogramAtVersion("p", 1)->front().sku, "OLD");

  PageRequest req{.limit = 2};
  auto first = s->ListPlanogramPage({}, req);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(first->next_cursor);
  req.cursor = first->next_cursor;
  auto second = s->ListPlanogramPage({}, req);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_FALSE(second->next_cursor);
  EXPECT_GT(second->items[0].id, first->items[1].id);
}

TEST_P(ComplianceStore, ProductImportIsAllOrNothing) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->UpsertProduct({0, "dog", "D-1", "Dog", "Acme"}).ok());
  auto clash = s->ImportProducts({{0, "cat", "C-1", "", ""}, {0, "cow", "D-1", "", ""}});
  EXPECT_EQ(clash.status().code(), Code::kConflict);
  EXPECT_EQ(s->ListProducts()->size(), 1u);
  auto ok = s->ImportProducts({{0, "cat", "C-1", "Cat", ""}, {0, "dog", "D-2", "Dog", "Acme"}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].sku, "D-2");
}

// History buckets equal plain sums over the stored rows, on random results.
TEST_P(ComplianceStore, HistoryEqualsSumsOfTheStoredResults) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::mt19937 rng(7);
  const int64_t t0 = 1'700'000'000'000;
  std::map<int64_t, std::pair<int64_t, int64_t>>
      expected;  // day -> (planned, compliant) of store a
  for (int i = 0; i < 60; ++i) {
    const std::string store = rng() % 2 ? "a" : "b";
    const std::string shelf = rng() % 2 ? "s1" : "s2";
    const int64_t ms = t0 + static_cast<int64_t>(rng() % (5 * 86'400'000LL));
    auto scan = s->InsertScan(Scan(store, shelf, ms, {}));
    ASSERT_TRUE(scan.ok());
    const int planned = static_cast<int>(rng() % 10);
    const int compliant = planned ? static_cast<int>(rng() % (planned + 1)) : 0;
    ComplianceWrite w;
    w.scan_id = scan->id;
    w.store = store;
    w.shelf_location = shelf;
    w.results = {MakeResult(store, shelf, ms, planned, compliant)};
    ASSERT_TRUE(s->RecordCompliance(w).ok());
    if (store == "a") {
      auto& e = expected[ms - ms % 86'400'000];
      e.first += planned;
      e.second += compliant;
    }
  }
  ComplianceFilter f;
  f.store = "a";
  auto days = s->ComplianceHistory(f, Granularity::kDay);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), expected.size());
  size_t i = 0;
  for (const auto& [day, sums] : expected) {
    EXPECT_EQ(ToUnixMillis((*days)[i].start), day);
    EXPECT_EQ((*days)[i].planned_units, sums.first);
    EXPECT_EQ((*days)[i].compliant_units, sums.second);
    ++i;
  }
  // Latest: one row per (store, shelf, planogram), the newest; the kept latest rows equal the
  // plain query over the history (a time window takes that path).
  auto latest = s->LatestCompliance({});
  ASSERT_TRUE(latest.ok());
  ComplianceFilter window;
  window.start = FromUnixMillis(0);
  auto plain = s->LatestCompliance(window);
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain->size(), latest->size());
  for (size_t k = 0; k < latest->size(); ++k) EXPECT_EQ((*plain)[k].id, (*latest)[k].id);
  EXPECT_LE(latest->size(), 4u);
  for (const auto& r : *latest) {
    ComplianceFilter same;
    same.store = r.store;
    same.shelf_location = r.shelf_location;
    auto page = s->ListComplianceResults(same, {.limit = 1});
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->items.front().id, r.id);
  }
}

TEST_P(ComplianceStore, RecordingWritesDiscrepanciesAndAlertEvents) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::vector<Event> events;
  s->SetCommitListener([&](const Event& e) { events.push_back(e); });
  auto row = s->CreatePlanogram(Row("p", "A", 2));
  ASSERT_TRUE(row.ok());
  auto scan = s->InsertScan(Scan("north", "A1", 1000, {}));
  ASSERT_TRUE(scan.ok());

  ComplianceWrite w;
  w.scan_id = scan->id;
  w.store = "north";
  w.shelf_location = "A1";
  w.results = {MakeResult("north", "A1", 1000, 1, 0)};
  w.planogram_names = {"p"};
  Discrepancy d;
  d.planogram_id = row->id;
  d.sku = "A";
  d.shelf_location = "A1";
  d.discrepancy_type = "missing";
  d.expected_count = 2;
  w.discrepancies = {d};
  Alert a;
  a.type = "OUT_OF_STOCK";
  a.store = "north";
  a.shelf_location = "A1";
  a.planogram_name = "p";
  a.sku = "A";
  a.status = "open";
  a.scans = 1;
  a.first_seen_at = a.last_seen_at = FromUnixMillis(1000);
  a.raised_at = a.first_seen_at;
  a.first_scan_id = a.last_scan_id = scan->id;
  w.alerts = {a};
  events.clear();
  auto stored = s->RecordCompliance(w);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "alert.raised");
  EXPECT_EQ(events[0].payload["sku"], "A");
  EXPECT_EQ(events[1].type, "compliance.updated");
  EXPECT_EQ(events[1].payload["scan_id"], scan->id);

  auto listed = s->ListDiscrepancies(std::string("p"), std::nullopt, std::string("missing"), 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].store, "north");
  // A second recording replaces the shelf's discrepancies rather than adding to them.
  w.alerts.clear();
  ASSERT_TRUE(s->RecordCompliance(w).ok());
  EXPECT_EQ(s->ListDiscrepancies(std::nullopt, std::nullopt, std::nullopt, 10)->size(), 1u);
  // The same condition cannot be open twice.
  w.alerts = {a};
  EXPECT_EQ(s->RecordCompliance(w).status().code(), Code::kConflict);

  auto open = s->ListAlerts({}, {});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->items.size(), 1u);
  const Id id = open->items[0].id;
  events.clear();
  auto acked = s->AcknowledgeAlert(id, "alice", "on it");
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked->status, "acknowledged");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "alert.acknowledged");
  EXPECT_EQ(s->AcknowledgeAlert(id, "bob", "").status().code(), Code::kConflict);
  EXPECT_EQ(s->AcknowledgeAlert(id + 100, "bob", "").status().code(), Code::kNotFound);

  Alert done = *acked;
  done.status = "resolved";
  done.resolved_at = FromUnixMillis(2000);
  w.alerts = {done};
  events.clear();
  ASSERT_TRUE(s->RecordCompliance(w).ok());
  EXPECT_EQ(events[0].type, "alert.resolved");
  AlertFilter resolved;
  resolved.statuses = {"resolved"};
  EXPECT_EQ(s->ListAlerts(resolved, {})->items.size(), 1u);
  EXPECT_EQ(s->ListAlerts({.statuses = {"closed"}}, {}).status().code(), Code::kInvalidValue);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM compliance_results"), 1);
}

// Two instances changing the same planogram at once (two servers on one database) still number
// its versions one after the other: every change gets its own version, none is lost.
TEST_P(ComplianceStore, ConcurrentChangesFromTwoInstancesGetDistinctVersions) {
  auto one = OpenStore();
  auto two = OpenStore();
  ASSERT_TRUE(one && two);
  constexpr int kEach = 15;
  std::vector<int> versions[2];
  auto writer = [&](Store* s, std::vector<int>* out) {
    const std::string store = out == &versions[0] ? "n" : "s";
    for (int i = 0; i < kEach; ++i) {
      if (i % 5 == 4) {  // an import of this instance's store rows now and then
        auto r = s->ImportPlanograms({Row("p", "I" + std::to_string(i), 1, "A1", store)});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        out->push_back(r->versions.at("p"));
      } else {
        auto r = s->CreatePlanogram(Row("p", "S" + std::to_string(i), 1));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        out->push_back(r->version);
      }
    }
  };
  std::thread a(writer, one.get(), &versions[0]);
  std::thread b(writer, two.get(), &versions[1]);
  a.join();
  b.join();
  std::set<int> all(versions[0].begin(), versions[0].end());
  all.insert(versions[1].begin(), versions[1].end());
  EXPECT_EQ(all.size(), 2u * kEach);
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), 2 * kEach);
  EXPECT_EQ(*one->PlanogramVersionOf("p"), 2 * kEach);
}

// Latest results and alerts order text by bytes on every backend (as SQLite compares), not by
// a locale's collation.
TEST_P(ComplianceStore, LatestResultsAreInByteOrderOfStoreNames) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  int64_t ms = 1'700'000'000'000;
  for (const std::string store : {"b", "B", "a", "_x"}) {
    auto scan = s->InsertScan(Scan(store, "A1", ++ms, {}));
    ASSERT_TRUE(scan.ok());
    ComplianceWrite w;
    w.scan_id = scan->id;
    w.store = store;
    w.shelf_location = "A1";
    w.results = {MakeResult(store, "A1", ms, 2, 1)};
    ASSERT_TRUE(s->RecordCompliance(w).ok());
  }
  auto latest = s->LatestCompliance({});
  ASSERT_TRUE(latest.ok());
  std::vector<std::string> stores;
  for (const auto& r : *latest) stores.push_back(r.store);
  EXPECT_EQ(stores, (std::vector<std::string>{"B", "_x", "a", "b"}));
}

VS_STORE_BACKENDS(ComplianceStore);

}  // namespace
}  // namespace vs::store
