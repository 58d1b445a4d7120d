#include "search/objective.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace apollo::search {

using nlohmann::json;

json Measurement::to_json() const {
  return json{{"status", to_string(status)}, {"reason", reason},         {"area_mm2", area_mm2},
              {"latency_ms", latency_ms},    {"energy_uj", energy_uj}};
}

Measurement Measurement::from_json(const json& j) {
  try {
    Measurement m;
    m.status = trial_status_from_string(j.at("status").get<std::string>());
    m.reason = j.at("reason").get<std::string>();
    m.area_mm2 = j.at("area_mm2").get<double>();
    m.latency_ms = j.at("latency_ms").get<std::map<std::string, double>>();
    // Results written before energy was measured have none.
    m.energy_uj = j.value("energy_uj", std::map<std::string, double>{});
    return m;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed evaluation result: ") + e.what());
  }
}

Measurement measurement_of(const TrialRecord& t) {
  Measurement m;
  m.status = t.status;
  m.reason = t.reason;
  m.area_mm2 = t.area_mm2;
  m.latency_ms = t.latency_ms;
  m.energy_uj = t.energy_uj;
  return m;
}

double perf_per_area(double latency_ms, double area_mm2) {
  if (!(latency_ms > 0) || !(area_mm2 > 0)) {
    throw std::runtime_error("performance per area needs positive latency and area");
  }
  return 1.0 / (latency_ms * area_mm2);
}

