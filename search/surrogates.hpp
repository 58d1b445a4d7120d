// Surrogate models for model-based optimization (mbo): regressors that give a
// mean and a spread, a feasibility classifier, and k-fold cross-validation
// used to weight the regressors of an ensemble.
#pragma once

#include "search/gp.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace apollo::search::surrogate {

class Regressor {
 public:
  virtual ~Regressor() = default;
  virtual std::string name() const = 0;
  virtual void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) = 0;
  // A cheap refit on grown data that starts from what fit() learned
  // (boosting adds a few trees, networks train a few more steps, the GP
  // keeps its hyperparameters); fit() when nothing was fitted yet.
  virtual void update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) = 0;
  // Mean and variance (the model's own uncertainty; 0 when it has none).
  virtual void predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
                       Eigen::VectorXd& variance) const = 0;
  // An unfitted copy for cross-validation folds; may freeze what the full fit
  // learned (e.g. GP hyperparameters) so folds stay cheap.
  virtual std::unique_ptr<Regressor> fold_copy() const = 0;
};

struct XgbConfig {
  int rounds = 60;
  int update_rounds = 3;  // trees added by update()
  int max_depth = 4;
  double eta = 0.15;
  double subsample = 0.8;
};

// Gradient-boosted trees through XGBoost's C API (single-threaded, seeded,
// so deterministic).
class XgbRegressor final : public Regressor {
 public:
  explicit XgbRegressor(XgbConfig config = {});
  ~XgbRegressor() override;
  XgbRegressor(const XgbRegressor&) = delete;
  XgbRegressor& operator=(const XgbRegressor&) = delete;
  std::string name() const override { return "xgboost"; }
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) override;
  void update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) override;
  void predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
               Eigen::VectorXd& variance) const override;
  std::unique_ptr<Regressor> fold_copy() const override;

 private:
  XgbConfig config_;
  void* booster_ = nullptr;  // BoosterHandle; owned, freed in the destructor
  int trees_ = 0;            // boosting rounds so far
};

// Binary feasibility classifier (binary:logistic) through XGBoost. With one
// class only in the data it predicts that class's smoothed frequency.
class XgbClassifier {
 public:
  explicit XgbClassifier(XgbConfig config = {});
  ~XgbClassifier();
  XgbClassifier(const XgbClassifier&) = delete;
  XgbClassifier& operator=(const XgbClassifier&) = delete;
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXi& label, uint64_t seed);
  // As XgbRegressor::update.
  void update(const Eigen::MatrixXd& x, const Eigen::VectorXi& label, uint64_t seed);
  Eigen::VectorXd probability(const Eigen::MatrixXd& x) const;

 private:
  XgbConfig config_;
  void* booster_ = nullptr;
  int trees_ = 0;
  double constant_ = 1.0;
};

// GP surrogate (ARD Matern-5/2, ML-II hyperparameters).
class GpRegressor final : public Regressor {
 public:
  explicit GpRegressor(int restarts = 1, bool tune = true);
  std::string name() const override { return "gp"; }
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) override;
  void update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) override;
  void predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
               Eigen::VectorXd& variance) const override;
  std::unique_ptr<Regressor> fold_copy() const override;

 private:
  int restarts_;
  bool tune_;
  std::unique_ptr<gp::GaussianProcess> gp_;
  std::unique_ptr<gp::Hyperparameters> frozen_;
};

struct MlpConfig {
  int members = 5;    // networks in the ensemble, each on a bootstrap sample
  int hidden = 16;    // tanh units of the single hidden layer
  int steps = 300;    // full-batch Adam steps
  int update_steps = 30;  // more steps by update()
  double learning_rate = 0.01;
  double weight_decay = 1e-4;
};

// Ensemble of one-hidden-layer MLPs; the spread is the members' disagreement.
class MlpEnsemble final : public Regressor {
 public:
  explicit MlpEnsemble(MlpConfig config = {});
  std::string name() const override { return "mlp"; }
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) override;
  void update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) override;
  void predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
               Eigen::VectorXd& variance) const override;
  std::unique_ptr<Regressor> fold_copy() const override;

 private:
  struct Net {
    Eigen::MatrixXd w1;  // hidden x in
    Eigen::VectorXd b1;
    Eigen::VectorXd w2;  // hidden
    double b2 = 0;
  };
  // Trains every net `steps` Adam steps on a bootstrap sample of (x, y),
  // standardized with the scale fit() chose.
  void train(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, int steps, std::mt19937_64& rng);
  MlpConfig config_;
  std::vector<Net> nets_;
  double y_mean_ = 0, y_scale_ = 1;
};

// Spearman rank correlation (average ranks for ties); 0 when either side is
// constant.
double spearman(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

// k-fold cross-validated Spearman correlation of out-of-fold predictions.
double cross_validated_rank_correlation(const Regressor& fitted, const Eigen::MatrixXd& x,
                                        const Eigen::VectorXd& y, int folds, uint64_t seed);

}  // namespace apollo::search::surrogate
