#include "compliance/settings.h"

#include <gtest/gtest.h>

namespace vs::compliance {
namespace {

using nlohmann::json;

TEST(SettingsTest, Defaults) {
  const Settings s;
  EXPECT_DOUBLE_EQ(s.low_stock_share, 0.5);
  EXPECT_EQ(s.overstock_tolerance, 0);
  EXPECT_DOUBLE_EQ(s.row_overlap, 0.5);
  EXPECT_DOUBLE_EQ(s.min_gap_facings, 1.0);
  EXPECT_DOUBLE_EQ(s.slot_min_iou, 0.1);
  EXPECT_DOUBLE_EQ(s.slot_max_distance, 0.1);
  EXPECT_FALSE(s.counted_confidence.has_value());
  EXPECT_TRUE(ValidateSettings(s).ok());
}

TEST(SettingsTest, CountedConfidenceDefaultsToTheModelThreshold) {
  Settings s;
  s.model_confidence_threshold = 0.4;
  EXPECT_DOUBLE_EQ(s.CountedConfidence(), 0.4);
  s.counted_confidence = 0.6;
  EXPECT_DOUBLE_EQ(s.CountedConfidence(), 0.6);
}

TEST(SettingsTest, MergeAppliesEveryKey) {
  Settings base;
  base.model_confidence_threshold = 0.3;
  auto s = MergeSettings(base, json{{"counted_confidence", 0.5},
                                    {"low_stock_share", 0.75},
                                    {"overstock_tolerance", 2},
                                    {"row_overlap", 0.3},
                                    {"min_gap_facings", 1.5},
                                    {"slot_min_iou", 0.2},
                                    {"slot_max_distance", 0.05}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->CountedConfidence(), 0.5);
  EXPECT_DOUBLE_EQ(s->low_stock_share, 0.75);
  EXPECT_EQ(s->overstock_tolerance, 2);
  EXPECT_DOUBLE_EQ(s->row_overlap, 0.3);
  EXPECT_DOUBLE_EQ(s->min_gap_facings, 1.5);
  EXPECT_DOUBLE_EQ(s->slot_min_iou, 0.2);
  EXPECT_DOUBLE_EQ(s->slot_max_distance, 0.05);
  EXPECT_DOUBLE_EQ(s->model_confidence_threshold, 0.3);
}

TEST(SettingsTest, MergeKeepsUnnamedKeysAndNullChangesNothing) {
  Settings base;
  base.low_stock_share = 0.6;
  auto s = MergeSettings(base, json{{"overstock_tolerance", 1}});
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->low_stock_share, 0.6);
  auto n = MergeSettings(base, json(nullptr));
  ASSERT_TRUE(n.ok());
  EXPECT_DOUBLE_EQ(n->low_stock_share, 0.6);
  auto e = MergeSettings(base, json::object());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(SettingsToJson(*e), SettingsToJson(base));
}

TEST(SettingsTest, NullCountedConfidenceFallsBackToTheModel) {
  Settings base;
  base.counted_confidence = 0.9;
  auto s = MergeSettings(base, json{{"counted_confidence", nullptr}});
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->CountedConfidence(), base.model_confidence_threshold);
}

TEST(SettingsTest, RoundTripsThroughJson) {
  Settings base;
  base.low_stock_share = 0.25;
  base.overstock_tolerance = 3;
  auto s = MergeSettings(Settings{}, SettingsToJson(base));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(SettingsToJson(*s), SettingsToJson(base));
}

struct BadCase {
  const char* what;
  json overrides;
  const char* message_part;
};

TEST(SettingsTest, RefusesBadOverrides) {
  const BadCase cases[] = {
      {"not an object", json::array({1}), "JSON object"},
      {"a string", json("x"), "JSON object"},
      {"unknown key", json{{"low_stock", 0.5}}, "unknown compliance setting 'low_stock'"},
      {"model threshold is not per planogram", json{{"model_confidence_threshold", 0.1}},
       "unknown"},
      {"string value", json{{"low_stock_share", "0.5"}}, "'low_stock_share' must be a number"},
      {"share above 1", json{{"low_stock_share", 1.01}}, "'low_stock_share'"},
      {"share below 0", json{{"low_stock_share", -0.01}}, "'low_stock_share'"},
      {"confidence above 1", json{{"counted_confidence", 1.5}}, "'counted_confidence'"},
      {"tolerance negative", json{{"overstock_tolerance", -1}}, "'overstock_tolerance'"},
      {"tolerance fractional", json{{"overstock_tolerance", 1.5}}, "'overstock_tolerance'"},
      {"tolerance huge", json{{"overstock_tolerance", 10'000'000}}, "'overstock_tolerance'"},
      {"overlap zero", json{{"row_overlap", 0}}, "'row_overlap'"},
      {"overlap above 1", json{{"row_overlap", 1.2}}, "'row_overlap'"},
      {"gap zero", json{{"min_gap_facings", 0}}, "'min_gap_facings'"},
      {"gap negative", json{{"min_gap_facings", -1}}, "'min_gap_facings'"},
      {"iou zero", json{{"slot_min_iou", 0.0}}, "'slot_min_iou'"},
      {"distance zero", json{{"slot_max_distance", 0}}, "'slot_max_distance'"},
      {"distance above 2", json{{"slot_max_distance", 2.5}}, "'slot_max_distance'"},
      {"bool value", json{{"row_overlap", true}}, "'row_overlap' must be a number"},
  };
  const Settings base;
  for (const BadCase& c : cases) {
    auto s = MergeSettings(base, c.overrides);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.status().code(), Code::kInvalidValue) << c.what;
    EXPECT_NE(s.status().message().find(c.message_part), std::string::npos)
        << c.what << ": " << s.status().message();
  }
}

TEST(SettingsTest, BoundaryValuesAreAccepted) {
  const json ok[] = {
      {{"low_stock_share", 0}},    {{"low_stock_share", 1}},     {{"counted_confidence", 0}},
      {{"counted_confidence", 1}}, {{"overstock_tolerance", 0}}, {{"row_overlap", 1}},
      {{"slot_min_iou", 1}},       {{"slot_max_distance", 2}},   {{"min_gap_facings", 0.01}},
  };
  for (const json& o : ok) EXPECT_TRUE(MergeSettings(Settings{}, o).ok()) << o.dump();
}

TEST(SettingsTest, ValidateRefusesADirectlyBuiltBadValue) {
  Settings s;
  s.model_confidence_threshold = 2;
  EXPECT_EQ(ValidateSettings(s).code(), Code::kInvalidValue);
  s = Settings{};
  s.overstock_tolerance = -3;
  EXPECT_EQ(ValidateSettings(s).code(), Code::kInvalidValue);
}

}  // namespace
}  // namespace vs::compliance
