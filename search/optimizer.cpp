// Optimizer registry (a table, not an if-chain) and the shared bookkeeping of
// opt_common.hpp.
#include "search/optimizer.hpp"

#include "search/opt_common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace apollo::search {

namespace {

struct RegistryEntry {
  const char* name;
  const char* summary;
  const std::vector<SettingSpec>& (*settings)();
  OptimizerFactory make;
  int default_trials = 100;  // 0: every design of the space
  bool enumerates = false;
};

const std::vector<RegistryEntry>& registry() {
  static const std::vector<RegistryEntry> table = {
      {"random", "uniform random designs, never repeating one", random_settings, make_random},
      {"evolution", "regularized (aging) evolution with tournament selection (Real et al. 2019)",
       evolution_settings, make_evolution},
      {"mbo",
       "model-based: XGBoost + GP + MLP ensemble weighted by cross-validation, feasibility "
       "classifier, acquisition maximized by an inner evolutionary search",
       mbo_settings, make_mbo},
      {"p3bo", "population of optimizers sharing each batch by softmax of recent rewards "
               "(Angermueller et al. 2020)",
       p3bo_settings, make_p3bo},
      {"gp_bandit",
       "GP with ARD Matern-5/2 kernel, ML-II hyperparameters, UCB/EI over the discrete space",
       gp_bandit_settings, make_gp_bandit},
      {"exhaustive", "every design once, in flat-index order (for small --space sub-spaces)", exhaustive_settings,
       make_exhaustive, 0, true},
      {"nsga2",
       "NSGA-II (Deb et al. 2002): non-dominated sorting, crowding distance, binary tournaments, uniform "
       "crossover and mutation, elitist (mu+lambda) survival; multi-objective (an elitist GA for one objective)",
       nsga2_settings, make_nsga2},
  };
  return table;
}

std::string join_keys(const std::vector<SettingSpec>& specs) {
  std::string out;
  for (const auto& s : specs) out += (out.empty() ? "" : ", ") + s.key;
  return out.empty() ? "(none)" : out;
}

const RegistryEntry& entry_of(const std::string& name) {
  for (const auto& entry : registry())
    if (name == entry.name) return entry;
  std::string known;
  for (const auto& entry : registry()) known += (known.empty() ? "" : ", ") + std::string(entry.name);
  throw std::invalid_argument("unknown optimizer '" + name + "'; known optimizers: " + known);
}

OptimizerInfo info_of(const RegistryEntry& entry) {
  OptimizerInfo info{entry.name, entry.summary, {}, entry.default_trials, entry.enumerates};
  for (const auto& s : entry.settings()) info.settings.emplace_back(s.key, s.default_value + ": " + s.meaning);
  return info;
}

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, const SearchSpaceShape& space,
                                          const Settings& settings, uint64_t seed) {
  if (space.cardinalities.empty())
    throw std::invalid_argument("optimizer '" + name + "': the search space has no parameters");
  for (size_t k = 0; k < space.cardinalities.size(); ++k)
    if (space.cardinalities[k] < 1)
      throw std::invalid_argument("optimizer '" + name + "': parameter " + std::to_string(k) +
                                  " has cardinality " + std::to_string(space.cardinalities[k]) +
                                  ", expected >= 1");
  return entry_of(name).make(space, settings, seed);
}

std::vector<OptimizerInfo> optimizer_catalog() {
  std::vector<OptimizerInfo> out;
  for (const auto& entry : registry()) out.push_back(info_of(entry));
  return out;
}

OptimizerInfo optimizer_info(const std::string& name) { return info_of(entry_of(name)); }

// ---- SettingsReader ----

SettingsReader::SettingsReader(std::string optimizer, const std::vector<SettingSpec>& specs,
                               const Settings& given)
    : optimizer_(std::move(optimizer)) {
  for (const auto& s : specs) values_[s.key] = s.default_value;
  for (const auto& [key, value] : given) {
    if (!values_.count(key))
      throw std::invalid_argument("optimizer '" + optimizer_ + "': unknown setting '" + key +
                                  "'; allowed settings: " + join_keys(specs));
    values_[key] = value;
  }
}

