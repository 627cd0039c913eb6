#include "http/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cmath>

#include "core/log.h"
#include "http/error.h"
#include "http/query.h"

namespace vs::http {
namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {
constexpr size_t kMaxDrainBytes = 64u << 20;
constexpr auto kDrainTime = std::chrono::seconds(5);
}  // namespace

Session::Session(asio::ip::tcp::socket socket, SessionContext context)
    : stream_(std::move(socket)), ctx_(context) {}

void Session::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::ReadHeader() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(ctx_.options->max_header_bytes));
  parser_->body_limit(ctx_.options->max_body_bytes);
  stream_.expires_after(ctx_.options->header_timeout);
  beast_http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  started_ = std::chrono::steady_clock::now();
  if (ec == beast_http::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    return Close();
  }
  const auto& req = parser_->get();
  method_ = std::string(req.method_string());
  target_ = std::string(req.target());
  if (ec == beast_http::error::body_limit) {
    return RejectAndClose(Status::TooLarge(
        "request body larger than " + std::to_string(ctx_.options->max_body_bytes >> 20) + " MiB"));
  }
  if (ec == beast_http::error::header_limit) {
    return RejectAndClose(Status::InvalidArgument("request header too large"));
  }
  if (ec) return RejectAndClose(Status::InvalidArgument("malformed HTTP request: " + ec.message()));

  if (beast::websocket::is_upgrade(req) && *ctx_.upgrade) {
    std::string path;
    QueryParams ignored;
    if (ParseTarget(Sv(req.target()), &path, &ignored).ok() && path == ctx_.options->upgrade_path) {
      vs::log::Info("request", {{"method", method_},
                                {"target", target_},
                                {"status", 101},
                                {"bytes", 0},
                                {"ms", 0},
                                {"upgrade", "websocket"}});
      stream_.expires_never();
      (*ctx_.upgrade)(std::move(stream_), parser_->release());
      return;
    }
  }
  const auto length = parser_->content_length();
  if (length && *length > ctx_.options->max_body_bytes) {  // belt and braces: Beast checks too
    return RejectAndClose(Status::TooLarge(
        "request body larger than " + std::to_string(ctx_.options->max_body_bytes >> 20) + " MiB"));
  }
  if (beast::iequals(req[beast_http::field::expect], "100-continue") && !parser_->is_done()) {
    auto cont = std::make_shared<beast_http::response<beast_http::empty_body>>(
        beast_http::status::continue_, req.version());
    beast_http::async_write(stream_, *cont,
                            [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                              if (wec) return self->Close();
                              self->ReadBody();
                            });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  if (parser_->is_done()) return Dispatch();
  stream_.expires_after(ctx_.options->body_timeout);
  beast_http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec == beast_http::error::body_limit) {
    return RejectAndClose(Status::TooLarge(
        "request body larger than " + std::to_string(ctx_.options->max_body_bytes >> 20) + " MiB"));
  }
  if (ec == beast::error::timeout) {
    vs::log::Warn("request body timeout", {{"method", method_}, {"target", target_}});
    return Close();
  }
  if (ec == beast_http::error::partial_message || ec == beast_http::error::end_of_stream ||
      ec == asio::error::eof || ec == asio::error::connection_reset) {
    return Close();  // the client went away mid-body
  }
  if (ec) return RejectAndClose(Status::InvalidArgument("malformed HTTP request: " + ec.message()));
  Dispatch();
}

void Session::Dispatch() {
  stream_.expires_never();
  auto request = std::make_shared<Request>();
  request->raw = parser_->release();
  request->received_at = started_;
  beast::error_code peer_ec;
  const auto peer = stream_.socket().remote_endpoint(peer_ec);
  if (!peer_ec) request->remote_address = peer.address().to_string();
  Status parsed = ParseTarget(Sv(request->raw.target()), &request->path, &request->query);
  if (!parsed.ok()) return Write(ErrorResponse(parsed, request->raw.version()));
  asio::post(*ctx_.workers, [self = shared_from_this(), request] {
    Response res;
    try {
      res = (*self->ctx_.handler)(*request);
    } catch (const std::exception& e) {
      vs::log::Error("handler threw", {{"target", self->target_}, {"what", e.what()}});
      res = ErrorResponse(Status::Internal("internal error"), request->raw.version());
    }
    res.keep_alive(request->raw.keep_alive());
    asio::post(self->stream_.get_executor(),
               [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
  });
}

void Session::Write(Response response) {
  const bool keep_alive = response.keep_alive();
  if (!response.has_content_length() && response.result() != beast_http::status::no_content &&
      response.result() != beast_http::status::not_modified) {
    response.prepare_payload();
  }
  const int status = static_cast<int>(response.result_int());
  const size_t bytes = response.body().size();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
          .count();
  vs::log::Info("request", {{"method", method_},
                            {"target", target_},
                            {"status", status},
                            {"bytes", bytes},
                            {"ms", std::round(ms * 100) / 100}});
  auto res = std::make_shared<Response>(std::move(response));
  stream_.expires_after(ctx_.options->body_timeout);
  beast_http::async_write(
      stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
        self->OnWrite(keep_alive, ec);
      });
}

void Session::OnWrite(bool keep_alive, beast::error_code ec) {
  if (ec || !keep_alive) return Close();
  ReadHeader();
}

void Session::RejectAndClose(const Status& status) {
  unsigned version = parser_ ? parser_->get().version() : 11;
  if (version != 10 && version != 11) version = 11;
  auto res = std::make_shared<Response>(ErrorResponse(status, version));
  res->keep_alive(false);
  vs::log::Info("request", {{"method", method_},
                            {"target", target_},
                            {"status", static_cast<int>(res->result_int())},
                            {"bytes", res->body().size()},
                            {"ms", 0}});
  stream_.expires_after(ctx_.options->header_timeout);
  beast_http::async_write(
      stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        beast::error_code ignored;
        self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        self->drain_buffer_ = std::make_shared<std::array<char, 16384>>();
        self->stream_.expires_after(kDrainTime);
        self->Drain();
      });
}

void Session::Drain() {
  stream_.async_read_some(asio::buffer(*drain_buffer_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kMaxDrainBytes) return self->Close();
                            self->Drain();
                          });
}

void Session::Close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace vs::http
