// Simulator modules tested alone, each in its own SystemC kernel:
//  * a SharedChannel between a test initiator and the channel (which is the
//    target): same-cycle arbitration order, FIFO across cycles, bandwidth
//    and fixed latency, as the BEGIN_RESP times the initiator receives;
//  * a Pe driven by a scripted controller that answers its loads and
//    stores after fixed delays: the order and timing of its load / compute /
//    store pipeline with and without double buffering, and its reports to
//    an observer.
#include <gtest/gtest.h>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/channel.hpp"
#include "sim/kernel.hpp"
#include "sim/pe_array.hpp"
#include "sim/transfer.hpp"
#include "sim_fixtures.hpp"

namespace apollo::sim {
namespace {

using namespace apollo::sim::testing;

// Sends scripted requests at given cycles; records when each one's data arrived.
struct TestInitiator : sc_core::sc_module {
  struct Request {
    int64_t at;  // cycle the request is sent
    TransferKind kind;
    int32_t pe;
    int64_t bytes;
  };
  struct Arrival {
    int32_t pe;
    TransferKind kind;
    int64_t cycle;
  };
  tlm_utils::simple_initiator_socket<TestInitiator> socket;
  Clock clock;
  std::vector<Request> script;
  std::vector<std::unique_ptr<Transaction>> transactions;
  std::vector<Arrival> arrivals;
  sc_core::sc_event wake;
  size_t next = 0;

