// `apollo study pareto` and `apollo study compare` on multi-objective studies,
// end to end on a database written through the store (three objectives,
// with energy): the printed front is exactly the non-dominated feasible
// trials, the plot is written, compare's hypervolume is the one computed by
// hand against the common reference point, and bad input exits 2; and real
// searches whose trials are simulated: an energy objective and a
// latency-energy front.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "search/pareto.hpp"
#include "search/store.hpp"
#include "tests/search/scratch_dir.hpp"
#include "tests/shell_run.hpp"

using namespace apollo::search;
using nlohmann::json;

namespace {

apollo::testing::ShellResult apollo_cli(const std::string& args) {
  return apollo::testing::run_shell(std::string(APOLLO_BINARY) + " " + args);
}

// Trial i of study `seed`: latency, energy and area from a small formula
// with trade-offs; every fifth trial infeasible.
TrialRecord trial(int i, int seed) {
  TrialRecord t;
  t.number = i;
  t.design = {i % 4, (i * seed) % 5};
  t.values = json{{"pe_x", i}};
  const double x = 1 + (i * (3 + seed)) % 11, y = 1 + (i * 7 + seed) % 13;
  t.status = i % 5 == 4 ? TrialStatus::Infeasible : TrialStatus::Feasible;
  if (t.status == TrialStatus::Feasible) {
    t.latency_ms = {{"w", x}};
    t.energy_uj = {{"w", 20.0 / x + y}};
    t.area_mm2 = 1 + 12.0 / y;
    t.objective = 1 / (x * t.energy_uj["w"] * t.area_mm2);
  }
  return t;
}

std::vector<double> point_of(const TrialRecord& t) {
  return {t.latency_ms.at("w"), t.energy_uj.at("w"), t.area_mm2};
}

class ParetoCli : public ::testing::Test {
 protected:
  void SetUp() override {
    StudyStore store(db());
    for (int seed : {1, 2}) {
      StudyDefinition def;
      def.name = "s" + std::to_string(seed);
      def.workloads = {"w"};
      def.optimizer = "nsga2";
      def.seed = static_cast<uint64_t>(seed);
      def.trials = 30;
      def.objectives = {"latency", "energy", "area"};
      store.create_study(def);
      for (int i = 0; i < 30; ++i) store.add_trial(def.name, trial(i, seed));
    }
    StudyDefinition scalar;
    scalar.name = "scalar";
    scalar.workloads = {"w"};
    store.create_study(scalar);
  }
  std::string db() const { return (dir_.path() / "p.db").string(); }
  apollo::testing::ScratchDir dir_{"apollo_pareto_cli"};
};

}  // namespace

TEST_F(ParetoCli, FrontIsTheNonDominatedFeasibleTrialsAndIsPlotted) {
  const auto r = apollo_cli("study pareto s1 --json --db " + db());
  ASSERT_EQ(r.code, 0) << r.out;
  const json out = json::parse(r.out);
  std::vector<std::vector<double>> points;
  std::vector<int> numbers;
  for (int i = 0; i < 30; ++i) {
    const TrialRecord t = trial(i, 1);
    if (t.status != TrialStatus::Feasible) continue;
    points.push_back(point_of(t));
    numbers.push_back(i);
  }
  std::set<int> expected;
  for (int k : non_dominated(points)) expected.insert(numbers[static_cast<size_t>(k)]);
  std::set<int> printed;
  for (const auto& row : out.at("front")) {
    printed.insert(row.at("trial").get<int>());
    EXPECT_EQ(row.at("objectives").at("energy").get<double>(), point_of(trial(row.at("trial").get<int>(), 1))[1]);
  }
  EXPECT_EQ(printed, expected);
  EXPECT_EQ(out.at("feasible").get<int>(), static_cast<int>(points.size()));
  EXPECT_EQ(out.at("objectives").at(1).at("unit"), "uJ");

  const auto text = apollo_cli("study pareto s1 --db " + db() + " --plot " + (dir_.path() / "f.png").string());
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("Pareto front: " + std::to_string(expected.size()) + " of " +
                          std::to_string(points.size()) + " feasible trials"),
            std::string::npos)
      << text.out;
  EXPECT_GT(std::filesystem::file_size(dir_.path() / "f.png"), 0u);
}

