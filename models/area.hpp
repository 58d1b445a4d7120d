// Analytical area model (docs/architecture.md section 2, "Area"). Constants come from a
// technology file (configs/tech/), each with its source written beside it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/arch.hpp"
#include "models/arch_io.hpp"

namespace apollo::models {

// Technology constants of the area and energy models. The in-code defaults
// equal configs/tech/tech16nm.yaml (a test checks it), where each number's
// source or derivation is written beside it. Areas of single instances in
// um^2; energies in pJ; leakage in mW per mm^2.
struct Technology {
  std::string node = "16nm FinFET (TSMC 16FF+ class)";
  // SRAM: a memory of B bytes is ceil(B / sram_macro_max_bytes) macros;
  // area = 8 B * bitcell / array_efficiency + macros * periphery.
  double sram_bitcell_um2 = 0.07;
  double sram_array_efficiency = 0.75;      // fraction of a macro's core area that is bitcells
  double sram_macro_periphery_um2 = 2000;   // decoders, sense amps, I/O, control per macro
  double sram_macro_max_bytes = 32768;      // largest macro; bigger memories are banks
  double mac_lane_um2 = 115;                // int8 x int8 multiplier + int32 accumulator + register
  double core_control_um2 = 3000;           // per core: sequencer, address generators, operand muxes
  double lane_operand_um2 = 10;             // per lane: its operand register and fan-out from core memory
  double pe_control_um2 = 8000;             // per PE: tile dispatch, PE-memory arbitration, network port
  double operand_bus_um2_per_byte_per_core = 16;  // PE memory port -> cores bus, per byte of width per core
  double network_um2_per_bit_per_pe = 2.0;  // distribution network, per PE endpoint per bit of width
  double controller_um2 = 60000;            // instruction fetch/decode, sequencing, host interface
  double dma_um2 = 30000;                   // DMA engine: descriptors, address generation, buffers
  double io_phy_fixed_um2 = 100000;         // DRAM PHY: PLL, calibration, command/address pins
  double io_phy_um2_per_gbps = 25000;       // DRAM PHY data slices, per GB/s of bandwidth
  // Energy per action (models/energy.hpp).
  double mac_pj = 0.11;                      // one int8 x int8 MAC into the lane's int32 accumulator
  double vector_op_pj = 0.04;                // one non-MAC lane operation (add, compare, scale)
  // SRAM access energy per byte of a macro of sram_energy_reference_bytes;
  // a macro of capacity C costs (C / reference)^sram_energy_exponent times it.
  double sram_read_pj_per_byte = 0.44;
  double sram_write_pj_per_byte = 0.50;
  double sram_energy_reference_bytes = 8192;
  double sram_energy_exponent = 0.5;
  double network_pj_per_byte_mm = 0.8;       // distribution network, per byte per mm of route
  double dram_pj_per_byte = 40;              // LPDDR4 device + interface, per byte moved
  double sram_leakage_mw_per_mm2 = 0.5;      // static power of SRAM area
  double logic_leakage_mw_per_mm2 = 2.0;     // static power of logic area
};

// Numeric fields of Technology by their file key (all but `node`).
const std::array<FieldInfo<Technology>, 24>& technology_fields();

// Reads a technology file: `node` (text) plus every numeric field, all
// required and positive (array efficiency at most 1); unknown keys are
// errors naming the file, line and key.
Technology load_technology(const std::string& path);
// configs/tech/tech16nm.yaml, absolute.
std::string default_technology_path();

struct AreaItem {
  std::string component;  // e.g. "parameter_memory", "mac_lanes", "io_phy"
  long long count = 1;    // instances
  double mm2 = 0;         // total for all instances
};

struct AreaBreakdown {
  std::vector<AreaItem> items;
  double total_mm2 = 0;   // sum of items
};

// Area of one SRAM memory of `bytes` capacity, in mm^2 (0 for 0 bytes).
double sram_area_mm2(int64_t bytes, const Technology& tech);

// Breakdown by component, in this order: instruction_memory,
// parameter_memory, activation_memory, pe_memory, core_memory, mac_lanes,
// core_control, pe_control, pe_operand_bus, distribution_network,
// controller, dma, io_phy.
// Throws ConfigError when arch does not validate.
AreaBreakdown area(const ArchConfig& arch, const Technology& tech);
inline AreaBreakdown area(const ArchConfig& arch) { return area(arch, Technology{}); }

}  // namespace apollo::models
