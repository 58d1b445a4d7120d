// Forked evaluator pool: results over the socket, parallelism, workers that
// evaluate task after task, and every failure mode (crash, hang, exit, out of
// memory, exception) turned into a failed outcome with its reason, a new
// worker for the next task, and no worker left behind the pool.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "models/space.hpp"
#include "search/evaluation.hpp"
#include "search/evaluator.hpp"
#include "tests/sanitizers.hpp"

using namespace apollo::search;
using nlohmann::json;

namespace {

// Sets APOLLO_TEST_FAULT for one scope.
struct FaultEnv {
  explicit FaultEnv(const char* v) { setenv("APOLLO_TEST_FAULT", v, 1); }
  ~FaultEnv() { unsetenv("APOLLO_TEST_FAULT"); }
};

std::vector<EvalTask> tasks(int n) {
  std::vector<EvalTask> t;
  for (int i = 0; i < n; ++i) t.push_back({i, json{{"x", i}}});
  return t;
}

bool no_children_left() {
  int status = 0;
  return waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

}  // namespace

TEST(Evaluator, ReturnsResultsFromForkedWorkers) {
  {
    ProcessPool pool({2, 10, 0}, [](const json& p) {
      return json{{"square", p.at("x").get<int>() * p.at("x").get<int>()}, {"pid", getpid()}};
    });
    std::map<int, EvalOutcome> got;
    pool.run(tasks(6), [&](const EvalOutcome& o) { got[o.id] = o; });
    ASSERT_EQ(got.size(), 6u);
    std::set<int> pids;
    for (const auto& [id, o] : got) {
      ASSERT_TRUE(o.ok) << o.failure;
      EXPECT_EQ(o.result.at("square").get<int>(), id * id);
      EXPECT_GE(o.worker, 0);
      EXPECT_LT(o.worker, 2);
      EXPECT_GE(o.wall_seconds, 0);
      EXPECT_FALSE(o.started_at.empty());
      pids.insert(o.result.at("pid").get<int>());
    }
    EXPECT_LE(pids.size(), 2u);  // at most one worker per job, each evaluating several tasks
    EXPECT_EQ(pids.count(getpid()), 0u);
    // A second run uses the same workers.
    std::set<int> again;
    pool.run(tasks(4), [&](const EvalOutcome& o) { again.insert(o.result.at("pid").get<int>()); });
    for (int pid : again) EXPECT_EQ(pids.count(pid), 1u) << pid;
  }
  EXPECT_TRUE(no_children_left());  // the pool's end stops its workers
}

TEST(Evaluator, AWorkerKilledBetweenRunsIsReplaced) {
  ProcessPool pool({1, 10, 0}, [](const json&) { return json{{"pid", getpid()}}; });
  int first = 0, second = 0;
  pool.run(tasks(1), [&](const EvalOutcome& o) { first = o.result.at("pid").get<int>(); });
  ASSERT_GT(first, 0);
  kill(first, SIGKILL);
  int status = 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pool.run(tasks(1), [&](const EvalOutcome& o) {
    ASSERT_TRUE(o.ok) << o.failure;
    second = o.result.at("pid").get<int>();
  });
  EXPECT_NE(second, first);
  EXPECT_EQ(waitpid(first, &status, WNOHANG), -1);  // the dead worker was reaped
}

TEST(Evaluator, RunsJobsInParallelAndReportsInCompletionOrder) {
  // Task 0 sleeps longest; with 2 workers the 4 tasks take ~1.4 s, not the
  // 2.4 s of running them one after another.
  ProcessPool pool({2, 10, 0}, [](const json& p) {
    int x = p.at("x").get<int>();
    std::this_thread::sleep_for(std::chrono::milliseconds(x == 0 ? 900 : 500));
    return json(x);
  });
  std::vector<int> order;
  auto t0 = std::chrono::steady_clock::now();
  pool.run(tasks(4), [&](const EvalOutcome& o) { order.push_back(o.id); });
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(order.size(), 4u);
  EXPECT_LT(s, 2.0);
  EXPECT_NE(order.front(), 0);  // the slow first task does not finish first
}

TEST(Evaluator, CrashHangAndExitBecomeFailures) {
  FaultEnv fault("crash@1;hang@2;exit@3");
  std::map<int, EvalOutcome> got;
  double s = 0;
  {
    ProcessPool pool({2, 1.5, 0}, [](const json& p) { return json(p.at("x").get<int>()); });
    auto t0 = std::chrono::steady_clock::now();
    pool.run(tasks(6), [&](const EvalOutcome& o) { got[o.id] = o; });
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  ASSERT_EQ(got.size(), 6u);
  EXPECT_TRUE(got[0].ok);
  EXPECT_TRUE(got[5].ok);
  EXPECT_EQ(got[5].result.get<int>(), 5);
  EXPECT_FALSE(got[1].ok);
  EXPECT_NE(got[1].failure.find("SIGSEGV"), std::string::npos) << got[1].failure;
  EXPECT_FALSE(got[2].ok);
  EXPECT_NE(got[2].failure.find("timed out"), std::string::npos) << got[2].failure;
  EXPECT_NE(got[2].failure.find("1.5 s"), std::string::npos) << got[2].failure;
  EXPECT_GE(got[2].wall_seconds, 1.5);
  EXPECT_FALSE(got[3].ok);
  EXPECT_NE(got[3].failure.find("status 7"), std::string::npos) << got[3].failure;
  EXPECT_TRUE(got[4].ok);  // new workers took the tasks after each failure
  EXPECT_LT(s, 6.0);  // the hang cost only its time limit
  EXPECT_TRUE(no_children_left());
}

TEST(Evaluator, OutOfMemoryBecomesAFailure) {
  if (apollo_tests::kAddressSanitizer) {
    GTEST_SKIP() << "not under AddressSanitizer: its shadow memory reserves terabytes of address "
                    "space (no RLIMIT_AS cap fits) and its operator new aborts instead of throwing "
                    "std::bad_alloc";
  }
  FaultEnv fault("oom@1");
  std::map<int, EvalOutcome> got;
  {
    ProcessPool pool({2, 10, 0}, [](const json& p) { return json(p.at("x").get<int>()); });
    pool.run(tasks(3), [&](const EvalOutcome& o) { got[o.id] = o; });
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].ok);
  EXPECT_TRUE(got[2].ok);
  EXPECT_FALSE(got[1].ok);
  EXPECT_NE(got[1].failure.find("out of memory"), std::string::npos) << got[1].failure;
  EXPECT_TRUE(no_children_left());
}

TEST(Evaluator, ExceptionInWorkIsAFailureAndEndsItsWorker) {
  ProcessPool pool({1, 10, 0}, [](const json& p) -> json {
    if (p.at("x").get<int>() == 0) throw std::runtime_error("compiler exploded");
    return json{{"pid", getpid()}};
  });
  std::vector<EvalOutcome> got;
  pool.run(tasks(2), [&](const EvalOutcome& o) { got.push_back(o); });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].ok);
  EXPECT_EQ(got[0].failure, "error: compiler exploded");
  ASSERT_TRUE(got[1].ok) << got[1].failure;  // a new worker: the failed one may have left state behind
}

