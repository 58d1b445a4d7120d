// search/report: order statistics with "none", best after N trials, regret,
// grouping of studies, checkpoint parsing. Every expected number is worked
// out by hand in the comments.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

#include "search/report.hpp"

using namespace apollo::search;

namespace {

const std::optional<double> none = std::nullopt;

TrialRecord trial(int number, TrialStatus status, double objective = 0) {
  TrialRecord t;
  t.number = number;
  t.status = status;
  t.objective = objective;
  return t;
}

// Feasible trials with the given objectives; nullopt = an infeasible trial.
std::vector<TrialRecord> trials(const std::vector<std::optional<double>>& objectives) {
  std::vector<TrialRecord> out;
  for (size_t i = 0; i < objectives.size(); ++i) {
    out.push_back(objectives[i] ? trial(static_cast<int>(i), TrialStatus::Feasible, *objectives[i])
                                : trial(static_cast<int>(i), TrialStatus::Infeasible));
  }
  return out;
}

StudyTrials study(const std::string& name, const std::string& optimizer, double budget,
                  const std::vector<std::optional<double>>& objectives, bool transfer = false) {
  StudyTrials s;
  s.definition.name = name;
  s.definition.optimizer = optimizer;
  s.definition.area_budget_mm2 = budget;
  s.definition.workloads = {"mobilenet_v2"};
  if (transfer) s.definition.transfer_from = {"src"};
  s.trials = trials(objectives);
  return s;
}

}  // namespace

TEST(ReportSummarize, OddCountMedianIsTheMiddleValue) {
  Spread s = summarize({3.0, 1.0, 2.0});
  EXPECT_EQ(s.n, 3);
  EXPECT_EQ(s.none, 0);
  EXPECT_DOUBLE_EQ(*s.median, 2.0);
  EXPECT_DOUBLE_EQ(*s.min, 1.0);
  EXPECT_DOUBLE_EQ(*s.max, 3.0);
}

TEST(ReportSummarize, EvenCountMedianIsTheMeanOfTheTwoMiddleValues) {
  Spread s = summarize({4.0, 1.0, 3.0, 2.0});  // 1 2 | 3 4 -> 2.5
  EXPECT_DOUBLE_EQ(*s.median, 2.5);
  EXPECT_DOUBLE_EQ(*s.min, 1.0);
  EXPECT_DOUBLE_EQ(*s.max, 4.0);
  EXPECT_DOUBLE_EQ(*summarize({0.25, 0.75}).median, 0.5);
}

TEST(ReportSummarize, NoneRanksBelowEveryObjective) {
  Spread a = summarize({none, 5.0, 1.0});  // none 1 5
  EXPECT_EQ(a.none, 1);
  EXPECT_DOUBLE_EQ(*a.median, 1.0);
  EXPECT_FALSE(a.min);  // one study without a feasible trial: the min is none, not 0
  EXPECT_DOUBLE_EQ(*a.max, 5.0);

  Spread b = summarize({none, none, 7.0});  // none none 7
  EXPECT_FALSE(b.median);
  EXPECT_DOUBLE_EQ(*b.max, 7.0);

  Spread c = summarize({6.0, none, 2.0, 4.0});  // none 2 | 4 6 -> 3
  EXPECT_DOUBLE_EQ(*c.median, 3.0);
  Spread d = summarize({6.0, none, none, 4.0});  // none none | 4 6: a middle value is none
  EXPECT_FALSE(d.median);
  EXPECT_DOUBLE_EQ(*d.max, 6.0);

  Spread e = summarize({none, none});
  EXPECT_EQ(e.n, 2);
  EXPECT_EQ(e.none, 2);
  EXPECT_FALSE(e.median || e.min || e.max);
}

TEST(ReportSummarize, NoneRanksAboveEveryRegret) {
  Spread s = summarize({none, 0.5, 0.1}, /*missing_is_low=*/false);  // 0.1 0.5 none
  EXPECT_DOUBLE_EQ(*s.median, 0.5);
  EXPECT_DOUBLE_EQ(*s.min, 0.1);
  EXPECT_FALSE(s.max);
}

