// One live client: the WebSocket handshake, hello, replay of stored events, then live events,
// over one bounded queue. All state is touched only on the session's strand; the public methods
// may be called from any thread.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/types.h"

namespace vs::live {

class HubImpl;

// A serialised event, shared by every client it is sent to.
using Message = std::shared_ptr<const std::string>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  // `stream` must already run on a strand (see HubImpl::Accept).
  // `hold` is kept for the connection's life (see Hub::Accept); may be null.
  Session(std::shared_ptr<HubImpl> hub, boost::beast::tcp_stream stream, Request request,
          std::shared_ptr<void> hold);
  ~Session();

  // Checks the request, then handshakes and serves.
  void Start();
  // Queues a live event (no-op once the session is closing).
  void Deliver(store::Id id, Message message);
  // Closes the connection with 1001 "server shutting down".
  void Shutdown();

 private:
  // One replay read on the worker.
  struct Batch {
    Status status;
    bool first = false;
    bool truncated = false;  // first batch: beyond the replay bounds, nothing replayed
    bool complete = false;   // every event up to the read's end is in `events`
    store::Id from = 0;      // first batch: the position replay starts after
    store::Id last_id = 0;   // first batch: Store::LastEventId() for the hello
    size_t reserved = 0;     // bytes of `events` reserved in the hub's replay budget
    std::vector<std::pair<store::Id, Message>> events;
  };
  // The reads themselves (on the worker). The first covers the client's whole replay window
  // (from ?after= to the newest event), in pages; a later one reads one page after `from`.
  // Both stop early, incomplete, once gone_ is set.
  Batch ReadFirst(std::optional<store::Id> after) const;
  Batch ReadNext(store::Id from, int limit) const;

  void Reject(boost::beast::http::status status, const char* code, const std::string& message);
  void OnHandshake(boost::beast::error_code ec);
  void Fetch();
  void OnBatch(Batch batch);
  void MaybeFetch();
  void OnLive(store::Id id, Message message);
  void Enqueue(Message message);
  void DoWrite();
  void OnWrite(boost::beast::error_code ec);
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  // Starts a close handshake with `code` after the write in flight; releases queued messages.
  void Close(boost::beast::websocket::close_code code, const char* reason);
  void DoClose();
  // The connection is over (error or closed by the peer).
  void Finish();

  std::shared_ptr<HubImpl> hub_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  Request request_;
  boost::beast::http::response<boost::beast::http::string_body> response_;  // for Reject
  boost::beast::flat_buffer read_buffer_;
  boost::asio::steady_timer teardown_timer_;

  std::optional<store::Id> after_;  // from ?after=
  // Set (on the strand) once the connection is closing or over; read by replay reads on the
  // worker, which then stop.
  std::atomic<bool> gone_{false};
  // The first replay's reservation in the hub's budget, released once the queue has drained or
  // the connection is closing.
  size_t replay_reserved_ = 0;
  void ReleaseReplay();
  bool registered_ = false;
  bool admitted_ = false;  // holds a place among the hub's max_clients
  std::shared_ptr<void> hold_;
  bool live_ = false;          // replay finished: events go straight to the queue
  store::Id cursor_ = 0;       // replay position; after going live, the last replayed id
  bool fetched_once_ = false;  // the first replay read (with the hello) has been issued
  bool fetching_ = false;      // a replay read is on the worker
  bool need_fetch_ = false;    // another replay read is due once the queue drains
  uint64_t discard_gen_ = 0;   // bumped when live events buffered during replay are dropped
  uint64_t fetch_gen_ = 0;     // discard_gen_ when the current read was issued
  std::vector<std::pair<store::Id, Message>> live_buffer_;  // live events during replay

  std::deque<Message> queue_;  // waiting to be written
  Message in_flight_;          // being written
  bool closing_ = false;
  bool close_pending_ = false;  // close once the write in flight completes
  boost::beast::websocket::close_reason close_reason_;
};

}  // namespace vs::live
