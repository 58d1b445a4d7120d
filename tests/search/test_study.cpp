// The study loop on a synthetic problem (no compiler or simulator): every
// trial stored exactly once, resume after an interruption repeats and loses
// nothing and ends at exactly the budget, faults become failed trials, and
// the same seed gives the same study whatever the worker count.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "search/study.hpp"
#include "tests/search/synthetic_study.hpp"

namespace fs = std::filesystem;
using namespace apollo::search;

namespace {

using apollo::search::synthetic::environment;
using apollo::search::synthetic::environment_with_area;

StudyDefinition definition(const std::string& name, int trials, int batch, const std::string& optimizer = "evolution") {
  StudyDefinition d;
  d.name = name;
  d.workloads = {"synthetic"};
  d.area_budget_mm2 = 6.0;
  d.optimizer = optimizer;
  d.seed = 42;
  d.trials = trials;
  d.batch = batch;
  d.trial_timeout_s = 10;
  return d;
}

class StudyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("apollo_study_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string db(const std::string& name) { return (dir_ / name).string(); }
  fs::path dir_;
};

void expect_complete(const std::vector<TrialRecord>& trials, int budget) {
  ASSERT_EQ(static_cast<int>(trials.size()), budget);
  std::set<int> numbers;
  for (const auto& t : trials) numbers.insert(t.number);
  EXPECT_EQ(static_cast<int>(numbers.size()), budget);  // no duplicates
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), budget - 1);             // no gaps
}

void expect_same_study(const std::vector<TrialRecord>& a, const std::vector<TrialRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].number, b[i].number);
    EXPECT_EQ(a[i].design, b[i].design) << "trial " << i;
    EXPECT_EQ(a[i].status, b[i].status) << "trial " << i;
    EXPECT_DOUBLE_EQ(a[i].objective, b[i].objective) << "trial " << i;
  }
}

}  // namespace

TEST_F(StudyTest, StoresEveryTrialWithItsObjective) {
  StudyStore store(db("a.db"));
  auto def = definition("s", 24, 4);
  store.create_study(def);
  auto report = run_study(store, def, environment(), {2, 0, nullptr, nullptr});
  EXPECT_EQ(report.evaluated, 24);
  EXPECT_EQ(report.replayed, 0);
  auto trials = store.trials("s");
  expect_complete(trials, 24);
  for (const auto& t : trials) {
    Measurement m = apollo::search::synthetic::measurement(t.design, t.number);
    EXPECT_EQ(t.status, m.status);
    EXPECT_EQ(t.reason, m.reason);
    EXPECT_EQ(t.values.at("p0").get<int>(), t.design[0]);
    EXPECT_GE(t.worker, 0);
    EXPECT_LT(t.worker, 2);
    if (t.status == TrialStatus::Feasible) {
      // Independent of the code under test: the definition 1 / (latency * area).
      EXPECT_DOUBLE_EQ(t.objective, 1.0 / (m.latency_ms.at("synthetic") * m.area_mm2));
    }
  }
}

TEST_F(StudyTest, ResumeAfterInterruptionRepeatsAndLosesNothing) {
  const int budget = 30;
  // Reference: an uninterrupted run.
  StudyStore ref_store(db("ref.db"));
  auto def = definition("s", budget, 4);
  ref_store.create_study(def);
  run_study(ref_store, def, environment(), {1, 0, nullptr, nullptr});
  auto reference = ref_store.trials("s");

  // Interrupted after 10 stored trials, in the middle of the third batch
  // (trials 8..11): 10 and 11 were asked but never finished.
  StudyStore store(db("cut.db"));
  store.create_study(def);
  StudyRunOptions cut{1, 0, [](const StudyProgress& p) { return p.evaluated < 10; }, nullptr};
  auto first = run_study(store, def, environment(), cut);
  EXPECT_TRUE(first.stopped);
  EXPECT_EQ(first.evaluated, 10);
  EXPECT_EQ(store.trial_count("s"), 10);

  // Resume from the database alone.
  auto stored_def = store.find_study("s");
  ASSERT_TRUE(stored_def);
  auto second = run_study(store, *stored_def, environment(), {2, 0, nullptr, nullptr});
  EXPECT_FALSE(second.stopped);
  EXPECT_EQ(second.replayed, 10);               // told, not re-run
  EXPECT_EQ(second.evaluated, budget - 10);     // only what was missing
  EXPECT_EQ(second.diverged, 0);                // the replay re-asked the same designs
  auto trials = store.trials("s");
  expect_complete(trials, budget);
  expect_same_study(trials, reference);

  // Resuming a finished study evaluates nothing more.
  auto third = run_study(store, *stored_def, environment(), {2, 0, nullptr, nullptr});
  EXPECT_EQ(third.evaluated, 0);
  EXPECT_EQ(store.trial_count("s"), budget);
}

