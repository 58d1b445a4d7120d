// Timing arithmetic of the simulator, kept free of SystemC so that tests can
// check it directly: the SystemC modules only move transactions and
// advance time by these numbers.
#pragma once

#include <cstdint>

#include "models/arch.hpp"
#include "models/program.hpp"

namespace apollo::sim {

// A tile's compute: the program's semantics, shared with the compiler's
// estimate (models/program.hpp).
using models::pe_compute_cycles;
using models::tile_compute_cycles;

// Cycles a transfer of `bytes` occupies a channel that moves `bytes_per_cycle`
// per cycle: ceil(bytes / bytes_per_cycle); 0 bytes take 0 cycles.
int64_t transfer_cycles(int64_t bytes, double bytes_per_cycle);

}  // namespace apollo::sim
