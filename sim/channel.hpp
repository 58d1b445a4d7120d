// A shared channel (the DRAM link, the distribution network): one transfer
// at a time, granted by the model's arbitration rule (sim/arbiter.hpp).
//
// Protocol (TLM-2.0 base protocol, approximately timed): the initiator
// sends BEGIN_REQ at the cycle the request reaches the channel; the channel
// answers END_REQ at once, collects the requests of the cycle, and in the
// update phase of that delta cycle (after every process that runs then)
// grants them in rule order and sends each one BEGIN_RESP on the backward
// path, its delay annotated to the cycle its data has arrived (end of the
// transfer plus the channel's fixed latency). All requests of a cycle are
// made in one delta cycle (processes wake on timed events; only a layer's
// start runs in later deltas, and then nothing else is in flight); a
// request that comes after its cycle's grants is refused as a model error,
// so the order of processes can never decide a grant. Contention costs no
// process activation and no per-cycle event.
#pragma once

#include <systemc>
#include <tlm>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/arbiter.hpp"
#include "sim/clock.hpp"
#include "sim/events.hpp"
#include "sim/steady_state.hpp"
#include "sim/transfer.hpp"

namespace apollo::sim {

struct ChannelSpec {
  Channel id = Channel::Network;
  double bytes_per_cycle = 1;
  int64_t latency_cycles = 0;  // fixed access latency after the data has moved (DRAM)
};

class SharedChannel : public sc_core::sc_module, public NonBlockingTarget, public SteadyState {
 public:
  tlm::tlm_target_socket<> socket;

  SharedChannel(const sc_core::sc_module_name& name, const ChannelSpec& spec, const Clock& clock,
                Observer& observer);

  Channel id() const { return spec_.id; }
  // Idle from `now` on: nothing pending, nothing granted beyond now.
  bool idle(int64_t now) const { return !arbiter_.pending() && arbiter_.free_at() <= now; }
  // With fast paths the channel reports its traffic to the observers as a
  // layer's total (Observer::transfers, at report_traffic(), which the
  // model calls before each layer's end), not hop by hop with intervals.
  void report_in_bulk() { bulk_ = true; }
  void report_traffic();

  bool capture(size_t slot, int64_t now, StateHash& hash) override;
  bool same_state(size_t a, size_t b) const override;
  void skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) override;

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;

 private:
  void arbitrate();

  // Calls arbitrate() in the update phase of the delta cycle it was requested in.
  class GrantPoint : public sc_core::sc_prim_channel {
   public:
    explicit GrantPoint(SharedChannel& c) : sc_prim_channel("grant"), channel_(c) {}
    void request() { request_update(); }

   private:
    void update() override { channel_.arbitrate(); }
    SharedChannel& channel_;
  };

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
  Arbiter arbiter_;
  int64_t last_grant_ = -1;             // cycle of the last arbitration
  std::vector<Arbiter::Grant> grants_;  // scratch of arbitrate()
  ChannelStats served_;                 // everything granted so far
  bool bulk_ = false;
  ChannelStats unreported_;             // granted, not yet reported (bulk_)
  Snapshots<State, Counters> snapshots_;
  GrantPoint grant_point_{*this};
};

}  // namespace apollo::sim
