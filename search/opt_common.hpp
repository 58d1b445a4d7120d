// Pieces shared by the optimizers (internal to search/): typed settings with
// documented defaults, the history/seen-set bookkeeping every optimizer needs,
// and the factory signatures the registry table in optimizer.cpp lists.
#pragma once

#include "search/optimizer.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace apollo::search {

struct SettingSpec {
  std::string key;
  std::string default_value;
  std::string meaning;
};

// Settings validated once at construction: unknown keys are rejected with
// std::invalid_argument naming the key and the allowed keys, so hot code never
// looks parameters up by string.
class SettingsReader {
 public:
  SettingsReader(std::string optimizer, const std::vector<SettingSpec>& specs,
                 const Settings& given);
  int get_int(const std::string& key, int min, int max) const;
  double get_double(const std::string& key, double min, double max) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed) const;
  std::string get_string(const std::string& key) const;

 private:
  [[noreturn]] void bad_value(const std::string& key, const std::string& expected) const;
  std::string optimizer_;
  std::map<std::string, std::string> values_;
};

// Derives independent, reproducible seeds for sub-components (members, models).
uint64_t derive_seed(uint64_t seed, uint64_t stream);

// Records every observation and every pending proposal so optimizers can avoid
// re-proposing designs. Subclasses implement propose(); ask() marks the result
// pending. Prior studies (transfer) are kept apart from the history: they are
// not this task's results, and each optimizer uses them in its own way.
class HistoryOptimizer : public Optimizer {
 public:
  HistoryOptimizer(const SearchSpaceShape& space, uint64_t seed);
  std::vector<Design> ask(int count) final;
  void tell(const std::vector<Observation>& results) final;
  // Validates and keeps the priors (designs must fit the space), then calls
  // on_prior(). Throws std::invalid_argument after the first ask.
  void set_prior(const std::vector<PriorStudy>& priors) final;
  // Keeps the constraint for random_design, mutate and neighbours, then
  // calls on_constraint(). Throws std::invalid_argument after the first ask.
  void set_constraint(Admissible admissible) final;

 protected:
  virtual std::vector<Design> propose(int count) = 0;
  // Called after `fresh` were appended to history().
  virtual void on_tell(const std::vector<Observation>& fresh) { (void)fresh; }
  // Called once the priors are stored (default: nothing beyond keeping them).
  virtual void on_prior() {}
  // Called once the constraint is stored (p3bo hands it to its members).
  virtual void on_constraint() {}
  // Multi-objective studies (ParEGO, Knowles 2006): an optimizer that
  // returns true here sees, at each ask, the `objective` of every feasible
  // history entry replaced by -(augmented Chebyshev scalarization) of its
  // normalized objective vector under a weight vector drawn uniformly from
  // the simplex for that ask, and models / selects on that scalar as in a
  // single-objective study. Ignored in single-objective studies.
  virtual bool scalarizes_objectives() const { return false; }
  // Number of objectives of a multi-objective study (0: single objective;
  // known from the first feasible result told).
  int objective_count() const { return objective_count_; }
  const Admissible& constraint() const { return admissible_; }
  // True without a constraint.
  bool admissible(const Design& d) const { return !admissible_ || admissible_(d); }
  const std::vector<PriorStudy>& priors() const { return priors_; }
  // Feasible prior designs, best first, ranked by their objective
  // standardized within their own study (z-scores compare across studies
  // whose objectives have different scales); duplicates dropped.
  std::vector<Design> ranked_prior_designs() const;
  // `designs` encoded as in encode(), followed by a one-hot task indicator of
  // `tasks` columns with a 1 in column `task` (transfer: the surrogate sees
  // which study a row came from).
  Eigen::MatrixXd encode_task(const std::vector<Design>& designs, int task, int tasks) const;
  // Tasks of a transferring model: one per prior study plus the current
  // study (the last); 0 without priors.
  int tasks() const { return priors_.empty() ? 0 : static_cast<int>(priors_.size()) + 1; }
  // Model inputs: encode_task with tasks() columns (just the encoding
  // without priors).
  Eigen::MatrixXd task_inputs(const std::vector<Design>& designs, int task) const {
    return encode_task(designs, task, tasks());
  }
  // Training data of a feasibility classifier: feasible (1) vs infeasible
  // (0) over the priors' observations (task k for prior k) and then this
  // study's (task priors().size()); Failed trials say nothing about a
  // design and are left out.
  struct FeasibilityData {
    Eigen::MatrixXd x;  // task_inputs rows
    Eigen::VectorXi labels;
  };
  FeasibilityData feasibility_data() const;

