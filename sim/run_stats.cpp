#include "sim/run_stats.hpp"

#include <algorithm>

#include "sim/timing.hpp"

namespace apollo::sim {

namespace {
models::Limiter limiter_of(Channel c) { return c == Channel::Link ? models::Limiter::Link : models::Limiter::Network; }
}  // namespace

RunStats::RunStats(const models::ArchConfig& arch)
    : arch_(arch),
      pe_compute_(static_cast<size_t>(arch.num_pes())),
      pe_layer_compute_(static_cast<size_t>(arch.num_pes())),
      pe_layer_exposed_(static_cast<size_t>(arch.num_pes())),
      pe_peak_memory_(static_cast<size_t>(arch.num_pes())),
      pe_layer_peak_(static_cast<size_t>(arch.num_pes())),
      core_busy_(static_cast<size_t>(arch.total_cores())),
      core_bytes_(static_cast<size_t>(arch.total_cores())) {}

void RunStats::layer_started(int32_t /*position*/, const models::LayerProgram& l, int64_t cycle) {
  running_ = &l;
  layer_ = LayerStats{};
  layer_.layer_index = l.layer_index;
  layer_.name = l.layer_name;
  layer_.start_cycle = cycle;
  layer_.bound = l.bound;
  layer_.instruction_bytes = l.instruction_reload_bytes;
  layer_.input_preload_bytes = l.input_preload_bytes;
  std::fill(pe_layer_compute_.begin(), pe_layer_compute_.end(), 0);
  std::fill(pe_layer_exposed_.begin(), pe_layer_exposed_.end(), 0);
  std::fill(pe_layer_peak_.begin(), pe_layer_peak_.end(), 0);
}

void RunStats::transfer(const TransferInterval& t) {
  layer_.channels[index(t.channel)] += t.traffic();
}

void RunStats::transfers(Channel ch, const ChannelStats& total) {
  layer_.channels[index(ch)] += total;
}

void RunStats::tiles(int32_t pe, const models::TileStep& s, int64_t n, int64_t /*start*/) {
  const int64_t cycles = pe_compute_cycles(s, arch_);
  const int64_t core_cycles = tile_compute_cycles(s, arch_);
  const auto p = static_cast<size_t>(pe);
  layer_.tiles += n;
  pe_compute_[p] += n * cycles;
  pe_layer_compute_[p] += n * cycles;
  // What the active cores receive from PE memory, split evenly over them.
  const int64_t cores = cycles > 0 ? s.active_cores : 0;
  if (cores == 0) return;
  const size_t first = p * static_cast<size_t>(arch_.cores_per_pe);
  const int64_t share = s.core_bytes / cores, remainder = s.core_bytes % cores;
  for (int64_t c = 0; c < cores; ++c) {
    core_busy_[first + static_cast<size_t>(c)] += n * core_cycles;
    core_bytes_[first + static_cast<size_t>(c)] += n * (share + (c < remainder ? 1 : 0));
  }
  layer_.core_bytes += n * s.core_bytes;
}

void RunStats::exposed(int32_t pe, int64_t cycles) { pe_layer_exposed_[static_cast<size_t>(pe)] += cycles; }

void RunStats::staged(int32_t pe, int64_t bytes) {
  auto& peak = pe_layer_peak_[static_cast<size_t>(pe)];
  peak = std::max(peak, bytes);
}

void RunStats::layer_finished(int32_t /*position*/, int64_t cycle) {
  LayerStats& s = layer_;
  s.cycles = cycle - s.start_cycle;
  s.compute_busy_cycles = *std::max_element(pe_layer_compute_.begin(), pe_layer_compute_.end());
  if (!running_->double_buffered) {
    s.memory_stall_cycles = *std::max_element(pe_layer_exposed_.begin(), pe_layer_exposed_.end());
  }
  // The largest evidence wins; ties go to the first of compute, the channels, memory.
  s.limiter = models::Limiter::Compute;
  int64_t best = s.compute_busy_cycles;
  for (Channel c : kAllChannels) {
    if (s.channel(c).busy_cycles > best) {
      best = s.channel(c).busy_cycles;
      s.limiter = limiter_of(c);
    }
  }
  if (s.memory_stall_cycles > best) s.limiter = models::Limiter::Memory;
  const double peak_lanes = static_cast<double>(arch_.peak_macs_per_cycle());
  s.utilization = s.cycles > 0 ? static_cast<double>(running_->ops) / (static_cast<double>(s.cycles) * peak_lanes) : 0;
  layers_.push_back(s);
  for (size_t p = 0; p < pe_peak_memory_.size(); ++p) {
    pe_peak_memory_[p] = std::max(pe_peak_memory_[p], pe_layer_peak_[p]);
  }
}

SimResult RunStats::result(int64_t activations) {
  SimResult r;
  r.layers = std::move(layers_);
  for (const LayerStats& l : r.layers) {
    for (Channel c : kAllChannels) r.channels[index(c)] += l.channel(c);
    r.core_bytes += l.core_bytes;
    r.instruction_bytes += l.instruction_bytes;
    r.input_preload_bytes += l.input_preload_bytes;
  }
  r.total_cycles = r.layers.empty() ? 0 : r.layers.back().start_cycle + r.layers.back().cycles;
  r.latency_ms = static_cast<double>(r.total_cycles) / (arch_.constants.clock_ghz * 1e6);
  const double total = static_cast<double>(std::max<int64_t>(r.total_cycles, 1));
  for (int64_t busy : pe_compute_) r.pe_busy.push_back(static_cast<double>(busy) / total);
  for (int64_t busy : core_busy_) r.core_busy.push_back(static_cast<double>(busy) / total);
  r.pe_peak_memory_bytes = std::move(pe_peak_memory_);
  r.events = activations;
  return r;
}

}  // namespace apollo::sim
