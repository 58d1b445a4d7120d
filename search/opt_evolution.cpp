// Regularized (aging) evolution, Real et al. 2019: tournament selection from
// a population that forgets its oldest member rather than its worst, which
// keeps the search from fixating on early lucky designs. Multi-objective
// studies: tournaments compare a ParEGO scalarization drawn per ask.
//
// Transfer: the initial population starts with the best feasible designs of
// the prior studies (ranked by their per-study z-score), evaluated again on
// this task; random designs fill the rest. At most P/4 are seeded: on the
// same workload at a looser budget, seeding all P spent 30 of 30 trials
// re-measuring old designs (mobilenet_v2, P=64), while a quarter keeps the
// head start and leaves room for new ones.
#include "search/opt_common.hpp"

#include <algorithm>
#include <deque>
#include <limits>

namespace apollo::search {

namespace {

struct EvolutionConfig {
  int population = 64;
  int tournament = 16;
  double mutation_prob = 0.2;
};

class EvolutionOptimizer final : public HistoryOptimizer {
 public:
  EvolutionOptimizer(const SearchSpaceShape& space, const EvolutionConfig& config, uint64_t seed)
      : HistoryOptimizer(space, seed), config_(config) {}
  std::string name() const override { return "evolution"; }

 protected:
  std::vector<Design> propose(int count) override {
    std::vector<Design> batch;
    std::set<Design> taken;
    for (int i = 0; i < count; ++i) {
      Design d;
      // The initial population is random: until P results are in (results of
      // designs others proposed count too, e.g. inside p3bo).
      if (static_cast<int>(population_.size()) < config_.population) {
        while (next_seed_ < seeds_.size() && is_known_or_in(seeds_[next_seed_], taken)) ++next_seed_;
        d = next_seed_ < seeds_.size() ? seeds_[next_seed_++] : random_fresh(taken);
      } else {
        const Design& parent = tournament_winner();
        d = fresh_from([&] { return mutate(parent, config_.mutation_prob); }, taken);
      }
      taken.insert(d);
      batch.push_back(std::move(d));
    }
    return batch;
  }

  void on_prior() override {
    seeds_ = ranked_prior_designs();
    const size_t cap = static_cast<size_t>(std::max(1, config_.population / 4));
    if (seeds_.size() > cap) seeds_.resize(cap);
  }

  void on_tell(const std::vector<Observation>& fresh) override {
    const size_t first = history().size() - fresh.size();
    for (size_t i = 0; i < fresh.size(); ++i) {
      if (fresh[i].status == TrialStatus::Failed) continue;  // says nothing about the design
      population_.push_back({fresh[i].design, first + i});
      if (static_cast<int>(population_.size()) > config_.population) population_.pop_front();
    }
  }

  // Multi-objective studies: tournaments compare this ask's Chebyshev scalar.
  bool scalarizes_objectives() const override { return true; }

 private:
  struct Member {
    Design design;
    size_t row;  // in history(), whose objective a multi-objective ask rescalarizes
  };

  // Infeasible members stay in the population (they age out like the rest)
  // with a fitness below every feasible one.
  double fitness(const Member& m) const {
    const Observation& o = history()[m.row];
    return o.status == TrialStatus::Feasible ? o.objective : -std::numeric_limits<double>::infinity();
  }

  const Design& tournament_winner() {
    const int n = static_cast<int>(population_.size());
    const int s = std::min(config_.tournament, n);
    // Sample s distinct members (partial Fisher-Yates over indices).
    std::vector<int> idx(n);
    for (int i = 0; i < n; ++i) idx[i] = i;
    int best = -1;
    for (int i = 0; i < s; ++i) {
      const int j = std::uniform_int_distribution<int>(i, n - 1)(rng());
      std::swap(idx[i], idx[j]);
      if (best < 0 || fitness(population_[idx[i]]) > fitness(population_[best])) best = idx[i];
    }
    return population_[best].design;
  }

  EvolutionConfig config_;
  std::deque<Member> population_;
  std::vector<Design> seeds_;  // prior designs still to propose
  size_t next_seed_ = 0;
};

}  // namespace

const std::vector<SettingSpec>& evolution_settings() {
  static const std::vector<SettingSpec> specs = {
      {"population", "64", "population size P (oldest member removed beyond it)"},
      {"tournament", "16", "tournament sample size S"},
      {"mutation_prob", "0.2", "probability each parameter mutates (at least one always does)"},
  };
  return specs;
}

std::unique_ptr<Optimizer> make_evolution(const SearchSpaceShape& space, const Settings& settings,
                                          uint64_t seed) {
  SettingsReader reader("evolution", evolution_settings(), settings);
  EvolutionConfig config;
  config.population = reader.get_int("population", 2, 1000000);
  config.tournament = reader.get_int("tournament", 1, 1000000);
  config.mutation_prob = reader.get_double("mutation_prob", 0.0, 1.0);
  return std::make_unique<EvolutionOptimizer>(space, config, seed);
}

}  // namespace apollo::search
