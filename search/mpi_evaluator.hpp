// Cluster evaluator over MPI (OpenMPI; `mpirun` or Slurm's `srun`). Rank 0
// owns the optimizer and the study store and runs run_study as usual; its
// batches go to the other ranks instead of the local pool. Every worker rank
// evaluates its tasks in forked workers of the same ProcessPool
// as a local study, so crashes, hangs and time-outs stay isolated and become
// failed trials exactly as they do locally. Rank 0 itself does not evaluate.
//
// Protocol (JSON text in MPI_CHAR messages, rank 0 <-> each worker):
//   0 -> w  start   {"study": StudyDefinition, "jobs", "timeout_s", "memory_limit_mb"}
//   w -> 0  ready   {"host", "pid"}          or  error {"host", "error"} (setup failed)
//   0 -> w  tasks   [{"id", "payload"}, ...]  at most `jobs` per worker at a time
//   w -> 0  result  EvalOutcome as JSON, one per task, in completion order
//   0 -> w  stop    (empty) ends the worker; also sent when rank 0 fails
//                   before start, so workers never wait forever.
// The order of results does not matter: run_study re-orders them into ask
// order before the tell, so a study is the same as a local one with the same
// seed and batch size.
//
// MPI stays out of the normal path: only `apollo search --mpi` constructs an
// MpiSession (MPI_Init); nothing else in the library calls MPI.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/evaluator.hpp"
#include "search/store.hpp"
#include "search/study.hpp"

namespace apollo::search {

struct MpiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// MPI_Init on construction, MPI_Finalize on destruction: one per process,
// created only when the user asked for MPI.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  const std::string& host() const { return host_; }

 private:
  int rank_ = 0;
  int size_ = 1;
  std::string host_;
};

// EvalOutcome <-> JSON (the result message).
nlohmann::json outcome_to_json(const EvalOutcome& out);
EvalOutcome outcome_from_json(const nlohmann::json& j);  // throws MpiError

// Rank 0's side. Its destructor stops every worker (also when rank 0 fails
// before start), so `mpirun` always ends.
class MpiCoordinator {
 public:
  // Throws MpiError when there is no worker rank (size < 2).
  explicit MpiCoordinator(const MpiSession& session);
  ~MpiCoordinator();
  MpiCoordinator(const MpiCoordinator&) = delete;
  MpiCoordinator& operator=(const MpiCoordinator&) = delete;

  // Sends the study and each worker's pool settings (jobs = concurrent
  // children per worker rank; timeout from def) and waits until every worker
  // has built its evaluation environment. Throws MpiError naming the rank,
  // host and reason when one could not (e.g. a workload file missing there).
  void start(const StudyDefinition& def, int jobs_per_worker, long memory_limit_mb);

  // Same contract as ProcessPool::run: every task is evaluated once, on_done
  // is called here as each result arrives. Tasks are handed out in order, up
  // to `jobs_per_worker` to each idle worker. A task's worker number is
  // (rank - 1) * jobs_per_worker + pool slot, unique across the cluster.
  void run(const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done);

  int workers() const { return size_ - 1; }
  // Host of each worker rank (index rank - 1), known after start().
  const std::vector<std::string>& worker_hosts() const { return hosts_; }

 private:
  void stop_all() noexcept;
  int size_ = 1;
  int jobs_ = 1;
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::string> hosts_;
};

struct MpiWorkerReport {
  bool started = false;  // rank 0 sent a study (false: it stopped us first)
  int evaluated = 0;     // tasks this rank evaluated
};

// A worker rank's whole life: wait for the study, build its environment with
// make_env (errors are reported to rank 0, not thrown), evaluate task chunks
// in forked children until told to stop.
MpiWorkerReport run_mpi_worker(const MpiSession& session,
                               const std::function<StudyEnvironment(const StudyDefinition&)>& make_env);

}  // namespace apollo::search
