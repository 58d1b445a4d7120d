#include "search/ask_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include <time.h>

#include "models/space.hpp"
#include "search/optimizer.hpp"

namespace apollo::search {

namespace {

struct Synthetic {
  SearchSpaceShape shape{models::cardinalities()};

  std::vector<double> scaled(const Design& d) const {
    std::vector<double> x(d.size());
    for (size_t k = 0; k < d.size(); ++k) {
      const int c = shape.cardinalities[k];
      x[k] = c > 1 ? double(d[k]) / (c - 1) : 0.0;
    }
    return x;
  }
  // Like an area budget: large values of the first half of the parameters
  // together do not fit.
  bool admissible(const Design& d) const {
    const std::vector<double> x = scaled(d);
    double load = 0;
    for (size_t k = 0; k < x.size() / 2; ++k) load += x[k];
    return load <= 0.6 * double(x.size() / 2);
  }
  Observation evaluate(const Design& d) const {
    if (!admissible(d)) return {d, TrialStatus::Infeasible, 0};
    const std::vector<double> x = scaled(d);
    double f = 0;
    for (size_t k = 0; k < x.size(); ++k) {
      const double t = 0.2 + 0.6 * double((3 * k + 1) % 5) / 4.0;
      f -= (1.0 + k % 3) * (x[k] - t) * (x[k] - t);
    }
    return {d, TrialStatus::Feasible, std::exp(f)};
  }
};

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Settings full_refit_settings(const std::string& optimizer) {
  if (optimizer == "mbo" || optimizer == "gp_bandit") return {{"refit_growth", "0"}};
  if (optimizer == "p3bo") return {{"mbo.refit_growth", "0"}, {"gp_bandit.refit_growth", "0"}};
  return {};
}

AskTiming time_asks(const std::string& optimizer, int observations, int asks, uint64_t seed, const Settings& settings) {
  const Synthetic problem;
  auto opt = make_optimizer(optimizer, problem.shape, settings, seed);
  opt->set_constraint([&problem](const Design& d) { return problem.admissible(d); });
  std::mt19937_64 rng(seed);
  std::set<Design> told;
  std::vector<Observation> history;
  while (static_cast<int>(history.size()) < observations) {
    Design d(problem.shape.cardinalities.size());
    for (size_t k = 0; k < d.size(); ++k)
      d[k] = std::uniform_int_distribution<int>(0, problem.shape.cardinalities[k] - 1)(rng);
    if (problem.admissible(d) && told.insert(d).second) history.push_back(problem.evaluate(d));
  }
  opt->tell(history);
  AskTiming t;
  t.optimizer = optimizer;
  t.observations = observations;
  const int untimed = 10;
  for (int i = 0; i < untimed + asks; ++i) {
    const double cpu0 = thread_cpu_ms();
    const auto wall0 = std::chrono::steady_clock::now();
    const std::vector<Design> batch = opt->ask(1);
    const double cpu = thread_cpu_ms() - cpu0;
    const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();
    if (i == 0) {
      t.first_ms = cpu;
    } else if (i >= untimed) {
      t.ask_ms.push_back(cpu);
      t.wall_ms.push_back(wall);
    }
    std::vector<Observation> results;
    for (const auto& d : batch) results.push_back(problem.evaluate(d));
    opt->tell(results);
  }
  t.median_ms = median_of(t.ask_ms);
  t.median_wall_ms = median_of(t.wall_ms);
  if (!t.ask_ms.empty()) {
    t.mean_ms = std::accumulate(t.ask_ms.begin(), t.ask_ms.end(), 0.0) / double(t.ask_ms.size());
    t.max_ms = *std::max_element(t.ask_ms.begin(), t.ask_ms.end());
  }
  return t;
}

}  // namespace apollo::search
