#include "sim/timing.hpp"

#include <algorithm>
#include <cmath>

namespace apollo::sim {

int64_t tile_compute_cycles(const models::TileStep& step, const models::ArchConfig& arch) {
  if (step.ops_per_core <= 0 || step.active_cores <= 0) return 0;
  return (step.ops_per_core + arch.simd_lanes - 1) / arch.simd_lanes +
         arch.constants.core_pipeline_cycles;
}

int64_t pe_compute_cycles(const models::TileStep& step, const models::ArchConfig& arch) {
  const int64_t cores = tile_compute_cycles(step, arch);
  return cores > 0 ? arch.constants.pe_dispatch_cycles + cores : 0;
}

int64_t transfer_cycles(int64_t bytes, double bytes_per_cycle) {
  if (bytes <= 0) return 0;
  return static_cast<int64_t>(std::ceil(static_cast<double>(bytes) / bytes_per_cycle));
}

}  // namespace apollo::sim
