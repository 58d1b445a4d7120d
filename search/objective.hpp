// Objectives of a study (docs/architecture.md section 2, "Objectives"), both maximized and both
// subject to area <= budget (an over-budget design is Infeasible and has no
// objective value):
//   one workload:     performance per area = 1 / (latency_ms * area_mm2)
//   several workloads: geometric mean over workloads of the speedup
//                      baseline_latency / latency, the baseline being the
//                      edge_baseline preset (its latencies are measured once
//                      per study and stored with it).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/optimizer.hpp"

namespace apollo::search {

// What one evaluation measured: the raw facts, before any objective.
struct Measurement {
  TrialStatus status = TrialStatus::Failed;
  std::string reason;                        // infeasible / failed reason
  double area_mm2 = 0;                       // 0 when not computed
  std::map<std::string, double> latency_ms;  // per workload simulated

  nlohmann::json to_json() const;
  static Measurement from_json(const nlohmann::json& j);  // throws std::runtime_error
};

double perf_per_area(double latency_ms, double area_mm2);
// Geometric mean over the workloads of baseline[w] / latency[w]; every
// workload of `baseline` must have a positive latency in `latency`.
double geomean_speedup(const std::map<std::string, double>& latency_ms,
                       const std::map<std::string, double>& baseline_latency_ms);

class Objective {
 public:
  // workloads: the study's workloads in order; baseline only used when there
  // are several.
  Objective(std::vector<std::string> workloads, std::map<std::string, double> baseline_latency_ms);

  std::string name() const;         // "perf_per_area" | "geomean_speedup"
  std::string description() const;  // with units, for reports
  // Value of a feasible measurement (throws std::runtime_error when a
  // workload's latency is missing or not positive).
  double operator()(const Measurement& m) const;

 private:
  std::vector<std::string> workloads_;
  std::map<std::string, double> baseline_;
};

}  // namespace apollo::search
