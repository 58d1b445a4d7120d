// The statistics of a run, as an observer of module events (plain C++):
// per-layer cycles, traffic per channel, the limiter and its evidence,
// per-PE and per-core busy time, per-PE peak of PE memory.
#pragma once

#include <cstdint>
#include <vector>

#include "models/arch.hpp"
#include "sim/events.hpp"
#include "sim/simulate.hpp"

namespace apollo::sim {

class RunStats : public Observer {
 public:
  explicit RunStats(const models::ArchConfig& arch);

  void layer_started(int32_t position, const models::LayerProgram& layer, int64_t cycle) override;
  void layer_finished(int32_t position, int64_t cycle) override;
  void transfer(const TransferInterval& t) override;
  void transfers(Channel c, const ChannelStats& total) override;
  void tiles(int32_t pe, const models::TileStep& step, int64_t n, int64_t start) override;
  void exposed(int32_t pe, int64_t cycles) override;
  void staged(int32_t pe, int64_t bytes) override;

  // The whole run's result (call once, after the last layer).
  SimResult result(int64_t activations);

 private:
  const models::ArchConfig& arch_;
  const models::LayerProgram* running_ = nullptr;
  LayerStats layer_;                      // accumulating for the running layer
  std::vector<LayerStats> layers_;
  std::vector<int64_t> pe_compute_;       // whole run
  std::vector<int64_t> pe_layer_compute_; // running layer
  std::vector<int64_t> pe_layer_exposed_; // running layer
  std::vector<int64_t> pe_peak_memory_;
  std::vector<int64_t> pe_layer_peak_;
  std::vector<int64_t> core_busy_;
  std::vector<int64_t> core_bytes_;
};

}  // namespace apollo::sim
