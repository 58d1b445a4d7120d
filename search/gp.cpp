#include "search/gp.hpp"

#include <LBFGSB.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace apollo::search::gp {

namespace {

constexpr double kSqrt5 = 2.23606797749978969640;
// Added to the diagonal so the Cholesky factor exists even at the noise
// lower bound with duplicated inputs.
constexpr double kJitter = 1e-9;

}  // namespace

double Matern52Ard::operator()(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const {
  const double r = ((a - b).array() / log_lengthscales.array().exp()).matrix().norm();
  return std::exp(log_signal_variance) * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r * r) *
         std::exp(-kSqrt5 * r);
}

Eigen::MatrixXd Matern52Ard::gram(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const {
  const Eigen::RowVectorXd inv_l = (-log_lengthscales).array().exp().matrix().transpose();
  const Eigen::MatrixXd as = a.array().rowwise() * inv_l.array();
  const Eigen::MatrixXd bs = b.array().rowwise() * inv_l.array();
  // Squared distances via |a|^2 + |b|^2 - 2ab, clamped against rounding.
  Eigen::MatrixXd r2 = (-2.0 * as * bs.transpose()).colwise() + as.rowwise().squaredNorm();
  r2.rowwise() += bs.rowwise().squaredNorm().transpose();
  const Eigen::ArrayXXd r = r2.array().max(0.0).sqrt();
  return (std::exp(log_signal_variance) * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r.square()) *
          (-kSqrt5 * r).exp())
      .matrix();
}

Eigen::VectorXd Hyperparameters::pack() const {
  const int d = static_cast<int>(kernel.log_lengthscales.size());
  Eigen::VectorXd theta(d + 2);
  theta.head(d) = kernel.log_lengthscales;
  theta(d) = kernel.log_signal_variance;
  theta(d + 1) = log_noise;
  return theta;
}

void Hyperparameters::unpack(const Eigen::VectorXd& theta) {
  const int d = static_cast<int>(theta.size()) - 2;
  kernel.log_lengthscales = theta.head(d);
  kernel.log_signal_variance = theta(d);
  log_noise = theta(d + 1);
}

GaussianProcess::GaussianProcess(int dim) : dim_(dim), hyper_(dim) {
  // Length-scale 0.5 of the unit cube, unit signal variance (standardized y).
  hyper_.kernel.log_lengthscales.setConstant(std::log(0.5));
}

void GaussianProcess::bounds(int dim, Eigen::VectorXd& lower, Eigen::VectorXd& upper) {
  lower.resize(dim + 2);
  upper.resize(dim + 2);
  // Length-scales from a twentieth of the unit cube (finer than the grids
  // Apollo has) to 20 (parameter irrelevant).
  lower.head(dim).setConstant(std::log(0.05));
  upper.head(dim).setConstant(std::log(20.0));
  lower(dim) = std::log(0.05);
  upper(dim) = std::log(20.0);
  lower(dim + 1) = std::log(1e-6);
  upper(dim + 1) = std::log(1.0);
}

void GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  if (x.rows() != y.size() || x.rows() == 0 || x.cols() != dim_)
    throw std::invalid_argument("GaussianProcess::fit: needs n >= 1 rows of dimension " +
                                std::to_string(dim_));
  x_ = x;
  y_mean_ = y.mean();
  const double var = (y.array() - y_mean_).square().mean();
  y_scale_ = var > 1e-300 ? std::sqrt(var) : 1.0;
  y_std_ = (y.array() - y_mean_) / y_scale_;
  factorize();
}

void GaussianProcess::factorize() {
  Eigen::MatrixXd k = hyper_.kernel.gram(x_, x_);
  k.diagonal().array() += std::exp(hyper_.log_noise) + kJitter;
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) {
    // Only reachable with degenerate hyperparameters: retry with more noise.
    k.diagonal().array() += 1e-6;
    llt.compute(k);
    if (llt.info() != Eigen::Success)
      throw std::runtime_error("GaussianProcess: covariance matrix is not positive definite");
  }
  chol_ = llt.matrixL();
  alpha_ = llt.solve(y_std_);
}

void GaussianProcess::add_point(const Eigen::RowVectorXd& x, double y) {
  if (x_.rows() == 0 || x.size() != dim_) throw std::invalid_argument("GaussianProcess::add_point: fit first, same dimension");
  const Eigen::Index n = x_.rows();
  const Eigen::VectorXd k = hyper_.kernel.gram(x_, x).col(0);
  const Eigen::VectorXd l = chol_.triangularView<Eigen::Lower>().solve(k);
  const double self = std::exp(hyper_.kernel.log_signal_variance) + std::exp(hyper_.log_noise) + kJitter;
  // A duplicate of a point under tiny noise leaves ~0 here: clamp to the jitter.
  const double d = std::sqrt(std::max(self - l.squaredNorm(), kJitter));
  chol_.conservativeResize(n + 1, n + 1);
  chol_.row(n).head(n) = l.transpose();
  chol_.col(n).setZero();
  chol_(n, n) = d;
  x_.conservativeResize(n + 1, Eigen::NoChange);
  x_.row(n) = x;
  y_std_.conservativeResize(n + 1);
  y_std_(n) = (y - y_mean_) / y_scale_;
  alpha_ = y_std_;
  chol_.triangularView<Eigen::Lower>().solveInPlace(alpha_);
  chol_.transpose().triangularView<Eigen::Upper>().solveInPlace(alpha_);
}

