// GP bandit (the role Vizier plays in the Apollo paper): a GP with an ARD
// Matern-5/2 kernel on the index-scaled encoding, constant mean, noise; ML-II
// hyperparameters by L-BFGS-B; UCB or EI maximized over the discrete space by
// random candidates plus hill climbing over one-parameter neighbours; batches
// by kriging believer (each pick is added with its predicted mean as a
// fantasy observation before the next pick).
//
// Infeasible designs (`feasibility` setting):
// - classifier (constrained BO, Gardner et al. 2014, Gelbart et al. 2014): the
//   GP fits the feasible results only, an XGBoost classifier (the one mbo
//   uses) fits feasible vs infeasible over every observation, and the
//   acquisition is multiplied by P(feasible | x). UCB is first shifted so the
//   worst feasible result scores 0 (clamped at 0), so the product always
//   lowers risky designs; EI is already non-negative.
// - penalty: one model, no classifier; infeasible designs are assigned the
//   worst feasible value minus `infeasible_margin` standard deviations of the
//   feasible values. Cheap, but UCB still rates uncertain designs in a large
//   infeasible region highly, so at tight area budgets most picks are wasted.
// - both: the penalty GP times P(feasible).
// Failed trials say nothing about the design and are left out of both models.
//
// Defaults (EI, penalty) by measurement (apollo search, 100 trials): with UCB
// the penalty was the problem (3 workloads at once, area 5.8 / 4.8 mm2: most
// of trials 10-50 infeasible, median best 0.98 / 0.61 over 4 seeds); the
// classifier lifted UCB to 1.23 / 0.96, but EI with the penalty reached
// 1.38 / 0.82 and, unlike the classifier (median 0.77 over 6 seeds), kept the
// single-workload result (mobilenet_v2 at 6.8 mm2: median 1.00 vs UCB's 0.94).
// Likely reasons: EI's improvement term is ~0 wherever the penalized mean is
// low, so variance alone does not draw it into infeasible regions; XGBoost's
// probabilities on ~100 points are sharp, which makes the classifier variant
// conservative near the feasibility boundary, where good designs tend to be.
//
// Transfer (as Vizier does): a stack of GPs, one per prior study in the order
// given. Each study's objective is first normalized on its own (log if the
// transform says so, then standardized; infeasible designs get the penalty
// above in those units). GP_1 fits the first prior study; GP_k fits study k's
// residuals from the summed means of GP_1..GP_{k-1}; the current study's GP
// fits its own standardized values' residuals from the whole stack. The
// prediction is the sum of the means; the acquisition takes its uncertainty
// from the top GP only (the current study's, or the last prior's before the
// current study has two feasible results): the lower GPs' variance describes
// other tasks, and summing it would make the search keep exploring regions
// that only the old tasks left uncertain. With priors there is no random
// warm-up: the stack already ranks designs. The classifier trains on the
// priors' observations too, with a one-hot task column (as mbo does: another
// study may have had another area budget).
#include "search/gp.hpp"
#include "search/opt_common.hpp"
#include "search/surrogates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

namespace apollo::search {

namespace {

enum class Feasibility { Classifier, Penalty, Both };

struct GpBanditConfig {
  int init_trials = 10;
  bool use_ei = true;  // see the measurements above
  double beta = 4.0;
  int restarts = 2;
  int max_points = 300;
  int candidates = 1000;
  int local_starts = 5;
  int local_steps = 10;
  double infeasible_margin = 0.5;
  double refit_growth = 0.1;
  double refit_drift = 0.5;
  Feasibility feasibility = Feasibility::Penalty;
  double feasibility_power = 1.0;
  // Raw scale by default: on mobilenet_v2 (100 trials, seeds 1-3) the log
  // scale did worse for the GP (best 0.92/0.49/0.87 vs 0.99/0.91/0.95).
  ObjectiveTransform transform = ObjectiveTransform::None;
};

class GpBandit final : public HistoryOptimizer {
 public:
  GpBandit(const SearchSpaceShape& space, const GpBanditConfig& config, uint64_t seed)
      : HistoryOptimizer(space, seed), config_(config), gp_(static_cast<int>(space.cardinalities.size())) {}
  std::string name() const override { return "gp_bandit"; }
  // Multi-objective studies: ParEGO, the models fit this ask's Chebyshev scalar.
  bool scalarizes_objectives() const override { return true; }

