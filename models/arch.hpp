// Architecture template (docs/architecture.md section 2): the ten searched parameters
// plus template constants that are not searched. Configuration follows three
// steps: YAML file -> these structs -> validate() before any model uses them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace apollo::models {

// Constants of the template that the search does not touch. Defaults live in
// configs/tech/template.yaml; these in-code values must equal that file.
struct TemplateConstants {
  double clock_ghz = 1.0;              // core and network clock
  int data_bytes = 1;                  // int8 activations and weights
  int accumulator_bytes = 4;           // int32 partial sums in core memory
  int network_bytes_per_cycle = 64;    // distribution network width (shared by all PEs)
  int dram_latency_cycles = 100;       // fixed DRAM access latency, before data flows
  int dram_burst_bytes = 64;           // DRAM access granule: each contiguous run is rounded up to whole bursts
  double dram_efficiency = 0.8;        // sustained / peak link bandwidth (refresh, turnarounds, page misses)
  int instruction_bytes = 16;          // size of one instruction in instruction memory
  int core_pipeline_cycles = 4;        // MAC pipeline fill per tile on a core
  int pe_dispatch_cycles = 2;          // PE overhead to hand a tile to its cores
  int pe_memory_bytes_per_cycle = 64;  // PE memory read port to the cores (broadcast to them)
  bool network_multicast = true;       // shared operands cross the network once per group
};

struct ArchConfig {
  // The ten searched parameters (docs/architecture.md table, same order).
  int64_t pe_x = 4;
  int64_t pe_y = 4;
  int64_t simd_lanes = 64;
  int64_t cores_per_pe = 4;
  int64_t parameter_memory = 4 << 20;     // bytes, controller
  int64_t activation_memory = 1 << 20;    // bytes, controller
  int64_t core_memory = 4096;             // bytes, per core
  int64_t instruction_memory = 32768;     // bytes, controller
  int64_t pe_memory = 16384;              // bytes, per PE
  double io_bandwidth_gbps = 16;          // DRAM link, GB/s

  TemplateConstants constants{};

  // Sizes the simulator accepts (validate() refuses larger ones): 16x the
  // search grid's largest array (32 x 32 PEs x 32 cores). Memory grows
  // about linearly with PEs (a few KiB each), so these keep one simulation
  // within about 1 GiB and elaboration within seconds.
  static constexpr int64_t kMaxPes = 16384;       // e.g. 128 x 128
  static constexpr int64_t kMaxCores = 1 << 19;  // 524,288 = 16,384 PEs x 32 cores

  int64_t num_pes() const { return pe_x * pe_y; }
  int64_t total_cores() const { return num_pes() * cores_per_pe; }
  int64_t peak_macs_per_cycle() const { return total_cores() * simd_lanes; }
  // Bytes the DRAM link sustains per clock cycle: its peak times dram_efficiency.
  double link_bytes_per_cycle() const { return io_bandwidth_gbps / constants.clock_ghz * constants.dram_efficiency; }
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace apollo::models