void SettingsReader::bad_value(const std::string& key, const std::string& expected) const {
  throw std::invalid_argument("optimizer '" + optimizer_ + "': setting " + key + "='" +
                              values_.at(key) + "' is invalid; expected " + expected);
}

std::string SettingsReader::get_string(const std::string& key) const { return values_.at(key); }

int SettingsReader::get_int(const std::string& key, int min, int max) const {
  const std::string& text = values_.at(key);
  size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < min || value > max)
    bad_value(key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return static_cast<int>(value);
}

double SettingsReader::get_double(const std::string& key, double min, double max) const {
  const std::string& text = values_.at(key);
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value) || value < min || value > max) {
    std::ostringstream os;
    os << "a number in [" << min << ", " << max << "]";
    bad_value(key, os.str());
  }
  return value;
}

std::string SettingsReader::get_choice(const std::string& key,
                                       const std::vector<std::string>& allowed) const {
  const std::string& text = values_.at(key);
  if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return text;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  bad_value(key, "one of: " + list);
}

uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  // splitmix64 finalizer: nearby (seed, stream) pairs give unrelated seeds.
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<int> order_descending(const std::vector<double>& values) {
  std::vector<int> idx(values.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return values[a] > values[b]; });
  return idx;
}

ObjectiveTransform parse_transform(const std::string& text) {
  return text == "none" ? ObjectiveTransform::None : ObjectiveTransform::Auto;
}

bool use_log(ObjectiveTransform mode, const std::vector<double>& values) {
  if (mode == ObjectiveTransform::None || values.empty()) return false;
  return std::all_of(values.begin(), values.end(), [](double v) { return v > 0; });
}

std::vector<int> training_window(const std::vector<double>& values, int max_points) {
  const int n = static_cast<int>(values.size());
  std::vector<int> keep;
  if (n <= max_points) {
    keep.resize(n);
    std::iota(keep.begin(), keep.end(), 0);
    return keep;
  }
  std::vector<bool> taken(n, false);
  const std::vector<int> order = order_descending(values);
  for (int i = 0; i < max_points / 2; ++i) taken[order[i]] = true;
  int extra = max_points - max_points / 2;
  for (int i = n - 1; i >= 0 && extra > 0; --i)
    if (!taken[i]) {
      taken[i] = true;
      --extra;
    }
  for (int i = 0; i < n; ++i)
    if (taken[i]) keep.push_back(i);
  return keep;
}

// ---- HistoryOptimizer ----

HistoryOptimizer::HistoryOptimizer(const SearchSpaceShape& space, uint64_t seed)
    : space_(space), rng_(seed) {}

std::vector<Design> HistoryOptimizer::ask(int count) {
  if (count < 0) throw std::invalid_argument(name() + ": ask(count) needs count >= 0");
  if (objective_count_ > 0 && scalarizes_objectives()) scalarize_for_ask();
  std::vector<Design> batch = propose(count);
  for (const auto& d : batch) pending_.insert(d);
  asked_ = true;
  return batch;
}

void HistoryOptimizer::set_prior(const std::vector<PriorStudy>& priors) {
  if (asked_) throw std::invalid_argument(name() + ": set_prior must come before the first ask");
  for (const auto& p : priors)
    for (const auto& o : p.observations) {
      validate(o.design);
      if (o.status == TrialStatus::Feasible && !std::isfinite(o.objective))
        throw std::invalid_argument(name() + ": prior study " + p.label + " has a non-finite objective");
    }
  priors_ = priors;
  on_prior();
}

void HistoryOptimizer::set_constraint(Admissible admissible) {
  if (asked_) throw std::invalid_argument(name() + ": set_constraint must come before the first ask");
  admissible_ = std::move(admissible);
  on_constraint();
}

