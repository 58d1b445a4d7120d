// Model-based optimization: an ensemble of surrogate regressors (XGBoost,
// GP, MLP ensemble) weighted by cross-validated rank correlation, times a
// feasibility classifier; each batch maximizes
//   P(feasible) * (mean + kappa * spread)
// by an inner evolutionary search over the discrete space.
//
// Strong from the first trials: 5 space-filling designs, then the models; the
// acquisition follows the mean (kappa 0) for the first 30 trials and its
// exploration weight then grows to kappa over 30 more. On mobilenet_v2 at
// 6.8 mm^2 (batch 1, seeds 1-3, median best @10/@30/@100) this took mbo from
// 0.166 / 0.533 / 0.865 (20 random warm-up trials, kappa 1 throughout) to
// 0.415 / 0.689 / 0.986 (README, Optimizers).
//
// Cost: the models are refit from scratch (cross-validated weights, GP
// hyperparameters) when the history has grown by refit_growth since the last
// full fit, and updated from where they are in between; the inner search
// starts from the previous ask's final population.
//
// Transfer: the surrogates and the classifier train on the prior studies'
// trials too, with the task as a feature (a one-hot study indicator appended
// to the encoding; the current study is the last column and every
// acquisition query is made as the current task). Each study's objective is
// log-transformed (per the transform setting) and standardized on its own
// before mixing, so studies on different scales share one model. With priors
// the first `warmup` trials re-measure the priors' best admissible designs
// (best first), then the models take over (the pooled data has enough
// feasible results): the model learns where this study stands against the
// priors before it is trusted.
#include "search/opt_common.hpp"
#include "search/surrogates.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace apollo::search {

namespace {

struct MboConfig {
  int warmup = 5;
  bool space_filling = true;
  double kappa = 1.0;
  int greedy_trials = 30;
  int kappa_ramp = 30;
  int folds = 3;
  double weight_temperature = 0.1;
  std::vector<std::string> models = {"xgboost", "gp", "mlp"};
  int max_points = 300;
  double refit_growth = 0.1;
  int xgb_rounds = 60;
  int gp_restarts = 1;
  int mlp_members = 5;
  int mlp_steps = 300;
  int mlp_hidden = 16;
  int inner_population = 100;
  int inner_generations = 10;
  int inner_generations_reused = 10;
  int elite = 10;
  double mutation_prob = 0.2;
  ObjectiveTransform transform = ObjectiveTransform::Auto;
};

int hamming(const Design& a, const Design& b) {
  int n = 0;
  for (size_t k = 0; k < a.size(); ++k) n += a[k] != b[k];
  return n;
}

class MboOptimizer final : public HistoryOptimizer {
 public:
  MboOptimizer(const SearchSpaceShape& space, const MboConfig& config, uint64_t seed)
      : HistoryOptimizer(space, seed), config_(config), seed_(seed) {}
  std::string name() const override { return "mbo"; }
  // Multi-objective studies: ParEGO, the models fit this ask's Chebyshev scalar.
  bool scalarizes_objectives() const override { return true; }

 protected:
  std::vector<Design> propose(int count) override {
    std::vector<Design> batch;
    if (count == 0) return batch;
    std::set<Design> taken;
    // Transfer: the first `warmup` trials re-measure the priors' best
    // admissible designs, so the model learns where this study stands
    // against them before it is trusted (without, its first asks followed
    // the prior's mean with no result of this study: at 4.8 mm^2 after a
    // 6.8 mm^2 study, 0.57 after 10 trials against 0.75 from scratch,
    // bench/paper/exp3_transfer.sh --full).
    while (static_cast<int>(batch.size()) < count && static_cast<int>(history().size() + batch.size()) < config_.warmup &&
           next_prior_ < prior_best_.size()) {
      const Design& d = prior_best_[next_prior_++];
      if (!admissible(d) || is_known_or_in(d, taken)) continue;
      taken.insert(d);
      batch.push_back(d);
    }
    if (static_cast<int>(batch.size()) == count) return batch;
    const bool warm = priors().empty()
                          ? static_cast<int>(history().size()) >= config_.warmup && feasible_count() >= 4
                          : feasible_count() + prior_feasible_ >= 4;
    const int rest = count - static_cast<int>(batch.size());
    std::vector<Design> more;
    if (!warm) {
      if (config_.space_filling) {
        std::vector<Design> existing;
        for (const auto& o : history()) existing.push_back(o.design);
        more = space_filling(rest, existing, taken);
      } else {
        for (int i = 0; i < rest; ++i) {
          more.push_back(random_fresh(taken));
          taken.insert(more.back());
        }
      }
    } else {
      if (fitted_on_ != history().size()) fit_models();
      more = maximize_acquisition(rest, taken);
    }
    batch.insert(batch.end(), more.begin(), more.end());
    return batch;
  }