TEST(ReportSummarize, EmptySampleHasNoStatistics) {
  Spread s = summarize({});
  EXPECT_EQ(s.n, 0);
  EXPECT_FALSE(s.median || s.min || s.max);
}

TEST(ReportBestAfter, BestFeasibleAmongTheFirstNTrials) {
  std::vector<TrialRecord> t = {trial(0, TrialStatus::Infeasible, 99),  // an infeasible objective never counts
                                trial(1, TrialStatus::Feasible, 0.3), trial(2, TrialStatus::Failed, 50),
                                trial(3, TrialStatus::Feasible, 0.2), trial(4, TrialStatus::Feasible, 0.9)};
  EXPECT_FALSE(best_after(t, 0));
  EXPECT_FALSE(best_after(t, 1));  // "none" before the first feasible trial
  EXPECT_DOUBLE_EQ(*best_after(t, 2), 0.3);
  EXPECT_DOUBLE_EQ(*best_after(t, 4), 0.3);
  EXPECT_DOUBLE_EQ(*best_after(t, 5), 0.9);
  EXPECT_DOUBLE_EQ(*best_after(t, 100), 0.9);  // fewer trials than N: all of them
  EXPECT_FALSE(best_after({}, 10));
}

TEST(ReportRegret, ReferenceMinusBest) {
  EXPECT_DOUBLE_EQ(*regret(1.0, 0.75), 0.25);
  EXPECT_DOUBLE_EQ(*regret(2.0, 2.0), 0.0);
  EXPECT_DOUBLE_EQ(*regret(1.0, 1.5), -0.5);  // a reference below a found value: shown, not hidden
  EXPECT_FALSE(regret(1.0, none));
}

TEST(ReportParse, Checkpoints) {
  EXPECT_EQ(parse_checkpoints("10,30,100"), (std::vector<int>{10, 30, 100}));
  EXPECT_EQ(parse_checkpoints(" 5 , 7"), (std::vector<int>{5, 7}));
  for (const char* bad : {"", "10,5", "10,10", "0", "-3", "a", "10,,30", "10x", "30,", "1e3", "99999999999"}) {
    EXPECT_THROW(parse_checkpoints(bad), std::invalid_argument) << bad;
  }
}

TEST(ReportParse, DefaultCheckpointsStopAtTheLargestTrialCount) {
  EXPECT_EQ(default_checkpoints(60), (std::vector<int>{10, 30, 60}));
  EXPECT_EQ(default_checkpoints(100), (std::vector<int>{10, 30, 100}));
  EXPECT_EQ(default_checkpoints(150), (std::vector<int>{10, 30, 100, 150}));
  EXPECT_EQ(default_checkpoints(5), (std::vector<int>{5}));
  EXPECT_TRUE(default_checkpoints(0).empty());
}

TEST(ReportParse, GroupKeys) {
  EXPECT_EQ(parse_group_by("optimizer"), (std::vector<GroupKey>{GroupKey::Optimizer}));
  EXPECT_EQ(parse_group_by("optimizer,budget"), (std::vector<GroupKey>{GroupKey::Optimizer, GroupKey::Budget}));
  EXPECT_EQ(parse_group_by("transfer,workloads,study"),
            (std::vector<GroupKey>{GroupKey::Transfer, GroupKey::Workloads, GroupKey::Study}));
  for (const char* bad : {"", "seed", "optimizer,optimizer", "optimizer,"}) {
    EXPECT_THROW(parse_group_by(bad), std::invalid_argument) << bad;
  }
}

