// A real Server on 127.0.0.1 and a free port, answering through a Router the test fills in.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "http/router.h"
#include "http/server.h"
#include "test_client.h"

namespace vs::http::testing {

class TestServer {
 public:
  // Routes must be added before Start().
  Router router;

  void Start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(
        std::move(options), [this](Request& r) { return router.Dispatch(r); }, nullptr);
    const Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  Client Connect(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return Client(ioc_, port(), timeout);
  }
  asio::io_context& ioc() { return ioc_; }

 private:
  asio::io_context ioc_;
  std::unique_ptr<Server> server_;
};

}  // namespace vs::http::testing