 private:
  std::unique_ptr<surrogate::Regressor> make_model(const std::string& kind) const {
    if (kind == "xgboost") {
      surrogate::XgbConfig c;
      c.rounds = config_.xgb_rounds;
      return std::make_unique<surrogate::XgbRegressor>(c);
    }
    if (kind == "gp") return std::make_unique<surrogate::GpRegressor>(config_.gp_restarts);
    surrogate::MlpConfig c;
    c.members = config_.mlp_members;
    c.steps = config_.mlp_steps;
    c.hidden = config_.mlp_hidden;
    return std::make_unique<surrogate::MlpEnsemble>(c);
  }

  void on_prior() override {
    prior_best_ = ranked_prior_designs();
    prior_feasible_ = 0;
    for (const auto& p : priors())
      for (const auto& o : p.observations) prior_feasible_ += o.status == TrialStatus::Feasible;
  }

  // One study's feasible results: windowed, scaled, standardized, as rows
  // appended to (x, y) with the study's task column.
  void append_study(const std::vector<Observation>& obs, int task, std::vector<Eigen::MatrixXd>& xs,
                    std::vector<double>& ys) const {
    std::vector<Design> designs;
    std::vector<double> values;
    for (const auto& o : obs)
      if (o.status == TrialStatus::Feasible) {
        designs.push_back(o.design);
        values.push_back(o.objective);
      }
    if (designs.empty()) return;
    if (use_log(config_.transform, values))
      for (double& v : values) v = std::log(v);
    std::vector<Design> window_designs;
    std::vector<double> window_values;
    for (int i : training_window(values, config_.max_points)) {
      window_designs.push_back(designs[i]);
      window_values.push_back(values[i]);
    }
    for (double v : standardized(window_values)) ys.push_back(v);
    xs.push_back(task_inputs(window_designs, task));
  }

  static Eigen::MatrixXd stack_rows(const std::vector<Eigen::MatrixXd>& xs, Eigen::Index cols) {
    Eigen::Index rows = 0;
    for (const auto& x : xs) rows += x.rows();
    Eigen::MatrixXd out(rows, cols);
    Eigen::Index r = 0;
    for (const auto& x : xs) {
      out.middleRows(r, x.rows()) = x;
      r += x.rows();
    }
    return out;
  }

  static std::vector<Observation> as_observations(const PriorStudy& p) {
    std::vector<Observation> out;
    for (const auto& o : p.observations) out.push_back({o.design, o.status, o.objective});
    return out;
  }

