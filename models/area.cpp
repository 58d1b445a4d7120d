#include "models/area.hpp"

#include <set>

#include "models/arch_io_yaml.hpp"

namespace apollo::models {

namespace {

using namespace yaml_fields;

constexpr double kUm2PerMm2 = 1e6;

std::string known_keys() { return "node, " + yaml_fields::known_keys(technology_fields()); }

}  // namespace

const std::array<FieldInfo<Technology>, 24>& technology_fields() {
  using T = Technology;
  static const std::array<FieldInfo<T>, 24> fields = {
      field<T, &T::sram_bitcell_um2>("sram_bitcell_um2", false, kRealMax),
      field<T, &T::sram_array_efficiency>("sram_array_efficiency", false, 1.0),
      field<T, &T::sram_macro_periphery_um2>("sram_macro_periphery_um2", false, kRealMax),
      field<T, &T::sram_macro_max_bytes>("sram_macro_max_bytes", true, kInt64Max),
      field<T, &T::mac_lane_um2>("mac_lane_um2", false, kRealMax),
      field<T, &T::core_control_um2>("core_control_um2", false, kRealMax),
      field<T, &T::lane_operand_um2>("lane_operand_um2", false, kRealMax),
      field<T, &T::pe_control_um2>("pe_control_um2", false, kRealMax),
      field<T, &T::operand_bus_um2_per_byte_per_core>("operand_bus_um2_per_byte_per_core", false, kRealMax),
      field<T, &T::network_um2_per_bit_per_pe>("network_um2_per_bit_per_pe", false, kRealMax),
      field<T, &T::controller_um2>("controller_um2", false, kRealMax),
      field<T, &T::dma_um2>("dma_um2", false, kRealMax),
      field<T, &T::io_phy_fixed_um2>("io_phy_fixed_um2", false, kRealMax),
      field<T, &T::io_phy_um2_per_gbps>("io_phy_um2_per_gbps", false, kRealMax),
      field<T, &T::mac_pj>("mac_pj", false, kRealMax),
      field<T, &T::vector_op_pj>("vector_op_pj", false, kRealMax),
      field<T, &T::sram_read_pj_per_byte>("sram_read_pj_per_byte", false, kRealMax),
      field<T, &T::sram_write_pj_per_byte>("sram_write_pj_per_byte", false, kRealMax),
      field<T, &T::sram_energy_reference_bytes>("sram_energy_reference_bytes", false, kRealMax),
      field<T, &T::sram_energy_exponent>("sram_energy_exponent", false, 1.0),
      field<T, &T::network_pj_per_byte_mm>("network_pj_per_byte_mm", false, kRealMax),
      field<T, &T::dram_pj_per_byte>("dram_pj_per_byte", false, kRealMax),
      field<T, &T::sram_leakage_mw_per_mm2>("sram_leakage_mw_per_mm2", false, kRealMax),
      field<T, &T::logic_leakage_mw_per_mm2>("logic_leakage_mw_per_mm2", false, kRealMax),
  };
  return fields;
}

Technology load_technology(const std::string& path) {
  const YAML::Node root = parse(read_text(path), path);
  if (!root.IsMap()) throw ConfigError(path + ": expected a mapping with the keys " + known_keys());
  Technology tech;
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string key = key_text(kv.first, path);
    if (!seen.insert(key).second) {
      throw ConfigError(where(path, kv.first) + ": key '" + key + "' appears twice");
    }
    if (key == "node") {
      if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        throw ConfigError(where(path, kv.second) + ": key 'node': expected a text naming the process");
      }
      tech.node = kv.second.Scalar();
      continue;
    }
    const auto* info = find_field(technology_fields(), key);
    if (info == nullptr) {
      throw ConfigError(where(path, kv.first) + ": unknown key '" + key + "' (allowed: " +
                        known_keys() + ")");
    }
    info->set(tech, read_field(*info, kv.second, path, key));
  }
  for (const auto& f : technology_fields()) {
    if (!seen.count(f.name)) {
      throw ConfigError(path + ": missing key '" + std::string(f.name) +
                        "' (a technology file must give every constant: " + known_keys() + ")");
    }
  }
  return tech;
}

std::string default_technology_path() { return repo_path("configs/tech/tech16nm.yaml"); }

double sram_area_mm2(int64_t bytes, const Technology& tech) {
  if (bytes <= 0) return 0;
  const double macros = std::ceil(static_cast<double>(bytes) / tech.sram_macro_max_bytes);
  const double bits = 8.0 * static_cast<double>(bytes);
  const double um2 = bits * tech.sram_bitcell_um2 / tech.sram_array_efficiency +
                     macros * tech.sram_macro_periphery_um2;
  return um2 / kUm2PerMm2;
}

AreaBreakdown area(const ArchConfig& arch, const Technology& tech) {
  validate(arch);
  // Off-grid files may hold any positive value; refuse counts whose products
  // would overflow rather than report a meaningless area.
  const double total_lanes = static_cast<double>(arch.pe_x) * static_cast<double>(arch.pe_y) *
                             static_cast<double>(arch.cores_per_pe) * static_cast<double>(arch.simd_lanes);
  if (total_lanes > 1e15) {
    throw ConfigError("architecture too large for the area model: pe_x * pe_y * cores_per_pe * "
                      "simd_lanes = " + std::to_string(total_lanes) + " MAC lanes (at most 1e15)");
  }
  const long long pes = arch.num_pes();
  const long long cores = arch.total_cores();
  const long long lanes = cores * arch.simd_lanes;
  const double network_bits = 8.0 * arch.constants.network_bytes_per_cycle;

  AreaBreakdown out;
  auto add = [&](const char* component, long long count, double mm2_each) {
    out.items.push_back({component, count, static_cast<double>(count) * mm2_each});
  };
  add("instruction_memory", 1, sram_area_mm2(arch.instruction_memory, tech));
  add("parameter_memory", 1, sram_area_mm2(arch.parameter_memory, tech));
  add("activation_memory", 1, sram_area_mm2(arch.activation_memory, tech));
  add("pe_memory", pes, sram_area_mm2(arch.pe_memory, tech));
  add("core_memory", cores, sram_area_mm2(arch.core_memory, tech));
  add("mac_lanes", lanes, tech.mac_lane_um2 / kUm2PerMm2);
  // Control grows with what it drives: a core's with its lanes, a PE's
  // operand bus with the port's width and the cores it reaches.
  add("core_control", cores, (tech.core_control_um2 + tech.lane_operand_um2 * arch.simd_lanes) / kUm2PerMm2);
  add("pe_control", pes, tech.pe_control_um2 / kUm2PerMm2);
  add("pe_operand_bus", pes,
      tech.operand_bus_um2_per_byte_per_core * arch.constants.pe_memory_bytes_per_cycle * arch.cores_per_pe /
          kUm2PerMm2);
  // Each PE endpoint adds a full-width tap with its pipeline register and repeaters.
  add("distribution_network", pes, network_bits * tech.network_um2_per_bit_per_pe / kUm2PerMm2);
  add("controller", 1, tech.controller_um2 / kUm2PerMm2);
  add("dma", 1, tech.dma_um2 / kUm2PerMm2);
  add("io_phy", 1,
      (tech.io_phy_fixed_um2 + tech.io_phy_um2_per_gbps * arch.io_bandwidth_gbps) / kUm2PerMm2);
  for (const auto& item : out.items) out.total_mm2 += item.mm2;
  return out;
}

}  // namespace apollo::models
