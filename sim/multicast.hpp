// Multicast bookkeeping of the DMA (models/program.hpp, "Multicast"):
// the groups gathering their members' load requests, and the loads that
// arrive in parts (a PE's own bytes and the multicasts of its groups), as a
// fast-forward module. Plain C++ apart from the payload handles it keeps.
#pragma once

#include <tlm>

#include <cstdint>
#include <vector>

#include "models/program.hpp"
#include "sim/steady_state.hpp"

namespace apollo::sim {

class MulticastJoin : public SteadyState {
 public:
  explicit MulticastJoin(size_t pes) : pe_(pes) {}

  // The running layer's groups (the previous layer's state must be empty).
  void start_layer(const models::LayerProgram& layer);
  const std::vector<int32_t>& members(int32_t group) const { return members_[static_cast<size_t>(group)]; }
  int32_t leader(int32_t group) const { return members_[static_cast<size_t>(group)].front(); }

  // `pe`'s load arrives in `parts` parts; `load` is answered when all have.
  void expect(int32_t pe, tlm::tlm_generic_payload& load, int parts);
  bool joined(int32_t pe) const { return pe_[static_cast<size_t>(pe)].parts > 0; }
  // A part of `pe`'s load arrives at cycle `at` after `own` cycles of its
  // own transfer. Returns the load's payload when it was the last part
  // (`at` and `own` then the load's: the latest arrival, the longest own
  // time), else nullptr.
  tlm::tlm_generic_payload* arrived(int32_t pe, int64_t& at, int64_t& own);

  // `pe` requests its share of `group`'s next multicast, of `bytes` bytes.
  // True when it was the last member: the multicast goes now. Throws when
  // members ask for different bytes (their work classes would differ).
  bool request(int32_t group, int32_t pe, int64_t bytes);
  bool idle() const;  // no partial gather, no load waiting for parts

  bool capture(size_t slot, int64_t now, StateHash& hash) override;
  bool same_state(size_t a, size_t b) const override { return snapshots_.state[a] == snapshots_.state[b]; }
  void skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) override;

 private:
  struct PerPe {
    int parts = 0;        // parts of the load still to arrive
    int64_t at = 0;       // latest arrival of its parts so far
    int64_t own = 0;      // longest own transfer time of its parts so far
    int8_t gathering = 0; // requested, not yet sent: bit 0 its input group, bit 1 its weight group
    int32_t input_group = -1, weight_group = -1;
    tlm::tlm_generic_payload* load = nullptr;
  };
  struct Gather {
    int32_t requested = 0;
    int64_t bytes = 0;
    bool operator==(const Gather&) const = default;
  };
  struct Waiting {  // one PE with a joined load or a request, relative to the snapshot
    int32_t pe = 0;
    int parts = 0;
    int64_t at = 0, own = 0;
    int8_t gathering = 0;
    bool operator==(const Waiting&) const = default;
  };
  struct State {
    std::vector<Waiting> waiting;  // by PE
    std::vector<Gather> gathers;   // by group
    bool operator==(const State&) const = default;
  };
  struct Counters {};

  std::vector<PerPe> pe_;
  std::vector<std::vector<int32_t>> members_;
  std::vector<Gather> gathers_;
  std::vector<int32_t> active_;  // PEs in some group of the running layer
  Snapshots<State, Counters> snapshots_;
};

}  // namespace apollo::sim
