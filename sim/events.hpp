// What the simulator's modules report, in plain C++ (no SystemC): the shared
// channels, the kinds of transfer, and the observer interface through which
// statistics, traces and layer replay see module events
// (docs/architecture.md, "Observers").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/program.hpp"

namespace apollo::sim {

// The shared channels, in one list: per-channel statistics, trace lanes and
// model elaboration are arrays indexed by it, so a third channel (a second
// DRAM channel, a PE-to-PE link) is a new entry here, its parameters in
// channel_specs() (sim/model.cpp) and a route through it (sim/controller.cpp).
enum class Channel : int8_t { Link, Network };
inline constexpr size_t kChannels = 2;
inline constexpr std::array<Channel, kChannels> kAllChannels = {Channel::Link, Channel::Network};
inline constexpr size_t index(Channel c) { return static_cast<size_t>(c); }
const char* to_string(Channel c);        // "link", "network"
const char* description(Channel c);      // "DRAM link (I/O)", "distribution network"

// The order of the kinds is also their priority in arbitration (sim/arbiter.hpp).
// Multicast: a shared operand sent once to a group of PEs (models/program.hpp).
enum class TransferKind : int8_t { Instructions, Preload, Store, Multicast, Load };
inline constexpr size_t kTransferKinds = 5;
const char* to_string(TransferKind k);

// Traffic of one channel over a layer or a run.
struct ChannelStats {
  int64_t bytes = 0;
  int64_t busy_cycles = 0;
  bool operator==(const ChannelStats&) const = default;
  ChannelStats& operator+=(const ChannelStats& o) {
    bytes += o.bytes;
    busy_cycles += o.busy_cycles;
    return *this;
  }
};
using PerChannel = std::array<ChannelStats, kChannels>;

// One hop of a transfer holding a channel.
struct TransferInterval {
  int64_t start = 0, end = 0;  // cycles, [start, end)
  int64_t bytes = 0;
  int32_t pe = -1;             // requesting PE, -1 for the controller itself; a multicast's first member
  int32_t group = -1;          // a multicast's group (LayerProgram::group_members), else -1
  Channel channel = Channel::Link;
  TransferKind kind = TransferKind::Load;
  ChannelStats traffic() const { return {bytes, end - start}; }
};

// Receives what the modules do. Every hook has an empty default, so an
// observer implements only what it needs. Fast-forward and layer replay
// report skipped work through the same hooks, in bulk (n tiles at once,
// channel traffic as totals), so an observer counts exactly what the
// event-by-event run would have shown it.
class Observer {
 public:
  virtual ~Observer() = default;
  // Layer `position` of the program starts (before its instruction reload).
  virtual void layer_started(int32_t /*position*/, const models::LayerProgram& /*layer*/, int64_t /*cycle*/) {}
  // Its barrier: every PE has stored its last tile.
  virtual void layer_finished(int32_t /*position*/, int64_t /*cycle*/) {}
  // One hop granted on a channel (without fast paths; with them a channel
  // reports its layer's traffic through transfers() at the barrier).
  virtual void transfer(const TransferInterval& /*t*/) {}
  // Hops in bulk (skipped periods, a replayed layer, a layer's traffic): their totals.
  virtual void transfers(Channel /*c*/, const ChannelStats& /*total*/) {}
  // n tiles of `step` start their compute on `pe`; `start` is the cycle of
  // the first (exact when n == 1; in bulk only the count is meaningful).
  virtual void tiles(int32_t /*pe*/, const models::TileStep& /*step*/, int64_t /*n*/, int64_t /*start*/) {}
  // Cycles `pe` spent in its own transfers (service and DRAM latency,
  // queueing behind other requests excluded), for the memory-stall evidence:
  // a PE reports its layer's total when it finishes the layer.
  virtual void exposed(int32_t /*pe*/, int64_t /*cycles*/) {}
  // The most operand bytes staged in `pe`'s PE memory at once (after a load
  // started): a PE reports its layer's peak when it finishes the layer.
  virtual void staged(int32_t /*pe*/, int64_t /*bytes*/) {}
};

// Fans every event out to the registered observers, in registration order.
class Observers final : public Observer {
 public:
  void add(Observer& o) { list_.push_back(&o); }
  void layer_started(int32_t p, const models::LayerProgram& l, int64_t c) override {
    for (Observer* o : list_) o->layer_started(p, l, c);
  }
  void layer_finished(int32_t p, int64_t c) override {
    for (Observer* o : list_) o->layer_finished(p, c);
  }
  void transfer(const TransferInterval& t) override {
    for (Observer* o : list_) o->transfer(t);
  }
  void transfers(Channel c, const ChannelStats& total) override {
    for (Observer* o : list_) o->transfers(c, total);
  }
  void tiles(int32_t pe, const models::TileStep& s, int64_t n, int64_t start) override {
    for (Observer* o : list_) o->tiles(pe, s, n, start);
  }
  void exposed(int32_t pe, int64_t cycles) override {
    for (Observer* o : list_) o->exposed(pe, cycles);
  }
  void staged(int32_t pe, int64_t bytes) override {
    for (Observer* o : list_) o->staged(pe, bytes);
  }

 private:
  std::vector<Observer*> list_;
};

}  // namespace apollo::sim
