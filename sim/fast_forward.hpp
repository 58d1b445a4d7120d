// Exact fast-forward of periodic steady states within a layer (the method
// is in sim/steady_state.hpp). This coordinator decides when to observe,
// finds a repeated state and tells every module to skip; the modules own
// their state.
//
// When: at the observation phase (sim/clock.hpp) of a cycle in which one
// PE of the layer (the anchor) started a load, once per 2 * members process
// activations, doubling the interval (up to 64x) while no observation leads
// to a skip, so the O(PEs) cost of a snapshot stays small; a layer too
// short to ever skip does no bookkeeping.
#pragma once

#include <systemc>

#include <cstdint>
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

  // A layer starts; `enabled` false keeps it event by event.
  void start_layer(bool enabled);
  void join(Pe& pe, int64_t tiles);  // a PE takes part in the running layer
  void activation() { ++since_snapshot_; }  // every process activation of the model
  void loaded(int32_t pe);                  // `pe` started a load in its activation
  void finished(int32_t pe);                // `pe` stored its last tile of the layer
  int64_t skipped_cycles() const { return skipped_cycles_; }

 private:
  void observe();
  void forget();

  const Clock& clock_;
  std::vector<SteadyState*> always_;
  std::vector<SteadyState*> modules_;  // always_ + the running layer's PEs
  sc_core::sc_event observe_event_;
  bool enabled_ = false;
  bool observing_ = false;  // an observation is scheduled
  size_t members_ = 0;
  int64_t layer_tiles_ = 0;
  int32_t anchor_ = -1;
  struct Taken {
    int64_t time = 0;
    uint64_t hash = 0;
  };
  std::vector<Taken> taken_ = std::vector<Taken>(SteadyState::kSlots);  // per slot
  size_t next_ = 0, stored_ = 0;
  size_t since_snapshot_ = 0;  // process activations since the last snapshot
  int backoff_ = 0;            // snapshot interval is 2 * members << backoff_ activations
  int64_t skipped_cycles_ = 0;
  static constexpr int kMaxBackoff = 6;
  // A layer expected to take fewer activations per PE (about 3 per tile)
  // is too short for snapshots to pay off.
  static constexpr int64_t kMinActivationsPerPe = 24;
};

}  // namespace apollo::sim
