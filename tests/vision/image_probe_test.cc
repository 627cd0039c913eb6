// Header probing on inputs found by fuzz/image_probe_fuzz.cc.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "vision/image.h"

namespace vs::vision {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

// A RIFF/WEBP file cut off right after its first chunk header: the chunk payload is empty. The
// probe used to index one byte past the end (caught by libstdc++'s span assertion).
TEST(ProbeWebpTest, RefusesAFileEndingAtTheFirstChunkPayload) {
  const std::string riff = std::string("RIFF\xe0\0\0\0WEBP", 12);
  for (const std::string& fourcc :
       {std::string("\0\0]/", 4), std::string("VP8 "), std::string("VP8L"), std::string("VP8X")}) {
    const auto bytes = Bytes(riff + fourcc + std::string("\xc4\0\xf6\0", 4));
    ASSERT_EQ(bytes.size(), 20u);
    const auto r = ProbeImage(bytes);
    ASSERT_FALSE(r.ok()) << fourcc;
    EXPECT_EQ(r.status().code(), Code::kUnsupportedMedia) << fourcc;
  }
}

}  // namespace
}  // namespace vs::vision
