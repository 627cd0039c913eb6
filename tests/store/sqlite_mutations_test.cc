// Catalogue, planograms, models, discrepancies, events, the commit listener and rollback.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "backends.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::Scan;

constexpr int64_t kT0 = 1795824000000;

class MutationsTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    store_ = OpenStore();
    ASSERT_TRUE(store_);
    store_->SetCommitListener([this](const Event& e) {
      std::lock_guard<std::mutex> lock(mu_);
      heard_.push_back(e);
    });
  }
  std::vector<Event> Heard() {
    std::lock_guard<std::mutex> lock(mu_);
    return heard_;
  }
  // The newest stored event must be the one the listener heard last.
  void ExpectLastEvent(const std::string& type) {
    auto events = store_->EventsAfter(0, 10000);
    ASSERT_TRUE(events.ok());
    ASSERT_FALSE(events->empty());
    const auto heard = Heard();
    ASSERT_EQ(heard.size(), events->size());
    EXPECT_EQ(heard.back().id, events->back().id);
    EXPECT_EQ(heard.back().type, type);
    EXPECT_EQ(events->back().type, type);
    EXPECT_EQ(heard.back().payload, events->back().payload);
    EXPECT_EQ(*store_->LastEventId(), events->back().id);
  }

  std::unique_ptr<Store> store_;
  std::mutex mu_;
  std::vector<Event> heard_;
};
VS_STORE_BACKENDS(MutationsTest);

TEST_P(MutationsTest, ScanCreatedEventCarriesTheScanIdAndCount) {
  ASSERT_TRUE(store_->UpsertProduct({0, "cup", "SKU-CUP", "Cup", "Acme"}).ok());
  auto scan = store_->InsertScan(
      Scan("s1", "A1", kT0, {Det("cup", 0.9), Det("cup", 0.8), Det("bottle", 0.7)}));
  ASSERT_TRUE(scan.ok());
  ExpectLastEvent("scan.created");
  const auto heard = Heard();
  const auto& p = heard.back().payload;
  EXPECT_EQ(p["scan_id"], scan->id);
  EXPECT_EQ(p["store"], "s1");
  EXPECT_EQ(p["shelf_location"], "A1");
  EXPECT_EQ(p["detections_count"], 3);
  EXPECT_FALSE(p.contains("scan"));
  EXPECT_FALSE(p.contains("skus"));
}

TEST_P(MutationsTest, ProductUpsertAndSkuConflict) {
  auto a = store_->UpsertProduct({0, "cup", "SKU-1", "Cup", "Acme"});
  ASSERT_TRUE(a.ok());
  ExpectLastEvent("product.changed");
  EXPECT_EQ(Heard().back().payload, (nlohmann::json{{"product_id", a->id}, {"class_name", "cup"}}));
  auto b = store_->UpsertProduct({0, "cup", "SKU-2", "Cup v2", "Acme"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->id, a->id);
  auto c = store_->UpsertProduct({0, "bottle", "SKU-2", "Bottle", "Acme"});
  EXPECT_EQ(c.status().code(), Code::kConflict);
  EXPECT_EQ(Heard().size(), 2u);
  auto all = store_->ListProducts();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].sku, "SKU-2");
  EXPECT_EQ((*all)[0].product_name, "Cup v2");
}

