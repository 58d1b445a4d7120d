// A synthetic design problem for study-loop tests (no compiler or
// simulator): a 6-parameter space whose "area" grows with the indices and
// whose "latency" falls with them, so the budget binds and perf/area (or a
// latency-area front) is non-trivial.
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

#include "search/study.hpp"

namespace apollo::search::synthetic {

// Synthetic design problem on a 6-parameter space: "area" grows with the
// indices, "latency" falls with them, so the budget binds and perf/area has an
// interior optimum. Designs with d[0] == 0 "fail to compile".
inline Measurement measurement(const Design& d, int) {
  Measurement m;
  if (d[0] == 0) {
    m.status = TrialStatus::Infeasible;
    m.reason = "synthetic: parameter 0 must be non-zero";
    return m;
  }
  double area = 1.0;
  double speed = 1.0;
  for (size_t i = 0; i < d.size(); ++i) {
    area += 0.25 * d[i];
    speed += (i + 1) * std::sqrt(static_cast<double>(d[i]));
  }
  m.area_mm2 = area;
  if (area > 6.0) {
    m.status = TrialStatus::Infeasible;
    m.reason = "area over budget";
    return m;
  }
  m.status = TrialStatus::Feasible;
  m.latency_ms["synthetic"] = 100.0 / speed;
  return m;
}

inline StudyEnvironment environment() {
  StudyEnvironment env;
  env.shape.cardinalities = {4, 6, 5, 7, 3, 8};
  env.evaluate = measurement;
  env.describe = [](const Design& d) { return nlohmann::json{{"p0", d[0]}, {"p1", d[1]}}; };
  return env;
}

// The same environment with its area model known to the study (as the real
// one's analytic area model is).
inline StudyEnvironment environment_with_area() {
  StudyEnvironment env = environment();
  env.area_mm2 = [](const Design& d) {
    double area = 1.0;
    for (int v : d) area += 0.25 * v;
    return area;
  };
  return env;
}

}  // namespace apollo::search::synthetic
