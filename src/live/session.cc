#include "live/session.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "live/hub_impl.h"
#include "live/request_checks.h"
#include "store/json.h"

namespace vs::live {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

// How long a closing connection may take to flush its last write and close handshake before
// its socket is torn down (a client that stopped reading never acknowledges).
constexpr auto kCloseGrace = std::chrono::seconds(5);
// Store::EventsAfter's largest page.
constexpr int kMaxPage = 10000;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

std::string Serialise(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The Origin policy of hub.h: no Origin header = not a browser, allowed; else the
// origin_allowed callback when set, else allowed_origins / the same-host rule.
bool OriginOk(const HubOptions& options, const Session::Request& request) {
  auto it = request.find(http::field::origin);
  if (it == request.end()) return true;
  const std::string_view origin = View(it->value());
  if (options.origin_allowed) return options.origin_allowed(origin);
  return OriginAllowed(origin, View(request[http::field::host]), options.allowed_origins);
}

}  // namespace

Session::Session(std::shared_ptr<HubImpl> hub, beast::tcp_stream stream, Request request,
                 std::shared_ptr<void> hold)
    : hub_(std::move(hub)),
      ws_(std::move(stream)),
      request_(std::move(request)),
      teardown_timer_(ws_.get_executor()),
      hold_(std::move(hold)) {}

Session::~Session() {
  ReleaseReplay();
  if (admitted_) hub_->LeaveClient();
  hub_->Unregister(this);
}

void Session::ReleaseReplay() {
  if (replay_reserved_ == 0) return;
  hub_->ReleaseReplay(replay_reserved_);
  replay_reserved_ = 0;
}

void Session::Start() {
  net::dispatch(ws_.get_executor(), [self = shared_from_this()] {
    Session& s = *self;
    if (!websocket::is_upgrade(s.request_)) {
      return s.Reject(http::status::bad_request, "invalid_argument",
                      "/api/live expects a WebSocket upgrade");
    }
    if (s.hub_->closed()) {
      return s.Reject(http::status::service_unavailable, "unavailable",
                      "the server is shutting down");
    }
    const HubOptions& options = s.hub_->options();
    s.admitted_ = s.hub_->AdmitClient();
    if (!s.admitted_) {
      return s.Reject(http::status::service_unavailable, "unavailable", "too many live clients");
    }
    if (!OriginOk(options, s.request_)) {
      log::Warn("live: origin refused", {{"origin", std::string(s.request_[http::field::origin])},
                                         {"host", std::string(s.request_[http::field::host])}});
      return s.Reject(http::status::forbidden, "forbidden", "origin not allowed");
    }
    if (options.authorize && !options.authorize(s.request_)) {
      return s.Reject(http::status::unauthorized, "unauthorized",
                      "not authorized to open a live connection");
    }
    auto after = ParseAfter(View(s.request_.target()));
    if (!after.ok()) {
      return s.Reject(http::status::bad_request, "invalid_argument", after.status().message());
    }
    s.after_ = *after;

    // The HTTP layer's deadline no longer applies: the websocket stream keeps its own.
    beast::get_lowest_layer(s.ws_).expires_never();
    // Events are small writes that must leave at once, not wait for the previous one's ACK.
    beast::error_code ignored;
    beast::get_lowest_layer(s.ws_).socket().set_option(net::ip::tcp::no_delay(true), ignored);
    s.ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    s.ws_.read_message_max(options.max_client_message);
    s.ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "visionstock"); }));
    s.ws_.async_accept(s.request_, [self](beast::error_code ec) { self->OnHandshake(ec); });
  });
}

void Session::Reject(http::status status, const char* code, const std::string& message) {
  response_.version(request_.version());
  response_.result(status);
  response_.set(http::field::server, "visionstock");
  response_.set(http::field::content_type, "application/json");
  if (status == http::status::service_unavailable) response_.set(http::field::retry_after, "1");
  response_.keep_alive(false);
  response_.body() = Serialise({{"error", {{"code", code}, {"message", message}}}});
  response_.prepare_payload();
  auto& stream = ws_.next_layer();
  stream.expires_after(std::chrono::seconds(10));
  http::async_write(stream, response_, [self = shared_from_this()](beast::error_code, size_t) {
    beast::error_code ignored;
    self->ws_.next_layer().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    self->ws_.next_layer().close();
  });
}

void Session::OnHandshake(beast::error_code ec) {
  if (ec) {
    log::Write(log::Level::kDebug, "live: handshake failed", {{"error", ec.message()}});
    return;
  }
  registered_ = hub_->Register(shared_from_this());
  if (!registered_) {
    Close(websocket::close_code::going_away, "server shutting down");
    DoRead();
    return;
  }
  // Registered before the first store read: every event committed from here on reaches
  // OnLive, and everything committed earlier is in the store, so replay + live has no gap.
  Fetch();
  DoRead();
}

