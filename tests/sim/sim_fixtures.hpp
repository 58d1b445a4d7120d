// Hand-built programs for the simulator tests: tiny designs whose cycle
// counts can be worked out on paper (see the comments at each use).
#pragma once

#include <cstdint>
#include <vector>

#include "models/arch.hpp"
#include "models/program.hpp"

namespace apollo::sim::testing {

// Template constants at their defaults (clock 1 GHz, network 64 B/cycle,
// DRAM latency 100 cycles, core pipeline 4 cycles) but an ideal DRAM link:
// efficiency 1, so io_gbps is the link's bytes per cycle, and (with tile()
// and spill_inputs() below) every DRAM byte moves as it is, as if a burst
// were one byte. Tests of bursts and efficiency say so where they use them.
inline models::ArchConfig tiny_arch(int64_t pe_x, int64_t pe_y, int64_t cores, int64_t lanes,
                                    double io_gbps = 16) {
  models::ArchConfig a;
  a.constants.dram_efficiency = 1;
  a.constants.dram_burst_bytes = 1;
  a.pe_x = pe_x;
  a.pe_y = pe_y;
  a.cores_per_pe = cores;
  a.simd_lanes = lanes;
  a.io_bandwidth_gbps = io_gbps;  // = bytes per cycle at 1 GHz
  return a;
}

// The cores split the loaded operands: they cross the PE memory's port once.
// Weights and outputs move over the link as they are when the layer puts
// them in DRAM (weights_in_dram, output_in_dram).
inline models::TileStep tile(int64_t count, int64_t in, int64_t w, int64_t out, int64_t ops, int64_t cores) {
  return models::TileStep{count, in, w, out, ops, cores, 0, in + w, in + w, 0, w, out};
}

// One layer where every PE listed in `working` runs `steps` (one work class).
inline models::LayerProgram uniform_layer(const models::ArchConfig& a, std::vector<models::TileStep> steps,
                                          const std::vector<int>& working, const char* name = "layer") {
  models::LayerProgram l;
  l.layer_index = 0;
  l.layer_name = name;
  l.partition = models::PartitionKind::OutputChannels;
  l.work_classes.push_back(models::PeWork{std::move(steps)});
  l.pe_class.assign(static_cast<size_t>(a.num_pes()), -1);
  for (int p : working) l.pe_class[static_cast<size_t>(p)] = 0;
  for (const auto& s : l.work_classes[0].steps) {
    l.ops += static_cast<int64_t>(working.size()) * s.count * s.ops_per_core * s.active_cores;
  }
  return l;
}

// Every input byte of the layer's steps lives in DRAM (crosses the link first).
inline void spill_inputs(models::LayerProgram& l) {
  l.input_in_dram = true;
  for (auto& w : l.work_classes) {
    for (auto& s : w.steps) s.input_dram_bytes = s.input_link_bytes = s.input_bytes;
  }
}

// Tiles a program runs over all PEs (how long it takes to simulate).
inline int64_t tiles_of(const models::Program& p) {
  int64_t tiles = 0;
  for (const auto& l : p.layers) {
    for (int cls : l.pe_class) {
      if (cls < 0) continue;
      for (const auto& s : l.work_classes[static_cast<size_t>(cls)].steps) tiles += s.count;
    }
  }
  return tiles;
}

inline models::Program one_layer_program(const models::ArchConfig& a, models::LayerProgram l) {
  models::Program p;
  p.arch = a;
  p.layers.push_back(std::move(l));
  return p;
}

}  // namespace apollo::sim::testing
