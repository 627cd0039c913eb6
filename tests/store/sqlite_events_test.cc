// Event payloads: ids and a few fields, never whole records, so the event log keeps no data of
// deleted records; and migration 7, which rewrites payloads stored in the old whole-record form.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "backends.h"
#include "store/json.h"
#include "test_util.h"

namespace vs::store {
namespace {

using nlohmann::json;
using testing::Det;
using testing::ExecRaw;
using testing::Scan;
using testing::TempDir;

constexpr int64_t kT0 = 1795824000000;

class EventPayloadTest : public testing::BackendTest {};
VS_STORE_BACKENDS(EventPayloadTest);

std::vector<Event> AllEvents(Store& s) {
  auto events = s.EventsAfter(0, 10000);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  return events.ok() ? *events : std::vector<Event>{};
}

std::set<std::string> Keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

// The only payload shapes an event may have.
void ExpectSmall(const Event& e) {
  const std::map<std::string, std::set<std::string>> kShapes = {
      {"scan.created", {"scan_id", "store", "shelf_location", "detections_count", "captured_at"}},
      {"planogram.changed", {"planogram_id", "action", "planogram_name"}},
      {"product.changed", {"product_id", "class_name"}},
      {"model.changed", {"model_id", "is_active"}},
      {"discrepancies.changed", {"planogram_name", "count"}},
  };
  auto it = kShapes.find(e.type);
  ASSERT_NE(it, kShapes.end()) << e.type;
  EXPECT_EQ(Keys(e.payload), it->second) << e.type << " " << e.payload.dump();
}

Planogram NewPlanogram() {
  Planogram p;
  p.planogram_name = "endcap";
  p.sku = "SKU-PLANO-7731";
  p.product_name = "Plano Orange Juice";
  p.shelf_location = "A1";
  p.expected_count = 6;
  p.meta_data = {{"note", "meta-secret-42"}};
  return p;
}

TEST_P(EventPayloadTest, EveryMutationRecordsIdsAndAFewFields) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto product = s->UpsertProduct({0, "cup", "SKU-CUP", "Cup", "Acme"});
  ASSERT_TRUE(product.ok());
  auto scan = s->InsertScan(Scan("s1", "A1", kT0, {Det("cup", 0.9), Det("bottle", 0.7)}));
  ASSERT_TRUE(scan.ok());
  auto planogram = s->CreatePlanogram(NewPlanogram());
  ASSERT_TRUE(planogram.ok());
  ModelVersion m;
  m.version_name = "nanodet-v1";
  m.is_active = true;
  auto model = s->UpsertModel(m);
  ASSERT_TRUE(model.ok());
  ModelMetrics mm;
  mm.model_version_id = model->id;
  mm.map50 = 0.5;
  ASSERT_TRUE(s->AddModelMetrics(mm).ok());

  auto events = AllEvents(*s);
  ASSERT_EQ(events.size(), 5u);
  for (const auto& e : events) ExpectSmall(e);
  EXPECT_EQ(events[0].payload, (json{{"product_id", product->id}, {"class_name", "cup"}}));
  EXPECT_EQ(events[1].payload, (json{{"scan_id", scan->id},
                                     {"store", "s1"},
                                     {"shelf_location", "A1"},
                                     {"detections_count", 2},
                                     {"captured_at", FormatIso8601(FromUnixMillis(kT0))}}));
  EXPECT_EQ(
      events[2].payload,
      (json{{"planogram_id", planogram->id}, {"action", "created"}, {"planogram_name", "endcap"}}));
  EXPECT_EQ(events[3].payload, (json{{"model_id", model->id}, {"is_active", true}}));
  EXPECT_EQ(events[4].payload, (json{{"model_id", model->id}, {"is_active", true}}));
}

TEST_P(EventPayloadTest, RecordEventStoresAndDeliversAnEventWithNoOtherChange) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  std::vector<Event> heard;
  s->SetCommitListener([&heard](const Event& e) { heard.push_back(e); });
  const json payload = {{"model_id", 7}, {"version_name", "v7"}, {"previous_id", nullptr}};
  auto e = s->RecordEvent("model.activated", payload);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_GT(e->id, 0);
  EXPECT_EQ(*s->LastEventId(), e->id);
  auto events = AllEvents(*s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "model.activated");
  EXPECT_EQ(events[0].payload, payload);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].id, e->id);
  EXPECT_EQ(s->RecordEvent("", payload).status().code(), Code::kInvalidValue);
  EXPECT_EQ(AllEvents(*s).size(), 1u);
}

TEST_P(EventPayloadTest, ADeletedPlanogramLeavesNoSkuOrProductNameInTheEventLog) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto created = s->CreatePlanogram(NewPlanogram());
  ASSERT_TRUE(created.ok());
  Planogram upd = *created;
  upd.expected_count = 9;
  ASSERT_TRUE(s->UpdatePlanogram(upd).ok());
  ASSERT_TRUE(s->DeletePlanogram(created->id).ok());
  auto events = AllEvents(*s);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(
      events[2].payload,
      (json{{"planogram_id", created->id}, {"action", "deleted"}, {"planogram_name", "endcap"}}));
  for (const auto& e : events) {
    const std::string text = e.payload.dump();
    EXPECT_EQ(text.find("SKU-PLANO-7731"), std::string::npos) << text;
    EXPECT_EQ(text.find("Plano Orange Juice"), std::string::npos) << text;
    EXPECT_EQ(text.find("meta-secret-42"), std::string::npos) << text;
  }
}

