// Energy counts of the simulator (sim/action_counter.hpp): a hand-computed
// layer, multicast and DRAM homes, energy additive over layers, properties
// of compiled designs and the sanity window of published edge accelerators.
// (Fast paths against the event-by-event run: test_sim_fastforward.cpp
// compares the counts of every case there.)
#include <gtest/gtest.h>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "models/energy.hpp"
#include "sim/result_json.hpp"
#include "sim/simulate.hpp"
#include "sim_fixtures.hpp"
#include "workloads/zoo.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;

const workloads::Network kNoNetwork{};

// One PE with two cores of 16 lanes; three tiles of 100 B input, 50 B
// weights, 20 B output and 64 lane operations on each core; 5 instructions.
//   lanes: 3 x 64 x 2 = 384 MACs (no network: lane operations are MACs)
//   core cycles: 3 tiles x 2 cores x ceil(64 / 16) = 24 input reads, broadcast
//   core memory: reads 384 weights + 24 inputs + 3 x 20 outputs = 468,
//                writes 3 x 150 operands + 3 x 20 outputs = 510
//   PE memory: 3 x 150 written on arrival, read into the cores
//   controller: 300 B activation reads, 150 B parameter reads, 60 B written back
//   network: 450 in + 60 out = 510 B; instruction fetch 5 x 16 B = 80 B
TEST(SimEnergy, HandComputedLayer) {
  const auto a = tiny_arch(1, 1, 2, 16);
  models::LayerProgram l = uniform_layer(a, {tile(3, 100, 50, 20, 64, 2)}, {0});
  l.instructions = 5;
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  const models::ActionCounts& n = r.actions;
  EXPECT_EQ(n.mac_ops, 384);
  EXPECT_EQ(n.vector_ops, 0);
  EXPECT_EQ(n.core_memory_read, 468);
  EXPECT_EQ(n.core_memory_write, 510);
  EXPECT_EQ(n.pe_memory_write, 450);
  EXPECT_EQ(n.pe_memory_read, 450);
  EXPECT_EQ(n.activation_memory_read, 300);
  EXPECT_EQ(n.parameter_memory_read, 150);
  EXPECT_EQ(n.activation_memory_write, 60);
  EXPECT_EQ(n.network_bytes, 510);
  EXPECT_EQ(n.dram_bytes, 0);
  EXPECT_EQ(n.instruction_memory_read, 80);
  EXPECT_EQ(r.layers.at(0).actions, n);
}

// Inputs that live in DRAM cross the link instead of being read from
// activation memory; weights streamed from DRAM are not read from
// parameter memory; outputs spilled to DRAM are not written on chip.
TEST(SimEnergy, DramHomesMoveTheAccessesToTheLink) {
  const auto a = tiny_arch(1, 1, 2, 16);
  models::LayerProgram l = uniform_layer(a, {tile(3, 100, 50, 20, 64, 2)}, {0});
  spill_inputs(l);
  l.weights_in_dram = true;
  l.output_in_dram = true;
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.actions.activation_memory_read, 0);
  EXPECT_EQ(r.actions.parameter_memory_read, 0);
  EXPECT_EQ(r.actions.activation_memory_write, 0);
  EXPECT_EQ(r.actions.dram_bytes, 3 * (100 + 50 + 20));
  // The same work with every byte on chip costs less energy.
  const models::ActionCosts costs = models::action_costs(a, models::Technology{});
  const SimResult on_chip = simulate(kNoNetwork, one_layer_program(a, uniform_layer(a, {tile(3, 100, 50, 20, 64, 2)}, {0})));
  EXPECT_GT(models::energy(costs, r.actions, r.latency_ms).dynamic_uj,
            models::energy(costs, on_chip.actions, on_chip.latency_ms).dynamic_uj);
}

