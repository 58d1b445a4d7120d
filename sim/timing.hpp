// Timing arithmetic of the simulator, kept free of SystemC so that tests can
// check it directly: the SystemC modules only move transactions and
// advance time by these numbers.
#pragma once

#include <cstdint>

#include "models/arch.hpp"
#include "models/program.hpp"

namespace apollo::sim {

// Cycles one core needs for one tile: ceil(ops_per_core / simd_lanes) plus the
// MAC pipeline fill (program.hpp). A tile with no operations or no active core
// does no compute at all (pure data movement), so it takes 0 cycles.
int64_t tile_compute_cycles(const models::TileStep& step, const models::ArchConfig& arch);

// Cycles of a PE's compute stage for one tile: the PE hands the tile to its
// cores (pe_dispatch_cycles, a template constant), then the cores compute in
// parallel (tile_compute_cycles). 0 for a tile without compute.
int64_t pe_compute_cycles(const models::TileStep& step, const models::ArchConfig& arch);

// Cycles a transfer of `bytes` occupies a channel that moves `bytes_per_cycle`
// per cycle: ceil(bytes / bytes_per_cycle); 0 bytes take 0 cycles.
int64_t transfer_cycles(int64_t bytes, double bytes_per_cycle);

}  // namespace apollo::sim
