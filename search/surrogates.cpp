#include "search/surrogates.hpp"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace apollo::search::surrogate {

namespace {

void check(int code, const char* what) {
  if (code != 0) throw std::runtime_error(std::string("xgboost ") + what + ": " + XGBGetLastError());
}

// Owning handle for an XGBoost DMatrix built from a dense Eigen matrix.
class DMatrix {
 public:
  DMatrix(const Eigen::MatrixXd& x, const float* label) {
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xf =
        x.cast<float>();
    check(XGDMatrixCreateFromMat(xf.data(), static_cast<bst_ulong>(x.rows()),
                                 static_cast<bst_ulong>(x.cols()),
                                 std::numeric_limits<float>::quiet_NaN(), &handle_),
          "XGDMatrixCreateFromMat");
    if (label)
      check(XGDMatrixSetFloatInfo(handle_, "label", label, static_cast<bst_ulong>(x.rows())),
            "XGDMatrixSetFloatInfo");
  }
  ~DMatrix() { XGDMatrixFree(handle_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

// `rounds` more boosting rounds of `booster` on (x, label), numbered from
// `first` (training continuation: earlier trees stay, new ones fit the
// residuals on the data given now).
void boost(void* booster, const Eigen::MatrixXd& x, const std::vector<float>& label, int first, int rounds) {
  DMatrix train(x, label.data());
  for (int iter = first; iter < first + rounds; ++iter)
    check(XGBoosterUpdateOneIter(static_cast<BoosterHandle>(booster), iter, train.get()), "XGBoosterUpdateOneIter");
}

void* train_booster(const Eigen::MatrixXd& x, const std::vector<float>& label,
                    const XgbConfig& config, const char* objective, uint64_t seed) {
  DMatrix train(x, label.data());
  DMatrixHandle handles[1] = {train.get()};
  BoosterHandle booster = nullptr;
  check(XGBoosterCreate(handles, 1, &booster), "XGBoosterCreate");
  try {
    const std::vector<std::pair<std::string, std::string>> params = {
        {"objective", objective},
        {"max_depth", std::to_string(config.max_depth)},
        {"eta", std::to_string(config.eta)},
        {"subsample", std::to_string(config.subsample)},
        {"min_child_weight", "1"},
        {"lambda", "1"},
        {"nthread", "1"},  // deterministic, and evaluators own the other cores
        {"verbosity", "0"},
        {"seed", std::to_string(seed % 2147483647ULL)},
    };
    for (const auto& [k, v] : params)
      check(XGBoosterSetParam(booster, k.c_str(), v.c_str()), "XGBoosterSetParam");
    for (int iter = 0; iter < config.rounds; ++iter)
      check(XGBoosterUpdateOneIter(booster, iter, train.get()), "XGBoosterUpdateOneIter");
  } catch (...) {
    XGBoosterFree(booster);
    throw;
  }
  return booster;
}

Eigen::VectorXd booster_predict(void* booster, const Eigen::MatrixXd& x) {
  DMatrix data(x, nullptr);
  bst_ulong len = 0;
  const float* out = nullptr;
  check(XGBoosterPredict(static_cast<BoosterHandle>(booster), data.get(), 0, 0, 0, &len, &out),
        "XGBoosterPredict");
  Eigen::VectorXd result(static_cast<Eigen::Index>(len));
  for (bst_ulong i = 0; i < len; ++i) result(static_cast<Eigen::Index>(i)) = out[i];
  return result;
}

}  // namespace

// ---- XGBoost regressor ----

XgbRegressor::XgbRegressor(XgbConfig config) : config_(config) {}
XgbRegressor::~XgbRegressor() {
  if (booster_) XGBoosterFree(booster_);
}

void XgbRegressor::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) {
  if (booster_) XGBoosterFree(booster_);
  booster_ = nullptr;
  std::vector<float> label(y.data(), y.data() + y.size());
  booster_ = train_booster(x, label, config_, "reg:squarederror", seed);
  trees_ = config_.rounds;
}

void XgbRegressor::update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) {
  if (!booster_) return fit(x, y, seed);
  std::vector<float> label(y.data(), y.data() + y.size());
  boost(booster_, x, label, trees_, config_.update_rounds);
  trees_ += config_.update_rounds;
}

void XgbRegressor::predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
                           Eigen::VectorXd& variance) const {
  if (!booster_) throw std::logic_error("XgbRegressor::predict before fit");
  mean = booster_predict(booster_, x);
  variance = Eigen::VectorXd::Zero(x.rows());
}