std::vector<double> standardized(const std::vector<double>& values) {
  if (values.empty()) return {};
  double mean = 0, var = 0;
  for (double v : values) mean += v;
  mean /= values.size();
  for (double v : values) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / values.size());
  std::vector<double> out;
  for (double v : values) out.push_back((v - mean) / (sd > 0 ? sd : 1.0));
  return out;
}

std::vector<Design> HistoryOptimizer::ranked_prior_designs() const {
  std::vector<Design> designs;
  std::vector<double> scores;
  for (const auto& p : priors_) {
    std::vector<double> values;
    for (const auto& o : p.observations)
      if (o.status == TrialStatus::Feasible) {
        designs.push_back(o.design);
        values.push_back(o.objective);
      }
    for (double z : standardized(values)) scores.push_back(z);
  }
  std::vector<Design> out;
  std::set<Design> added;
  for (int i : order_descending(scores))
    if (added.insert(designs[static_cast<size_t>(i)]).second) out.push_back(designs[static_cast<size_t>(i)]);
  return out;
}

Eigen::MatrixXd HistoryOptimizer::encode_task(const std::vector<Design>& designs, int task, int tasks) const {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(designs.size()), dims() + tasks);
  x.leftCols(dims()) = encode(designs);
  x.rightCols(tasks).setZero();
  if (tasks > 0) x.col(dims() + task).setOnes();
  return x;
}

HistoryOptimizer::FeasibilityData HistoryOptimizer::feasibility_data() const {
  std::vector<Design> designs;
  std::vector<int> labels, task_of;
  auto add = [&](const Design& d, TrialStatus status, int task) {
    if (status == TrialStatus::Failed) return;
    designs.push_back(d);
    labels.push_back(status == TrialStatus::Feasible ? 1 : 0);
    task_of.push_back(task);
  };
  for (size_t k = 0; k < priors_.size(); ++k)
    for (const auto& o : priors_[k].observations) add(o.design, o.status, static_cast<int>(k));
  for (const auto& o : history_) add(o.design, o.status, static_cast<int>(priors_.size()));
  FeasibilityData data;
  data.x = encode(designs);
  if (tasks() > 0) {
    data.x.conservativeResize(Eigen::NoChange, dims() + tasks());
    data.x.rightCols(tasks()).setZero();
    for (size_t i = 0; i < designs.size(); ++i) data.x(static_cast<Eigen::Index>(i), dims() + task_of[i]) = 1;
  }
  data.labels = Eigen::Map<const Eigen::VectorXi>(labels.data(), static_cast<Eigen::Index>(labels.size()));
  return data;
}

void HistoryOptimizer::validate(const Design& d) const {
  if (d.size() != space_.cardinalities.size())
    throw std::invalid_argument(name() + ": told a design with " + std::to_string(d.size()) +
                                " parameters, expected " +
                                std::to_string(space_.cardinalities.size()));
  for (size_t k = 0; k < d.size(); ++k)
    if (d[k] < 0 || d[k] >= space_.cardinalities[k])
      throw std::invalid_argument(name() + ": told a design whose parameter " + std::to_string(k) +
                                  " has index " + std::to_string(d[k]) + ", expected 0.." +
                                  std::to_string(space_.cardinalities[k] - 1));
}

void HistoryOptimizer::tell(const std::vector<Observation>& results) {
  for (const auto& r : results) {
    validate(r.design);
    if (r.status != TrialStatus::Feasible) continue;
    if (!std::isfinite(r.objective))
      throw std::invalid_argument(name() + ": told a feasible result with a non-finite objective");
    const int m = static_cast<int>(r.objectives.size());
    if (m > 0 && objective_count_ == 0 && feasible_count_ == 0) objective_count_ = m;
    if (m != objective_count_)
      throw std::invalid_argument(name() + ": told a feasible result with " + std::to_string(m) +
                                  " objectives, expected " + std::to_string(objective_count_));
    for (double v : r.objectives)
      if (!std::isfinite(v) || !(v > 0))
        throw std::invalid_argument(name() + ": told an objective vector with a non-positive or non-finite value");
  }
  for (const auto& r : results) {
    history_.push_back(r);
    // Failed trials are also marked seen: re-running a crash rarely helps and
    // would otherwise make the optimizer loop on it.
    seen_.insert(r.design);
    pending_.erase(r.design);
    if (r.status == TrialStatus::Feasible) ++feasible_count_;
  }
  on_tell(results);
}

