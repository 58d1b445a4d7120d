#include "models/area.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

namespace apollo::models {

namespace {

constexpr double kUm2PerMm2 = 1e6;
constexpr double kBig = 1e300;

std::string where(const std::string& source, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1);
}

std::string known_keys() {
  std::string out = "node";
  for (const auto& f : technology_fields()) out += ", " + std::string(f.name);
  return out;
}

}  // namespace

const std::array<FieldInfo<Technology>, 12>& technology_fields() {
  using T = Technology;
  // One line per field instead of twelve hand-written getter/setter pairs.
#define APOLLO_TECH_FIELD(field, integral, max)                        \
  FieldInfo<T> {                                                       \
    #field, integral, max, [](const T& t) { return t.field; },          \
        [](T& t, double v) { t.field = v; }                            \
  }
  static const std::array<FieldInfo<T>, 12> fields = {{
      APOLLO_TECH_FIELD(sram_bitcell_um2, false, kBig),
      APOLLO_TECH_FIELD(sram_array_efficiency, false, 1.0),
      APOLLO_TECH_FIELD(sram_macro_periphery_um2, false, kBig),
      APOLLO_TECH_FIELD(sram_macro_max_bytes, true, 9.2e18),
      APOLLO_TECH_FIELD(mac_lane_um2, false, kBig),
      APOLLO_TECH_FIELD(core_control_um2, false, kBig),
      APOLLO_TECH_FIELD(pe_control_um2, false, kBig),
      APOLLO_TECH_FIELD(network_um2_per_bit_per_pe, false, kBig),
      APOLLO_TECH_FIELD(controller_um2, false, kBig),
      APOLLO_TECH_FIELD(dma_um2, false, kBig),
      APOLLO_TECH_FIELD(io_phy_fixed_um2, false, kBig),
      APOLLO_TECH_FIELD(io_phy_um2_per_gbps, false, kBig),
  }};
#undef APOLLO_TECH_FIELD
  return fields;
}

Technology load_technology(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot open file");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  if (!root.IsMap()) throw ConfigError(path + ": expected a mapping with the keys " + known_keys());
  Technology tech;
  std::set<std::string> seen;
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) throw ConfigError(where(path, kv.first) + ": a key must be a plain name");
    const std::string key = kv.first.Scalar();
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
    const FieldInfo<Technology>* field = nullptr;
    for (const auto& f : technology_fields()) {
      if (key == f.name) field = &f;
    }
    if (field == nullptr) {
      throw ConfigError(where(path, kv.first) + ": unknown key '" + key + "' (allowed: " +
                        known_keys() + ")");
    }
    const std::string allowed =
        field->max == 1.0 ? "expected a number in (0, 1]"
                          : (field->integral ? "expected a positive integer"
                                             : "expected a positive finite number");
    double v = 0;
    bool ok = kv.second.IsScalar();
    if (ok && field->integral) {
      long long parsed = 0;
      ok = YAML::convert<long long>::decode(kv.second, parsed);
      v = static_cast<double>(parsed);
    } else if (ok) {
      ok = YAML::convert<double>::decode(kv.second, v);
    }
    if (!ok || !std::isfinite(v) || v <= 0 || v > field->max) {
      throw ConfigError(where(path, kv.second) + ": key '" + key + "': value '" +
                        (kv.second.IsScalar() ? kv.second.Scalar() : std::string("<not a scalar>")) +
                        "' is not allowed: " + allowed);
    }
    field->set(tech, v);
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
  add("core_control", cores, tech.core_control_um2 / kUm2PerMm2);
  add("pe_control", pes, tech.pe_control_um2 / kUm2PerMm2);
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