std::unique_ptr<Regressor> XgbRegressor::fold_copy() const {
  return std::make_unique<XgbRegressor>(config_);
}

// ---- XGBoost classifier ----

XgbClassifier::XgbClassifier(XgbConfig config) : config_(config) {}
XgbClassifier::~XgbClassifier() {
  if (booster_) XGBoosterFree(booster_);
}

void XgbClassifier::fit(const Eigen::MatrixXd& x, const Eigen::VectorXi& label, uint64_t seed) {
  if (booster_) XGBoosterFree(booster_);
  booster_ = nullptr;
  const int positives = label.sum();
  const int n = static_cast<int>(label.size());
  if (positives == 0 || positives == n) {
    // Laplace-smoothed frequency: one class seen says little about the other.
    constant_ = (positives + 1.0) / (n + 2.0);
    return;
  }
  std::vector<float> l(label.data(), label.data() + n);
  booster_ = train_booster(x, l, config_, "binary:logistic", seed);
  trees_ = config_.rounds;
}

void XgbClassifier::update(const Eigen::MatrixXd& x, const Eigen::VectorXi& label, uint64_t seed) {
  if (!booster_) return fit(x, label, seed);  // also leaves the one-class case
  std::vector<float> l(label.data(), label.data() + label.size());
  boost(booster_, x, l, trees_, config_.update_rounds);
  trees_ += config_.update_rounds;
}

Eigen::VectorXd XgbClassifier::probability(const Eigen::MatrixXd& x) const {
  if (!booster_) return Eigen::VectorXd::Constant(x.rows(), constant_);
  return booster_predict(booster_, x);
}

// ---- GP regressor ----

GpRegressor::GpRegressor(int restarts, bool tune) : restarts_(restarts), tune_(tune) {}

void GpRegressor::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) {
  auto fresh = std::make_unique<gp::GaussianProcess>(static_cast<int>(x.cols()));
  if (frozen_) fresh->set_hyperparameters(*frozen_);
  else if (gp_) fresh->set_hyperparameters(gp_->hyperparameters());  // warm start
  fresh->fit(x, y);
  if (tune_) {
    std::mt19937_64 rng(seed);
    fresh->optimize_hyperparameters(rng, restarts_);
  }
  gp_ = std::move(fresh);
}

void GpRegressor::update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) {
  if (!gp_) return fit(x, y, seed);
  auto fresh = std::make_unique<gp::GaussianProcess>(static_cast<int>(x.cols()));
  fresh->set_hyperparameters(gp_->hyperparameters());
  fresh->fit(x, y);
  gp_ = std::move(fresh);
}

void GpRegressor::predict(const Eigen::MatrixXd& x, Eigen::VectorXd& mean,
                          Eigen::VectorXd& variance) const {
  if (!gp_) throw std::logic_error("GpRegressor::predict before fit");
  gp::Prediction p = gp_->query(x);
  mean = std::move(p.mean);
  variance = std::move(p.variance);
}

std::unique_ptr<Regressor> GpRegressor::fold_copy() const {
  auto copy = std::make_unique<GpRegressor>(restarts_, false);
  if (gp_) copy->frozen_ = std::make_unique<gp::Hyperparameters>(gp_->hyperparameters());
  return copy;
}

