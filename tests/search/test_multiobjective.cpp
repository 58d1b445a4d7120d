// Objectives and multi-objective studies: the scalar objectives on
// hand-made measurements, energy that is missing, the request's checks of
// --objective / --objectives, the energy column of the store, NSGA-II and the
// multi-objective modes of the other optimizers on a synthetic two-objective
// problem, and multi-objective studies (front, resume, determinism).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <set>
#include <string>

#include "models/arch.hpp"
#include "search/evaluation.hpp"
#include "search/objective.hpp"
#include "search/pareto.hpp"
#include "search/report.hpp"
#include "search/request.hpp"
#include "search/study.hpp"
#include "tests/search/scratch_dir.hpp"
#include "tests/search/synthetic.hpp"
#include "tests/search/synthetic_study.hpp"

using namespace apollo::search;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

Measurement feasible(std::map<std::string, double> latency, std::map<std::string, double> energy, double area) {
  Measurement m;
  m.status = TrialStatus::Feasible;
  m.latency_ms = std::move(latency);
  m.energy_uj = std::move(energy);
  m.area_mm2 = area;
  return m;
}

Objective scalar(const std::string& name, std::vector<std::string> workloads = {"a"}) {
  return Objective(name, {}, std::move(workloads), {{"a", 4.0}, {"b", 1.0}}, {{"a", 100.0}, {"b", 10.0}});
}

}  // namespace

TEST(Objectives, ScalarObjectivesOfOneWorkloadByHand) {
  const Measurement m = feasible({{"a", 2.0}}, {{"a", 50.0}}, 4.0);
  EXPECT_DOUBLE_EQ(scalar("perf_per_area")(m), 1.0 / 8);
  EXPECT_DOUBLE_EQ(scalar("latency")(m), 0.5);              // 1 / ms
  EXPECT_DOUBLE_EQ(scalar("energy")(m), 1.0 / 50);          // 1 / uJ
  EXPECT_DOUBLE_EQ(scalar("edp")(m), 1.0 / 100);            // 1 / (uJ ms)
  EXPECT_DOUBLE_EQ(scalar("perf_per_watt")(m), 20000.0);    // inferences per joule
  EXPECT_EQ(scalar("edp").name(), "edp");
  EXPECT_EQ(scalar("perf_per_area").name(), "perf_per_area");
}

