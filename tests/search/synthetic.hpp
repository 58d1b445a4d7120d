// Synthetic black-box objectives with known optima, over spaces shaped like
// Apollo's design space, for testing optimizers without simulations.
#pragma once

#include "search/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace apollo::search::synthetic {

// Same cardinalities as Apollo's architecture template (452,760,000 designs).
inline SearchSpaceShape real_space() { return {{10, 10, 7, 10, 7, 11, 7, 4, 5, 6}}; }
// 4*5*3*6 = 360 designs: small enough to enumerate.
inline SearchSpaceShape small_space() { return {{4, 5, 3, 6}}; }

inline double scaled(const SearchSpaceShape& s, const Design& d, size_t k) {
  const int c = s.cardinalities[k];
  return c > 1 ? double(d[k]) / (c - 1) : 0.0;
}

// A grid point used as the optimum: index (3k+1) mod cardinality.
inline Design target(const SearchSpaceShape& s) {
  Design t(s.cardinalities.size());
  for (size_t k = 0; k < t.size(); ++k) t[k] = static_cast<int>((3 * k + 1) % s.cardinalities[k]);
  return t;
}

struct Problem {
  std::string name;
  SearchSpaceShape space;
  std::function<Observation(const Design&)> evaluate;
  double optimum;  // known maximum objective
};

// -sum_k w_k (s_k - t_k)^2, w_k in {1,2,3}; maximum 0 at the target.
inline Problem separable_quadratic(const SearchSpaceShape& s) {
  const Design t = target(s);
  return {"quadratic", s,
          [s, t](const Design& d) {
            double f = 0;
            for (size_t k = 0; k < d.size(); ++k) {
              const double e = scaled(s, d, k) - scaled(s, t, k);
              f -= (1.0 + k % 3) * e * e;
            }
            return Observation{d, TrialStatus::Feasible, f};
          },
          0.0};
}

// Coupled pairs: -sum_k (e_k + e_{k+1})^2 - 0.1 sum_k e_k^2 with e = s - t;
// the first term alone has a ridge of optima, the second makes the target the
// unique maximum 0.
inline Problem interaction(const SearchSpaceShape& s) {
  const Design t = target(s);
  return {"interaction", s,
          [s, t](const Design& d) {
            std::vector<double> e(d.size());
            for (size_t k = 0; k < d.size(); ++k) e[k] = scaled(s, d, k) - scaled(s, t, k);
            double f = 0;
            for (size_t k = 0; k + 1 < d.size(); ++k) f -= (e[k] + e[k + 1]) * (e[k] + e[k + 1]);
            for (double v : e) f -= 0.1 * v * v;
            return Observation{d, TrialStatus::Feasible, f};
          },
          0.0};
}

// Quadratic whose optimum lies on the boundary of an infeasible region
// (sum of scaled indices above the target's: like an area budget), plus a
// few "crashed" designs reported as Failed. Maximum 0 at the target.
inline Problem constrained(const SearchSpaceShape& s) {
  const Design t = target(s);
  double budget = 0;
  for (size_t k = 0; k < t.size(); ++k) budget += scaled(s, t, k);
  const Problem base = separable_quadratic(s);
  return {"constrained", s,
          [s, budget, base](const Design& d) {
            double load = 0;
            size_t hash = 0;
            for (size_t k = 0; k < d.size(); ++k) {
              load += scaled(s, d, k);
              hash = hash * 31 + static_cast<size_t>(d[k]);
            }
            if (load > budget + 1e-9) return Observation{d, TrialStatus::Infeasible, 0.0};
            if (hash % 97 == 13) return Observation{d, TrialStatus::Failed, 0.0};
            return base.evaluate(d);
          },
          0.0};
}

// Runs `trials` evaluations in batches; returns the best feasible objective
// (-inf when none).
inline double run(Optimizer& opt, const Problem& p, int trials, int batch) {
  double best = -std::numeric_limits<double>::infinity();
  for (int done = 0; done < trials;) {
    const int n = std::min(batch, trials - done);
    std::vector<Observation> results;
    for (const Design& d : opt.ask(n)) {
      results.push_back(p.evaluate(d));
      if (results.back().status == TrialStatus::Feasible) best = std::max(best, results.back().objective);
    }
    opt.tell(results);
    done += n;
  }
  return best;
}

}  // namespace apollo::search::synthetic
