// A fresh SystemC kernel for the lifetime of this object. SystemC cannot
// elaborate twice in one kernel, so every simulation (and every module test)
// installs its own sc_simcontext and restores the previous one afterwards.
// Measured: heap use stays flat over hundreds of calls, and a whole one-PE
// simulation takes ~0.03 ms, while a fork + pipe + wait per call costs ~8 ms
// from a caller with 64 MB touched; the search forks its workers anyway.
#pragma once

#include <systemc>

#include <memory>

namespace apollo::sim {

class FreshKernel {
 public:
  FreshKernel()
      : previous_(sc_core::sc_curr_simcontext), previous_default_(sc_core::sc_default_global_context),
        context_(std::make_unique<sc_core::sc_simcontext>()) {
    sc_core::sc_curr_simcontext = context_.get();
    sc_core::sc_default_global_context = context_.get();
  }
  ~FreshKernel() {
    sc_core::sc_curr_simcontext = previous_;
    sc_core::sc_default_global_context = previous_default_;
  }
  // Leaves the kernel to the OS (SimOptions::teardown = false).
  void abandon() { (void)context_.release(); }
  FreshKernel(const FreshKernel&) = delete;
  FreshKernel& operator=(const FreshKernel&) = delete;

 private:
  sc_core::sc_simcontext* previous_;
  sc_core::sc_simcontext* previous_default_;
  std::unique_ptr<sc_core::sc_simcontext> context_;
};

}  // namespace apollo::sim