  const SearchSpaceShape& space() const { return space_; }
  int dims() const { return static_cast<int>(space_.cardinalities.size()); }
  std::mt19937_64& rng() { return rng_; }
  const std::vector<Observation>& history() const { return history_; }
  // Told or pending (asked and not yet told).
  bool is_known(const Design& d) const { return seen_.count(d) > 0 || pending_.count(d) > 0; }
  bool is_known_or_in(const Design& d, const std::set<Design>& batch) const {
    return is_known(d) || batch.count(d) > 0;
  }
  // Uniform over the admissible designs (rejection sampling); when none is
  // found in many draws (a budget almost nothing fits), a uniform design.
  Design random_design();
  // Uniform over admissible designs neither known nor in `batch`; when every
  // such design is taken (tiny spaces) falls back to a uniform design, as
  // repeats are then unavoidable.
  Design random_fresh(const std::set<Design>& batch);
  // The first of a few designs from `make` (a mutation, a child) that is
  // neither known nor in `batch`; a random fresh design when none is.
  Design fresh_from(const std::function<Design()>& make, const std::set<Design>& batch);
  // Each parameter changes with probability p (to a different value); at
  // least one parameter always changes. Redrawn while inadmissible, a
  // bounded number of times (the last draw is returned).
  Design mutate(const Design& parent, double p);
  // Every admissible design differing from d in exactly one parameter.
  std::vector<Design> neighbours(const Design& d) const;
  // `count` admissible designs spread over the space: each the one of
  // `candidates` random fresh designs farthest (in the encoding) from the
  // designs chosen before and from `existing`. A space-filling start that
  // costs no evaluations.
  std::vector<Design> space_filling(int count, const std::vector<Design>& existing, std::set<Design>& taken,
                                    int candidates = 64);
  double space_size() const;
  // Index i of parameter k scaled to [0, 1] (the GP/surrogate input encoding).
  Eigen::MatrixXd encode(const std::vector<Design>& designs) const;
  int feasible_count() const { return feasible_count_; }

 private:
  void validate(const Design& d) const;
  Design mutate_once(const Design& parent, double p);
  void scalarize_for_ask();
  int objective_count_ = 0;
  Admissible admissible_;
  bool unsatisfiable_ = false;  // random_design found no admissible design
  SearchSpaceShape space_;
  std::mt19937_64 rng_;
  std::vector<Observation> history_;
  std::set<Design> seen_;
  std::set<Design> pending_;
  int feasible_count_ = 0;
  bool asked_ = false;
  std::vector<PriorStudy> priors_;
};

// Multi-objective normalization shared by the optimizers: each objective
// (minimized, positive) on a log scale, mapped to [0, 1] by its min and max
// over `points` (a constant objective maps to 0). Log first because latency,
// energy and area span orders of magnitude.
std::vector<std::vector<double>> normalized_objectives(const std::vector<std::vector<double>>& points);
// Augmented Chebyshev scalarization (ParEGO): max_i w_i f_i + rho sum_i w_i f_i
// of normalized objectives f (minimized).
double augmented_chebyshev(const std::vector<double>& f, const std::vector<double>& weights, double rho = 0.05);
// A weight vector uniform on the simplex of `m` objectives.
std::vector<double> simplex_weights(int m, std::mt19937_64& rng);

// (v - mean) / sd over the values (sd 0 -> 1): per-study normalization of
// objectives before data of several studies are mixed.
std::vector<double> standardized(const std::vector<double>& values);

// Rows of `values` (higher better) in descending order, ties by index.
std::vector<int> order_descending(const std::vector<double>& values);

// Objective scale seen by the surrogate models. Apollo's objectives
// (performance per area, speedups) are positive ratios spanning orders of
// magnitude, which a GP or a squared-error regressor fits far better in log
// space; `auto` takes the log when every value is positive, `none` never.
enum class ObjectiveTransform { Auto, None };
ObjectiveTransform parse_transform(const std::string& text);
// True when `mode` and the values call for the log.
bool use_log(ObjectiveTransform mode, const std::vector<double>& values);

// Indices of the observations a model trains on when there are more than
// max_points: the best half by value plus the most recent of the rest, so the
// model stays cheap but keeps both the incumbent region and fresh data.
std::vector<int> training_window(const std::vector<double>& values, int max_points);

// Factories, one per optimizer file; the registry table in optimizer.cpp
// maps names to these.
using OptimizerFactory = std::unique_ptr<Optimizer> (*)(const SearchSpaceShape&, const Settings&,
                                                        uint64_t);
const std::vector<SettingSpec>& random_settings();
std::unique_ptr<Optimizer> make_random(const SearchSpaceShape&, const Settings&, uint64_t);
const std::vector<SettingSpec>& evolution_settings();
std::unique_ptr<Optimizer> make_evolution(const SearchSpaceShape&, const Settings&, uint64_t);
const std::vector<SettingSpec>& mbo_settings();
std::unique_ptr<Optimizer> make_mbo(const SearchSpaceShape&, const Settings&, uint64_t);
const std::vector<SettingSpec>& gp_bandit_settings();
std::unique_ptr<Optimizer> make_gp_bandit(const SearchSpaceShape&, const Settings&, uint64_t);
const std::vector<SettingSpec>& p3bo_settings();
std::unique_ptr<Optimizer> make_p3bo(const SearchSpaceShape&, const Settings&, uint64_t);
const std::vector<SettingSpec>& exhaustive_settings();
std::unique_ptr<Optimizer> make_exhaustive(const SearchSpaceShape&, const Settings&, uint64_t);
const std::vector<SettingSpec>& nsga2_settings();
std::unique_ptr<Optimizer> make_nsga2(const SearchSpaceShape&, const Settings&, uint64_t);

}  // namespace apollo::search
