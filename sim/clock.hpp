// Simulated time in clock cycles. One cycle is one nanosecond of SystemC
// time whatever the clock frequency (latency_ms converts with clock_ghz).
// A cycle has three phases: at its start the modules run (PEs, DMA,
// sequencer) and make requests; at its middle the shared channels arbitrate
// the requests of the cycle (sim/arbiter.hpp); at three quarters
// fast-forward observes the model, when everything of the cycle is done.
#pragma once

#include <cstdint>
#include <systemc>

namespace apollo::sim {

struct Clock {
  uint64_t ticks = sc_core::sc_time(1, sc_core::SC_NS).value();  // per cycle
  int64_t now() const { return static_cast<int64_t>(sc_core::sc_time_stamp().value() / ticks); }
  sc_core::sc_time after(int64_t cycles) const {
    return sc_core::sc_time::from_value(static_cast<uint64_t>(cycles) * ticks);
  }
  int64_t cycles(const sc_core::sc_time& t) const { return static_cast<int64_t>(t.value() / ticks); }
  // Delay from now until the start of cycle `at` (>= now()).
  sc_core::sc_time until(int64_t at) const { return after(at) - sc_core::sc_time_stamp(); }
  // Delay from the start of the current cycle to its arbitration / observation phase.
  sc_core::sc_time to_arbitration() const { return sc_core::sc_time::from_value(ticks / 2); }
  sc_core::sc_time to_observation() const { return sc_core::sc_time::from_value(3 * ticks / 4); }
};

}  // namespace apollo::sim
