// Exact cycle counts of hand-built programs, worked out on paper from the
// semantics of models/program.hpp, and the behaviours those semantics imply
// (contention, double buffering, barriers, instruction reload, limiters).
#include <gtest/gtest.h>

#include "sim/simulate.hpp"
#include "sim/timing.hpp"
#include "sim_fixtures.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;
using models::Limiter;

const workloads::Network kNoNetwork{};

// Template constants used below (defaults): network 64 B/cycle, DRAM latency
// 100 cycles, core pipeline 4 cycles, PE dispatch 2 cycles, clock 1 GHz.
//
// Fully connected layer, 256 inputs -> 32 outputs (8192 MACs), on one PE with
// 2 cores of 16 lanes; weights stream from DRAM (16 B/cycle link, 100 cycles
// latency), the input sits in activation memory. Tiles of 8 outputs: 4 tiles,
// each loading the 256 B input and 256 x 8 = 2048 B of weights, storing 8 B;
// each core does 4 outputs x 256 = 1024 MACs.
//   link:    2048 / 16           = 128 cycles, + 100 latency
//   network: (256 + 2048) / 64   = 36 cycles
//   compute: 2 + ceil(1024 / 16) + 4 = 70 cycles (cores busy 68 of them)
//   store:   ceil(8 / 64)            = 1 cycle
// Without double buffering a tile is 128 + 100 + 36 + 70 + 1 = 335 cycles,
// so 4 tiles take 1340.
models::LayerProgram fc_layer(const models::ArchConfig& a, bool double_buffered) {
  auto l = uniform_layer(a, {tile(4, 256, 2048, 8, 1024, 2)}, {0}, "fc");
  l.weights_in_dram = true;
  l.double_buffered = double_buffered;
  return l;
}

TEST(SimHand, FullyConnectedSequential) {
  const auto a = tiny_arch(1, 1, 2, 16);
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, fc_layer(a, false)));
  EXPECT_EQ(r.total_cycles, 1340);
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].cycles, 1340);
  EXPECT_EQ(r.layers[0].channel(Channel::Link).bytes, 4 * 2048);
  EXPECT_EQ(r.layers[0].channel(Channel::Network).bytes, 4 * (2304 + 8));
  EXPECT_EQ(r.layers[0].channel(Channel::Link).busy_cycles, 4 * 128);
  EXPECT_EQ(r.layers[0].channel(Channel::Network).busy_cycles, 4 * (36 + 1));
  EXPECT_EQ(r.layers[0].compute_busy_cycles, 4 * 70);
  // The PE sits 4 x (228 + 36 + 1) = 1060 cycles in its own transfers, more
  // than the link's 512 busy cycles: missing double buffering limits it.
  EXPECT_EQ(r.layers[0].memory_stall_cycles, 1060);
  EXPECT_EQ(r.layers[0].limiter, Limiter::Memory);
  // PE computing 280 of 1340 cycles, both cores 272 (active in every tile).
  EXPECT_DOUBLE_EQ(r.pe_busy[0], 280.0 / 1340.0);
  EXPECT_DOUBLE_EQ(r.core_busy[0], 272.0 / 1340.0);
  EXPECT_DOUBLE_EQ(r.core_busy[1], 272.0 / 1340.0);
  // utilization = 8192 MACs / (1340 cycles x 32 lanes)
  EXPECT_DOUBLE_EQ(r.layers[0].utilization, 8192.0 / (1340.0 * 32.0));
  EXPECT_DOUBLE_EQ(r.latency_ms, 1340e-6);
}

// The same layer with the template's DRAM efficiency, 0.8: the link
// sustains 16 x 0.8 = 12.8 B per cycle, so each tile's 2048 weight bytes
// take ceil(2048 / 12.8) = 160 link cycles instead of 128 (the program's
// link bytes are already whole bursts: 2048 = 32 x 64 B). A tile is
// 160 + 100 + 36 + 70 + 1 = 367 cycles, 4 tiles 1468.
TEST(SimHand, DramEfficiencyStretchesTheLink) {
  auto a = tiny_arch(1, 1, 2, 16);
  a.constants.dram_efficiency = 0.8;
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, fc_layer(a, false)));
  EXPECT_EQ(r.total_cycles, 1468);
  EXPECT_EQ(r.layers[0].channel(Channel::Link).bytes, 4 * 2048);
  EXPECT_EQ(r.layers[0].channel(Channel::Link).busy_cycles, 4 * 160);
}

