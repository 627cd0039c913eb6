// What only the PostgreSQL backend has: migrations under an advisory lock when instances start
// together, event ids in commit order under concurrent transactions, the bounded pool, SQLSTATE
// mapping, and riding out a database restart (Ping fails, then recovers; the listener
// reconnects and catches up).
#include "store/postgres/postgres.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "backends.h"
#include "store/postgres/pg_schema.h"
#include "test_util.h"

namespace vs::store {
namespace {

using namespace std::chrono_literals;
using testing::Det;
using testing::Scan;

class Heard {
 public:
  void Add(const Event& e) {
    std::lock_guard lock(mu_);
    ids_.push_back(e.id);
  }
  std::vector<Id> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }
  bool WaitFor(size_t n, std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until && ids().size() < n) {
      std::this_thread::sleep_for(10ms);
    }
    return ids().size() >= n;
  }

 private:
  std::mutex mu_;
  std::vector<Id> ids_;
};

// A raw libpq connection for the test's own SQL.
class Raw {
 public:
  explicit Raw(const std::string& url) : c_(PQconnectdb(url.c_str())) {
    EXPECT_EQ(PQstatus(c_), CONNECTION_OK) << PQerrorMessage(c_);
  }
  ~Raw() { PQfinish(c_); }
  bool Exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) ADD_FAILURE() << sql << ": " << PQerrorMessage(c_);
    PQclear(r);
    return ok;
  }

 private:
  PGconn* c_;
};

std::vector<Id> Range(Id from, Id to) {
  std::vector<Id> out;
  for (Id i = from; i <= to; ++i) out.push_back(i);
  return out;
}

class PostgresTest : public testing::BackendTest {};
INSTANTIATE_TEST_SUITE_P(Postgres, PostgresTest, ::testing::Values("postgres"),
                         [](const auto& i) { return i.param; });

TEST_P(PostgresTest, MigrationsAreAppliedOnceAndSurviveReopen) {
  const auto n = static_cast<int64_t>(pg::Migrations().size());
  {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->backend(), "postgresql");
    EXPECT_TRUE(s->Ping().ok());
    ASSERT_TRUE(s->InsertScan(Scan("s1", "A1", 1000, {Det("bottle", 0.9)})).ok());
  }
  for (int i = 0; i < 2; ++i) {
    auto s = OpenStore();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->GetScan(1, true)->detections.size(), 1u);
  }
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM schema_migrations"), n);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM detections"), 1);
}

TEST_P(PostgresTest, RefusesDatabaseFromNewerProgram) {
  ASSERT_TRUE(OpenStore());
  ASSERT_TRUE(
      ExecSql("INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'x', 0)"));
  auto s = OpenPostgres({.url = url()});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
}

// Instances starting together on an empty database: the advisory lock lets one migrate while
// the others wait; all then open, and every migration is recorded once.
TEST_P(PostgresTest, InstancesStartingTogetherMigrateOnce) {
  constexpr int kInstances = 6;
  std::vector<std::future<Status>> opened;
  std::atomic<bool> go{false};
  for (int i = 0; i < kInstances; ++i) {
    opened.push_back(std::async(std::launch::async, [&] {
      while (!go) std::this_thread::yield();
      auto s = OpenPostgres({.url = url()});
      if (!s.ok()) return s.status();
      return (*s)->InsertScan(Scan("s", "A", 1000, {Det("cup", 0.5)})).status();
    }));
  }
  go = true;
  for (auto& f : opened) EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(pg::Migrations().size()));
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM scans"), kInstances);
}

// Several instances writing at once: one instance's listener hears every event once, in order.
TEST_P(PostgresTest, EventsOfManyInstancesReachTheListenerOnceInOrder) {
  auto serving = OpenStore();
  ASSERT_TRUE(serving);
  Heard heard;
  serving->SetCommitListener([&](const Event& e) { heard.Add(e); });
  constexpr int kWriters = 3, kEach = 25;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto other = OpenStore();
      ASSERT_TRUE(other);
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(other
                        ->InsertScan(Scan("s" + std::to_string(w), "A", 1000 + i,
                                          {Det("cup", 0.5), Det("dog", 0.6)}))
                        .ok());
      }
    });
  }
  for (int i = 0; i < kEach; ++i) {
    ASSERT_TRUE(serving->InsertScan(Scan("s", "B", 5000 + i, {Det("cup", 0.5)})).ok());
  }
  for (auto& t : writers) t.join();
  constexpr int kTotal = (kWriters + 1) * kEach;
  ASSERT_TRUE(heard.WaitFor(kTotal, 10s));
  std::this_thread::sleep_for(300ms);  // time for a duplicate to show up
  EXPECT_EQ(heard.ids(), Range(1, kTotal));
  EXPECT_EQ(serving->Summarize({})->total_scans, kTotal);
}