TEST_F(StudyTest, SameSeedSameStudyWhateverTheJobs) {
  StudyStore store(db("det.db"));
  auto a = definition("a", 20, 4);
  auto b = definition("b", 20, 4);
  auto c = definition("c", 20, 4);
  c.seed = 43;
  for (const auto& d : {a, b, c}) store.create_study(d);
  run_study(store, a, environment(), {1, 0, nullptr, nullptr});
  run_study(store, b, environment(), {2, 0, nullptr, nullptr});  // out-of-order arrival, same tells
  run_study(store, c, environment(), {1, 0, nullptr, nullptr});
  expect_same_study(store.trials("a"), store.trials("b"));
  auto ta = store.trials("a");
  auto tc = store.trials("c");
  bool differ = false;
  for (size_t i = 0; i < ta.size(); ++i) differ |= ta[i].design != tc[i].design;
  EXPECT_TRUE(differ) << "another seed should explore differently";
}

TEST_F(StudyTest, KnownAreaConstraintProposesOnlyDesignsWithinTheBudget) {
  // Under 4 mm^2 40 % of this space fits: blackbox random search spends
  // most trials over the budget, while with the known constraint no
  // optimizer proposes a single such design, and studies stay reproducible.
  StudyStore store(db("area.db"));
  const StudyEnvironment env = environment_with_area();
  auto over_budget = [&](const std::vector<TrialRecord>& trials) {
    int n = 0;
    for (const auto& t : trials) n += env.area_mm2(t.design) > 4.0;
    return n;
  };
  auto blackbox = definition("blackbox", 24, 4, "random");
  blackbox.area_budget_mm2 = 4.0;
  blackbox.area_constraint = AreaConstraint::Blackbox;
  store.create_study(blackbox);
  run_study(store, blackbox, env, {1, 0, nullptr, nullptr});
  EXPECT_GT(over_budget(store.trials("blackbox")), 8);
  for (const std::string opt : {"random", "evolution", "mbo", "gp_bandit", "p3bo"}) {
    for (const std::string copy : {"a", "b"}) {
      auto def = definition(opt + copy, 24, 4, opt);
      def.area_budget_mm2 = 4.0;
      store.create_study(def);
      run_study(store, def, env, {1, 0, nullptr, nullptr});
      EXPECT_EQ(over_budget(store.trials(def.name)), 0) << opt;
    }
    expect_same_study(store.trials(opt + "a"), store.trials(opt + "b"));
  }
}

TEST_F(StudyTest, CrashAndHangBecomeFailedTrialsAndTheStudyFinishes) {
  setenv("APOLLO_TEST_FAULT", "crash@3;hang@5", 1);
  StudyStore store(db("fault.db"));
  auto def = definition("s", 8, 4);
  def.trial_timeout_s = 1.0;
  store.create_study(def);
  auto report = run_study(store, def, environment(), {2, 0, nullptr, nullptr});
  unsetenv("APOLLO_TEST_FAULT");
  EXPECT_EQ(report.evaluated, 8);
  auto trials = store.trials("s");
  expect_complete(trials, 8);
  EXPECT_EQ(trials[3].status, TrialStatus::Failed);
  EXPECT_NE(trials[3].reason.find("SIGSEGV"), std::string::npos) << trials[3].reason;
  EXPECT_EQ(trials[5].status, TrialStatus::Failed);
  EXPECT_NE(trials[5].reason.find("timed out"), std::string::npos) << trials[5].reason;
  for (int i : {0, 1, 2, 4, 6, 7}) EXPECT_NE(trials[static_cast<size_t>(i)].status, TrialStatus::Failed);
}

