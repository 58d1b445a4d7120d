#include "search/objective.hpp"

#include <cmath>
#include <stdexcept>

#include "search/store.hpp"

namespace apollo::search {

using nlohmann::json;

json Measurement::to_json() const {
  return json{{"status", to_string(status)}, {"reason", reason}, {"area_mm2", area_mm2}, {"latency_ms", latency_ms}};
}

Measurement Measurement::from_json(const json& j) {
  try {
    Measurement m;
    m.status = trial_status_from_string(j.at("status").get<std::string>());
    m.reason = j.at("reason").get<std::string>();
    m.area_mm2 = j.at("area_mm2").get<double>();
    m.latency_ms = j.at("latency_ms").get<std::map<std::string, double>>();
    return m;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed evaluation result: ") + e.what());
  }
}

double perf_per_area(double latency_ms, double area_mm2) {
  if (!(latency_ms > 0) || !(area_mm2 > 0)) {
    throw std::runtime_error("performance per area needs positive latency and area");
  }
  return 1.0 / (latency_ms * area_mm2);
}

double geomean_speedup(const std::map<std::string, double>& latency_ms,
                       const std::map<std::string, double>& baseline_latency_ms) {
  if (baseline_latency_ms.empty()) throw std::runtime_error("geometric-mean speedup needs baseline latencies");
  // Sum of logs: the product of many speedups may over/underflow.
  double log_sum = 0;
  for (const auto& [w, base] : baseline_latency_ms) {
    auto it = latency_ms.find(w);
    if (it == latency_ms.end() || !(it->second > 0)) throw std::runtime_error("no latency for workload " + w);
    if (!(base > 0)) throw std::runtime_error("baseline latency of " + w + " is not positive");
    log_sum += std::log(base / it->second);
  }
  return std::exp(log_sum / static_cast<double>(baseline_latency_ms.size()));
}

Objective::Objective(std::vector<std::string> workloads, std::map<std::string, double> baseline_latency_ms)
    : workloads_(std::move(workloads)), baseline_(std::move(baseline_latency_ms)) {
  if (workloads_.empty()) throw std::invalid_argument("objective: no workloads");
  if (workloads_.size() > 1) {
    for (const auto& w : workloads_) {
      if (!baseline_.count(w)) throw std::invalid_argument("objective: no baseline latency for workload " + w);
    }
  }
}

std::string Objective::name() const { return workloads_.size() > 1 ? "geomean_speedup" : "perf_per_area"; }

std::string Objective::description() const {
  return workloads_.size() > 1 ? "geometric mean of speedups over the baseline (x)"
                               : "performance per area, 1 / (latency_ms * area_mm2)";
}

double Objective::operator()(const Measurement& m) const {
  if (workloads_.size() == 1) {
    auto it = m.latency_ms.find(workloads_[0]);
    if (it == m.latency_ms.end()) throw std::runtime_error("no latency for workload " + workloads_[0]);
    return perf_per_area(it->second, m.area_mm2);
  }
  std::map<std::string, double> base;
  for (const auto& w : workloads_) base[w] = baseline_.at(w);
  return geomean_speedup(m.latency_ms, base);
}

}  // namespace apollo::search
