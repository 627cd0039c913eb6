// One HTTP/1.1 POST with deadlines (Boost.Beast), for webhook deliveries, over plain TCP or, for
// an https target, TLS (tls.h: the receiver's certificate is always verified). Blocking: it runs
// on a delivery worker thread, never on a request or ingest thread.
//
// The host name is resolved by the system resolver; only addresses that AddressAllowed accepts
// are connected to (target.h), with or without TLS. Connecting (TCP, then the TLS handshake)
// has its own deadline; sending the request and reading the answer share a second one. At most
// max_response_bytes of the answer's body are read (the status line is what counts); redirects
// are not followed (a 3xx is a failed attempt).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "webhooks/target.h"
#include "webhooks/tls.h"

namespace vs::webhooks {

struct PostOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds response_timeout{10000};  // write the request + read the answer
  bool allow_link_local = false;
  size_t max_response_bytes = 64 * 1024;
  // The TLS settings of https targets; null: the system trust store alone (TlsClient::Create
  // with no CA file, made once per process).
  std::shared_ptr<TlsClient> tls;
};

struct PostAnswer {
  int status = 0;         // HTTP status code
  std::string body_head;  // the first bytes of the answer's body (for error messages)
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// The answer, whatever its status; Unavailable when the host cannot be resolved, connected to or
// does not answer in time, or when the TLS handshake fails (a refused certificate is
// "TLS handshake failed: certificate verify failed: <reason>"); PermissionDenied when every
// address of the host is refused.
Result<PostAnswer> Post(const Target& target, const Headers& headers, const std::string& body,
                        const PostOptions& options);

}  // namespace vs::webhooks
