#include "webhooks/tls.h"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>

namespace vs::webhooks {

TlsClient::TlsClient() : context_(boost::asio::ssl::context::tls_client) {}

Result<std::shared_ptr<TlsClient>> TlsClient::Create(const std::string& ca_file) {
  std::shared_ptr<TlsClient> client(new TlsClient());
  SSL_CTX* ctx = client->context_.native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return Status::Internal("cannot require TLS 1.2 or newer");
  }
  boost::system::error_code ec;
  client->context_.set_verify_mode(boost::asio::ssl::verify_peer, ec);
  if (ec) return Status::Internal("cannot turn on certificate verification: " + ec.message());
  client->context_.set_default_verify_paths(ec);
  if (ec) return Status::Internal("cannot use the system trust store: " + ec.message());
  if (!ca_file.empty()) {
    // Checked first for a clear message: OpenSSL's own says only "system lib".
    if (!std::ifstream(ca_file).good()) {
      return Status::InvalidValue("cannot read the webhook CA file " + ca_file);
    }
    client->context_.load_verify_file(ca_file, ec);
    if (ec) {
      return Status::InvalidValue("the webhook CA file " + ca_file +
                                  " holds no PEM certificate: " + ec.message());
    }
  }
  return client;
}

Status ExpectPeer(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  const auto literal = boost::asio::ip::make_address(host, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, literal.to_string().c_str()) != 1) {
      return Status::Internal("cannot set the expected IP address " + host);
    }
    return Status::Ok();
  }
  // No partial wildcards ("w*.example.com"): RFC 6125 section 6.4.3 advises against them.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    return Status::Internal("cannot set the expected host name " + host);
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return Status::Internal("cannot send the host name " + host + " (SNI)");
  }
  return Status::Ok();
}

std::string DescribeHandshakeError(const boost::system::error_code& ec, SSL* ssl) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return ec.message();
}

}  // namespace vs::webhooks
