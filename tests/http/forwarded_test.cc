// The client address behind trusted proxies: X-Forwarded-For believed only from them, read right
// to left, never past an entry that is not an address.
#include "http/forwarded.h"

#include <gtest/gtest.h>

namespace vs::http {
namespace {

const std::vector<std::string> kProxies = {"127.0.0.1", "10.0.0.5"};

TEST(ClientAddress, ThePeerWhenItIsNoTrustedProxyOrSaysNothing) {
  EXPECT_EQ(ClientAddress("203.0.113.9", "198.51.100.1", kProxies), "203.0.113.9");
  EXPECT_EQ(ClientAddress("127.0.0.1", "", kProxies), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", " ", kProxies), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", {}), "127.0.0.1");
}

TEST(ClientAddress, TheNearestAddressThatIsNoTrustedProxy) {
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", kProxies), "198.51.100.1");
  // A client's own X-Forwarded-For comes first; the proxies append after it.
  EXPECT_EQ(ClientAddress("127.0.0.1", "6.6.6.6, 198.51.100.1", kProxies), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "6.6.6.6,198.51.100.1, 10.0.0.5", kProxies), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "2001:db8::1", kProxies), "2001:db8::1");
  // Every entry a proxy: the farthest one.
  EXPECT_EQ(ClientAddress("127.0.0.1", "10.0.0.5", kProxies), "10.0.0.5");
}

TEST(ClientAddress, StopsAtAnEntryThatIsNoAddress) {
  EXPECT_EQ(ClientAddress("127.0.0.1", "not-an-ip", kProxies), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1, unknown", kProxies), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "junk, 10.0.0.5", kProxies), "10.0.0.5");
  EXPECT_EQ(ClientAddress("127.0.0.1", ",,,", kProxies), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", std::string(10000, ','), kProxies), "127.0.0.1");
}

TEST(CanonicalAddress, NormalisesOrRefuses) {
  EXPECT_EQ(CanonicalAddress(" 2001:DB8:0::1 "), "2001:db8::1");
  EXPECT_EQ(CanonicalAddress("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(CanonicalAddress("127.0.0.1:80"), "");
  EXPECT_EQ(CanonicalAddress(""), "");
}

}  // namespace
}  // namespace vs::http
