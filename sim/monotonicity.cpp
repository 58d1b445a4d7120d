#include "sim/monotonicity.hpp"

#include <stdexcept>

#include "models/compiler.hpp"
#include "sim/simulate.hpp"

namespace apollo::sim {

namespace {

int64_t& parameter(models::ArchConfig& arch, const std::string& name) {
  if (name == "core_memory") return arch.core_memory;
  if (name == "pe_memory") return arch.pe_memory;
  if (name == "activation_memory") return arch.activation_memory;
  if (name == "parameter_memory") return arch.parameter_memory;
  if (name == "instruction_memory") return arch.instruction_memory;
  if (name == "simd_lanes") return arch.simd_lanes;
  throw std::invalid_argument("monotonicity: unknown parameter " + name);
}

}  // namespace

const std::vector<std::string>& doubled_parameters() {
  static const std::vector<std::string> names = {"core_memory",        "pe_memory",          "activation_memory",
                                                 "parameter_memory", "instruction_memory", "simd_lanes"};
  return names;
}

std::vector<Doubling> double_each_parameter(const workloads::Network& network, const models::ArchConfig& arch) {
  const models::CompileResult base = models::compile(network, arch);
  if (!base.ok()) return {};
  const SimResult before = simulate(network, base.program);
  std::vector<Doubling> out;
  for (const std::string& name : doubled_parameters()) {
    models::ArchConfig larger = arch;
    parameter(larger, name) *= 2;
    Doubling d{name, before.total_cycles, 0, ""};
    const models::CompileResult c = models::compile(network, larger);
    if (c.ok()) {
      const SimResult after = simulate(network, c.program);
      d.after = after.total_cycles;
      int64_t worst = 0;
      for (size_t i = 0; i < after.layers.size() && i < before.layers.size(); ++i) {
        const int64_t rise = after.layers[i].cycles - before.layers[i].cycles;
        if (rise > worst) {
          worst = rise;
          d.worst_layer = after.layers[i].name + " " + std::to_string(before.layers[i].cycles) + " -> " +
                          std::to_string(after.layers[i].cycles);
        }
      }
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace apollo::sim
