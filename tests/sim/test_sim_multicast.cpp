// Multicast on the distribution network (models/program.hpp, "Multicast"):
// exact cycle counts of hand-built programs worked out on paper, the
// arbitration of a multicast against unicast transfers, the fast paths
// against the event-by-event run, the trace, and the program checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <nlohmann/json.hpp>

#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "models/space.hpp"
#include "sim/simulate.hpp"
#include "sim_fixtures.hpp"
#include "workloads/zoo.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;

const workloads::Network kNoNetwork{};


// Defaults: network 64 B/cycle, PE dispatch 2, core pipeline 4. Each tile:
// a 640 B input shared by the PEs (10 network cycles), 128 B of weights of
// their own (2 cycles), 64 B of output (1 cycle), and 16 x 10 lane ops on
// one core of 16 lanes: compute 2 + 10 + 4 = 16 cycles.
models::LayerProgram split_over_channels(const models::ArchConfig& a, int pes) {
  std::vector<int> working;
  for (int p = 0; p < pes; ++p) working.push_back(p);
  return uniform_layer(a, {tile(1, 640, 128, 64, 160, 1)}, working, "oc_split");
}

void group_inputs(models::LayerProgram& l, const std::vector<int>& members) {
  if (l.input_group.empty()) l.input_group.assign(l.pe_class.size(), -1);
  for (int p : members) l.input_group[static_cast<size_t>(p)] = l.groups;
  ++l.groups;
}

// Four PEs split over output channels, one tile each.
// Unicast: each load is 768 B = 12 cycles, served PE 0..3 back to back:
//   PE 3's load [36, 48), compute [48, 64), store [64, 65): 65 cycles.
// Multicast: the four requests of cycle 0 complete the group; the
// multicast goes first (multicasts before loads), then the own weights:
//   multicast [0, 10); weights PE 0 [10, 12), 1 [12, 14), 2 [14, 16), 3 [16, 18);
//   PE i computes from 12 + 2i for 16 cycles and stores 1 cycle at 28 + 2i:
//   PE 3's store [34, 35): 35 cycles.
TEST(SimMulticast, LayerSplitOverOutputChannelsOnFourPes) {
  const auto a = tiny_arch(2, 2, 1, 16);
  const SimResult unicast = simulate(kNoNetwork, one_layer_program(a, split_over_channels(a, 4)));
  EXPECT_EQ(unicast.total_cycles, 65);
  EXPECT_EQ(unicast.channel(Channel::Network).bytes, 4 * (768 + 64));

  auto l = split_over_channels(a, 4);
  group_inputs(l, {0, 1, 2, 3});
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 35);
  // The input crosses once: 640 + 4 x 128 + 4 x 64.
  EXPECT_EQ(r.channel(Channel::Network).bytes, 640 + 4 * 128 + 4 * 64);
  EXPECT_EQ(r.channel(Channel::Network).busy_cycles, 10 + 4 * 2 + 4 * 1);
  // What the program says it moves is what the simulator moved.
  const auto traffic = l.traffic();
  EXPECT_EQ(traffic.network, r.channel(Channel::Network).bytes);
  EXPECT_EQ(traffic.unicast_network, unicast.channel(Channel::Network).bytes);
  // Every PE still received (and computed on) its whole operands.
  EXPECT_EQ(r.core_bytes, 4 * (640 + 128));
}

// A group with a remainder PE: PEs 0 and 1 share the input, PE 2 (fewer
// channels: 64 B of weights) is in no group and loads all 704 B itself.
//   cycle 0: multicast [0, 10), then loads by PE index: PE 0 [10, 12),
//   PE 1 [12, 14), PE 2 (704 B = 11 cycles) [14, 25) -- the unicast waits
//   behind the multicast, which the fixed priority serves first.
//   PE 2 computes [25, 41) and stores [41, 42): 42 cycles.
TEST(SimMulticast, GroupWithARemainderPeAndContentionWithUnicast) {
  const auto a = tiny_arch(3, 1, 1, 16);
  auto l = split_over_channels(a, 2);
  l.work_classes.push_back(models::PeWork{{tile(1, 640, 64, 64, 160, 1)}});
  l.pe_class[2] = 1;
  group_inputs(l, {0, 1});
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 42);
  EXPECT_EQ(r.channel(Channel::Network).bytes, 640 + 2 * 128 + 704 + 3 * 64);
}

