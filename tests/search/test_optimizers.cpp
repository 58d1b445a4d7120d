// Optimizer contract tests (registry, settings, determinism, batches,
// infeasible/failed handling) and search quality against random on synthetic
// objectives with known optima.
#include "search/optimizer.hpp"
#include "search/opt_common.hpp"
#include "tests/search/synthetic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace apollo::search {
namespace {

const std::vector<std::string> kAll = {"random", "evolution", "mbo", "p3bo", "gp_bandit"};

// Cheaper-than-default settings so the suite stays fast; the algorithms are
// the same, only model sizes and inner-search budgets shrink.
Settings fast_settings(const std::string& name) {
  if (name == "evolution") return {{"population", "20"}, {"tournament", "5"}};
  if (name == "mbo")
    return {{"mlp_members", "3"}, {"mlp_steps", "150"}, {"xgb_rounds", "30"},
            {"inner_generations", "5"}, {"gp_restarts", "0"}};
  if (name == "gp_bandit") return {{"candidates", "300"}, {"local_starts", "3"}, {"restarts", "1"}};
  if (name == "p3bo")
    return {{"evolution.population", "20"}, {"evolution.tournament", "5"},
            {"mbo.mlp_members", "3"},       {"mbo.mlp_steps", "150"},
            {"mbo.xgb_rounds", "30"},       {"mbo.inner_generations", "5"},
            {"mbo.gp_restarts", "0"},       {"gp_bandit.candidates", "300"},
            {"gp_bandit.local_starts", "3"}, {"gp_bandit.restarts", "1"}};
  return {};
}

// Same plus short warm-ups, so a few batches already exercise the models.
Settings quick_start(const std::string& name) {
  Settings s = fast_settings(name);
  if (name == "mbo") s["warmup"] = "8";
  if (name == "gp_bandit") s["init_trials"] = "8";
  if (name == "evolution") s["population"] = "8";
  if (name == "p3bo") {
    s["mbo.warmup"] = "8";
    s["gp_bandit.init_trials"] = "8";
    s["evolution.population"] = "8";
  }
  return s;
}

TEST(OptimizerRegistry, ListsAllFiveWithDocumentedSettings) {
  std::set<std::string> names;
  for (const auto& info : optimizer_catalog()) {
    names.insert(info.name);
    EXPECT_FALSE(info.summary.empty()) << info.name;
    for (const auto& [key, doc] : info.settings) {
      EXPECT_FALSE(key.empty());
      EXPECT_NE(doc.find(':'), std::string::npos) << info.name << "." << key << " lacks 'default: meaning'";
    }
  }
  std::set<std::string> expected(kAll.begin(), kAll.end());
  expected.insert("exhaustive");  // enumeration of small sub-spaces (tests/search/test_subspace_search.cpp)
  expected.insert("nsga2");       // multi-objective (tests/search/test_multiobjective.cpp)
  EXPECT_EQ(names, expected);
  for (const auto& name : kAll)
    EXPECT_EQ(make_optimizer(name, synthetic::small_space(), {}, 1)->name(), name);
}

TEST(OptimizerRegistry, RejectsUnknownNameAndEmptySpace) {
  try {
    make_optimizer("annealing", synthetic::small_space(), {}, 1);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("annealing"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("gp_bandit"), std::string::npos);  // lists known ones
  }
  EXPECT_THROW(make_optimizer("random", SearchSpaceShape{}, {}, 1), std::invalid_argument);
  EXPECT_THROW(make_optimizer("random", SearchSpaceShape{{3, 0}}, {}, 1), std::invalid_argument);
}

TEST(OptimizerSettings, UnknownKeyRejectedNamingKeyAndAllowedKeys) {
  for (const auto& name : kAll) {
    try {
      make_optimizer(name, synthetic::small_space(), {{"no_such_key", "1"}}, 1);
      FAIL() << name << " accepted an unknown key";
    } catch (const std::invalid_argument& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("no_such_key"), std::string::npos) << msg;
      EXPECT_NE(msg.find("allowed"), std::string::npos) << msg;
    }
  }
  // The allowed list names real keys.
  try {
    make_optimizer("evolution", synthetic::small_space(), {{"popsize", "3"}}, 1);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("population"), std::string::npos);
  }
}

