// Gaussian-process regression in small separable pieces, after Limbo: a
// kernel (ARD Matern-5/2), a constant mean (the data mean), a GP that is fit
// once and then queried through const calls, and maximum-likelihood (ML-II)
// hyperparameter fitting with L-BFGS-B. Inputs are expected in [0,1]^d.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <cmath>
#include <random>

namespace apollo::search::gp {

// k(a,b) = sf2 (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r),  r^2 = sum_d ((a_d-b_d)/l_d)^2.
struct Matern52Ard {
  Eigen::VectorXd log_lengthscales;  // one per input dimension
  double log_signal_variance = 0.0;

  explicit Matern52Ard(int dim = 1) : log_lengthscales(Eigen::VectorXd::Zero(dim)) {}
  double operator()(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const;
  // Gram matrix between the rows of a and the rows of b.
  Eigen::MatrixXd gram(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
};

// Hyperparameter vector layout used by the likelihood:
// [log l_1 .. log l_d, log sf2, log noise]; variances are in standardized-y units.
struct Hyperparameters {
  Matern52Ard kernel;
  double log_noise = std::log(1e-3);

  explicit Hyperparameters(int dim = 1) : kernel(dim) {}
  Eigen::VectorXd pack() const;
  void unpack(const Eigen::VectorXd& theta);
};

struct Prediction {
  Eigen::VectorXd mean;
  Eigen::VectorXd variance;  // of the latent function (noise excluded)
};

class GaussianProcess {
 public:
  explicit GaussianProcess(int dim);

  // Conditions on (x, y) with the current hyperparameters. y is standardized
  // internally; the constant prior mean is the data mean.
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);
  // ML-II: maximizes the log marginal likelihood over the hyperparameters by
  // L-BFGS-B within box bounds, from the current values and `restarts`
  // random starts, then refits. Requires fit() first.
  void optimize_hyperparameters(std::mt19937_64& rng, int restarts, int max_iterations = 60);

  // Conditions on one more point with the current hyperparameters and the
  // current standardization of y: the Cholesky factor is extended by a row
  // (O(n^2)) instead of refactorized (O(n^3)). Requires fit() first.
  void add_point(const Eigen::RowVectorXd& x, double y);
  // Log marginal likelihood of the data conditioned on, under the current
  // hyperparameters, per point (from the factor at hand: O(n)). A fall of
  // this after new data says the hyperparameters no longer fit.
  double log_likelihood_per_point() const;

  Prediction query(const Eigen::MatrixXd& x) const;
  // Log marginal likelihood of the standardized data under theta, and its
  // analytic gradient (when grad != nullptr).
  double log_marginal_likelihood(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const;

  const Hyperparameters& hyperparameters() const { return hyper_; }
  void set_hyperparameters(const Hyperparameters& h) { hyper_ = h; }
  int size() const { return static_cast<int>(x_.rows()); }
  int dim() const { return dim_; }
  // Box bounds of theta used by the optimizer.
  static void bounds(int dim, Eigen::VectorXd& lower, Eigen::VectorXd& upper);

 private:
  void factorize();
  int dim_;
  Hyperparameters hyper_;
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_std_;  // standardized targets
  double y_mean_ = 0.0;
  double y_scale_ = 1.0;
  Eigen::MatrixXd chol_;  // lower Cholesky factor of K + noise I
  Eigen::VectorXd alpha_;
};

}  // namespace apollo::search::gp
