#include "models/program.hpp"

#include <algorithm>

namespace apollo::models {

const char* to_string(Limiter l) {
  switch (l) {
    case Limiter::Compute: return "compute";
    case Limiter::Link: return "link";
    case Limiter::Network: return "network";
    case Limiter::Memory: return "memory";
  }
  return "?";
}

int64_t tile_compute_cycles(const TileStep& step, const ArchConfig& arch) {
  if (step.ops_per_core <= 0 || step.active_cores <= 0) return 0;
  return (step.ops_per_core + arch.simd_lanes - 1) / arch.simd_lanes + arch.constants.core_pipeline_cycles;
}

int64_t pe_compute_cycles(const TileStep& step, const ArchConfig& arch) {
  const int64_t cores = tile_compute_cycles(step, arch);
  if (cores == 0) return 0;
  const int64_t port = arch.constants.pe_memory_bytes_per_cycle;
  return arch.constants.pe_dispatch_cycles + std::max(cores, (step.port_bytes + port - 1) / port);
}

int64_t reduction_cycles(int64_t partial_sum_bytes, const ArchConfig& arch) {
  const int64_t width = arch.constants.network_bytes_per_cycle;
  return (partial_sum_bytes + width - 1) / width;
}

int64_t LayerBound::cycles() const {
  return std::max({compute_cycles, link_cycles, network_cycles}) + reduction_cycles;
}

Limiter LayerBound::limiter() const {
  if (compute_cycles >= link_cycles && compute_cycles >= network_cycles) return Limiter::Compute;
  return link_cycles >= network_cycles ? Limiter::Link : Limiter::Network;
}

LayerProgram::Traffic LayerProgram::traffic() const {
  Traffic t;
  t.useful_link = instruction_reload_bytes + input_preload_bytes;
  t.link = t.unicast_link = instruction_reload_link_bytes + input_preload_link_bytes;
  // A group's shared bytes are counted at its first member only.
  std::vector<bool> counted(size_t(groups), false);
  auto first_of = [&](const std::vector<int>& group, size_t pe) {
    if (group.empty() || group[pe] < 0) return true;
    if (counted[size_t(group[pe])]) return false;
    counted[size_t(group[pe])] = true;
    return true;
  };
  for (size_t pe = 0; pe < pe_class.size(); ++pe) {
    const int cls = pe_class[pe];
    if (cls < 0) continue;
    const bool own_input = first_of(input_group, pe), own_weights = first_of(weight_group, pe);
    for (const auto& s : work_classes[size_t(cls)].steps) {
      const int64_t weight_useful = weights_in_dram ? s.weight_bytes : 0, output_useful = output_in_dram ? s.output_bytes : 0;
      t.unicast_network += s.count * (s.input_bytes + s.weight_bytes + s.output_bytes);
      const int64_t weight_link = weights_in_dram ? s.weight_link_bytes : 0;
      const int64_t output_link = output_in_dram ? s.output_link_bytes : 0;
      t.unicast_link += s.count * (s.input_link_bytes + weight_link + output_link);
      t.network += s.count * ((own_input ? s.input_bytes : 0) + (own_weights ? s.weight_bytes : 0) + s.output_bytes);
      t.link += s.count * ((own_input ? s.input_link_bytes : 0) + (own_weights ? weight_link : 0) + output_link);
      t.useful_link += s.count * ((own_input ? s.input_dram_bytes : 0) + (own_weights ? weight_useful : 0) + output_useful);
    }
  }
  return t;
}

std::vector<std::vector<int32_t>> LayerProgram::group_members() const {
  std::vector<std::vector<int32_t>> members(size_t(std::max(groups, 0)));
  for (const auto* group : {&input_group, &weight_group}) {
    for (size_t pe = 0; pe < group->size(); ++pe) {
      const int g = (*group)[pe];
      if (g >= 0 && g < groups) members[size_t(g)].push_back(int32_t(pe));
    }
  }
  return members;
}

LayerProgram::Traffic Program::traffic() const {
  LayerProgram::Traffic total;
  for (const auto& l : layers) {
    const LayerProgram::Traffic t = l.traffic();
    total.network += t.network;
    total.link += t.link;
    total.unicast_network += t.unicast_network;
    total.unicast_link += t.unicast_link;
    total.useful_link += t.useful_link;
  }
  return total;
}

int64_t Program::bound_cycles() const {
  int64_t total = 0;
  for (const auto& l : layers) total += l.bound.cycles();
  return total;
}

LayerBound Program::network_bound() const {
  LayerBound total;
  for (const auto& l : layers) {
    total.compute_cycles += l.bound.compute_cycles;
    total.link_cycles += l.bound.link_cycles;
    total.network_cycles += l.bound.network_cycles;
    total.reduction_cycles += l.bound.reduction_cycles;
  }
  return total;
}

}  // namespace apollo::models
