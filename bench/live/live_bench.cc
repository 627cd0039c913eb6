// Commit-to-client latency of live events and the server's memory per connected client.
//
// The server (this process) owns a fresh SQLite store, an EventBus fed by the store's commit
// listener, and a Hub on `--io-threads` I/O threads. The clients run in a forked child process so
// that the server's RSS is its own; both sides time with CLOCK_MONOTONIC (std::steady_clock).
// Commits are sequential: each InsertScan waits until every client has received the previous
// event. Latency samples are (client receive time - commit time) for every client and event.
//
// Usage: live_bench [--clients 1,1000] [--events 200] [--warmup 20] [--io-threads 2]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "live/event_bus.h"
#include "live/hub.h"
#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

bool WriteAll(int fd, const void* data, size_t n) {
  auto* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool ReadAll(int fd, void* data, size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

long RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// --- client process -----------------------------------------------------------------------------

struct ClientSide {
  int clients = 0, events = 0, to_parent = -1;
  std::vector<int64_t> received;  // [event * clients + client]
  std::vector<int> per_event;     // clients that received each event
  int hellos = 0;
};

struct Client : std::enable_shared_from_this<Client> {
  Client(net::io_context& ioc, ClientSide& s, int i) : ws(ioc), side(s), index(i) {}
  void Start(uint16_t port) {
    beast::get_lowest_layer(ws).async_connect(
        {net::ip::make_address("127.0.0.1"), port},
        [self = shared_from_this(), port](beast::error_code ec) {
          if (ec) {
            std::fprintf(stderr, "live_bench: connect: %s\n", ec.message().c_str());
            std::_Exit(2);
          }
          self->ws.async_handshake(
              "127.0.0.1:" + std::to_string(port), "/api/live", [self](beast::error_code hec) {
                if (hec) {
                  std::fprintf(stderr, "live_bench: handshake: %s\n", hec.message().c_str());
                  std::_Exit(2);
                }
                self->Read();
              });
        });
  }
  void Read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->buffer.consume(self->buffer.size());
      self->OnMessage(NowNs());
      self->Read();
    });
  }
  void OnMessage(int64_t now) {
    ClientSide& s = side;
    if (seen++ == 0) {  // hello
      if (++s.hellos == s.clients) WriteAll(s.to_parent, "R", 1);
      return;
    }
    int event = seen - 2;
    if (event >= s.events) return;
    s.received[static_cast<size_t>(event) * s.clients + index] = now;
    if (++s.per_event[event] == s.clients) WriteAll(s.to_parent, "E", 1);
  }

  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  ClientSide& side;
  int index;
  int seen = 0;
};

[[noreturn]] void ClientMain(int from_parent, int to_parent, int clients, int events) {
  uint16_t port = 0;
  if (!ReadAll(from_parent, &port, sizeof port)) std::_Exit(1);
  ClientSide side;
  side.clients = clients;
  side.events = events;
  side.to_parent = to_parent;
  side.received.assign(static_cast<size_t>(clients) * events, 0);
  side.per_event.assign(events, 0);
  net::io_context ioc(1);
  std::vector<std::shared_ptr<Client>> all;
  for (int i = 0; i < clients; ++i) {
    all.push_back(std::make_shared<Client>(ioc, side, i));
    all.back()->Start(port);
  }
  // Runs until the parent closes the connections after its last event.
  std::thread done_watch([&] {
    char c;
    ReadAll(from_parent, &c, 1);  // parent: "all events sent"
    WriteAll(to_parent, side.received.data(), side.received.size() * sizeof(int64_t));
    std::_Exit(0);
  });
  ioc.run();
  done_watch.join();
  std::_Exit(0);
}

// --- server process -----------------------------------------------------------------------------

class Server {
 public:
  Server(vs::store::Store& store, vs::live::EventBus& bus, int threads) : acceptor_(ioc_) {
    hub_ = vs::live::Hub::Create(store, bus, {});
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
    Accept();
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~Server() {
    hub_->CloseAll();
    net::post(acceptor_.get_executor(), [this] { acceptor_.close(); });
    work_.reset();
    for (auto& t : threads_) t.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  vs::live::Hub& hub() { return *hub_; }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      struct Conn {
        explicit Conn(tcp::socket sock) : stream(std::move(sock)) {}
        beast::tcp_stream stream;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
      };
      auto conn = std::make_shared<Conn>(std::move(s));
      http::async_read(conn->stream, conn->buffer, conn->request,
                       [conn, hub = hub_](beast::error_code rec, size_t) {
                         if (!rec) hub->Accept(std::move(conn->stream), std::move(conn->request));
                       });
      Accept();
    });
  }

  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_{net::make_work_guard(ioc_)};
  tcp::acceptor acceptor_;
  std::shared_ptr<vs::live::Hub> hub_;
  std::vector<std::thread> threads_;
};