void Session::Fetch() {
  if (!hub_->BeginFetch()) return Close(websocket::close_code::going_away, "server shutting down");
  fetching_ = true;
  fetch_gen_ = discard_gen_;
  // The first read also takes the hello's last_event_id; later reads continue from cursor_.
  bool first = !fetched_once_;
  fetched_once_ = true;
  // Later reads fill the queue only once it has drained: at most one page plus max_queue
  // buffered live events wait per client.
  int limit = static_cast<int>(std::clamp<size_t>(
      std::min<size_t>(hub_->options().max_queue, hub_->options().replay_page), 1, kMaxPage));
  // The work guard keeps the I/O context running until the batch is posted back.
  net::post(hub_->worker(), [self = shared_from_this(), first, after = after_, from = cursor_,
                             limit, guard = net::make_work_guard(ws_.get_executor())]() mutable {
    Batch batch = first ? self->ReadFirst(after) : self->ReadNext(from, limit);
    auto executor = self->ws_.get_executor();
    // Raw: if the session (and with it the hub) goes away once posted, ~HubImpl still waits
    // in worker_.join() for this job, with its members intact.
    HubImpl* hub = self->hub_.get();
    net::post(executor, [self = std::move(self), batch = std::move(batch)]() mutable {
      self->OnBatch(std::move(batch));
    });
    hub->EndFetch();
  });
}

Session::Batch Session::ReadFirst(std::optional<store::Id> after) const {
  Batch batch;
  batch.first = true;
  if (gone_) return batch;  // hung up while waiting for the worker: read nothing
  store::Store& store = hub_->store();
  auto last = store.LastEventId();
  if (!last.ok()) {
    batch.status = last.status();
    return batch;
  }
  const HubOptions& options = hub_->options();
  batch.last_id = batch.from = *last;
  batch.complete = true;
  // No ?after: nothing to replay. An `after` beyond the newest event comes from other data
  // (say, a database that was replaced): the client learns it from the hello and gets every
  // new event from here on.
  if (!after || *after >= *last) return batch;
  // Ids increase strictly, so at most last - after events are missed: more than the bound is
  // known without reading any.
  if (static_cast<uint64_t>(*last - *after) > options.max_replay_events) {
    batch.truncated = true;
    return batch;
  }
  batch.from = *after;
  const int page = std::clamp(options.replay_page, 1, kMaxPage);
  size_t bytes = 0;
  store::Id cursor = *after;
  while (cursor < *last) {
    if (gone_) {
      batch.complete = false;
      return batch;
    }
    auto events = store.EventsAfter(cursor, page);
    if (!events.ok()) {
      batch.status = events.status();
      return batch;
    }
    if (events->empty()) break;
    for (const auto& e : *events) {
      auto message = std::make_shared<const std::string>(Serialise(store::ToJson(e)));
      bytes += message->size();
      if (bytes > options.max_replay_bytes) {
        // Streaming starts after last_id; the events read beyond it are in the live buffer.
        batch.truncated = true;
        batch.from = *last;
        batch.events.clear();
        return batch;
      }
      batch.events.emplace_back(e.id, std::move(message));
      cursor = e.id;
    }
  }
  if (!hub_->ReserveReplay(bytes)) {
    // Other clients hold the hub's whole replay budget.
    batch.truncated = true;
    batch.from = *last;
    batch.events.clear();
    return batch;
  }
  batch.reserved = bytes;
  return batch;
}

Session::Batch Session::ReadNext(store::Id from, int limit) const {
  Batch batch;
  batch.from = from;
  if (gone_) return batch;
  auto events = hub_->store().EventsAfter(from, limit);
  if (!events.ok()) {
    batch.status = events.status();
    return batch;
  }
  batch.complete = events->empty();
  batch.events.reserve(events->size());
  for (const auto& e : *events) {
    batch.events.emplace_back(e.id,
                              std::make_shared<const std::string>(Serialise(store::ToJson(e))));
  }
  return batch;
}

