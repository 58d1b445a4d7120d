// Plain C++ entry point of the SystemC simulator: callers never include
// SystemC. Each call elaborates a fresh set of modules for the configuration
// and runs one compiled program (see models/program.hpp for the semantics).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/arch.hpp"
#include "models/program.hpp"
#include "workloads/graph.hpp"

namespace apollo::sim {

struct SimOptions {
  std::string vcd_path;       // GTKWave waveform of busy signals, "" = none
  std::string timeline_path;  // Chrome/Perfetto trace-event JSON, "" = none
};

struct LayerStats {
  int layer_index = -1;
  std::string name;
  int64_t start_cycle = 0;
  int64_t cycles = 0;               // simulated, barrier to barrier
  models::LayerBound bound;         // the compiler's analytical lower bound
  models::Limiter limiter = models::Limiter::Compute;  // resource that limited the simulated layer
  double utilization = 0;           // ops / (cycles * peak lanes)
  int64_t link_bytes = 0;           // over the DRAM link
  int64_t network_bytes = 0;        // over the distribution network
  int64_t link_busy_cycles = 0;
  int64_t network_busy_cycles = 0;
};

struct SimResult {
  int64_t total_cycles = 0;
  double latency_ms = 0;
  std::vector<LayerStats> layers;
  std::vector<double> pe_busy;    // per PE (y * pe_x + x): fraction of total_cycles computing
  std::vector<double> core_busy;  // per core (pe * cores_per_pe + core)
  int64_t link_bytes = 0;
  int64_t network_bytes = 0;
  int64_t link_busy_cycles = 0;
  int64_t network_busy_cycles = 0;
};

SimResult simulate(const workloads::Network& network, const models::Program& program,
                   const models::ArchConfig& arch, const SimOptions& options = {});

}  // namespace apollo::sim