TEST(Evaluator, ThrowingCallbackKillsAndReapsBusyWorkers) {
  ProcessPool pool({2, 30, 0}, [](const json& p) {
    if (p.at("x").get<int>() != 0) std::this_thread::sleep_for(std::chrono::seconds(20));
    return json(0);
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(pool.run(tasks(3), [](const EvalOutcome&) { throw std::runtime_error("stop"); }),
               std::runtime_error);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  // The pool still works: the killed worker is replaced.
  std::vector<EvalOutcome> got;
  pool.run({EvalTask{0, json{{"x", 0}}}}, [&](const EvalOutcome& o) { got.push_back(o); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].ok) << got[0].failure;
}

TEST(Evaluator, SignalDescriptionNamesTheSignal) {
  EXPECT_NE(signal_description(SIGSEGV).find("SIGSEGV"), std::string::npos);
  EXPECT_NE(signal_description(SIGKILL).find("SIGKILL"), std::string::npos);
  EXPECT_GE(hardware_jobs(), 1);
}

// A worker evaluates trial after trial: nothing of one evaluation may leak
// into the next. Designs evaluated one after another by one warm worker
// measure exactly what each measures in a fresh worker of its own.
TEST(Evaluator, AWarmWorkerMeasuresWhatAFreshWorkerMeasures) {
  StudyDefinition def;
  def.workloads = {"mobilenet_v3_small", "transformer_encoder"};
  const EvaluationContext ctx = make_evaluation_context(def);
  std::mt19937_64 rng(7);
  std::vector<EvalTask> designs;
  for (int i = 0; static_cast<int>(designs.size()) < 8 && i < 400; ++i) {
    const apollo::models::DesignIndices d = apollo::models::sample_uniform(rng);
    const apollo::models::ArchConfig arch = apollo::models::decode(d, ctx.constants);
    if (arch.num_pes() > 64 && designs.size() % 4 != 3) continue;  // mostly small arrays: quicker
    designs.push_back({static_cast<int>(designs.size()), json{{"design", d}}});
  }
  ASSERT_EQ(designs.size(), 8u);
  auto work = [&](const json& p) {
    return evaluate_arch(ctx, apollo::models::decode(p.at("design").get<apollo::models::DesignIndices>(), ctx.constants))
        .to_json();
  };
  std::map<int, json> warm, fresh;
  std::set<int> pids;
  ProcessPool one({1, 120, 0}, [&](const json& p) {
    json r = work(p);
    r["pid"] = getpid();
    return r;
  });
  one.run(designs, [&](const EvalOutcome& o) {
    ASSERT_TRUE(o.ok) << o.failure;
    pids.insert(o.result.at("pid").get<int>());
    json r = o.result;
    r.erase("pid");
    warm[o.id] = r;
  });
  EXPECT_EQ(pids.size(), 1u);  // one worker evaluated them all
  for (const EvalTask& t : designs) {
    ProcessPool own({1, 120, 0}, work);
    own.run({t}, [&](const EvalOutcome& o) {
      ASSERT_TRUE(o.ok) << o.failure;
      fresh[o.id] = o.result;
    });
  }
  for (const EvalTask& t : designs) EXPECT_EQ(warm[t.id], fresh[t.id]) << "design " << t.payload.dump();
}