TEST(Objectives, SeveralWorkloadsAreGeomeanRatiosToTheBaseline) {
  // Baseline: latency a 4, b 1; energy a 100, b 10.
  const Measurement m = feasible({{"a", 2.0}, {"b", 2.0}}, {{"a", 25.0}, {"b", 20.0}}, 4.0);
  const std::vector<std::string> both = {"a", "b"};
  EXPECT_NEAR(scalar("latency", both)(m), 1.0, 1e-12);             // sqrt(4/2 * 1/2)
  EXPECT_NEAR(scalar("perf_per_area", both)(m), 1.0, 1e-12);       // the same speedup, as before
  EXPECT_NEAR(scalar("energy", both)(m), std::sqrt(2.0), 1e-12);   // sqrt(100/25 * 10/20)
  EXPECT_NEAR(scalar("perf_per_watt", both)(m), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(scalar("edp", both)(m), std::sqrt(2.0), 1e-12);      // sqrt(400/50 * 10/40)
  EXPECT_EQ(scalar("perf_per_area", both).name(), "geomean_speedup");
  // Vectors: latency and energy relative to the baseline, area in mm2.
  const Objective vec("perf_per_area", {"latency", "energy", "area"}, both, {{"a", 4.0}, {"b", 1.0}},
                      {{"a", 100.0}, {"b", 10.0}});
  const auto v = vec.vector(m);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_NEAR(v[0], 1.0, 1e-12);
  EXPECT_NEAR(v[1], std::sqrt(0.5), 1e-12);
  EXPECT_DOUBLE_EQ(v[2], 4.0);
  EXPECT_NEAR(vec(m), 1.0 / (v[0] * v[1] * v[2]), 1e-12);
  EXPECT_EQ(vec.name(), "pareto:latency,energy,area");
  EXPECT_EQ(vec.units(), (std::vector<std::string>{"x baseline", "x baseline", "mm2"}));
  const Objective one("perf_per_area", {"latency", "area"}, {"a"}, {}, {});
  EXPECT_EQ(one.vector(m), (std::vector<double>{2.0, 4.0}));
  EXPECT_EQ(one.units(), (std::vector<std::string>{"ms", "mm2"}));
}

TEST(Objectives, MissingEnergyIsAnErrorNeverZero) {
  const Measurement m = feasible({{"a", 2.0}}, {}, 4.0);
  for (const char* name : {"energy", "edp", "perf_per_watt"})
    EXPECT_NE(message_of([&] { scalar(name)(m); }).find("trial has no energy measurement for workload a"),
              std::string::npos)
        << name;
  EXPECT_NO_THROW(scalar("latency")(m));
  const Objective vec("perf_per_area", {"energy", "area"}, {"a"}, {}, {});
  EXPECT_NE(message_of([&] { vec.vector(m); }).find("trial has no energy measurement for workload a"),
            std::string::npos);
  // Several workloads need the baseline's energy.
  EXPECT_NE(message_of([&] { Objective("energy", {}, {"a", "b"}, {{"a", 1.0}, {"b", 1.0}}, {}); })
                .find("the baseline has no energy measurement for workload a"),
            std::string::npos);
  // A study whose objective needs energy is refused when the baseline has none.
  StudyDefinition def;
  def.workloads = {"a"};
  def.objective = "edp";
  EXPECT_THROW(require_energy(def, m), apollo::models::ConfigError);
  EXPECT_NE(message_of([&] { require_energy(def, m); }).find("no energy for workload a"), std::string::npos);
  def.objective = "latency";
  EXPECT_NO_THROW(require_energy(def, m));
  def.objectives = {"latency", "energy"};
  EXPECT_THROW(require_energy(def, m), apollo::models::ConfigError);
  EXPECT_NO_THROW(require_energy(def, feasible({{"a", 1.0}}, {{"a", 3.0}}, 1.0)));
  EXPECT_NE(message_of([&] { scalar("speed"); }).find("unknown objective 'speed'"), std::string::npos);
}

TEST(Objectives, BaselineObjectiveAndMeasurementJson) {
  StudyDefinition def;
  def.workloads = {"a"};
  def.baseline_latency_ms = {{"a", 2.0}};
  def.baseline_area_mm2 = 4.0;
  EXPECT_DOUBLE_EQ(*baseline_objective(def), 1.0 / 8);
  def.objective = "energy";
  EXPECT_FALSE(baseline_objective(def));  // stored without energy
  def.baseline_energy_uj = {{"a", 10.0}};
  EXPECT_DOUBLE_EQ(*baseline_objective(def), 0.1);
  // Results from before energy existed still load, with no energy.
  nlohmann::json old{{"status", "feasible"}, {"reason", ""}, {"area_mm2", 1.0}, {"latency_ms", {{"a", 1.0}}}};
  EXPECT_TRUE(Measurement::from_json(old).energy_uj.empty());
  const Measurement m = feasible({{"a", 2.0}}, {{"a", 5.0}}, 3.0);
  EXPECT_EQ(Measurement::from_json(m.to_json()).energy_uj, m.energy_uj);
}

TEST(ObjectiveRequest, ErrorsNameTheOptionAndTheValue) {
  StudyRequest r;
  r.objective = "speed";
  EXPECT_NE(message_of([&] { define_study(r); }).find("--objective: unknown objective 'speed'"), std::string::npos);
  r = StudyRequest{};
  r.objectives = parse_objectives("latency");
  EXPECT_NE(message_of([&] { define_study(r); }).find("--objectives expects two or three"), std::string::npos);
  r.objectives = parse_objectives("latency,energy,area,latency");
  EXPECT_NE(message_of([&] { define_study(r); }).find("--objectives expects two or three"), std::string::npos);
  r.objectives = parse_objectives("latency,latency");
  EXPECT_NE(message_of([&] { define_study(r); }).find("--objectives: latency given twice"), std::string::npos);
  r.objectives = parse_objectives("latency,speed");
  EXPECT_NE(message_of([&] { define_study(r); }).find("unknown objective 'speed'"), std::string::npos);
  r.objectives = parse_objectives("latency,area");
  r.objective = "energy";
  EXPECT_NE(message_of([&] { define_study(r); }).find("--objective and --objectives cannot be combined"),
            std::string::npos);
  r.objective.reset();
  r.transfer_from = std::vector<std::string>{"src"};
  EXPECT_NE(message_of([&] { define_study(r); }).find("--transfer-from is not supported for multi-objective"),
            std::string::npos);
  r.transfer_from.reset();
  r.optimizer = "nsga2";
  const StudyDefinition d = define_study(r);
  EXPECT_EQ(d.objectives, (std::vector<std::string>{"latency", "area"}));
  EXPECT_EQ(d.objective_name(), "pareto:latency,area");
  EXPECT_EQ(default_study_name(d, false), "mobilenet_v2-nsga2-latency+area-6.8mm2-s1");
}

TEST(ObjectiveRequest, ResumeWithAnotherObjectiveIsRefusedNamingBoth) {
  apollo::testing::ScratchDir dir("apollo_objective_request");
  StudyStore store((dir.path() / "s.db").string());
  StudyRequest r;
  r.name = "s";
  r.trials = 4;
  store.create_study(plan_study(store, r, false).definition);
  StudyRequest resume;
  resume.name = "s";
  resume.objective = "latency";
  EXPECT_NE(message_of([&] { plan_study(store, resume, true); })
                .find("--objective is perf_per_area in the stored study, given latency"),
            std::string::npos);
  resume.objective.reset();
  resume.objectives = parse_objectives("latency,area");
  EXPECT_NE(message_of([&] { plan_study(store, resume, true); })
                .find("--objectives is (none) in the stored study, given latency,area"),
            std::string::npos);
  // Stored definitions keep the objectives.
  StudyRequest multi;
  multi.name = "m";
  multi.trials = 4;
  multi.objectives = parse_objectives("energy,area");
  StudyDefinition def = plan_study(store, multi, false).definition;
  def.baseline_energy_uj = {{"mobilenet_v2", 12.5}};
  store.create_study(def);
  const StudyDefinition back = *store.find_study("m");
  EXPECT_EQ(back.objectives, (std::vector<std::string>{"energy", "area"}));
  EXPECT_EQ(back.baseline_energy_uj, def.baseline_energy_uj);
  EXPECT_EQ(back.objective, "perf_per_area");
  EXPECT_TRUE(plan_study(store, multi, true).resume);
}

TEST(ObjectiveStore, EnergyRoundTripAndDatabasesWithoutTheColumn) {
  apollo::testing::ScratchDir dir("apollo_energy_store");
  const std::string path = (dir.path() / "s.db").string();
  {
    StudyStore store(path);
    StudyDefinition def;
    def.name = "s";
    def.workloads = {"a"};
    store.create_study(def);
    TrialRecord t;
    t.number = 0;
    t.design = {1, 2};
    t.status = TrialStatus::Feasible;
    t.latency_ms = {{"a", 1.5}};
    t.energy_uj = {{"a", 7.25}};
    t.area_mm2 = 2;
    store.add_trial("s", t);
    EXPECT_EQ(store.trials("s").at(0).energy_uj, t.energy_uj);
  }
  // A database from before energy was stored: the column is missing.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE trials DROP COLUMN energy_uj", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  StudyStore store(path);  // adds the column again
  const auto trials = store.trials("s");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_TRUE(trials[0].energy_uj.empty());
  EXPECT_EQ(trials[0].latency_ms.at("a"), 1.5);
}

// ---- optimizers on a synthetic two-objective problem ----

namespace {

// ZDT1-like, minimized, positive: f1 = 0.1 + s0, f2 = g (2 - sqrt(s0)) with
// g = 1 + 4 mean(s1..s9) (s = indices scaled to [0, 1]). The front is g = 1,
// which random designs rarely approach (nine parameters at their lowest).
ObjectivePoint two_objectives(const SearchSpaceShape& space, const Design& d) {
  double rest = 0;
  for (size_t k = 1; k < d.size(); ++k) rest += synthetic::scaled(space, d, k);
  const double g = 1 + 4 * rest / double(d.size() - 1);
  const double s0 = synthetic::scaled(space, d, 0);
  return {0.1 + s0, g * (2 - std::sqrt(s0))};
}

const ObjectivePoint kReference = {1.2, 11.0};

// Hypervolume of every design an optimizer asked in `trials` trials.
double run_hypervolume(const std::string& name, const Settings& settings, uint64_t seed, int trials, int batch,
                       std::vector<Design>* asked_out = nullptr) {
  const SearchSpaceShape space = synthetic::real_space();
  auto opt = make_optimizer(name, space, settings, seed);
  std::vector<ObjectivePoint> points;
  std::set<Design> asked;
  for (int done = 0; done < trials; done += batch) {
    std::vector<Observation> told;
    for (const Design& d : opt->ask(batch)) {
      EXPECT_TRUE(asked.insert(d).second) << name << " repeated a design";
      const ObjectivePoint f = two_objectives(space, d);
      points.push_back(f);
      told.push_back({d, TrialStatus::Feasible, 1.0 / (f[0] * f[1]), f});
      if (asked_out) asked_out->push_back(d);
    }
    opt->tell(told);
  }
  return hypervolume(points, kReference);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

Settings multi_settings(const std::string& name) {
  if (name == "mbo")
    return {{"mlp_members", "3"}, {"mlp_steps", "150"}, {"xgb_rounds", "30"}, {"inner_generations", "5"},
            {"gp_restarts", "0"}, {"warmup", "8"}};
  if (name == "gp_bandit") return {{"candidates", "300"}, {"local_starts", "3"}, {"restarts", "1"}, {"init_trials", "8"}};
  if (name == "evolution") return {{"population", "16"}, {"tournament", "4"}};
  if (name == "p3bo")
    return {{"members", "random,evolution,gp_bandit"}, {"evolution.population", "16"},
            {"evolution.tournament", "4"},             {"gp_bandit.candidates", "300"},
            {"gp_bandit.local_starts", "3"},          {"gp_bandit.restarts", "1"},
            {"gp_bandit.init_trials", "8"}};
  return {};
}

}  // namespace

TEST(Nsga2, HigherMedianHypervolumeThanRandomOnTwoObjectives) {
  std::vector<double> nsga2, random;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    nsga2.push_back(run_hypervolume("nsga2", {}, seed, 200, 8));
    random.push_back(run_hypervolume("random", {}, seed, 200, 8));
  }
  std::cout << "median hypervolume after 200 trials (5 seeds): nsga2 " << median(nsga2) << ", random "
            << median(random) << "\n";
  EXPECT_GT(median(nsga2), median(random));
}

TEST(Nsga2, DeterministicPerSeedAndWithinAKnownConstraint) {
  std::vector<Design> a, b, c;
  run_hypervolume("nsga2", {}, 3, 64, 8, &a);
  run_hypervolume("nsga2", {}, 3, 64, 8, &b);
  run_hypervolume("nsga2", {}, 4, 64, 8, &c);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // A constraint that admits designs whose first three indices sum to <= 4.
  auto opt = make_optimizer("nsga2", synthetic::real_space(), {{"population", "8"}}, 1);
  auto admissible = [](const Design& d) { return d[0] + d[1] + d[2] <= 4; };
  opt->set_constraint(admissible);
  for (int round = 0; round < 8; ++round) {
    std::vector<Observation> told;
    for (const Design& d : opt->ask(4)) {
      EXPECT_TRUE(admissible(d));
      const ObjectivePoint f = two_objectives(synthetic::real_space(), d);
      told.push_back({d, round % 3 == 2 ? TrialStatus::Infeasible : TrialStatus::Feasible, 1.0, f});
      if (told.back().status != TrialStatus::Feasible) told.back().objectives.clear();
    }
    opt->tell(told);
  }
}

TEST(Nsga2, OneObjectiveIsAnElitistGaThatBeatsRandom) {
  const synthetic::Problem problem = synthetic::separable_quadratic(synthetic::real_space());
  auto best_of = [&](const std::string& name, uint64_t seed) {
    auto opt = make_optimizer(name, problem.space, {}, seed);
    double best = -1e300;
    for (int round = 0; round < 15; ++round) {
      std::vector<Observation> told;
      for (const Design& d : opt->ask(8)) {
        told.push_back(problem.evaluate(d));
        best = std::max(best, told.back().objective);
      }
      opt->tell(told);
    }
    return best;
  };
  std::vector<double> nsga2, random;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    nsga2.push_back(best_of("nsga2", seed));
    random.push_back(best_of("random", seed));
  }
  EXPECT_GT(median(nsga2), median(random));
}

