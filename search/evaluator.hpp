// Local evaluator: a pool of forked worker processes. Every task runs in a
// fresh child (SystemC cannot re-elaborate within one process, and a child
// isolates crashes and hangs); the child's result comes back over a pipe as
// JSON. A crash (signal), an abnormal exit or a time-out (the child is
// killed) becomes a failed outcome with its reason; the pool goes on.
//
// Test-only fault switch: the environment variable APOLLO_TEST_FAULT, read in
// the child, makes evaluations misbehave on purpose:
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
  int jobs = 1;                  // concurrent children
  double timeout_s = 60;         // per task; <= 0 means no limit
  long memory_limit_mb = 0;      // address-space limit per child (RLIMIT_AS); 0 = none
};

class ProcessPool {
 public:
  // Runs in the child; may throw (the exception text becomes the failure).
  using Work = std::function<nlohmann::json(const nlohmann::json& payload)>;

  ProcessPool(PoolOptions options, Work work);

  // Runs every task, at most `jobs` at a time, and calls on_done in this
  // (parent) process as each finishes, in completion order. on_done may
  // throw; children still running are then killed and reaped.
  void run(const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done);

  const PoolOptions& options() const { return options_; }

 private:
  PoolOptions options_;
  Work work_;
};

// True in a ProcessPool child: the process ends when its task is done, so
// the task may leave its memory to the OS (sim::SimOptions::teardown).
bool in_pool_worker();

// Default worker count: the machine's hardware threads (at least 1).
int hardware_jobs();

// "SIGSEGV (Segmentation fault)" for a signal number.
std::string signal_description(int sig);

}  // namespace apollo::search
