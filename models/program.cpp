#include "models/program.hpp"

#include <algorithm>

namespace apollo::models {

int64_t LayerBound::cycles() const { return std::max({compute_cycles, link_cycles, network_cycles}); }

Limiter LayerBound::limiter() const {
  if (compute_cycles >= link_cycles && compute_cycles >= network_cycles) return Limiter::Compute;
  return link_cycles >= network_cycles ? Limiter::Link : Limiter::Network;
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
