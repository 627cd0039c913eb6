#include "store/postgres/pg_listener.h"

#include <poll.h>
#include <unistd.h>

#include "core/log.h"

namespace vs::store::pg {

Listener::Listener(ConnectOptions options, std::chrono::milliseconds poll,
                   std::function<void()> wake)
    : options_(std::move(options)), poll_(poll), wake_(std::move(wake)) {
  if (pipe(stop_pipe_) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
  thread_ = std::thread([this] { Run(); });
}

Listener::~Listener() {
  stop_ = true;
  if (stop_pipe_[1] >= 0) (void)!write(stop_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  for (int fd : stop_pipe_) {
    if (fd >= 0) close(fd);
  }
}

bool Listener::SleepUnlessStopped(std::chrono::milliseconds d) {
  pollfd p{stop_pipe_[0], POLLIN, 0};
  (void)poll(&p, stop_pipe_[0] >= 0 ? 1 : 0, static_cast<int>(d.count()));
  return !stop_;
}

bool Listener::WaitOnce(Conn* c) {
  pollfd fds[2] = {{PQsocket(c->raw()), POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
  const int n = poll(fds, stop_pipe_[0] >= 0 ? 2 : 1, static_cast<int>(poll_.count()));
  if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
    if (PQconsumeInput(c->raw()) == 0) return false;
  }
  while (PGnotify* note = PQnotifies(c->raw())) PQfreemem(note);
  return c->healthy();
}

void Listener::Run() {
  auto backoff = std::chrono::milliseconds(100);
  bool was_down = false;
  while (!stop_) {
    auto c = Conn::Connect(options_);
    if (c.ok()) {
      if (Status s = (*c)->Exec(std::string("LISTEN ") + kEventChannel); !s.ok()) {
        c = s;
      }
    }
    if (!c.ok()) {
      if (!was_down) {
        vs::log::Warn("event listener lost PostgreSQL; reconnecting",
                      {{"error", c.status().ToString()}});
      }
      was_down = true;
      if (!SleepUnlessStopped(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
      continue;
    }
    if (was_down) vs::log::Info("event listener reconnected to PostgreSQL");
    was_down = false;
    backoff = std::chrono::milliseconds(100);
    wake_();  // what was committed while not listening
    while (!stop_ && WaitOnce(c->get())) wake_();
  }
}

}  // namespace vs::store::pg
