// The simulator's fast paths must reproduce the event-by-event simulation
// (SimOptions::exact_events) exactly.
//  * Fast-forward of periodic steady states (sim/fast_forward.*): hand-
//    computed layers of 100,000 identical tiles on one PE: the cycle count
//    follows from program.hpp on paper, and the run must take far fewer
//    process activations than tiles (the fast path was taken).
//  * Many-tile designs (256 B core memories, so tiny tiles) whose layers
//    contend for the network: pinned counts, every statistic equal to the
//    event-by-event run's, with fewer process activations.
//  * A trace request turns the fast paths off, with identical results.
//  * Repeated layers are replayed from a record (sim/layer_replay.*): a
//    program A, B, A gives what the event-by-event run gives, at the cost of
//    one sequencer activation for the second A; zoo networks with repeated
//    blocks give identical per-layer statistics with and without the fast
//    paths.
#include <gtest/gtest.h>


#include "models/arch_io.hpp"
#include "models/compiler.hpp"
#include "sim/simulate.hpp"
#include "sim_fixtures.hpp"
#include "workloads/zoo.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;

const workloads::Network kNoNetwork{};

// One PE with one core of 16 lanes; a tile loads 64 B (1 network cycle),
// computes 160 MACs (dispatch 2 + ceil(160 / 16) + pipeline 4 = 16 cycles)
// and stores 64 B (1 cycle).
constexpr int64_t kTiles = 100000;
models::LayerProgram long_layer(const models::ArchConfig& a, bool double_buffered) {
  models::LayerProgram l = uniform_layer(a, {tile(kTiles, 32, 32, 64, 160, 1)}, {0});
  l.double_buffered = double_buffered;
  return l;
}

TEST(SimFastForward, SequentialTilesOnOnePe) {
  const auto a = tiny_arch(1, 1, 1, 16);
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, long_layer(a, false)));
  // Load, compute and store strictly in turn: 1 + 16 + 1 cycles per tile.
  EXPECT_EQ(r.total_cycles, 18 * kTiles);
  EXPECT_EQ(r.layers[0].tiles, kTiles);
  EXPECT_EQ(r.channel(Channel::Network).busy_cycles, 2 * kTiles);
  EXPECT_EQ(r.channel(Channel::Network).bytes, 128 * kTiles);
  EXPECT_EQ(r.core_bytes, 64 * kTiles);
  EXPECT_DOUBLE_EQ(r.pe_busy[0], 16.0 / 18.0);
  EXPECT_DOUBLE_EQ(r.core_busy[0], 14.0 / 18.0);
  EXPECT_EQ(r.pe_peak_memory_bytes[0], 64);
  EXPECT_EQ(r.layers[0].memory_stall_cycles, 2 * kTiles);  // its own loads and stores
  EXPECT_LT(r.events, kTiles / 100);  // skipped, not simulated tile by tile
}

TEST(SimFastForward, DoubleBufferedTilesOnOnePe) {
  const auto a = tiny_arch(1, 1, 1, 16);
  const SimResult r = simulate(kNoNetwork, one_layer_program(a, long_layer(a, true)));
  // Loads and stores hide behind the 16-cycle computes: the first load, then
  // back-to-back computes, then the last store.
  EXPECT_EQ(r.total_cycles, 1 + 16 * kTiles + 1);
  EXPECT_EQ(r.layers[0].tiles, kTiles);
  EXPECT_EQ(r.layers[0].compute_busy_cycles, 16 * kTiles);
  EXPECT_EQ(r.pe_peak_memory_bytes[0], 128);  // two tiles staged
  EXPECT_LT(r.events, kTiles / 100);
}

// The event-by-event run: SimOptions::exact_events turns every fast path off.
SimResult event_by_event(const workloads::Network& n, const models::Program& p, const models::ArchConfig& /*a: p.arch*/) {
  SimOptions exact;
  exact.exact_events = true;
  return simulate(n, p, exact);
}

TEST(SimFastForward, TraceTurnsItOffWithTheSameResult) {
  const auto a = tiny_arch(1, 1, 1, 16);
  const models::Program p = one_layer_program(a, uniform_layer(a, {tile(2000, 32, 32, 64, 160, 1)}, {0}));
  const SimResult fast = simulate(kNoNetwork, p);
  const SimResult slow = event_by_event(kNoNetwork, p, a);
  EXPECT_EQ(fast.total_cycles, 18 * 2000);
  EXPECT_EQ(slow.total_cycles, fast.total_cycles);
  EXPECT_EQ(slow.pe_busy, fast.pe_busy);
  EXPECT_LT(fast.events, 2000);
  EXPECT_GE(slow.events, 2000);  // at least one activation per tile
}

