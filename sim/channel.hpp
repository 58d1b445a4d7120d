// A shared channel (the DRAM link, the distribution network): one transfer
// at a time, granted by the model's arbitration rule (sim/arbiter.hpp).
//
// Protocol (TLM-2.0 base protocol, approximately timed): the initiator
// sends BEGIN_REQ at the cycle the request reaches the channel; the channel
// answers END_REQ at once, collects the requests of the cycle, and at the
// cycle's arbitration phase (sim/clock.hpp) grants them in rule order and
// sends each one BEGIN_RESP on the backward path, its delay annotated to the
// cycle its data has arrived (end of the transfer plus the channel's fixed
// latency). So contention costs one process activation per cycle with
// requests, never a per-cycle event.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/arbiter.hpp"
#include "sim/clock.hpp"
#include "sim/events.hpp"
#include "sim/steady_state.hpp"

namespace apollo::sim {

struct ChannelSpec {
  Channel id = Channel::Network;
  double bytes_per_cycle = 1;
  int64_t latency_cycles = 0;  // fixed access latency after the data has moved (DRAM)
};

class SharedChannel : public sc_core::sc_module, public SteadyState {
 public:
  tlm_utils::simple_target_socket<SharedChannel> socket;

  SharedChannel(const sc_core::sc_module_name& name, const ChannelSpec& spec, const Clock& clock,
                Observer& observer, int64_t& activations);
  SC_HAS_PROCESS(SharedChannel);

  Channel id() const { return spec_.id; }
  // Idle from `now` on: nothing pending, nothing granted beyond now.
  bool idle(int64_t now) const { return !arbiter_.pending() && arbiter_.free_at() <= now; }

  bool capture(size_t slot, int64_t now, StateHash& hash) override;
  bool same_state(size_t a, size_t b) const override;
  void skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) override;

 private:
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  void arbitrate();

  struct State {
    int64_t busy_for = 0;  // cycles until the channel is free (0: idle, however long ago)
    bool operator==(const State&) const = default;
  };
  struct Counters {
    ChannelStats served;
  };

  ChannelSpec spec_;
  const Clock& clock_;
  Observer& observer_;
  int64_t& activations_;
  Arbiter arbiter_;
  std::vector<Arbiter::Grant> grants_;  // scratch of arbitrate()
  ChannelStats served_;                 // everything granted so far
  Snapshots<State, Counters> snapshots_;
  sc_core::sc_event arbitrate_event_;
};

}  // namespace apollo::sim
