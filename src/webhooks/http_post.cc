#include "webhooks/http_post.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

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

// The addresses of the target's host that a delivery may connect to (target.h).
Result<std::vector<tcp::endpoint>> Resolve(net::io_context& io, const Target& target,
                                           const PostOptions& options) {
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
  return allowed;
}

// Connects `stream`'s TCP layer to one of `endpoints` (the deadline must be set).
Status Connect(net::io_context& io, beast::tcp_stream& stream,
               const std::vector<tcp::endpoint>& endpoints) {
  boost::system::error_code ec;
  stream.async_connect(endpoints,
                       [&ec](const boost::system::error_code& e, const tcp::endpoint&) { ec = e; });
  RunOne(io);
  if (ec) return Status::Unavailable(Describe(ec, "connect"));
  return Status::Ok();
}

// Writes the request and reads the answer's head and at most max_response_bytes of its body
// on a connected `stream` (a tcp_stream or an ssl_stream over one), within response_timeout.
template <typename Stream>
Result<PostAnswer> Exchange(net::io_context& io, Stream& stream, const Target& target,
                            const Headers& headers, const std::string& body,
                            const PostOptions& options) {
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, target.path, 11};
  request.set(bhttp::field::host, target.HostHeader());
  request.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  boost::system::error_code ec;
  beast::get_lowest_layer(stream).expires_after(options.response_timeout);
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
  // An over-long body, or a TLS receiver that closes without close_notify after the head (common
  // with "Connection: close"), still has a status line, which is all that counts.
  const bool head_is_enough = parser.is_header_done() && (ec == bhttp::error::body_limit ||
                                                          ec == net::ssl::error::stream_truncated);
  if (ec && !head_is_enough) return Status::Unavailable(Describe(ec, "reading the answer"));
  boost::system::error_code ignored;
  // No TLS close_notify exchange: the connection is not reused, and waiting for the peer's
  // would only add a round trip.
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  PostAnswer answer;
  answer.status = static_cast<int>(parser.get().result_int());
  answer.body_head = parser.get().body().substr(0, 200);
  return answer;
}

// The process's default TLS settings (the system trust store), made at first use.
Result<std::shared_ptr<TlsClient>> DefaultTls() {
  static const Result<std::shared_ptr<TlsClient>> tls = TlsClient::Create("");
  return tls;
}

Result<PostAnswer> PostTls(net::io_context& io, const std::vector<tcp::endpoint>& endpoints,
                           const Target& target, const Headers& headers, const std::string& body,
                           const PostOptions& options) {
  std::shared_ptr<TlsClient> tls = options.tls;
  if (!tls) {
    auto made = DefaultTls();
    if (!made.ok()) return made.status();
    tls = *made;
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, tls->context());
  VS_RETURN_IF_ERROR(ExpectPeer(stream.native_handle(), target.host));
  beast::get_lowest_layer(stream).expires_after(options.connect_timeout);
  VS_RETURN_IF_ERROR(Connect(io, beast::get_lowest_layer(stream), endpoints));
  boost::system::error_code ec;
  stream.async_handshake(net::ssl::stream_base::client,
                         [&ec](const boost::system::error_code& e) { ec = e; });
  RunOne(io);
  if (ec == beast::error::timeout) return Status::Unavailable("TLS handshake timed out");
  if (ec) {
    return Status::Unavailable("TLS handshake failed: " +
                               DescribeHandshakeError(ec, stream.native_handle()));
  }
  return Exchange(io, stream, target, headers, body, options);
}

}  // namespace

Result<PostAnswer> Post(const Target& target, const Headers& headers, const std::string& body,
                        const PostOptions& options) {
  net::io_context io;
  auto endpoints = Resolve(io, target, options);
  if (!endpoints.ok()) return endpoints.status();
  if (target.tls) return PostTls(io, *endpoints, target, headers, body, options);
  beast::tcp_stream stream(io);
  stream.expires_after(options.connect_timeout);
  VS_RETURN_IF_ERROR(Connect(io, stream, *endpoints));
  return Exchange(io, stream, target, headers, body, options);
}

}  // namespace vs::webhooks