TEST_P(MutationsTest, PlanogramCrudWithEvents) {
  Planogram p;
  p.planogram_name = "endcap";
  p.sku = "SKU-1";
  p.product_name = "Cup";
  p.shelf_location = "A1";
  p.expected_count = 6;
  p.x_position = 0.2;
  p.meta_data = {{"facings", 2}};
  auto created = store_->CreatePlanogram(p);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ExpectLastEvent("planogram.changed");
  EXPECT_EQ(Heard().back().payload["action"], "created");
  EXPECT_EQ(Heard().back().payload["planogram_id"], created->id);
  EXPECT_EQ(Heard().back().payload["planogram_name"], "endcap");

  auto got = store_->GetPlanogram(created->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->meta_data, p.meta_data);
  EXPECT_EQ(got->x_position, 0.2);
  EXPECT_FALSE(got->y_position);

  Planogram upd = *got;
  upd.expected_count = 9;
  auto updated = store_->UpdatePlanogram(upd);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->created_at, got->created_at);
  EXPECT_EQ(store_->GetPlanogram(created->id)->expected_count, 9);
  ExpectLastEvent("planogram.changed");
  EXPECT_EQ(Heard().back().payload["action"], "updated");

  PlanogramFilter f;
  f.planogram_name = "endcap";
  EXPECT_EQ(store_->ListPlanograms(f)->size(), 1u);
  f.sku = "other";
  EXPECT_EQ(store_->ListPlanograms(f)->size(), 0u);

  ASSERT_TRUE(store_->DeletePlanogram(created->id).ok());
  ExpectLastEvent("planogram.changed");
  EXPECT_EQ(Heard().back().payload, (nlohmann::json{{"planogram_id", created->id},
                                                    {"action", "deleted"},
                                                    {"planogram_name", "endcap"}}));
  EXPECT_EQ(store_->GetPlanogram(created->id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->DeletePlanogram(created->id).code(), Code::kNotFound);
  upd.id = 12345;
  EXPECT_EQ(store_->UpdatePlanogram(upd).status().code(), Code::kNotFound);
  Planogram bad = p;
  bad.expected_count = -1;
  EXPECT_EQ(store_->CreatePlanogram(bad).status().code(), Code::kInvalidValue);
  EXPECT_EQ(Heard().size(), 3u);
}

TEST_P(MutationsTest, OnlyOneModelIsActive) {
  ModelVersion a;
  a.version_name = "nanodet-v1";
  a.model_type = "nanodet";
  a.is_active = true;
  auto ra = store_->UpsertModel(a);
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ExpectLastEvent("model.changed");
  ModelVersion b = a;
  b.version_name = "nanodet-v2";
  auto rb = store_->UpsertModel(b);
  ASSERT_TRUE(rb.ok());
  EXPECT_FALSE(store_->GetModel(ra->id)->is_active);
  EXPECT_TRUE(store_->GetModel(rb->id)->is_active);
  // Re-activating the first by name updates it in place.
  a.model_path = "/models/v1.onnx";
  auto ra2 = store_->UpsertModel(a);
  ASSERT_TRUE(ra2.ok());
  EXPECT_EQ(ra2->id, ra->id);
  EXPECT_EQ(ra2->model_path, "/models/v1.onnx");
  EXPECT_EQ(ra2->created_at, ra->created_at);
  int active = 0;
  const auto models = store_->ListModels();
  ASSERT_TRUE(models.ok());
  for (const auto& m : *models) active += m.is_active ? 1 : 0;
  EXPECT_EQ(active, 1);
  EXPECT_TRUE(store_->GetModel(ra->id)->is_active);

  ModelMetrics mm;
  mm.model_version_id = ra->id;
  mm.map50 = 0.61;
  mm.num_test_images = 100;
  auto added = store_->AddModelMetrics(mm);
  ASSERT_TRUE(added.ok());
  ExpectLastEvent("model.changed");
  EXPECT_EQ(Heard().back().payload, (nlohmann::json{{"model_id", ra->id}, {"is_active", true}}));
  auto model = store_->GetModel(ra->id);
  ASSERT_EQ(model->metrics.size(), 1u);
  EXPECT_EQ(model->metrics[0].map50, 0.61);
  EXPECT_FALSE(model->metrics[0].recall);
  mm.model_version_id = 999;
  EXPECT_EQ(store_->AddModelMetrics(mm).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetModel(999).status().code(), Code::kNotFound);
}