// Moved bytes, not useful ones, occupy the link: the same layer whose
// weight tiles move 2,112 B (say, 33 runs of 64 B for 2,048 B used) takes
// 132 link cycles per tile: 4 x (132 + 100 + 36 + 70 + 1) = 1356.
TEST(SimHand, TheLinkMovesTheBurstRoundedBytes) {
  const auto a = tiny_arch(1, 1, 2, 16);
  auto l = fc_layer(a, false);
  l.work_classes[0].steps[0].weight_link_bytes = 2112;
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 1356);
  EXPECT_EQ(r.layers[0].channel(Channel::Link).bytes, 4 * 2112);
  EXPECT_EQ(r.layers[0].channel(Channel::Network).bytes, 4 * (2304 + 8));  // the network carries the useful bytes
}

// Same layer, double buffered. Loads of one PE are serial, each 264 cycles
// (link 128 + latency 100 + network 36); tile i+1 loads while tile i
// computes (70 < 264), so loads run back to back: 4 x 264 = 1056, then the
// last compute (70) and store (1): 1127 cycles.
TEST(SimHand, FullyConnectedDoubleBuffered) {
  const auto a = tiny_arch(1, 1, 2, 16);
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, fc_layer(a, true)));
  EXPECT_EQ(r.total_cycles, 1127);
  EXPECT_EQ(r.layers[0].memory_stall_cycles, 0);
  // link 512 busy cycles > 280 compute and 148 network
  EXPECT_EQ(r.layers[0].limiter, Limiter::Link);
}

// Depthwise 3x3, 8x8x16 input, stride 1, same padding: 8*8*16*9 = 9216 MACs.
// 2x2 PEs, 4 cores of 8 lanes; channels split over PEs (4 each) and cores (1
// each); weights resident in parameter memory. One tile per PE: input 8*8*4
// = 256 B, weights 4*9 + 4 bias = 40 B, output 256 B; 8*8*9 = 576 MACs per
// core -> 2 + ceil(576 / 8) + 4 = 78 cycles.
// The four loads of 296 B (5 network cycles each) queue on the network:
// done at 5, 10, 15, 20; computes end at 83, 88, 93, 98; stores of 256 B
// (4 cycles) at [83,87), [88,92), [93,97), [98,102): 102 cycles.
TEST(SimHand, DepthwiseOnFourPes) {
  const auto a = tiny_arch(2, 2, 4, 8);
  auto l = uniform_layer(a, {tile(1, 256, 40, 256, 576, 4)}, {0, 1, 2, 3}, "dw");
  l.weights_resident = true;
  l.bound.compute_cycles = 72;   // ceil(9216 / (4 PEs * 4 cores * 8 lanes))
  l.bound.network_cycles = 35;   // ceil(4 * (296 + 256) / 64)
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 102);
  EXPECT_EQ(r.channel(Channel::Link).bytes, 0);
  EXPECT_EQ(r.channel(Channel::Network).bytes, 4 * (296 + 256));
  EXPECT_EQ(r.channel(Channel::Network).busy_cycles, 4 * (5 + 4));
  EXPECT_EQ(r.layers[0].limiter, Limiter::Compute);
  EXPECT_GE(r.layers[0].cycles, r.layers[0].bound.cycles());
  for (double busy : r.pe_busy) EXPECT_DOUBLE_EQ(busy, 78.0 / 102.0);
  EXPECT_DOUBLE_EQ(r.layers[0].utilization, 9216.0 / (102.0 * 128.0));
}

// Layers are separated by a barrier, and a reload of instructions crosses
// the link (1600 B / 16 = 100 cycles + 100 latency) before the layer starts.
TEST(SimHand, BarrierAndInstructionReload) {
  const auto a = tiny_arch(2, 2, 4, 8);
  auto l0 = uniform_layer(a, {tile(1, 256, 40, 256, 576, 4)}, {0, 1, 2, 3}, "dw");  // 102 cycles, above
  auto l1 = uniform_layer(a, {tile(1, 64, 0, 64, 64, 1)}, {3}, "small");
  l1.layer_index = 1;
  l1.instruction_reload_bytes = l1.instruction_reload_link_bytes = 1600;
  // layer 1: reload 200; load 64 B = 1; compute 2 + ceil(64/8) + 4 = 14; store 1 -> 216
  models::Program p;
  p.arch = a;
  p.layers = {l0, l1};
  const SimResult r = simulate(kNoNetwork, p);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].cycles, 102);
  EXPECT_EQ(r.layers[1].start_cycle, 102);
  EXPECT_EQ(r.layers[1].cycles, 216);
  EXPECT_EQ(r.layers[1].instruction_bytes, 1600);
  EXPECT_EQ(r.layers[1].channel(Channel::Link).bytes, 1600);
  EXPECT_EQ(r.total_cycles, 318);
}

