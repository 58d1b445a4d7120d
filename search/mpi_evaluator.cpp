#include "search/mpi_evaluator.hpp"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace apollo::search {

namespace {

using nlohmann::json;

enum Tag : int { kStart = 1, kReady = 2, kError = 3, kTasks = 4, kResult = 5, kStop = 6 };

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw MpiError(std::string("MPI: ") + what + ": " + std::string(text, static_cast<size_t>(len)));
}

void send_text(const std::string& s, int dest, int tag) {
  check(MPI_Send(s.data(), static_cast<int>(s.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD), "send");
}

struct Message {
  int source = 0;
  int tag = 0;
  std::string text;
};

// Blocks until a message from `source` (or any) arrives and receives it whole.
// Polls with a sleep instead of MPI_Probe: OpenMPI busy-waits in blocking
// calls, and rank 0 waiting on a batch would take a core from the forked
// evaluations sharing its node. The sleep (at most 2 ms) is small against an
// evaluation (20 ms to seconds).
Message receive(int source) {
  MPI_Status status;
  auto pause = std::chrono::microseconds(50);
  while (true) {
    int flag = 0;
    check(MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "iprobe");
    if (flag) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
  int count = 0;
  check(MPI_Get_count(&status, MPI_CHAR, &count), "get_count");
  Message m;
  m.source = status.MPI_SOURCE;
  m.tag = status.MPI_TAG;
  m.text.resize(static_cast<size_t>(count));
  check(MPI_Recv(m.text.data(), count, MPI_CHAR, m.source, m.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "recv");
  return m;
}

json parse(const Message& m) {
  try {
    return json::parse(m.text);
  } catch (const json::exception& e) {
    throw MpiError("MPI: malformed message from rank " + std::to_string(m.source) + ": " + e.what());
  }
}

// Thrown from a worker's completion callback when rank 0 said stop.
struct StopSeen {};

}  // namespace

MpiSession::MpiSession() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) throw MpiError("MPI: already initialized in this process");
  // Only the main thread talks MPI.
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SINGLE, &provided), "init");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  host_.assign(name, static_cast<size_t>(len));
}

MpiSession::~MpiSession() { MPI_Finalize(); }

json outcome_to_json(const EvalOutcome& o) {
  return json{{"id", o.id},
              {"ok", o.ok},
              {"result", o.result},
              {"failure", o.failure},
              {"worker", o.worker},
              {"wall_seconds", o.wall_seconds},
              {"started_at", o.started_at},
              {"finished_at", o.finished_at}};
}

EvalOutcome outcome_from_json(const json& j) {
  try {
    EvalOutcome o;
    o.id = j.at("id").get<int>();
    o.ok = j.at("ok").get<bool>();
    o.result = j.at("result");
    o.failure = j.at("failure").get<std::string>();
    o.worker = j.at("worker").get<int>();
    o.wall_seconds = j.at("wall_seconds").get<double>();
    o.started_at = j.at("started_at").get<std::string>();
    o.finished_at = j.at("finished_at").get<std::string>();
    return o;
  } catch (const json::exception& e) {
    throw MpiError(std::string("MPI: bad evaluation outcome: ") + e.what());
  }
}

MpiCoordinator::MpiCoordinator(const MpiSession& session) : size_(session.size()) {
  if (session.rank() != 0) throw MpiError("MPI: the coordinator runs on rank 0 only");
  if (size_ < 2) {
    stopped_ = true;
    throw MpiError("--mpi needs at least 2 ranks (rank 0 runs the optimizer and the store, the others evaluate); got " +
                   std::to_string(size_) + " (mpirun -np N with N >= 2)");
  }
}

MpiCoordinator::~MpiCoordinator() { stop_all(); }

void MpiCoordinator::stop_all() noexcept {
  if (stopped_) return;
  stopped_ = true;
  for (int r = 1; r < size_; ++r) MPI_Send(nullptr, 0, MPI_CHAR, r, kStop, MPI_COMM_WORLD);
}

void MpiCoordinator::start(const StudyDefinition& def, int jobs_per_worker, long memory_limit_mb) {
  if (started_) throw MpiError("MPI: coordinator already started");
  if (jobs_per_worker < 1) throw MpiError("MPI: jobs per worker must be at least 1");
  jobs_ = jobs_per_worker;
  std::string msg = json{{"study", def.to_json()},
                         {"jobs", jobs_per_worker},
                         {"timeout_s", def.trial_timeout_s},
                         {"memory_limit_mb", memory_limit_mb}}
                        .dump();
  for (int r = 1; r < size_; ++r) send_text(msg, r, kStart);
  started_ = true;
  hosts_.assign(static_cast<size_t>(size_ - 1), "");
  std::string errors;
  for (int n = 1; n < size_; ++n) {
    Message m = receive(MPI_ANY_SOURCE);
    json j = parse(m);
    hosts_[static_cast<size_t>(m.source - 1)] = j.value("host", "?");
    if (m.tag == kError) {
      errors += "\n  rank " + std::to_string(m.source) + " on " + j.value("host", "?") + ": " + j.value("error", "?");
    } else if (m.tag != kReady) {
      throw MpiError("MPI: unexpected message (tag " + std::to_string(m.tag) + ") from rank " +
                     std::to_string(m.source) + " during start");
    }
  }
  if (!errors.empty()) throw MpiError("MPI workers could not set up the study:" + errors);
}

