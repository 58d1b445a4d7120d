#include "sim/layer_replay.hpp"

#include <algorithm>

namespace apollo::sim {

LayerReplay::Key LayerReplay::key(const models::LayerProgram& l) {
  Key k = {l.double_buffered,  l.weights_in_dram,         l.input_in_dram, l.output_in_dram,
           l.instruction_reload_bytes, l.input_preload_bytes, l.reduction_bytes, l.ops,
           static_cast<int64_t>(l.work_classes.size())};
  k.insert(k.end(), {l.instruction_reload_link_bytes, l.input_preload_link_bytes});
  for (const models::PeWork& w : l.work_classes) {
    k.push_back(static_cast<int64_t>(w.steps.size()));
    for (const models::TileStep& t : w.steps) {
      k.insert(k.end(),
               {t.count, t.input_bytes, t.weight_bytes, t.output_bytes, t.ops_per_core, t.active_cores, t.input_dram_bytes,
                t.port_bytes, t.core_bytes,  // the port sets the compute stage, core bytes the statistics
                t.input_link_bytes, t.weight_link_bytes, t.output_link_bytes});
    }
  }
  k.insert(k.end(), l.pe_class.begin(), l.pe_class.end());
  k.push_back(l.groups);
  k.push_back(static_cast<int64_t>(l.input_group.size()));
  k.insert(k.end(), l.input_group.begin(), l.input_group.end());
  k.push_back(static_cast<int64_t>(l.weight_group.size()));
  k.insert(k.end(), l.weight_group.begin(), l.weight_group.end());
  return k;
}

const LayerReplay::Record* LayerReplay::find_or_record(const models::LayerProgram& layer, int64_t cycle) {
  Key k = key(layer);
  const auto it = records_.find(k);
  if (it != records_.end()) return &it->second;
  recording_ = true;
  key_ = std::move(k);
  current_ = Record{};
  std::fill(exposed_.begin(), exposed_.end(), 0);
  std::fill(peak_.begin(), peak_.end(), 0);
  start_ = cycle;
  return nullptr;
}

void LayerReplay::replay(const Record& r, const models::LayerProgram& layer, Observer& to) {
  for (Channel c : kAllChannels) {
    if (r.channels[index(c)].busy_cycles > 0) to.transfers(c, r.channels[index(c)]);
  }
  for (size_t p = 0; p < layer.pe_class.size(); ++p) {
    if (layer.pe_class[p] < 0) continue;
    for (const models::TileStep& s : layer.work_classes[static_cast<size_t>(layer.pe_class[p])].steps) {
      if (s.count > 0) to.tiles(static_cast<int32_t>(p), s, s.count, -1);
    }
  }
  for (const auto& [pe, cycles] : r.exposed) to.exposed(pe, cycles);
  for (const auto& [pe, bytes] : r.peak) to.staged(pe, bytes);
}

void LayerReplay::layer_finished(int32_t /*position*/, int64_t cycle) {
  if (!recording_) return;
  recording_ = false;
  current_.cycles = cycle - start_;
  for (size_t p = 0; p < exposed_.size(); ++p) {
    if (exposed_[p] != 0) current_.exposed.emplace_back(static_cast<int32_t>(p), exposed_[p]);
    if (peak_[p] != 0) current_.peak.emplace_back(static_cast<int32_t>(p), peak_[p]);
  }
  records_.emplace(std::move(key_), std::move(current_));
}

void LayerReplay::transfer(const TransferInterval& t) {
  if (!recording_) return;
  current_.channels[index(t.channel)] += t.traffic();
}

void LayerReplay::transfers(Channel ch, const ChannelStats& total) {
  if (!recording_) return;
  current_.channels[index(ch)] += total;
}

void LayerReplay::exposed(int32_t pe, int64_t cycles) {
  if (recording_) exposed_[static_cast<size_t>(pe)] += cycles;
}

void LayerReplay::staged(int32_t pe, int64_t bytes) {
  if (recording_) peak_[static_cast<size_t>(pe)] = std::max(peak_[static_cast<size_t>(pe)], bytes);
}

}  // namespace apollo::sim
