#include "models/program.hpp"

#include <algorithm>

namespace apollo::models {

int64_t LayerBound::cycles() const { return std::max({compute_cycles, link_cycles, network_cycles}); }

Limiter LayerBound::limiter() const {
  if (compute_cycles >= link_cycles && compute_cycles >= network_cycles) return Limiter::Compute;
  return link_cycles >= network_cycles ? Limiter::Link : Limiter::Network;
}

LayerProgram::Traffic LayerProgram::traffic() const {
  Traffic t;
  t.link = instruction_reload_bytes + input_preload_bytes;
  for (int cls : pe_class) {
    if (cls < 0) continue;
    for (const auto& s : work_classes[size_t(cls)].steps) {
      t.network += s.count * (s.input_bytes + s.weight_bytes + s.output_bytes);
      t.link += s.count * (s.input_dram_bytes + (weights_in_dram ? s.weight_bytes : 0) +
                           (output_in_dram ? s.output_bytes : 0));
    }
  }
  return t;
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
  }
  return total;
}

}  // namespace apollo::models
