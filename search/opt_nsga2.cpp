// NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002, "A fast and elitist
// multiobjective genetic algorithm: NSGA-II") over index vectors.
//
// In the ask/tell setting one generation is one ask: the results told since
// the previous ask are the offspring, and the population becomes the best P
// of population + offspring (elitist (mu+lambda) survival: whole fronts of
// the fast non-dominated sort, the last one cut by crowding distance). Each
// asked design is a child of two parents chosen by binary tournaments on
// (rank, crowding distance), by uniform crossover with probability
// `crossover_prob`, then mutated (each parameter with `mutation_prob`, at
// least one; redrawn while over a known area budget). Until P results are
// in, designs are random.
//
// Objectives are the study's objective vectors (minimized; compared on the
// normalized log scale of normalized_objectives for crowding). Infeasible
// results rank after every feasible one (Deb's constraint domination, with
// no violation measure); failed ones are left out. A single-objective study
// is one objective, -objective: NSGA-II then degenerates to an elitist GA
// with tournament selection on the objective.
#include "search/opt_common.hpp"
#include "search/pareto.hpp"

#include <algorithm>
#include <limits>

namespace apollo::search {

namespace {

struct Nsga2Config {
  int population = 24;
  double crossover_prob = 0.9;
  double mutation_prob = 0.1;
};

class Nsga2Optimizer final : public HistoryOptimizer {
 public:
  Nsga2Optimizer(const SearchSpaceShape& space, const Nsga2Config& config, uint64_t seed)
      : HistoryOptimizer(space, seed), config_(config) {}
  std::string name() const override { return "nsga2"; }

 protected:
  std::vector<Design> propose(int count) override {
    if (!offspring_.empty() && population_.size() + offspring_.size() >= static_cast<size_t>(config_.population))
      survive();
    std::vector<Design> batch;
    std::set<Design> taken;
    for (int i = 0; i < count; ++i) {
      // A child's mutation is redrawn while over a known area budget.
      Design d = population_.empty() ? random_fresh(taken) : fresh_from([&] { return child(); }, taken);
      taken.insert(d);
      batch.push_back(std::move(d));
    }
    return batch;
  }

  void on_tell(const std::vector<Observation>& fresh) override {
    const size_t first = history().size() - fresh.size();
    for (size_t i = 0; i < fresh.size(); ++i)
      if (fresh[i].status != TrialStatus::Failed) offspring_.push_back(first + i);
  }

 private:
  // Objective points of history rows: the study's vectors, or -objective.
  std::vector<ObjectivePoint> points_of(const std::vector<size_t>& rows) const {
    std::vector<ObjectivePoint> raw;
    for (size_t r : rows) {
      const Observation& o = history()[r];
      raw.push_back(o.objectives.empty() ? ObjectivePoint{-o.objective} : o.objectives);
    }
    if (objective_count() > 0) return normalized_objectives(raw);
    return raw;
  }

  // (mu+lambda): the best P of population and offspring, by (rank, crowding).
  void survive() {
    std::vector<size_t> pool = population_;
    pool.insert(pool.end(), offspring_.begin(), offspring_.end());
    offspring_.clear();
    std::vector<size_t> feasible, infeasible;
    for (size_t r : pool) (history()[r].status == TrialStatus::Feasible ? feasible : infeasible).push_back(r);
    const auto points = points_of(feasible);
    const size_t target = static_cast<size_t>(config_.population);
    population_.clear();
    rank_.clear();
    crowding_.clear();
    int rank = 0;
    for (const auto& front : non_dominated_sort(points)) {
      if (population_.size() >= target) break;
      const std::vector<double> distance = crowding_distance(points, front);
      std::vector<size_t> order(front.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      // The most isolated first (stable: ties keep history order).
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return distance[a] > distance[b]; });
      for (size_t i : order) {
        if (population_.size() >= target) break;
        population_.push_back(feasible[static_cast<size_t>(front[i])]);
        rank_.push_back(rank);
        crowding_.push_back(distance[i]);
      }
      ++rank;
    }
    // Infeasible results only fill a population short of feasible ones, the
    // most recent first.
    for (auto it = infeasible.rbegin(); it != infeasible.rend() && population_.size() < target; ++it) {
      population_.push_back(*it);
      rank_.push_back(rank);
      crowding_.push_back(0.0);
    }
  }

  // Binary tournament: lower rank wins, then larger crowding distance.
  const Design& parent() {
    std::uniform_int_distribution<size_t> pick(0, population_.size() - 1);
    const size_t a = pick(rng()), b = pick(rng());
    const bool a_wins = rank_[a] != rank_[b] ? rank_[a] < rank_[b] : crowding_[a] >= crowding_[b];
    return history()[population_[a_wins ? a : b]].design;
  }

  Design child() {
    const Design& first = parent();
    const Design& other = parent();
    Design d = first;
    if (std::bernoulli_distribution(config_.crossover_prob)(rng())) {
      std::bernoulli_distribution coin(0.5);
      for (size_t k = 0; k < d.size(); ++k)
        if (coin(rng())) d[k] = other[k];
      // Two designs within a known budget can cross to one over it: then
      // the first parent is mutated instead (mutate keeps within the budget).
      if (!admissible(d)) d = first;
    }
    return mutate(d, config_.mutation_prob);
  }

  Nsga2Config config_;
  std::vector<size_t> population_;  // history rows
  std::vector<int> rank_;           // per population member
  std::vector<double> crowding_;
  std::vector<size_t> offspring_;   // history rows told since the last survival
};

}  // namespace

const std::vector<SettingSpec>& nsga2_settings() {
  static const std::vector<SettingSpec> specs = {
      {"population", "24", "population size P (survivors of each (mu+lambda) selection)"},
      {"crossover_prob", "0.9", "probability a child is a uniform crossover of its two parents"},
      {"mutation_prob", "0.1", "probability each parameter mutates (at least one always does)"},
  };
  return specs;
}

std::unique_ptr<Optimizer> make_nsga2(const SearchSpaceShape& space, const Settings& settings, uint64_t seed) {
  SettingsReader reader("nsga2", nsga2_settings(), settings);
  Nsga2Config config;
  config.population = reader.get_int("population", 2, 100000);
  config.crossover_prob = reader.get_double("crossover_prob", 0.0, 1.0);
  config.mutation_prob = reader.get_double("mutation_prob", 0.0, 1.0);
  return std::make_unique<Nsga2Optimizer>(space, config, seed);
}

}  // namespace apollo::search
