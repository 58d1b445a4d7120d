// Timing arithmetic of the simulator, kept free of SystemC so that tests can
// check it directly: the modules in simulate.cpp only move transactions and
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

// A first-come-first-served channel (the DRAM link, the distribution network):
// one transfer at a time, each served in the order requests arrive. Requests
// must be made at the time they arrive (never ahead), which the modules do.
class FifoChannel {
 public:
  struct Grant {
    int64_t start = 0;  // cycle the transfer gets the channel
    int64_t end = 0;    // cycle the channel is free again
  };
  Grant reserve(int64_t arrival, int64_t duration);
  int64_t busy_cycles() const { return busy_; }
  int64_t free_at() const { return free_at_; }
  // Exact fast-forward (simulate.cpp): everything after `now` happens
  // `shift` cycles later, and the skipped periods served `busy` cycles.
  void skip(int64_t now, int64_t shift, int64_t busy) {
    if (free_at_ > now) free_at_ += shift;
    busy_ += busy;
  }

 private:
  int64_t free_at_ = 0;
  int64_t busy_ = 0;
};

}  // namespace apollo::sim
