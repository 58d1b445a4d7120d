// Activity traces of one simulation, recorded only when a trace file was
// requested (the recorder is absent otherwise, so untraced runs pay nothing),
// and the two writers: VCD for GTKWave and Chrome/Perfetto trace-event JSON.
// Plain C++: the SystemC modules report intervals through a callback.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace apollo::sim {

enum class Channel : int8_t { Link, Network };
enum class TransferKind : int8_t { Load, Store, Instructions };
const char* to_string(Channel c);
const char* to_string(TransferKind k);

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

// One transfer holding the link or the network.
struct TransferInterval {
  int64_t start = 0, end = 0;  // cycles, [start, end)
  int64_t bytes = 0;
  int32_t pe = -1;             // requesting PE, -1 for the controller itself
  Channel channel = Channel::Link;
  TransferKind kind = TransferKind::Load;
};

struct LayerInterval {
  int64_t start = 0, end = 0;
  std::string name;
};

struct TraceRecorder {
  std::vector<ComputeInterval> compute;
  std::vector<TransferInterval> transfers;
  std::vector<LayerInterval> layers;
};

struct TraceGeometry {
  int64_t pe_x = 1, pe_y = 1, cores_per_pe = 1;
  double clock_ghz = 1.0;
  int64_t total_cycles = 0;
};

// GTKWave waveform: wires link_busy, network_busy and, per PE, pe_<x>_<y>.busy
// and pe_<x>_<y>.core_<c>. Throws models::ConfigError if the file cannot be written.
void write_vcd(const std::string& path, const TraceRecorder& trace, const TraceGeometry& geometry);

// Chrome / Perfetto trace-event JSON ("X" complete events, timestamps in µs):
// process "memory system" with threads link, network and layers, and one
// process per PE with a thread for the PE and one per core.
void write_timeline(const std::string& path, const TraceRecorder& trace,
                    const TraceGeometry& geometry);

}  // namespace apollo::sim
