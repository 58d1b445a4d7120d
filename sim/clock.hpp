// Simulated time in clock cycles. One cycle is one nanosecond of SystemC
// time whatever the clock frequency (latency_ms converts with clock_ghz).
// At the start of a cycle the modules run (PEs, DMA, sequencer), make
// requests, and the shared channels grant them in the update phase
// (sim/channel.hpp); half a cycle later fast-forward may observe the model,
// when everything of the cycle is done.
#pragma once

#include <cstdint>
#include <systemc>

namespace apollo::sim {

// A Clock belongs to the kernel that is current when it is made (a model
// and its clock are made inside one FreshKernel): reading that kernel's
// time directly is an inline load, where sc_time_stamp() is a library call
// made several times per transfer.
struct Clock {
  const sc_core::sc_simcontext* kernel = sc_core::sc_get_curr_simcontext();
  uint64_t ticks = sc_core::sc_time(1, sc_core::SC_NS).value();  // per cycle
  const sc_core::sc_time& stamp() const { return kernel->time_stamp(); }
  int64_t now() const { return static_cast<int64_t>(stamp().value() / ticks); }
  sc_core::sc_time after(int64_t cycles) const {
    return sc_core::sc_time::from_value(static_cast<uint64_t>(cycles) * ticks);
  }
  int64_t cycles(const sc_core::sc_time& t) const { return static_cast<int64_t>(t.value() / ticks); }
  // Delay from now until the start of cycle `at` (>= now()).
  sc_core::sc_time until(int64_t at) const { return after(at) - stamp(); }
  // Delay from the start of the current cycle to its observation point.
  sc_core::sc_time to_observation() const { return sc_core::sc_time::from_value(ticks / 2); }
};

}  // namespace apollo::sim
