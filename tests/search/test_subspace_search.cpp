// Sub-space studies (--space), the exhaustive optimizer and lookup
// evaluation (--lookup), on a synthetic problem over the real ten-parameter
// space (no compiler or simulator): the optimizer sees sub-space indices,
// the store full-space ones; enumeration visits every design once; a lookup
// study gets exactly the stored measurements and refuses mismatched sources.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "models/space.hpp"
#include "models/subspace.hpp"
#include "search/optimizer.hpp"
#include "search/study.hpp"
#include "tests/search/scratch_dir.hpp"

namespace apollo::search {
namespace {

// Area grows with pe_x and simd_lanes indices, latency falls with them;
// io_bandwidth index 0 "fails to compile".
Measurement synthetic(const Design& d, int) {
  Measurement m;
  m.area_mm2 = 1.0 + 0.3 * (d[0] + d[2]) + 0.1 * d[9];
  if (d[9] == 0) {
    m.status = TrialStatus::Infeasible;
    m.reason = "synthetic: io index 0 cannot compile";
    return m;
  }
  if (m.area_mm2 > 4.0) {
    m.status = TrialStatus::Infeasible;
    m.reason = "area over budget";
    return m;
  }
  m.status = TrialStatus::Feasible;
  m.latency_ms["synthetic"] = 10.0 / (1 + d[0]) + 5.0 / (1 + d[2]) + 3.0 / d[9];
  return m;
}

StudyEnvironment environment() {
  StudyEnvironment env;
  env.shape.cardinalities = models::cardinalities();
  env.evaluate = synthetic;
  env.describe = [](const Design& d) { return nlohmann::json{{"pe_x_index", d[0]}}; };
  return env;
}

// pe_x {1, 2, 4}, simd_lanes {4, 16, 32, 64}, io {5, 10}; the rest fixed: 24 designs.
models::SubSpace space24() {
  return models::SubSpace({{0, 1, 2}, {2}, {0, 2, 3, 4}, {2}, {4}, {8}, {4}, {2}, {3}, {0, 1}}, "space24");
}

StudyDefinition definition(const std::string& name, const std::string& optimizer, int trials) {
  StudyDefinition d;
  d.name = name;
  d.workloads = {"synthetic"};
  d.area_budget_mm2 = 4.0;
  d.optimizer = optimizer;
  d.seed = 7;
  d.trials = trials;
  d.batch = 3;
  d.trial_timeout_s = 10;
  d.space = space24();
  return d;
}

class SubspaceSearch : public ::testing::Test {
 protected:
  apollo::testing::ScratchDir scratch_{"apollo_subspace"};
  StudyStore store_{scratch_.file("s.db")};

