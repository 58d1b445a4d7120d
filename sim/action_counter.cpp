#include "sim/action_counter.hpp"

#include <algorithm>
#include <cmath>

namespace apollo::sim {

namespace {

// Whether the lanes of a core work on the same input element (different
// output channels of it), so that one input read feeds them all.
bool lanes_share_input(const workloads::Layer& l) {
  switch (workloads::op_def(l.op).mapping) {
    case workloads::OpMapping::Window: return l.groups == 1;
    case workloads::OpMapping::Dense:
    case workloads::OpMapping::Product: return true;
    default: return false;
  }
}

}  // namespace

ActionCounter::ActionCounter(const models::ArchConfig& arch, const workloads::Network& network)
    : arch_(arch),
      network_(network),
      reads_inputs_(static_cast<size_t>(arch.num_pes())),
      reads_weights_(static_cast<size_t>(arch.num_pes())) {}

void ActionCounter::layer_started(int32_t /*position*/, const models::LayerProgram& l, int64_t /*cycle*/) {
  running_ = &l;
  layer_model_ = network_.layers.empty() ? nullptr : &network_.layers.at(static_cast<size_t>(l.layer_index));
  layer_ = models::ActionCounts{};
  lane_ops_ = core_cycles_ = 0;
  layer_.instruction_memory_read = l.instructions * arch_.constants.instruction_bytes;
  layer_.instruction_memory_write = l.instruction_reload_bytes;
  layer_.activation_memory_write = l.input_preload_bytes;
  // An input-channel split's reduction: the controller reads every int32
  // partial sum once from activation memory and adds it (models/program.hpp).
  layer_.activation_memory_read = l.reduction_bytes;
  reduction_adds_ = l.reduction_bytes / arch_.constants.accumulator_bytes;
  // The first member of a group (its lowest PE, LayerProgram::group_members)
  // reads for the group; a group is an input or a weight group, not both.
  std::fill(reads_inputs_.begin(), reads_inputs_.end(), 1);
  std::fill(reads_weights_.begin(), reads_weights_.end(), 1);
  group_seen_.assign(static_cast<size_t>(std::max(l.groups, 0)), 0);
  auto first_members = [&](const std::vector<int>& group, std::vector<char>& reads) {
    for (size_t pe = 0; pe < group.size(); ++pe) {
      const int g = group[pe];
      if (g < 0 || g >= l.groups) continue;
      reads[pe] = !group_seen_[static_cast<size_t>(g)];
      group_seen_[static_cast<size_t>(g)] = 1;
    }
  };
  first_members(l.input_group, reads_inputs_);
  first_members(l.weight_group, reads_weights_);
}

void ActionCounter::add_bytes(Channel c, int64_t bytes) {
  (c == Channel::Link ? layer_.dram_bytes : layer_.network_bytes) += bytes;
}

void ActionCounter::transfer(const TransferInterval& t) { add_bytes(t.channel, t.bytes); }

void ActionCounter::transfers(Channel c, const ChannelStats& total) { add_bytes(c, total.bytes); }

void ActionCounter::tiles(int32_t pe, const models::TileStep& s, int64_t n, int64_t /*start*/) {
  const auto p = static_cast<size_t>(pe);
  const int64_t operands = s.input_bytes + s.weight_bytes;
  layer_.pe_memory_write += n * operands;
  if (s.ops_per_core > 0 && s.active_cores > 0) {
    layer_.pe_memory_read += n * s.port_bytes;
    layer_.core_memory_write += n * s.core_bytes;
    lane_ops_ += n * s.ops_per_core * s.active_cores;
    core_cycles_ += n * s.active_cores * ((s.ops_per_core + arch_.simd_lanes - 1) / arch_.simd_lanes);
  }
  layer_.core_memory_write += n * s.output_bytes;
  layer_.core_memory_read += n * s.output_bytes;
  if (reads_inputs_[p]) layer_.activation_memory_read += n * (s.input_bytes - s.input_dram_bytes);
  if (reads_weights_[p] && !running_->weights_in_dram) layer_.parameter_memory_read += n * s.weight_bytes;
  if (!running_->output_in_dram) layer_.activation_memory_write += n * s.output_bytes;
}

void ActionCounter::layer_finished(int32_t /*position*/, int64_t /*cycle*/) {
  // A tile step's ops_per_core is its busiest core's share (it sets the
  // time), so lane_ops_ overstates the work of the others: the operations
  // are the layer's own counts, and the input reads per MAC keep the
  // lanes-per-core-cycle ratio of the tiles (lanes a tile shape leaves idle
  // read no operands but do not share the reads either).
  if (layer_model_ == nullptr) {
    layer_.mac_ops = lane_ops_;
  } else {
    layer_.mac_ops = layer_model_->macs();
    layer_.vector_ops = layer_model_->vector_ops();
  }
  const bool shared_input = layer_model_ == nullptr || lanes_share_input(*layer_model_);
  const double cycles_per_op = lane_ops_ > 0 ? static_cast<double>(core_cycles_) / static_cast<double>(lane_ops_) : 0;
  const int64_t input_reads = shared_input ? std::llround(static_cast<double>(layer_.mac_ops) * cycles_per_op)
                                           : layer_.mac_ops;
  // Weights: one read per MAC; vector operations: one read each.
  layer_.core_memory_read += layer_.mac_ops + input_reads + layer_.vector_ops;
  if (reduction_adds_ > 0 && layer_model_ != nullptr) {
    // The controller's reduction (its operands come from activation memory,
    // not the cores'): one add per partial sum beyond the first of each
    // output, and the int8 outputs written back.
    layer_.vector_ops += std::max<int64_t>(0, reduction_adds_ - layer_model_->output_elements());
    layer_.activation_memory_write += layer_model_->output_bytes(arch_.constants.data_bytes);
  }
  layers_.push_back(layer_);
}

}  // namespace apollo::sim