TEST(ReportGroupValue, EveryKey) {
  StudyDefinition d;
  d.name = "x-s3";
  d.optimizer = "mbo";
  d.workloads = {"mobilenet_v2", "unet_edge"};
  d.area_budget_mm2 = 4.8;
  EXPECT_EQ(group_value(d, GroupKey::Optimizer), "mbo");
  EXPECT_EQ(group_value(d, GroupKey::Workloads), "mobilenet_v2+unet_edge");
  EXPECT_EQ(group_value(d, GroupKey::Budget), "4.8");
  EXPECT_EQ(group_value(d, GroupKey::Transfer), "without");
  d.transfer_from = {"a"};
  EXPECT_EQ(group_value(d, GroupKey::Transfer), "with");
  EXPECT_EQ(group_value(d, GroupKey::Study), "x-s3");
}

TEST(ReportCompare, GroupsByOptimizerInOrderOfFirstStudy) {
  std::vector<StudyTrials> s = {
      study("r1", "random", 6.8, {none, 0.2, 0.4, 0.3}),   // best after 1,2,4: none, 0.2, 0.4
      study("m1", "mbo", 6.8, {0.5, 0.6, none, 0.9}),      // 0.5, 0.6, 0.9
      study("r2", "random", 6.8, {0.1, none, none, 0.8}),  // 0.1, 0.1, 0.8
      study("m2", "mbo", 6.8, {0.7, 0.7, 0.95, 0.2}),      // 0.7, 0.7, 0.95
  };
  Comparison c = compare_studies(s, {GroupKey::Optimizer}, {1, 2, 4}, 1.0);
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_EQ(c.groups[0].key, std::vector<std::string>{"random"});
  EXPECT_EQ(c.groups[0].members, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(c.groups[1].key, std::vector<std::string>{"mbo"});

  const auto& r = c.groups[0].checkpoints;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].trials, 1);
  // after 1 trial: {none, 0.1}: the median (of two) falls on none
  EXPECT_FALSE(r[0].best.median);
  EXPECT_FALSE(r[0].best.min);
  EXPECT_DOUBLE_EQ(*r[0].best.max, 0.1);
  EXPECT_EQ(r[0].best.none, 1);
  // regret {none, 0.9}: median none, min 0.9, max none (unbounded)
  EXPECT_FALSE(r[0].regret.median);
  EXPECT_DOUBLE_EQ(*r[0].regret.min, 0.9);
  EXPECT_FALSE(r[0].regret.max);
  // after 2: {0.2, 0.1} -> median 0.15
  EXPECT_DOUBLE_EQ(*r[1].best.median, 0.15);
  EXPECT_DOUBLE_EQ(*r[1].regret.median, 0.85);
  EXPECT_DOUBLE_EQ(*r[1].regret.min, 0.8);
  EXPECT_DOUBLE_EQ(*r[1].regret.max, 0.9);
  // after 4: {0.4, 0.8} -> 0.6
  EXPECT_DOUBLE_EQ(*r[2].best.median, 0.6);
  EXPECT_DOUBLE_EQ(*r[2].best.min, 0.4);
  EXPECT_DOUBLE_EQ(*r[2].best.max, 0.8);

  const auto& m = c.groups[1].checkpoints;
  EXPECT_DOUBLE_EQ(*m[0].best.median, 0.6);   // {0.5, 0.7}
  EXPECT_DOUBLE_EQ(*m[2].best.median, 0.925);  // {0.9, 0.95}
  EXPECT_NEAR(*m[2].regret.median, 0.075, 1e-12);
  EXPECT_NEAR(*m[2].regret.min, 0.05, 1e-12);
  EXPECT_NEAR(*m[2].regret.max, 0.1, 1e-12);
}

TEST(ReportCompare, RelativeRegretDividesByTheReference) {
  std::vector<StudyTrials> s = {study("a", "gp_bandit", 6.8, {1.5}), study("b", "gp_bandit", 6.8, {1.0}),
                                study("c", "gp_bandit", 6.8, {0.5})};
  Comparison c = compare_studies(s, {GroupKey::Optimizer}, {1}, 2.0);
  const auto& cp = c.groups.at(0).checkpoints.at(0);
  EXPECT_DOUBLE_EQ(*cp.regret.median, 1.0);  // regrets 0.5 1.0 1.5
  EXPECT_DOUBLE_EQ(*cp.relative_regret.min, 0.25);
  EXPECT_DOUBLE_EQ(*cp.relative_regret.median, 0.5);
  EXPECT_DOUBLE_EQ(*cp.relative_regret.max, 0.75);
  // Without a reference there is no regret at all.
  Comparison d = compare_studies(s, {GroupKey::Optimizer}, {1}, std::nullopt);
  EXPECT_EQ(d.groups.at(0).checkpoints.at(0).regret.n, 0);
}

