// Plain C++ entry point of the SystemC simulator: callers never include
// SystemC. Each call elaborates a fresh set of modules for the configuration
// and runs one compiled program (see models/program.hpp for the semantics
// and docs/architecture.md for the modules).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/arch.hpp"
#include "models/energy.hpp"
#include "models/program.hpp"
#include "sim/events.hpp"
#include "workloads/graph.hpp"

namespace apollo::sim {

struct SimOptions {
  std::string vcd_path;       // GTKWave waveform of busy signals, "" = none
  std::string timeline_path;  // Chrome/Perfetto trace-event JSON, "" = none
  // false: leave the elaborated model and its SystemC kernel to the OS
  // instead of destroying them, for a caller that exits right after (a
  // forked evaluation worker). Destruction is about a third of a 32x32-PE
  // simulation (SystemC unregisters thousands of named objects and
  // processes); each call without it keeps that memory until exit.
  bool teardown = true;
  // true: no fast-forward of steady states and no replay of repeated
  // layers; every tile and transfer runs event by event (same results,
  // slower). Traces imply it (they list every tile and transfer).
  bool exact_events = false;
};

struct LayerStats {
  int layer_index = -1;
  std::string name;
  int64_t start_cycle = 0;
  int64_t cycles = 0;               // simulated, barrier to barrier
  models::LayerBound bound;         // the compiler's analytical lower bound
  models::Limiter limiter = models::Limiter::Compute;  // resource that limited the simulated layer
  double utilization = 0;           // ops / (cycles * peak lanes)
  PerChannel channels{};            // bytes and busy cycles per shared channel (index(Channel))
  // Evidence behind `limiter` (the largest of these four wins; ties go to the
  // first): compute = cycles of the busiest PE's compute during the layer,
  // link/network = the channels' busy cycles, memory = for layers without double
  // buffering, the largest time one PE sat in its own transfers (service and
  // DRAM latency, queueing behind other PEs excluded), which double
  // buffering would have hidden behind compute.
  int64_t compute_busy_cycles = 0;
  int64_t memory_stall_cycles = 0;
  int64_t instruction_bytes = 0;    // instruction reload before the layer (link)
  int64_t input_preload_bytes = 0;  // network input into activation memory before the layer (link)
  int64_t core_bytes = 0;           // PE memory -> core memories: bytes the cores receive (TileStep::core_bytes)
  int64_t tiles = 0;                // tiles executed over all PEs
  models::ActionCounts actions;     // what costs energy (models/energy.hpp)
  const ChannelStats& channel(Channel c) const { return channels[index(c)]; }
};

struct SimResult {
  int64_t total_cycles = 0;
  double latency_ms = 0;
  std::vector<LayerStats> layers;
  std::vector<double> pe_busy;    // per PE (y * pe_x + x): fraction of total_cycles computing
                                  // (its compute stage: dispatch to the cores + their tile)
  std::vector<double> core_busy;  // per core (pe * cores_per_pe + core): fraction running tiles
  PerChannel channels{};           // per shared channel, all layers
  int64_t core_bytes = 0;          // PE memory -> core memories (received by the cores), all layers
  int64_t instruction_bytes = 0;   // instruction reloads over the link
  int64_t input_preload_bytes = 0; // the network input, over the link into activation memory
  // Per PE: the most operand bytes (inputs + weights of loaded tiles, from
  // load until their compute ends) staged in PE memory at once; outputs
  // accumulate in the core memories until stored.
  std::vector<int64_t> pe_peak_memory_bytes;
  models::ActionCounts actions;    // what costs energy, all layers (models/energy.hpp)
  int64_t events = 0;              // module activations: runs of a PE, the DMA and the sequencer (cost
                                   // of the run: skipped periods and replayed layers are not counted)
  const ChannelStats& channel(Channel c) const { return channels[index(c)]; }
};

// Runs `program` on the architecture it was compiled for (program.arch).
// `network` is the compiled network: when it has layers, every program layer
// must name one of them (a mismatched pair is rejected). Throws
// std::invalid_argument for a malformed program, models::ConfigError for an
// unusable architecture or an unwritable trace file. One simulation at a
// time per process: the SystemC kernel is process-global state (the search
// runs evaluations in forked workers).
SimResult simulate(const workloads::Network& network, const models::Program& program,
                   const SimOptions& options = {});

}  // namespace apollo::sim
