#include "sim/controller.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "sim/fast_forward.hpp"
#include "sim/pe_array.hpp"

namespace apollo::sim {

// ---- HopQueue ----------------------------------------------------------------

bool HopQueue::Waiting::operator==(const Waiting& o) const {
  auto same_route = [&] {
    if (route.size() != o.route.size()) return false;
    for (size_t i = 0; i < route.size(); ++i) {
      if (route[i].channel != o.route[i].channel || route[i].bytes != o.route[i].bytes) return false;
    }
    return true;
  };
  return due == o.due && pe == o.pe && group == o.group && kind == o.kind && next_hop == o.next_hop && own_cycles == o.own_cycles &&
         same_route();
}

void HopQueue::push(tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay) {
  entries_.emplace(clock_.stamp() + delay, &gp);
  event_.notify(delay);
}

tlm::tlm_generic_payload* HopQueue::pop_due() {
  if (entries_.empty()) return nullptr;
  const sc_core::sc_time now = clock_.stamp();
  if (entries_.begin()->first <= now) {
    tlm::tlm_generic_payload* gp = entries_.begin()->second;
    entries_.erase(entries_.begin());
    return gp;
  }
  event_.notify(entries_.begin()->first - now);
  return nullptr;
}

bool HopQueue::capture(size_t slot, int64_t now, StateHash& hash) {
  snapshots_.reserve();
  State& s = snapshots_.state[slot];
  s.waiting.clear();
  for (const auto& [at, gp] : entries_) {
    const int64_t due = clock_.cycles(at);
    if (due <= now) return false;
    const TransferExt& e = extension(*gp);
    s.waiting.push_back({due - now, e.pe, e.group, e.kind, e.next_hop, e.own_cycles, e.route});
  }
  std::sort(s.waiting.begin(), s.waiting.end(), [](const Waiting& a, const Waiting& b) {
    return std::tie(a.due, a.pe, a.group, a.kind) < std::tie(b.due, b.pe, b.group, b.kind);
  });
  hash.add(static_cast<int64_t>(s.waiting.size()));
  for (const Waiting& w : s.waiting) hash.add(w.due).add(w.pe).add(w.group).add(static_cast<int64_t>(w.kind));
  return true;
}

void HopQueue::skip(size_t /*then_slot*/, size_t /*now_slot*/, int64_t k, int64_t period, int64_t /*now*/) {
  if (entries_.empty()) return;
  const sc_core::sc_time shift = clock_.after(k * period);
  std::multimap<sc_core::sc_time, tlm::tlm_generic_payload*> moved;
  for (const auto& [at, gp] : entries_) moved.emplace_hint(moved.end(), at + shift, gp);
  entries_.swap(moved);
  event_.cancel();
  event_.notify(entries_.begin()->first - clock_.stamp());
}

// ---- Controller --------------------------------------------------------------

Controller::Controller(const sc_core::sc_module_name& name, Context context)
    : sc_module(name), pe_side("pe_side"), ctx_(context), hops_(ctx_.clock),
      join_(static_cast<size_t>(ctx_.program.arch.num_pes())),
      replay_(static_cast<size_t>(ctx_.program.arch.num_pes())), layer_event_("layer") {
  pe_side.bind(*this);
  for (Channel c : kAllChannels) {
    auto& port = channel_ports_[index(c)];
    port = std::make_unique<tlm::tlm_initiator_socket<>>((std::string("port_") + to_string(c)).c_str());
    port->bind(*this);
  }
  instructions_.ext.kind = TransferKind::Instructions;
  instructions_.set_command(tlm::TLM_READ_COMMAND);
  preload_.ext.kind = TransferKind::Preload;
  preload_.set_command(tlm::TLM_READ_COMMAND);
  SC_METHOD(dma_step);
  sensitive << hops_.event();
  dont_initialize();
  SC_METHOD(sequence);  // runs once at time 0 to start the first layer
  sensitive << layer_event_;
}

// A PE's load or store: route it by where its bytes live. Weights are in
// parameter memory unless they stream from DRAM; each input feature map is
// in activation memory unless spilled (the tile step says how many of its
// input bytes are). A load crosses the link for its DRAM bytes, then the
// network; a store the network, then the link if its output lives in DRAM.
// The link moves the step's link bytes (whole DRAM bursts), the network
// the useful bytes.
tlm::tlm_sync_enum Controller::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                               sc_core::sc_time& /*delay*/) {
  if (phase != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;
  TransferExt& ext = extension(gp);
  if (ext.kind == TransferKind::Load) {
    route_load(gp);
  } else {
    const models::LayerProgram& l = layer();
    ext.route.assign({{Channel::Network, ext.output_bytes}, {Channel::Link, l.output_in_dram ? ext.output_link_bytes : 0}});
    ext.next_hop = 0;
    send_next_hop(gp);
  }
  phase = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

// A load's operands shared with a multicast group travel with the group's
// multicast, sent when the last member asks for it; the rest goes to the
// PE alone. The PE is answered when every part has arrived.
void Controller::route_load(tlm::tlm_generic_payload& gp) {
  TransferExt& ext = extension(gp);
  const models::LayerProgram& l = layer();
  const auto pe = static_cast<size_t>(ext.pe);
  const int32_t in_group = l.input_group.empty() || ext.input_bytes == 0 ? -1 : l.input_group[pe];
  const int32_t w_group = l.weight_group.empty() || ext.weight_bytes == 0 ? -1 : l.weight_group[pe];
  const int64_t weight_dram = l.weights_in_dram ? ext.weight_link_bytes : 0;
  const int64_t own = (in_group < 0 ? ext.input_bytes : 0) + (w_group < 0 ? ext.weight_bytes : 0);
  const int64_t own_dram = (in_group < 0 ? ext.input_link_bytes : 0) + (w_group < 0 ? weight_dram : 0);
  const int parts = (own > 0 ? 1 : 0) + (in_group >= 0 ? 1 : 0) + (w_group >= 0 ? 1 : 0);
  if (parts > 1 || own == 0) join_.expect(ext.pe, gp, parts);
  if (own > 0) {
    ext.route.assign({{Channel::Link, own_dram}, {Channel::Network, own}});
    ext.next_hop = 0;
    send_next_hop(gp);
  }
  // Copies: a multicast that goes now may answer this PE and reuse `ext`.
  const int64_t in_bytes = ext.input_bytes, in_dram = ext.input_link_bytes, w_bytes = ext.weight_bytes;
  const int32_t requester = ext.pe;
  if (in_group >= 0 && join_.request(in_group, requester, in_bytes)) send_multicast(in_group, in_bytes, in_dram);
  if (w_group >= 0 && join_.request(w_group, requester, w_bytes)) send_multicast(w_group, w_bytes, weight_dram);
}

void Controller::send_multicast(int32_t group, int64_t bytes, int64_t dram_bytes) {
  Transaction& t = *multicasts_[static_cast<size_t>(group)];
  t.ext.group = group;
  t.ext.pe = join_.leader(group);
  t.ext.route.assign({{Channel::Link, dram_bytes}, {Channel::Network, bytes}});
  t.ext.next_hop = 0;
  t.ext.own_cycles = 0;
  send_next_hop(t);
}

void Controller::answer_pe(tlm::tlm_generic_payload& gp, sc_core::sc_time delay) {
  tlm::tlm_phase resp = tlm::BEGIN_RESP;
  pe_side->nb_transport_bw(gp, resp, delay);
}

void Controller::send_next_hop(tlm::tlm_generic_payload& gp) {
  TransferExt& ext = extension(gp);
  while (ext.next_hop < ext.route.size() && ext.route[ext.next_hop].bytes == 0) ++ext.next_hop;
  if (ext.next_hop == ext.route.size()) throw std::logic_error("dma: a transfer without bytes");
  const Hop& hop = ext.route[ext.next_hop++];
  gp.set_data_length(static_cast<unsigned int>(hop.bytes));
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  channel_port(hop.channel)->nb_transport_fw(gp, phase, delay);
}

// A hop was granted; its data arrives after `delay`.
tlm::tlm_sync_enum Controller::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                               sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  TransferExt& ext = extension(gp);
  while (ext.next_hop < ext.route.size() && ext.route[ext.next_hop].bytes == 0) ++ext.next_hop;
  if (ext.next_hop < ext.route.size()) {
    hops_.push(gp, delay);  // the next hop is requested when this one's data has arrived
    return tlm::TLM_COMPLETED;
  }
  const int64_t at = ctx_.clock.cycles(ctx_.clock.stamp() + delay);
  if (ext.kind == TransferKind::Multicast) {
    for (int32_t member : join_.members(ext.group)) part_arrived(member, at, ext.own_cycles);
  } else if (ext.pe >= 0 && ext.kind == TransferKind::Load && join_.joined(ext.pe)) {
    part_arrived(ext.pe, at, ext.own_cycles);
  } else if (ext.pe >= 0) {
    answer_pe(gp, delay);  // its last hop's arrival is the PE's
  } else {  // the controller's own fetch: the layer's PEs start when the last has arrived
    fetched_at_ = std::max(fetched_at_, at);
    if (--pending_fetches_ == 0) layer_event_.notify(ctx_.clock.until(fetched_at_));
  }
  return tlm::TLM_COMPLETED;
}

// A part of `pe`'s load has arrived; the last part answers the PE with the
// latest arrival and the longest own transfer time of its parts.
void Controller::part_arrived(int32_t pe, int64_t at, int64_t own) {
  if (tlm::tlm_generic_payload* load = join_.arrived(pe, at, own)) {
    extension(*load).own_cycles = own;
    answer_pe(*load, ctx_.clock.until(at));
  }
}

void Controller::dma_step() {
  ++ctx_.activations;
  if (ctx_.fast_forward) ctx_.fast_forward->activation();
  while (tlm::tlm_generic_payload* gp = hops_.pop_due()) send_next_hop(*gp);
}

// The last PE has stored its last tile. An input-channel split's partial
// sums are then reduced (models/program.hpp): the layer ends that many
// cycles later, when the sequencer wakes.
void Controller::pe_done(int32_t /*pe*/) {
  if (--running_ > 0) return;
  const int64_t reduction = models::reduction_cycles(layer().reduction_bytes, ctx_.program.arch);
  if (reduction > 0) {
    state_ = State::Reducing;
    layer_event_.notify(ctx_.clock.after(reduction));
    return;
  }
  end_layer();
  layer_event_.notify(sc_core::SC_ZERO_TIME);  // the sequencer starts the next layer
}

void Controller::sequence() {
  ++ctx_.activations;
  if (ctx_.fast_forward) ctx_.fast_forward->activation();
  const int64_t now = ctx_.clock.now();
  if (state_ == State::Reloading) start_pes();  // may end an empty layer at once
  if (state_ == State::Reducing) end_layer();
  if (state_ == State::Replaying) {
    LayerReplay::replay(*replaying_, layer(), ctx_.observer);
    replaying_ = nullptr;
    end_layer();
  }
  while (state_ == State::Between && next_layer_ < ctx_.program.layers.size()) {
    ++next_layer_;
    const models::LayerProgram& l = layer();
    ctx_.observer.layer_started(static_cast<int32_t>(next_layer_ - 1), l, now);
    if (ctx_.replay_layers) {
      if (model_idle_ && !model_idle_(now)) {
        throw std::logic_error("sequencer: a layer starts while transfers are in flight");
      }
      if ((replaying_ = replay_.find_or_record(l, now))) {
        state_ = State::Replaying;
        layer_event_.notify(ctx_.clock.after(replaying_->cycles));
        return;
      }
    }
    if (fetch_before_layer(l)) {
      state_ = State::Reloading;
      return;
    }
    start_pes();
  }
}

// The instruction chunk of a program larger than instruction memory, and
// before the first layer the network input, cross the link before the
// layer's PEs start. Both requests are made in this cycle; the arbiter
// serves the instructions first.
bool Controller::fetch_before_layer(const models::LayerProgram& l) {
  pending_fetches_ = 0;
  fetched_at_ = 0;
  auto fetch = [&](Transaction& t, int64_t bytes) {
    if (bytes <= 0) return;
    t.ext.route.assign({{Channel::Link, bytes}});
    t.ext.next_hop = 0;
    t.ext.own_cycles = 0;
    ++pending_fetches_;
    send_next_hop(t);
  };
  fetch(instructions_, l.instruction_reload_link_bytes);
  fetch(preload_, l.input_preload_link_bytes);
  return pending_fetches_ > 0;
}

void Controller::start_pes() {
  const models::LayerProgram& l = layer();
  state_ = State::Running;
  running_ = 0;
  join_.start_layer(l);
  while (multicasts_.size() < static_cast<size_t>(l.groups)) {
    multicasts_.push_back(std::make_unique<Transaction>());
    multicasts_.back()->ext.kind = TransferKind::Multicast;
    multicasts_.back()->set_command(tlm::TLM_READ_COMMAND);
  }
  if (ctx_.fast_forward) ctx_.fast_forward->start_layer();
  for (size_t p = 0; p < l.pe_class.size(); ++p) {
    const int cls = l.pe_class[p];
    if (cls < 0) continue;
    const models::PeWork& work = l.work_classes[static_cast<size_t>(cls)];
    Pe& pe = pes_->pe(p);
    if (pe.start(work, l.double_buffered)) {
      ++running_;
      int64_t tiles = 0;
      for (const auto& step : work.steps) tiles += step.count;
      if (ctx_.fast_forward) ctx_.fast_forward->join(pe, tiles);
    }
  }
  if (running_ == 0) end_layer();
}

// Barrier: every PE has stored its last tile (or the replayed layer's time has passed).
void Controller::end_layer() {
  if (before_layer_end_) before_layer_end_();
  ctx_.observer.layer_finished(static_cast<int32_t>(next_layer_ - 1), ctx_.clock.now());
  state_ = State::Between;
}

}  // namespace apollo::sim