TEST_F(StudyTest, BestSoFarAndParetoFront) {
  auto rec = [](int n, TrialStatus s, double obj, double area, double lat) {
    TrialRecord t;
    t.number = n;
    t.status = s;
    t.objective = obj;
    t.area_mm2 = area;
    if (s == TrialStatus::Feasible) t.latency_ms["w"] = lat;
    return t;
  };
  std::vector<TrialRecord> ts = {rec(0, TrialStatus::Infeasible, 0, 9, 0), rec(1, TrialStatus::Feasible, 2, 3, 1.0),
                                 rec(2, TrialStatus::Feasible, 1, 4, 1.5),  // dominated by 1
                                 rec(3, TrialStatus::Feasible, 5, 2, 2.0), rec(4, TrialStatus::Failed, 0, 0, 0),
                                 rec(5, TrialStatus::Feasible, 3, 5, 0.5)};
  auto bsf = best_so_far(ts);
  ASSERT_EQ(bsf.size(), 6u);
  EXPECT_FALSE(bsf[0]);
  EXPECT_EQ(*bsf[1], 2);
  EXPECT_EQ(*bsf[2], 2);
  EXPECT_EQ(*bsf[3], 5);
  EXPECT_EQ(*bsf[5], 5);
  EXPECT_EQ(best_trial(ts)->number, 3);
  auto front = pareto_front(ts);
  std::vector<size_t> expected = {3, 1, 5};  // by area: (2, 2.0), (3, 1.0), (5, 0.5)
  EXPECT_EQ(front, expected);
}

TEST(Objective, PerfPerAreaAndGeomeanByHand) {
  EXPECT_DOUBLE_EQ(perf_per_area(2.0, 4.0), 0.125);
  // Speedups 2 and 8: geometric mean 4.
  EXPECT_DOUBLE_EQ(geomean_speedup({{"a", 1.0}, {"b", 0.5}}, {{"a", 2.0}, {"b", 4.0}}), 4.0);
  Objective multi({"a", "b"}, {{"a", 2.0}, {"b", 4.0}});
  Measurement m;
  m.status = TrialStatus::Feasible;
  m.area_mm2 = 3;
  m.latency_ms = {{"a", 4.0}, {"b", 1.0}};  // speedups 0.5 and 4: sqrt(2)
  EXPECT_NEAR(multi(m), std::sqrt(2.0), 1e-12);
  EXPECT_EQ(multi.name(), "geomean_speedup");
  Objective single({"a"}, {});
  EXPECT_DOUBLE_EQ(single(m), 1.0 / 12);
  EXPECT_THROW(Objective({"a", "b"}, {{"a", 1.0}}), std::invalid_argument);
  EXPECT_THROW(perf_per_area(0, 1), std::runtime_error);
}

TEST(StudyReport, ReasonClassesGroupFailuresOfOneKind) {
  EXPECT_EQ(reason_class("mobilenet_v2: layer block_3_expand: core_memory needs 1280 B for the smallest tile, has 256 B"),
            "mobilenet_v2: layer *: core_memory needs # B for the smallest tile, has # B");
  EXPECT_EQ(reason_class("area 7.125 mm2 exceeds the budget of 6.8 mm2"), "area # mm2 exceeds the budget of # mm2");
  auto rec = [](TrialStatus s, const std::string& reason) {
    TrialRecord t;
    t.status = s;
    t.reason = reason;
    return t;
  };
  std::vector<TrialRecord> ts = {rec(TrialStatus::Infeasible, "area 7.1 mm2 exceeds the budget of 6.8 mm2"),
                                 rec(TrialStatus::Failed, "crashed: signal SIGSEGV (Segmentation fault)"),
                                 rec(TrialStatus::Infeasible, "area 9.3 mm2 exceeds the budget of 6.8 mm2"),
                                 rec(TrialStatus::Feasible, "")};
  auto top = top_reasons(ts, 5);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].first, "area # mm2 exceeds the budget of # mm2");
  EXPECT_EQ(top[0].second, 2);
  EXPECT_EQ(top[1].second, 1);
  EXPECT_EQ(top_reasons(ts, 1).size(), 1u);
}