  SC_HAS_PROCESS(TestInitiator);
  TestInitiator(const sc_core::sc_module_name& name, std::vector<Request> s)
      : sc_module(name), socket("socket"), script(std::move(s)) {
    socket.register_nb_transport_bw(this, &TestInitiator::bw);
    SC_METHOD(send);
    sensitive << wake;
  }
  void send() {
    // In a scrambled order within the cycle: the channel must not care.
    std::vector<size_t> due;
    for (; next < script.size() && script[next].at == clock.now(); ++next) due.insert(due.begin(), next);
    for (size_t i : due) {
      auto t = std::make_unique<Transaction>();
      t->ext.kind = script[i].kind;
      t->ext.pe = script[i].pe;
      t->set_data_length(static_cast<unsigned int>(script[i].bytes));
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      EXPECT_EQ(socket->nb_transport_fw(*t, phase, delay), tlm::TLM_UPDATED);
      EXPECT_EQ(phase, tlm::END_REQ);
      transactions.push_back(std::move(t));
    }
    if (next < script.size()) wake.notify(clock.until(script[next].at));
  }
  tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    EXPECT_EQ(phase, tlm::BEGIN_RESP);
    const TransferExt& e = extension(gp);
    arrivals.push_back({e.pe, e.kind, clock.cycles(sc_core::sc_time_stamp() + delay)});
    return tlm::TLM_COMPLETED;
  }
};

// Counts what an observer is told.
struct CountingObserver : Observer {
  std::vector<TransferInterval> transfers;
  int64_t tile_count = 0, exposed_cycles = 0, peak = 0;
  std::vector<int64_t> tile_starts;
  void transfer(const TransferInterval& t) override { transfers.push_back(t); }
  void tiles(int32_t, const models::TileStep&, int64_t n, int64_t start) override {
    tile_count += n;
    tile_starts.push_back(start);
  }
  void exposed(int32_t, int64_t c) override { exposed_cycles += c; }
  void staged(int32_t, int64_t b) override { peak = std::max(peak, b); }
};

std::vector<TestInitiator::Arrival> run_channel(const ChannelSpec& spec, std::vector<TestInitiator::Request> script,
                                                CountingObserver& seen) {
  FreshKernel kernel;
  Clock clock;
  SharedChannel channel("channel", spec, clock, seen);
  TestInitiator initiator("initiator", std::move(script));
  initiator.socket.bind(channel.socket);
  sc_core::sc_start();
  return initiator.arrivals;
}

TEST(SimChannelModule, SameCycleRequestsAreGrantedByTheRuleNotByArrivalOrder) {
  // Network-like channel, 64 B/cycle, no latency. At cycle 3: loads of PEs
  // 2 and 0 (64 B = 1 cycle each), a store of PE 5 (128 B = 2 cycles).
  // Rule: store first (3-5), then load PE 0 (5-6), then load PE 2 (6-7).
  CountingObserver seen;
  const auto arrivals = run_channel({Channel::Network, 64, 0},
                                    {{3, TransferKind::Load, 2, 64},
                                     {3, TransferKind::Store, 5, 128},
                                     {3, TransferKind::Load, 0, 64}},
                                    seen);
  ASSERT_EQ(arrivals.size(), 3u);
  EXPECT_EQ(arrivals[0].pe, 5);
  EXPECT_EQ(arrivals[0].cycle, 5);
  EXPECT_EQ(arrivals[1].pe, 0);
  EXPECT_EQ(arrivals[1].cycle, 6);
  EXPECT_EQ(arrivals[2].pe, 2);
  EXPECT_EQ(arrivals[2].cycle, 7);
  ASSERT_EQ(seen.transfers.size(), 3u);
  EXPECT_EQ(seen.transfers[0].start, 3);
  EXPECT_EQ(seen.transfers[2].end, 7);
}

TEST(SimChannelModule, FifoAcrossCyclesBandwidthAndLatency) {
  // DRAM-like channel: 16 B/cycle, 100 cycles latency. A load of PE 3 at
  // cycle 0 (160 B = 10 cycles: data arrives at 10 + 100), a store of PE 0
  // at cycle 1 waits for it (10-11, arrives 111) despite its priority, and
  // a load at 50 finds the channel free (50-51, arrives 151).
  CountingObserver seen;
  const auto arrivals = run_channel({Channel::Link, 16, 100},
                                    {{0, TransferKind::Load, 3, 160},
                                     {1, TransferKind::Store, 0, 16},
                                     {50, TransferKind::Load, 1, 1}},
                                    seen);
  ASSERT_EQ(arrivals.size(), 3u);
  EXPECT_EQ(arrivals[0].cycle, 110);
  EXPECT_EQ(arrivals[1].pe, 0);
  EXPECT_EQ(arrivals[1].cycle, 111);
  EXPECT_EQ(arrivals[2].cycle, 151);
  int64_t busy = 0;
  for (const auto& t : seen.transfers) busy += t.end - t.start;
  EXPECT_EQ(busy, 10 + 1 + 1);
}

// Answers a PE's loads and stores after fixed delays, as a controller whose
// DMA never contends: the own cycles it reports are the delays.
struct ScriptedController : sc_core::sc_module {
  tlm_utils::simple_target_socket<ScriptedController> socket;
  int64_t load_cycles, store_cycles;
  std::vector<std::pair<TransferKind, int64_t>> requests;  // kind, cycle
  Clock clock;
  ScriptedController(const sc_core::sc_module_name& name, int64_t load, int64_t store)
      : sc_module(name), socket("socket"), load_cycles(load), store_cycles(store) {
    socket.register_nb_transport_fw(this, &ScriptedController::fw);
  }
  tlm::tlm_sync_enum fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time&) {
    TransferExt& e = extension(gp);
    requests.emplace_back(e.kind, clock.now());
    const int64_t d = e.kind == TransferKind::Load ? load_cycles : store_cycles;
    e.own_cycles = d;
    tlm::tlm_phase resp = tlm::BEGIN_RESP;
    sc_core::sc_time delay = clock.after(d);
    socket->nb_transport_bw(gp, resp, delay);
    phase = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
};

struct PeRun {
  int64_t done_at = -1;
  std::vector<std::pair<TransferKind, int64_t>> requests;
  CountingObserver seen;
};

PeRun run_pe(const models::PeWork& work, bool double_buffered, int64_t load, int64_t store) {
  PeRun out;
  FreshKernel kernel;
  const models::ArchConfig a = tiny_arch(1, 1, 1, 16);
  Clock clock;
  int64_t activations = 0;
  PeArray pes("pes", 1, clock,
              Pe::Context{a, clock, out.seen, nullptr, activations, [&](int32_t) { out.done_at = clock.now(); }});
  ScriptedController controller("controller", load, store);
  pes.socket.bind(controller.socket);
  EXPECT_TRUE(pes.pe(0).start(work, double_buffered));
  sc_core::sc_start();
  out.requests = controller.requests;
  return out;
}

TEST(SimPeModule, SequentialPipelineWithoutDoubleBuffering) {
  // 3 tiles; load 5 cycles, compute 2 + ceil(160/16) + 4 = 16, store 3:
  // each tile 5 + 16 + 3 = 24 cycles, strictly in turn.
  const models::PeWork work{{tile(3, 32, 32, 64, 160, 1)}};
  const PeRun r = run_pe(work, false, 5, 3);
  EXPECT_EQ(r.done_at, 3 * 24);
  ASSERT_EQ(r.requests.size(), 6u);
  EXPECT_EQ(r.requests[0], std::make_pair(TransferKind::Load, int64_t{0}));
  EXPECT_EQ(r.requests[1], std::make_pair(TransferKind::Store, int64_t{21}));
  EXPECT_EQ(r.requests[2], std::make_pair(TransferKind::Load, int64_t{24}));
  EXPECT_EQ(r.seen.tile_count, 3);
  EXPECT_EQ(r.seen.tile_starts, (std::vector<int64_t>{5, 29, 53}));
  EXPECT_EQ(r.seen.exposed_cycles, 3 * (5 + 3));
  EXPECT_EQ(r.seen.peak, 64);  // one tile's operands staged at a time
}

TEST(SimPeModule, DoubleBufferingOverlapsLoadsAndStoresWithCompute) {
  // Two tiles in flight: the second load starts at once, computes run back
  // to back from cycle 5 (5-21, 21-37, 37-53), the last store ends at 56.
  const models::PeWork work{{tile(3, 32, 32, 64, 160, 1)}};
  const PeRun r = run_pe(work, true, 5, 3);
  EXPECT_EQ(r.done_at, 5 + 3 * 16 + 3);
  EXPECT_EQ(r.requests[0], std::make_pair(TransferKind::Load, int64_t{0}));
  EXPECT_EQ(r.requests[1], std::make_pair(TransferKind::Load, int64_t{5}));
  EXPECT_EQ(r.seen.tile_starts, (std::vector<int64_t>{5, 21, 37}));
  EXPECT_EQ(r.seen.peak, 128);  // two tiles' operands staged
}

// The PE array: PEs in one module keep their own pipelines; PEs due in the
// same cycle run in that cycle, in index order, each with its own
// transfers (the controller tells them apart by TransferExt::pe).
TEST(SimPeModule, PesInOneArrayKeepTheirOwnPipelines) {
  FreshKernel kernel;
  const models::ArchConfig a = tiny_arch(2, 1, 1, 16);
  Clock clock;
  int64_t activations = 0;
  CountingObserver seen;
  std::vector<int64_t> done_at(3, -1);
  PeArray pes("pes", 3, clock,
              Pe::Context{a, clock, seen, nullptr, activations, [&](int32_t pe) { done_at[size_t(pe)] = clock.now(); }});
  ScriptedController controller("controller", 5, 3);
  pes.socket.bind(controller.socket);
  const models::PeWork three{{tile(3, 32, 32, 64, 160, 1)}}, one{{tile(1, 32, 32, 64, 160, 1)}};
  EXPECT_TRUE(pes.pe(0).start(three, false));
  EXPECT_TRUE(pes.pe(2).start(one, true));  // PE 1 idles
  sc_core::sc_start();
  EXPECT_EQ(done_at[0], 3 * 24);  // as alone (SequentialPipelineWithoutDoubleBuffering)
  EXPECT_EQ(done_at[1], -1);
  EXPECT_EQ(done_at[2], 24);      // one tile: load 5, compute 16, store 3
  EXPECT_EQ(seen.tile_count, 4);
  // Both loads of cycle 0 reached the controller in that cycle.
  ASSERT_GE(controller.requests.size(), 2u);
  EXPECT_EQ(controller.requests[0], std::make_pair(TransferKind::Load, int64_t{0}));
  EXPECT_EQ(controller.requests[1], std::make_pair(TransferKind::Load, int64_t{0}));
  EXPECT_EQ(controller.requests.size(), 8u);  // 3 + 1 loads and stores
}

}  // namespace
}  // namespace apollo::sim
