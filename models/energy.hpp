// Energy model (docs/architecture.md, "Energy"): the simulator counts
// actions (sim/action_counter.hpp); this turns counts into energy with the
// per-action costs of the technology file, outside SystemC, next to the area
// model whose areas set the leakage and the network's route length.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/arch.hpp"
#include "models/area.hpp"

namespace apollo::models {

// Actions of one inference (or one layer of it) that cost energy. Memory
// counts are bytes accessed; network and DRAM counts are bytes moved (a
// multicast counts once).
struct ActionCounts {
  int64_t mac_ops = 0;            // lane MACs
  int64_t vector_ops = 0;         // lane operations that are not MACs
  int64_t core_memory_read = 0, core_memory_write = 0;
  int64_t pe_memory_read = 0, pe_memory_write = 0;
  int64_t activation_memory_read = 0, activation_memory_write = 0;
  int64_t parameter_memory_read = 0;
  int64_t instruction_memory_read = 0, instruction_memory_write = 0;
  int64_t network_bytes = 0;
  int64_t dram_bytes = 0;         // over the I/O link, both directions

  ActionCounts& operator+=(const ActionCounts& o);
  bool operator==(const ActionCounts&) const = default;
};

// The cost of each action on one design: technology constants applied to
// its memory capacities and floorplan.
struct ActionCosts {
  double mac_pj = 0, vector_op_pj = 0;
  // Per byte, by memory: read and write.
  double core_read_pj = 0, core_write_pj = 0;
  double pe_read_pj = 0, pe_write_pj = 0;
  double activation_read_pj = 0, activation_write_pj = 0;
  double parameter_read_pj = 0;
  double instruction_read_pj = 0, instruction_write_pj = 0;
  double network_pj_per_byte = 0;  // mean route length x wire energy
  double network_route_mm = 0;
  double dram_pj_per_byte = 0;
  double leakage_mw = 0;           // static power of the whole chip
};

// Access energy per byte of an SRAM memory of `capacity_bytes` (the macro
// that one access touches is at most sram_macro_max_bytes).
double sram_pj_per_byte(int64_t capacity_bytes, bool write, const Technology& tech);
// Throws ConfigError when arch does not validate (through the area model).
ActionCosts action_costs(const ArchConfig& arch, const Technology& tech);

struct EnergyItem {
  std::string component;  // "mac", "vector", "core_memory", ..., "network", "dram", "leakage"
  double uj = 0;
};

// Energy of one inference: dynamic energy per component plus leakage over
// the latency.
struct EnergyReport {
  std::vector<EnergyItem> items;  // in the order of energy_components()
  double dynamic_uj = 0;
  double leakage_uj = 0;
  double total_uj = 0;            // dynamic + leakage
  double average_power_mw = 0;    // total / latency
  double tops_per_watt = 0;       // (2 x MACs + vector ops) / total energy, 10^12 ops per joule
};

// The components of an EnergyReport, in order.
const std::vector<std::string>& energy_components();

// Dynamic energy of `counts` (no leakage), per component in order.
std::vector<EnergyItem> dynamic_energy(const ActionCosts& costs, const ActionCounts& counts);
// One inference: dynamic energy of `counts` plus leakage over `latency_ms`.
EnergyReport energy(const ActionCosts& costs, const ActionCounts& counts, double latency_ms);

}  // namespace apollo::models
