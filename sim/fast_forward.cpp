#include "sim/fast_forward.hpp"

#include <algorithm>

#include "sim/pe.hpp"

namespace apollo::sim {

FastForward::FastForward(const sc_core::sc_module_name& name, const Clock& clock, std::vector<SteadyState*> always)
    : sc_module(name), clock_(clock), always_(std::move(always)), observe_event_("observation") {
  SC_METHOD(observe);
  sensitive << observe_event_;
  dont_initialize();
}

void FastForward::forget() {
  stored_ = 0;
  since_snapshot_ = 0;
  backoff_ = 0;
}

void FastForward::start_layer(bool enabled) {
  enabled_ = enabled;
  modules_ = always_;
  members_ = 0;
  layer_tiles_ = 0;
  anchor_ = -1;
  forget();
}

void FastForward::join(Pe& pe, int64_t tiles) {
  modules_.push_back(&pe);
  ++members_;
  layer_tiles_ += tiles;
}

void FastForward::finished(int32_t pe) {
  if (pe == anchor_) {
    anchor_ = -1;
    forget();
  }
}

void FastForward::loaded(int32_t pe) {
  if (!enabled_) return;
  if (3 * layer_tiles_ < kMinActivationsPerPe * static_cast<int64_t>(members_)) {
    enabled_ = false;
    return;
  }
  if (anchor_ < 0) anchor_ = pe;
  if (pe != anchor_ || observing_ || since_snapshot_ < (2 * members_ << backoff_)) return;
  since_snapshot_ = 0;
  observing_ = true;
  observe_event_.notify(clock_.to_observation());
}

void FastForward::observe() {
  observing_ = false;
  if (!enabled_ || anchor_ < 0) return;
  const int64_t now = clock_.now();
  StateHash hash;
  for (SteadyState* m : modules_) {
    if (!m->capture(next_, now, hash)) return;
  }
  taken_[next_] = {now, hash.value};
  // The most recent equal state gives the shortest period (older ones are multiples).
  for (size_t back = 1; back <= std::min(stored_, SteadyState::kSlots - 1); ++back) {  // slot next_ is the new one
    const size_t then = (next_ + SteadyState::kSlots - back) % SteadyState::kSlots;
    if (taken_[then].hash != hash.value) continue;
    if (!std::all_of(modules_.begin(), modules_.end(), [&](SteadyState* m) { return m->same_state(then, next_); })) {
      continue;
    }
    int64_t k = SteadyState::kUnlimited;
    for (SteadyState* m : modules_) k = std::min(k, m->periods_left(then, next_));
    if (k == SteadyState::kUnlimited) k = 0;  // nothing advances: not a steady state of work
    if (k > 0) {
      const int64_t period = now - taken_[then].time;
      for (SteadyState* m : modules_) m->skip(then, next_, k, period, now);
      skipped_cycles_ += k * period;
      forget();
      return;
    }
    break;
  }
  next_ = (next_ + 1) % SteadyState::kSlots;
  stored_ = std::min(stored_ + 1, SteadyState::kSlots);
  backoff_ = std::min(backoff_ + 1, kMaxBackoff);  // no skip yet: snapshot less often
}

}  // namespace apollo::sim
