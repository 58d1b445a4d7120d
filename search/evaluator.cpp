#include "search/evaluator.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
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
#include <sstream>
#include <stdexcept>
#include <thread>

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

// ---- child side -------------------------------------------------------------

bool pool_worker = false;  // set in the child (in_pool_worker)

[[noreturn]] void child_main(int fd, const EvalTask& task, const PoolOptions& opt, const ProcessPool::Work& work) {
  json reply;
  pool_worker = true;
  try {
    if (opt.memory_limit_mb > 0) {
      rlim_t cap = static_cast<rlim_t>(opt.memory_limit_mb) << 20;
      rlimit lim{cap, cap};
      setrlimit(RLIMIT_AS, &lim);
    }
    apply_fault(injected_fault(task.id));
    reply = json{{"ok", true}, {"result", work(task.payload)}};
  } catch (const std::bad_alloc&) {
    reply = json{{"ok", false}, {"error", "out of memory"}};
  } catch (const std::exception& e) {
    reply = json{{"ok", false}, {"error", e.what()}};
  } catch (...) {
    reply = json{{"ok", false}, {"error", "unknown exception"}};
  }
  std::string bytes;
  try {
    bytes = reply.dump();
  } catch (const std::exception& e) {
    bytes = json{{"ok", false}, {"error", std::string("cannot serialize result: ") + e.what()}}.dump();
  }
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      _exit(3);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  close(fd);
  // _exit: no atexit handlers or static destructors of the parent's state
  // (open databases, SystemC globals) run in the child.
  _exit(0);
}

// ---- parent side ------------------------------------------------------------

struct Running {
  pid_t pid = -1;
  int fd = -1;
  int worker = -1;
  size_t task = 0;
  std::string buffer;
  Clock::time_point start;
  std::string started_at;
};

void kill_and_reap(Running& r) {
  if (r.pid > 0) {
    kill(r.pid, SIGKILL);
    int status = 0;
    while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.pid = -1;
  }
  if (r.fd >= 0) {
    close(r.fd);
    r.fd = -1;
  }
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("evaluator: waitpid: ") + std::strerror(errno));
  }
  return status;
}

}  // namespace

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
}

void ProcessPool::run(const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done) {
  std::vector<Running> running;
  std::vector<bool> slot_busy(static_cast<size_t>(options_.jobs), false);
  size_t next = 0;

  // Whatever happens (on_done throwing, a failed fork), no child outlives run().
  struct Guard {
    std::vector<Running>& r;
    ~Guard() {
      for (auto& x : r) kill_and_reap(x);
    }
  } guard{running};

  auto spawn = [&](size_t index) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("evaluator: pipe: ") + std::strerror(errno));
    // Buffered output would otherwise be printed twice, once by the child.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    Running r;
    r.task = index;
    for (size_t s = 0; s < slot_busy.size(); ++s) {
      if (!slot_busy[s]) {
        r.worker = static_cast<int>(s);
        break;
      }
    }
    r.start = Clock::now();
    r.started_at = utc_timestamp();
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      throw std::runtime_error(std::string("evaluator: fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
      close(fds[0]);
      child_main(fds[1], tasks[index], options_, work_);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    r.pid = pid;
    r.fd = fds[0];
    slot_busy[static_cast<size_t>(r.worker)] = true;
    running.push_back(std::move(r));
  };

  auto finish = [&](size_t ri, int status, bool timed_out) {
    Running r = std::move(running[ri]);
    running.erase(running.begin() + static_cast<long>(ri));
    slot_busy[static_cast<size_t>(r.worker)] = false;
    EvalOutcome out;
    out.id = tasks[r.task].id;
    out.worker = r.worker;
    out.started_at = r.started_at;
    out.finished_at = utc_timestamp();
    out.wall_seconds = std::chrono::duration<double>(Clock::now() - r.start).count();
    if (timed_out) {
      std::ostringstream msg;
      msg << "timed out: exceeded the trial time limit of " << options_.timeout_s << " s";
      out.failure = msg.str();
    } else if (WIFSIGNALED(status)) {
      out.failure = "crashed: signal " + signal_description(WTERMSIG(status));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      out.failure = "worker exited with status " + std::to_string(WEXITSTATUS(status)) + " without a result";
    } else {
      try {
        json reply = json::parse(r.buffer);
        if (reply.at("ok").get<bool>()) {
          out.ok = true;
          out.result = reply.at("result");
        } else {
          out.failure = "error: " + reply.at("error").get<std::string>();
        }
      } catch (const json::exception& e) {
        out.failure = std::string("worker sent a malformed result: ") + e.what();
      }
    }
    on_done(out);
  };

  while (true) {
    while (next < tasks.size() && running.size() < slot_busy.size()) spawn(next++);
    if (running.empty()) break;

    // Wait for output, end of a child, or the nearest deadline.
    int wait_ms = -1;
    auto now = Clock::now();
    if (options_.timeout_s > 0) {
      for (const auto& r : running) {
        auto deadline = r.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.timeout_s));
        long ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
        if (ms < 0) ms = 0;
        if (wait_ms < 0 || ms < wait_ms) wait_ms = static_cast<int>(ms);
      }
    }
    std::vector<pollfd> fds;
    for (const auto& r : running) fds.push_back(pollfd{r.fd, POLLIN, 0});
    int rc = poll(fds.data(), fds.size(), wait_ms);
    if (rc < 0 && errno != EINTR) throw std::runtime_error(std::string("evaluator: poll: ") + std::strerror(errno));

    // Drain readable pipes; a closed pipe means the child is done.
    std::vector<pid_t> ended;
    for (size_t i = 0; i < running.size(); ++i) {
      if (rc <= 0 || fds[i].revents == 0) continue;
      char buf[65536];
      while (true) {
        ssize_t n = read(running[i].fd, buf, sizeof buf);
        if (n > 0) {
          running[i].buffer.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n == 0) ended.push_back(running[i].pid);
        else if (errno == EINTR) continue;
        else if (errno != EAGAIN) ended.push_back(running[i].pid);
        break;
      }
    }
    for (pid_t pid : ended) {
      for (size_t i = 0; i < running.size(); ++i) {
        if (running[i].pid != pid) continue;
        close(running[i].fd);
        running[i].fd = -1;
        int status = reap(pid);
        running[i].pid = -1;
        finish(i, status, false);
        break;
      }
    }
    if (options_.timeout_s > 0) {
      now = Clock::now();
      for (size_t i = 0; i < running.size();) {
        auto limit = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.timeout_s));
        if (now - running[i].start >= limit) {
          kill_and_reap(running[i]);
          finish(i, 0, true);
        } else {
          ++i;
        }
      }
    }
  }
}

bool in_pool_worker() { return pool_worker; }

}  // namespace apollo::search
