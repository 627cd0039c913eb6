// Store tests run once per backend: a test written as TEST_P(Suite, Name) over a BackendTest
// fixture gets a fresh, empty store of each kind — a new SQLite file, or a new database on this
// binary's private PostgreSQL server (tests/support/postgres_server.h) — and can open more
// instances on the same data (another process sharing the file, another server instance
// sharing the database).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "postgres_server.h"
#include "store/open.h"
#include "store/store.h"
#include "test_util.h"

namespace vs::store::testing {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto* server = vs::testing::PostgresServer::Shared();
      ASSERT_NE(server, nullptr) << "no PostgreSQL server for the postgres backend";
      auto url = server->FreshDatabase();
      ASSERT_TRUE(url.ok()) << url.status().ToString();
      url_ = *url;
    } else {
      url_ = "sqlite:" + dir_.File("vs.db");
    }
  }
  bool postgres() const { return GetParam() == "postgres"; }
  // The database URL ("sqlite:PATH" or "postgresql://…").
  const std::string& url() const { return url_; }
  // The SQLite file (SQLite only).
  std::string sqlite_path() const { return dir_.File("vs.db"); }
  // Opens (another instance of) the store at this test's location; nullptr after a failure.
  std::unique_ptr<Store> OpenStore() {
    auto s = Open({.url = url_, .data_dir = dir_.path()});
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return nullptr;
    }
    return std::move(s).value();
  }

  // Runs SQL through a separate raw connection (not the store's): the first column of the first
  // row as int64, or -1 on error.
  int64_t QueryInt(const std::string& sql) {
    if (!postgres()) return testing::QueryInt(sqlite_path(), sql);
    PGconn* c = PQconnectdb(url_.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    int64_t v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      v = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
    }
    PQclear(r);
    PQfinish(c);
    return v;
  }
  // Runs statements through a separate raw connection; true on success.
  bool ExecSql(const std::string& sql) {
    if (!postgres()) return testing::ExecRaw(sqlite_path(), sql);
    PGconn* c = PQconnectdb(url_.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) ADD_FAILURE() << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    return ok;
  }

  TempDir dir_;
  std::string url_;
};

}  // namespace vs::store::testing

// Runs every TEST_P of `suite` for SQLite and PostgreSQL.
#define VS_STORE_BACKENDS(suite)                                                     \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgres"), \
                           [](const ::testing::TestParamInfo<std::string>& i) { return i.param; })
