// The PE array: one SystemC module holding every PE's state machine
// (sim/pe.hpp), as a PE holds its cores. One initiator socket carries every
// PE's loads and stores to the controller's DMA (TransferExt::pe names the
// PE, as a bus's master ID would); one SC_METHOD runs the PEs whose wake-up
// cycle has come, in PE index order, from a queue of (cycle, PE). The
// order of PEs within a cycle decides nothing: their requests meet at the
// channels' arbiters, which grant by the model's rule (sim/arbiter.hpp).
//
// Why one module and not one per PE: SystemC registers every module,
// socket, event and process by name, and a 32x32 array's 1,024 PE modules
// cost more to elaborate and tear down than the whole simulation of most
// layers; and each PE's wake-up was one timed notification through the
// kernel's queue, where PEs due in the same cycle now share one.
#pragma once

#include <systemc>
#include <tlm>

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/clock.hpp"
#include "sim/pe.hpp"
#include "sim/transfer.hpp"

namespace apollo::sim {

class PeArray : public sc_core::sc_module, public NonBlockingInitiator {
 public:
  tlm::tlm_initiator_socket<> socket;  // every PE's loads and stores, to the controller's DMA

  // `count` PEs, numbered 0..count-1 (y * pe_x + x), each with `context`.
  PeArray(const sc_core::sc_module_name& name, int64_t count, const Clock& clock, const Pe::Context& context);
  SC_HAS_PROCESS(PeArray);

  Pe& pe(size_t i) { return *pes_[i]; }
  size_t size() const { return pes_.size(); }

  // Pe's side: run PE `pe` at its wake_at() cycle (>= now; now means in
  // the next delta cycle; set before the call); send one of its transfers
  // to the DMA.
  void wake(int32_t pe);
  void send(tlm::tlm_generic_payload& gp);

  // The DMA's answer to a PE's transfer.
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;

 private:
  void run_due();
  void notify_next();

  // The wake-up queue: a binary min-heap of (cycle, PE) packed in one
  // integer (cycle in the high bits), the earliest cycle and then the lower
  // PE index on top. A PE asks again when its wake-up moves (Pe::wake_at);
  // an entry that no longer matches is dropped when it reaches the top
  // (cheaper than moving it: wake-ups mostly move earlier).
  static constexpr int kPeBits = 20;  // ArchConfig::kMaxPes fits
  static uint64_t due(int64_t at, int32_t pe) { return static_cast<uint64_t>(at) << kPeBits | static_cast<uint64_t>(pe); }
  static int64_t due_at(uint64_t d) { return static_cast<int64_t>(d >> kPeBits); }
  static int32_t due_pe(uint64_t d) { return static_cast<int32_t>(d & ((uint64_t{1} << kPeBits) - 1)); }
  bool stale(uint64_t d) const { return pes_[static_cast<size_t>(due_pe(d))]->wake_at() != due_at(d); }

  const Clock& clock_;
  std::vector<std::unique_ptr<Pe>> pes_;
  std::vector<uint64_t> queue_;  // std heap order with std::greater: the least on top
  sc_core::sc_event wake_;
  int64_t notified_at_ = -1;  // cycle of wake_'s pending notification; -1: none
  bool running_ = false;      // in run_due, which notifies for the next wake-up at its end
};

}  // namespace apollo::sim