 protected:
  std::vector<Design> propose(int count) override {
    std::vector<Design> batch;
    if (count == 0) return batch;
    std::set<Design> taken;
    const bool prior_only = !stack_.empty() && feasible_count() < 2;
    if (prior_only) {
      // Rank by the stack alone; picks already asked count as taken.
      train_designs_.clear();
      train_values_.resize(0);
      starts_ = ranked_prior_designs();
      if (static_cast<int>(starts_.size()) > config_.local_starts) starts_.resize(config_.local_starts);
      floor_ = prior_floor_;
      fit_classifier();
      for (int i = 0; i < count; ++i) {
        Design pick = maximize(taken);
        taken.insert(pick);
        batch.push_back(pick);
      }
      return batch;
    }
    if (stack_.empty() &&
        (static_cast<int>(history().size()) < config_.init_trials || feasible_count() < 2)) {
      for (int i = 0; i < count; ++i) {
        batch.push_back(random_fresh(taken));
        taken.insert(batch.back());
      }
      return batch;
    }
    build_training_set();
    fit_classifier();
    gp_.fit(encode(train_designs_), train_values_);
    // ML-II is most of an ask's cost and moves little between neighbouring
    // asks: it reruns once the history has grown by refit_growth since the
    // last fit, or when the likelihood per point under the current
    // hyperparameters has fallen by refit_drift (new data they do not explain).
    const double observed = static_cast<double>(history().size());
    if (fitted_at_ == 0 || observed - fitted_at_ >= std::max(1.0, config_.refit_growth * fitted_at_) ||
        gp_.log_likelihood_per_point() < fit_likelihood_ - config_.refit_drift) {
      gp_.optimize_hyperparameters(rng(), config_.restarts);
      fitted_at_ = observed;
      fit_likelihood_ = gp_.log_likelihood_per_point();
    }
    for (int i = 0; i < count; ++i) {
      Design pick = maximize(taken);
      taken.insert(pick);
      batch.push_back(pick);
      if (i + 1 < count) {
        // Kriging believer: pretend the pick returned its predicted mean, so
        // the variance there collapses and the next pick goes elsewhere.
        const Eigen::MatrixXd xp = encode({pick});
        const double believed = gp_.query(xp).mean(0);  // a residual when stacked
        train_designs_.push_back(pick);
        train_values_.conservativeResize(train_values_.size() + 1);
        train_values_(train_values_.size() - 1) = believed;
        gp_.add_point(xp.row(0), believed);
      }
    }
    return batch;
  }

 private:
  bool penalize() const { return config_.feasibility != Feasibility::Classifier; }
  bool classify() const { return config_.feasibility != Feasibility::Penalty; }

  // Per-study values a GP trains on: scaled (log or not), standardized when
  // several studies are combined, infeasible designs at the penalty (or left
  // out when the classifier alone handles them). `floor` gets the worst
  // feasible value in the same units.
  void training_values(const std::vector<Observation>& obs, bool standardize, std::vector<Design>& designs,
                       std::vector<double>& values, double* floor = nullptr) const {
    std::vector<double> feasible_values;
    for (const auto& o : obs)
      if (o.status == TrialStatus::Feasible) feasible_values.push_back(o.objective);
    designs.clear();
    values.clear();
    if (feasible_values.empty()) return;
    const bool log_scale = use_log(config_.transform, feasible_values);
    auto scale = [log_scale](double v) { return log_scale ? std::log(v) : v; };
    for (double& v : feasible_values) v = scale(v);
    double mean = 0, var = 0;
    for (double v : feasible_values) mean += v;
    mean /= feasible_values.size();
    for (double v : feasible_values) var += (v - mean) * (v - mean);
    const double sd = std::sqrt(var / feasible_values.size());
    const double unit = sd > 0 ? sd : 1.0;
    const double worst = *std::min_element(feasible_values.begin(), feasible_values.end());
    const double penalty = worst - config_.infeasible_margin * unit;
    if (floor) *floor = standardize ? (worst - mean) / unit : worst;
    for (const auto& o : obs) {
      if (o.status == TrialStatus::Failed) continue;
      if (o.status == TrialStatus::Infeasible && !penalize()) continue;
      designs.push_back(o.design);
      double v = o.status == TrialStatus::Feasible ? scale(o.objective) : penalty;
      values.push_back(standardize ? (v - mean) / unit : v);
    }
    std::vector<Design> kept_designs;
    std::vector<double> kept;
    for (int i : training_window(values, config_.max_points)) {
      kept_designs.push_back(designs[i]);
      kept.push_back(values[i]);
    }
    designs = std::move(kept_designs);
    values = std::move(kept);
  }

  Eigen::VectorXd stack_mean(const Eigen::MatrixXd& x) const {
    Eigen::VectorXd m = Eigen::VectorXd::Zero(x.rows());
    for (const auto& g : stack_) m += g.query(x).mean;
    return m;
  }