  void fit_models() {
    const uint64_t fit_seed = derive_seed(seed_, history().size());
    // Regression data: feasible observations, standardized per study.
    const int t = tasks();
    const int current = std::max(0, t - 1);
    const Eigen::Index cols = dims() + t;
    std::vector<Eigen::MatrixXd> xs;
    std::vector<double> ys;
    for (int k = 0; k + 1 < t; ++k) append_study(as_observations(priors()[k]), k, xs, ys);
    const size_t current_start = ys.size();
    append_study(history(), current, xs, ys);
    Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(ys.data(), static_cast<Eigen::Index>(ys.size()));
    // The acquisition's zero point: the worst current result when there is
    // one, else the worst of the pooled data.
    floor_ = current_start < ys.size() ? y.tail(static_cast<Eigen::Index>(ys.size() - current_start)).minCoeff()
                                       : y.minCoeff();
    const Eigen::MatrixXd x = stack_rows(xs, cols);

    // A full fit (new models, cross-validated weights, GP hyperparameters)
    // once the history has grown by refit_growth since the last one; in
    // between the models are updated from where they are (see
    // Regressor::update) and keep their weights.
    const double observed = static_cast<double>(history().size());
    const FeasibilityData cls = feasibility_data();
    if (!models_.empty() && observed - fitted_at_ < std::max(1.0, config_.refit_growth * fitted_at_)) {
      for (size_t m = 0; m < models_.size(); ++m) models_[m]->update(x, y, derive_seed(fit_seed, 10 + m));
      classifier_->update(cls.x, cls.labels, derive_seed(fit_seed, 1));
      fitted_on_ = history().size();
      return;
    }
    fitted_at_ = observed;
    models_.clear();
    weights_.clear();
    std::vector<double> scores;
    for (size_t m = 0; m < config_.models.size(); ++m) {
      auto model = make_model(config_.models[m]);
      model->fit(x, y, derive_seed(fit_seed, 10 + m));
      const double score = config_.models.size() > 1
                               ? surrogate::cross_validated_rank_correlation(
                                     *model, x, y, config_.folds, derive_seed(fit_seed, 20 + m))
                               : 1.0;
      scores.push_back(score);
      models_.push_back(std::move(model));
    }
    // Softmax of the CV rank correlations.
    const double top = *std::max_element(scores.begin(), scores.end());
    double total = 0;
    std::vector<double> w(scores.size());
    for (size_t m = 0; m < scores.size(); ++m)
      total += w[m] = std::exp((scores[m] - top) / config_.weight_temperature);
    for (size_t m = 0; m < scores.size(); ++m)
      weights_.emplace_back(config_.models[m], w[m] / total);

    // Feasibility classifier: feasible vs infeasible (failed trials say
    // nothing about the design and are left out).
    surrogate::XgbConfig cc;
    cc.rounds = config_.xgb_rounds;
    classifier_ = std::make_unique<surrogate::XgbClassifier>(cc);
    classifier_->fit(cls.x, cls.labels, derive_seed(fit_seed, 1));
    fitted_on_ = history().size();
  }

  std::vector<double> acquisition(const std::vector<Design>& designs) const {
    const Eigen::MatrixXd x = task_inputs(designs, std::max(0, tasks() - 1));
    const Eigen::Index n = x.rows();
    Eigen::VectorXd mu = Eigen::VectorXd::Zero(n), second = Eigen::VectorXd::Zero(n);
    std::vector<Eigen::VectorXd> means;
    for (size_t m = 0; m < models_.size(); ++m) {
      Eigen::VectorXd mean, var;
      models_[m]->predict(x, mean, var);
      const double w = weights_[m].second;
      mu += w * mean;
      // Mixture second moment: disagreement between models plus each
      // model's own variance.
      second += w * (mean.array().square() + var.array()).matrix();
    }
    const Eigen::VectorXd spread = (second.array() - mu.array().square()).max(0.0).sqrt();
    const Eigen::VectorXd p = classifier_->probability(x);
    std::vector<double> out(static_cast<size_t>(n));
    // Shifted so the worst feasible observation scores 0: multiplying by
    // P(feasible) then always lowers the acquisition of risky designs.
    // The first trials follow the mean (kappa 0): with a handful of results
    // the spread is mostly the models' noise, and early trials pay off most
    // near the best so far; exploration then grows linearly to kappa.
    const double ramp = config_.kappa_ramp > 0
                            ? (double(history().size()) - config_.greedy_trials) / config_.kappa_ramp
                            : double(history().size() >= static_cast<size_t>(config_.greedy_trials));
    const double kappa = config_.kappa * std::clamp(ramp, 0.0, 1.0);
    for (Eigen::Index i = 0; i < n; ++i) out[i] = p(i) * std::max(0.0, mu(i) - floor_ + kappa * spread(i));
    return out;
  }