TEST(ReportCompare, CombinedAndOtherKeys) {
  std::vector<StudyTrials> s = {study("a", "mbo", 6.8, {1.0}), study("b", "mbo", 4.8, {2.0}),
                                study("c", "evolution", 6.8, {3.0}), study("d", "mbo", 6.8, {4.0}, true)};
  Comparison by_both = compare_studies(s, {GroupKey::Optimizer, GroupKey::Budget}, {1}, std::nullopt);
  ASSERT_EQ(by_both.groups.size(), 3u);
  EXPECT_EQ(by_both.groups[0].key, (std::vector<std::string>{"mbo", "6.8"}));
  EXPECT_EQ(by_both.groups[0].members, (std::vector<size_t>{0, 3}));
  EXPECT_DOUBLE_EQ(*by_both.groups[0].checkpoints[0].best.median, 2.5);  // {1, 4}
  EXPECT_EQ(by_both.groups[1].key, (std::vector<std::string>{"mbo", "4.8"}));
  EXPECT_EQ(by_both.groups[2].key, (std::vector<std::string>{"evolution", "6.8"}));

  Comparison by_transfer = compare_studies(s, {GroupKey::Transfer}, {1}, std::nullopt);
  ASSERT_EQ(by_transfer.groups.size(), 2u);
  EXPECT_EQ(by_transfer.groups[0].members, (std::vector<size_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(*by_transfer.groups[0].checkpoints[0].best.median, 2.0);
  EXPECT_EQ(by_transfer.groups[1].key, std::vector<std::string>{"with"});

  Comparison each = compare_studies(s, {GroupKey::Study}, {1}, std::nullopt);
  EXPECT_EQ(each.groups.size(), 4u);
}

TEST(ReportCurve, MedianAndBandPerTrialCountShorterStudiesKeepTheirLastValue) {
  std::vector<StudyTrials> s = {study("a", "mbo", 6.8, {none, 0.2, 0.6}), study("b", "mbo", 6.8, {0.4}),
                                study("c", "mbo", 6.8, {0.1, 0.3, 0.3})};
  Comparison c = compare_studies(s, {GroupKey::Optimizer}, {3}, std::nullopt);
  auto curve = group_curve(s, c.groups.at(0), std::nullopt);
  ASSERT_EQ(curve.size(), 3u);
  // trial 1: {none, 0.4, 0.1} -> median 0.1, min none, max 0.4
  EXPECT_DOUBLE_EQ(*curve[0].median, 0.1);
  EXPECT_FALSE(curve[0].min);
  EXPECT_DOUBLE_EQ(*curve[0].max, 0.4);
  // trial 2: {0.2, 0.4, 0.3} -> 0.3
  EXPECT_DOUBLE_EQ(*curve[1].median, 0.3);
  // trial 3: {0.6, 0.4 (kept), 0.3} -> 0.4
  EXPECT_DOUBLE_EQ(*curve[2].median, 0.4);
  EXPECT_DOUBLE_EQ(*curve[2].min, 0.3);
  EXPECT_DOUBLE_EQ(*curve[2].max, 0.6);

  auto regret_curve = group_curve(s, c.groups.at(0), 1.0);
  EXPECT_FALSE(regret_curve[0].max);  // the study without a feasible trial: unbounded regret
  EXPECT_DOUBLE_EQ(*regret_curve[0].min, 0.6);
  EXPECT_DOUBLE_EQ(*regret_curve[2].median, 0.6);
}
