// The compiler's output and the simulator's input: for every layer, the work
// of each PE as a short list of tile steps, where each tensor lives, and the
// analytical lower bound the simulation is held to.
//
// Execution semantics (the contract between models/compiler and sim/):
//  * Layers run one after another, separated by a barrier: a layer starts
//    when every PE has finished the previous one and all its outputs are
//    stored.
//  * Before a layer starts, instruction_reload_bytes (if any) are fetched
//    from DRAM over the I/O link: the program did not fit instruction memory;
//    and before the first layer, input_preload_bytes (the network inputs
//    that live in activation memory) cross the link into it. Every inference
//    pays them; the layer's PEs start when both have arrived. Each is one
//    contiguous run in DRAM; the link moves instruction_reload_link_bytes
//    and input_preload_link_bytes (whole bursts).
//  * The link moves whole DRAM bursts: every contiguous run of a transfer
//    costs ceil(bytes / dram_burst_bytes) bursts, and the link sustains
//    io_bandwidth x dram_efficiency (ArchConfig::link_bytes_per_cycle). A
//    tile step carries the link bytes of its parts (input_link_bytes, ...),
//    which the compiler derives from the runs of the NHWC layout
//    (docs/architecture.md section 3); the network carries the useful bytes.
//  * Each PE executes the steps of its work class in order; a step is
//    repeated `count` times. One repetition (a tile) is:
//      load   input_bytes + weight_bytes: controller -> PE over the shared
//             distribution network. Bytes whose home is DRAM first cross
//             the shared I/O link: input_dram_bytes of the input (each input
//             of a layer has its own home) and all weights when
//             weights_in_dram, as input_link_bytes + weight_link_bytes
//             (burst-rounded);
//      compute every active core performs ops_per_core lane operations:
//             ceil(ops_per_core / simd_lanes) + core_pipeline_cycles cycles,
//             cores of one PE in parallel, after the PE has spent
//             pe_dispatch_cycles handing the tile to them (no compute and
//             no dispatch for a tile with ops_per_core == 0). The cores'
//             operands (port_bytes) stream from PE memory through its read
//             port, pe_memory_bytes_per_cycle, while they compute: the stage
//             lasts max(core cycles, ceil(port_bytes / port width)) after
//             the dispatch;
//      store  output_bytes: PE -> controller over the network (and on over
//             the link when output_in_dram, as output_link_bytes).
//    Input-channel partitions (PartitionKind::InputChannels): each PE's
//    stores are int32 partial sums, which the controller keeps in an int32
//    buffer of activation memory. When the last PE has stored its last
//    tile, the controller's reduction adds them: it reads the layer's
//    reduction_bytes (every partial sum once) through activation memory's
//    port at network_bytes_per_cycle (the width at which the DMA feeds the
//    network) into as many int32 adders, and writes the int8 outputs; the
//    layer ends (barrier) when the pass has, reduction_cycles() later.
//    Multicast (network_multicast): a PE of an input group receives every
//    tile's input_bytes as one multicast to its group, a PE of a weight
//    group its weight_bytes; the rest of the load travels to it alone.
//    Members of a group run the same work class, so tile j of each member
//    needs the same shared bytes. The controller sends the multicast of
//    tile j when every member has requested its load of tile j (a PE
//    requests a load when it has a buffer free: when all have room); it
//    occupies the network once for its bytes (the link once for its DRAM
//    bytes) and arrives at every member at the same cycle. A member's load
//    completes when all its parts have arrived.
//    With double_buffered, the load of tile i+1 may proceed while tile i
//    computes and the store of tile i while tile i+1 computes (at most two
//    tiles in flight per PE). Without it, load, compute and store of a PE
//    are strictly sequential.
//  * The link and the network are each one shared channel: concurrent
//    requests wait, oldest first, and requests of the same cycle are
//    ordered by a fixed priority (instruction fetch, input preload, stores,
//    multicasts, loads; then PE index, a multicast by its group): the
//    simulator's arbitration rule, docs/architecture.md 4.2.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/arch.hpp"