// ---- MLP ensemble ----

MlpEnsemble::MlpEnsemble(MlpConfig config) : config_(config) {}

namespace {

// Adam state for one parameter block.
struct Adam {
  Eigen::ArrayXXd m, v;
  void step(Eigen::Ref<Eigen::MatrixXd> param, const Eigen::MatrixXd& grad, double lr, int t) {
    constexpr double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    if (m.size() == 0) {
      m = Eigen::ArrayXXd::Zero(grad.rows(), grad.cols());
      v = m;
    }
    m = b1 * m + (1 - b1) * grad.array();
    v = b2 * v + (1 - b2) * grad.array().square();
    const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
    param.array() -= lr * (m / c1) / ((v / c2).sqrt() + eps);
  }
};

}  // namespace

void MlpEnsemble::fit(const Eigen::MatrixXd& x_in, const Eigen::VectorXd& y, uint64_t seed) {
  const Eigen::Index d = x_in.cols();
  const int h = config_.hidden;
  y_mean_ = y.mean();
  const double var = (y.array() - y_mean_).square().mean();
  y_scale_ = var > 1e-300 ? std::sqrt(var) : 1.0;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  nets_.assign(config_.members, Net{});
  for (auto& net : nets_) {
    net.w1 = Eigen::MatrixXd::NullaryExpr(h, d, [&] { return normal(rng) / std::sqrt(double(d)); });
    net.b1 = Eigen::VectorXd::NullaryExpr(h, [&] { return 0.1 * normal(rng); });
    net.w2 = Eigen::VectorXd::NullaryExpr(h, [&] { return normal(rng) / std::sqrt(double(h)); });
    net.b2 = 0;
  }
  train(x_in, y, config_.steps, rng);
}

void MlpEnsemble::update(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, uint64_t seed) {
  if (nets_.empty()) return fit(x, y, seed);
  std::mt19937_64 rng(seed);
  train(x, y, config_.update_steps, rng);
}

void MlpEnsemble::train(const Eigen::MatrixXd& x_in, const Eigen::VectorXd& y, int steps, std::mt19937_64& rng) {
  const Eigen::Index n = x_in.rows(), d = x_in.cols();
  const Eigen::MatrixXd x_all = (2.0 * x_in.array() - 1.0).matrix();  // centred inputs
  const Eigen::VectorXd y_all = (y.array() - y_mean_) / y_scale_;
  for (auto& net : nets_) {
    // Bootstrap sample: different data per member is what makes their
    // disagreement a usable spread.
    std::vector<Eigen::Index> rows(n);
    std::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
    for (auto& r : rows) r = pick(rng);
    Eigen::MatrixXd x(n, d);
    Eigen::VectorXd t(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      x.row(i) = x_all.row(rows[i]);
      t(i) = y_all(rows[i]);
    }
    Adam a_w1, a_b1, a_w2, a_b2;
    Eigen::MatrixXd b2m(1, 1);
    for (int step = 1; step <= steps; ++step) {
      const Eigen::MatrixXd hid = ((x * net.w1.transpose()).rowwise() + net.b1.transpose())
                                      .array()
                                      .tanh()
                                      .matrix();  // n x h
      const Eigen::VectorXd out = (hid * net.w2).array() + net.b2;
      const Eigen::VectorXd e = 2.0 * (out - t) / double(n);
      const Eigen::MatrixXd dh = ((e * net.w2.transpose()).array() * (1.0 - hid.array().square()))
                                     .matrix();  // n x h
      const Eigen::MatrixXd g_w1 = dh.transpose() * x + 2 * config_.weight_decay * net.w1;
      const Eigen::VectorXd g_b1 = dh.colwise().sum().transpose();
      const Eigen::VectorXd g_w2 = hid.transpose() * e + 2 * config_.weight_decay * net.w2;
      Eigen::MatrixXd g_b2(1, 1);
      g_b2(0, 0) = e.sum();
      a_w1.step(net.w1, g_w1, config_.learning_rate, step);
      a_b1.step(net.b1, g_b1, config_.learning_rate, step);
      a_w2.step(net.w2, g_w2, config_.learning_rate, step);
      b2m(0, 0) = net.b2;
      a_b2.step(b2m, g_b2, config_.learning_rate, step);
      net.b2 = b2m(0, 0);
    }
  }
}

