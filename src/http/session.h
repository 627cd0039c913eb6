// One HTTP connection (internal to the server): reads requests, checks them against the server's
// policy and limits, hands them to a worker pool, watches the connection while the handler runs,
// and writes the answers back in order.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>

#include "http/growing_body.h"
#include "http/limits.h"
#include "http/server.h"

namespace vs::http {

struct SessionContext {
  const ServerOptions* options;  // host_policy with the bound port
  const Handler* handler;
  const Server::UpgradeHandler* upgrade;
  boost::asio::thread_pool* workers;
  boost::asio::thread_pool* heavy_workers;  // null when there is no heavy lane
  Slots* heavy_lane;                        // null when there is no heavy lane
  BodyBudget* bodies;
  std::atomic<size_t>* in_flight;     // requests received and not yet answered, server-wide
  const std::atomic<bool>* draining;  // set by Server::Drain: no more keep-alive
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `connection` is this connection's share of the server's connection limits.
  Session(boost::asio::ip::tcp::socket socket, SessionContext context,
          ConnectionLimits::Lease connection);
  ~Session();
  void Start();

 private:
  // Bracket one request in ctx_.in_flight, from its header to its answer; idempotent.
  void BeginRequest();
  void EndRequest();
  // The access-log line and the on_request call for the current request.
  void Record(int status, size_t bytes);
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  // Host, Transfer-Encoding, size, lane and budget checks; false once it has answered.
  bool Admit();
  void ReadBody();
  void ReadMoreBody();
  void OnBody(boost::beast::error_code ec);
  void Dispatch();
  // Reads from the socket while a handler runs, to notice a client that has gone away.
  void Watch();
  void OnWatch(boost::beast::error_code ec, size_t bytes);
  void OnAnswer(std::optional<Response> response);
  void Write(Response response);
  void OnWrite(bool keep_alive, boost::beast::error_code ec);
  // Sets the headers every answer carries; for HEAD, keeps Content-Length but drops the body.
  void Finish(Response& response) const;
  // Answers `status` then closes, discarding what the client still sends for a moment so it
  // can read the answer (e.g. 413 while it is still uploading). `retry_after_s` > 0 adds
  // Retry-After.
  void RejectAndClose(const Status& status, int retry_after_s = 0);
  void Drain();
  void Close();

  boost::beast::tcp_stream stream_;
  SessionContext ctx_;
  ConnectionLimits::Lease connection_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<GrowingStringBody>> parser_;
  // The current request: for the log line, HEAD handling, the lane and the body budget.
  std::string method_, target_;
  std::string request_id_, route_, user_;  // of the current request
  std::string remote_;                     // its client address (http/forwarded.h), once dispatched
  bool counted_ = false;                   // in ctx_.in_flight
  bool head_ = false;
  bool heavy_ = false;
  std::optional<Slots::Lease> lane_lease_;
  std::optional<BodyBudget::Lease> body_lease_;
  std::chrono::steady_clock::time_point started_;
  // Connection watch while a handler runs (all on the strand).
  std::shared_ptr<std::atomic<bool>> cancelled_;
  bool watching_ = false;         // a watch read is outstanding
  bool resume_on_watch_ = false;  // the answer is written: read the next request once it ends
  bool peer_gone_ = false;        // EOF or error seen: no further request on this connection
  std::shared_ptr<std::array<char, 16384>> drain_buffer_;
  size_t drained_ = 0;
};

}  // namespace vs::http