// Before the first layer the network input crosses the link into
// activation memory; with an instruction reload in the same cycle the
// arbiter serves the instructions first: instructions 160 B [0, 10) arrive
// at 110, the input 320 B [10, 30) at 130, when the PE starts: load 1,
// compute 2 + ceil(64/8) + 4 = 14, store 1 -> 146.
TEST(SimHand, InputPreloadAfterTheInstructionFetch) {
  const auto a = tiny_arch(1, 1, 1, 8);
  auto l = uniform_layer(a, {tile(1, 64, 0, 64, 64, 1)}, {0});
  l.instruction_reload_bytes = l.instruction_reload_link_bytes = 160;
  l.input_preload_bytes = l.input_preload_link_bytes = 320;
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 146);
  EXPECT_EQ(r.channel(Channel::Link).bytes, 480);
  EXPECT_EQ(r.channel(Channel::Link).busy_cycles, 30);
  EXPECT_EQ(r.input_preload_bytes, 320);
  EXPECT_EQ(r.instruction_bytes, 160);
  // Only the first layer may preload.
  models::Program two = one_layer_program(a, uniform_layer(a, {tile(1, 64, 0, 64, 64, 1)}, {0}));
  two.layers.push_back(l);
  EXPECT_THROW(simulate(kNoNetwork, two), std::invalid_argument);
}

// Outputs spilled to DRAM cross the network, then the link (+ latency).
TEST(SimHand, OutputSpilledToDram) {
  const auto a = tiny_arch(1, 1, 1, 4);
  auto l = uniform_layer(a, {tile(1, 64, 0, 160, 8, 1)}, {0});
  l.output_in_dram = true;
  // load 1; compute 2 + 2 + 4 = 8; store: network 3, link 10 + 100 -> 122
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 122);
  EXPECT_EQ(r.channel(Channel::Link).bytes, 160);
}

// Input channels split over two PEs: each stores 160 B of int32 partial
// sums, which the controller reduces after the last store (models/program.hpp):
// PE 0 loads [0, 1), computes 2 + max(ceil(8/4) + 4, 64/64) = 8 [1, 9),
// stores 3 [9, 12); PE 1 loads [1, 2), computes [2, 10), stores [12, 15)
// after PE 0's; the reduction reads 320 B at 64 B/cycle: 5 cycles -> 20.
// The second, identical layer is replayed and takes as long.
TEST(SimHand, PartialSumReduction) {
  const auto a = tiny_arch(2, 1, 1, 4);
  auto l = uniform_layer(a, {tile(1, 64, 0, 160, 8, 1)}, {0, 1});
  l.partition = models::PartitionKind::InputChannels;
  l.reduction_bytes = 2 * 160;
  models::Program p = one_layer_program(a, l);
  l.layer_index = 1;
  p.layers.push_back(l);
  const SimResult r = simulate(kNoNetwork, p);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].cycles, 20);
  EXPECT_EQ(r.layers[1].start_cycle, 20);
  EXPECT_EQ(r.layers[1].cycles, 20);
  EXPECT_EQ(r.total_cycles, 40);
  SimOptions exact;
  exact.exact_events = true;
  EXPECT_EQ(simulate(kNoNetwork, p, exact).total_cycles, 40);
  l.reduction_bytes = 0;  // the same layer without the reduction ends at its last store
  EXPECT_EQ(simulate(kNoNetwork, one_layer_program(a, l)).total_cycles, 15);
}

// Layer replay reuses a layer's record only for the same program: two
// layers that differ only in their operands through the PE memory's port
// take different times (load 1, compute 2 + max(1 + 4, 64 / 64) = 7, store 1
// -> 9; with 6400 port bytes the compute stage is 2 + 100 -> 104).
TEST(SimHand, ReplayTellsPortBytesApart) {
  const auto a = tiny_arch(1, 1, 1, 4);
  auto l = uniform_layer(a, {tile(1, 64, 0, 64, 4, 1)}, {0});
  models::Program p = one_layer_program(a, l);
  l.layer_index = 1;
  l.work_classes[0].steps[0].port_bytes = 6400;
  p.layers.push_back(l);
  const SimResult r = simulate(kNoNetwork, p);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].cycles, 9);
  EXPECT_EQ(r.layers[1].cycles, 104);
}

// Two PEs loading from DRAM at once share the link: the second waits for
// the first (6400 B = 400 link cycles each). The 6400 B then stream from
// PE memory to the core through its 64 B/cycle port: 100 cycles, longer
// than the core's 1 + 4, so the compute stage is 2 + 100.
TEST(SimHand, ContentionOnTheLink) {
  const auto a = tiny_arch(2, 1, 1, 64);
  auto l = uniform_layer(a, {tile(1, 6400, 0, 64, 64, 1)}, {0});
  spill_inputs(l);
  // one PE: link 400 + 100 + network 100 + compute 2 + 100 + store 1 = 703
  const SimResult one = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(one.total_cycles, 703);
  // second PE: link [400, 800) + 100 -> network [900, 1000) -> 1102 -> 1103
  l.pe_class = {0, 0};
  const SimResult two = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(two.total_cycles, 1103);
  EXPECT_GT(two.total_cycles, one.total_cycles);
  EXPECT_EQ(two.channel(Channel::Link).busy_cycles, 800);
}