// Four PEs share a 640 B input by multicast: activation memory is read once
// for the group and the network carries it once; each PE's own 128 B of
// weights are read and sent one by one.
TEST(SimEnergy, MulticastReadsTheSharedOperandOnce) {
  const auto a = tiny_arch(2, 2, 1, 16);
  models::LayerProgram l = uniform_layer(a, {tile(1, 640, 128, 64, 160, 1)}, {0, 1, 2, 3});
  l.input_group.assign(4, 0);
  l.groups = 1;
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.actions.activation_memory_read, 640);
  EXPECT_EQ(r.actions.parameter_memory_read, 4 * 128);
  EXPECT_EQ(r.actions.network_bytes, 640 + 4 * 128 + 4 * 64);
  EXPECT_EQ(r.actions.pe_memory_write, 4 * (640 + 128));  // every member receives it
}

models::ArchConfig preset(const char* name) {
  return models::load_arch(models::repo_path(std::string("configs/arch/") + name + ".yaml"));
}

SimResult run(const workloads::Network& n, const models::ArchConfig& a) {
  const models::CompileResult c = models::compile(n, a);
  if (!c.ok()) throw std::runtime_error(c.infeasible->message);
  return simulate(n, c.program);
}

TEST(SimEnergy, CompiledNetworkCountsItsOwnWorkAndIsAdditiveOverLayers) {
  const auto a = preset("edge_baseline");
  const workloads::Network n = workloads::load_workload("mobilenet_v2");
  const SimResult r = run(n, a);
  EXPECT_EQ(r.actions.mac_ops, n.total_macs());
  EXPECT_EQ(r.actions.vector_ops, n.total_vector_ops());
  EXPECT_EQ(r.actions.network_bytes, r.channel(Channel::Network).bytes);
  EXPECT_EQ(r.actions.dram_bytes, r.channel(Channel::Link).bytes);
  const models::ActionCosts costs = models::action_costs(a, models::Technology{});
  const models::EnergyReport whole = models::energy(costs, r.actions, r.latency_ms);
  double sum = 0;
  for (const LayerStats& l : r.layers) sum += layer_energy(l, costs, a.constants.clock_ghz).total_uj;
  EXPECT_NEAR(sum, whole.total_uj, 1e-9 * whole.total_uj);
}

// Int8 edge accelerators publish about 1 - 10 TOPS/W (the Edge TPU: 4 TOPS
// at 2 W); the baseline on mobilenet_v2 must land in that window.
TEST(SimEnergy, BaselineEfficiencyIsInThePublishedWindow) {
  const auto a = preset("edge_baseline");
  const SimResult r = run(workloads::load_workload("mobilenet_v2"), a);
  const models::EnergyReport e = models::energy(models::action_costs(a, models::Technology{}), r.actions, r.latency_ms);
  EXPECT_GT(e.tops_per_watt, 1.0);
  EXPECT_LT(e.tops_per_watt, 10.0);
  EXPECT_GT(e.leakage_uj, 0);
}

// The baseline keeps mobilenet_v2's weights in parameter memory; the same
// design with a parameter memory too small for them streams them from DRAM
// every inference and costs more energy (although its SRAM leaks less).
TEST(SimEnergy, StreamingWeightsCostsMoreThanKeepingThemResident) {
  const auto a = preset("edge_baseline");
  const workloads::Network n = workloads::load_workload("mobilenet_v2");
  const models::Technology t;
  ASSERT_EQ(models::compile(n, a).program.streamed_weight_bytes, 0);
  const SimResult resident = run(n, a);
  auto small = a;
  small.parameter_memory = 256 << 10;
  ASSERT_GT(models::compile(n, small).program.streamed_weight_bytes, 0);
  const SimResult streamed = run(n, small);
  EXPECT_GT(streamed.actions.dram_bytes, resident.actions.dram_bytes);
  const double e_resident = models::energy(models::action_costs(a, t), resident.actions, resident.latency_ms).total_uj;
  const double e_streamed = models::energy(models::action_costs(small, t), streamed.actions, streamed.latency_ms).total_uj;
  EXPECT_GT(e_streamed, e_resident);
}

}  // namespace
}  // namespace apollo::sim
