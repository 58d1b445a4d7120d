// Transfer learning (--transfer-from): on a related synthetic task (the same
// weighted quadratic with its optimum moved by one grid step in two
// parameters, and the source objective on another scale), an optimizer given
// the source study's trials reaches a near-optimal objective in fewer trials
// than from scratch (median over seeds). Plus the study-layer re-check of the
// area budget and the source errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <unistd.h>

#include "search/optimizer.hpp"
#include "search/store.hpp"
#include "search/study.hpp"

namespace apollo::search {
namespace {

const SearchSpaceShape kSpace{{6, 6, 6, 6, 6, 6}};  // 46,656 designs

// -sum_k w_k (s_k - t_k)^2 (w_k = 1 + k mod 3) times `scale` plus `offset`.
Observation quadratic(const Design& d, const Design& t, double scale, double offset) {
  double f = 0;
  for (size_t k = 0; k < d.size(); ++k) {
    const double e = (d[k] - t[k]) / 5.0;
    f -= (1.0 + k % 3) * e * e;
  }
  return {d, TrialStatus::Feasible, scale * f + offset};
}

const Design kSourceOptimum{1, 4, 2, 3, 1, 4};
const Design kTargetOptimum{2, 3, 2, 3, 1, 4};  // one step away in parameters 0 and 1

// The source study: 120 trials of evolution on the source task, on a scale
// 100x larger and shifted (normalization per study must absorb it).
PriorStudy source_study() {
  auto opt = make_optimizer("evolution", kSpace, {{"population", "20"}}, 99);
  PriorStudy p{"source", {}};
  for (int i = 0; i < 120; ++i) {
    std::vector<Observation> told;
    for (const Design& d : opt->ask(1)) {
      told.push_back(quadratic(d, kSourceOptimum, 100.0, 50.0));
      p.observations.push_back({d, told.back().status, told.back().objective, 1.0});
    }
    opt->tell(told);
  }
  return p;
}

// Trials until an objective reaches -0.09 (the target's optimum is 0; the
// source's optimum scores -0.12 here, so a transferred design must still be
// corrected in at least one parameter); budget+1 if never.
int trials_to_reach(const std::string& optimizer, const Settings& settings, uint64_t seed, bool transfer,
                    int budget) {
  auto opt = make_optimizer(optimizer, kSpace, settings, seed);
  if (transfer) opt->set_prior({source_study()});
  for (int n = 1; n <= budget; ++n) {
    const Design d = opt->ask(1).at(0);
    const Observation o = quadratic(d, kTargetOptimum, 1.0, 0.0);
    opt->tell({o});
    if (o.objective >= -0.09) return n;
  }
  return budget + 1;
}

double median(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

void expect_transfer_helps(const std::string& optimizer, const Settings& settings, int seeds, int budget) {
  std::vector<int> scratch, transfer;
  for (int s = 1; s <= seeds; ++s) {
    scratch.push_back(trials_to_reach(optimizer, settings, s, false, budget));
    transfer.push_back(trials_to_reach(optimizer, settings, s, true, budget));
  }
  std::printf("%s: median trials to target: scratch %.1f, transfer %.1f (budget %d)\n", optimizer.c_str(),
              median(scratch), median(transfer), budget);
  EXPECT_LT(median(transfer), median(scratch)) << optimizer;
}

TEST(Transfer, EvolutionReachesTargetSooner) { expect_transfer_helps("evolution", {{"population", "20"}}, 9, 400); }

TEST(Transfer, GpBanditReachesTargetSooner) {
  expect_transfer_helps("gp_bandit", {{"candidates", "300"}, {"restarts", "0"}}, 3, 60);
}

TEST(Transfer, MboReachesTargetSooner) {
  expect_transfer_helps("mbo", {{"models", "xgboost"}, {"inner_generations", "5"}}, 3, 60);
}

// With priors, mbo's first `warmup` trials re-measure the priors' best
// designs that the known constraint admits, best first; after them, and
// whatever the prior's model prefers, it proposes only admissible designs
// (the prior's best lie outside this constraint: it forbids parameter 0 at
// 1, where the source's optimum is).
TEST(Transfer, MboFirstRemeasuresTheBestAdmissiblePriorDesigns) {
  const PriorStudy prior = source_study();
  const Admissible admissible = [](const Design& d) { return d[0] != 1; };
  std::vector<std::pair<double, Design>> ranked;
  for (const auto& o : prior.observations) ranked.emplace_back(o.objective, o.design);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Design> expected;
  for (const auto& [v, d] : ranked)
    if (admissible(d) && std::find(expected.begin(), expected.end(), d) == expected.end() && expected.size() < 5)
      expected.push_back(d);
  ASSERT_EQ(expected.size(), 5u);
  auto opt = make_optimizer("mbo", kSpace, {{"models", "xgboost"}, {"inner_generations", "5"}}, 3);
  opt->set_prior({prior});
  opt->set_constraint(admissible);
  std::vector<Design> asked;
  for (int n = 0; n < 20; ++n) {
    const std::vector<Design> batch = opt->ask(2);
    std::vector<Observation> told;
    for (const Design& d : batch) {
      EXPECT_TRUE(admissible(d)) << "trial " << asked.size();
      asked.push_back(d);
      told.push_back(quadratic(d, kTargetOptimum, 1.0, 0.0));
    }
    opt->tell(told);
  }
  EXPECT_EQ(std::vector<Design>(asked.begin(), asked.begin() + 5), expected);
}

TEST(Transfer, RandomIgnoresPriors) {
  auto a = make_optimizer("random", kSpace, {}, 5);
  auto b = make_optimizer("random", kSpace, {}, 5);
  b->set_prior({source_study()});
  EXPECT_EQ(a->ask(10), b->ask(10));
}

TEST(Transfer, PriorAfterAskIsRejected) {
  auto opt = make_optimizer("evolution", kSpace, {}, 1);
  opt->ask(1);
  EXPECT_THROW(opt->set_prior({source_study()}), std::invalid_argument);
}

TEST(Transfer, PriorOutsideTheSpaceIsRejected) {
  auto opt = make_optimizer("gp_bandit", kSpace, {}, 1);
  EXPECT_THROW(opt->set_prior({PriorStudy{"bad", {{Design{0, 0, 0}, TrialStatus::Feasible, 1.0, 1.0}}}}),
               std::invalid_argument);
}

class TransferStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("apollo_transfer_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<StudyStore>((dir_ / "t.db").string());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void add(const std::string& study, int number, Design d, TrialStatus s, double area, std::string reason = "") {
    TrialRecord t;
    t.number = number;
    t.design = std::move(d);
    t.status = s;
    t.area_mm2 = area;
    t.objective = s == TrialStatus::Feasible ? 1.0 + number : 0.0;
    t.reason = std::move(reason);
    store_->add_trial(study, t);
  }
  std::filesystem::path dir_;
  std::unique_ptr<StudyStore> store_;
};

TEST_F(TransferStore, AreaBudgetIsRecheckedAndSourcesValidated) {
  StudyDefinition src;
  src.name = "src";
  src.area_budget_mm2 = 8.0;
  store_->create_study(src);
  add("src", 0, {0, 0}, TrialStatus::Feasible, 5.0);
  add("src", 1, {1, 1}, TrialStatus::Feasible, 7.5);  // over the new budget of 6
  add("src", 2, {1, 0}, TrialStatus::Infeasible, 9.0, "area 9 mm2 exceeds the budget of 8 mm2");
  add("src", 3, {0, 1}, TrialStatus::Failed, 0.0, "timed out");

  StudyDefinition def;
  def.name = "new";
  def.area_budget_mm2 = 6.0;
  def.transfer_from = {"src"};
  const SearchSpaceShape shape{{2, 2}};
  const auto priors = load_priors(*store_, def, shape);
  ASSERT_EQ(priors.size(), 1u);
  ASSERT_EQ(priors[0].observations.size(), 4u);
  EXPECT_EQ(priors[0].label, "src");
  EXPECT_EQ(priors[0].observations[0].status, TrialStatus::Feasible);
  EXPECT_EQ(priors[0].observations[1].status, TrialStatus::Infeasible);
  EXPECT_EQ(priors[0].observations[2].status, TrialStatus::Infeasible);
  EXPECT_EQ(priors[0].observations[3].status, TrialStatus::Failed);

  // A looser budget: the area-only infeasible design is now unknown (Failed).
  def.area_budget_mm2 = 10.0;
  EXPECT_EQ(load_priors(*store_, def, shape)[0].observations[2].status, TrialStatus::Failed);
  EXPECT_EQ(load_priors(*store_, def, shape)[0].observations[1].status, TrialStatus::Feasible);

  def.transfer_from = {"nope"};
  try {
    load_priors(*store_, def, shape);
    FAIL() << "unknown source accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
  def.transfer_from = {"src"};
  EXPECT_THROW(load_priors(*store_, def, SearchSpaceShape{{2, 2, 2}}), std::invalid_argument);
}

}  // namespace
}  // namespace apollo::search
