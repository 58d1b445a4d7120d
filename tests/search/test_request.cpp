// A study request validated into a definition (defaults from the optimizer's
// registry entry), and resolved against a store: a repeated command continues
// its study, a resume refuses only the options whose value differs, naming
// both values.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "search/request.hpp"
#include "tests/search/scratch_dir.hpp"

using namespace apollo::search;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const RequestError& e) {
    return e.what();
  }
  return "(no RequestError)";
}

StudyRequest request(const std::string& optimizer, uint64_t seed) {
  StudyRequest r;
  r.workloads = std::vector<std::string>{"mobilenet_v2"};
  r.optimizer = optimizer;
  r.seed = seed;
  r.trials = 4;
  return r;
}

// A stored study as plan_study would create it (no baseline needed here).
void store_study(StudyStore& store, const StudyRequest& r) {
  StudyPlan plan = plan_study(store, r, false);
  ASSERT_FALSE(plan.resume);
  store.create_study(plan.definition);
}

}  // namespace

TEST(StudyRequest, DefaultsComeFromTheRequestAndTheRegistry) {
  const StudyDefinition d = define_study(StudyRequest{});
  EXPECT_EQ(d.workloads, std::vector<std::string>{"mobilenet_v2"});
  EXPECT_EQ(d.optimizer, kDefaultOptimizer);
  EXPECT_DOUBLE_EQ(d.area_budget_mm2, kDefaultAreaBudgetMm2);
  EXPECT_EQ(d.trials, optimizer_info("evolution").default_trials);
  EXPECT_EQ(d.batch, 1);
  EXPECT_EQ(d.area_constraint, AreaConstraint::Known);
  StudyRequest demo;
  demo.demo = true;
  demo.default_batch = 3;
  const StudyDefinition dd = define_study(demo);
  EXPECT_EQ(dd.trials, kDemoTrials);
  EXPECT_EQ(dd.batch, 3);
  EXPECT_EQ(default_study_name(dd, true), "demo-1");
  EXPECT_EQ(default_study_name(define_study(request("mbo", 2)), false), "mobilenet_v2-mbo-6.8mm2-s2");
  EXPECT_EQ(optimizer_info("exhaustive").default_trials, 0);
  EXPECT_TRUE(optimizer_info("exhaustive").enumerates);
}

TEST(StudyRequest, BadValuesNameTheOption) {
  StudyRequest r;
  r.optimizer = "exhaustive";
  EXPECT_NE(message_of([&] { define_study(r); }).find("give --space FILE (a sub-space) or --trials N"),
            std::string::npos);
  r.optimizer = "nope";
  EXPECT_NE(message_of([&] { define_study(r); }).find("unknown optimizer 'nope'"), std::string::npos);
  r = StudyRequest{};
  r.area_constraint = "soft";
  EXPECT_NE(message_of([&] { define_study(r); }).find("--area-constraint expects known or blackbox, got 'soft'"),
            std::string::npos);
  r = StudyRequest{};
  r.area_budget_mm2 = 0;
  EXPECT_NE(message_of([&] { define_study(r); }).find("--area-budget"), std::string::npos);
  r = StudyRequest{};
  r.trials = 0;
  EXPECT_NE(message_of([&] { define_study(r); }).find("--trials must be at least 1"), std::string::npos);
  r = StudyRequest{};
  r.settings = Settings{{"bogus", "1"}};
  EXPECT_NE(message_of([&] { define_study(r); }).find("unknown setting 'bogus'"), std::string::npos);
  EXPECT_NE(message_of([&] { parse_settings({"novalue"}); }).find("--opt expects key=value, got 'novalue'"),
            std::string::npos);
}

TEST(StudyRequest, DifferencesNameEachOptionWithBothValues) {
  const StudyDefinition stored = define_study(request("mbo", 1));
  EXPECT_TRUE(differences(request("mbo", 1), stored).empty());
  StudyRequest r = request("random", 3);
  r.trials = 50;  // not part of a study's identity
  const auto diffs = differences(r, stored);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(describe(diffs),
            "--optimizer is mbo in the stored study, given random; --seed is 1 in the stored study, given 3");
  StudyRequest only_seed;  // options not given are not compared
  only_seed.seed = 1;
  EXPECT_TRUE(differences(only_seed, stored).empty());
}

TEST(StudyRequest, RepeatedCommandContinuesItsStudyAndResumeRefusesOnlyChanges) {
  apollo::testing::ScratchDir dir("apollo_request");
  StudyStore store((dir.path() / "s.db").string());
  store_study(store, request("mbo", 1));
  ASSERT_TRUE(store.find_study("mobilenet_v2-mbo-6.8mm2-s1"));

  // The identical command: the same study, continued (like load_if_exists).
  StudyPlan again = plan_study(store, request("mbo", 1), false);
  EXPECT_TRUE(again.resume);
  EXPECT_EQ(again.definition.name, "mobilenet_v2-mbo-6.8mm2-s1");
  EXPECT_NE(again.note.find("continuing"), std::string::npos);

  // Other settings under the same default name: a new study beside it.
  StudyRequest other = request("mbo", 1);
  other.settings = Settings{{"kappa", "2"}};
  StudyPlan second = plan_study(store, other, false);
  EXPECT_FALSE(second.resume);
  EXPECT_EQ(second.definition.name, "mobilenet_v2-mbo-6.8mm2-s1-2");
  store.create_study(second.definition);
  EXPECT_EQ(plan_study(store, other, false).definition.name, "mobilenet_v2-mbo-6.8mm2-s1-2");

  // --resume with the same options, and more trials.
  StudyRequest resume = request("mbo", 1);
  resume.name = "mobilenet_v2-mbo-6.8mm2-s1";
  resume.trials = 9;
  StudyPlan resumed = plan_study(store, resume, true);
  EXPECT_TRUE(resumed.resume);
  EXPECT_TRUE(resumed.definition_changed);
  EXPECT_EQ(resumed.definition.trials, 9);
  // Only what differs is refused, naming both values.
  resume.optimizer = "gp_bandit";
  const std::string refused = message_of([&] { plan_study(store, resume, true); });
  EXPECT_NE(refused.find("--optimizer is mbo in the stored study, given gp_bandit"), std::string::npos) << refused;
  EXPECT_EQ(refused.find("--workload"), std::string::npos) << refused;
  // The same name without --resume but another definition says what to do.
  const std::string exists = message_of([&] { plan_study(store, resume, false); });
  EXPECT_NE(exists.find("already exists"), std::string::npos) << exists;
  EXPECT_NE(exists.find("add --resume to continue it as stored, or choose another --study"), std::string::npos);
  // --resume of a study that is not there.
  StudyRequest missing = request("random", 7);
  EXPECT_NE(message_of([&] { plan_study(store, missing, true); }).find("no study in"), std::string::npos);
}
