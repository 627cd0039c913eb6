// Opening the PostgreSQL backend directly (tests, benchmarks). Programs use store::Open
// (store/open.h), which calls this for postgresql:// and postgres:// URLs.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace vs::store {

struct PostgresOptions {
  std::string url;                                  // postgresql://user@host:port/db?…
  int max_connections = 8;                          // the pool's bound
  std::chrono::milliseconds acquire_timeout{1000};  // then Unavailable (503)
  std::chrono::milliseconds listener_poll{1000};    // the listener's safety-net poll
};

// Connects, applies migrations (under an advisory lock), and returns the store.
Result<std::unique_ptr<Store>> OpenPostgres(const PostgresOptions& options);

}  // namespace vs::store