  void on_prior() override {
    prior_floor_ = std::numeric_limits<double>::infinity();
    for (const auto& p : priors()) {
      std::vector<Observation> obs;
      for (const auto& o : p.observations) obs.push_back({o.design, o.status, o.objective});
      std::vector<Design> designs;
      std::vector<double> values;
      double floor = std::numeric_limits<double>::infinity();
      training_values(obs, true, designs, values, &floor);
      if (designs.size() < 2) continue;  // nothing to learn from this study
      prior_floor_ = std::min(prior_floor_, floor);
      const Eigen::MatrixXd x = encode(designs);
      Eigen::VectorXd y = Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
      y -= stack_mean(x);
      gp::GaussianProcess g(dims());
      g.fit(x, y);
      g.optimize_hyperparameters(rng(), config_.restarts);
      stack_.push_back(std::move(g));
    }
  }

  void build_training_set() {
    const bool stacked = !stack_.empty();
    std::vector<Observation> obs(history().begin(), history().end());
    std::vector<double> values;
    training_values(obs, stacked, train_designs_, values, &floor_);
    incumbent_ = *std::max_element(values.begin(), values.end());
    const std::vector<int> order = order_descending(values);
    starts_.clear();
    for (int i = 0; i < std::min<int>(config_.local_starts, static_cast<int>(order.size())); ++i)
      starts_.push_back(train_designs_[order[i]]);
    train_values_ = Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
    if (stacked) train_values_ -= stack_mean(encode(train_designs_));  // the current GP models the residual
  }

  // Feasible (1) vs infeasible (0) over the priors' and this study's
  // observations; Failed trials are left out.
  void fit_classifier() {
    if (!classify()) return;
    const FeasibilityData data = feasibility_data();
    classifier_ = std::make_unique<surrogate::XgbClassifier>();
    classifier_->fit(data.x, data.labels, rng()());
  }

  std::vector<double> acquisition(const std::vector<Design>& designs) const {
    const Eigen::MatrixXd x = encode(designs);
    gp::Prediction p;
    if (stack_.empty()) {
      p = gp_.query(x);
    } else if (train_values_.size() == 0) {
      p = stack_.back().query(x);  // prior only: the top prior GP's variance
      p.mean = stack_mean(x);
    } else {
      p = gp_.query(x);
      p.mean += stack_mean(x);
    }
    std::vector<double> out(designs.size());
    const bool weighted = classify() && classifier_;
    Eigen::VectorXd feasible;
    if (weighted) {
      feasible = classifier_->probability(task_inputs(designs, static_cast<int>(priors().size())));
      if (config_.feasibility_power != 1.0) feasible = feasible.array().pow(config_.feasibility_power).matrix();
    }
    const double root_beta = std::sqrt(config_.beta);
    for (size_t i = 0; i < designs.size(); ++i) {
      const double mu = p.mean(static_cast<Eigen::Index>(i));
      const double sigma = std::sqrt(p.variance(static_cast<Eigen::Index>(i)));
      if (!config_.use_ei) {
        out[i] = mu + root_beta * sigma;
        // Shifted so the worst feasible result scores 0: multiplying by
        // P(feasible) then always lowers the acquisition of risky designs.
        if (weighted) out[i] = feasible(static_cast<Eigen::Index>(i)) * std::max(0.0, out[i] - floor_);
      } else {
        const double z = (mu - incumbent_) / sigma;
        const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
        const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI);
        out[i] = (mu - incumbent_) * cdf + sigma * pdf;
        if (weighted) out[i] *= feasible(static_cast<Eigen::Index>(i));
      }
    }
    return out;
  }

  Design maximize(const std::set<Design>& taken) {
    std::map<Design, double> scored;
    auto score = [&](const std::vector<Design>& designs) {
      std::vector<Design> fresh;
      for (const auto& d : designs)
        if (!scored.count(d)) fresh.push_back(d);
      if (fresh.empty()) return;
      const std::vector<double> a = acquisition(fresh);
      for (size_t i = 0; i < fresh.size(); ++i) scored.emplace(fresh[i], a[i]);
    };
    // Random candidates plus the best observed designs as starting points.
    std::vector<Design> starts_pool;
    for (int i = 0; i < config_.candidates; ++i) starts_pool.push_back(random_design());
    for (const auto& d : starts_) starts_pool.push_back(d);
    score(starts_pool);

    std::vector<std::pair<double, Design>> ranked;
    for (const auto& [d, a] : scored) ranked.emplace_back(a, d);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Design> starts;
    for (int i = 0; i < std::min<int>(config_.local_starts, static_cast<int>(ranked.size())); ++i)
      starts.push_back(ranked[i].second);
    for (const auto& d : starts_) starts.push_back(d);
    // Hill climbing; the path may cross known designs but only unseen ones
    // are eligible picks.
    for (Design current : starts) {
      for (int step = 0; step < config_.local_steps; ++step) {
        const std::vector<Design> nb = neighbours(current);
        score(nb);
        const Design* best = &current;
        for (const auto& d : nb)
          if (scored.at(d) > scored.at(*best)) best = &d;
        if (*best == current) break;
        current = *best;
      }
    }
    const Design* pick = nullptr;
    double pick_value = -std::numeric_limits<double>::infinity();
    for (const auto& [d, a] : scored)
      if (!is_known_or_in(d, taken) && a > pick_value) {
        pick_value = a;
        pick = &d;
      }
    if (pick) return *pick;
    return random_fresh(taken);
  }

