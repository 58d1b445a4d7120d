// One PE: its PE memory stages at most two tiles (double buffering) or one,
// and its cores are a compact array inside it (the cores of a PE compute a
// tile in lock step, models/program.hpp, so 32,768 cores need no SystemC
// object of their own). One SC_METHOD state machine over load / compute /
// store, woken only when something completes; no SC_THREAD, so no
// coroutine stack per PE.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <functional>

#include "models/arch.hpp"
#include "models/program.hpp"
#include "sim/clock.hpp"
#include "sim/events.hpp"
#include "sim/steady_state.hpp"
#include "sim/transfer.hpp"

namespace apollo::sim {

class FastForward;

class Pe : public sc_core::sc_module, public SteadyState {
 public:
  tlm_utils::simple_initiator_socket<Pe> socket;  // loads and stores, to the controller's DMA

  struct Context {
    const models::ArchConfig& arch;
    const Clock& clock;
    Observer& observer;
    FastForward* fast_forward;  // nullptr: no fast-forward (a module test)
    int64_t& activations;
    std::function<void(int32_t)> on_done;  // the PE has stored its last tile of the layer
  };

  Pe(const sc_core::sc_module_name& name, int32_t index, Context context);
  SC_HAS_PROCESS(Pe);

  int32_t index() const { return index_; }
  // Starts this PE's share of a layer; false when it has no tile to run.
  bool start(const models::PeWork& work, bool double_buffered);
  bool finished() const { return finished_; }

  bool capture(size_t slot, int64_t now, StateHash& hash) override;
  bool same_state(size_t a, size_t b) const override;
  int64_t periods_left(size_t then, size_t now) const override;
  void skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) override;

 private:
  struct Cursor {
    size_t step = 0;
    int64_t rep = 0;
  };
  // A load, store or compute of the PE.
  struct Pending {
    enum class Is : int8_t { None, InDma, Due };
    Is is = Is::None;
    int64_t at = 0;  // Due: completion cycle
  };
  // The PE's state relative to a snapshot's time.
  struct State {
    bool finished = false;
    size_t load_step = 0, compute_step = 0, store_step = 0;
    int loaded = 0, computed = 0, in_flight = 0;
    int64_t memory_in_use = 0, computing_operands = 0;
    Pending load, compute, store;  // `at` relative to the snapshot
    bool operator==(const State& o) const;
  };
  struct Counters {
    int64_t load_rep = 0, compute_rep = 0, store_rep = 0;
    int64_t exposed = 0;
  };

  void run();
  bool valid(const Cursor& c) const { return c.step < work_->steps.size(); }
  void skip_empty(Cursor& c) const;
  void advance(Cursor& c) const;
  void start_load(int64_t now);
  void start_compute(int64_t now);
  void start_store(int64_t now);
  void issue(Transaction& t, Pending& p, int64_t bytes, int64_t now);
  void complete(Transaction& t, Pending& p, int64_t done);
  void wake_at(int64_t at) { wake_.notify(ctx_.clock.until(at)); }
  void rearm(int64_t now);  // wake at the earliest completion due after now
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay);
  int64_t room(const Cursor& c) const;  // tiles the cursor can advance without leaving its step; -1: done

  int32_t index_;
  Context ctx_;
  // The PE's one wake-up: at the start of a layer, and at the earliest due
  // completion (SystemC keeps the earliest of a event's notifications, so
  // run() re-arms it for the next one). One event, not one per kind of
  // completion: a quarter of the events to register at elaboration (a
  // 32x32 array's largest cost there) and to hold in the timed queue.
  sc_core::sc_event wake_;
  Transaction load_tx_, store_tx_;

  const models::PeWork* work_ = nullptr;
  int buffers_ = 1;  // tiles allowed in flight: 2 with double buffering
  Cursor load_at_, compute_at_, store_at_;
  int loaded_ = 0, computed_ = 0, in_flight_ = 0;
  Pending load_, compute_, store_;
  int64_t memory_in_use_ = 0, computing_operands_ = 0;
  int64_t exposed_ = 0;  // own transfer time so far (Observer::exposed)
  bool finished_ = true;
  Snapshots<State, Counters> snapshots_;
};

}  // namespace apollo::sim