namespace apollo::models {

// How the layer's work is split over the PE array.
enum class PartitionKind {
  OutputChannels,  // PEs own disjoint output channels (weights split)
  SpatialRows,     // PEs own disjoint output rows (weights replicated)
  SpatialCols,     // PEs own disjoint output columns
  InputChannels,   // PEs own disjoint input channels; partial sums reduced
  Elementwise,     // element-wise / pooling work split evenly
  None,            // no work on the array (e.g. reshape)
};

enum class Limiter { Compute, Link, Network, Memory };
const char* to_string(Limiter l);  // "compute", "link", "network", "memory"

struct TileStep {
  int64_t count = 0;          // repetitions of this tile
  int64_t input_bytes = 0;    // per tile, controller -> PE
  int64_t weight_bytes = 0;   // per tile, controller -> PE
  int64_t output_bytes = 0;   // per tile, PE -> controller
  int64_t ops_per_core = 0;   // lane operations (MACs or vector ops) per active core
  int64_t active_cores = 0;   // cores of the PE that take part (1..cores_per_pe)
  int64_t input_dram_bytes = 0;  // of input_bytes, those whose home is DRAM (cross the link first)
  // PE memory -> cores per tile (every operand of the tile, stationary ones
  // included): port_bytes cross the PE memory's read port (an operand that
  // several cores need is read once and broadcast); core_bytes are what the
  // cores receive, summed over the active cores.
  int64_t port_bytes = 0;
  int64_t core_bytes = 0;
  // Bytes per tile over the DRAM link, each contiguous run rounded up to
  // whole bursts (docs/architecture.md section 3): of the input's
  // input_dram_bytes; of the weights and of the output, which cross the
  // link when the layer's weights_in_dram / output_in_dram say so (the
  // compiler leaves them 0 otherwise).
  int64_t input_link_bytes = 0;
  int64_t weight_link_bytes = 0;
  int64_t output_link_bytes = 0;
  bool operator==(const TileStep&) const = default;
};

// Cycles one core needs for one tile: ceil(ops_per_core / simd_lanes) plus the
// MAC pipeline fill. A tile with no operations or no active core does no
// compute at all (pure data movement), so it takes 0 cycles.
int64_t tile_compute_cycles(const TileStep& step, const ArchConfig& arch);
// Cycles of a PE's compute stage for one tile: pe_dispatch_cycles, then the
// cores compute while their operands stream through the PE memory's read
// port, as long as the slower of the two (the semantics above). 0 for a tile
// without compute.
int64_t pe_compute_cycles(const TileStep& step, const ArchConfig& arch);

struct PeWork {
  std::vector<TileStep> steps;  // executed in order
};

// Analytical lower bound of a layer in cycles: no schedule can beat any term.
struct LayerBound {
  int64_t compute_cycles = 0;  // ceil(ops / peak lanes of the whole array)
  int64_t link_cycles = 0;     // ceil(DRAM link bytes (burst-rounded) / sustained link bytes per cycle)
  int64_t network_cycles = 0;  // ceil(network bytes / network width)
  // The partial-sum reduction after the PEs (input-channel partitions):
  // nothing overlaps it, so it adds to the largest term.
  int64_t reduction_cycles = 0;
  int64_t cycles() const;      // max of the three, plus the reduction
  Limiter limiter() const;     // which term is the max
};

// Cycles of the controller's reduction of `partial_sum_bytes` int32 partial
// sums (the semantics above): read once at the network's width.
int64_t reduction_cycles(int64_t partial_sum_bytes, const ArchConfig& arch);

struct LayerProgram {
  int layer_index = -1;  // index into Network::layers
  std::string layer_name;
  PartitionKind partition = PartitionKind::None;
  std::string partition_detail;  // human-readable: "oc over 16 PEs, rows over 4 cores, tile 8x56x16"
  std::vector<PeWork> work_classes;
  std::vector<int> pe_class;     // per PE (row-major, y * pe_x + x): work class or -1 (idle)
  // Multicast groups (see the semantics above): per PE, the group its tile
  // inputs (weights) arrive with, -1 = on its own; empty = no groups. Group
  // numbers are shared by both kinds (0 .. groups - 1); a group has at
  // least two members, all of one work class.
  std::vector<int> input_group, weight_group;
  int groups = 0;
  bool double_buffered = false;
  bool weights_resident = false;  // weights in parameter memory across inferences
  bool weights_in_dram = false;   // weights stream from DRAM each inference
  bool input_in_dram = false;     // some input lives in DRAM (the bytes: TileStep::input_dram_bytes)
  bool output_in_dram = false;    // output feature map spilled to DRAM
  int64_t instruction_reload_bytes = 0;
  int64_t input_preload_bytes = 0;  // first layer: network inputs brought into activation memory
  int64_t instruction_reload_link_bytes = 0, input_preload_link_bytes = 0;  // the same in whole bursts
  int64_t reduction_bytes = 0;    // int32 partial sums the controller reduces after the PEs (input-channel splits)
  int64_t instructions = 0;       // this layer's share of the program
  int64_t ops = 0;                // total lane operations of the layer
  LayerBound bound;
  // Bytes the layer moves over the distribution network and over the DRAM
  // link (instruction reload and input preload included), over all PEs: a
  // multicast counts once. `unicast_*`: the same if every PE received its
  // own copy (what multicast saves is the difference). `link` counts whole
  // bursts (what crosses the link); `useful_link` the bytes the layer uses.
  struct Traffic {
    int64_t network = 0, link = 0;
    int64_t unicast_network = 0, unicast_link = 0;
    int64_t useful_link = 0;
  };
  Traffic traffic() const;
  // The members of each group, in PE order (from input_group / weight_group).
  std::vector<std::vector<int32_t>> group_members() const;
};

struct Program {
  ArchConfig arch;                     // the architecture it was compiled for (validated)
  std::vector<LayerProgram> layers;
  int64_t program_bytes = 0;           // instructions * instruction_bytes
  int64_t instruction_chunks = 1;      // > 1 when the program exceeds instruction memory
  int64_t resident_weight_bytes = 0;   // kept in parameter memory
  int64_t streamed_weight_bytes = 0;   // read from DRAM every inference
  LayerBound network_bound() const;    // sums of the per-layer terms (each a bound of its resource)
  LayerProgram::Traffic traffic() const;  // sums over the layers
  // The program's lower bound: layers are separated by barriers, so the sum
  // of the per-layer bounds (>= network_bound().cycles(), the largest summed term).
  int64_t bound_cycles() const;
};

// Why a network cannot run on a design. Never a silent fallback.
struct Infeasible {
  std::string layer;    // offending layer ("" for whole-network limits)
  std::string memory;   // "core_memory", "pe_memory", "activation_memory", ...
  int64_t needed = 0;   // bytes
  int64_t available = 0;
  std::string message;  // full sentence, e.g. "layer conv1: core_memory needs 5120 B, has 4096 B"
};

}  // namespace apollo::models
