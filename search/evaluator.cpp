#include "search/evaluator.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "search/store.hpp"

namespace apollo::search {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// ---- test-only fault injection (see evaluator.hpp) -------------------------

// The fault kind that applies to task `id`, "" when none.
std::string injected_fault(int id) {
  const char* env = std::getenv("APOLLO_TEST_FAULT");
  if (!env || !*env) return "";
  std::stringstream rules(env);
  std::string rule;
  while (std::getline(rules, rule, ';')) {
    auto at = rule.find('@');
    std::string kind = rule.substr(0, at);
    if (at == std::string::npos) return kind;
    std::stringstream ids(rule.substr(at + 1));
    std::string tok;
    while (std::getline(ids, tok, ',')) {
      if (!tok.empty() && std::atoi(tok.c_str()) == id) return kind;
    }
  }
  return "";
}

void apply_fault(const std::string& kind) {
  if (kind.empty()) return;
  if (kind == "crash") {
    // Die by the signal itself even when a handler is installed (ASan's
    // turns a SIGSEGV into a report and an abort or exit 1).
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  } else if (kind == "hang") {
    for (;;) pause();
  } else if (kind == "exit") {
    _exit(7);
  } else if (kind == "oom") {
    // Cap the address space a little above what the child already maps, so
    // the test exhausts memory without endangering the machine.
    long pages = 0;
    std::ifstream statm("/proc/self/statm");
    statm >> pages;
    rlim_t cap = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (64ull << 20);
    rlimit lim{cap, cap};
    setrlimit(RLIMIT_AS, &lim);
    // Reserving address space is enough to hit the limit; leaving the pages
    // untouched keeps this fast on a loaded machine.
    std::vector<std::unique_ptr<char[]>> hog;
    for (;;) hog.push_back(std::make_unique_for_overwrite<char[]>(16u << 20));
  } else {
    throw std::runtime_error("APOLLO_TEST_FAULT: unknown fault '" + kind + "' (expected crash, hang, oom or exit)");
  }
}

// ---- framing ------------------------------------------------------------------

// Tasks and results cross a socket pair as frames: a 4-byte length, then
// that many bytes of JSON text.
bool read_exact(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

// MSG_NOSIGNAL: a peer that died is an error return, not a SIGPIPE.
bool write_frame(int fd, const std::string& text) {
  const auto length = static_cast<uint32_t>(text.size());
  std::string frame(reinterpret_cast<const char*>(&length), sizeof length);
  frame += text;
  const char* p = frame.data();
  size_t left = frame.size();
  while (left > 0) {
    ssize_t n = send(fd, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

// A complete frame at the start of `buffer`: its text, removed from the buffer.
std::optional<std::string> take_frame(std::string& buffer) {
  uint32_t length = 0;
  if (buffer.size() < sizeof length) return std::nullopt;
  std::memcpy(&length, buffer.data(), sizeof length);
  if (buffer.size() < sizeof length + length) return std::nullopt;
  std::string text = buffer.substr(sizeof length, length);
  buffer.erase(0, sizeof length + length);
  return text;
}

// ---- worker side ----------------------------------------------------------------

json run_task(const json& request, const ProcessPool::Work& work) {
  try {
    apply_fault(injected_fault(request.at("id").get<int>()));
    return json{{"ok", true}, {"result", work(request.at("payload"))}};
  } catch (const std::bad_alloc&) {
    return json{{"ok", false}, {"error", "out of memory"}};
  } catch (const std::exception& e) {
    return json{{"ok", false}, {"error", e.what()}};
  } catch (...) {
    return json{{"ok", false}, {"error", "unknown exception"}};
  }
}

// The worker's loop: a task frame in, a result frame out, until the pool
// closes the socket. After a failed task the worker exits ("retires": true
// in its answer): an exception may have left state behind (the oom fault
// lowers the address-space limit), and a fresh worker costs one fork.
[[noreturn]] void worker_main(int fd, const PoolOptions& opt, const ProcessPool::Work& work) {
  if (opt.memory_limit_mb > 0) {
    rlim_t cap = static_cast<rlim_t>(opt.memory_limit_mb) << 20;
    rlimit lim{cap, cap};
    setrlimit(RLIMIT_AS, &lim);
  }
  std::string text;
  while (true) {
    uint32_t length = 0;
    if (!read_exact(fd, reinterpret_cast<char*>(&length), sizeof length)) break;
    text.resize(length);
    if (!read_exact(fd, text.data(), length)) break;
    json reply;
    try {
      reply = run_task(json::parse(text), work);
    } catch (const json::exception& e) {
      reply = json{{"ok", false}, {"error", std::string("bad task: ") + e.what()}};
    }
    bool retire = !reply.value("ok", false);
    reply["retires"] = retire;
    std::string bytes;
    try {
      bytes = reply.dump();
    } catch (const std::exception& e) {
      retire = true;
      bytes = json{{"ok", false}, {"error", std::string("cannot serialize result: ") + e.what()}, {"retires", true}}.dump();
    }
    if (!write_frame(fd, bytes)) _exit(3);
    if (retire) break;  // the pool reaps the worker after reading "retires"
  }
  close(fd);
  // _exit: no atexit handlers or static destructors of the parent's state
  // (open databases, SystemC globals) run in the worker.
  _exit(0);
}

// ---- parent side ----------------------------------------------------------------

void kill_and_reap(pid_t& pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  pid = -1;
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("evaluator: waitpid: ") + std::strerror(errno));
  }
  return status;
}

}  // namespace

// One worker process and the task it runs.
struct ProcessPool::Worker {
  pid_t pid = -1;  // -1: none (forked when a task needs it)
  int fd = -1;     // the parent's end of the socket pair
  bool busy = false;
  size_t task = 0;  // index into run()'s tasks while busy
  std::string buffer;
  Clock::time_point start;
  std::string started_at;

  // Ends the process (the task it runs, if any, is the caller's to report).
  void stop() {
    kill_and_reap(pid);
    if (fd >= 0) close(fd);
    fd = -1;
    buffer.clear();
  }
};

std::string signal_description(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* text = strsignal(sig);
  std::string s = abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
  if (text) s += std::string(" (") + text + ")";
  return s;
}

int hardware_jobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

ProcessPool::ProcessPool(PoolOptions options, Work work) : options_(options), work_(std::move(work)) {
  if (options_.jobs < 1) throw std::invalid_argument("evaluator: jobs must be at least 1");
  workers_.resize(static_cast<size_t>(options_.jobs));
}

ProcessPool::~ProcessPool() { stop_workers(); }

void ProcessPool::stop_workers() {
  for (Worker& w : workers_) w.stop();
}

void ProcessPool::fork_worker(Worker& w) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::runtime_error(std::string("evaluator: socketpair: ") + std::strerror(errno));
  }
  // Buffered output would otherwise be printed twice, once by the worker.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error(std::string("evaluator: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    // The other workers' sockets belong to the parent: a worker holding
    // them would keep a dead sibling's socket open.
    for (Worker& other : workers_) {
      if (other.fd >= 0) close(other.fd);
    }
    worker_main(fds[1], options_, work_);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  w.pid = pid;
  w.fd = fds[0];
}

