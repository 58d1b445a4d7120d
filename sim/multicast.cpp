#include "sim/multicast.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace apollo::sim {

void MulticastJoin::start_layer(const models::LayerProgram& layer) {
  if (!idle()) throw std::logic_error("multicast: a layer starts while a multicast is gathering");
  for (int32_t pe : active_) pe_[static_cast<size_t>(pe)] = PerPe{};
  active_.clear();
  members_ = layer.group_members();
  gathers_.assign(members_.size(), Gather{});
  for (size_t pe = 0; pe < pe_.size(); ++pe) {
    const int32_t in = layer.input_group.empty() ? -1 : layer.input_group[pe];
    const int32_t w = layer.weight_group.empty() ? -1 : layer.weight_group[pe];
    if (in < 0 && w < 0) continue;
    pe_[pe].input_group = in;
    pe_[pe].weight_group = w;
    active_.push_back(static_cast<int32_t>(pe));
  }
}

void MulticastJoin::expect(int32_t pe, tlm::tlm_generic_payload& load, int parts) {
  PerPe& p = pe_[static_cast<size_t>(pe)];
  p.parts = parts;
  p.at = 0;
  p.own = 0;
  p.load = &load;
}

tlm::tlm_generic_payload* MulticastJoin::arrived(int32_t pe, int64_t& at, int64_t& own) {
  PerPe& p = pe_[static_cast<size_t>(pe)];
  if (p.parts <= 0) throw std::logic_error("multicast: a part arrived for PE " + std::to_string(pe) + " that expects none");
  p.at = std::max(p.at, at);
  p.own = std::max(p.own, own);
  if (--p.parts > 0) return nullptr;
  at = p.at;
  own = p.own;
  return p.load;
}

bool MulticastJoin::request(int32_t group, int32_t pe, int64_t bytes) {
  Gather& g = gathers_[static_cast<size_t>(group)];
  PerPe& p = pe_[static_cast<size_t>(pe)];
  if (g.requested == 0) {
    g.bytes = bytes;
  } else if (g.bytes != bytes) {
    throw std::logic_error("multicast group " + std::to_string(group) + ": PE " + std::to_string(pe) + " asks for " +
                           std::to_string(bytes) + " bytes, another member for " + std::to_string(g.bytes));
  }
  const int8_t bit = group == p.input_group ? 1 : 2;
  p.gathering |= bit;
  const auto& m = members_[static_cast<size_t>(group)];
  if (++g.requested < static_cast<int32_t>(m.size())) return false;
  g = Gather{};
  for (int32_t member : m) pe_[static_cast<size_t>(member)].gathering &= static_cast<int8_t>(~bit);
  return true;
}

bool MulticastJoin::idle() const {
  for (const Gather& g : gathers_) {
    if (g.requested > 0) return false;
  }
  for (int32_t pe : active_) {
    if (pe_[static_cast<size_t>(pe)].parts > 0) return false;
  }
  return true;
}

bool MulticastJoin::capture(size_t slot, int64_t now, StateHash& hash) {
  snapshots_.reserve();
  State& s = snapshots_.state[slot];
  s.waiting.clear();
  s.gathers = gathers_;
  for (int32_t pe : active_) {
    const PerPe& p = pe_[static_cast<size_t>(pe)];
    if (p.parts == 0 && p.gathering == 0) continue;
    // An arrival already past only matters through the maximum with a part
    // still to come, which arrives later than now.
    s.waiting.push_back({pe, p.parts, std::max<int64_t>(p.at - now, 0), p.own, p.gathering});
    hash.add(pe).add(p.parts).add(s.waiting.back().at).add(p.gathering);
  }
  for (const Gather& g : gathers_) hash.add(g.requested);
  return true;
}

void MulticastJoin::skip(size_t /*then_slot*/, size_t /*now_slot*/, int64_t k, int64_t period, int64_t now) {
  for (int32_t pe : active_) {
    PerPe& p = pe_[static_cast<size_t>(pe)];
    if (p.parts > 0 && p.at > now) p.at += k * period;
  }
}

}  // namespace apollo::sim
