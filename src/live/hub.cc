#include "live/hub.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <future>
#include <utility>

#include "core/log.h"
#include "live/hub_impl.h"
#include "live/session.h"
#include "store/json.h"

namespace vs::live {
namespace net = boost::asio;
namespace beast = boost::beast;

std::shared_ptr<Hub> Hub::Create(store::Store& store, EventBus& bus, HubOptions options) {
  auto hub = std::make_shared<HubImpl>(store, std::move(options));
  // The bus has no unsubscribe: a hub that is gone simply ignores events.
  bus.Subscribe([weak = std::weak_ptr<HubImpl>(hub)](const store::Event& event) {
    if (auto h = weak.lock()) h->OnEvent(event);
  });
  return hub;
}

HubImpl::HubImpl(store::Store& store, HubOptions options)
    : store_(store), options_(std::move(options)) {}

HubImpl::~HubImpl() {
  fanout_.join();
  worker_.join();
}

void HubImpl::Accept(beast::tcp_stream stream,
                     beast::http::request<beast::http::string_body> request,
                     std::shared_ptr<void> hold) {
  // A session's handlers must never run concurrently. Unless the stream already runs on a
  // strand, move its socket onto a new strand of the same execution context.
  using IoStrand = net::strand<net::io_context::executor_type>;
  using AnyStrand = net::strand<net::any_io_executor>;
  auto start = [&](beast::tcp_stream s) {
    std::make_shared<Session>(shared_from_this(), std::move(s), std::move(request), std::move(hold))
        ->Start();
  };
  if (stream.get_executor().target<IoStrand>() || stream.get_executor().target<AnyStrand>()) {
    return start(std::move(stream));
  }
  beast::tcp_stream rehomed(net::make_strand(stream.get_executor()));
  beast::error_code ec;
  auto protocol = stream.socket().local_endpoint(ec).protocol();
  if (!ec) {
    auto fd = stream.socket().release(ec);
    if (!ec) rehomed.socket().assign(protocol, fd, ec);
  }
  if (ec) {
    log::Warn("live: cannot take over connection", {{"error", ec.message()}});
    return;
  }
  start(std::move(rehomed));
}

size_t HubImpl::client_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

bool HubImpl::AdmitClient() {
  std::lock_guard lock(mu_);
  if (admitted_ >= options_.max_clients) return false;
  ++admitted_;
  return true;
}

void HubImpl::LeaveClient() {
  std::lock_guard lock(mu_);
  --admitted_;
}

bool HubImpl::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::vector<std::shared_ptr<Session>> HubImpl::SessionsLocked() const {
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (const auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void HubImpl::CloseAll() {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    sessions = SessionsLocked();
  }
  for (const auto& s : sessions) s->Shutdown();
  sessions.clear();  // outside mu_: this may be the last reference (see SessionsLocked)
  // A fan-out task queued or running before closed_ was set may still post to the sessions'
  // strands: wait until the fan-out thread has passed every such task (later ones see closed_
  // and do nothing), so the I/O context may be destroyed once this returns.
  std::promise<void> passed;
  net::post(fanout_, [&passed] { passed.set_value(); });
  passed.get_future().wait();
  // A replay read in flight posts its result to the I/O context: let it finish, so that the
  // caller may stop and destroy the I/O context once this returns.
  std::unique_lock lock(mu_);
  fetches_done_.wait_for(lock, std::chrono::seconds(5), [this] { return fetches_ == 0; });
}

bool HubImpl::BeginFetch() {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  ++fetches_;
  return true;
}

bool HubImpl::ReserveReplay(size_t bytes) {
  size_t held = replay_held_.load();
  do {
    if (held + bytes > options_.max_replay_bytes_total) return false;
  } while (!replay_held_.compare_exchange_weak(held, held + bytes));
  return true;
}

void HubImpl::ReleaseReplay(size_t bytes) { replay_held_.fetch_sub(bytes); }

void HubImpl::EndFetch() {
  std::lock_guard lock(mu_);
  if (--fetches_ == 0) fetches_done_.notify_all();
}

bool HubImpl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void HubImpl::Unregister(const Session* session) {
  std::lock_guard lock(mu_);
  sessions_.erase(session);
}

void HubImpl::OnEvent(const store::Event& event) {
  // Serialised once; invalid UTF-8 in a payload is replaced rather than thrown.
  auto message = std::make_shared<const std::string>(
      store::ToJson(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  // The publisher is the store's commit path: the per-client work happens on the fan-out thread.
  // `this` outlives the task because the destructor joins fanout_ first.
  net::post(fanout_, [this, id = event.id, message = std::move(message)] {
    std::vector<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      sessions = SessionsLocked();
    }
    // Deliver only posts to the session's strand: O(clients) posts, no waiting on a client.
    // Outside mu_, so that the copies (possibly the last references) are released outside it.
    for (const auto& s : sessions) s->Deliver(id, message);
  });
}

}  // namespace vs::live
