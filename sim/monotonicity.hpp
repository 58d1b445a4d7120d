// Monotonicity of the whole tool chain in the design's size: doubling a
// memory or the lane count must not make a network slower (a larger design
// offers the mapper every tiling the smaller one had). Used by the unit
// test (tests/sim/test_sim_monotonicity.cpp) and the full sweep
// (bench/monotonicity.cpp; README, "Compiler and analytical bounds").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/arch.hpp"
#include "workloads/graph.hpp"

namespace apollo::sim {

struct Doubling {
  std::string parameter;    // "core_memory", ..., "simd_lanes"
  int64_t before = 0;       // simulated cycles of the design as given
  int64_t after = 0;        // with the parameter doubled; 0 = does not compile
  std::string worst_layer;  // the layer whose cycles rose most: "name a -> b"
  double change_percent() const { return before > 0 && after > 0 ? 100.0 * double(after - before) / double(before) : 0; }
};

// The parameters doubled: every memory of the template and the lanes.
const std::vector<std::string>& doubled_parameters();

// Simulates `network` on `arch` and on each doubling of it; empty when
// `arch` itself does not compile.
std::vector<Doubling> double_each_parameter(const workloads::Network& network, const models::ArchConfig& arch);

}  // namespace apollo::sim