// Many-tile designs whose layers contend for the network (many PEs, 256 B
// core memories, so tiny tiles and many same-cycle requests). The counts
// are pinned from the event-by-event run (SimOptions::exact_events) under
// the model's arbitration rule (sim/arbiter.hpp); they moved from those of
// the kernel-ordered simulator (commit 066ef5d: 754807, 741288 and 2828332
// for the last three) by the order of same-cycle network grants, the
// mobilenets again when global pooling reduced across lanes, and all of them
// by exactly the network input's preload (input bytes / 16 B per cycle + 100
// cycles of DRAM latency: 9,508 for the mobilenets, 2,148 for the
// transformer) when it was timed, and again when biases became int32 (4 B a
// bias in 256 B core memories: fewer output channels per tile, more tiles). The
// mobilenet_v3_small designs moved again with issue 20's mapper fixes
// (-5 and -171 cycles: their squeeze-excite reductions take other tiles),
// then all five when the accumulators were counted once (item 5): their
// 256 B and 512 B core memories no longer hold a whole vector of
// accumulators besides the operands, so tiles grew and there are 23-54 %
// fewer (still contended: fast-forward still skips most of them).
// The mobilenet_v3_small and the transformer again with multicast (issue notes
// in the README: "Multicast"), and the 1x1 design when the estimator
// counted whole network cycles per transfer (smaller tiles win). The
// fast run must equal the event-by-event run in every statistic, and skip
// most of the contended steady states. DRAM bursts and efficiency (issue
// 20, item 4) moved all five: the link sustains 0.8 of 16 B/cycle, so the
// network input's preload takes 1.25x as long (link busy 2,048 -> 2,560,
// 9,408 -> 11,760 cycles); the 1x1 mobilenet_v2 design spills inputs
// whose 512 B-core tiles read a few channels per pixel, each pixel a 64 B
// burst: link busy 197,568 -> 827,120, +8.5 %, and the mapper takes more,
// smaller tiles (331,360 -> 338,528). The mapper's early stop, which now
// compares a partition's channel tiles with each other (not with the best
// of other partitions), found faster plans for the other three:
// mobilenet_v3_small 4x4 -3.4 %, 12x8 -1.5 %, transformer_encoder 8x4
// -20.7 % (526,336 tiles instead of 616,448).
struct Pinned {
  const char* network;
  int64_t pe_x, pe_y, cores, lanes, core_memory;  // on top of edge_baseline
  int64_t cycles, tiles, network_busy, link_busy;
};

constexpr Pinned kPinned[] = {
    {"mobilenet_v2", 1, 1, 1, 32, 512, 18647351, 338528, 1913041, 827120},
    {"transformer_encoder", 2, 2, 1, 32, 256, 5324884, 708608, 3391488, 2560},
    {"mobilenet_v3_small", 4, 4, 1, 16, 256, 533193, 190268, 512894, 11760},
    {"mobilenet_v3_small", 12, 8, 1, 32, 256, 395236, 138537, 358877, 11760},
    {"transformer_encoder", 8, 4, 2, 16, 256, 1735524, 526336, 1263744, 2560},
};

void expect_same_statistics(const SimResult& fast, const SimResult& slow, const std::string& what) {
  EXPECT_EQ(fast.total_cycles, slow.total_cycles) << what;
  ASSERT_EQ(fast.layers.size(), slow.layers.size()) << what;
  for (size_t i = 0; i < fast.layers.size(); ++i) {
    const LayerStats& f = fast.layers[i];
    const LayerStats& s = slow.layers[i];
    const std::string at = what + " layer " + std::to_string(i) + " " + s.name;
    EXPECT_EQ(f.name, s.name) << at;
    EXPECT_EQ(f.start_cycle, s.start_cycle) << at;
    EXPECT_EQ(f.cycles, s.cycles) << at;
    EXPECT_EQ(f.limiter, s.limiter) << at;
    EXPECT_DOUBLE_EQ(f.utilization, s.utilization) << at;
    EXPECT_EQ(f.channel(Channel::Link).bytes, s.channel(Channel::Link).bytes) << at;
    EXPECT_EQ(f.channel(Channel::Network).bytes, s.channel(Channel::Network).bytes) << at;
    EXPECT_EQ(f.channel(Channel::Link).busy_cycles, s.channel(Channel::Link).busy_cycles) << at;
    EXPECT_EQ(f.channel(Channel::Network).busy_cycles, s.channel(Channel::Network).busy_cycles) << at;
    EXPECT_EQ(f.compute_busy_cycles, s.compute_busy_cycles) << at;
    EXPECT_EQ(f.memory_stall_cycles, s.memory_stall_cycles) << at;
    EXPECT_EQ(f.instruction_bytes, s.instruction_bytes) << at;
    EXPECT_EQ(f.core_bytes, s.core_bytes) << at;
    EXPECT_EQ(f.tiles, s.tiles) << at;
    EXPECT_EQ(f.actions, s.actions) << at << ": energy counts";
  }
  EXPECT_EQ(fast.pe_busy, slow.pe_busy) << what;
  EXPECT_EQ(fast.core_busy, slow.core_busy) << what;
  EXPECT_EQ(fast.pe_peak_memory_bytes, slow.pe_peak_memory_bytes) << what;
  EXPECT_EQ(fast.core_bytes, slow.core_bytes) << what;
  EXPECT_EQ(fast.actions, slow.actions) << what << ": energy counts";
}

