// WebSocket push of live events to dashboards (GET /api/live, upgraded).
//
// Protocol: the client may pass ?after=<last event id it saw>; the hub first replays stored
// events with larger ids (from Store::EventsAfter), then streams new ones, each as one text
// message {"id": N, "type": "...", "payload": {...}, "created_at": "..."}. A client that falls
// more than HubOptions::max_queue messages behind is closed (code 1008, "too slow") and is
// expected to reconnect with its last id. Client messages are ignored except that malformed or
// oversized ones close that connection (see CheckClientMessage in request_checks.h).
//
// The first message is {"type":"hello","last_event_id":N} (the newest stored event). Without
// ?after, or with an after > N (a position from other data), streaming starts after N.
//
// Replay is bounded: when ?after is more than HubOptions::max_replay_events events behind N, or
// the events it missed serialise to more than max_replay_bytes, nothing is replayed and the
// hello says so: {"type":"hello","last_event_id":N,"replay":"truncated"}. Streaming then starts
// after N, and the client must re-read its data over the REST API (the dashboard re-reads
// everything on every hello) and continue from N. A hello without "replay" is followed by every
// event after the client's position, none twice.
//
// Event payloads carry ids and a few fields, never whole records (read the record over REST):
//   scan.created      {scan_id, store, shelf_location, detections_count, captured_at}
//   planogram.changed {planogram_id, action: "created"|"updated"|"deleted", planogram_name}
//   product.changed   {product_id, class_name}
//   model.changed     {model_id, is_active}
//   discrepancies.changed {planogram_name, count}
//   compliance.updated {scan_id, store, shelf_location, result_ids, planogram_names}
//   alert.raised / alert.resolved / alert.acknowledged
//                     {alert_id, type, store, shelf_location, sku, planogram_name, status}
// (events stored before schema version 7 were rewritten to this form; a planogram deletion
// recorded before it has planogram_name null).
//
// Refusals before the upgrade, answered with {"error":{"code":..,"message":..}}: 400 (not an
// upgrade, bad ?after), 403 (Origin), 401 (HubOptions::authorize said no), 503 (after CloseAll,
// or max_clients connected).
// Close codes: 1001 shutdown, 1003 binary message, 1007 malformed message, 1008 "too slow",
// 1009 oversized message, 1011 store unavailable.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "live/event_bus.h"
#include "store/store.h"

namespace vs::live {

using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct HubOptions {
  size_t max_queue = 1024;           // messages waiting per client before it is dropped
  size_t max_client_message = 4096;  // bytes; larger client messages close the connection
  // Connected clients at most; further upgrade requests are answered 503 until one leaves.
  size_t max_clients = 10000;
  // Replay bounds (see the protocol above): a client further behind than either gets a
  // "truncated" hello and no replay. A replaying client holds at most max_replay_bytes (plus
  // one event) of replay in memory.
  size_t max_replay_events = 1000;
  size_t max_replay_bytes = 1 << 20;
  // Replay held by all clients together (replayed messages not yet written to their sockets):
  // a replay that would exceed it is truncated too, so clients that ask for replays and never
  // read cannot make the server hold more.
  size_t max_replay_bytes_total = 64 << 20;
  // Events per store read during replay. Reads stop between pages once the client has gone.
  int replay_page = 256;

  // Browser origins. Requests without an Origin header (non-browser clients) are accepted
  // without consulting either rule. When `origin_allowed` is set it alone decides, called with
  // the Origin header's value; otherwise `allowed_origins` does (exact values, ASCII
  // case-insensitive), and when that is empty too, only the same host (Origin's host:port
  // equals Host). Refused: 403.
  std::function<bool(std::string_view origin)> origin_allowed;
  std::vector<std::string> allowed_origins;
  // Whether the upgrade request may open a live connection (credentials, say); false answers
  // 401 before upgrading. Empty: every request may. Checked after the Origin.
  std::function<bool(const UpgradeRequest& request)> authorize;
  // Both callbacks run on an I/O thread, possibly several at once: they must be thread-safe
  // and must not block.
};

class Hub {
 public:
  virtual ~Hub() = default;

  // Subscribes to `bus`; replays from `store`.
  static std::shared_ptr<Hub> Create(store::Store& store, EventBus& bus, HubOptions options);

  // Takes over a connection whose request is a WebSocket upgrade to /api/live: checks it (the
  // refusals above: answered, then closed), completes the handshake and serves the client until
  // it leaves. Runs on the stream's executor; never blocks the caller.
  virtual void Accept(boost::beast::tcp_stream stream, UpgradeRequest request) = 0;

  virtual size_t client_count() const = 0;
  // Closes every client (server shutdown) and refuses new ones (503). Returns once no store read
  // started by the hub is still running, so the I/O threads may be stopped afterwards.
  virtual void CloseAll() = 0;
};

}  // namespace vs::live
