#include "api/csv.h"

#include <gtest/gtest.h>

namespace vs::api {
namespace {

TEST(Csv, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  // Formula injection (OWASP): neutralised with a leading apostrophe, quoted.
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvField("+1"), "\"'+1\"");
  EXPECT_EQ(CsvField("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(CsvField("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(CsvField("\tcmd"), "\"'\tcmd\"");
  EXPECT_EQ(CsvField("\rcmd"), "\"'\rcmd\"");
  EXPECT_EQ(CsvField("a=b"), "a=b");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(Csv, RowMatchesHeaderColumns) {
  store::DetectionRecord d;
  d.id = 7;
  d.scan_id = 3;
  d.timestamp = FromUnixMillis(1'767'600'000'000);
  d.store = "north, east";
  d.shelf_location = "A1";
  d.sku = "SKU-1";
  d.class_name = "bottle";
  d.class_id = 39;
  d.confidence = 0.5;
  d.x_center = 0.25;
  d.y_center = 0.75;
  d.width = 0.1;
  d.height = 0.2;
  d.image_path = "images/2026/01/05/x.jpg";
  EXPECT_EQ(
      DetectionCsvRow(d),
      "7,3," + FormatIso8601(d.timestamp) +
          ",\"north, east\",A1,SKU-1,bottle,39,0.5,0.25,0.75,0.1,0.2,images/2026/01/05/x.jpg\r\n");
  EXPECT_EQ(DetectionsCsvHeader(),
            "id,scan_id,timestamp,store,shelf_location,sku,class_name,class_id,confidence,x_center,"
            "y_center,width,height,image_path\r\n");
}

}  // namespace
}  // namespace vs::api
