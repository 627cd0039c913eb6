// Post to https targets served by a real TLS receiver on 127.0.0.1, with certificates made here
// with OpenSSL: trusted through the CA file or not, naming the host or another one.
#include "webhooks/tls.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "webhooks/http_post.h"

namespace vs::webhooks {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

struct Pem {
  std::string key;
  std::string cert;
};

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string Text(const BioPtr& bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return Text(bio);
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  return Text(bio);
}

// A self-signed P-256 certificate valid for an hour, for the subjectAltName `san`
// ("DNS:localhost,IP:127.0.0.1"): its own CA, trusted only where its PEM is in the CA file.
Pem SelfSigned(const std::string& san) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("webhook test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(x, key.get(), EVP_sha256());
  return {.key = KeyPem(key.get()), .cert = CertPem(x)};
}

// A CA file holding `pem` in a temporary folder, removed with the object.
class CaFile {
 public:
  explicit CaFile(const std::string& pem)
      : path_(std::filesystem::temp_directory_path() /
              ("vs-webhooks-ca-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) +
               ".pem")) {
    std::ofstream(path_) << pem;
  }
  ~CaFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// Serves one TLS connection on 127.0.0.1 with `pem`: reads the request head, answers `answer`,
// then closes the TCP connection without a TLS close_notify (as many servers do after
// "Connection: close"). Keeps the request head and the SNI name it received.
class TlsReceiver {
 public:
  TlsReceiver(const Pem& pem, std::string answer)
      : context_(ssl::context::tls_server),
        acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    context_.use_certificate_chain(net::buffer(pem.cert));
    context_.use_private_key(net::buffer(pem.key), ssl::context::pem);
    thread_ = std::thread([this, answer = std::move(answer)] {
      boost::system::error_code ec;
      ssl::stream<tcp::socket> stream(io_, context_);
      acceptor_.accept(stream.lowest_layer(), ec);
      if (ec) return;
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) return;  // the client refused us
      if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name))
        sni_ = sni;
      net::streambuf buf;
      net::read_until(stream, buf, "\r\n\r\n", ec);
      request_.assign(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
      net::write(stream, net::buffer(answer), ec);
      stream.lowest_layer().close(ec);
    });
  }
  ~TlsReceiver() { Join(); }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  const std::string& request() const { return request_; }
  const std::string& sni() const { return sni_; }

 private:
  net::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::string request_;
  std::string sni_;
};

// Trusts `pem` (and the system's CAs).
std::shared_ptr<TlsClient> Trusting(const Pem& pem) {
  CaFile file(pem.cert);
  auto tls = TlsClient::Create(file.path());
  EXPECT_TRUE(tls.ok()) << tls.status().ToString();
  return tls.ok() ? *tls : nullptr;
}

Target At(const char* host, uint16_t port) {
  return {.host = host, .port = port, .path = "/hooks/in", .tls = true};
}

constexpr char kOk[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\naccepted";  // body until EOF

TEST(PostTls, DeliversToATrustedReceiverByName) {
  const Pem pem = SelfSigned("DNS:localhost");
  TlsReceiver rx(pem, kOk);
  auto answer =
      Post(At("localhost", rx.port()), {{"X-Test", "yes"}}, R"({"a":1})", {.tls = Trusting(pem)});
  rx.Join();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200);
  // Read to the end although the receiver sent no close_notify.
  EXPECT_EQ(answer->body_head, "accepted");
  EXPECT_NE(rx.request().find("POST /hooks/in HTTP/1.1\r\n"), std::string::npos) << rx.request();
  EXPECT_NE(rx.request().find("Host: localhost:" + std::to_string(rx.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(rx.request().find("X-Test: yes\r\n"), std::string::npos);
  EXPECT_EQ(rx.sni(), "localhost");
}

TEST(PostTls, DeliversToATrustedReceiverByAddressWithoutSni) {
  const Pem pem = SelfSigned("IP:127.0.0.1");
  TlsReceiver rx(pem, kOk);
  auto answer = Post(At("127.0.0.1", rx.port()), {}, "{}", {.tls = Trusting(pem)});
  rx.Join();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(rx.sni(), "");
}

struct Refusal {
  const char* san;   // the receiver's certificate
  const char* host;  // the URL's host
  bool trusted;      // its certificate in the CA file
  const char* reason;
};

TEST(PostTls, RefusesUntrustedAndMisnamedCertificates) {
  const Refusal cases[] = {
      {"DNS:localhost", "localhost", false, "self-signed certificate"},
      {"DNS:receiver.example", "localhost", true, "hostname mismatch"},
      {"DNS:localhost", "127.0.0.1", true, "IP address mismatch"},
      {"IP:127.0.0.2", "127.0.0.1", true, "IP address mismatch"},
  };
  for (const Refusal& c : cases) {
    const Pem pem = SelfSigned(c.san);
    TlsReceiver rx(pem, kOk);
    PostOptions options;
    if (c.trusted) options.tls = Trusting(pem);
    auto answer = Post(At(c.host, rx.port()), {}, "{}", options);
    rx.Join();
    ASSERT_FALSE(answer.ok()) << c.san << " for " << c.host;
    EXPECT_EQ(answer.status().code(), Code::kUnavailable);
    EXPECT_EQ(answer.status().message(),
              std::string("TLS handshake failed: certificate verify failed: ") + c.reason)
        << c.san << " for " << c.host;
    EXPECT_EQ(rx.request(), "") << "nothing was sent to " << c.san;
  }
}

TEST(TlsClient, TheCaFileMustHoldACertificate) {
  EXPECT_TRUE(TlsClient::Create("").ok());
  // Debian's bundle of the system's CAs is a valid extra CA file.
  EXPECT_TRUE(TlsClient::Create("/etc/ssl/certs/ca-certificates.crt").ok());
  auto missing = TlsClient::Create("/nonexistent/ca.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kInvalidValue);
  EXPECT_NE(missing.status().message().find("cannot read"), std::string::npos);
  auto photo = TlsClient::Create("/usr/share/darknet/data/dog.jpg");
  ASSERT_FALSE(photo.ok());
  EXPECT_EQ(photo.status().code(), Code::kInvalidValue);
  EXPECT_NE(photo.status().message().find("holds no PEM certificate"), std::string::npos)
      << photo.status().message();
}

}  // namespace
}  // namespace vs::webhooks
