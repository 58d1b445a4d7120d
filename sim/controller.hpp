// The controller: instruction, parameter and activation memories (it knows
// where each tensor of the running layer lives), the DMA that routes PE
// loads and stores over the shared channels, and the layer sequencer
// (instruction reload, start of PEs, barrier, replay of repeated layers).
//
// Sockets: PeArray.socket -> pe_side (TransferExt::pe names the PE); one
// initiator port per shared channel (channel_port(c) -> SharedChannel).
// The DMA sends a transfer's next hop at the cycle the previous hop's data
// has arrived (a queue of payloads by time, like tlm_utils::peq_with_get),
// and answers the PE on the backward path when the last hop is granted,
// its delay annotated to the arrival of the data.
#pragma once

#include <systemc>
#include <tlm>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "models/arch.hpp"
#include "models/program.hpp"
#include "sim/clock.hpp"
#include "sim/events.hpp"
#include "sim/layer_replay.hpp"
#include "sim/multicast.hpp"
#include "sim/steady_state.hpp"
#include "sim/transfer.hpp"

namespace apollo::sim {

class FastForward;
class PeArray;

// The DMA's transfers waiting for their next hop, as a fast-forward module.
class HopQueue : public SteadyState {
 public:
  explicit HopQueue(const Clock& clock) : clock_(clock), event_("next_hop") {}
  void push(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay);
  // Call until it returns nullptr (then the event is set for the next one).
  tlm::tlm_generic_payload* pop_due();
  sc_core::sc_event& event() { return event_; }
  bool empty() const { return entries_.empty(); }

  bool capture(size_t slot, int64_t now, StateHash& hash) override;
  bool same_state(size_t a, size_t b) const override { return snapshots_.state[a] == snapshots_.state[b]; }
  void skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) override;

 private:
  struct Waiting {  // one queued transfer, relative to the snapshot
    int64_t due = 0;
    int32_t pe = -1;
    int32_t group = -1;
    TransferKind kind = TransferKind::Load;
    size_t next_hop = 0;
    int64_t own_cycles = 0;
    std::vector<Hop> route;
    bool operator==(const Waiting& o) const;
  };
  struct State {
    std::vector<Waiting> waiting;  // sorted by (due, pe, kind): the order of equal times is not state
    bool operator==(const State&) const = default;
  };
  struct Counters {};
  const Clock& clock_;
  std::multimap<sc_core::sc_time, tlm::tlm_generic_payload*> entries_;
  sc_core::sc_event event_;
  Snapshots<State, Counters> snapshots_;
};

class Controller : public sc_core::sc_module, public NonBlockingTarget, public NonBlockingInitiator {
 public:
  tlm::tlm_target_socket<> pe_side;

  struct Context {
    const models::Program& program;  // and the architecture it was compiled for (program.arch)
    const Clock& clock;
    Observer& observer;        // every observer (statistics, traces, the replay record)
    FastForward* fast_forward; // nullptr: event by event
    bool replay_layers;        // replay repeated layers (LayerReplay)
    int64_t& activations;
  };

  Controller(const sc_core::sc_module_name& name, Context context);
  SC_HAS_PROCESS(Controller);

  // DMA: a PE's load or store arrives (pe_side); a channel granted a hop (channel ports).
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;

  tlm::tlm_initiator_socket<>& channel_port(Channel c) { return *channel_ports_[index(c)]; }
  HopQueue& hops() { return hops_; }
  MulticastJoin& multicast() { return join_; }
  LayerReplay& replay_record() { return replay_; }
  void attach(PeArray& pes) { pes_ = &pes; }
  void set_fast_forward(FastForward* ff) { ctx_.fast_forward = ff; }
  // The model's check that nothing is in flight, asserted before a layer is
  // recorded or replayed (set by the model).
  void set_idle_check(std::function<bool(int64_t)> model_idle) { model_idle_ = std::move(model_idle); }
  // Called at each layer's barrier before the observers hear of its end
  // (the model flushes what modules report in bulk).
  void set_before_layer_end(std::function<void()> f) { before_layer_end_ = std::move(f); }
  void pe_done(int32_t pe);
  bool finished() const { return next_layer_ == ctx_.program.layers.size() && state_ == State::Between; }

 private:
  enum class State { Between, Reloading, Running, Reducing, Replaying };
  const models::LayerProgram& layer() const { return ctx_.program.layers[next_layer_ - 1]; }

  // DMA
  void send_next_hop(tlm::tlm_generic_payload& gp);
  void route_load(tlm::tlm_generic_payload& gp);
  void send_multicast(int32_t group, int64_t bytes, int64_t dram_bytes);
  void answer_pe(tlm::tlm_generic_payload& gp, sc_core::sc_time delay);  // the data arrives after `delay`
  void part_arrived(int32_t pe, int64_t at, int64_t own);
  void dma_step();
  // sequencer
  void sequence();
  void start_pes();
  void end_layer();

  Context ctx_;
  std::array<std::unique_ptr<tlm::tlm_initiator_socket<>>, kChannels> channel_ports_;
  HopQueue hops_;
  MulticastJoin join_;
  std::vector<std::unique_ptr<Transaction>> multicasts_;  // one per group of the running layer
  LayerReplay replay_;
  std::function<bool(int64_t)> model_idle_;
  std::function<void()> before_layer_end_;
  sc_core::sc_event layer_event_;
  // The controller's own transfers before a layer's PEs start.
  bool fetch_before_layer(const models::LayerProgram& l);
  Transaction instructions_, preload_;
  int pending_fetches_ = 0;
  int64_t fetched_at_ = 0;  // cycle the last of them arrives
  PeArray* pes_ = nullptr;
  size_t next_layer_ = 0;  // layers started so far; the running one is next_layer_ - 1
  State state_ = State::Between;
  int64_t running_ = 0;
  const LayerReplay::Record* replaying_ = nullptr;
};

}  // namespace apollo::sim