  // An exhaustive enumeration of space24 named "enum".
  void enumerate(int trials = 24) {
    auto def = definition("enum", "exhaustive", trials);
    store_.create_study(def);
    run_study(store_, def, environment(), {2, 0, nullptr, nullptr});
  }
};

TEST(ExhaustiveOptimizer, VisitsEveryDesignOnceInFlatOrder) {
  auto opt = make_optimizer("exhaustive", SearchSpaceShape{{2, 3, 1, 2}}, {}, 1);
  std::vector<Design> asked;
  for (int batch : {5, 5, 2}) {
    auto b = opt->ask(batch);
    ASSERT_EQ(static_cast<int>(b.size()), batch);
    std::vector<Observation> told;
    for (const auto& d : b) told.push_back({d, TrialStatus::Feasible, 1.0});
    opt->tell(told);
    asked.insert(asked.end(), b.begin(), b.end());
  }
  ASSERT_EQ(asked.size(), 12u);  // 2 * 3 * 1 * 2
  EXPECT_EQ(std::set<Design>(asked.begin(), asked.end()).size(), 12u);
  // Last parameter fastest: 0000, 0001, 0100, 0101, 0200, ...
  EXPECT_EQ(asked[0], (Design{0, 0, 0, 0}));
  EXPECT_EQ(asked[1], (Design{0, 0, 0, 1}));
  EXPECT_EQ(asked[2], (Design{0, 1, 0, 0}));
  EXPECT_EQ(asked[6], (Design{1, 0, 0, 0}));
  EXPECT_EQ(asked[11], (Design{1, 2, 0, 1}));
  EXPECT_THROW(opt->ask(1), std::invalid_argument);  // nothing left
  EXPECT_THROW(make_optimizer("exhaustive", SearchSpaceShape{{2}}, {{"order", "random"}}, 1), std::invalid_argument);
}

TEST_F(SubspaceSearch, EnumerationStoresEveryFullSpaceDesignOnce) {
  enumerate();
  const auto trials = store_.trials("enum");
  ASSERT_EQ(trials.size(), 24u);
  const auto space = space24();
  std::set<Design> designs;
  int feasible = 0;
  for (const auto& t : trials) {
    ASSERT_EQ(t.design.size(), 10u);  // full-space indices
    EXPECT_TRUE(space.contains(t.design));
    EXPECT_EQ(t.design, space.to_full(space.at(static_cast<uint64_t>(t.number))));  // flat order
    EXPECT_EQ(t.status, synthetic(t.design, 0).status);
    designs.insert(t.design);
    feasible += t.status == TrialStatus::Feasible;
  }
  EXPECT_EQ(designs.size(), 24u);
  // By hand: io index 1 (12 designs) compile; of those, area 1.1 + 0.3 (pe + simd) <= 4
  // means pe + simd <= 9.67: always (max 2 + 4 = 6). So 12 feasible.
  EXPECT_EQ(feasible, 12);
  // The definition keeps the sub-space.
  auto def = store_.find_study("enum");
  ASSERT_TRUE(def && def->space);
  EXPECT_EQ(*def->space, space);
}

TEST_F(SubspaceSearch, ResumedSubspaceStudyReplaysWithoutDiverging) {
  auto def = definition("evo", "evolution", 15);
  def.settings = {{"population", "6"}};
  store_.create_study(def);
  StudyRunOptions cut{1, 0, [](const StudyProgress& p) { return p.evaluated < 7; }, nullptr};
  EXPECT_TRUE(run_study(store_, def, environment(), cut).stopped);
  auto report = run_study(store_, *store_.find_study("evo"), environment(), {2, 0, nullptr, nullptr});
  EXPECT_EQ(report.replayed, 7);
  EXPECT_EQ(report.diverged, 0);
  EXPECT_EQ(store_.trial_count("evo"), 15);
  for (const auto& t : store_.trials("evo")) EXPECT_TRUE(space24().contains(t.design));
}

TEST_F(SubspaceSearch, LookupReturnsTheStoredMeasurements) {
  enumerate();
  std::map<Design, TrialRecord> truth;
  for (const auto& t : store_.trials("enum")) truth.emplace(t.design, t);

  auto def = definition("look", "random", 10);
  def.lookup = "enum";
  // A smaller sub-space of the enumerated one is fine.
  def.space = models::SubSpace({{1, 2}, {2}, {0, 2, 3, 4}, {2}, {4}, {8}, {4}, {2}, {3}, {0, 1}}, "space16");
  store_.create_study(def);
  auto table = LookupTable::load(store_, def);
  EXPECT_EQ(table.size(), 24u);
  StudyRunOptions opts{1, 0, nullptr, table.runner()};
  // An evaluation in the parent would be caught here: this environment fails every call.
  StudyEnvironment never = environment();
  never.evaluate = [](const Design&, int) -> Measurement { throw std::runtime_error("simulated"); };
  run_study(store_, def, never, opts);
  const auto trials = store_.trials("look");
  ASSERT_EQ(trials.size(), 10u);
  std::optional<double> best;
  for (const auto& t : trials) {
    const TrialRecord& ref = truth.at(t.design);
    EXPECT_EQ(t.status, ref.status);
    EXPECT_EQ(t.reason, ref.reason);
    EXPECT_DOUBLE_EQ(t.area_mm2, ref.area_mm2);
    EXPECT_EQ(t.latency_ms, ref.latency_ms);
    if (ref.status == TrialStatus::Feasible) {
      EXPECT_DOUBLE_EQ(t.objective, ref.objective);
      if (!best || ref.objective > *best) best = ref.objective;
    }
  }
  auto b = best_trial(trials);
  ASSERT_EQ(b.has_value(), best.has_value());
  if (best) {
    EXPECT_DOUBLE_EQ(b->objective, *best);
  }
  EXPECT_EQ(store_.find_study("look")->lookup, "enum");
}

TEST_F(SubspaceSearch, LookupRefusesMismatchedSourcesAndMissingDesigns) {
  enumerate(20);  // designs 20..23 never evaluated
  auto refused = [&](StudyDefinition def, const std::string& what) {
    def.lookup = def.lookup.empty() ? "enum" : def.lookup;
    try {
      LookupTable::load(store_, def);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto base = definition("x", "random", 5);
  auto d = base;
  d.workloads = {"other"};
  refused(d, "workloads");
  d = base;
  d.area_budget_mm2 = 5.0;
  refused(d, "area budget");
  d = base;
  d.tech_path = "/elsewhere/tech.yaml";
  refused(d, "technology file");
  d = base;
  d.baseline_path = "/elsewhere/base.yaml";
  refused(d, "baseline");
  d = base;
  d.space = models::SubSpace({{0, 1, 2, 3}, {2}, {0, 2, 3, 4}, {2}, {4}, {8}, {4}, {2}, {3}, {0, 1}}, "wider");
  refused(d, "does not include");
  d = base;
  d.space.reset();  // the whole space
  refused(d, "does not include");
  d = base;
  d.lookup = "nope";
  refused(d, "no study 'nope'");
  d = base;
  d.lookup = "x";
  refused(d, "its own");

  // Same definition, incomplete source: an error naming the design, never a silent failure.
  auto def = definition("look", "exhaustive", 24);
  def.lookup = "enum";
  store_.create_study(def);
  auto table = LookupTable::load(store_, def);
  try {
    run_study(store_, def, environment(), {1, 0, nullptr, table.runner()});
    FAIL() << "a missing design was not reported";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("never evaluated"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store_.trial_count("look"), 20);  // what could be answered is stored
}

TEST_F(SubspaceSearch, TransferMapsThroughParameterValues) {
  enumerate();
  // A full-space study learning from the sub-space one: designs unchanged.
  auto full = definition("full", "evolution", 5);
  full.space.reset();
  full.transfer_from = {"enum"};
  const SearchSpaceShape shape{models::cardinalities()};
  auto priors = load_priors(store_, full, shape);
  ASSERT_EQ(priors.size(), 1u);
  ASSERT_EQ(priors[0].observations.size(), 24u);
  EXPECT_EQ(priors[0].observations[5].design, store_.trials("enum")[5].design);

  // A sub-space study learning from it: mapped into sub-indices, designs
  // outside (pe_x 1, simd 4) dropped.
  auto narrow = definition("narrow", "evolution", 5);
  narrow.space = models::SubSpace({{1, 2}, {2}, {2, 3, 4}, {2}, {4}, {8}, {4}, {2}, {3}, {0, 1}}, "space12");
  narrow.transfer_from = {"enum"};
  priors = load_priors(store_, narrow, shape);
  ASSERT_EQ(priors[0].observations.size(), 12u);  // 2 x 3 x 2 of the 24
  for (const auto& o : priors[0].observations) {
    EXPECT_LT(o.design[0], 2);
    EXPECT_LT(o.design[2], 3);
    EXPECT_TRUE(narrow.space->contains(narrow.space->to_full(o.design)));
  }
  // And it runs.
  store_.create_study(narrow);
  run_study(store_, narrow, environment(), {1, 0, nullptr, nullptr});
  EXPECT_EQ(store_.trial_count("narrow"), 5);
}

}  // namespace
}  // namespace apollo::search