// A member asks for its share only when it has room: with one buffer, PE 1
// requests tile 2 after storing tile 1, and the multicast of tile 2 waits
// for it. Two PEs, two tiles each (640 B shared, 128 B own, 64 B out):
//   tile 1: multicast [0, 10), weights PE 0 [10, 12), PE 1 [12, 14);
//           PE 0 computes [12, 28), stores [28, 29); PE 1 computes [14, 30).
//   tile 2: PE 0 asks at 29 (its weights go at once: [29, 31)); PE 1's store
//           waits for them: [31, 32); PE 1 asks at 32: the multicast
//           [32, 42), then PE 1's weights [42, 44). PE 0 computes
//           [42, 58), stores [58, 59); PE 1 computes [44, 60), stores [60, 61).
TEST(SimMulticast, TheMulticastWaitsForEveryMember) {
  const auto a = tiny_arch(2, 1, 1, 16);
  auto l = uniform_layer(a, {tile(2, 640, 128, 64, 160, 1)}, {0, 1}, "two_tiles");
  group_inputs(l, {0, 1});
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, l));
  EXPECT_EQ(r.total_cycles, 61);
}

// The fast paths (fast-forward through lock-stepped groups, replay of the
// repeated layer) report exactly what the event-by-event run does.
TEST(SimMulticast, FastPathsEqualTheEventByEventRun) {
  auto a = tiny_arch(4, 2, 2, 16);
  auto l = uniform_layer(a, {tile(300, 640, 256, 64, 640, 2), tile(41, 320, 256, 32, 320, 2)},
                         {0, 1, 2, 3, 4, 5, 6, 7}, "many_tiles");
  l.double_buffered = true;
  group_inputs(l, {0, 1, 2, 3});
  group_inputs(l, {4, 5, 6, 7});
  l.weight_group.assign(8, -1);
  for (int p : {0, 4}) l.weight_group[static_cast<size_t>(p)] = l.groups;
  ++l.groups;
  models::Program p = one_layer_program(a, l);
  p.layers.push_back(l);  // the same layer again: replayed
  const SimResult fast = simulate(kNoNetwork, p);
  SimOptions exact;
  exact.exact_events = true;
  const SimResult slow = simulate(kNoNetwork, p, exact);
  EXPECT_EQ(fast.total_cycles, slow.total_cycles);
  EXPECT_EQ(fast.channel(Channel::Network), slow.channel(Channel::Network));
  EXPECT_EQ(fast.pe_busy, slow.pe_busy);
  EXPECT_EQ(fast.core_bytes, slow.core_bytes);
  EXPECT_LT(fast.events, slow.events);
  EXPECT_EQ(fast.channel(Channel::Network).bytes, 2 * l.traffic().network);
}

// The timeline shows a multicast as one network transfer with its group.
TEST(SimMulticast, TraceShowsOneTransferWithItsMembers) {
  const auto a = tiny_arch(2, 2, 1, 16);
  auto l = split_over_channels(a, 4);
  group_inputs(l, {0, 1, 2, 3});
  const auto path = std::filesystem::temp_directory_path() / "apollo_multicast_timeline.json";
  SimOptions o;
  o.timeline_path = path.string();
  simulate(kNoNetwork, one_layer_program(a, l), o);
  std::ifstream in(path);
  const nlohmann::json trace = nlohmann::json::parse(in);
  int multicasts = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e.value("name", "") != "multicast") continue;
    ++multicasts;
    EXPECT_EQ(e["args"]["bytes"], 640);
    EXPECT_EQ(e["args"]["members"], nlohmann::json::array({0, 1, 2, 3}));
  }
  EXPECT_EQ(multicasts, 1);
  std::filesystem::remove(path);
}

