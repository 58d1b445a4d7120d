// The whole design, elaborated for one configuration:
//
//   PeArray.socket ──► Controller.pe_side ─ DMA ─► channel_port(c) ──► SharedChannel[c].socket
//
// one SharedChannel per entry of the Channel list (the DRAM link, the
// distribution network), the controller (sequencer + DMA), the PE array,
// and fast-forward over them. Observers see every module event.
#pragma once

#include <memory>
#include <vector>

#include "models/arch.hpp"
#include "models/program.hpp"
#include "sim/channel.hpp"
#include "sim/clock.hpp"
#include "sim/controller.hpp"
#include "sim/fast_forward.hpp"
#include "sim/pe_array.hpp"

namespace apollo::sim {

// Bandwidth and latency of each shared channel for an architecture.
std::vector<ChannelSpec> channel_specs(const models::ArchConfig& arch);

struct Model {
  // `fast_paths`: fast-forward and layer replay (off for exact_events and traces).
  // Elaborates `program` on the architecture it was compiled for (program.arch).
  Model(const models::Program& program, Observers& observers, bool fast_paths);
  bool idle(int64_t now) const;  // no transfer in flight or queued

  Clock clock;
  int64_t activations = 0;  // runs of the PEs, the DMA and the sequencer (SimResult::events)
  std::vector<std::unique_ptr<SharedChannel>> channels;  // by index(Channel)
  std::unique_ptr<FastForward> fast_forward;             // nullptr without fast paths
  std::unique_ptr<Controller> controller;
  std::unique_ptr<PeArray> pes;
};

}  // namespace apollo::sim
