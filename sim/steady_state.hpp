// The interface through which fast-forward sees a module (plain C++).
//
// Within a layer the model is deterministic and its future depends only on
// its state relative to now (the arbitration rule, not the kernel's process
// order, decides same-cycle requests). So when the state of every module at
// one snapshot equals the state a period P earlier, the following periods
// repeat the last one exactly until some module's state must change (a PE
// crosses into its next tile step). Each module answers for itself: it
// keeps its own snapshots (a named State, compared, and Counters, which grow
// by the same amount each period), says how many periods it can skip, and
// skips them: every pending time K * P later, counters K times their growth,
// and the skipped work reported to the observers in bulk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace apollo::sim {

// FNV-1a over a sequence of integers, for SteadyState::capture.
struct StateHash {
  uint64_t value = 0xcbf29ce484222325ULL;
  StateHash& add(int64_t v) {
    value = (value ^ static_cast<uint64_t>(v)) * 0x100000001b3ULL;
    return *this;
  }
};

class SteadyState {
 public:
  static constexpr size_t kSlots = 64;  // snapshots kept per module
  static constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();
  virtual ~SteadyState() = default;
  // Saves the state relative to `now` and the counters in `slot`, adding
  // the state to `hash` (equal states, equal hashes). False when the module
  // is not at a point where its state is whole (something due now has not
  // run yet): no snapshot is taken then.
  virtual bool capture(size_t slot, int64_t now, StateHash& hash) = 0;
  virtual bool same_state(size_t a, size_t b) const = 0;
  // How many more periods like then -> now the module can skip.
  virtual int64_t periods_left(size_t /*then*/, size_t /*now*/) const { return kUnlimited; }
  // Skips k periods of `period` cycles at time `now` (the snapshot `now_slot`).
  virtual void skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) = 0;
};

// A module's snapshots by slot: State must have operator==. Allocated at
// the first capture, so modules of layers never observed cost nothing.
template <typename State, typename Counters>
struct Snapshots {
  std::vector<State> state;
  std::vector<Counters> counters;
  void reserve() {
    if (state.empty()) {
      state.resize(SteadyState::kSlots);
      counters.resize(SteadyState::kSlots);
    }
  }
};

}  // namespace apollo::sim
