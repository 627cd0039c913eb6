#include "ingest/scan_service.h"

#include <gtest/gtest.h>

namespace vs::ingest {
namespace {

TEST(Normalise, ClampsToTheImage) {
  vision::Detection d;
  d.box = {-10, 20, 110, 70};
  const auto n = Normalise(d, 100, 100);
  EXPECT_DOUBLE_EQ(n.x_center, 0.5);
  EXPECT_DOUBLE_EQ(n.width, 1.0);
  EXPECT_DOUBLE_EQ(n.y_center, 0.45);
  EXPECT_DOUBLE_EQ(n.height, 0.5);
}

}  // namespace
}  // namespace vs::ingest
