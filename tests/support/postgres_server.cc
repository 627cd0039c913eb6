#include "postgres_server.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

extern char** environ;

namespace vs::testing {
namespace {

constexpr const char* kScript = VS_SOURCE_DIR "/tests/support/postgres-server.sh";

std::string ReadLine(FILE* f) {
  std::string line;
  for (int c = fgetc(f); c != EOF && c != '\n'; c = fgetc(f)) line.push_back(static_cast<char>(c));
  return line;
}

}  // namespace

PostgresServer* PostgresServer::Shared() {
  // Leaked on purpose: destroyed by the atexit hook below, after every test has finished.
  static PostgresServer* server = [] {
    auto* s = new PostgresServer();
    if (Status st = s->Start(); !st.ok()) {
      std::cerr << "cannot start PostgreSQL: " << st.ToString() << "\n";
      delete s;
      return static_cast<PostgresServer*>(nullptr);
    }
    std::atexit([] {
      if (server) server->Stop();
    });
    return s;
  }();
  return server;
}

Status PostgresServer::Start() {
  if (helper_ > 0) return Status::Ok();
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return Status::Internal("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  for (int fd : {in[0], in[1], out[0], out[1]}) posix_spawn_file_actions_addclose(&fa, fd);
  char* argv[] = {const_cast<char*>("/bin/sh"), const_cast<char*>(kScript), nullptr};
  const int rc = posix_spawn(&helper_, "/bin/sh", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    helper_ = -1;
    return Status::Internal(std::string("cannot run the helper: ") + strerror(rc));
  }
  // Close-on-exec, so that servers or programs spawned later do not keep the pipe open.
  fcntl(in[1], F_SETFD, FD_CLOEXEC);
  fcntl(out[0], F_SETFD, FD_CLOEXEC);
  to_ = fdopen(in[1], "w");
  from_ = fdopen(out[0], "r");
  const std::string line = ReadLine(from_);
  if (!line.starts_with("ready ")) {
    Stop();
    return Status::Unavailable("PostgreSQL helper: " + (line.empty() ? "no answer" : line));
  }
  url_ = line.substr(6);
  return Status::Ok();
}

std::string PostgresServer::UrlOf(const std::string& name) const {
  return url_.substr(0, url_.rfind('/') + 1) + name;
}

Result<std::string> PostgresServer::FreshDatabase() {
  const std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++next_db_);
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url_.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    return Status::Unavailable(std::string("connect: ") + PQerrorMessage(c.get()));
  }
  // Template0 and no WAL-logged copy: a fresh database takes milliseconds.
  std::unique_ptr<PGresult, decltype(&PQclear)> r(
      PQexec(c.get(),
             ("CREATE DATABASE " + name + " TEMPLATE template0 STRATEGY file_copy").c_str()),
      &PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return Status::Internal(std::string("create database: ") + PQerrorMessage(c.get()));
  }
  return UrlOf(name);
}

Result<std::string> PostgresServer::Command(const std::string& cmd) {
  if (!to_) return Status::Unavailable("server not running");
  fputs((cmd + "\n").c_str(), to_);
  fflush(to_);
  return ReadLine(from_);
}

Status PostgresServer::Kill() {
  auto r = Command("stop");
  if (!r.ok()) return r.status();
  return *r == "stopped" ? Status::Ok() : Status::Internal("stop: " + *r);
}

Status PostgresServer::Revive() {
  auto r = Command("start");
  if (!r.ok()) return r.status();
  return *r == "started" ? Status::Ok() : Status::Internal("start: " + *r);
}

Status PostgresServer::Restart() {
  VS_RETURN_IF_ERROR(Kill());
  return Revive();
}

void PostgresServer::Stop() {
  if (to_) fclose(to_);  // end of input: the helper stops the server and removes its folder
  to_ = nullptr;
  if (from_) fclose(from_);
  from_ = nullptr;
  if (helper_ > 0) {
    int status = 0;
    waitpid(helper_, &status, 0);
  }
  helper_ = -1;
}

}  // namespace vs::testing