TEST(SimFastForward, ManyTileDesignsMatchTheEventByEventSimulator) {
  for (const Pinned& d : kPinned) {
    models::ArchConfig a = models::load_arch(models::repo_path("configs/arch/edge_baseline.yaml"));
    a.pe_x = d.pe_x;
    a.pe_y = d.pe_y;
    a.cores_per_pe = d.cores;
    a.simd_lanes = d.lanes;
    a.core_memory = d.core_memory;
    const workloads::Network n = workloads::load_workload(d.network);
    const models::CompileResult c = models::compile(n, a);
    ASSERT_TRUE(c.ok()) << d.network;
    const SimResult r = simulate(n, c.program);
    const SimResult exact = event_by_event(n, c.program, a);
    int64_t tiles = 0;
    for (const auto& l : r.layers) tiles += l.tiles;
    const std::string what = std::string(d.network) + " " + std::to_string(d.pe_x) + "x" + std::to_string(d.pe_y);
    EXPECT_EQ(r.total_cycles, d.cycles) << what;
    EXPECT_EQ(tiles, d.tiles) << what;
    EXPECT_EQ(r.channel(Channel::Network).busy_cycles, d.network_busy) << what;
    EXPECT_EQ(r.channel(Channel::Link).busy_cycles, d.link_busy) << what;
    expect_same_statistics(r, exact, what);
    EXPECT_LT(r.events, exact.events) << what << ": steady states skipped";
  }
}


TEST(SimLayerMemo, RepeatedLayerIsReplayedExactly) {
  // Four PEs contending for the network and (spilled input) the link, few
  // tiles per PE so that fast-forward stays out of the way.
  const auto a = tiny_arch(2, 2, 2, 16);
  models::LayerProgram first = uniform_layer(a, {tile(6, 96, 32, 64, 320, 2), tile(3, 64, 0, 32, 160, 1)}, {0, 1, 2, 3}, "a1");
  spill_inputs(first);
  first.double_buffered = true;
  models::LayerProgram other = uniform_layer(a, {tile(8, 32, 32, 64, 160, 2)}, {0, 2}, "b");
  models::LayerProgram again = first;
  again.layer_name = "a2";
  again.layer_index = 2;
  other.layer_index = 1;
  models::Program p;
  p.arch = a;
  p.layers = {first, other, again};
  const SimResult fast = simulate(kNoNetwork, p);
  const SimResult slow = event_by_event(kNoNetwork, p, a);
  expect_same_statistics(fast, slow, "A B A");
  // The second A repeats the first one's statistics (they start from the same empty state).
  EXPECT_EQ(fast.layers[2].cycles, fast.layers[0].cycles);
  EXPECT_EQ(fast.layers[2].channel(Channel::Network).busy_cycles, fast.layers[0].channel(Channel::Network).busy_cycles);
  EXPECT_EQ(fast.layers[2].start_cycle, fast.layers[0].cycles + fast.layers[1].cycles);
  // ... and costs none of its PEs' and DMA's activations: one wake of the
  // sequencer when the recorded cycles have passed.
  models::Program two = p;
  two.layers.pop_back();
  EXPECT_EQ(fast.events, simulate(kNoNetwork, two).events + 1);
  EXPECT_GT(slow.events, fast.events + 20);
}

TEST(SimLayerMemo, ZooNetworksMatchTheEventByEventSimulator) {
  // Networks of repeated blocks, on presets where they contend for the network.
  const std::pair<const char*, const char*> cases[] = {
      {"edge_baseline", "mobilenet_v2"}, {"small", "transformer_encoder"}, {"large", "resnet50_v1_5"}};
  for (const auto& [preset, network] : cases) {
    const models::ArchConfig a = models::load_arch(models::repo_path(std::string("configs/arch/") + preset + ".yaml"));
    const workloads::Network n = workloads::load_workload(network);
    const models::CompileResult c = models::compile(n, a);
    ASSERT_TRUE(c.ok()) << network;
    const SimResult fast = simulate(n, c.program);
    expect_same_statistics(fast, event_by_event(n, c.program, a), std::string(preset) + " " + network);
    EXPECT_LT(fast.events, event_by_event(n, c.program, a).events) << network << ": some layer was replayed";
  }
}

}  // namespace
}  // namespace apollo::sim
