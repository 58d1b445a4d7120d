// Local evaluator: a pool of forked worker processes. Each worker is forked
// from the caller and evaluates task after task: SystemC elaborates each
// simulation in a fresh kernel (sim/kernel.hpp), so a process can simulate
// many times, and a warm worker saves the fork, the exit and the page faults
// of a fresh process (about a sixth of a small evaluation). A worker isolates
// the caller from crashes and hangs: a crash (signal), an abnormal exit or a
// time-out (the worker is killed) becomes a failed outcome with its reason,
// and a new worker takes the next task. A task that fails with an exception
// ends its worker after answering. Tasks and results cross a socket pair as
// JSON.
//
// The work function runs in the worker and sees the caller's memory as it
// was when that worker was forked (the first task of a run, or after a
// worker ended): what it needs must not change while the pool lives, or
// must come in the task's payload.
//
// Test-only fault switch: the environment variable APOLLO_TEST_FAULT, read in
// the worker, makes evaluations misbehave on purpose:
//   APOLLO_TEST_FAULT=crash | hang | oom | exit   every task
//   APOLLO_TEST_FAULT=crash@3,5                   only tasks with id 3 and 5
//   APOLLO_TEST_FAULT=crash@3;hang@7              several rules
// crash raises SIGSEGV, hang sleeps forever (until the time limit kills it),
// oom allocates under a 256 MiB address-space limit until allocation fails,
// exit leaves with status 7 without answering. Never set it in production.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace apollo::search {

struct EvalTask {
  int id = 0;                 // caller's identifier (the trial number)
  nlohmann::json payload;     // what the work function needs
};

struct EvalOutcome {
  int id = 0;
  bool ok = false;            // the work function returned normally
  nlohmann::json result;      // its return value when ok
  std::string failure;        // why not, e.g. "crashed: signal SIGSEGV (Segmentation fault)"
  int worker = -1;            // pool slot 0..jobs-1 that ran it
  double wall_seconds = 0;
  std::string started_at, finished_at;
};

struct PoolOptions {
  int jobs = 1;                  // concurrent workers
  double timeout_s = 60;         // per task; <= 0 means no limit
  long memory_limit_mb = 0;      // address-space limit per worker (RLIMIT_AS); 0 = none
};

class ProcessPool {
 public:
  // Runs in a worker; may throw (the exception text becomes the failure).
  using Work = std::function<nlohmann::json(const nlohmann::json& payload)>;

  ProcessPool(PoolOptions options, Work work);
  ~ProcessPool();  // kills and reaps the workers
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  // Runs every task, at most `jobs` at a time, and calls on_done in this
  // (parent) process as each finishes, in completion order. on_done may
  // throw; workers still running a task are then killed and reaped. Idle
  // workers stay for the next run.
  void run(const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done);

  const PoolOptions& options() const { return options_; }

 private:
  struct Worker;
  void fork_worker(Worker& w);
  void stop_workers();

  PoolOptions options_;
  Work work_;
  std::vector<Worker> workers_;  // one slot per job
};

// Default worker count: the machine's hardware threads (at least 1).
int hardware_jobs();

// "SIGSEGV (Segmentation fault)" for a signal number.
std::string signal_description(int sig);

}  // namespace apollo::search