void ProcessPool::run(const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done) {
  size_t next = 0;
  // Whatever happens (on_done throwing, a failed fork), no task is left
  // running after run(): busy workers are killed (idle ones stay for the
  // next run).
  struct Guard {
    std::vector<Worker>& workers;
    ~Guard() {
      for (Worker& w : workers) {
        if (!w.busy) continue;
        w.stop();
        w.busy = false;
      }
    }
  } guard{workers_};

  auto dispatch = [&](Worker& w, size_t index) {
    w.task = index;
    w.start = Clock::now();
    w.started_at = utc_timestamp();
    w.busy = true;
    const std::string frame = json{{"id", tasks[index].id}, {"payload", tasks[index].payload}}.dump();
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (w.pid < 0) fork_worker(w);
      if (write_frame(w.fd, frame)) return;
      w.stop();  // it died since its last task (killed from outside): a new one takes the task
    }
    throw std::runtime_error(std::string("evaluator: cannot send a task to a new worker: ") + std::strerror(errno));
  };

  auto finish = [&](Worker& w, const std::string* reply_text, int status, bool timed_out) {
    const size_t index = w.task;
    w.busy = false;
    EvalOutcome out;
    out.id = tasks[index].id;
    out.worker = static_cast<int>(&w - workers_.data());
    out.started_at = w.started_at;
    out.finished_at = utc_timestamp();
    out.wall_seconds = std::chrono::duration<double>(Clock::now() - w.start).count();
    if (timed_out) {
      std::ostringstream msg;
      msg << "timed out: exceeded the trial time limit of " << options_.timeout_s << " s";
      out.failure = msg.str();
    } else if (!reply_text) {
      if (WIFSIGNALED(status)) {
        out.failure = "crashed: signal " + signal_description(WTERMSIG(status));
      } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        out.failure = "worker exited with status " + std::to_string(WEXITSTATUS(status)) + " without a result";
      } else {
        out.failure = "worker exited without a result";
      }
    } else {
      try {
        json reply = json::parse(*reply_text);
        if (reply.value("retires", false)) {
          if (w.fd >= 0) close(w.fd);
          w.fd = -1;
          reap(w.pid);  // it exits right after its answer
          w.pid = -1;
        }
        if (reply.at("ok").get<bool>()) {
          out.ok = true;
          out.result = reply.at("result");
        } else {
          out.failure = "error: " + reply.at("error").get<std::string>();
        }
      } catch (const json::exception& e) {
        out.failure = std::string("worker sent a malformed result: ") + e.what();
        w.stop();
      }
    }
    on_done(out);
  };

  while (true) {
    for (Worker& w : workers_) {
      if (!w.busy && next < tasks.size()) dispatch(w, next++);
    }
    std::vector<Worker*> busy;
    for (Worker& w : workers_) {
      if (w.busy) busy.push_back(&w);
    }
    if (busy.empty()) break;

    // Wait for a result, the end of a worker, or the nearest deadline.
    int wait_ms = -1;
    auto now = Clock::now();
    const auto limit = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.timeout_s));
    if (options_.timeout_s > 0) {
      for (const Worker* w : busy) {
        long ms = std::chrono::duration_cast<std::chrono::milliseconds>(w->start + limit - now).count() + 1;
        if (ms < 0) ms = 0;
        if (wait_ms < 0 || ms < wait_ms) wait_ms = static_cast<int>(ms);
      }
    }
    std::vector<pollfd> fds;
    for (const Worker* w : busy) fds.push_back(pollfd{w->fd, POLLIN, 0});
    int rc = poll(fds.data(), fds.size(), wait_ms);
    if (rc < 0 && errno != EINTR) throw std::runtime_error(std::string("evaluator: poll: ") + std::strerror(errno));

    // Drain readable sockets: a whole frame is the result; the end of the
    // stream before it means the worker died.
    for (size_t i = 0; i < busy.size(); ++i) {
      if (rc <= 0 || fds[i].revents == 0) continue;
      Worker& w = *busy[i];
      bool ended = false;
      char buf[65536];
      while (true) {
        ssize_t n = read(w.fd, buf, sizeof buf);
        if (n > 0) {
          w.buffer.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        ended = n == 0 || errno != EAGAIN;
        break;
      }
      if (std::optional<std::string> reply = take_frame(w.buffer)) {
        finish(w, &*reply, 0, false);
      } else if (ended) {
        close(w.fd);
        w.fd = -1;
        const int status = reap(w.pid);
        w.pid = -1;
        w.buffer.clear();
        finish(w, nullptr, status, false);
      }
    }
    if (options_.timeout_s > 0) {
      now = Clock::now();
      for (Worker* w : busy) {
        if (w->busy && now - w->start >= limit) {
          w->stop();
          finish(*w, nullptr, 0, true);
        }
      }
    }
  }
}

}  // namespace apollo::search
