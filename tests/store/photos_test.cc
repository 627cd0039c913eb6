// Photos kept in the database: bytes round-trip exactly (binary, empty), a taken path is a
// conflict, deleting is idempotent, and none of it commits an event.
#include <gtest/gtest.h>

#include "backends.h"

namespace vs::store {
namespace {

class PhotosTest : public testing::BackendTest {};

TEST_P(PhotosTest, RoundTripConflictDeleteAndNoEvents) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  std::string bytes(70'000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 256);
  ASSERT_TRUE(store->PutPhoto("images/2026/12/02/a.jpg", bytes).ok());
  ASSERT_TRUE(store->PutPhoto("images/2026/12/02/empty.png", "").ok());
  auto got = store->GetPhoto("images/2026/12/02/a.jpg");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, bytes);
  auto empty = store->GetPhoto("images/2026/12/02/empty.png");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(store->PutPhoto("images/2026/12/02/a.jpg", "other").code(), Code::kConflict);
  EXPECT_EQ(*store->GetPhoto("images/2026/12/02/a.jpg"), bytes);
  EXPECT_TRUE(store->DeletePhoto("images/2026/12/02/a.jpg").ok());
  EXPECT_TRUE(store->DeletePhoto("images/2026/12/02/a.jpg").ok());
  EXPECT_EQ(store->GetPhoto("images/2026/12/02/a.jpg").status().code(), Code::kNotFound);
  EXPECT_EQ(*store->LastEventId(), 0);
}

VS_STORE_BACKENDS(PhotosTest);

}  // namespace
}  // namespace vs::store