TEST(OptimizerSettings, BadValuesRejected) {
  const auto space = synthetic::small_space();
  EXPECT_THROW(make_optimizer("evolution", space, {{"population", "ten"}}, 1), std::invalid_argument);
  EXPECT_THROW(make_optimizer("evolution", space, {{"mutation_prob", "1.5"}}, 1), std::invalid_argument);
  EXPECT_THROW(make_optimizer("gp_bandit", space, {{"acquisition", "pi"}}, 1), std::invalid_argument);
  EXPECT_THROW(make_optimizer("mbo", space, {{"models", "xgboost,svm"}}, 1), std::invalid_argument);
  EXPECT_THROW(make_optimizer("p3bo", space, {{"members", "random,p3bo"}}, 1), std::invalid_argument);
  EXPECT_THROW(make_optimizer("p3bo", space, {{"cmaes.sigma", "1"}}, 1), std::invalid_argument);
  // Forwarded keys are validated by the member itself.
  EXPECT_THROW(make_optimizer("p3bo", space, {{"mbo.nope", "1"}}, 1), std::invalid_argument);
  EXPECT_NO_THROW(make_optimizer("gp_bandit", space, {{"acquisition", "ei"}, {"beta", "2"}}, 1));
  EXPECT_NO_THROW(make_optimizer("p3bo", space, {{"members", "random,evolution"}, {"temperature", "0.5"}}, 1));
}

// Runs a few batches and records every ask.
std::vector<Design> trace(const std::string& name, const synthetic::Problem& p, uint64_t seed,
                          int batches) {
  auto opt = make_optimizer(name, p.space, quick_start(name), seed);
  std::vector<Design> asked;
  for (int b = 0; b < batches; ++b) {
    std::vector<Observation> results;
    for (const Design& d : opt->ask(4)) {
      asked.push_back(d);
      results.push_back(p.evaluate(d));
    }
    opt->tell(results);
  }
  return asked;
}

TEST(OptimizerDeterminism, SameSeedSameAsks) {
  const auto p = synthetic::constrained(synthetic::real_space());
  for (const auto& name : kAll) {
    const auto a = trace(name, p, 7, 5);
    const auto b = trace(name, p, 7, 5);
    EXPECT_EQ(a, b) << name;
    EXPECT_NE(a, trace(name, p, 8, 5)) << name << " ignores its seed";
  }
}

TEST(OptimizerBatches, DistinctAndNeverRepeated) {
  const auto p = synthetic::constrained(synthetic::real_space());
  for (const auto& name : kAll) {
    auto opt = make_optimizer(name, p.space, quick_start(name), 3);
    std::set<Design> seen;
    for (int b = 0; b < 5; ++b) {
      const auto batch = opt->ask(8);
      ASSERT_EQ(batch.size(), 8u) << name;
      std::vector<Observation> results;
      for (const Design& d : batch) {
        ASSERT_EQ(d.size(), p.space.cardinalities.size());
        for (size_t k = 0; k < d.size(); ++k) {
          ASSERT_GE(d[k], 0);
          ASSERT_LT(d[k], p.space.cardinalities[k]);
        }
        EXPECT_TRUE(seen.insert(d).second) << name << " re-proposed a design in batch " << b;
        results.push_back(p.evaluate(d));
      }
      opt->tell(results);
    }
  }
}

TEST(OptimizerBatches, PendingDesignsNotReproposed) {
  // Two asks before any tell (asynchronous workers) must not overlap.
  for (const auto& name : kAll) {
    auto opt = make_optimizer(name, synthetic::small_space(), quick_start(name), 5);
    const auto a = opt->ask(6);
    const auto b = opt->ask(6);
    std::set<Design> all(a.begin(), a.end());
    all.insert(b.begin(), b.end());
    EXPECT_EQ(all.size(), 12u) << name;
  }
}

TEST(RandomOptimizer, EnumeratesSmallSpaceWithoutRepeats) {
  // 360 asks over a 360-design space must cover it exactly.
  const auto space = synthetic::small_space();
  auto opt = make_optimizer("random", space, {}, 11);
  std::set<Design> seen;
  for (int b = 0; b < 9; ++b) {
    std::vector<Observation> results;
    for (const Design& d : opt->ask(40)) {
      seen.insert(d);
      results.push_back({d, TrialStatus::Feasible, 0.0});
    }
    opt->tell(results);
  }
  EXPECT_EQ(seen.size(), 360u);
}