namespace {

// Per-workload cost a scalar objective divides by (with one workload) or
// compares with the baseline's (with several).
enum class Cost { Latency, Energy, EnergyDelay };

Cost cost_of(const std::string& scalar) {
  if (scalar == "energy" || scalar == "perf_per_watt") return Cost::Energy;
  if (scalar == "edp") return Cost::EnergyDelay;
  return Cost::Latency;  // perf_per_area, latency
}

// A measured value that must be there and be positive.
double measured(const std::map<std::string, double>& values, const std::string& workload, const char* what) {
  auto it = values.find(workload);
  if (it == values.end()) throw std::runtime_error(std::string("trial has no ") + what + " measurement for workload " + workload);
  if (!(it->second > 0))
    throw std::runtime_error(std::string("trial's ") + what + " for workload " + workload + " is not positive");
  return it->second;
}

double cost(Cost c, const std::map<std::string, double>& latency, const std::map<std::string, double>& energy,
            const std::string& w) {
  switch (c) {
    case Cost::Latency: return measured(latency, w, "latency");
    case Cost::Energy: return measured(energy, w, "energy");
    case Cost::EnergyDelay: return measured(energy, w, "energy") * measured(latency, w, "latency");
  }
  return 0;
}

// Geometric mean over `workloads` of numerator(w) / denominator(w), as a sum
// of logs (a product of many ratios may over/underflow).
template <class Num, class Den>
double geomean_ratio(const std::vector<std::string>& workloads, Num numerator, Den denominator) {
  double log_sum = 0;
  for (const auto& w : workloads) log_sum += std::log(numerator(w) / denominator(w));
  return std::exp(log_sum / static_cast<double>(workloads.size()));
}

bool known(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

double geomean_speedup(const std::map<std::string, double>& latency_ms,
                       const std::map<std::string, double>& baseline_latency_ms) {
  if (baseline_latency_ms.empty()) throw std::runtime_error("geometric-mean speedup needs baseline latencies");
  std::vector<std::string> workloads;
  for (const auto& [w, base] : baseline_latency_ms) {
    if (!(base > 0)) throw std::runtime_error("baseline latency of " + w + " is not positive");
    workloads.push_back(w);
  }
  return geomean_ratio(
      workloads, [&](const std::string& w) { return baseline_latency_ms.at(w); },
      [&](const std::string& w) {
        auto it = latency_ms.find(w);
        if (it == latency_ms.end() || !(it->second > 0)) throw std::runtime_error("no latency for workload " + w);
        return it->second;
      });
}

const std::vector<std::string>& scalar_objective_names() {
  static const std::vector<std::string> names = {"perf_per_area", "latency", "energy", "edp", "perf_per_watt"};
  return names;
}

const std::vector<std::string>& objective_component_names() {
  static const std::vector<std::string> names = {"latency", "energy", "area"};
  return names;
}

Objective::Objective(std::vector<std::string> workloads, std::map<std::string, double> baseline_latency_ms)
    : Objective(kDefaultObjective, {}, std::move(workloads), std::move(baseline_latency_ms), {}) {}

Objective::Objective(std::string scalar, std::vector<std::string> components, std::vector<std::string> workloads,
                     std::map<std::string, double> baseline_latency_ms, std::map<std::string, double> baseline_energy_uj)
    : scalar_(std::move(scalar)),
      components_(std::move(components)),
      workloads_(std::move(workloads)),
      baseline_latency_(std::move(baseline_latency_ms)),
      baseline_energy_(std::move(baseline_energy_uj)) {
  if (workloads_.empty()) throw std::invalid_argument("objective: no workloads");
  if (components_.empty() && !known(scalar_objective_names(), scalar_))
    throw std::invalid_argument("unknown objective '" + scalar_ + "'; known objectives: " +
                                listed(scalar_objective_names()));
  if (!components_.empty() && (components_.size() < 2 || components_.size() > 3))
    throw std::invalid_argument("a multi-objective study needs two or three objectives, got " +
                                std::to_string(components_.size()));
  for (size_t i = 0; i < components_.size(); ++i) {
    if (!known(objective_component_names(), components_[i]))
      throw std::invalid_argument("unknown objective '" + components_[i] + "' in a multi-objective study; known: " +
                                  listed(objective_component_names()));
    for (size_t j = 0; j < i; ++j)
      if (components_[i] == components_[j])
        throw std::invalid_argument("objective '" + components_[i] + "' given twice");
  }
  if (workloads_.size() > 1) {
    // Several workloads compare with the baseline: its values must be there.
    const bool latency = components_.empty() ? cost_of(scalar_) != Cost::Energy : known(components_, "latency");
    for (const auto& w : workloads_) {
      if (latency && !baseline_latency_.count(w))
        throw std::invalid_argument("objective: no baseline latency for workload " + w);
      if (needs_energy() && !baseline_energy_.count(w))
        throw std::invalid_argument("objective " + name() + ": the baseline has no energy measurement for workload " +
                                    w + " (evaluations do not measure energy in this build)");
    }
  }
}

Objective Objective::of(const StudyDefinition& def) {
  return Objective(def.objective, def.objectives, def.workloads, def.baseline_latency_ms, def.baseline_energy_uj);
}

Objective Objective::components_of(const StudyDefinition& def, std::vector<std::string> components) {
  return Objective(def.objective, std::move(components), def.workloads, def.baseline_latency_ms,
                   def.baseline_energy_uj);
}

bool objective_needs_energy(const std::string& scalar, const std::vector<std::string>& components) {
  return components.empty() ? cost_of(scalar) != Cost::Latency : known(components, "energy");
}

bool Objective::needs_energy() const { return objective_needs_energy(scalar_, components_); }

std::string Objective::name() const {
  if (multi()) {
    std::string out = "pareto:";
    for (size_t i = 0; i < components_.size(); ++i) out += (i ? "," : "") + components_[i];
    return out;
  }
  if (scalar_ == kDefaultObjective && workloads_.size() > 1) return "geomean_speedup";
  return scalar_;
}

std::vector<std::string> Objective::units() const {
  std::vector<std::string> out;
  for (const auto& c : components_) {
    if (c == "area") out.push_back("mm2");
    else if (workloads_.size() > 1) out.push_back("x baseline");
    else out.push_back(c == "latency" ? "ms" : "uJ");
  }
  return out;
}

std::string Objective::description() const {
  if (multi()) {
    std::string out;
    const auto u = units();
    for (size_t i = 0; i < components_.size(); ++i)
      out += (i ? ", " : "") + components_[i] + " (" + u[i] + ")";
    return "minimize " + out + (workloads_.size() > 1 ? " [latency, energy: geomean ratio to the baseline]" : "") +
           "; stored scalar 1 / product";
  }
  const bool several = workloads_.size() > 1;
  if (scalar_ == "perf_per_area")
    return several ? "geometric mean of speedups over the baseline (x)"
                   : "performance per area, 1 / (latency_ms * area_mm2)";
  const std::string of_baseline = " over the baseline (x, geometric mean over workloads)";
  if (scalar_ == "latency") return several ? "speedup" + of_baseline : "1 / latency_ms (latency minimized)";
  if (scalar_ == "energy")
    return several ? "energy saving baseline_energy / energy" + of_baseline : "1 / energy_uj (energy minimized)";
  if (scalar_ == "edp")
    return several ? "energy-delay product gain" + of_baseline
                   : "1 / (energy_uj * latency_ms) (energy-delay product minimized)";
  return several ? "inferences per joule relative to the baseline (x, geometric mean over workloads)"
                 : "inferences per joule, 1e6 / energy_uj";
}

double Objective::operator()(const Measurement& m) const {
  if (multi()) {
    double product = 1;
    for (double v : vector(m)) product *= v;
    return 1.0 / product;
  }
  const Cost c = cost_of(scalar_);
  if (workloads_.size() == 1) {
    const std::string& w = workloads_[0];
    if (scalar_ == "perf_per_area") return perf_per_area(measured(m.latency_ms, w, "latency"), m.area_mm2);
    return (scalar_ == "perf_per_watt" ? 1e6 : 1.0) / cost(c, m.latency_ms, m.energy_uj, w);
  }
  return geomean_ratio(
      workloads_, [&](const std::string& w) { return cost(c, baseline_latency_, baseline_energy_, w); },
      [&](const std::string& w) { return cost(c, m.latency_ms, m.energy_uj, w); });
}

std::vector<double> Objective::vector(const Measurement& m) const {
  std::vector<double> out;
  for (const auto& c : components_) {
    if (c == "area") {
      if (!(m.area_mm2 > 0)) throw std::runtime_error("trial has no area");
      out.push_back(m.area_mm2);
      continue;
    }
    const Cost kind = c == "latency" ? Cost::Latency : Cost::Energy;
    if (workloads_.size() == 1) {
      out.push_back(cost(kind, m.latency_ms, m.energy_uj, workloads_[0]));
      continue;
    }
    out.push_back(geomean_ratio(
        workloads_, [&](const std::string& w) { return cost(kind, m.latency_ms, m.energy_uj, w); },
        [&](const std::string& w) { return cost(kind, baseline_latency_, baseline_energy_, w); }));
  }
  return out;
}

std::optional<double> baseline_objective(const StudyDefinition& def) {
  if (def.multi_objective()) return std::nullopt;
  Measurement m;
  m.status = TrialStatus::Feasible;
  m.area_mm2 = def.baseline_area_mm2;
  m.latency_ms = def.baseline_latency_ms;
  m.energy_uj = def.baseline_energy_uj;
  try {
    return Objective::of(def)(m);
  } catch (const std::exception&) {
    return std::nullopt;  // e.g. a baseline stored without energy
  }
}

}  // namespace apollo::search