void MlpEnsemble::predict(const Eigen::MatrixXd& x_in, Eigen::VectorXd& mean,
                          Eigen::VectorXd& variance) const {
  if (nets_.empty()) throw std::logic_error("MlpEnsemble::predict before fit");
  const Eigen::MatrixXd x = (2.0 * x_in.array() - 1.0).matrix();
  Eigen::MatrixXd outs(x.rows(), static_cast<Eigen::Index>(nets_.size()));
  for (size_t k = 0; k < nets_.size(); ++k) {
    const Net& net = nets_[k];
    const Eigen::MatrixXd hid =
        ((x * net.w1.transpose()).rowwise() + net.b1.transpose()).array().tanh().matrix();
    outs.col(static_cast<Eigen::Index>(k)) = (hid * net.w2).array() + net.b2;
  }
  const Eigen::VectorXd m = outs.rowwise().mean();
  mean = (m.array() * y_scale_ + y_mean_).matrix();
  variance = ((outs.colwise() - m).array().square().rowwise().mean() * y_scale_ * y_scale_).matrix();
}

std::unique_ptr<Regressor> MlpEnsemble::fold_copy() const {
  return std::make_unique<MlpEnsemble>(config_);
}

// ---- evaluation ----

namespace {

Eigen::VectorXd average_ranks(const Eigen::VectorXd& v) {
  const Eigen::Index n = v.size();
  std::vector<Eigen::Index> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return v(a) < v(b); });
  Eigen::VectorXd rank(n);
  for (Eigen::Index i = 0; i < n;) {
    Eigen::Index j = i;
    while (j + 1 < n && v(idx[j + 1]) == v(idx[i])) ++j;
    const double r = 0.5 * double(i + j);  // average rank of the tie group
    for (Eigen::Index k = i; k <= j; ++k) rank(idx[k]) = r;
    i = j + 1;
  }
  return rank;
}

}  // namespace

double spearman(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  if (a.size() != b.size() || a.size() < 2) return 0.0;
  const Eigen::VectorXd ra = average_ranks(a), rb = average_ranks(b);
  const Eigen::ArrayXd ca = ra.array() - ra.mean(), cb = rb.array() - rb.mean();
  const double den = std::sqrt(ca.square().sum() * cb.square().sum());
  return den > 0 ? (ca * cb).sum() / den : 0.0;
}

double cross_validated_rank_correlation(const Regressor& fitted, const Eigen::MatrixXd& x,
                                        const Eigen::VectorXd& y, int folds, uint64_t seed) {
  const Eigen::Index n = x.rows();
  folds = static_cast<int>(std::min<Eigen::Index>(folds, n / 2));
  if (folds < 2) return 0.0;
  std::vector<Eigen::Index> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  Eigen::VectorXd oof(n);
  for (int f = 0; f < folds; ++f) {
    std::vector<Eigen::Index> train, test;
    for (Eigen::Index i = 0; i < n; ++i) (i % folds == f ? test : train).push_back(order[i]);
    auto model = fitted.fold_copy();
    model->fit(x(train, Eigen::all), y(train), seed + 1 + f);
    Eigen::VectorXd mean, var;
    model->predict(x(test, Eigen::all), mean, var);
    for (size_t i = 0; i < test.size(); ++i) oof(test[i]) = mean(static_cast<Eigen::Index>(i));
  }
  return spearman(oof, y);
}

}  // namespace apollo::search::surrogate