void MpiCoordinator::run(const std::vector<EvalTask>& tasks, const std::function<void(const EvalOutcome&)>& on_done) {
  if (!started_ || stopped_) throw MpiError("MPI: coordinator not started");
  std::vector<int> outstanding(static_cast<size_t>(size_), 0);  // per rank
  size_t next = 0;
  int pending = 0;
  while (next < tasks.size() || pending > 0) {
    // Hand out the rest evenly over the idle workers (at most jobs_ each), in
    // task order; a batch smaller than the cluster leaves some idle.
    std::vector<int> idle;
    for (int r = 1; r < size_; ++r) {
      if (outstanding[static_cast<size_t>(r)] == 0) idle.push_back(r);
    }
    for (size_t k = 0; k < idle.size() && next < tasks.size(); ++k) {
      size_t left = tasks.size() - next;
      size_t share = (left + (idle.size() - k) - 1) / (idle.size() - k);
      size_t n = std::min(share, static_cast<size_t>(jobs_));
      json chunk = json::array();
      for (size_t i = 0; i < n; ++i, ++next) chunk.push_back({{"id", tasks[next].id}, {"payload", tasks[next].payload}});
      send_text(chunk.dump(), idle[k], kTasks);
      outstanding[static_cast<size_t>(idle[k])] = static_cast<int>(n);
      pending += static_cast<int>(n);
    }
    Message m = receive(MPI_ANY_SOURCE);
    if (m.tag != kResult) {
      throw MpiError("MPI: unexpected message (tag " + std::to_string(m.tag) + ") from rank " +
                     std::to_string(m.source) + " while evaluating");
    }
    EvalOutcome out = outcome_from_json(parse(m));
    --outstanding[static_cast<size_t>(m.source)];
    --pending;
    on_done(out);
  }
}

MpiWorkerReport run_mpi_worker(const MpiSession& session,
                               const std::function<StudyEnvironment(const StudyDefinition&)>& make_env) {
  MpiWorkerReport report;
  Message first = receive(0);
  if (first.tag == kStop) return report;
  if (first.tag != kStart) throw MpiError("MPI: expected the study from rank 0, got tag " + std::to_string(first.tag));
  report.started = true;

  std::optional<StudyEnvironment> env;
  PoolOptions pool_options;
  try {
    json start = parse(first);
    StudyDefinition def = StudyDefinition::from_json(start.at("study"));
    pool_options.jobs = start.at("jobs").get<int>();
    pool_options.timeout_s = start.at("timeout_s").get<double>();
    pool_options.memory_limit_mb = start.at("memory_limit_mb").get<long>();
    env = make_env(def);
    send_text(json{{"host", session.host()}, {"pid", static_cast<long>(getpid())}}.dump(), 0, kReady);
  } catch (const std::exception& e) {
    // Rank 0 reports it and stops everyone; wait for that stop.
    send_text(json{{"host", session.host()}, {"error", e.what()}}.dump(), 0, kError);
    while (receive(0).tag != kStop) {
    }
    return report;
  }

  ProcessPool pool(pool_options, trial_work(*env));
  const int base = (session.rank() - 1) * pool_options.jobs;
  while (true) {
    Message m = receive(0);
    if (m.tag == kStop) break;
    if (m.tag != kTasks) throw MpiError("MPI: unexpected message (tag " + std::to_string(m.tag) + ") from rank 0");
    std::vector<EvalTask> tasks;
    try {
      for (const auto& t : parse(m)) tasks.push_back(EvalTask{t.at("id").get<int>(), t.at("payload")});
    } catch (const json::exception& e) {
      throw MpiError(std::string("MPI: bad task message: ") + e.what());
    }
    try {
      pool.run(tasks, [&](const EvalOutcome& o) {
        EvalOutcome out = o;
        out.worker = base + o.worker;
        send_text(outcome_to_json(out).dump(), 0, kResult);
        ++report.evaluated;
        // Rank 0 stopped the study: abandon the chunk (the pool kills its
        // children) rather than finish evaluations nobody will store.
        int flag = 0;
        MPI_Iprobe(0, kStop, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        if (flag) throw StopSeen{};
      });
    } catch (const StopSeen&) {
      receive(0);  // the stop itself
      break;
    }
  }
  return report;
}

}  // namespace apollo::search
