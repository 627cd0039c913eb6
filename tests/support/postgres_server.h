// A private PostgreSQL 15 server for one test binary (see postgres-server.sh, which does the
// work, so that node tests share it). The server lives in a fresh temporary folder on a free
// port of 127.0.0.1; it is stopped and its folder removed when the object is destroyed, when the
// process exits, and also when the process is killed (the helper notices its closed pipe).
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

#include "core/status.h"

namespace vs::testing {

class PostgresServer {
 public:
  PostgresServer() = default;
  ~PostgresServer() { Stop(); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The one server of this process, started on first use (nullptr with the reason logged to
  // stderr when it cannot start). It lives until exit.
  static PostgresServer* Shared();

  // Initialises and starts the server (up to ~30 s).
  Status Start();
  // postgresql:// URL of the `postgres` database (superuser `postgres`, trust authentication).
  const std::string& url() const { return url_; }
  // The URL of database `name` on this server.
  std::string UrlOf(const std::string& name) const;
  // A new empty database (unique name) for one test, and its URL.
  Result<std::string> FreshDatabase();
  // Stops the server at once, as a crash would (pg_ctl -m immediate), keeping its data.
  Status Kill();
  // Starts it again after Kill, on the same port and data.
  Status Revive();
  // Kill then Revive.
  Status Restart();
  // Stops the server and removes its folder. Idempotent.
  void Stop();

 private:
  Result<std::string> Command(const std::string& cmd);
  pid_t helper_ = -1;
  FILE* to_ = nullptr;    // helper's stdin
  FILE* from_ = nullptr;  // helper's stdout
  std::string url_;
  int next_db_ = 0;
};

}  // namespace vs::testing
