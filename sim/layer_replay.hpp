// Replay of repeated layers. Networks repeat blocks, so a program often
// holds the same layer program (work, placement, where tensors live)
// several times. Every layer starts from a quiescent model (the barrier:
// every transfer has arrived, nothing is queued) and the model is
// deterministic, so what a layer shows its observers is a function of its
// program: the second time, the sequencer waits the recorded cycles and this
// class reports the recorded totals instead of simulating it (plain C++).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "models/program.hpp"
#include "sim/events.hpp"

namespace apollo::sim {

class LayerReplay : public Observer {
 public:
  struct Record {
    int64_t cycles = 0;
    PerChannel channels{};
    std::vector<std::pair<int32_t, int64_t>> exposed;  // per PE with any
    std::vector<std::pair<int32_t, int64_t>> peak;     // per PE with any staged bytes
  };

  explicit LayerReplay(size_t pes) : exposed_(pes), peak_(pes) {}

  // The record of a layer with this program; nullptr when there is none,
  // and then records the layer, which starts at `cycle` (its events until
  // layer_finished).
  const Record* find_or_record(const models::LayerProgram& layer, int64_t cycle);
  // Reports a recorded layer to `to`: its traffic, its tiles (from the
  // program), exposed transfer time and PE-memory peaks.
  static void replay(const Record& r, const models::LayerProgram& layer, Observer& to);

  void layer_finished(int32_t position, int64_t cycle) override;
  void transfer(const TransferInterval& t) override;
  void transfers(Channel c, const ChannelStats& total) override;
  void exposed(int32_t pe, int64_t cycles) override;
  void staged(int32_t pe, int64_t bytes) override;

 private:
  using Key = std::vector<int64_t>;
  static Key key(const models::LayerProgram& layer);

  bool recording_ = false;
  Key key_;
  int64_t start_ = 0;
  Record current_;
  std::vector<int64_t> exposed_, peak_;  // per PE, the recorded layer
  std::map<Key, Record> records_;
};

}  // namespace apollo::sim
