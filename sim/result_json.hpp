// The result of a simulation as JSON, under the keys of `apollo simulate
// --json` (totals, per-layer statistics, bytes per level with and without
// multicast, busy fractions): one writer for the CLI and the Python module.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "models/energy.hpp"
#include "models/program.hpp"
#include "sim/simulate.hpp"

namespace apollo::sim {

struct BusySummary {
  double min = 0, mean = 0, max = 0;
};
BusySummary summarize(const std::vector<double>& busy);

nlohmann::json result_json(const SimResult& r, const models::Program& program);

// Energy of one inference (the `energy` key of `apollo simulate --json`):
// totals, per component, the action counts and per layer.
nlohmann::json energy_json(const SimResult& r, const models::ActionCosts& costs, double clock_ghz);
// A layer's energy: its actions plus leakage over its cycles.
models::EnergyReport layer_energy(const LayerStats& l, const models::ActionCosts& costs, double clock_ghz);

}  // namespace apollo::sim
