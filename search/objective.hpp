// Objectives of a study (README "Objectives and multi-objective studies").
// Every objective is subject to area <= budget (an over-budget design is
// Infeasible and has no objective value).
//
// Scalar objectives (--objective), maximized internally; with one workload:
//   perf_per_area  1 / (latency_ms * area_mm2)        (the paper's, default)
//   latency        1 / latency_ms                     (latency minimized)
//   energy         1 / energy_uj                      (energy minimized)
//   edp            1 / (energy_uj * latency_ms)       (energy-delay product minimized)
//   perf_per_watt  1e6 / energy_uj, inferences per joule
// With several workloads each is the geometric mean over workloads of its
// ratio to the baseline preset's value (the baseline is measured once per
// study), so perf_per_area and latency are both the geomean speedup
// baseline_latency / latency, as before.
//
// Multi-objective studies (--objectives): two or three of latency (ms),
// energy (uJ) and area (mm2), all minimized; with several workloads latency
// and energy are the geometric mean of their ratios to the baseline's
// (unitless). The stored scalar of such a trial is 1 / (product of its
// objectives): for latency,area on one workload the paper's perf/area.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/optimizer.hpp"
#include "search/store.hpp"

namespace apollo::search {

// What one evaluation measured: the raw facts, before any objective.
struct Measurement {
  TrialStatus status = TrialStatus::Failed;
  std::string reason;                        // infeasible / failed reason
  double area_mm2 = 0;                       // 0 when not computed
  std::map<std::string, double> latency_ms;  // per workload simulated
  // Energy of one inference per workload in microjoules (evaluate_arch:
  // the energy model's total); empty in results stored before it was
  // measured (objectives needing it then fail).
  std::map<std::string, double> energy_uj;

  nlohmann::json to_json() const;
  static Measurement from_json(const nlohmann::json& j);  // throws std::runtime_error
};

// The measurement a stored trial recorded.
Measurement measurement_of(const TrialRecord& trial);

double perf_per_area(double latency_ms, double area_mm2);
// Geometric mean over the workloads of baseline[w] / latency[w]; every
// workload of `baseline` must have a positive latency in `latency`.
double geomean_speedup(const std::map<std::string, double>& latency_ms,
                       const std::map<std::string, double>& baseline_latency_ms);

// The names --objective accepts, the default first.
const std::vector<std::string>& scalar_objective_names();
// The names --objectives accepts (each minimized).
const std::vector<std::string>& objective_component_names();
inline constexpr const char* kDefaultObjective = "perf_per_area";
// True when the objective (a scalar name, or components) needs the energy
// of an inference.
bool objective_needs_energy(const std::string& scalar, const std::vector<std::string>& components);

class Objective {
 public:
  // The default objective (perf_per_area); baseline only used when there
  // are several workloads.
  Objective(std::vector<std::string> workloads, std::map<std::string, double> baseline_latency_ms);
  // `scalar`: one of scalar_objective_names(), or `components`: two or three
  // of objective_component_names() (then `scalar` is ignored). Throws
  // std::invalid_argument for an unknown name, or when several workloads
  // need a baseline value the baseline lacks.
  Objective(std::string scalar, std::vector<std::string> components, std::vector<std::string> workloads,
            std::map<std::string, double> baseline_latency_ms, std::map<std::string, double> baseline_energy_uj);
  // The objective of a stored study.
  static Objective of(const StudyDefinition& def);
  // The latency-area (or `components`) vector of a study whose own objective
  // is scalar: what `apollo study pareto` shows for single-objective studies.
  static Objective components_of(const StudyDefinition& def, std::vector<std::string> components);

  bool multi() const { return !components_.empty(); }
  bool needs_energy() const;
  // "perf_per_area", "geomean_speedup" (the default with several workloads),
  // the scalar name, or "pareto:latency,area".
  std::string name() const;
  std::string description() const;  // with units, for reports
  const std::vector<std::string>& components() const { return components_; }
  // Unit of each component: "ms", "uJ", "mm2", or "x baseline".
  std::vector<std::string> units() const;
  // Scalar value (maximized) of a feasible measurement. Throws
  // std::runtime_error when a value it needs is missing or not positive
  // ("trial has no energy measurement for workload X").
  double operator()(const Measurement& m) const;
  // The minimized components of a feasible measurement (empty when scalar).
  std::vector<double> vector(const Measurement& m) const;

 private:
  std::string scalar_;
  std::vector<std::string> components_;
  std::vector<std::string> workloads_;
  std::map<std::string, double> baseline_latency_;
  std::map<std::string, double> baseline_energy_;
};

// The baseline preset's value of def's scalar objective, from the
// measurement stored with the study (1 with several workloads); nullopt for
// a multi-objective study or when the measurement lacks what it needs.
std::optional<double> baseline_objective(const StudyDefinition& def);

}  // namespace apollo::search
