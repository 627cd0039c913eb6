#include "auth/secrets.h"

#include <gtest/gtest.h>

#include <set>

#include "auth/password.h"

namespace vs::auth {
namespace {

TEST(SecretsTest, NewSecretsAreLongRandomAndPrefixed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string s = NewSecret("vst_");
    ASSERT_EQ(s.rfind("vst_", 0), 0u);
    EXPECT_EQ(s.size(), 4u + 43u);
    for (char c : s.substr(4))
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SecretsTest, HashIsSha256Hex) {
  // SHA-256("abc"), from FIPS 180-2.
  EXPECT_EQ(HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(HashSecret("abc"), HashSecret("abd"));
}

TEST(SecretsTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("same", "same"));
  EXPECT_FALSE(ConstantTimeEquals("same", "samf"));
  EXPECT_FALSE(ConstantTimeEquals("same", "sam"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(PasswordTest, Argon2idRoundTrip) {
  // The cheapest cost keeps the test fast; the format and the check are the same.
  auto hash = HashPassword("correct horse", {1, 8192});
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse"));
  EXPECT_FALSE(VerifyPassword("", ""));
  auto again = HashPassword("correct horse", {1, 8192});
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again) << "each hash has its own salt";
}

TEST(PasswordTest, Policy) {
  EXPECT_EQ(CheckPasswordPolicy("short").code(), Code::kInvalidValue);
  EXPECT_TRUE(CheckPasswordPolicy("eight ch").ok());
  EXPECT_EQ(CheckPasswordPolicy(std::string(257, 'x')).code(), Code::kInvalidValue);
}

}  // namespace
}  // namespace vs::auth
