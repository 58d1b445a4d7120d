// GP (kernel, likelihood, gradient, ML-II) and MBO surrogates checked against
// hand-computed values and properties.
#include "search/gp.hpp"
#include "search/surrogates.hpp"

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace apollo::search {
namespace {

Eigen::MatrixXd uniform_points(int n, int d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return Eigen::MatrixXd::NullaryExpr(n, d, [&] { return u(rng); });
}

TEST(Matern52, HandComputedValues) {
  gp::Matern52Ard k(1);
  Eigen::VectorXd a(1), b(1);
  a << 0.0;
  b << 1.0;  // r = 1 with unit length-scale: (1 + sqrt5 + 5/3) e^-sqrt5
  EXPECT_NEAR(k(a, b), 0.5239941088318203, 1e-12);
  EXPECT_NEAR(k(a, a), 1.0, 1e-15);

  // ARD: r^2 = (0.3/0.3)^2 + (0.4/0.8)^2 = 1.25, sf2 = 2.
  gp::Matern52Ard k2(2);
  k2.log_lengthscales << std::log(0.3), std::log(0.8);
  k2.log_signal_variance = std::log(2.0);
  Eigen::VectorXd p(2), q(2);
  p << 0.2, 0.0;
  q << 0.5, 0.4;
  EXPECT_NEAR(k2(p, q), 0.9166158179668695, 1e-12);
  // gram agrees with the pointwise kernel and is symmetric PSD.
  const Eigen::MatrixXd x = uniform_points(12, 2, 1);
  const Eigen::MatrixXd g = k2.gram(x, x);
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j) EXPECT_NEAR(g(i, j), k2(x.row(i).transpose(), x.row(j).transpose()), 1e-12);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(g);
  EXPECT_GT(eig.eigenvalues().minCoeff(), -1e-10);
}

TEST(GaussianProcess, LikelihoodMatchesTwoPointClosedForm) {
  // y = (1, -1) standardizes to itself; for K = [[a, b], [b, a]]:
  // y'K^-1 y = 2/(a-b), |K| = a^2 - b^2.
  gp::GaussianProcess g(2);
  Eigen::MatrixXd x(2, 2);
  x << 0.2, 0.0, 0.5, 0.4;
  Eigen::VectorXd y(2);
  y << 1.0, -1.0;
  g.fit(x, y);
  gp::Hyperparameters h(2);
  h.kernel.log_lengthscales << std::log(0.3), std::log(0.8);
  h.kernel.log_signal_variance = std::log(2.0);
  h.log_noise = std::log(0.1);
  const double a = 2.1, b = 0.9166158179668695;
  const double expected = -1.0 / (a - b) - 0.5 * std::log(a * a - b * b) - std::log(2 * M_PI);
  EXPECT_NEAR(g.log_marginal_likelihood(h.pack(), nullptr), expected, 1e-7);
}

TEST(GaussianProcess, AnalyticGradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x = uniform_points(25, 3, 2);
  Eigen::VectorXd y = (3 * x.col(0)).array().sin() + x.col(1).array().square();
  gp::GaussianProcess g(3);
  g.fit(x, y);
  Eigen::VectorXd theta(5);
  theta << std::log(0.4), std::log(0.7), std::log(1.5), std::log(1.3), std::log(0.02);
  Eigen::VectorXd grad;
  g.log_marginal_likelihood(theta, &grad);
  for (int i = 0; i < 5; ++i) {
    const double h = 1e-5;
    Eigen::VectorXd tp = theta, tm = theta;
    tp(i) += h;
    tm(i) -= h;
    const double fd = (g.log_marginal_likelihood(tp, nullptr) - g.log_marginal_likelihood(tm, nullptr)) / (2 * h);
    EXPECT_NEAR(grad(i), fd, 1e-4 * std::max(1.0, std::abs(fd))) << "parameter " << i;
  }
}

TEST(GaussianProcess, InterpolatesAndReportsUncertainty) {
  const Eigen::MatrixXd x = uniform_points(15, 2, 3);
  const Eigen::VectorXd y = x.col(0) * 4.0 - x.col(1);
  gp::GaussianProcess g(2);
  gp::Hyperparameters h(2);
  h.kernel.log_lengthscales.setConstant(std::log(0.5));
  h.log_noise = std::log(1e-6);
  g.set_hyperparameters(h);
  g.fit(x, y);
  const gp::Prediction at = g.query(x);
  for (int i = 0; i < 15; ++i) {
    EXPECT_NEAR(at.mean(i), y(i), 1e-3);
    EXPECT_LT(at.variance(i), 1e-3);
  }
  // Far from the data the variance returns to the prior sf2 * var(y).
  Eigen::MatrixXd far(1, 2);
  far << 30.0, 30.0;
  const double var_y = (y.array() - y.mean()).square().mean();
  EXPECT_NEAR(g.query(far).variance(0), var_y, 1e-6 * var_y);
  EXPECT_NEAR(g.query(far).mean(0), y.mean(), 1e-9);
}

TEST(GaussianProcess, AddedPointMatchesARefitWithTheSameHyperparameters) {
  // The Cholesky factor extended by one row must be the factor of the grown
  // data. The new value is the data mean, so the standardization a refit
  // computes keeps its mean (the posterior means agree exactly); its scale
  // shrinks by sqrt(n / (n + 1)), so the variances differ by that square.
  const int n = 12;
  const Eigen::MatrixXd x = uniform_points(n + 1, 3, 6);
  Eigen::VectorXd y = (3.0 * x.col(0)).array().sin() + x.col(1).array().square() - 0.5 * x.col(2).array();
  y(n) = y.head(n).mean();
  gp::Hyperparameters h(3);
  h.kernel.log_lengthscales << std::log(0.3), std::log(0.6), std::log(1.2);
  h.log_noise = std::log(1e-4);
  gp::GaussianProcess grown(3), refit(3);
  grown.set_hyperparameters(h);
  refit.set_hyperparameters(h);
  grown.fit(x.topRows(n), y.head(n));
  grown.add_point(x.row(n), y(n));
  refit.fit(x, y);
  // The likelihood from the factor at hand is the likelihood.
  EXPECT_NEAR(refit.log_likelihood_per_point() * (n + 1), refit.log_marginal_likelihood(h.pack(), nullptr), 1e-8);
  const Eigen::MatrixXd xt = uniform_points(20, 3, 7);
  const gp::Prediction a = grown.query(xt), b = refit.query(xt);
  const double var_ratio = double(n + 1) / n;
  for (int i = 0; i < 20; ++i) {
    EXPECT_NEAR(a.mean(i), b.mean(i), 1e-8);
    EXPECT_NEAR(a.variance(i), b.variance(i) * var_ratio, 1e-8 * (1 + b.variance(i)));
  }
}

TEST(GaussianProcess, MaximumLikelihoodFindsIrrelevantDimension) {
  // y depends on x0 only: ML-II must raise the likelihood and give x1 a much
  // longer length-scale than x0 (ARD relevance).
  const Eigen::MatrixXd x = uniform_points(40, 2, 4);
  const Eigen::VectorXd y = (6.0 * x.col(0)).array().sin();
  gp::GaussianProcess g(2);
  g.fit(x, y);
  const double before = g.log_marginal_likelihood(g.hyperparameters().pack(), nullptr);
  std::mt19937_64 rng(1);
  g.optimize_hyperparameters(rng, 2);
  const auto& h = g.hyperparameters();
  EXPECT_GT(g.log_marginal_likelihood(h.pack(), nullptr), before);
  EXPECT_GT(h.kernel.log_lengthscales(1), h.kernel.log_lengthscales(0) + std::log(5.0));
  // And predicts held-out points well.
  const Eigen::MatrixXd xt = uniform_points(30, 2, 5);
  const Eigen::VectorXd yt = (6.0 * xt.col(0)).array().sin();
  EXPECT_LT((g.query(xt).mean - yt).cwiseAbs().maxCoeff(), 0.05);
}

TEST(Surrogates, SpearmanHandCases) {
  Eigen::VectorXd a(4), b(4), c(4), t(4);
  a << 1, 2, 3, 4;
  b << 10, 20, 30, 40;
  c << 4, 3, 2, 1;
  t << 1, 1, 2, 2;  // ties: ranks (0.5, 0.5, 2.5, 2.5) vs (0,1,2,3) -> 2/sqrt(5)
  EXPECT_NEAR(surrogate::spearman(a, b), 1.0, 1e-12);
  EXPECT_NEAR(surrogate::spearman(a, c), -1.0, 1e-12);
  EXPECT_NEAR(surrogate::spearman(a, t), 2.0 / std::sqrt(5.0), 1e-12);
  EXPECT_EQ(surrogate::spearman(a, Eigen::VectorXd::Constant(4, 3.0)), 0.0);
}

// Smooth target on [0,1]^4 with an interaction.
Eigen::VectorXd target(const Eigen::MatrixXd& x) {
  return (x.col(0).array() * 3).sin() + x.col(1).array() * x.col(2).array() - x.col(3).array().square();
}

TEST(Surrogates, RegressorsLearnASmoothFunction) {
  const Eigen::MatrixXd x = uniform_points(120, 4, 6), xt = uniform_points(200, 4, 7);
  const Eigen::VectorXd y = target(x), yt = target(xt);
  surrogate::XgbRegressor xgb;
  surrogate::GpRegressor gpr;
  surrogate::MlpEnsemble mlp;
  for (surrogate::Regressor* m : std::initializer_list<surrogate::Regressor*>{&xgb, &gpr, &mlp}) {
    m->fit(x, y, 3);
    Eigen::VectorXd mean, var;
    m->predict(xt, mean, var);
    ASSERT_EQ(mean.size(), 200);
    EXPECT_GT(surrogate::spearman(mean, yt), 0.85) << m->name();
    EXPECT_GE(var.minCoeff(), 0.0) << m->name();
    // Cross-validation sees the same skill out of fold.
    EXPECT_GT(surrogate::cross_validated_rank_correlation(*m, x, y, 3, 9), 0.7) << m->name();
  }
  // On pure noise the cross-validated correlation is near zero.
  std::mt19937_64 rng(8);
  std::normal_distribution<double> n01;
  const Eigen::VectorXd noise = Eigen::VectorXd::NullaryExpr(120, [&] { return n01(rng); });
  xgb.fit(x, noise, 1);
  EXPECT_LT(std::abs(surrogate::cross_validated_rank_correlation(xgb, x, noise, 3, 9)), 0.3);
}

TEST(Surrogates, FeasibilityClassifierSeparatesABudget) {
  // Feasible iff x0 + x1 <= 1 (an area-budget-like half space).
  const Eigen::MatrixXd x = uniform_points(200, 3, 10), xt = uniform_points(200, 3, 11);
  auto label = [](const Eigen::MatrixXd& m) {
    return ((m.col(0) + m.col(1)).array() <= 1.0).cast<int>().matrix().eval();
  };
  surrogate::XgbClassifier c;
  c.fit(x, label(x), 1);
  const Eigen::VectorXd p = c.probability(xt);
  const Eigen::VectorXi lt = label(xt);
  int correct = 0;
  for (int i = 0; i < 200; ++i) correct += (p(i) > 0.5) == (lt(i) == 1);
  EXPECT_GT(correct, 180);
  // One class only: Laplace-smoothed frequency (n+1)/(n+2).
  surrogate::XgbClassifier all_feasible;
  all_feasible.fit(x.topRows(8), Eigen::VectorXi::Ones(8), 1);
  EXPECT_NEAR(all_feasible.probability(xt)(0), 9.0 / 10.0, 1e-12);
}

}  // namespace
}  // namespace apollo::search
