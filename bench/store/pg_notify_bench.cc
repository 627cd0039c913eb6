// pg_notify_bench: what NOTIFY and the event-order lock cost per commit on PostgreSQL. Runs the
// same small write transaction (one row) from T concurrent connections in three variants:
//   plain   INSERT; COMMIT
//   notify  INSERT; SELECT pg_notify(...); COMMIT
//   event   the store's event tail: INSERT; SELECT bench_append_event(...) (the same body as the
//           store's vs_append_event: advisory xact lock, INSERT, pg_notify); COMMIT
//   event+p as event, with the function call and COMMIT in one round trip (what the store does)
// and prints commits per second and the median/p99 latency of a transaction.
//
// Usage: pg_notify_bench [URL] [--threads T] [--seconds S]
// Without a URL it starts a private server with tests/support/postgres-server.sh (fsync off: the
// figures then leave out the disk's flush time, which on a real server adds to every commit).
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "postgres_server.h"

namespace {

using Clock = std::chrono::steady_clock;

bool Exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) std::fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
  return ok;
}

struct Variant {
  const char* name;
  std::vector<const char*> statements;  // run in one transaction
  bool pipelined = false;  // the last statement and COMMIT in one round trip, as the store does
};

// Sends `last` and COMMIT in one pipeline and reads every result up to the sync.
bool PipelinedCommit(PGconn* c, const char* last) {
  if (PQenterPipelineMode(c) != 1) return false;
  bool ok = PQsendQueryParams(c, last, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
            PQsendQueryParams(c, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
            PQpipelineSync(c) == 1;
  for (int nulls = 0; ok && nulls <= 2;) {
    PGresult* r = PQgetResult(c);
    if (!r) {
      ++nulls;
      continue;
    }
    const ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st == PGRES_PIPELINE_SYNC) break;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) ok = false;
  }
  PQexitPipelineMode(c);
  return ok;
}

void Run(const std::string& url, const Variant& v, int threads, int seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PGconn* c = PQconnectdb(url.c_str());
      while (!stop) {
        const auto t0 = Clock::now();
        if (!Exec(c, "BEGIN")) break;
        const size_t plain = v.statements.size() - (v.pipelined ? 1 : 0);
        for (size_t i = 0; i < plain; ++i) Exec(c, v.statements[i]);
        if (v.pipelined ? !PipelinedCommit(c, v.statements.back()) : !Exec(c, "COMMIT")) break;
        lat[t].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
      PQfinish(c);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  if (all.empty()) return;
  std::printf("%-7s threads=%-2d commits/s=%8.0f  p50=%7.0f us  p99=%7.0f us\n", v.name, threads,
              static_cast<double>(all.size()) / seconds, all[all.size() / 2],
              all[all.size() * 99 / 100]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int seconds = 5;
  std::vector<int> thread_counts = {1, 4, 16};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      thread_counts = {std::atoi(argv[++i])};
    } else if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else {
      url = argv[i];
    }
  }
  vs::testing::PostgresServer server;
  if (url.empty()) {
    if (auto s = server.Start(); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    auto db = server.FreshDatabase();
    if (!db.ok()) return 1;
    url = *db;
  }
  PGconn* c = PQconnectdb(url.c_str());
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  if (!Exec(c, "DROP TABLE IF EXISTS bench_events") ||
      !Exec(c,
            "CREATE TABLE bench_events (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " type TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL)") ||
      !Exec(c,
            "CREATE OR REPLACE FUNCTION bench_append_event() RETURNS BIGINT LANGUAGE plpgsql AS $$"
            " DECLARE new_id BIGINT; BEGIN PERFORM pg_advisory_xact_lock(42);"
            " INSERT INTO bench_events(type, payload, created_at) VALUES ('e', '{}', 0)"
            " RETURNING id INTO new_id; PERFORM pg_notify('bench_events', new_id || ' e');"
            " RETURN new_id; END $$")) {
    return 1;
  }
  PQfinish(c);
  const char* insert =
      "INSERT INTO bench_events(type, payload, created_at) VALUES ('scan.created', '{}', 0)";
  const std::vector<Variant> variants = {
      {"plain", {insert}},
      {"notify", {insert, "SELECT pg_notify('bench_events', 'x')"}},
      {"event", {insert, "SELECT bench_append_event()"}},
      {"event+p", {insert, "SELECT bench_append_event()"}, true},
  };
  for (int threads : thread_counts) {
    for (const auto& v : variants) Run(url, v, threads, seconds);
  }
  return 0;
}
