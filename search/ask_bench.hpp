// How long one ask of an optimizer takes once it holds a given number of
// observations (`apollo bench --section optimizers`). The observations come
// from a synthetic problem on Apollo's design-space shape, so the timing is
// of the optimizer alone: positive objective values spanning a factor of ~20
// (as perf/area does), an infeasible region (a quarter of the space) given
// to the optimizer as its known constraint, and a smooth optimum inside.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "search/optimizer.hpp"

namespace apollo::search {

struct AskTiming {
  std::string optimizer;
  int observations = 0;        // told before the timed asks
  double first_ms = 0;         // CPU time of the first ask after the bulk tell (a full model fit)
  std::vector<double> ask_ms;  // CPU time of each later ask (each followed by its tell)
  std::vector<double> wall_ms; // wall time of the same asks
  double median_ms = 0;        // of ask_ms
  double mean_ms = 0;
  double max_ms = 0;
  double median_wall_ms = 0;
};

// `observations` random admissible designs are told at once; the first ask
// then fits the models from scratch (its time is first_ms), and nine more
// untimed rounds of ask(1) + tell(1) let every member of p3bo make its first
// fit. Then `asks` rounds are timed: the steady state of a study running at
// batch 1, with whatever refits its schedule makes. Times are CPU time of
// this thread (one core, robust to other load), and wall time.
// Single-threaded, deterministic given the seed.
AskTiming time_asks(const std::string& optimizer, int observations, int asks, uint64_t seed,
                    const Settings& settings = {});
// Settings that make a model-based optimizer refit everything on every ask
// (refit_growth=0), as every ask did before refits were scheduled; empty for
// an optimizer without models.
Settings full_refit_settings(const std::string& optimizer);

}  // namespace apollo::search