TEST(MultiObjectiveOptimizers, ParEgoAndHypervolumeRewardsRunAndAreDeterministic) {
  for (const std::string name : {"evolution", "gp_bandit", "mbo", "p3bo"}) {
    std::vector<Design> a, b;
    std::vector<double> volumes, random;
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      volumes.push_back(run_hypervolume(name, multi_settings(name), seed, 48, 4, seed == 1 ? &a : nullptr));
      random.push_back(run_hypervolume("random", {}, seed, 48, 4));
    }
    run_hypervolume(name, multi_settings(name), 1, 48, 4, &b);
    EXPECT_EQ(a, b) << name;
    std::cout << name << ": median hypervolume after 48 trials (3 seeds) " << median(volumes) << ", random "
              << median(random) << "\n";
    // ParEGO's models and p3bo's hypervolume rewards learn the trade-off;
    // evolution's Chebyshev tournaments only just keep up with random here.
    if (name != "evolution") {
      EXPECT_GT(median(volumes), median(random)) << name;
    }
  }
}

TEST(MultiObjectiveOptimizers, TellRejectsInconsistentObjectiveVectors) {
  auto opt = make_optimizer("nsga2", synthetic::small_space(), {}, 1);
  const auto asked = opt->ask(3);
  opt->tell({{asked[0], TrialStatus::Feasible, 1.0, {1.0, 2.0}}});
  EXPECT_THROW(opt->tell({{asked[1], TrialStatus::Feasible, 1.0, {1.0}}}), std::invalid_argument);
  EXPECT_THROW(opt->tell({{asked[2], TrialStatus::Feasible, 1.0, {1.0, 0.0}}}), std::invalid_argument);
}

