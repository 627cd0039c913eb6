#include "webhooks/http_post.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vs::webhooks {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

std::string Describe(const boost::system::error_code& ec, const char* step) {
  if (ec == beast::error::timeout) return std::string(step) + " timed out";
  return std::string(step) + " failed: " + ec.message();
}

// Runs the io_context until the one pending operation finishes.
void RunOne(net::io_context& io) {
  io.restart();
  io.run();
}

}  // namespace

Result<PostAnswer> Post(const Target& target, const Headers& headers, const std::string& body,
                        const PostOptions& options) {
  net::io_context io;
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  const auto resolved = resolver.resolve(target.host, std::to_string(target.port), ec);
  if (ec) return Status::Unavailable(Describe(ec, "resolving the host"));
  std::vector<tcp::endpoint> allowed;
  for (const auto& entry : resolved) {
    if (AddressAllowed(entry.endpoint().address(), options.allow_link_local)) {
      allowed.push_back(entry.endpoint());
    }
  }
  if (allowed.empty()) {
    return Status::PermissionDenied(target.host +
                                    " resolves only to addresses webhooks may not post to");
  }

  beast::tcp_stream stream(io);
  stream.expires_after(options.connect_timeout);
  stream.async_connect(allowed,
                       [&ec](const boost::system::error_code& e, const tcp::endpoint&) { ec = e; });
  RunOne(io);
  if (ec) return Status::Unavailable(Describe(ec, "connect"));

  bhttp::request<bhttp::string_body> request{bhttp::verb::post, target.path, 11};
  request.set(bhttp::field::host, target.HostHeader());
  request.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  stream.expires_after(options.response_timeout);
  bhttp::async_write(stream, request,
                     [&ec](const boost::system::error_code& e, size_t) { ec = e; });
  RunOne(io);
  if (ec) return Status::Unavailable(Describe(ec, "sending the request"));

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  bhttp::async_read(stream, buffer, parser,
                    [&ec](const boost::system::error_code& e, size_t) { ec = e; });
  RunOne(io);
  // An over-long body still has a status line, which is all that counts.
  if (ec && !(ec == bhttp::error::body_limit && parser.is_header_done())) {
    return Status::Unavailable(Describe(ec, "reading the answer"));
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  PostAnswer answer;
  answer.status = static_cast<int>(parser.get().result_int());
  answer.body_head = parser.get().body().substr(0, 200);
  return answer;
}

}  // namespace vs::webhooks
