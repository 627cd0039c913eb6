#include "http/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cmath>

#include "core/log.h"
#include "http/error.h"
#include "http/forwarded.h"
#include "http/query.h"
#include "http/request_id.h"
#include "http/security_headers.h"

namespace vs::http {
namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {
constexpr size_t kMaxDrainBytes = 64u << 20;
constexpr auto kDrainTime = std::chrono::seconds(5);
constexpr size_t kWatchReadBytes = 4096;
constexpr int kRetryAfterSeconds = 1;

bool ClientWentAway(const beast::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

// Whether the request's Transfer-Encoding (all its fields together) is exactly one "chunked".
// Any other coding is not implemented: Beast would treat "gzip" alone as no body at all.
bool OnlyChunked(const beast_http::request_header<>& header) {
  size_t codings = 0;
  bool chunked = false;
  for (auto it = header.find(beast_http::field::transfer_encoding);
       it != header.end() && it->name() == beast_http::field::transfer_encoding; ++it) {
    for (const auto coding : beast_http::token_list(it->value())) {
      ++codings;
      chunked = beast::iequals(coding, "chunked");
    }
  }
  return codings == 1 && chunked;
}

// The host part of a Host header value (no port), for messages.
std::string_view HostPart(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  return host.substr(0, host.find(':'));
}

std::string TooLargeMessage(size_t max_body_bytes) {
  return "request body larger than " + std::to_string(max_body_bytes >> 20) + " MiB";
}

// The path of a request target, without its query, at most 200 bytes (for the access log).
std::string_view PathOf(std::string_view target) {
  return target.substr(0, std::min<size_t>(target.find('?'), 200));
}
}  // namespace

Session::Session(asio::ip::tcp::socket socket, SessionContext context,
                 ConnectionLimits::Lease connection)
    : stream_(std::move(socket)), ctx_(context), connection_(std::move(connection)) {}

Session::~Session() { EndRequest(); }

void Session::BeginRequest() {
  if (counted_) return;
  counted_ = true;
  ctx_.in_flight->fetch_add(1);
}

void Session::EndRequest() {
  if (!counted_) return;
  counted_ = false;
  ctx_.in_flight->fetch_sub(1);
}

void Session::Record(int status, size_t bytes) {
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
  const double ms = std::round(elapsed.count() * 100'000) / 100;
  // The client's address once Dispatch has read it (through trusted proxies), else the peer's.
  std::string remote = remote_;
  if (remote.empty()) {
    beast::error_code ec;
    const auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote = peer.address().to_string();
  }
  const std::string_view path = PathOf(target_);
  if (vs::log::AccessLogOn()) {
    nlohmann::json line = {
        {"request_id", request_id_}, {"method", method_}, {"route", route_}, {"path", path},
        {"status", status},          {"bytes", bytes},    {"ms", ms},        {"remote", remote}};
    if (!user_.empty()) line["user"] = user_;
    vs::log::Access(line);
  }
  if (ctx_.options->on_request) {
    ctx_.options->on_request(RequestRecord{.method = method_,
                                           .route = route_,
                                           .path = path,
                                           .status = status,
                                           .bytes = bytes,
                                           .elapsed = elapsed,
                                           .request_id = request_id_,
                                           .remote_address = remote,
                                           .user = user_});
  }
}

void Session::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::ReadHeader() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(ctx_.options->max_header_bytes));
  parser_->body_limit(ctx_.options->max_body_bytes);
  head_ = heavy_ = false;
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
  request_id_ = RequestIdFor(Sv(req["X-Request-Id"]));
  route_.clear();
  user_.clear();
  remote_.clear();
  BeginRequest();
  if (ec == beast_http::error::body_limit) {
    return RejectAndClose(Status::TooLarge(TooLargeMessage(ctx_.options->max_body_bytes)));
  }
  if (ec == beast_http::error::header_limit) {
    return RejectAndClose(Status::InvalidArgument("request header too large"));
  }
  if (ec) return RejectAndClose(Status::InvalidArgument("malformed HTTP request: " + ec.message()));
  head_ = req.method() == beast_http::verb::head;
  if (!Admit()) return;

  if (beast::websocket::is_upgrade(req) && *ctx_.upgrade) {
    std::string path;
    QueryParams ignored;
    if (ParseTarget(Sv(req.target()), &path, &ignored).ok() && path == ctx_.options->upgrade_path) {
      route_ = path;
      Record(101, 0);
      EndRequest();  // from here on the hub's, not the server's
      stream_.expires_never();
      auto message = parser_->release();
      // The upgraded connection keeps its place in the connection caps for as long as it lives.
      auto hold = std::make_shared<ConnectionLimits::Lease>(std::move(connection_));
      (*ctx_.upgrade)(std::move(stream_), RawRequest(std::move(message.base())), std::move(hold));
      return;
    }
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

bool Session::Admit() {
  const auto& req = parser_->get();
  const size_t hosts = req.count(beast_http::field::host);
  if (hosts != 1) {
    RejectAndClose(Status::InvalidArgument(hosts == 0
                                               ? "the request has no Host header"
                                               : "the request has more than one Host header"));
    return false;
  }
  const std::string_view host = Sv(req[beast_http::field::host]);
  if (!ctx_.options->host_policy.HostAllowed(host)) {
    const std::string name(HostPart(host).substr(0, 200));
    RejectAndClose(Status::InvalidArgument("this server does not answer to the host '" + name +
                                           "'; to allow it, start the server with "
                                           "--allowed-hosts " +
                                           name));
    return false;
  }
  if (req.count(beast_http::field::transfer_encoding) != 0 && !OnlyChunked(req.base())) {
    RejectAndClose(Status::NotImplemented(
        "Transfer-Encoding '" +
        std::string(Sv(req[beast_http::field::transfer_encoding]).substr(0, 100)) +
        "' is not supported; send the body plain or chunked"));
    return false;
  }
  const auto length = parser_->content_length();
  if (length && *length > ctx_.options->max_body_bytes) {  // belt and braces: Beast checks too
    RejectAndClose(Status::TooLarge(TooLargeMessage(ctx_.options->max_body_bytes)));
    return false;
  }
  const auto& is_heavy = ctx_.options->heavy.is_heavy;
  if (ctx_.heavy_lane != nullptr && is_heavy &&
      is_heavy(head_ ? beast_http::verb::get : req.method(), Sv(req.target()))) {
    heavy_ = true;
    lane_lease_ = ctx_.heavy_lane->TryAcquire();
    if (!lane_lease_) {
      RejectAndClose(Status::Unavailable("the server is busy with other requests of this kind; "
                                         "try again shortly"),
                     kRetryAfterSeconds);
      return false;
    }
  }
  body_lease_ = ctx_.bodies->TryAcquire(length.value_or(0));
  if (!body_lease_) {
    RejectAndClose(Status::Unavailable("the server is busy receiving other uploads; try again "
                                       "shortly"),
                   kRetryAfterSeconds);
    return false;
  }
  return true;
}

void Session::ReadBody() {
  if (parser_->is_done()) return Dispatch();
  stream_.expires_after(ctx_.options->body_timeout);
  ReadMoreBody();
}

void Session::ReadMoreBody() {
  beast_http::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec == beast_http::error::body_limit) {
    return RejectAndClose(Status::TooLarge(TooLargeMessage(ctx_.options->max_body_bytes)));
  }
  if (ec == beast::error::timeout) {
    vs::log::Warn("request body timeout", {{"method", method_}, {"target", target_}});
    return Close();
  }
  if (ClientWentAway(ec)) return Close();  // the client went away mid-body
  if (ec) return RejectAndClose(Status::InvalidArgument("malformed HTTP request: " + ec.message()));
  // A chunked body claims budget as it arrives (a Content-Length one claimed it all up front).
  if (!body_lease_->Grow(parser_->get().body().size())) {
    return RejectAndClose(Status::Unavailable("the server is busy receiving other uploads; try "
                                              "again shortly"),
                          kRetryAfterSeconds);
  }
  if (!parser_->is_done()) return ReadMoreBody();
  Dispatch();
}

void Session::Dispatch() {
  stream_.expires_never();
  auto request = std::make_shared<Request>();
  auto message = parser_->release();
  request->raw = RawRequest(std::move(message.base()), std::move(message.body()));
  if (head_) request->raw.method(beast_http::verb::get);
  request->received_at = started_;
  request->request_id = request_id_;
  beast::error_code peer_ec;
  const auto peer = stream_.socket().remote_endpoint(peer_ec);
  if (!peer_ec) {
    std::string forwarded;  // every X-Forwarded-For header, in order, as one list
    const auto [first, last] = request->raw.equal_range("X-Forwarded-For");
    for (auto f = first; f != last; ++f) {
      if (!forwarded.empty()) forwarded += ',';
      forwarded += Sv(f->value());
    }
    request->remote_address =
        ClientAddress(peer.address().to_string(), forwarded, ctx_.options->trusted_proxies);
  }
  remote_ = request->remote_address;
  Status parsed = ParseTarget(Sv(request->raw.target()), &request->path, &request->query);
  if (!parsed.ok()) {
    lane_lease_.reset();
    body_lease_.reset();
    return Write(ErrorResponse(parsed, request->raw.version()));
  }
  cancelled_ = request->cancelled;
  // The job owns what the request holds of the server's limits until the handler has returned.
  struct Job {
    std::shared_ptr<Request> request;
    std::optional<Slots::Lease> lane;
    std::optional<BodyBudget::Lease> body;
  };
  auto job = std::make_shared<Job>(Job{request, std::move(lane_lease_), std::move(body_lease_)});
  lane_lease_.reset();
  body_lease_.reset();
  const bool heavy = heavy_;
  asio::post(heavy ? *ctx_.heavy_workers : *ctx_.workers, [self = shared_from_this(), job, heavy] {
    std::optional<Response> res;
    const Request& req = *job->request;
    if (heavy && req.client_gone()) {
      vs::log::Info("request skipped: the client went away",
                    {{"method", self->method_}, {"target", self->target_}});
    } else {
      try {
        res = (*self->ctx_.handler)(*job->request);
      } catch (const std::exception& e) {
        vs::log::Error("handler threw", {{"target", self->target_}, {"what", e.what()}});
        res = ErrorResponse(Status::Internal("internal error"), req.raw.version());
      }
      res->keep_alive(req.raw.keep_alive());
    }
    std::string route = std::move(job->request->route);
    std::string user = std::move(job->request->caller);
    job->request.reset();
    job->lane.reset();
    job->body.reset();
    asio::post(self->stream_.get_executor(), [self, res = std::move(res), route = std::move(route),
                                              user = std::move(user)]() mutable {
      self->route_ = std::move(route);
      self->user_ = std::move(user);
      self->OnAnswer(std::move(res));
    });
  });
  Watch();
}

void Session::Watch() {
  // Pipelined bytes stay in buffer_ for the next request; beyond a header's worth, stop reading
  // (TCP then pushes back) and give up noticing the client leave.
  if (buffer_.size() >= ctx_.options->max_header_bytes) return;
  watching_ = true;
  stream_.socket().async_read_some(
      buffer_.prepare(kWatchReadBytes),
      [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnWatch(ec, n); });
}

void Session::OnWatch(beast::error_code ec, size_t bytes) {
  watching_ = false;
  buffer_.commit(bytes);
  if (ec && ec != asio::error::operation_aborted) {
    peer_gone_ = true;
    if (cancelled_) cancelled_->store(true, std::memory_order_relaxed);
  }
  if (resume_on_watch_) {
    resume_on_watch_ = false;
    return peer_gone_ ? Close() : ReadHeader();
  }
  if (!ec) Watch();
}

void Session::OnAnswer(std::optional<Response> response) {
  if (!response) {   // skipped: nobody is there to read an answer
    Record(499, 0);  // (nginx's "client closed request")
    return Close();
  }
  if (peer_gone_) response->keep_alive(false);  // half-closed at most: answer, then close
  Write(std::move(*response));
}

void Session::Finish(Response& response) const {
  if (!response.has_content_length() && response.result() != beast_http::status::no_content &&
      response.result() != beast_http::status::not_modified) {
    response.prepare_payload();
  }
  AddSecurityHeaders(response);
  response.set("X-Request-Id", request_id_);
  if (head_) response.body().clear();  // Content-Length stays that of the GET body
}

void Session::Write(Response response) {
  if (ctx_.draining->load()) response.keep_alive(false);
  const bool keep_alive = response.keep_alive();
  const size_t bytes = response.body().size();
  Finish(response);
  Record(static_cast<int>(response.result_int()), head_ ? 0 : bytes);
  auto res = std::make_shared<Response>(std::move(response));
  stream_.expires_after(ctx_.options->body_timeout);
  beast_http::async_write(
      stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
        self->OnWrite(keep_alive, ec);
      });
}

void Session::OnWrite(bool keep_alive, beast::error_code ec) {
  cancelled_.reset();
  EndRequest();
  if (ec || !keep_alive || peer_gone_) return Close();
  if (watching_) {  // end the watch read first; OnWatch then reads the next request
    resume_on_watch_ = true;
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
    return;
  }
  ReadHeader();
}

void Session::RejectAndClose(const Status& status, int retry_after_s) {
  lane_lease_.reset();
  body_lease_.reset();
  unsigned version = parser_ ? parser_->get().version() : 11;
  if (version != 10 && version != 11) version = 11;
  auto res = std::make_shared<Response>(ErrorResponse(status, version));
  res->keep_alive(false);
  if (retry_after_s > 0) res->set(beast_http::field::retry_after, std::to_string(retry_after_s));
  Finish(*res);
  Record(static_cast<int>(res->result_int()), res->body().size());
  stream_.expires_after(ctx_.options->header_timeout);
  beast_http::async_write(
      stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
        self->EndRequest();
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
  EndRequest();
  lane_lease_.reset();
  body_lease_.reset();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace vs::http
