#include "core/host_policy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>

namespace vs {
namespace {

HostPolicy Local(uint16_t port = 8000) {
  HostPolicy p;
  p.AllowHost("localhost");
  p.AllowHost("127.0.0.1");
  p.AllowHost("::1");
  p.set_port(port);
  return p;
}

TEST(HostPolicy, EmptyPolicyAllowsNothing) {
  const HostPolicy p;
  EXPECT_FALSE(p.HostAllowed("localhost"));
  EXPECT_FALSE(p.OriginAllowed("http://localhost"));
}

TEST(HostPolicy, HostsMatchCaseInsensitivelyOnAnyPort) {
  const HostPolicy p = Local();
  for (const char* ok : {"localhost", "LocalHost:8000", "localhost:1", "localhost.", "127.0.0.1",
                         "127.0.0.1:65535", "[::1]", "[::1]:8000"}) {
    EXPECT_TRUE(p.HostAllowed(ok)) << ok;
  }
  for (const char* bad : {"", "evil.example", "localhost.evil.example", "evil.example:8000", "::1",
                          "[::1", "localhost:", "localhost:http", "localhost:99999",
                          "localhost:80:80", "127.0.0.2", "[::2]:8000", "local host", "[]"}) {
    EXPECT_FALSE(p.HostAllowed(bad)) << bad;
  }
}

TEST(HostPolicy, ExtraHostsAreAdded) {
  HostPolicy p = Local();
  p.AllowHost("Shelf.Example.com");
  p.AllowHost("[fe80::1]");
  EXPECT_TRUE(p.HostAllowed("shelf.example.COM:443"));
  EXPECT_TRUE(p.HostAllowed("[FE80::1]:8000"));
  EXPECT_FALSE(p.HostAllowed("example.com"));
  EXPECT_EQ(p.hosts().size(), 5u);
  p.AllowHost("SHELF.example.com");  // no duplicates
  EXPECT_EQ(p.hosts().size(), 5u);
}

TEST(HostPolicy, SameServerOriginsNeedHttpAnAllowedHostAndTheServerPort) {
  const HostPolicy p = Local(8000);
  for (const char* ok : {"http://localhost:8000", "HTTP://LOCALHOST:8000", "http://localhost:8000/",
                         "http://127.0.0.1:8000", "http://[::1]:8000"}) {
    EXPECT_TRUE(p.OriginAllowed(ok)) << ok;
  }
  for (const char* bad :
       {"null", "", "http://localhost", "http://localhost:8001", "https://localhost:8000",
        "ws://localhost:8000", "http://evil.example:8000", "http://localhost:8000/path",
        "http://user@localhost:8000", "localhost:8000", "http://localhost:8000//"}) {
    EXPECT_FALSE(p.OriginAllowed(bad)) << bad;
  }
}

TEST(HostPolicy, DefaultPortsOfHttp) {
  const HostPolicy p = Local(80);
  EXPECT_TRUE(p.OriginAllowed("http://localhost"));
  EXPECT_TRUE(p.OriginAllowed("http://localhost:80"));
  EXPECT_FALSE(p.OriginAllowed("https://localhost"));  // https only as an extra origin
}

TEST(HostPolicy, ExtraOriginsMatchExactly) {
  HostPolicy p = Local(8000);
  p.AllowOrigin("https://Shelf.Example.com/");
  EXPECT_TRUE(p.OriginAllowed("https://shelf.example.com"));
  EXPECT_TRUE(p.OriginAllowed("HTTPS://SHELF.EXAMPLE.COM/"));
  EXPECT_FALSE(p.OriginAllowed("https://shelf.example.com:443"));
  EXPECT_FALSE(p.OriginAllowed("http://shelf.example.com"));
  EXPECT_FALSE(p.OriginAllowed("https://shelf.example.com.evil.example"));
  // The extra origin does not make its host a Host the server answers to.
  EXPECT_FALSE(p.HostAllowed("shelf.example.com"));
}

TEST(HostPolicy, UnknownPortMatchesOnlyExtraOrigins) {
  HostPolicy p = Local(0);
  p.AllowOrigin("https://shelf.example.com");
  EXPECT_FALSE(p.OriginAllowed("http://localhost:8000"));
  EXPECT_TRUE(p.OriginAllowed("https://shelf.example.com"));
}

TEST(HostPolicy, ThisMachineKnowsLoopbackAndItsOwnName) {
  const HostPolicy p = HostPolicy::ForThisMachine();
  EXPECT_TRUE(p.HostAllowed("localhost:8000"));
  EXPECT_TRUE(p.HostAllowed("127.0.0.1"));
  EXPECT_TRUE(p.HostAllowed("[::1]:8000"));
  char name[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(gethostname(name, sizeof name - 1), 0);
  EXPECT_TRUE(p.HostAllowed(name));
  const std::string short_name = std::string(name).substr(0, std::string(name).find('.'));
  EXPECT_TRUE(p.HostAllowed(short_name + ".local:8000"));
  EXPECT_FALSE(p.HostAllowed("rebind.evil.example"));
}

}  // namespace
}  // namespace vs