vs::store::NewScan MakeScan(int i) {
  vs::store::NewScan scan;
  scan.store = "Store " + std::to_string(i % 7);
  scan.shelf_location = "Aisle " + std::to_string(i % 12);
  scan.received_at = scan.captured_at = vs::Now();
  scan.image_path = "scans/bench-" + std::to_string(i) + ".jpg";
  scan.sha256 = std::string(64, 'f');
  scan.width = 1280;
  scan.height = 960;
  for (int d = 0; d < 8; ++d) {
    scan.detections.push_back({.class_id = 39 + d % 3,
                               .class_name = d % 2 ? "bottle" : "cup",
                               .confidence = 0.4 + d * 0.05,
                               .x_center = 0.1 + d * 0.1,
                               .y_center = 0.5,
                               .width = 0.08,
                               .height = 0.2});
  }
  return scan;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int RunCase(int clients, int events, int warmup, int io_threads) {
  const int total = warmup + events;
  int down[2], up[2];
  if (pipe(down) != 0 || pipe(up) != 0) return 1;
  pid_t pid = fork();  // before any thread exists in this process
  if (pid < 0) return 1;
  if (pid == 0) {
    close(down[1]);
    close(up[0]);
    ClientMain(down[0], up[1], clients, total);
  }
  close(down[0]);
  close(up[1]);

  auto dir = std::filesystem::temp_directory_path() / ("vs_live_bench_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  int rc = 0;
  {
    auto opened = vs::store::OpenSqlite({.path = (dir / "bench.db").string()});
    if (!opened.ok()) {
      std::fprintf(stderr, "live_bench: %s\n", opened.status().ToString().c_str());
      kill(pid, SIGKILL);
      return 1;
    }
    auto store = std::move(opened).value();
    vs::live::EventBus bus;
    store->SetCommitListener([&bus](const vs::store::Event& e) { bus.Publish(e); });
    Server server(*store, bus, io_threads);
    long rss_idle = RssKiB();
    uint16_t port = server.port();
    WriteAll(down[1], &port, sizeof port);
    char c;
    if (!ReadAll(up[0], &c, 1) || c != 'R') {
      std::fprintf(stderr, "live_bench: clients failed to connect\n");
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return 1;
    }
    while (server.hub().client_count() != static_cast<size_t>(clients)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    long rss_connected = RssKiB();

    std::vector<int64_t> call(total), done(total);
    for (int i = 0; i < total; ++i) {
      vs::store::NewScan scan = MakeScan(i);
      call[i] = NowNs();
      auto r = store->InsertScan(scan);
      done[i] = NowNs();
      if (!r.ok()) {
        std::fprintf(stderr, "live_bench: InsertScan: %s\n", r.status().ToString().c_str());
        rc = 1;
        break;
      }
      if (!ReadAll(up[0], &c, 1) || c != 'E') {
        std::fprintf(stderr, "live_bench: client process stopped\n");
        rc = 1;
        break;
      }
    }
    long rss_after = RssKiB();
    std::vector<int64_t> received(static_cast<size_t>(clients) * total);
    if (rc == 0) {
      WriteAll(down[1], "D", 1);
      if (!ReadAll(up[0], received.data(), received.size() * sizeof(int64_t))) rc = 1;
    }
    if (rc == 0) {
      std::vector<double> from_return, from_call, insert;
      for (int e = warmup; e < total; ++e) {
        insert.push_back((done[e] - call[e]) / 1e6);
        for (int k = 0; k < clients; ++k) {
          int64_t t = received[static_cast<size_t>(e) * clients + k];
          from_return.push_back((t - done[e]) / 1e6);
          from_call.push_back((t - call[e]) / 1e6);
        }
      }
      std::printf(
          "clients=%d events=%d samples=%zu io_threads=%d\n"
          "  InsertScan call -> client receive:   p50 %.3f ms  p99 %.3f ms  max %.3f ms\n"
          "  InsertScan return -> client receive: p50 %.3f ms  p99 %.3f ms  max %.3f ms\n"
          "  InsertScan duration:                 p50 %.3f ms  p99 %.3f ms\n"
          "  server RSS: %ld KiB before clients, %ld KiB with clients (%.1f KiB per client), "
          "%ld KiB after the events\n",
          clients, events, from_call.size(), io_threads, Percentile(from_call, 50),
          Percentile(from_call, 99), Percentile(from_call, 100), Percentile(from_return, 50),
          Percentile(from_return, 99), Percentile(from_return, 100), Percentile(insert, 50),
          Percentile(insert, 99), rss_idle, rss_connected,
          static_cast<double>(rss_connected - rss_idle) / clients, rss_after);
      std::fflush(stdout);
    }
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(down[1]);
  close(up[0]);
  std::filesystem::remove_all(dir);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> client_counts = {1, 1000};
  int events = 200, warmup = 20, io_threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--clients") {
      client_counts.clear();
      std::stringstream ss(value);
      for (std::string part; std::getline(ss, part, ',');) client_counts.push_back(std::stoi(part));
    } else if (flag == "--events") {
      events = std::stoi(value);
    } else if (flag == "--warmup") {
      warmup = std::stoi(value);
    } else if (flag == "--io-threads") {
      io_threads = std::stoi(value);
    } else {
      std::fprintf(stderr,
                   "usage: live_bench [--clients 1,1000] [--events N] [--warmup N] "
                   "[--io-threads N]\n");
      return 2;
    }
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  vs::log::SetLevel(vs::log::Level::kWarn);
  for (int n : client_counts) {
    if (RunCase(n, events, warmup, io_threads) != 0) return 1;
  }
  return 0;
}