TEST_F(ParetoCli, CompareReportsHypervolumeAgainstOneReferencePoint) {
  const auto r = apollo_cli("study compare s1 s2 --group-by study --checkpoints 10,30 --json --db " + db());
  ASSERT_EQ(r.code, 0) << r.out;
  const json out = json::parse(r.out);
  // Default reference: the worst feasible value of each objective over both studies, x 1.1.
  std::vector<double> worst(3, 0.0);
  std::vector<std::vector<double>> points[2];
  for (int seed : {1, 2})
    for (int i = 0; i < 30; ++i) {
      const TrialRecord t = trial(i, seed);
      if (t.status != TrialStatus::Feasible) continue;
      points[seed - 1].push_back(point_of(t));
      for (size_t k = 0; k < 3; ++k) worst[k] = std::max(worst[k], point_of(t)[k]);
    }
  for (double& v : worst) v *= 1.1;
  const auto reference = out.at("hypervolume").at("reference").get<std::vector<double>>();
  for (size_t k = 0; k < 3; ++k) EXPECT_NEAR(reference[k], worst[k], 1e-9);
  for (int s = 0; s < 2; ++s) {
    const double volume = hypervolume(points[s], worst);
    EXPECT_NEAR(out.at("hypervolume").at("studies").at(s).at("hypervolume").get<double>(), volume, 1e-9 * volume);
    // The last checkpoint's "best" is the hypervolume after all 30 trials.
    EXPECT_NEAR(out.at("groups").at(s).at("checkpoints").at(1).at("best").at("median").get<double>(), volume,
                1e-9 * volume);
  }
  const auto text = apollo_cli("study compare s1 s2 --db " + std::string(db()));
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("hypervolume of each study's Pareto front (latency, energy, area, minimized)"),
            std::string::npos)
      << text.out;

  EXPECT_EQ(apollo_cli("study compare s1 s2 --reference 1,2 --db " + db()).code, 2);  // three objectives
  EXPECT_EQ(apollo_cli("study compare s1 scalar --db " + db()).code, 2);            // not comparable
  EXPECT_EQ(apollo_cli("study compare s1 s2 --reference 100,100,100 --db " + db()).code, 0);
}

// Real evaluations: every feasible trial has its energy per inference, the
// energy objective is 1 / energy, and the front of a latency-energy study is
// non-dominated among its trials.
TEST(ParetoSearch, EnergyObjectivesOnSimulatedTrials) {
  const apollo::testing::ScratchDir dir("pareto_search");
  const std::string db = (dir.path() / "s.db").string();
  const auto one = apollo_cli("search --workload mobilenet_v3_small --objective energy --optimizer random --trials 6 "
                              "--jobs 2 --seed 3 --quiet --json --study e --db " + db);
  ASSERT_EQ(one.code, 0) << one.out;
  const json best = json::parse(one.out).at("best");
  ASSERT_TRUE(best.contains("energy_uj")) << one.out;
  const double e = best.at("energy_uj").at("mobilenet_v3_small").get<double>();
  EXPECT_GT(e, 0);
  EXPECT_NEAR(best.at("objective").get<double>(), 1 / e, 1e-9 / e);

  const auto two = apollo_cli("search --workload mobilenet_v3_small --objectives latency,energy --optimizer nsga2 "
                              "--trials 12 --jobs 2 --seed 3 --quiet --study f --db " + db);
  ASSERT_EQ(two.code, 0) << two.out;
  const auto front = apollo_cli("study pareto f --json --db " + db);
  ASSERT_EQ(front.code, 0) << front.out;
  const json f = json::parse(front.out);
  std::vector<std::vector<double>> points;
  for (const auto& row : f.at("front")) {
    points.push_back({row.at("objectives").at("latency").get<double>(), row.at("objectives").at("energy").get<double>()});
  }
  ASSERT_FALSE(points.empty());
  for (const auto& p : points)
    for (const auto& q : points) EXPECT_FALSE(dominates(q, p));
}