  GpBanditConfig config_;
  gp::GaussianProcess gp_;
  std::vector<Design> train_designs_;
  Eigen::VectorXd train_values_;
  double incumbent_ = 0;
  double floor_ = 0;                    // worst feasible value in the GP's units (UCB shift)
  double prior_floor_ = 0;              // the same over the priors (standardized units)
  std::unique_ptr<surrogate::XgbClassifier> classifier_;  // P(feasible); null until fitted
  std::vector<Design> starts_;         // best observed designs: hill-climbing starts
  std::vector<gp::GaussianProcess> stack_;  // one per usable prior study, bottom first
  double fitted_at_ = 0;       // history size at the last hyperparameter fit (0: never)
  double fit_likelihood_ = 0;  // log likelihood per point right after it
};

}  // namespace

const std::vector<SettingSpec>& gp_bandit_settings() {
  static const std::vector<SettingSpec> specs = {
      {"acquisition", "ei", "ei (expected improvement) or ucb (mean + sqrt(beta) std)"},
      {"beta", "4.0", "UCB exploration parameter"},
      {"init_trials", "10", "random trials before the GP is used"},
      {"restarts", "2", "random restarts of the hyperparameter fit (besides a warm start)"},
      {"max_points", "300", "GP training window (best half + most recent) beyond this size"},
      {"candidates", "1000", "random candidates scored per pick"},
      {"local_starts", "5", "hill-climbing starts (best candidates and best observed)"},
      {"local_steps", "10", "maximum hill-climbing moves per start"},
      {"feasibility", "penalty",
       "infeasible designs: classifier (acquisition x P(feasible) from an XGBoost classifier, GP on "
       "feasible results), penalty (GP value below the worst feasible), or both"},
      {"feasibility_power", "1.0",
       "classifier/both: the acquisition is multiplied by P(feasible)^power (< 1 tempers the classifier)"},
      {"infeasible_margin", "0.5",
       "penalty/both: infeasible designs get worst feasible value minus this many std devs"},
      {"transform", "none", "objective scale for the GP: none, or auto (log if all positive)"},
      {"refit_growth", "0.1",
       "hyperparameters are refit once the history has grown by this fraction since the last fit (0: every ask)"},
      {"refit_drift", "0.5",
       "... or when the log likelihood per point under them has fallen by this many nats since"},
  };
  return specs;
}

std::unique_ptr<Optimizer> make_gp_bandit(const SearchSpaceShape& space, const Settings& settings,
                                          uint64_t seed) {
  SettingsReader r("gp_bandit", gp_bandit_settings(), settings);
  GpBanditConfig c;
  c.use_ei = r.get_choice("acquisition", {"ucb", "ei"}) == "ei";
  c.beta = r.get_double("beta", 0.0, 1e4);
  c.init_trials = r.get_int("init_trials", 0, 1000000);
  c.restarts = r.get_int("restarts", 0, 100);
  c.max_points = r.get_int("max_points", 10, 5000);
  c.candidates = r.get_int("candidates", 1, 1000000);
  c.local_starts = r.get_int("local_starts", 0, 1000);
  c.local_steps = r.get_int("local_steps", 0, 1000);
  c.infeasible_margin = r.get_double("infeasible_margin", 0.0, 100.0);
  c.feasibility_power = r.get_double("feasibility_power", 0.0, 10.0);
  const std::string feasibility = r.get_choice("feasibility", {"classifier", "penalty", "both"});
  c.feasibility = feasibility == "penalty" ? Feasibility::Penalty
                  : feasibility == "both"  ? Feasibility::Both
                                           : Feasibility::Classifier;
  c.transform = parse_transform(r.get_choice("transform", {"auto", "none"}));
  c.refit_growth = r.get_double("refit_growth", 0.0, 100.0);
  c.refit_drift = r.get_double("refit_drift", 0.0, 1e6);
  return std::make_unique<GpBandit>(space, c, seed);
}

}  // namespace apollo::search