// Two PEs on the network only: 6400 B = 100 network cycles each; the
// compute stage is 2 + 100 (the PE memory port, as above).
TEST(SimHand, ContentionOnTheNetwork) {
  const auto a = tiny_arch(2, 1, 1, 64);
  auto l = uniform_layer(a, {tile(1, 6400, 0, 0, 64, 1)}, {0});
  EXPECT_EQ(simulate(kNoNetwork, one_layer_program(a, l)).total_cycles, 100 + 102);
  l.pe_class = {0, 0};
  EXPECT_EQ(simulate(kNoNetwork, one_layer_program(a, l)).total_cycles, 200 + 102);
}

// Steps run in order and the pipeline continues across steps; cores beyond
// active_cores stay idle.
TEST(SimHand, StepsAndActiveCores) {
  const auto a = tiny_arch(1, 1, 4, 8);
  // step 1: 2 tiles on 4 cores, 64 ops: cores 8 + 4 = 12 cycles, PE 2 + 12 = 14;
  // step 2: 1 tile on 1 core, 800 ops: cores 104, PE 106. Each load 64 B (1
  // cycle), no store. Sequential: (1 + 14) * 2 + (1 + 106) = 137.
  auto l = uniform_layer(a, {tile(2, 64, 0, 0, 64, 4), tile(1, 64, 0, 0, 800, 1)}, {0});
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 137);
  EXPECT_DOUBLE_EQ(r.pe_busy[0], 134.0 / 137.0);
  EXPECT_DOUBLE_EQ(r.core_busy[0], 128.0 / 137.0);
  EXPECT_DOUBLE_EQ(r.core_busy[1], 24.0 / 137.0);
  EXPECT_DOUBLE_EQ(r.core_busy[3], 24.0 / 137.0);
  EXPECT_EQ(r.core_bytes, 3 * 64);
}

TEST(SimHand, EmptyLayersAndIdlePes) {
  const auto a = tiny_arch(2, 2, 1, 8);
  models::LayerProgram reshape;
  reshape.layer_name = "reshape";
  reshape.partition = models::PartitionKind::None;
  reshape.pe_class.assign(4, -1);
  models::Program p;
  p.arch = a;
  p.layers = {reshape, reshape};
  const SimResult r = simulate(kNoNetwork, p);
  EXPECT_EQ(r.total_cycles, 0);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[1].cycles, 0);
}

TEST(SimHand, RejectsMalformedPrograms) {
  const auto a = tiny_arch(2, 2, 2, 8);
  auto l = uniform_layer(a, {tile(1, 64, 0, 0, 64, 3)}, {0});  // 3 active cores of 2
  EXPECT_THROW(simulate(kNoNetwork, one_layer_program(a, l)), std::invalid_argument);
  l = uniform_layer(a, {tile(1, 64, 0, 0, 64, 1)}, {0});
  l.pe_class = {0, 1};  // wrong size and a missing class
  EXPECT_THROW(simulate(kNoNetwork, one_layer_program(a, l)), std::invalid_argument);
}

TEST(SimTiming, Formulas) {
  auto a = tiny_arch(1, 1, 1, 16);
  EXPECT_EQ(tile_compute_cycles(tile(1, 0, 0, 0, 17, 1), a), 2 + 4);
  EXPECT_EQ(pe_compute_cycles(tile(1, 0, 0, 0, 17, 1), a), 2 + 2 + 4);
  EXPECT_EQ(tile_compute_cycles(tile(1, 0, 0, 0, 0, 1), a), 0);
  EXPECT_EQ(pe_compute_cycles(tile(1, 0, 0, 0, 0, 1), a), 0);
  // The PE memory port (64 B/cycle) feeds the cores while they compute: 384
  // operand bytes take 6 cycles, as long as the core (2 + 4): 2 + 6; one
  // byte more takes 7, longer than the core: 2 + 7.
  EXPECT_EQ(pe_compute_cycles(tile(1, 384, 0, 0, 17, 1), a), 2 + 6);
  EXPECT_EQ(pe_compute_cycles(tile(1, 384, 1, 0, 17, 1), a), 2 + 7);
  a.constants.pe_memory_bytes_per_cycle = 16;  // 385 B: 25 cycles
  EXPECT_EQ(pe_compute_cycles(tile(1, 384, 1, 0, 17, 1), a), 2 + 25);
  EXPECT_EQ(transfer_cycles(65, 64), 2);
  EXPECT_EQ(transfer_cycles(0, 64), 0);
  EXPECT_EQ(transfer_cycles(25, 6.25), 4);
}

}  // namespace
}  // namespace apollo::sim
