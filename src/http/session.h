// One HTTP connection (internal to the server): reads requests, hands them to the worker pool,
// writes the answers back in order.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>

#include "http/server.h"

namespace vs::http {

struct SessionContext {
  const ServerOptions* options;
  const Handler* handler;
  const Server::UpgradeHandler* upgrade;
  boost::asio::thread_pool* workers;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, SessionContext context);
  void Start();

 private:
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void Dispatch();
  void Write(Response response);
  void OnWrite(bool keep_alive, boost::beast::error_code ec);
  // Answers `status` then closes, discarding what the client still sends for a moment so it
  // can read the answer (e.g. 413 while it is still uploading).
  void RejectAndClose(const Status& status);
  void Drain();
  void Close();

  boost::beast::tcp_stream stream_;
  SessionContext ctx_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  // For the log line of the current request.
  std::string method_, target_;
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<std::array<char, 16384>> drain_buffer_;
  size_t drained_ = 0;
};

}  // namespace vs::http