double GaussianProcess::log_likelihood_per_point() const {
  const double n = double(x_.rows());
  if (n == 0) return 0.0;
  const double lml = -0.5 * y_std_.dot(alpha_) - chol_.diagonal().array().log().sum() - 0.5 * n * std::log(2.0 * M_PI);
  return lml / n;
}

Prediction GaussianProcess::query(const Eigen::MatrixXd& x) const {
  Prediction p;
  const Eigen::MatrixXd ks = hyper_.kernel.gram(x, x_);  // m x n
  p.mean = (ks * alpha_).array() * y_scale_ + y_mean_;
  const Eigen::MatrixXd v = chol_.triangularView<Eigen::Lower>().solve(ks.transpose());  // n x m
  const double sf2 = std::exp(hyper_.kernel.log_signal_variance);
  p.variance =
      ((sf2 - v.colwise().squaredNorm().transpose().array()).max(1e-12) * y_scale_ * y_scale_)
          .matrix();
  return p;
}

double GaussianProcess::log_marginal_likelihood(const Eigen::VectorXd& theta,
                                                Eigen::VectorXd* grad) const {
  Hyperparameters h(dim_);
  h.unpack(theta);
  const Eigen::Index n = x_.rows();
  const Eigen::MatrixXd kf = h.kernel.gram(x_, x_);
  Eigen::MatrixXd k = kf;
  const double noise = std::exp(h.log_noise);
  k.diagonal().array() += noise + kJitter;
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) {
    if (grad) grad->setZero(theta.size());
    return -std::numeric_limits<double>::infinity();
  }
  const Eigen::VectorXd alpha = llt.solve(y_std_);
  const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
  const double lml =
      -0.5 * y_std_.dot(alpha) - 0.5 * log_det - 0.5 * double(n) * std::log(2.0 * M_PI);
  if (!grad) return lml;

  // d lml / d theta_p = 1/2 tr((alpha alpha^T - K^-1) dK/dtheta_p).
  const Eigen::MatrixXd w =
      alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
  grad->resize(theta.size());
  const Eigen::ArrayXd inv_l = (-h.kernel.log_lengthscales).array().exp();
  // r and the common factor sf2 5/3 (1 + sqrt5 r) exp(-sqrt5 r) of dK/dlog l_d.
  // Per-dimension squared differences are recomputed lazily (no n x n
  // temporaries per dimension).
  auto sq_diff = [n](const Eigen::VectorXd& col) {
    return (col.replicate(1, n) - col.transpose().replicate(n, 1)).array().square();
  };
  Eigen::ArrayXXd r2 = Eigen::ArrayXXd::Zero(n, n);
  for (int d = 0; d < dim_; ++d) {
    const Eigen::VectorXd col = x_.col(d) * inv_l(d);
    r2 += sq_diff(col);
  }
  const Eigen::ArrayXXd r = r2.sqrt();
  const double sf2 = std::exp(h.kernel.log_signal_variance);
  const Eigen::ArrayXXd wc = w.array() * (sf2 * 5.0 / 3.0 * (1.0 + kSqrt5 * r) * (-kSqrt5 * r).exp());
  for (int d = 0; d < dim_; ++d) {
    const Eigen::VectorXd col = x_.col(d) * inv_l(d);
    (*grad)(d) = 0.5 * (wc * sq_diff(col)).sum();
  }
  (*grad)(dim_) = 0.5 * (w.array() * kf.array()).sum();
  (*grad)(dim_ + 1) = 0.5 * noise * w.trace();
  return lml;
}

void GaussianProcess::optimize_hyperparameters(std::mt19937_64& rng, int restarts,
                                               int max_iterations) {
  if (x_.rows() < 2) return;
  Eigen::VectorXd lower, upper;
  bounds(dim_, lower, upper);
  LBFGSpp::LBFGSBParam<double> param;
  param.max_iterations = max_iterations;
  param.epsilon = 1e-4;
  param.epsilon_rel = 1e-4;
  LBFGSpp::LBFGSBSolver<double> solver(param);
  auto negative_lml = [this](const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    const double v = log_marginal_likelihood(theta, &grad);
    grad = -grad;
    return std::isfinite(v) ? -v : 1e300;
  };

  Eigen::VectorXd best = hyper_.pack().cwiseMax(lower).cwiseMin(upper);
  double best_value = -log_marginal_likelihood(best, nullptr);
  if (!std::isfinite(best_value)) best_value = std::numeric_limits<double>::infinity();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int start = 0; start <= restarts; ++start) {
    Eigen::VectorXd theta = best;
    if (start > 0)
      for (Eigen::Index i = 0; i < theta.size(); ++i)
        theta(i) = lower(i) + unit(rng) * (upper(i) - lower(i));
    double value = 0;
    try {
      solver.minimize(negative_lml, theta, value, lower, upper);
    } catch (const std::exception&) {
      // Line-search failures leave theta at the last accepted point; use it.
      value = -log_marginal_likelihood(theta, nullptr);
    }
    if (std::isfinite(value) && value < best_value) {
      best_value = value;
      best = theta;
    }
  }
  hyper_.unpack(best);
  factorize();
}

}  // namespace apollo::search::gp
