#include "webhooks/signing.h"

#include <gtest/gtest.h>

namespace vs::webhooks {
namespace {

// RFC 4231 test case 7 (a key and data longer than the block size). The data holds one '.', so
// it splits into the signed "<timestamp>.<body>" form.
TEST(Signing, MatchesRfc4231TestCase7) {
  const std::string key(131, '\xaa');
  const std::string timestamp =
      "This is a test using a larger than block-size key and a larger than block-size data";
  const std::string body = " The key needs to be hashed before being used by the HMAC algorithm.";
  EXPECT_EQ(Sign(key, timestamp, body),
            "sha256=9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// The '.' between timestamp and body is signed, so bytes cannot move from one to the other.
TEST(Signing, TheSeparatorIsSigned) {
  EXPECT_NE(Sign("secret", "12", "3"), Sign("secret", "1", "23"));
  EXPECT_NE(Sign("secret", "123", ""), Sign("secret", "12", "3"));
}

TEST(Signing, VerifiesOnlyTheExactSignature) {
  const std::string sig = Sign("whsec_abc", "1764633600", R"({"event_id":1})");
  EXPECT_EQ(sig.size(), 7u + 64u);
  EXPECT_TRUE(VerifySignature("whsec_abc", "1764633600", R"({"event_id":1})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abd", "1764633600", R"({"event_id":1})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1764633601", R"({"event_id":1})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1764633600", R"({"event_id":2})", sig));
  EXPECT_FALSE(VerifySignature("whsec_abc", "1764633600", R"({"event_id":1})", sig.substr(1)));
  std::string flipped = sig;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(VerifySignature("whsec_abc", "1764633600", R"({"event_id":1})", flipped));
}

}  // namespace
}  // namespace vs::webhooks
