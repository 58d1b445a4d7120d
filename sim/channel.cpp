#include "sim/channel.hpp"

#include <stdexcept>
#include <string>

#include "sim/timing.hpp"
#include "sim/transfer.hpp"

namespace apollo::sim {

SharedChannel::SharedChannel(const sc_core::sc_module_name& name, const ChannelSpec& spec, const Clock& clock,
                             Observer& observer)
    : sc_module(name), socket("socket"), spec_(spec), clock_(clock), observer_(observer) {
  socket.bind(*this);
}

tlm::tlm_sync_enum SharedChannel::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                  sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;
  if (delay != sc_core::SC_ZERO_TIME) throw std::logic_error("channel: requests must be sent when they arrive");
  const TransferExt& ext = extension(gp);
  const int64_t now = clock_.now();
  if (now == last_grant_) {
    throw std::logic_error(std::string(name()) + ": a request came after its cycle's grants (cycle " +
                           std::to_string(now) + ")");
  }
  if (!arbiter_.pending()) grant_point_.request();
  arbiter_.request({now, ext.kind, ext.pe, ext.group,
                    transfer_cycles(static_cast<int64_t>(gp.get_data_length()), spec_.bytes_per_cycle), &gp});
  phase = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

void SharedChannel::arbitrate() {
  last_grant_ = clock_.now();
  grants_.clear();
  arbiter_.grant(grants_);
  for (const Arbiter::Grant& g : grants_) {
    auto& gp = *static_cast<tlm::tlm_generic_payload*>(g.request.tag);
    TransferExt& ext = extension(gp);
    const auto bytes = static_cast<int64_t>(gp.get_data_length());
    ext.own_cycles += g.end - g.start + spec_.latency_cycles;
    const TransferInterval granted{g.start, g.end, bytes, ext.pe, ext.group, spec_.id, ext.kind};
    served_ += granted.traffic();
    if (bulk_) {
      unreported_ += granted.traffic();
    } else {
      observer_.transfer(granted);
    }
    tlm::tlm_phase phase = tlm::BEGIN_RESP;
    sc_core::sc_time delay = clock_.until(g.end + spec_.latency_cycles);
    socket->nb_transport_bw(gp, phase, delay);
  }
}

void SharedChannel::report_traffic() {
  if (unreported_ == ChannelStats{}) return;
  observer_.transfers(spec_.id, unreported_);
  unreported_ = ChannelStats{};
}

bool SharedChannel::capture(size_t slot, int64_t now, StateHash& hash) {
  if (arbiter_.pending()) return false;
  const State s{std::max<int64_t>(arbiter_.free_at() - now, 0)};
  snapshots_.reserve();
  snapshots_.state[slot] = s;
  snapshots_.counters[slot] = {served_};
  hash.add(s.busy_for);
  return true;
}

bool SharedChannel::same_state(size_t a, size_t b) const { return snapshots_.state[a] == snapshots_.state[b]; }

void SharedChannel::skip(size_t then_slot, size_t now_slot, int64_t k, int64_t period, int64_t now) {
  const ChannelStats& then = snapshots_.counters[then_slot].served;
  const ChannelStats& at = snapshots_.counters[now_slot].served;
  const ChannelStats grown{k * (at.bytes - then.bytes), k * (at.busy_cycles - then.busy_cycles)};
  arbiter_.shift(now, k * period);
  served_ += grown;
  observer_.transfers(spec_.id, grown);
}

}  // namespace apollo::sim
