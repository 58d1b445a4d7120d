// Activity traces of one simulation, recorded only when a trace file was
// requested (the observer is not registered otherwise, so untraced runs pay
// nothing), and the two writers: VCD for GTKWave and Chrome/Perfetto
// trace-event JSON. Plain C++: the recorder is an observer of module events.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/arch.hpp"
#include "sim/events.hpp"

namespace apollo::sim {

// One tile computing on a PE: cores 0 .. active_cores-1 are busy during it
// (cores of a PE work in lock step on a tile), so per-core activity is
// derived from these intervals instead of being stored 32 times.
struct ComputeInterval {
  int64_t start = 0, end = 0;  // cycles, [start, end): the PE's compute stage
  int64_t cores_start = 0;     // cores compute in [cores_start, end), after the PE's dispatch
  int32_t pe = 0;
  int32_t active_cores = 0;
  int32_t layer = 0;           // position in Program::layers
};

struct LayerInterval {
  int64_t start = 0, end = 0;
  std::string name;
};

struct TraceRecorder {
  std::vector<ComputeInterval> compute;
  std::vector<TransferInterval> transfers;
  std::vector<LayerInterval> layers;
  std::map<size_t, std::vector<int32_t>> multicast_members;  // by index in `transfers`
};

// Records every tile and transfer. Needs the event-by-event run: bulk
// reports (fast-forward, layer replay) are refused.
class TraceObserver : public Observer {
 public:
  TraceObserver(TraceRecorder& trace, const models::ArchConfig& arch) : trace_(trace), arch_(arch) {}
  void layer_started(int32_t position, const models::LayerProgram& layer, int64_t cycle) override;
  void layer_finished(int32_t position, int64_t cycle) override;
  void transfer(const TransferInterval& t) override;
  void transfers(Channel c, const ChannelStats& total) override;
  void tiles(int32_t pe, const models::TileStep& step, int64_t n, int64_t start) override;

 private:
  TraceRecorder& trace_;
  const models::ArchConfig& arch_;
  std::vector<std::vector<int32_t>> groups_;  // the running layer's multicast groups
};

struct TraceGeometry {
  int64_t pe_x = 1, pe_y = 1, cores_per_pe = 1;
  double clock_ghz = 1.0;
  int64_t total_cycles = 0;
};

// GTKWave waveform: wires <channel>_busy (link_busy, network_busy) and, per PE, pe_<x>_<y>.busy
// and pe_<x>_<y>.core_<c>. Throws models::ConfigError if the file cannot be written.
void write_vcd(const std::string& path, const TraceRecorder& trace, const TraceGeometry& geometry);

// Chrome / Perfetto trace-event JSON ("X" complete events, timestamps in µs):
// process "memory system" with threads link, network and layers, and one
// process per PE with a thread for the PE and one per core.
void write_timeline(const std::string& path, const TraceRecorder& trace,
                    const TraceGeometry& geometry);

}  // namespace apollo::sim
