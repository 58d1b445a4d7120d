// Forked evaluator pool: results over the pipe, parallelism, fresh process per
// task, and every failure mode (crash, hang, exit, out of memory, exception)
// turned into a failed outcome with its reason, with no child left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

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

TEST(Evaluator, ReturnsResultsFromFreshProcesses) {
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
  EXPECT_EQ(pids.size(), 6u);  // one fresh process per evaluation
  EXPECT_EQ(pids.count(getpid()), 0u);
  EXPECT_TRUE(no_children_left());
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
  ProcessPool pool({2, 1.5, 0}, [](const json& p) { return json(p.at("x").get<int>()); });
  std::map<int, EvalOutcome> got;
  auto t0 = std::chrono::steady_clock::now();
  pool.run(tasks(6), [&](const EvalOutcome& o) { got[o.id] = o; });
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
  EXPECT_TRUE(got[4].ok);
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
  ProcessPool pool({2, 10, 0}, [](const json& p) { return json(p.at("x").get<int>()); });
  std::map<int, EvalOutcome> got;
  pool.run(tasks(3), [&](const EvalOutcome& o) { got[o.id] = o; });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].ok);
  EXPECT_TRUE(got[2].ok);
  EXPECT_FALSE(got[1].ok);
  EXPECT_NE(got[1].failure.find("out of memory"), std::string::npos) << got[1].failure;
  EXPECT_TRUE(no_children_left());
}

TEST(Evaluator, ExceptionInWorkIsAFailureWithItsMessage) {
  ProcessPool pool({1, 10, 0}, [](const json&) -> json { throw std::runtime_error("compiler exploded"); });
  std::vector<EvalOutcome> got;
  pool.run(tasks(1), [&](const EvalOutcome& o) { got.push_back(o); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].ok);
  EXPECT_EQ(got[0].failure, "error: compiler exploded");
}

TEST(Evaluator, ThrowingCallbackKillsAndReapsRunningChildren) {
  ProcessPool pool({2, 30, 0}, [](const json& p) {
    if (p.at("x").get<int>() != 0) std::this_thread::sleep_for(std::chrono::seconds(20));
    return json(0);
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(pool.run(tasks(3), [](const EvalOutcome&) { throw std::runtime_error("stop"); }),
               std::runtime_error);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  EXPECT_TRUE(no_children_left());
}

TEST(Evaluator, SignalDescriptionNamesTheSignal) {
  EXPECT_NE(signal_description(SIGSEGV).find("SIGSEGV"), std::string::npos);
  EXPECT_NE(signal_description(SIGKILL).find("SIGKILL"), std::string::npos);
  EXPECT_GE(hardware_jobs(), 1);
}
