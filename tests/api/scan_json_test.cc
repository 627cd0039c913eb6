#include "api/scan_json.h"

#include <gtest/gtest.h>

namespace vs::api {
namespace {

store::DetectionRecord Det(store::Id id, store::Id scan) {
  store::DetectionRecord d;
  d.id = id;
  d.scan_id = scan;
  d.class_name = "dog";
  d.sku = "dog";
  d.x_center = 0.5;
  d.y_center = 0.25;
  d.width = 0.2;
  d.height = 0.1;
  return d;
}

TEST(GroupByScan, ConsecutiveDetectionsOfAScanShareAGroup) {
  const auto groups = GroupByScan({Det(9, 3), Det(8, 3), Det(7, 2), Det(6, 1), Det(5, 1)});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0]["scan_id"], 3);
  EXPECT_EQ(groups[0]["detections_count"], 2);
  EXPECT_EQ(groups[0]["image_url"], "/api/scans/3/image");
  EXPECT_EQ(groups[1]["detections"].size(), 1u);
  EXPECT_EQ(groups[2]["detections"][1]["id"], 5);
  EXPECT_EQ(GroupByScan({}).size(), 0u);
}

TEST(DetectionWithBox, PixelBoxFromNormalisedValues) {
  const auto j = DetectionWithBox(Det(1, 1), 1000, 500);
  ASSERT_EQ(j["bbox"].size(), 4u);
  EXPECT_DOUBLE_EQ(j["bbox"][0].get<double>(), 400);
  EXPECT_DOUBLE_EQ(j["bbox"][1].get<double>(), 100);
  EXPECT_DOUBLE_EQ(j["bbox"][2].get<double>(), 600);
  EXPECT_DOUBLE_EQ(j["bbox"][3].get<double>(), 150);
}

}  // namespace
}  // namespace vs::api