// A transaction that took an event id and has not committed yet holds back later events, so
// neither the listener nor EventsAfter can pass over its id (then miss it for good).
TEST_P(PostgresTest, AnUncommittedEventIsNotSkipped) {
  auto serving = OpenStore();
  auto other = OpenStore();
  ASSERT_TRUE(serving && other);
  Heard heard;
  serving->SetCommitListener([&](const Event& e) { heard.Add(e); });
  Raw slow(url());
  ASSERT_TRUE(slow.Exec("BEGIN"));
  ASSERT_TRUE(slow.Exec("SELECT vs_append_event('test.slow', '{}', 0)"));  // takes id 1
  auto fast = std::async(std::launch::async, [&] {
    return other->InsertScan(Scan("s", "A", 1000, {Det("cup", 0.5)})).status();
  });
  EXPECT_EQ(fast.wait_for(500ms), std::future_status::timeout);  // waits for id order
  EXPECT_TRUE(heard.ids().empty());
  EXPECT_TRUE(serving->EventsAfter(0, 10)->empty());
  ASSERT_TRUE(slow.Exec("COMMIT"));
  EXPECT_TRUE(fast.get().ok());
  ASSERT_TRUE(heard.WaitFor(2, 10s));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(heard.ids(), Range(1, 2));
  auto events = serving->EventsAfter(0, 10);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].type, "test.slow");
  EXPECT_EQ((*events)[1].type, "scan.created");
}

// A call that cannot get a connection from the full pool within its timeout is Unavailable.
TEST_P(PostgresTest, AFullPoolAnswersUnavailable) {
  ASSERT_TRUE(OpenStore());  // migrated
  auto s = OpenPostgres({.url = url(), .max_connections = 1, .acquire_timeout = 200ms});
  ASSERT_TRUE(s.ok());
  Raw slow(url());
  ASSERT_TRUE(slow.Exec("BEGIN"));
  ASSERT_TRUE(slow.Exec("SELECT vs_append_event('test.slow', '{}', 0)"));
  // This write holds the pool's one connection while it waits for the event lock.
  auto held = std::async(std::launch::async, [&] {
    return (*s)->InsertScan(Scan("s", "A", 1000, {Det("cup", 0.5)})).status();
  });
  std::this_thread::sleep_for(300ms);
  auto read = (*s)->GetScan(1, false);
  EXPECT_EQ(read.status().code(), Code::kUnavailable) << read.status().ToString();
  ASSERT_TRUE(slow.Exec("COMMIT"));
  EXPECT_TRUE(held.get().ok());
  EXPECT_TRUE((*s)->GetScan(1, false).ok());
}

TEST_P(PostgresTest, UniqueViolationsAreConflicts) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  User u;
  u.name = "ana";
  u.password_hash = "$argon2id$x";
  u.role = Role::kAdmin;
  ASSERT_TRUE(s->CreateUser(u).ok());
  EXPECT_EQ(s->CreateUser(u).status().code(), Code::kConflict);
  ApiToken t;
  t.name = "cam";
  t.token_hash = std::string(64, 'b');
  t.role = Role::kOperator;
  t.created_by = "cli";
  ASSERT_TRUE(s->CreateToken(t).ok());
  EXPECT_EQ(s->CreateToken(t).status().code(), Code::kConflict);
}

// The database goes down (a crash) and comes back: Ping fails at once while it is down, writes
// answer Unavailable, and afterwards both recover and the listener — reconnected — hears what
// another instance committed, including while it was away.
TEST_P(PostgresTest, ADatabaseRestartIsRiddenOut) {
  auto* server = vs::testing::PostgresServer::Shared();
  auto serving = OpenStore();
  auto other = OpenStore();
  ASSERT_TRUE(serving && other);
  Heard heard;
  serving->SetCommitListener([&](const Event& e) { heard.Add(e); });
  ASSERT_TRUE(other->InsertScan(Scan("s", "A", 1000, {Det("cup", 0.5)})).ok());
  ASSERT_TRUE(heard.WaitFor(1, 10s));

  ASSERT_TRUE(server->Kill().ok());
  const auto t0 = std::chrono::steady_clock::now();
  const Status down = serving->Ping();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(down.code(), Code::kUnavailable) << down.ToString();
  std::cout << "Ping while down answered in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  EXPECT_EQ(serving->Ping().code(), Code::kUnavailable);
  EXPECT_EQ(other->InsertScan(Scan("s", "A", 2000, {Det("cup", 0.5)})).status().code(),
            Code::kUnavailable);

  ASSERT_TRUE(server->Revive().ok());
  // Written at once, probably before the listener has reconnected.
  auto third = other->InsertScan(Scan("s", "A", 3000, {Det("cup", 0.5)}));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = serving->Ping().ok();
    if (!up) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(up);
  ASSERT_TRUE(heard.WaitFor(2, 10s));
  ASSERT_TRUE(other->InsertScan(Scan("s", "A", 4000, {Det("cup", 0.5)})).ok());
  ASSERT_TRUE(heard.WaitFor(3, 10s));
  std::this_thread::sleep_for(200ms);
  // Ids after a restart may jump (PostgreSQL logs sequences ahead): order and count matter.
  const auto ids = heard.ids();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], 1);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  auto stored = serving->EventsAfter(0, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(ids[i], (*stored)[i].id);
  EXPECT_EQ(serving->Summarize({})->total_scans, 3);
}

}  // namespace
}  // namespace vs::store
