// WebSocket push of live events to dashboards (GET /api/live, upgraded).
//
// Protocol: the client may pass ?after=<last event id it saw>; the hub first replays stored
// events with larger ids (from Store::EventsAfter), then streams new ones, each as one text
// message {"id": N, "type": "...", "payload": {...}, "created_at": "..."}. A client that falls
// more than HubOptions::max_queue messages behind is closed (code 1008, "too slow") and is
// expected to reconnect with its last id. Client messages are ignored except that malformed or
// oversized ones close that connection.
//
// The first message is {"type":"hello","last_event_id":N} (the newest stored event). Without
// ?after, or with an after > N (a position from other data), streaming starts after N. Refusals
// before the upgrade: 403 (Origin), 400 (bad ?after), 503 (after CloseAll). Close codes: 1001
// shutdown, 1003 binary message, 1007 malformed message, 1008 "too slow", 1009 oversized
// message, 1011 store unavailable.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "live/event_bus.h"
#include "store/store.h"

namespace vs::live {

struct HubOptions {
  size_t max_queue = 1024;           // messages waiting per client before it is dropped
  size_t max_client_message = 4096;  // bytes; larger client messages close the connection
  // Allowed Origin header values; empty list = same host only (Origin's host equals Host).
  // Requests without an Origin header (non-browser clients) are accepted.
  std::vector<std::string> allowed_origins;
};

class Hub {
 public:
  virtual ~Hub() = default;

  // Subscribes to `bus`; replays from `store`.
  static std::shared_ptr<Hub> Create(store::Store& store, EventBus& bus, HubOptions options);

  // Takes over a connection whose request is a WebSocket upgrade to /api/live: checks Origin
  // (403 and close if refused), completes the handshake and serves the client until it leaves.
  // Runs on the stream's executor; never blocks the caller.
  virtual void Accept(boost::beast::tcp_stream stream,
                      boost::beast::http::request<boost::beast::http::string_body> request) = 0;

  virtual size_t client_count() const = 0;
  // Closes every client (server shutdown) and refuses new ones (503). Returns once no store read
  // started by the hub is still running, so the I/O threads may be stopped afterwards.
  virtual void CloseAll() = 0;
};

}  // namespace vs::live