// An optimizer that says it does not learn is asked ahead by a study
// (search/study.cpp): its designs must be the same whatever the batches and
// whatever it was told. The learners say so too.
TEST(OptimizerBatches, NonLearnersAskTheSameDesignsAhead) {
  const auto p = synthetic::constrained(synthetic::real_space());
  for (const std::string name : {"random", "exhaustive"}) {
    auto batched = make_optimizer(name, p.space, {}, 9);
    auto ahead = make_optimizer(name, p.space, {}, 9);
    ASSERT_FALSE(batched->learns()) << name;
    std::vector<Design> in_batches;
    for (int b = 0; b < 12; ++b) {
      const auto batch = batched->ask(2);
      std::vector<Observation> results;
      for (const Design& d : batch) results.push_back(p.evaluate(d));
      batched->tell(results);
      in_batches.insert(in_batches.end(), batch.begin(), batch.end());
    }
    EXPECT_EQ(ahead->ask(24), in_batches) << name;
  }
  for (const auto& name : {"evolution", "mbo", "p3bo", "gp_bandit", "nsga2"})
    EXPECT_TRUE(make_optimizer(name, p.space, {}, 9)->learns()) << name;
}

TEST(Optimizers, SurviveAllInfeasibleAndFailed) {
  // No feasible result at all: every optimizer must keep proposing fresh,
  // valid designs (models need feasible data; they fall back to exploring).
  const auto space = synthetic::real_space();
  for (const auto& name : kAll) {
    auto opt = make_optimizer(name, space, quick_start(name), 2);
    std::set<Design> seen;
    for (int b = 0; b < 4; ++b) {
      std::vector<Observation> results;
      int i = 0;
      for (const Design& d : opt->ask(6)) {
        EXPECT_TRUE(seen.insert(d).second) << name;
        results.push_back({d, i++ % 2 ? TrialStatus::Infeasible : TrialStatus::Failed, 0.0});
      }
      opt->tell(results);
    }
    EXPECT_EQ(seen.size(), 24u) << name;
  }
}

TEST(Optimizers, KnownConstraintHoldsEvenWhenTight) {
  // About 5 % of the space is admissible (like a tight area budget): every
  // design asked lies in it, for random sampling, mutation and acquisition
  // maximization alike. With an unsatisfiable constraint optimizers still
  // return fresh designs (the trials then come back infeasible).
  const auto p = synthetic::constrained(synthetic::real_space());
  const Admissible tight = [](const Design& d) { return d[0] + d[1] + d[2] <= 4; };
  for (const auto& name : kAll) {
    auto opt = make_optimizer(name, p.space, quick_start(name), 3);
    opt->set_constraint(tight);
    for (int b = 0; b < 5; ++b) {
      std::vector<Observation> results;
      for (const Design& d : opt->ask(4)) {
        EXPECT_TRUE(tight(d)) << name << " batch " << b;
        results.push_back(p.evaluate(d));
      }
      opt->tell(results);
    }
    EXPECT_THROW(opt->set_constraint(tight), std::invalid_argument) << name << ": only before the first ask";
    auto stuck = make_optimizer(name, p.space, quick_start(name), 3);
    stuck->set_constraint([](const Design&) { return false; });
    const std::vector<Design> batch = stuck->ask(3);
    EXPECT_EQ(std::set<Design>(batch.begin(), batch.end()).size(), 3u) << name;
  }
}

TEST(Optimizers, TellRejectsMalformedDesigns) {
  auto opt = make_optimizer("evolution", synthetic::small_space(), {}, 1);
  EXPECT_THROW(opt->tell({{Design{0, 0, 0}, TrialStatus::Feasible, 1.0}}), std::invalid_argument);
  EXPECT_THROW(opt->tell({{Design{0, 9, 0, 0}, TrialStatus::Feasible, 1.0}}), std::invalid_argument);
  EXPECT_THROW(opt->ask(-1), std::invalid_argument);
}