std::vector<std::vector<double>> normalized_objectives(const std::vector<std::vector<double>>& points) {
  std::vector<std::vector<double>> out = points;
  if (points.empty()) return out;
  for (size_t k = 0; k < points[0].size(); ++k) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (auto& p : out) {
      p[k] = std::log(p[k]);
      lo = std::min(lo, p[k]);
      hi = std::max(hi, p[k]);
    }
    for (auto& p : out) p[k] = hi > lo ? (p[k] - lo) / (hi - lo) : 0.0;
  }
  return out;
}

double augmented_chebyshev(const std::vector<double>& f, const std::vector<double>& weights, double rho) {
  double worst = 0, sum = 0;
  for (size_t k = 0; k < f.size(); ++k) {
    worst = std::max(worst, weights[k] * f[k]);
    sum += weights[k] * f[k];
  }
  return worst + rho * sum;
}

std::vector<double> simplex_weights(int m, std::mt19937_64& rng) {
  // Normalized exponential draws are uniform on the simplex (Dirichlet(1)).
  std::vector<double> w(static_cast<size_t>(m));
  double sum = 0;
  for (double& v : w) sum += v = std::exponential_distribution<double>(1.0)(rng);
  for (double& v : w) v /= sum;
  return w;
}

void HistoryOptimizer::scalarize_for_ask() {
  std::vector<std::vector<double>> points;
  std::vector<size_t> rows;
  for (size_t i = 0; i < history_.size(); ++i)
    if (history_[i].status == TrialStatus::Feasible) {
      points.push_back(history_[i].objectives);
      rows.push_back(i);
    }
  const std::vector<double> weights = simplex_weights(objective_count_, rng_);
  const auto normalized = normalized_objectives(points);
  for (size_t j = 0; j < rows.size(); ++j) history_[rows[j]].objective = -augmented_chebyshev(normalized[j], weights);
}

Design HistoryOptimizer::random_design() {
  // Bounded rejection: tight budgets admit a few percent of the space, so a
  // thousand draws (about a millisecond of area model) nearly always succeed.
  // Once that fails the budget is taken as unsatisfiable and later calls
  // draw once (the trials then come back infeasible, as without a constraint).
  Design d(space_.cardinalities.size());
  const int attempts = !admissible_ ? 1 : unsatisfiable_ ? 1 : 1000;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    for (size_t k = 0; k < d.size(); ++k)
      d[k] = std::uniform_int_distribution<int>(0, space_.cardinalities[k] - 1)(rng_);
    if (admissible(d)) return d;
  }
  if (admissible_) unsatisfiable_ = true;
  return d;
}

double HistoryOptimizer::space_size() const {
  double n = 1;
  for (int c : space_.cardinalities) n *= c;
  return n;
}

Design HistoryOptimizer::random_fresh(const std::set<Design>& batch) {
  // Rejection sampling is uniform over the fresh designs; it only struggles
  // when almost the whole space is known, which happens in small spaces only.
  for (int attempt = 0; attempt < 256; ++attempt) {
    Design d = random_design();
    if (!is_known_or_in(d, batch)) return d;
  }
  const double total = space_size();
  if (total <= 4e6) {
    std::vector<Design> fresh;
    const long n = static_cast<long>(total);
    for (long code = 0; code < n; ++code) {
      Design d(space_.cardinalities.size());
      long rest = code;
      for (size_t k = 0; k < d.size(); ++k) {
        d[k] = static_cast<int>(rest % space_.cardinalities[k]);
        rest /= space_.cardinalities[k];
      }
      if (!is_known_or_in(d, batch) && admissible(d)) fresh.push_back(std::move(d));
    }
    if (!fresh.empty())
      return fresh[std::uniform_int_distribution<size_t>(0, fresh.size() - 1)(rng_)];
  }
  return random_design();
}