TEST_P(MutationsTest, DiscrepanciesAreReplacedPerPlanogram) {
  Planogram p;
  p.planogram_name = "endcap";
  p.sku = "SKU-1";
  p.expected_count = 4;
  auto pg = store_->CreatePlanogram(p);
  ASSERT_TRUE(pg.ok());
  Discrepancy d;
  d.planogram_id = pg->id;
  d.sku = "SKU-1";
  d.discrepancy_type = "missing";
  d.expected_count = 4;
  auto first = store_->ReplaceDiscrepancies("endcap", {d, d});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ExpectLastEvent("discrepancies.changed");
  d.discrepancy_type = "low";
  d.detected_count = 2;
  ASSERT_TRUE(store_->ReplaceDiscrepancies("endcap", {d}).ok());
  auto list = store_->ListDiscrepancies(std::string("endcap"), std::nullopt, std::nullopt, 100);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].discrepancy_type, "low");
  EXPECT_EQ(store_->ListDiscrepancies({}, {}, std::string("missing"), 100)->size(), 0u);
  EXPECT_EQ(store_->ReplaceDiscrepancies("nope", {}).status().code(), Code::kNotFound);
}

TEST_P(MutationsTest, EventsAreOrderedAndPaged) {
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(store_->InsertScan(Scan("s", "A", kT0 + i, {Det("cup", 0.5)})).ok());
  }
  const auto heard = Heard();
  ASSERT_EQ(heard.size(), 12u);
  for (size_t i = 1; i < heard.size(); ++i) EXPECT_GT(heard[i].id, heard[i - 1].id);
  auto first = store_->EventsAfter(0, 5);
  ASSERT_EQ(first->size(), 5u);
  auto rest = store_->EventsAfter(first->back().id, 100);
  ASSERT_EQ(rest->size(), 7u);
  EXPECT_EQ(rest->front().id, first->back().id + 1);
  EXPECT_EQ(rest->back().id, *store_->LastEventId());
  EXPECT_EQ(store_->EventsAfter(rest->back().id, 10)->size(), 0u);
}

TEST_P(MutationsTest, ConcurrentWritersKeepListenerInCommitOrder) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(store_->InsertScan(Scan("s", "A", kT0 + t * 100 + i, {Det("cup", 0.5)})).ok());
        EXPECT_TRUE(store_->Summarize({}).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto heard = Heard();
  ASSERT_EQ(heard.size(), 100u);
  for (size_t i = 1; i < heard.size(); ++i) EXPECT_EQ(heard[i].id, heard[i - 1].id + 1);
  EXPECT_EQ(store_->Summarize({})->total_scans, 100);
}

// A failure after some rows of a scan were written (here: a trigger rejects the second
// detection) leaves no trace: no scan, detections, rollups or event, and no listener call.
TEST_P(MutationsTest, FailedInsertLeavesNothing) {
  ASSERT_TRUE(store_->InsertScan(Scan("s", "A", kT0, {Det("cup", 0.5)})).ok());
  const int64_t rollup_rows = QueryInt("SELECT COUNT(*) FROM rollup");
  ASSERT_TRUE(ExecSql(postgres()
                          ? "CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                            " BEGIN RAISE EXCEPTION 'no'; END $$;"
                            " CREATE TRIGGER reject_poison BEFORE INSERT ON detections FOR EACH ROW"
                            " WHEN (NEW.class_name = 'poison') EXECUTE FUNCTION reject_poison()"
                          : "CREATE TRIGGER reject_poison BEFORE INSERT ON detections "
                            "WHEN NEW.class_name = 'poison' BEGIN SELECT RAISE(ABORT, 'no'); END"));
  auto r = store_->InsertScan(
      Scan("s2", "B", kT0 + 5, {Det("apple", 0.5), Det("poison", 0.5), Det("pear", 0.5)}));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM scans"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM detections"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rollup"), rollup_rows);
  EXPECT_EQ(Heard().size(), 1u);
  EXPECT_EQ(store_->DistinctValues("store")->size(), 1u);
  // The store keeps working afterwards.
  EXPECT_TRUE(store_->InsertScan(Scan("s", "A", kT0 + 9, {Det("cup", 0.5)})).ok());
  EXPECT_EQ(Heard().size(), 2u);
}

}  // namespace
}  // namespace vs::store
