#include "sim/pe_array.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/transfer.hpp"

namespace apollo::sim {

PeArray::PeArray(const sc_core::sc_module_name& name, int64_t count, const Clock& clock, const Pe::Context& context)
    : sc_module(name), socket("socket"), clock_(clock), wake_("wake") {
  static_assert(models::ArchConfig::kMaxPes <= (int64_t{1} << kPeBits));
  socket.bind(*this);
  pes_.reserve(static_cast<size_t>(count));
  for (int64_t p = 0; p < count; ++p) pes_.push_back(std::make_unique<Pe>(static_cast<int32_t>(p), *this, context));
  SC_METHOD(run_due);
  sensitive << wake_;
  dont_initialize();
}

void PeArray::wake(int32_t pe) {
  const int64_t cycle = pes_[static_cast<size_t>(pe)]->wake_at();
  if (cycle >= (int64_t{1} << (63 - kPeBits))) {
    throw std::logic_error("pe array: cycle " + std::to_string(cycle) + " beyond the wake-up queue's range");
  }
  queue_.push_back(due(cycle, pe));
  std::push_heap(queue_.begin(), queue_.end(), std::greater<>());
  if (running_) return;  // run_due notifies once it is done
  if (notified_at_ >= 0 && notified_at_ <= cycle) return;  // the method runs earlier and notifies again
  // SystemC keeps the earlier of two notifications of one event; a delta
  // notification (cycle == now) replaces a timed one.
  notified_at_ = cycle;
  wake_.notify(clock_.until(cycle));
}

void PeArray::send(tlm::tlm_generic_payload& gp) {
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  socket->nb_transport_fw(gp, phase, delay);
}

void PeArray::run_due() {
  notified_at_ = -1;
  running_ = true;
  const int64_t now = clock_.now();
  while (!queue_.empty() && due_at(queue_.front()) <= now) {
    const uint64_t d = queue_.front();
    std::pop_heap(queue_.begin(), queue_.end(), std::greater<>());
    queue_.pop_back();
    if (stale(d)) continue;
    Pe& pe = *pes_[static_cast<size_t>(due_pe(d))];
    pe.woken();
    pe.run(now);  // may ask for later wake-ups (never for now)
  }
  running_ = false;
  notify_next();
}

// Notifies wake_ for the earliest wake-up still wanted (after a fast-forward
// skip moved every wake-up later, one spurious run finds nothing due).
void PeArray::notify_next() {
  while (!queue_.empty() && stale(queue_.front())) {
    std::pop_heap(queue_.begin(), queue_.end(), std::greater<>());
    queue_.pop_back();
  }
  if (queue_.empty()) return;
  notified_at_ = due_at(queue_.front());
  wake_.notify(clock_.until(notified_at_));
}

tlm::tlm_sync_enum PeArray::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                            sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  const int64_t done = clock_.cycles(clock_.stamp() + delay);
  pes_[static_cast<size_t>(extension(gp).pe)]->respond(gp, done);
  return tlm::TLM_COMPLETED;
}

}  // namespace apollo::sim