// SQL text literal.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool InsertRawEvent(const std::string& path, const std::string& type, const json& payload) {
  return ExecRaw(path, "INSERT INTO events(type, payload, created_at) VALUES (" + Quote(type) +
                           ", " + Quote(payload.dump()) + ", " + std::to_string(kT0) + ")");
}

TEST(SqliteEventPayloadTest, Migration7RewritesWholeRecordPayloadsToTheSmallForm) {
  TempDir dir;
  const std::string path = dir.File("vs.db");
  ScanRecord scan;
  Planogram kept, deleted;
  Product product;
  ModelVersion model;
  {
    auto s = testing::MustOpen(path);
    ASSERT_TRUE(s);
    product = s->UpsertProduct({0, "cup", "SKU-CUP-9", "Secret Cola", "Acme"}).value();
    scan = s->InsertScan(Scan("s1", "A1", kT0, {Det("cup", 0.9), Det("cup", 0.8)})).value();
    kept = s->CreatePlanogram(NewPlanogram()).value();
    deleted = s->CreatePlanogram(NewPlanogram()).value();
    ASSERT_TRUE(s->DeletePlanogram(deleted.id).ok());
    ModelVersion m;
    m.version_name = "nanodet-v1";
    m.model_path = "/models/private/v1.onnx";
    model = s->UpsertModel(m).value();
  }
  // The events a program before version 7 stored for the same changes (whole records).
  ASSERT_TRUE(ExecRaw(path, "DELETE FROM events"));
  ScanRecord bare = scan;
  bare.detections.clear();
  ASSERT_TRUE(InsertRawEvent(path, "product.changed", {{"product", ToJson(product)}}));
  ASSERT_TRUE(InsertRawEvent(
      path, "scan.created",
      {{"scan", ToJson(bare)}, {"classes", {{"cup", 2}}}, {"skus", {{"SKU-CUP-9", 2}}}}));
  ASSERT_TRUE(InsertRawEvent(path, "planogram.changed",
                             {{"action", "created"}, {"planogram", ToJson(kept)}}));
  ASSERT_TRUE(InsertRawEvent(path, "planogram.changed",
                             {{"action", "created"}, {"planogram", ToJson(deleted)}}));
  ASSERT_TRUE(InsertRawEvent(path, "planogram.changed",
                             {{"action", "deleted"}, {"planogram", {{"id", deleted.id}}}}));
  ASSERT_TRUE(InsertRawEvent(path, "model.changed", {{"model", ToJson(model)}}));
  ASSERT_TRUE(
      InsertRawEvent(path, "discrepancies.changed", {{"planogram_name", "endcap"}, {"count", 3}}));
  ASSERT_TRUE(ExecRaw(path, "DELETE FROM schema_migrations WHERE version = 7"));

  auto s = testing::MustOpen(path);  // applies migration 7 again
  ASSERT_TRUE(s);
  auto events = AllEvents(*s);
  ASSERT_EQ(events.size(), 7u);
  for (const auto& e : events) {
    ExpectSmall(e);
    const std::string text = e.payload.dump();
    for (const char* gone : {"SKU-CUP-9", "Secret Cola", "SKU-PLANO-7731", "Plano Orange Juice",
                             "meta-secret-42", "/models/private", scan.sha256.c_str()}) {
      EXPECT_EQ(text.find(gone), std::string::npos) << gone << " in " << text;
    }
  }
  EXPECT_EQ(events[0].payload, (json{{"product_id", product.id}, {"class_name", "cup"}}));
  EXPECT_EQ(events[1].payload, (json{{"scan_id", scan.id},
                                     {"store", "s1"},
                                     {"shelf_location", "A1"},
                                     {"detections_count", 2},
                                     {"captured_at", FormatIso8601(scan.captured_at)}}));
  EXPECT_EQ(events[2].payload,
            (json{{"planogram_id", kept.id}, {"action", "created"}, {"planogram_name", "endcap"}}));
  EXPECT_EQ(
      events[3].payload,
      (json{{"planogram_id", deleted.id}, {"action", "created"}, {"planogram_name", "endcap"}}));
  EXPECT_EQ(
      events[4].payload,
      (json{{"planogram_id", deleted.id}, {"action", "deleted"}, {"planogram_name", nullptr}}));
  EXPECT_EQ(events[5].payload, (json{{"model_id", model.id}, {"is_active", false}}));
  EXPECT_EQ(events[6].payload, (json{{"planogram_name", "endcap"}, {"count", 3}}));

  // Running the migration on small payloads changes nothing.
  const auto before = AllEvents(*s);
  s.reset();
  ASSERT_TRUE(ExecRaw(path, "DELETE FROM schema_migrations WHERE version = 7"));
  s = testing::MustOpen(path);
  ASSERT_TRUE(s);
  auto after = AllEvents(*s);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].payload, before[i].payload);
}

}  // namespace
}  // namespace vs::store
