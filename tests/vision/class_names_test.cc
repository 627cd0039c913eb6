#include "vision/class_names.h"

#include <gtest/gtest.h>

#include <fstream>

namespace vs::vision {
namespace {

TEST(ClassNames, UltralyticsDictLiteral) {
  auto n = ParseNamesLiteral("{0: 'person', 1: 'bicycle', 2: \"it's\", 3: 'a\\'b'}");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, (std::vector<std::string>{"person", "bicycle", "it's", "a'b"}));
}

TEST(ClassNames, KeysInAnyOrderAndListLiteral) {
  auto n = ParseNamesLiteral(" {1:'b' , 0:'a',} ");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, (std::vector<std::string>{"a", "b"}));
  auto l = ParseNamesLiteral("['x', \"y\"]");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(*l, (std::vector<std::string>{"x", "y"}));
}

TEST(ClassNames, RejectsMalformed) {
  for (const char* bad : {"", "{}", "{0: 'a', 2: 'c'}", "{0: 'a', 0: 'b'}", "{0: a}", "{0: 'a'",
                          "{0: 'a'} extra", "person,bicycle"}) {
    auto n = ParseNamesLiteral(bad);
    EXPECT_FALSE(n.ok()) << bad;
    if (!n.ok()) {
      EXPECT_EQ(n.status().code(), Code::kInvalidValue) << bad;
    }
  }
}

TEST(ClassNames, LabelsFile) {
  const std::string path = std::string(VS_BINARY_DIR) + "/vision_labels_test.names";
  std::ofstream(path) << "person\n  bicycle \r\n\ncar\n";
  auto n = ReadLabelsFile(path);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, (std::vector<std::string>{"person", "bicycle", "car"}));
  EXPECT_EQ(ReadLabelsFile(path + ".missing").status().code(), Code::kNotFound);
  auto coco = ReadLabelsFile(std::string(VS_SOURCE_DIR) + "/models/coco.names");
  ASSERT_TRUE(coco.ok());
  EXPECT_EQ(coco->size(), 80u);
}

}  // namespace
}  // namespace vs::vision
