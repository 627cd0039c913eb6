// Planogram and catalogue files: the RFC 4180 reader, every validation reason with its line, and
// export -> import round trips.
#include "api/table_files.h"

#include <gtest/gtest.h>

#include "api/csv.h"

namespace vs::api {
namespace {

TEST(ParseCsv, QuotesLineBreaksAndLineNumbers) {
  auto r = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",'=1+1\n\"'=SUM(A1)\",z");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*r)[1].fields, (std::vector<std::string>{"x,1", "say \"hi\""}));
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_EQ((*r)[2].fields[0], "multi\nline");
  EXPECT_EQ((*r)[2].line, 4);
  EXPECT_EQ((*r)[2].fields[1], "=1+1");      // the apostrophe of neutralisation is dropped
  EXPECT_EQ((*r)[3].fields[0], "=SUM(A1)");  // CsvField's neutralisation undone
  EXPECT_EQ((*r)[3].line, 6);
  EXPECT_EQ(ParseCsv("a,b\"c\n").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseCsv("\"a\"b\n").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseCsv("\"open\n").status().code(), Code::kInvalidArgument);
}

TEST(PlanogramFile, EveryBadRowIsReportedWithItsLine) {
  const std::string csv =
      "planogram_name,shelf_location,sku,expected_count,x_position,y_position,slot_x1,slot_y1,"
      "slot_x2,slot_y2,colour\n"
      "p,A1,S1,-1,,,,,,,red\n"       // 2: negative
      "p,A1,S2,two,,,,,,,red\n"      // 3: bad number
      "p,A1,,1,,,,,,,red\n"          // 4: missing sku
      "p,A1,S3,1,1.5,0.5,,,,,red\n"  // 5: out of range
      "p,A1,S4,1,,,0.1,0.1,,,red\n"  // 6: partial slot
      "p,A1,S5,1,,,0.1,0.1,0.3,0.3,red\n"
      "p,A1,S6,1,,,0.1,0.1,0.3,0.3,red\n"  // 8: duplicate slot of row 6
      "p,A1,S7,1\n";                       // 9: field count
  auto f = ParsePlanogramFile(csv, TableFormat::kCsv);
  std::vector<std::pair<int, std::string>> got;
  for (const auto& e : f.errors) got.push_back({e.line, e.reason.substr(0, 20)});
  const std::vector<std::pair<int, std::string>> want = {
      {1, "unknown column 'colo"}, {2, "negative expected_co"}, {3, "bad number in 'expec"},
      {4, "missing field 'sku'"},  {5, "'x_position' must be"}, {6, "a slot needs all of "},
      {9, "has 4 fields, the he"}, {8, "duplicate slot: same"}};
  // Field-count errors are found while reading, before the rows are checked.
  std::vector<std::pair<int, std::string>> sorted_got = got, sorted_want = want;
  std::sort(sorted_got.begin(), sorted_got.end());
  std::sort(sorted_want.begin(), sorted_want.end());
  EXPECT_EQ(sorted_got, sorted_want);
}

TEST(PlanogramFile, ExportImportsBackToTheSameRows) {
  store::Planogram a;
  a.planogram_name = "p";
  a.store = "north";
  a.shelf_location = "A1";
  a.sku = "=EVIL";
  a.product_name = "Cola, 330 ml \"classic\"";
  a.expected_count = 3;
  a.x_position = 0.25;
  a.y_position = 0.5;
  a.meta_data = {{"slot", {0.1, 0.2, 0.3, 0.4}}, {"compliance", {{"low_stock_share", 0.3}}}};
  store::Planogram b;
  b.planogram_name = "p";
  b.sku = "B";
  b.expected_count = 0;
  for (TableFormat format : {TableFormat::kCsv, TableFormat::kJson}) {
    const std::string text =
        format == TableFormat::kCsv ? PlanogramsCsv({a, b}) : PlanogramsJson({a, b}).dump();
    auto f = ParsePlanogramFile(text, format);
    ASSERT_TRUE(f.errors.empty()) << f.errors[0].reason << "\n" << text;
    ASSERT_EQ(f.rows.size(), 2u);
    const auto& r = f.rows[0];
    EXPECT_EQ(r.sku, "=EVIL");
    EXPECT_EQ(r.store, "north");
    EXPECT_EQ(r.product_name, a.product_name);
    EXPECT_EQ(r.expected_count, 3);
    EXPECT_EQ(r.x_position, 0.25);
    EXPECT_EQ(r.meta_data, a.meta_data);
    EXPECT_EQ(f.rows[1].meta_data, nlohmann::json::object());
  }
  EXPECT_NE(PlanogramsCsv({a}).find("\"'=EVIL\""), std::string::npos);
}

TEST(ProductFile, DuplicatesAndMissingFields) {
  auto f = ParseProductFile("class_name,sku,brand\ndog,D1,Acme\ncat,D1,\ndog,D2,\n,X,\n",
                            TableFormat::kCsv);
  ASSERT_EQ(f.errors.size(), 3u);
  EXPECT_EQ(f.errors[0].line, 3);
  EXPECT_EQ(f.errors[0].reason, "duplicate sku: same as row 1");
  EXPECT_EQ(f.errors[1].reason, "duplicate class_name: same as row 1");
  EXPECT_EQ(f.errors[2].reason, "missing field 'class_name'");
  auto j =
      ParseProductFile(R"([{"class_name": "dog", "sku": "D1", "colour": 1}])", TableFormat::kJson);
  ASSERT_EQ(j.errors.size(), 1u);
  EXPECT_EQ(j.errors[0].row, 1);
  EXPECT_EQ(j.errors[0].reason, "unknown field 'colour'");
}

}  // namespace
}  // namespace vs::api
