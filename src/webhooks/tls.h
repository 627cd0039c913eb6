// TLS for https webhook deliveries: Boost.Asio SSL over OpenSSL.
//
// A TlsClient is one OpenSSL client context, configured once (at start) and then shared,
// read-only, by every delivery thread (OpenSSL allows that). It speaks TLS 1.2 or newer and
// always verifies the receiver; there is deliberately no way to turn verification off (a
// receiver with a private CA is trusted by adding that CA with the CA file instead):
//   - the certificate chain must end in a certificate of the system trust store (OpenSSL's
//     default locations: on Debian /etc/ssl/certs, kept by the ca-certificates package;
//     SSL_CERT_FILE / SSL_CERT_DIR replace them, as for every OpenSSL program) or of the CA file;
//   - the certificate must name the URL's host (OpenSSL's RFC 6125 check: a DNS name in
//     subjectAltName, a wildcard only as the whole left-most label; an IP address SAN for a
//     literal address);
//   - the host name is sent as SNI (not for literal addresses, as RFC 6066 says).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "core/status.h"

namespace vs::webhooks {

class TlsClient {
 public:
  // The system trust store plus, unless `ca_file` is empty, every certificate of that PEM file.
  // InvalidValue when the CA file cannot be read or holds no certificate; Internal when the
  // system trust store cannot be set up.
  static Result<std::shared_ptr<TlsClient>> Create(const std::string& ca_file);

  boost::asio::ssl::context& context() { return context_; }

 private:
  TlsClient();
  boost::asio::ssl::context context_;
};

// Makes the connection `ssl` (not yet handshaken) send SNI for `host` and accept only a
// certificate that names it. Internal if OpenSSL refuses the settings.
Status ExpectPeer(SSL* ssl, const std::string& host);

// The reason of a failed handshake on `ssl`, for logs and the deliveries route: for a
// certificate refused by verification "certificate verify failed: <OpenSSL's verify result>"
// (e.g. "self-signed certificate", "hostname mismatch"), else the error's own message.
std::string DescribeHandshakeError(const boost::system::error_code& ec, SSL* ssl);

}  // namespace vs::webhooks