TEST(SimMulticast, MalformedGroupsAreRejected) {
  const auto a = tiny_arch(2, 2, 1, 16);
  auto lonely = split_over_channels(a, 4);
  group_inputs(lonely, {2});
  EXPECT_THROW(simulate(kNoNetwork, one_layer_program(a, lonely)), std::invalid_argument);
  auto mixed = split_over_channels(a, 4);
  mixed.work_classes.push_back(mixed.work_classes[0]);
  mixed.pe_class[3] = 1;
  group_inputs(mixed, {2, 3});
  EXPECT_THROW(simulate(kNoNetwork, one_layer_program(a, mixed)), std::invalid_argument);
  auto missing = split_over_channels(a, 4);
  missing.input_group.assign(4, 0);  // group 0 of 0 groups
  EXPECT_THROW(simulate(kNoNetwork, one_layer_program(a, missing)), std::invalid_argument);
}

// Compiled: a dense layer split over output channels gets an input group,
// and turning the template constant off removes every group.
TEST(SimMulticast, CompilerGroupsSharedOperandsAndTheConstantTurnsItOff) {
  const workloads::Network n = workloads::zoo_network("mobilenet_v2");
  models::ArchConfig a = models::load_baseline_arch();
  const models::CompileResult on = models::compile(n, a);
  ASSERT_TRUE(on.ok());
  int64_t grouped = 0, saved = 0;
  for (const auto& l : on.program.layers) {
    grouped += l.groups;
    const auto t = l.traffic();
    EXPECT_LE(t.network, t.unicast_network) << l.layer_name;
    EXPECT_LE(t.link, t.unicast_link) << l.layer_name;
    saved += t.unicast_network - t.network;
  }
  EXPECT_GT(grouped, 0);
  EXPECT_GT(saved, 0);
  a.constants.network_multicast = false;
  const models::CompileResult off = models::compile(n, a);
  ASSERT_TRUE(off.ok());
  for (const auto& l : off.program.layers) {
    EXPECT_EQ(l.groups, 0) << l.layer_name;
    EXPECT_TRUE(l.input_group.empty() && l.weight_group.empty()) << l.layer_name;
  }
}

// Multicast is the compiler's choice per layer, made on an estimate, so it
// can lose where the estimate misjudges the lock step of a group. Over the
// zoo on random feasible designs, on against off on the same design: the
// whole network is never more than kExcess slower, and faster in total.
TEST(SimMulticast, NeverMuchWorseThanUnicastOnRandomDesigns) {
  constexpr double kExcess = 0.02;  // measured on these 80 designs: never slower
  std::mt19937_64 rng(20261204);
  double worst = 0, on_total = 0, off_total = 0;
  for (const std::string& name : workloads::quick_zoo_names()) {
    const workloads::Network n = workloads::load_workload(name);
    int checked = 0;
    for (int attempt = 0; attempt < 2000 && checked < 10; ++attempt) {
      models::ArchConfig a = models::decode(models::sample_uniform(rng));
      const models::CompileResult on = models::compile(n, a);
      if (!on.ok() || tiles_of(on.program) > 20000) continue;
      a.constants.network_multicast = false;
      const models::CompileResult off = models::compile(n, a);
      ASSERT_TRUE(off.ok()) << name;
      const double t_on = double(simulate(n, on.program).total_cycles);
      const double t_off = double(simulate(n, off.program).total_cycles);
      ++checked;
      on_total += t_on;
      off_total += t_off;
      worst = std::max(worst, t_on / t_off);
      EXPECT_LE(t_on, t_off * (1 + kExcess)) << name << " on " << a.pe_x << "x" << a.pe_y << "x" << a.cores_per_pe
                                              << "x" << a.simd_lanes;
    }
    EXPECT_EQ(checked, 10) << name;
  }
  std::cout << "multicast on / off: worst " << worst << ", total " << on_total / off_total << "\n";
  EXPECT_LT(on_total, off_total);
}

}  // namespace
}  // namespace apollo::sim
