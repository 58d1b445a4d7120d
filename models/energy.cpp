#include "models/energy.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace apollo::models {

namespace {

constexpr double kPjPerUj = 1e6;

// The area items that are SRAM (the rest is logic), for leakage.
const std::set<std::string>& sram_components() {
  static const std::set<std::string> s = {"instruction_memory", "parameter_memory", "activation_memory",
                                          "pe_memory", "core_memory"};
  return s;
}
// The area items that make up the PE array's tiles, for the PE pitch.
const std::set<std::string>& pe_tile_components() {
  static const std::set<std::string> s = {"pe_memory", "core_memory", "mac_lanes",
                                          "core_control", "pe_control", "pe_operand_bus",
                                          "distribution_network"};
  return s;
}

// Mean Manhattan route from the controller, at the middle of one edge of
// the array, to the centre of a PE, for PEs on a square pitch.
double mean_route_mm(const ArchConfig& arch, double pitch_mm) {
  double sum = 0;
  const double mid = 0.5 * arch.pe_x;
  for (int y = 0; y < arch.pe_y; ++y) {
    for (int x = 0; x < arch.pe_x; ++x) sum += std::abs(x + 0.5 - mid) + (y + 0.5);
  }
  return pitch_mm * sum / static_cast<double>(arch.num_pes());
}

}  // namespace

ActionCounts& ActionCounts::operator+=(const ActionCounts& o) {
  mac_ops += o.mac_ops;
  vector_ops += o.vector_ops;
  core_memory_read += o.core_memory_read;
  core_memory_write += o.core_memory_write;
  pe_memory_read += o.pe_memory_read;
  pe_memory_write += o.pe_memory_write;
  activation_memory_read += o.activation_memory_read;
  activation_memory_write += o.activation_memory_write;
  parameter_memory_read += o.parameter_memory_read;
  instruction_memory_read += o.instruction_memory_read;
  instruction_memory_write += o.instruction_memory_write;
  network_bytes += o.network_bytes;
  dram_bytes += o.dram_bytes;
  return *this;
}

double sram_pj_per_byte(int64_t capacity_bytes, bool write, const Technology& tech) {
  if (capacity_bytes <= 0) return 0;
  const double macro = std::min(static_cast<double>(capacity_bytes), tech.sram_macro_max_bytes);
  const double base = write ? tech.sram_write_pj_per_byte : tech.sram_read_pj_per_byte;
  return base * std::pow(macro / tech.sram_energy_reference_bytes, tech.sram_energy_exponent);
}

ActionCosts action_costs(const ArchConfig& arch, const Technology& tech) {
  const AreaBreakdown a = area(arch, tech);
  ActionCosts c;
  c.mac_pj = tech.mac_pj;
  c.vector_op_pj = tech.vector_op_pj;
  c.core_read_pj = sram_pj_per_byte(arch.core_memory, false, tech);
  c.core_write_pj = sram_pj_per_byte(arch.core_memory, true, tech);
  c.pe_read_pj = sram_pj_per_byte(arch.pe_memory, false, tech);
  c.pe_write_pj = sram_pj_per_byte(arch.pe_memory, true, tech);
  c.activation_read_pj = sram_pj_per_byte(arch.activation_memory, false, tech);
  c.activation_write_pj = sram_pj_per_byte(arch.activation_memory, true, tech);
  c.parameter_read_pj = sram_pj_per_byte(arch.parameter_memory, false, tech);
  c.instruction_read_pj = sram_pj_per_byte(arch.instruction_memory, false, tech);
  c.instruction_write_pj = sram_pj_per_byte(arch.instruction_memory, true, tech);
  double sram_mm2 = 0, logic_mm2 = 0, pe_tiles_mm2 = 0;
  for (const AreaItem& item : a.items) {
    (sram_components().count(item.component) ? sram_mm2 : logic_mm2) += item.mm2;
    if (pe_tile_components().count(item.component)) pe_tiles_mm2 += item.mm2;
  }
  const double pitch_mm = std::sqrt(pe_tiles_mm2 / static_cast<double>(arch.num_pes()));
  c.network_route_mm = mean_route_mm(arch, pitch_mm);
  c.network_pj_per_byte = tech.network_pj_per_byte_mm * c.network_route_mm;
  c.dram_pj_per_byte = tech.dram_pj_per_byte;
  c.leakage_mw = sram_mm2 * tech.sram_leakage_mw_per_mm2 + logic_mm2 * tech.logic_leakage_mw_per_mm2;
  return c;
}

const std::vector<std::string>& energy_components() {
  static const std::vector<std::string> names = {
      "mac",             "vector",           "core_memory", "pe_memory", "activation_memory",
      "parameter_memory", "instruction_memory", "network",   "dram",      "leakage"};
  return names;
}

std::vector<EnergyItem> dynamic_energy(const ActionCosts& c, const ActionCounts& n) {
  auto pj = [](int64_t count, double each) { return static_cast<double>(count) * each; };
  const double values[] = {
      pj(n.mac_ops, c.mac_pj),
      pj(n.vector_ops, c.vector_op_pj),
      pj(n.core_memory_read, c.core_read_pj) + pj(n.core_memory_write, c.core_write_pj),
      pj(n.pe_memory_read, c.pe_read_pj) + pj(n.pe_memory_write, c.pe_write_pj),
      pj(n.activation_memory_read, c.activation_read_pj) + pj(n.activation_memory_write, c.activation_write_pj),
      pj(n.parameter_memory_read, c.parameter_read_pj),
      pj(n.instruction_memory_read, c.instruction_read_pj) + pj(n.instruction_memory_write, c.instruction_write_pj),
      pj(n.network_bytes, c.network_pj_per_byte),
      pj(n.dram_bytes, c.dram_pj_per_byte),
  };
  std::vector<EnergyItem> items;
  for (size_t i = 0; i < std::size(values); ++i) items.push_back({energy_components()[i], values[i] / kPjPerUj});
  return items;
}

EnergyReport energy(const ActionCosts& costs, const ActionCounts& counts, double latency_ms) {
  EnergyReport r;
  r.items = dynamic_energy(costs, counts);
  for (const EnergyItem& item : r.items) r.dynamic_uj += item.uj;
  r.leakage_uj = costs.leakage_mw * latency_ms;  // mW x ms = uJ
  r.items.push_back({"leakage", r.leakage_uj});
  r.total_uj = r.dynamic_uj + r.leakage_uj;
  if (latency_ms > 0) r.average_power_mw = r.total_uj / latency_ms;
  const double ops = 2.0 * static_cast<double>(counts.mac_ops) + static_cast<double>(counts.vector_ops);
  // ops / (uJ * 1e-6) / 1e12 = ops / uJ / 1e6
  if (r.total_uj > 0) r.tops_per_watt = ops / r.total_uj / 1e6;
  return r;
}

}  // namespace apollo::models
