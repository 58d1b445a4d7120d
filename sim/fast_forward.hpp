// Exact fast-forward of periodic steady states within a layer (the method
// is in sim/steady_state.hpp). This coordinator decides when to observe,
// finds a repeated state and tells every module to skip; the modules own
// their state.
//
// When: at the observation point (sim/clock.hpp) of a cycle in which one
// PE of the layer (the anchor: the highest-index PE of those that load
// first) started a load, once at least 2 * members module activations (runs
// of a PE, the DMA, the sequencer) have passed since the last snapshot:
// about once per tile of the anchor, so the O(PEs) cost of a snapshot stays
// a small share of the activations it follows, and a steady state is found
// within a few periods of its start. (A doubling interval, tried before,
// let most of mobilenet_v2's layers end before the interval matched their
// period: 47 % more activations.) A layer too short to ever skip does no
// bookkeeping.
#pragma once

#include <systemc>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "sim/clock.hpp"
#include "sim/steady_state.hpp"

namespace apollo::sim {

class Pe;

class FastForward : public sc_core::sc_module {
 public:
  // `always`: modules that take part in every layer (channels, the DMA).
  FastForward(const sc_core::sc_module_name& name, const Clock& clock, std::vector<SteadyState*> always);
  SC_HAS_PROCESS(FastForward);

  // A layer's PEs start (they join one by one).
  void start_layer();
  void join(Pe& pe, int64_t tiles);  // a PE takes part in the running layer
  void activation() { ++since_snapshot_; }  // every module activation of the model
  void loaded(int32_t pe);                  // `pe` started a load in its activation
  void finished(int32_t pe);                // `pe` stored its last tile of the layer
  int64_t skipped_cycles() const { return skipped_cycles_; }

 private:
  void observe();
  void forget();
  bool due_for_pin(int64_t now) const;
  bool same_everywhere(size_t a, size_t b) const;
  // Skips as many periods as every module allows; false when none can be.
  bool try_skip(size_t then, size_t now_slot, int64_t period, int64_t now);

  // Snapshot slots: a ring of recent snapshots, and one pinned state.
  static constexpr size_t kRing = SteadyState::kSlots - 1;
  static constexpr size_t kPinned = SteadyState::kSlots - 1;

  const Clock& clock_;
  std::vector<SteadyState*> always_;
  std::vector<SteadyState*> modules_;  // always_ + the running layer's PEs
  sc_core::sc_event observe_event_;
  bool enabled_ = false;
  bool observing_ = false;  // an observation is scheduled
  size_t members_ = 0;
  int64_t layer_tiles_ = 0;
  int32_t anchor_ = -1;
  int64_t anchor_since_ = -1;  // cycle the anchor was chosen
  struct Taken {
    int64_t time = 0;
    uint64_t hash = 0;
  };
  std::vector<Taken> taken_ = std::vector<Taken>(kRing);  // per ring slot
  std::unordered_map<uint64_t, int64_t> seen_;  // state hash -> time last observed, this layer
  // A candidate long period: the state at `time` (slot kPinned) is expected
  // again `period` cycles later.
  struct Pin {
    int64_t time = 0;
    int64_t period = 0;  // 0: no candidate
    uint64_t hash = 0;
  };
  Pin pin_;
  size_t next_ = 0, stored_ = 0;
  size_t since_snapshot_ = 0;  // module activations since the last snapshot
  int64_t skipped_cycles_ = 0;
  // A layer expected to take fewer activations per PE (about 3 per tile)
  // is too short for snapshots to pay off.
  static constexpr int64_t kMinActivationsPerPe = 24;
};

}  // namespace apollo::sim
