#include "http/growing_body.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>

namespace vs::http {
namespace {

namespace bh = boost::beast::http;

const std::string kHeader =
    "POST /api/detect HTTP/1.1\r\nHost: localhost\r\nContent-Length: 20971520\r\n\r\n";

template <class Body>
size_t CapacityAfterHeaderAndSomeBody() {
  bh::request_parser<Body> parser;
  parser.body_limit(32u << 20);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(kHeader), ec);
  EXPECT_FALSE(ec) << ec.message();
  const std::string some(1000, 'x');
  parser.put(boost::asio::buffer(some), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(parser.get().body(), some);
  return parser.get().body().capacity();
}

TEST(GrowingStringBody, DoesNotReserveTheAnnouncedLength) {
  // Beast's own string body reserves all 20 MiB on the header alone; ours only what arrived.
  EXPECT_GE(CapacityAfterHeaderAndSomeBody<bh::string_body>(), 20u << 20);
  EXPECT_LT(CapacityAfterHeaderAndSomeBody<GrowingStringBody>(), 64u << 10);
}

TEST(GrowingStringBody, ReadsChunkedAndPlainBodiesWhole) {
  bh::request_parser<GrowingStringBody> parser;
  boost::beast::error_code ec;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
  size_t used = 0;
  while (!parser.is_done() && !ec) {
    used += parser.put(boost::asio::buffer(request.data() + used, request.size() - used), ec);
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(parser.get().body(), "abcdefg");
}

TEST(GrowingStringBody, WritesLikeAStringBody) {
  bh::request<GrowingStringBody> req{bh::verb::post, "/", 11};
  req.body() = "hello";
  req.prepare_payload();
  EXPECT_EQ(req[bh::field::content_length], "5");
}

}  // namespace
}  // namespace vs::http
