#include "webhooks/target.h"

#include <gtest/gtest.h>

namespace vs::webhooks {
namespace {

namespace ip = boost::asio::ip;

TEST(ParseUrl, AcceptsHttpAndHttpsUrls) {
  const struct {
    const char* url;
    const char* host;
    uint16_t port;
    const char* path;
    const char* host_header;
    bool tls = false;
  } cases[] = {
      {"http://example.com", "example.com", 80, "/", "example.com"},
      {"http://example.com/", "example.com", 80, "/", "example.com"},
      {"http://127.0.0.1:8080/hooks/in?x=1", "127.0.0.1", 8080, "/hooks/in?x=1", "127.0.0.1:8080"},
      {"http://hooks.local?x=1", "hooks.local", 80, "/?x=1", "hooks.local"},
      {"http://[::1]:9000/a", "::1", 9000, "/a", "[::1]:9000"},
      {"http://[2001:db8::5]/", "2001:db8::5", 80, "/", "[2001:db8::5]"},
      {"http://example.com:443/", "example.com", 443, "/", "example.com:443"},
      {"https://example.com", "example.com", 443, "/", "example.com", true},
      {"https://hooks.example.com/in?x=1", "hooks.example.com", 443, "/in?x=1", "hooks.example.com",
       true},
      {"https://127.0.0.1:8443/a", "127.0.0.1", 8443, "/a", "127.0.0.1:8443", true},
      {"https://example.com:80/", "example.com", 80, "/", "example.com:80", true},
      {"https://[::1]:9443/", "::1", 9443, "/", "[::1]:9443", true},
  };
  for (const auto& c : cases) {
    auto t = ParseUrl(c.url);
    ASSERT_TRUE(t.ok()) << c.url << ": " << t.status().ToString();
    EXPECT_EQ(t->host, c.host) << c.url;
    EXPECT_EQ(t->port, c.port) << c.url;
    EXPECT_EQ(t->path, c.path) << c.url;
    EXPECT_EQ(t->HostHeader(), c.host_header) << c.url;
    EXPECT_EQ(t->tls, c.tls) << c.url;
  }
}

TEST(ParseUrl, RefusesEverythingElse) {
  for (const char* url : {"",
                          "ftp://example.com/",
                          "HTTPS://example.com/",
                          "https:/example.com/",
                          "example.com",
                          "http://",
                          "http:///path",
                          "https://",
                          "https://user@example.com/",
                          "https://example.com/#frag",
                          "https://example.com:0/",
                          "http://user:pw@example.com/",
                          "http://example.com:0/",
                          "http://example.com:65536/",
                          "http://example.com:/",
                          "http://example.com:8x/",
                          "http://exa mple.com/",
                          "http://example.com/a b",
                          "http://example.com/#frag",
                          "http://[::1/",
                          "http://[nonsense]/",
                          "http://ex%61mple.com/",
                          "http://[::1]x/"}) {
    auto t = ParseUrl(url);
    EXPECT_FALSE(t.ok()) << url;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Code::kInvalidValue) << url;
    }
  }
  EXPECT_FALSE(ParseUrl("http://example.com/" + std::string(kMaxUrlBytes, 'a')).ok());
}

TEST(AddressAllowed, RefusesLinkLocalMetadataAndUnroutable) {
  for (const char* a :
       {"169.254.169.254", "169.254.0.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255",
        "fe80::1", "::", "ff02::1", "fd00:ec2::254", "::ffff:169.254.169.254", "::ffff:0.0.0.0"}) {
    EXPECT_FALSE(AddressAllowed(ip::make_address(a), false)) << a;
  }
}

TEST(AddressAllowed, LinkLocalOnlyWithTheOption) {
  for (const char* a : {"169.254.169.254", "fe80::1", "fd00:ec2::254", "::ffff:169.254.1.1"}) {
    EXPECT_TRUE(AddressAllowed(ip::make_address(a), true)) << a;
  }
  // Unspecified and multicast stay refused: no receiver lives there.
  for (const char* a : {"0.0.0.0", "224.0.0.1", "::", "ff02::1"}) {
    EXPECT_FALSE(AddressAllowed(ip::make_address(a), true)) << a;
  }
}

TEST(AddressAllowed, LoopbackPrivateAndPublicAreAllowed) {
  for (const char* a : {"127.0.0.1", "10.1.2.3", "192.168.1.10", "172.16.0.1", "93.184.216.34",
                        "::1", "fd12:3456::1", "2001:db8::1", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(AddressAllowed(ip::make_address(a), false)) << a;
  }
}

TEST(ValidateWebhookUrl, ChecksLiteralAddresses) {
  EXPECT_TRUE(ValidateWebhookUrl("http://127.0.0.1:9000/in", false).ok());
  EXPECT_TRUE(ValidateWebhookUrl("http://receiver.example/in", false).ok());
  EXPECT_EQ(ValidateWebhookUrl("http://169.254.169.254/latest/meta-data", false).code(),
            Code::kInvalidValue);
  EXPECT_EQ(ValidateWebhookUrl("http://[fe80::1]/", false).code(), Code::kInvalidValue);
  EXPECT_TRUE(ValidateWebhookUrl("http://169.254.169.254/", true).ok());
  EXPECT_TRUE(ValidateWebhookUrl("https://receiver.example/in", false).ok());
  EXPECT_EQ(ValidateWebhookUrl("https://169.254.169.254/", false).code(), Code::kInvalidValue);
  EXPECT_EQ(ValidateWebhookUrl("https://[fe80::1]:8443/", false).code(), Code::kInvalidValue);
  EXPECT_EQ(ValidateWebhookUrl("ftp://example.com/", true).code(), Code::kInvalidValue);
}

}  // namespace
}  // namespace vs::webhooks