Design HistoryOptimizer::fresh_from(const std::function<Design()>& make, const std::set<Design>& batch) {
  for (int attempt = 0; attempt < 32; ++attempt) {
    Design d = make();
    if (!is_known_or_in(d, batch)) return d;
  }
  return random_fresh(batch);
}

Design HistoryOptimizer::mutate(const Design& parent, double p) {
  Design child = mutate_once(parent, p);
  for (int attempt = 1; attempt < (admissible_ ? 100 : 1) && !admissible(child); ++attempt)
    child = mutate_once(parent, p);
  return child;
}

Design HistoryOptimizer::mutate_once(const Design& parent, double p) {
  Design child = parent;
  std::vector<int> mutable_params;
  for (int k = 0; k < dims(); ++k)
    if (space_.cardinalities[k] > 1) mutable_params.push_back(k);
  if (mutable_params.empty()) return child;
  auto change = [&](int k) {
    // A different value, uniformly among the other cardinality-1 choices.
    int v = std::uniform_int_distribution<int>(0, space_.cardinalities[k] - 2)(rng_);
    child[k] = v >= parent[k] ? v + 1 : v;
  };
  std::bernoulli_distribution flip(p);
  bool changed = false;
  for (int k : mutable_params)
    if (flip(rng_)) {
      change(k);
      changed = true;
    }
  if (!changed)
    change(mutable_params[std::uniform_int_distribution<size_t>(0, mutable_params.size() - 1)(rng_)]);
  return child;
}

std::vector<Design> HistoryOptimizer::neighbours(const Design& d) const {
  std::vector<Design> out;
  for (int k = 0; k < dims(); ++k)
    for (int v = 0; v < space_.cardinalities[k]; ++v)
      if (v != d[k]) {
        Design n = d;
        n[k] = v;
        if (admissible(n)) out.push_back(std::move(n));
      }
  return out;
}

std::vector<Design> HistoryOptimizer::space_filling(int count, const std::vector<Design>& existing,
                                                   std::set<Design>& taken, int candidates) {
  std::vector<Design> chosen;
  Eigen::MatrixXd placed = encode(existing);
  for (int i = 0; i < count; ++i) {
    // Greedy maximin over a few random candidates: cheap, deterministic given
    // the seed, and it respects the constraint through random_fresh.
    Design best;
    double best_gap = -1;
    for (int c = 0; c < candidates; ++c) {
      Design d = random_fresh(taken);
      const Eigen::RowVectorXd x = encode({d});
      const double gap = placed.rows() == 0 ? 0.0 : (placed.rowwise() - x).rowwise().squaredNorm().minCoeff();
      if (gap > best_gap) {
        best_gap = gap;
        best = std::move(d);
      }
      if (placed.rows() == 0) break;  // the first design: any will do
    }
    taken.insert(best);
    placed.conservativeResize(placed.rows() + 1, Eigen::NoChange);
    placed.row(placed.rows() - 1) = encode({best});
    chosen.push_back(std::move(best));
  }
  return chosen;
}

Eigen::MatrixXd HistoryOptimizer::encode(const std::vector<Design>& designs) const {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(designs.size()), dims());
  for (size_t i = 0; i < designs.size(); ++i)
    for (int k = 0; k < dims(); ++k) {
      const int c = space_.cardinalities[k];
      x(static_cast<Eigen::Index>(i), k) = c > 1 ? double(designs[i][k]) / (c - 1) : 0.0;
    }
  return x;
}

}  // namespace apollo::search