  // The `count` designs of highest acquisition, none of them in `taken`
  // (already in this batch) and all admissible under a known constraint.
  std::vector<Design> maximize_acquisition(int count, std::set<Design> taken) {
    std::map<Design, double> scored;
    auto score_all = [&](const std::vector<Design>& designs) {
      std::vector<Design> fresh;
      for (const auto& d : designs)
        if (!scored.count(d)) fresh.push_back(d);
      std::sort(fresh.begin(), fresh.end());
      fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
      if (fresh.empty()) return;
      const std::vector<double> a = acquisition(fresh);
      for (size_t i = 0; i < fresh.size(); ++i) scored[fresh[i]] = a[i];
    };

    // Initial pool: the best observed designs, the previous ask's final
    // population (where the acquisition was high; re-scored under the
    // updated models, so the search need not start over), random designs.
    std::vector<double> objective;
    std::vector<const Observation*> feasible;
    for (const auto& o : history())
      if (o.status == TrialStatus::Feasible) {
        feasible.push_back(&o);
        objective.push_back(o.objective);
      }
    std::vector<Design> pool;
    const std::vector<int> order = order_descending(objective);
    for (int i = 0; i < std::min<int>(config_.elite, static_cast<int>(order.size())); ++i)
      pool.push_back(feasible[order[i]]->design);
    const std::vector<Design> prior_best = ranked_prior_designs();
    for (int i = 0; i < std::min<int>(config_.elite, static_cast<int>(prior_best.size())); ++i)
      pool.push_back(prior_best[static_cast<size_t>(i)]);
    for (const auto& d : last_pool_)
      if (static_cast<int>(pool.size()) < config_.inner_population && !is_known(d)) pool.push_back(d);
    const bool reused = !last_pool_.empty();
    while (static_cast<int>(pool.size()) < config_.inner_population)
      pool.push_back(random_design());
    score_all(pool);
    const int generations = reused ? config_.inner_generations_reused : config_.inner_generations;

    for (int g = 0; g < generations; ++g) {
      std::vector<Design> children;
      std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
      for (int i = 0; i < config_.inner_population; ++i) {
        // Binary tournament on the acquisition.
        const Design& a = pool[pick(rng())];
        const Design& b = pool[pick(rng())];
        children.push_back(mutate(scored.at(a) >= scored.at(b) ? a : b, config_.mutation_prob));
      }
      // A few random immigrants keep the search from collapsing.
      for (int i = 0; i < config_.inner_population / 10; ++i) children.push_back(random_design());
      score_all(children);
      std::vector<Design> merged = pool;
      merged.insert(merged.end(), children.begin(), children.end());
      std::sort(merged.begin(), merged.end());
      merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
      std::stable_sort(merged.begin(), merged.end(),
                       [&](const Design& x, const Design& y) { return scored.at(x) > scored.at(y); });
      if (static_cast<int>(merged.size()) > config_.inner_population)
        merged.resize(config_.inner_population);
      pool = std::move(merged);
    }
    last_pool_ = pool;

    // Best unseen designs, preferring ones that differ from the batch in at
    // least two parameters so a batch does not spend itself on one spot.
    // (The pool's prior designs may lie outside a known constraint.)
    std::vector<std::pair<double, Design>> ranked;
    for (const auto& [d, a] : scored)
      if (!is_known(d) && admissible(d)) ranked.emplace_back(a, d);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    std::vector<Design> batch;
    for (int pass = 0; pass < 2 && static_cast<int>(batch.size()) < count; ++pass)
      for (const auto& [a, d] : ranked) {
        if (static_cast<int>(batch.size()) >= count) break;
        if (taken.count(d)) continue;
        bool diverse = true;
        for (const auto& b : batch) diverse = diverse && hamming(b, d) >= 2;
        if (pass == 0 && !diverse) continue;
        batch.push_back(d);
        taken.insert(d);
      }
    while (static_cast<int>(batch.size()) < count) {
      batch.push_back(random_fresh(taken));
      taken.insert(batch.back());
    }
    return batch;
  }