TEST(Optimizers, ModelBasedFindTheExactOptimumOfSmallSpace) {
  // 360 designs, 60 trials: a model that learned the quadratic bowl lands on
  // its known maximum (0 at the target); random finds it with probability
  // 60/360 ~ 17%.
  const auto p = synthetic::separable_quadratic(synthetic::small_space());
  for (const std::string name : {"gp_bandit", "mbo"}) {
    auto opt = make_optimizer(name, p.space, fast_settings(name), 4);
    EXPECT_DOUBLE_EQ(synthetic::run(*opt, p, 60, 6), p.optimum) << name;
  }
  Settings ei = fast_settings("gp_bandit");
  ei["acquisition"] = "ei";
  auto opt = make_optimizer("gp_bandit", p.space, ei, 4);
  EXPECT_DOUBLE_EQ(synthetic::run(*opt, p, 60, 6), p.optimum) << "gp_bandit with EI";
}

TEST(OptimizerInternals, TrainingWindowKeepsBestHalfAndMostRecent) {
  // values 5,1,4,2,3 with room for 4: best two (indices 0, 2) plus the two
  // most recent of the rest (indices 4, 3).
  EXPECT_EQ(training_window({5, 1, 4, 2, 3}, 4), (std::vector<int>{0, 2, 3, 4}));
  EXPECT_EQ(training_window({1, 2}, 4), (std::vector<int>{0, 1}));
}

TEST(OptimizerInternals, LogTransformOnlyForPositiveObjectives) {
  EXPECT_TRUE(use_log(ObjectiveTransform::Auto, {0.5, 2.0}));
  EXPECT_FALSE(use_log(ObjectiveTransform::Auto, {0.5, 0.0}));
  EXPECT_FALSE(use_log(ObjectiveTransform::None, {0.5, 2.0}));
  EXPECT_THROW(make_optimizer("mbo", synthetic::small_space(), {{"transform", "sqrt"}}, 1),
               std::invalid_argument);
}

TEST(OptimizerInternals, SettingsReaderDefaultsAndParsing) {
  const std::vector<SettingSpec> specs = {{"n", "3", "count"}, {"x", "0.5", "weight"}};
  SettingsReader defaults("t", specs, {});
  EXPECT_EQ(defaults.get_int("n", 0, 10), 3);
  EXPECT_DOUBLE_EQ(defaults.get_double("x", 0, 1), 0.5);
  SettingsReader given("t", specs, {{"n", "7"}, {"x", "0.25"}});
  EXPECT_EQ(given.get_int("n", 0, 10), 7);
  EXPECT_DOUBLE_EQ(given.get_double("x", 0, 1), 0.25);
  SettingsReader trailing("t", specs, {{"n", "7abc"}});
  EXPECT_THROW(trailing.get_int("n", 0, 10), std::invalid_argument);
  SettingsReader range("t", specs, {{"n", "11"}});
  EXPECT_THROW(range.get_int("n", 0, 10), std::invalid_argument);
}

double median_best(const std::string& name, const synthetic::Problem& p, int trials) {
  std::vector<double> best;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto opt = make_optimizer(name, p.space, fast_settings(name), seed);
    best.push_back(synthetic::run(*opt, p, trials, 8));
  }
  std::sort(best.begin(), best.end());
  return best[2];
}

class BeatsRandom : public ::testing::TestWithParam<std::string> {};

TEST_P(BeatsRandom, MedianBestOverFiveSeeds) {
  constexpr int kTrials = 120;
  const auto space = synthetic::real_space();
  for (const auto& p : {synthetic::separable_quadratic(space), synthetic::interaction(space),
                        synthetic::constrained(space)}) {
    const double random = median_best("random", p, kTrials);
    const double other = median_best(GetParam(), p, kTrials);
    EXPECT_GT(other, random) << GetParam() << " on " << p.name;
    EXPECT_LE(other, p.optimum + 1e-12) << "nothing beats the known optimum";
  }
}

INSTANTIATE_TEST_SUITE_P(Optimizers, BeatsRandom,
                         ::testing::Values("evolution", "mbo", "p3bo", "gp_bandit"));

}  // namespace
}  // namespace apollo::search
