// One PE's state machine: its PE memory stages at most two tiles (double
// buffering) or one, and its cores are a compact array inside it (the cores
// of a PE compute a tile in lock step, models/program.hpp, so 32,768 cores
// need no object of their own). It runs over load / compute / store when
// something completes. The PEs live in the PE array (sim/pe_array.hpp), the
// SystemC module that wakes them at their completions and carries their
// transfers over its socket; a PE is plain C++.
#pragma once

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
class PeArray;

class Pe : public SteadyState {
 public:
  struct Context {
    const models::ArchConfig& arch;
    const Clock& clock;
    Observer& observer;
    // nullptr: no fast paths (exact events, traces, a module test). With
    // them, a PE reports its tiles in runs of one step (Observer::tiles in
    // bulk), as fast-forward and layer replay do; without, each tile with
    // its start cycle.
    FastForward* fast_forward;
    int64_t& activations;
    std::function<void(int32_t)> on_done;  // the PE has stored its last tile of the layer
  };

  Pe(int32_t index, PeArray& array, Context context);

  int32_t index() const { return index_; }
  // Starts this PE's share of a layer; false when it has no tile to run.
  bool start(const models::PeWork& work, bool double_buffered);
  bool finished() const { return finished_; }
  // The PE array runs the PE at the cycle it asked to wake (wake_at()).
  void run(int64_t now);
  int64_t wake_at() const { return wake_at_; }
  void woken() { wake_at_ = -1; }
  // The DMA's answer to one of the PE's transfers (gp is its load's or its
  // store's payload): its data has arrived at cycle `done`.
  void respond(const tlm::tlm_generic_payload& gp, int64_t done);

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

  bool valid(const Cursor& c) const { return c.step < work_->steps.size(); }
  void skip_empty(Cursor& c) const;
  void advance(Cursor& c) const;
  void start_load(int64_t now);
  void start_compute(int64_t now);
  void start_store(int64_t now);
  void issue(Transaction& t, Pending& p, int64_t bytes, int64_t now);
  void complete(Transaction& t, Pending& p, int64_t done);
  void wake(int64_t at);    // asks the array to run the PE at cycle `at` (the earliest request wins)
  void rearm(int64_t now);  // wake at the earliest completion due after now
  void report_tiles();      // the unreported run of tiles, to the observer
  int64_t room(const Cursor& c) const;  // tiles the cursor can advance without leaving its step; -1: done

  int32_t index_;
  PeArray& array_;
  Context ctx_;
  // The cycle the array will run this PE: at the start of a layer, and at
  // the earliest due completion (run() re-arms for the next one); -1: none.
  int64_t wake_at_ = -1;
  Transaction load_tx_, store_tx_;

  const models::PeWork* work_ = nullptr;
  int buffers_ = 1;  // tiles allowed in flight: 2 with double buffering
  Cursor load_at_, compute_at_, store_at_;
  int loaded_ = 0, computed_ = 0, in_flight_ = 0;
  Pending load_, compute_, store_;
  int64_t memory_in_use_ = 0, computing_operands_ = 0;
  int64_t exposed_ = 0;  // own transfer time so far, the whole run (fast-forward's counter)
  // This layer's own transfer time and most operand bytes staged at once,
  // reported to the observer when the PE finishes the layer (once per
  // layer, not per transfer: their sum and maximum are what is observed).
  int64_t layer_exposed_ = 0, layer_peak_ = 0;
  // Tiles started but not yet reported (fast paths): a run of one step.
  const models::TileStep* unreported_step_ = nullptr;
  int64_t unreported_tiles_ = 0;
  const models::TileStep* timed_step_ = nullptr;  // the last step computed, and its cycles
  int64_t step_cycles_ = 0;
  bool finished_ = true;
  Snapshots<State, Counters> snapshots_;
};

}  // namespace apollo::sim