// ---- multi-objective studies ----

namespace {

StudyDefinition multi_definition(const std::string& name, int trials, const std::string& optimizer = "nsga2") {
  StudyDefinition d;
  d.name = name;
  d.workloads = {"synthetic"};
  d.area_budget_mm2 = 6.0;
  d.optimizer = optimizer;
  d.settings = optimizer == "nsga2" ? Settings{{"population", "8"}} : Settings{};
  d.seed = 7;
  d.trials = trials;
  d.batch = 4;
  d.trial_timeout_s = 10;
  d.objectives = {"latency", "area"};
  return d;
}

}  // namespace

TEST(MultiObjectiveStudy, StoredFrontIsExactlyTheNonDominatedFeasibleTrials) {
  apollo::testing::ScratchDir dir("apollo_mo_front");
  StudyStore store((dir.path() / "s.db").string());
  const StudyDefinition def = multi_definition("s", 40);
  store.create_study(def);
  run_study(store, def, synthetic::environment_with_area(), {2, 0, nullptr, nullptr});
  const auto trials = store.trials("s");
  ASSERT_EQ(trials.size(), 40u);
  const StudyFront front = study_front(def, trials);
  ASSERT_FALSE(front.front.empty());
  EXPECT_EQ(front.objectives, (std::vector<std::string>{"latency", "area"}));
  EXPECT_EQ(front.units, (std::vector<std::string>{"ms", "mm2"}));
  const std::set<size_t> on_front(front.front.begin(), front.front.end());
  for (size_t i = 0; i < front.feasible.size(); ++i) {
    const auto& t = trials[front.feasible[i]];
    // The vector is what was measured: latency ms, area mm2; the scalar 1 / product.
    EXPECT_DOUBLE_EQ(front.points[i][0], t.latency_ms.at("synthetic"));
    EXPECT_DOUBLE_EQ(front.points[i][1], t.area_mm2);
    EXPECT_DOUBLE_EQ(t.objective, 1.0 / (t.latency_ms.at("synthetic") * t.area_mm2));
    bool dominated = false;
    for (const auto& q : front.points) dominated = dominated || dominates(q, front.points[i]);
    EXPECT_EQ(on_front.count(front.feasible[i]) == 1, !dominated) << "trial " << t.number;
  }
  for (size_t t : front.front) EXPECT_EQ(trials[t].status, TrialStatus::Feasible);
  // The hypervolume curve never falls and ends at the front's hypervolume.
  const ObjectivePoint ref = *default_reference({front});
  const auto curve = hypervolume_curve(front, trials.size(), ref);
  EXPECT_TRUE(std::is_sorted(curve.begin(), curve.end()));
  std::vector<ObjectivePoint> front_points;
  for (size_t i = 0; i < front.feasible.size(); ++i)
    if (on_front.count(front.feasible[i])) front_points.push_back(front.points[i]);
  EXPECT_NEAR(curve.back(), hypervolume(front_points, ref), 1e-12);
}

