// The request and response types every handler sees. Handlers run on the worker pool, never on
// an I/O thread, so they may block (decode, inference, database).
#pragma once

#include <atomic>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/role.h"

namespace vs::http {

namespace beast_http = boost::beast::http;

// A request as handlers and the upgrade handler see it. The server reads bodies with
// GrowingStringBody (http/growing_body.h: memory only for bytes received, never the announced
// Content-Length) and moves the std::string in, so this stays Beast's string_body type.
using RawRequest = beast_http::request<beast_http::string_body>;

// Boost 1.74's Beast speaks boost::string_view; these convert at the edges.
inline std::string_view Sv(boost::beast::string_view s) { return {s.data(), s.size()}; }
inline boost::beast::string_view Bsv(std::string_view s) { return {s.data(), s.size()}; }
using Response = beast_http::response<beast_http::string_body>;

// Decoded query parameters in the order they appeared; a name may repeat.
class QueryParams {
 public:
  void Add(std::string name, std::string value);
  // The first value of `name`, if present.
  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  RawRequest raw;
  std::string path;   // percent-decoded path, without the query
  QueryParams query;  // decoded query parameters
  std::map<std::string, std::string, std::less<>> params;  // path parameters, set by the router
  std::chrono::steady_clock::time_point received_at;
  std::string remote_address;  // the peer's IP address ("127.0.0.1", "::1"), empty if unknown
  // Set (by the server) once the client has gone away; long handlers poll it between steps and
  // give up, storing nothing. Never null.
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

  bool client_gone() const { return cancelled->load(std::memory_order_relaxed); }

  // The route pattern that matched ("/api/scans/{id}"), set by the router; empty when none did.
  // A handler outside the router may name a fixed word instead ("static"). For metrics and the
  // access log, whose label values must stay a bounded set: never the raw path.
  std::string route;
  // This request's id: a sane X-Request-Id from the client or proxy, else generated (see
  // http/request_id.h). Also sent back as X-Request-Id.
  std::string request_id;

  // The authenticated caller, set by the API before its handler runs.
  Role caller_role = Role::kPublic;
  std::string caller;  // how the audit log names the caller ("alice", "token:3 camera-4", ...)

  beast_http::verb method() const { return raw.method(); }
  std::string_view target() const { return Sv(raw.target()); }
  const std::string& body() const { return raw.body(); }
  // Value of a header, empty if absent.
  std::string_view header(beast_http::field f) const { return Sv(raw[f]); }
};

}  // namespace vs::http