  MboConfig config_;
  uint64_t seed_;
  std::vector<std::unique_ptr<surrogate::Regressor>> models_;
  std::vector<std::pair<std::string, double>> weights_;
  std::unique_ptr<surrogate::XgbClassifier> classifier_;
  double floor_ = 0;
  double fitted_at_ = 0;  // history size at the last full fit
  std::vector<Design> last_pool_;  // the inner search's final population of the last ask
  int prior_feasible_ = 0;
  std::vector<Design> prior_best_;  // the priors' designs, best first (re-measured first)
  size_t next_prior_ = 0;
  size_t fitted_on_ = static_cast<size_t>(-1);
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

const std::vector<SettingSpec>& mbo_settings() {
  static const std::vector<SettingSpec> specs = {
      {"warmup", "5", "initial trials before the models are used"},
      {"initial", "space_filling",
       "initial trials: space_filling (each the farthest of 64 random designs from those before) or random"},
      {"kappa", "1.0", "exploration weight on the ensemble spread"},
      {"greedy_trials", "30", "trials before the exploration weight leaves 0 (the acquisition follows the mean)"},
      {"kappa_ramp", "30", "trials over which the exploration weight then grows linearly to kappa"},
      {"models", "xgboost,gp,mlp", "comma-separated surrogate regressors of the ensemble"},
      {"folds", "3", "cross-validation folds used to weight the regressors"},
      {"weight_temperature", "0.1", "softmax temperature over CV rank correlations"},
      {"max_points", "300", "training window (best half + most recent) beyond this size"},
      {"refit_growth", "0.1",
       "models are refit from scratch (weights, hyperparameters) once the history has grown by this fraction "
       "since the last full fit, and updated in between (0: refit every ask)"},
      {"xgb_rounds", "60", "boosting rounds of the XGBoost regressor and classifier"},
      {"gp_restarts", "1", "random restarts of the GP hyperparameter fit"},
      {"mlp_members", "5", "networks in the MLP ensemble"},
      {"mlp_steps", "300", "Adam steps per network"},
      {"mlp_hidden", "16", "hidden units per network"},
      {"inner_population", "100", "population of the inner acquisition search"},
      {"inner_generations", "10", "generations of the inner acquisition search"},
      {"inner_generations_reused", "10",
       "generations when it starts from the previous ask's final population"},
      {"elite", "10", "best observed designs seeding the inner search"},
      {"mutation_prob", "0.2", "per-parameter mutation probability in the inner search"},
      {"transform", "auto", "objective scale for the models: auto (log if all positive) or none"},
  };
  return specs;
}

std::unique_ptr<Optimizer> make_mbo(const SearchSpaceShape& space, const Settings& settings,
                                    uint64_t seed) {
  SettingsReader r("mbo", mbo_settings(), settings);
  MboConfig c;
  c.warmup = r.get_int("warmup", 0, 1000000);
  c.space_filling = r.get_choice("initial", {"space_filling", "random"}) == "space_filling";
  c.kappa = r.get_double("kappa", 0.0, 100.0);
  c.greedy_trials = r.get_int("greedy_trials", 0, 1000000);
  c.kappa_ramp = r.get_int("kappa_ramp", 0, 1000000);
  c.models = split_list(r.get_string("models"));
  for (const auto& m : c.models)
    if (m != "xgboost" && m != "gp" && m != "mlp")
      throw std::invalid_argument("optimizer 'mbo': setting models lists unknown model '" + m +
                                  "'; expected a comma-separated subset of xgboost, gp, mlp");
  if (c.models.empty())
    throw std::invalid_argument("optimizer 'mbo': setting models must name at least one model");
  c.folds = r.get_int("folds", 2, 20);
  c.weight_temperature = r.get_double("weight_temperature", 1e-3, 100.0);
  c.max_points = r.get_int("max_points", 10, 100000);
  c.refit_growth = r.get_double("refit_growth", 0.0, 100.0);
  c.xgb_rounds = r.get_int("xgb_rounds", 1, 10000);
  c.gp_restarts = r.get_int("gp_restarts", 0, 100);
  c.mlp_members = r.get_int("mlp_members", 1, 100);
  c.mlp_steps = r.get_int("mlp_steps", 1, 100000);
  c.mlp_hidden = r.get_int("mlp_hidden", 1, 1024);
  c.inner_population = r.get_int("inner_population", 2, 100000);
  c.inner_generations = r.get_int("inner_generations", 0, 10000);
  c.inner_generations_reused = r.get_int("inner_generations_reused", 0, 10000);
  c.elite = r.get_int("elite", 0, 100000);
  c.mutation_prob = r.get_double("mutation_prob", 0.0, 1.0);
  c.transform = parse_transform(r.get_choice("transform", {"auto", "none"}));
  return std::make_unique<MboOptimizer>(space, c, seed);
}

}  // namespace apollo::search