void Session::OnBatch(Batch batch) {
  fetching_ = false;
  replay_reserved_ += batch.reserved;
  if (closing_) return ReleaseReplay();
  if (!batch.status.ok()) {
    log::Warn("live: replay read failed", {{"error", batch.status.ToString()}});
    return Close(websocket::close_code::internal_error, "store unavailable");
  }
  if (batch.first) {
    cursor_ = batch.from;
    nlohmann::json hello = {{"type", "hello"}, {"last_event_id", batch.last_id}};
    if (batch.truncated) hello["replay"] = "truncated";
    Enqueue(std::make_shared<const std::string>(Serialise(hello)));
  }
  hub_->CountReplayed(batch.events.size());
  for (auto& [id, message] : batch.events) {
    cursor_ = id;
    Enqueue(std::move(message));
  }
  if (!batch.complete || fetch_gen_ != discard_gen_) {
    // Not caught up yet (or live events were dropped while reading): read on once the queue
    // drains. Going live only once the queue has drained and a read came back complete bounds
    // the queue by max_queue (after the first read's window).
    need_fetch_ = true;
    return MaybeFetch();
  }
  // Caught up: the buffered live events with larger ids follow without gap or duplicate.
  live_ = true;
  for (auto& [id, message] : live_buffer_) {
    if (id <= cursor_) continue;
    hub_->CountDelivered();
    Enqueue(std::move(message));
  }
  live_buffer_.clear();
  live_buffer_.shrink_to_fit();
}

void Session::MaybeFetch() {
  if (need_fetch_ && !fetching_ && !closing_ && queue_.empty()) {
    need_fetch_ = false;
    Fetch();
  }
}

void Session::Deliver(store::Id id, Message message) {
  net::post(ws_.get_executor(), [self = shared_from_this(), id, m = std::move(message)]() mutable {
    self->OnLive(id, std::move(m));
  });
}

void Session::Shutdown() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->Close(websocket::close_code::going_away, "server shutting down");
  });
}

void Session::OnLive(store::Id id, Message message) {
  if (closing_) return;
  const size_t max_queue = hub_->options().max_queue;
  if (!live_) {
    // During replay every live event is also in the store: if too many pile up, drop them and
    // let replay read them back.
    if (live_buffer_.size() >= max_queue) {
      live_buffer_.clear();
      ++discard_gen_;
    }
    live_buffer_.emplace_back(id, std::move(message));
    return;
  }
  if (id <= cursor_) return;  // already replayed
  if (queue_.size() >= max_queue) {
    log::Warn("live: dropping a client that cannot keep up", {{"queued", queue_.size()}});
    return Close(websocket::close_code::policy_error, "too slow");
  }
  hub_->CountDelivered();
  Enqueue(std::move(message));
}

void Session::Enqueue(Message message) {
  queue_.push_back(std::move(message));
  DoWrite();
}

void Session::DoWrite() {
  if (in_flight_ || closing_ || queue_.empty()) return;
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  ws_.text(true);
  ws_.async_write(net::buffer(*in_flight_),
                  [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
}

void Session::OnWrite(beast::error_code ec) {
  in_flight_.reset();
  if (ec) return Finish();
  if (queue_.empty()) ReleaseReplay();
  if (close_pending_) return DoClose();
  MaybeFetch();
  DoWrite();
}

void Session::DoRead() {
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->OnRead(ec, n);
  });
}

void Session::OnRead(beast::error_code ec, size_t) {
  if (ec) {
    // Closed by the peer, by our close handshake, or by a protocol violation (oversized
    // message 1009, invalid UTF-8 1007, bad frame 1002), for which Beast has already sent the
    // close frame.
    if (ec != websocket::error::closed) {
      log::Write(log::Level::kDebug, "live: connection ended", {{"error", ec.message()}});
    }
    return Finish();
  }
  if (!closing_) {
    auto data = read_buffer_.cdata();
    auto verdict =
        CheckClientMessage(ws_.got_text(), {static_cast<const char*>(data.data()), data.size()},
                           hub_->options().max_client_message);
    if (!verdict.accepted()) {
      Close(static_cast<websocket::close_code>(verdict.close_code),
            std::string(verdict.reason).c_str());
    }
  }
  read_buffer_.consume(read_buffer_.size());
  // Keep reading while closing too: the peer's close frame completes the close handshake.
  DoRead();
}

void Session::Close(websocket::close_code code, const char* reason) {
  if (closing_) return;
  closing_ = true;
  gone_ = true;
  ReleaseReplay();
  close_reason_ = websocket::close_reason(code, reason);
  queue_.clear();
  live_buffer_.clear();
  hub_->Unregister(this);
  teardown_timer_.expires_after(kCloseGrace);
  teardown_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) beast::get_lowest_layer(self->ws_).close();
  });
  if (in_flight_) {
    close_pending_ = true;
  } else {
    DoClose();
  }
}

void Session::DoClose() {
  close_pending_ = false;
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {
    // The read loop ends with the peer's close frame (or the teardown deadline).
  });
}

void Session::Finish() {
  closing_ = true;
  gone_ = true;
  ReleaseReplay();
  queue_.clear();
  live_buffer_.clear();
  teardown_timer_.cancel();
  hub_->Unregister(this);
}

}  // namespace vs::live