TEST(MultiObjectiveStudy, ResumeAndDeterminismAsForOneObjective) {
  apollo::testing::ScratchDir dir("apollo_mo_resume");
  for (const std::string optimizer : {"nsga2", "gp_bandit"}) {
    StudyStore whole((dir.path() / (optimizer + "-whole.db")).string());
    StudyStore parts((dir.path() / (optimizer + "-parts.db")).string());
    StudyStore other_jobs((dir.path() / (optimizer + "-jobs.db")).string());
    StudyDefinition def = multi_definition("s", 24, optimizer);
    whole.create_study(def);
    run_study(whole, def, synthetic::environment_with_area(), {2, 0, nullptr, nullptr});
    other_jobs.create_study(def);
    run_study(other_jobs, def, synthetic::environment_with_area(), {1, 0, nullptr, nullptr});
    StudyDefinition first = def;
    first.trials = 12;
    parts.create_study(first);
    run_study(parts, first, synthetic::environment_with_area(), {2, 0, nullptr, nullptr});
    const StudyRunReport resumed = run_study(parts, def, synthetic::environment_with_area(), {2, 0, nullptr, nullptr});
    EXPECT_EQ(resumed.replayed, 12) << optimizer;
    EXPECT_EQ(resumed.evaluated, 12) << optimizer;
    EXPECT_EQ(resumed.diverged, 0) << optimizer;
    const auto a = whole.trials("s"), b = parts.trials("s"), c = other_jobs.trials("s");
    ASSERT_EQ(a.size(), 24u);
    ASSERT_EQ(b.size(), 24u);
    ASSERT_EQ(c.size(), 24u);
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].design, b[i].design) << optimizer << " trial " << i;
      EXPECT_EQ(a[i].design, c[i].design) << optimizer << " trial " << i;
    }
  }
}

TEST(MultiObjectiveStudy, AnEnergyObjectiveWithoutEnergyFailsEachTrialSaying) {
  apollo::testing::ScratchDir dir("apollo_mo_energy");
  StudyStore store((dir.path() / "s.db").string());
  StudyDefinition def = multi_definition("s", 4, "random");
  def.objectives = {"energy", "area"};
  store.create_study(def);
  run_study(store, def, synthetic::environment_with_area(), {1, 0, nullptr, nullptr});
  for (const auto& t : store.trials("s")) {
    if (t.reason.find("parameter 0") != std::string::npos) continue;  // the synthetic compile failure
    EXPECT_EQ(t.status, TrialStatus::Failed);
    EXPECT_NE(t.reason.find("trial has no energy measurement for workload synthetic"), std::string::npos) << t.reason;
  }
}
