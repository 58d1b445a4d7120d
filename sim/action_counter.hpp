// Counts the actions that cost energy (models/energy.hpp) as an observer of
// module events: tiles give the lanes' operations and the memory accesses
// of their operands, channel traffic gives network and DRAM bytes. Bulk
// events (fast-forward, layer replay) carry the same information as the
// events they stand for, so the counts are exact on every path.
//
// The data path the counts follow (docs/architecture.md, "Energy"):
//  * a tile's loaded operands are written into PE memory when they arrive;
//    when it computes, all its operands are read once through the PE
//    memory's port and written into the core memories that need them
//    (TileStep::port_bytes, core_bytes);
//  * the lanes perform the layer's own MACs and vector operations (a tile
//    step's ops_per_core is its busiest core's share, which sets the time
//    but overstates the others' work);
//  * per operation a core reads its operands from core memory: a MAC reads
//    its weight byte, and the input byte is read once per core cycle and
//    broadcast to the lanes in layers whose lanes share an input (dense
//    convolutions, fully connected, matmul), once per MAC otherwise
//    (grouped and depthwise convolutions); a vector operation reads one
//    byte; the int32 accumulators are the lanes' registers;
//  * outputs are written into core memory once and read once to be stored;
//  * at the controller, on-chip inputs are read from activation memory,
//    resident weights from parameter memory (a multicast once for its
//    group), outputs that stay on chip are written to activation memory and
//    the network input's preload is written into it; an input-channel
//    split's partial sums are read back from it, added (vector operations)
//    and written as outputs; every instruction of a layer is fetched once
//    from instruction memory, and a reload writes it.
#pragma once

#include <cstdint>
#include <vector>

#include "models/energy.hpp"
#include "models/program.hpp"
#include "sim/events.hpp"
#include "workloads/graph.hpp"

namespace apollo::sim {

class ActionCounter : public Observer {
 public:
  // `network` may have no layers (a program built by hand): the lane
  // operations of the tiles are then MACs of layers whose lanes share the
  // input.
  ActionCounter(const models::ArchConfig& arch, const workloads::Network& network);

  void layer_started(int32_t position, const models::LayerProgram& layer, int64_t cycle) override;
  void layer_finished(int32_t position, int64_t cycle) override;
  void transfer(const TransferInterval& t) override;
  void transfers(Channel c, const ChannelStats& total) override;
  void tiles(int32_t pe, const models::TileStep& step, int64_t n, int64_t start) override;

  // Per program layer, in order (complete after the last layer).
  const std::vector<models::ActionCounts>& layers() const { return layers_; }

 private:
  void add_bytes(Channel c, int64_t bytes);

  const models::ArchConfig& arch_;
  const workloads::Network& network_;
  const models::LayerProgram* running_ = nullptr;
  const workloads::Layer* layer_model_ = nullptr;  // the running layer's network layer, if any
  models::ActionCounts layer_;
  // The running layer's lane operations and core cycles as its tiles
  // give them (the ratio of lanes busy per core cycle).
  int64_t lane_ops_ = 0, core_cycles_ = 0;
  int64_t reduction_adds_ = 0;  // int32 partial sums the controller adds after the layer
  // Per PE: whether it reads its multicast inputs / weights at the
  // controller (the first member of its group, or not in a group).
  std::vector<char> reads_inputs_, reads_weights_;
  std::vector<char> group_seen_;  // scratch of layer_started
  std::vector<models::ActionCounts> layers_;
};

}  // namespace apollo::sim
