// Compiler / mapper (docs/architecture.md sections 2-3). For each layer it enumerates
// partitions of the work over PEs, cores and lanes, sizes tiles to fit
// pe_memory and core_memory, and keeps the candidate with the lowest
// analytical cycle estimate under the models/program.hpp semantics. For the
// whole network it plans where feature maps live (activation memory or DRAM),
// which weights stay resident in parameter memory, and how the program is
// split into instruction-memory chunks. See the README section "Compiler and
// analytical bounds" for the policies in prose.
#include "models/compiler.hpp"

#include "models/arch_io.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace apollo::models {
namespace {

using workloads::Layer;
using workloads::Network;
using workloads::OpMapping;
using workloads::OpType;

constexpr int64_t kInf = std::numeric_limits<int64_t>::max() / 4;
// Spatial tile sizes tried per channel tile: the largest that fits and the
// next smaller ones (Mapper::search_tiles).
constexpr int kSpatialCandidates = 3;
// Reduction chunk counts tried per spatial tile: the fewest that fit, and
// 2, ... up to this many times as many.
constexpr int64_t kReductionCandidates = 4;
// Share of the non-limiting terms (PE time, network, link) added to the
// limiting one in the mapper's estimate: they contend in the simulator too,
// and among near-equal plans the one with less traffic wins.
constexpr double kContentionShare = 0.01;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Division by a positive divisor that stays fixed over a whole search (lanes,
// cores, the network width, the burst): the mapper divides by them millions of
// times. A power of two, as every such value on the design-space grid is,
// divides by a shift (rounding towards zero like `/`, negative numerators
// included); any other divisor divides as before.
class Divisor {
 public:
  explicit Divisor(int64_t d) : d_(d), shift_(d > 0 && std::has_single_bit(uint64_t(d)) ? std::countr_zero(uint64_t(d)) : -1) {}
  int64_t value() const { return d_; }
  int64_t divide(int64_t n) const {
    if (shift_ < 0) return n / d_;
    return (n + ((n >> 63) & (d_ - 1))) >> shift_;  // a negative n rounds up, towards zero
  }
  int64_t ceil(int64_t n) const { return divide(n + d_ - 1); }  // as ceil_div(n, d)

 private:
  int64_t d_;
  int shift_;  // log2(d) for a power of two, else -1
};

// Bytes `runs` contiguous runs of `bytes` each move over the DRAM link:
// every run in whole bursts (models/program.hpp).
int64_t dram_link_bytes(int64_t runs, int64_t bytes, const Divisor& burst) {
  return runs <= 0 || bytes <= 0 ? 0 : runs * (burst.ceil(bytes) * burst.value());
}
int64_t dram_link_bytes(int64_t runs, int64_t bytes, int64_t burst) { return dram_link_bytes(runs, bytes, Divisor(burst)); }

// Index space of every layer's work: output rows (H, batch folded in),
// output columns (W), output channels (K) and reduction units (C: input
// channels of a group, FC/MatMul depth, or window positions of a global pool).
enum Dim { kH = 0, kW = 1, kK = 2, kC = 3 };
constexpr int kDims = 4;

// How a tile's operand footprint depends on its extent.
enum class Footprint {
  Dense,        // every output needs the same cc input channels (conv g=1, FC, MatMul)
  Grouped,      // output channel k needs only its group's input channels (depthwise)
  Channelwise,  // output channel k needs input channel k of each input (pool, add, ...)
  GlobalPool,   // reduction over all window positions, chunkable like a dense reduction
  NoWork,       // reshape: a view, nothing executes
};

enum class CoreSplit { Channels, Spatial };

// Bytes as a linear function of the reduction chunk cc: a * cc + b.
struct Linear {
  int64_t a_in = 0, b_in = 0, a_w = 0, b_w = 0;
};

// What one layer looks like to the mapper.
struct LayerModel {
  Footprint kind = Footprint::NoWork;
  std::array<int64_t, kDims> size{1, 1, 1, 1};
  int64_t kk = 1;          // weight elements per reduction unit per output channel
  int64_t bias = 0;        // weight elements per output channel outside the reduction (biases, int32)
  int64_t bias_elements = 0;  // all of them
  int64_t r_total = 0;     // lane ops per output element over the whole reduction
  int64_t ops = 0;         // macs + vector_ops
  int64_t weight_bytes = 0;
  // Input rows/cols needed by t output rows/cols.
  int64_t in_h = 1, in_w = 1;
  int kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  bool upsample = false;   // ConvTranspose / Resize: t outputs need about t / s inputs
  int64_t kg = 1;          // output channels per group (Grouped)
  int64_t groups = 1;
  int64_t n_inputs = 1;    // Channelwise: full-size inputs per output element
  bool gate = false;       // Channelwise: plus a 1x1xC broadcast gate (squeeze-excite Mul)
  bool operand_b = false;  // MatMul: the second operand (th x tk x cc) is an activation
  std::vector<bool> input_is_gate;      // Elementwise: per input, a 1x1xC gate (else full-size)
  std::vector<int64_t> input_channels;  // Copy (concat): per input, its channels
  bool ic_split_ok = false;
  bool operator==(const LayerModel&) const = default;

  // Input pixels that t consecutive outputs read along one dimension. A
  // window (k - 1) * d + 1 pixels wide narrower than the stride skips the
  // pixels between windows (a 1x1 stride-2 shortcut reads every other
  // pixel), and only the pixels read are fetched.
  // Whether the pixels that consecutive outputs read along a row are
  // side by side in memory (a window narrower than the stride skips some).
  bool reads_consecutive_cols() const { return upsample || int64_t(kw - 1) * dw + 1 >= sw; }
  int64_t span(int64_t t, int k, int s, int d, int64_t limit) const {
    if (upsample) return std::min(limit, (t + k - 1) / s + 1);
    const int64_t window = int64_t(k - 1) * d + 1;
    return std::min(limit, (t - 1) * std::min<int64_t>(s, window) + window);
  }
  int64_t rows_in(int64_t t) const { return span(t, kh, sh, dh, in_h); }
  int64_t cols_in(int64_t t) const { return span(t, kw, sw, dw, in_w); }
  // Groups touched by tk consecutive output channels that may start anywhere.
  int64_t spanned_groups(int64_t tk) const {
    return kg == 1 ? tk : std::min(groups, (tk - 1) / kg + 2);
  }

  // Element footprint of a tile of th x tw x tk outputs, per reduction unit.
  // Biases (b_w) are int32, as the accumulators they initialize.
  Linear footprint(int64_t th, int64_t tw, int64_t tk, int64_t data_bytes, int64_t bias_bytes) const {
    Linear f;
    const int64_t ri = rows_in(th), ci = cols_in(tw);
    switch (kind) {
      case Footprint::Dense:
        f.a_in = ri * ci;
        if (operand_b) {
          f.a_w = th * tk;  // one k x n slice of B per batch row
        } else {
          f.a_w = tk * kk;
          f.b_w = tk * bias;
        }
        break;
      case Footprint::Grouped:
        f.a_in = ri * ci * spanned_groups(tk);
        f.a_w = tk * kk;
        f.b_w = tk * bias;
        break;
      case Footprint::Channelwise:
        f.b_in = ri * ci * tk * n_inputs + (gate ? tk : 0);
        break;
      case Footprint::GlobalPool:
        f.a_in = tk;
        break;
      case Footprint::NoWork:
        break;
    }
    f.a_in *= data_bytes;
    f.b_in *= data_bytes;
    f.a_w *= data_bytes;
    f.b_w *= bias_bytes;
    return f;
  }
};

// Where the data of a layer lives, decided before tiling.
struct Homes {
  std::vector<bool> inputs_in_dram;  // per input, in Layer::inputs order
  bool any_input_in_dram() const {
    return std::find(inputs_in_dram.begin(), inputs_in_dram.end(), true) != inputs_in_dram.end();
  }
  bool weights_in_dram = false;
  bool output_in_dram = false;
  bool operator==(const Homes&) const = default;
};

// One mapping of a layer: PE-level parts per dimension, tile extents and
// how a PE's cores share a tile.
struct Plan {
  std::array<int64_t, kDims> parts{1, 1, 1, 1};
  std::array<int64_t, kDims> chunk{1, 1, 1, 1};  // PE chunk extents (full parts)
  std::array<int64_t, kDims> tile{1, 1, 1, 1};   // th, tw, tk, cc
  CoreSplit split = CoreSplit::Channels;
  bool db = false;
  bool multicast = false;  // shared operands travel as multicasts (models/program.hpp)
  double estimate = 0;
  bool valid = false;
};

// A tile of a PE chunk: its extents, the chunks its reduction is split
// into, and which operands it loads. keep_in / keep_w false: that operand is
// already in the PE from an earlier tile of the same chunk (stationary), so
// the tile does not load it.
struct TileShape {
  int64_t th, tw, tk, cc, nchunks;
  bool keep_in, keep_w;
};

struct TileBytes {
  int64_t in = 0, w = 0, out = 0, ops_per_core = 0, active_cores = 0;
  int64_t in_dram = 0;  // of `in`, the bytes of inputs whose home is DRAM
  int64_t port = 0, core = 0;  // PE memory -> cores: through the port, received by the cores
  int64_t in_link = 0, w_link = 0, out_link = 0;  // over the DRAM link, in whole bursts (0: on chip)
  TileStep step(int64_t count) const {
    return {count, in, w, out, ops_per_core, active_cores, in_dram, port, core, in_link, w_link, out_link};
  }
};

// The PEs of a plan whose chunks have one shape (Mapper::classes).
struct PeClass {
  std::array<int64_t, kDims> chunk{};  // extents of each PE's chunk
  int64_t pes = 0;
  std::array<int, kDims> combo{};      // per dimension: 0 = full chunk, 1 = remainder (0 when there is no full one)
  // Copies of the tile inputs (weights) that cross the network when they are
  // multicast: one per group of the class's PEs that differ only in their
  // output channels (only in their rows and columns).
  int64_t shared_input_copies = 0, shared_weight_copies = 0;
};

// A plan's classes: a full and a remainder chunk per dimension at most.
struct PeClasses {
  std::array<PeClass, 1 << kDims> items{};
  int n = 0;
  const PeClass* begin() const { return items.data(); }
  const PeClass* end() const { return items.data() + n; }
};

class Mapper {
 public:
  Mapper(const LayerModel& m, const ArchConfig& a, const Homes& h)
      : m_(m), a_(a), h_(h), lanes_div_(a.simd_lanes), cores_div_(a.cores_per_pe),
        net_div_(a.constants.network_bytes_per_cycle), burst_div_(a.constants.dram_burst_bytes),
        reduction_div_(m.size[kC]) {
    data_ = a.constants.data_bytes;
    acc_ = a.constants.accumulator_bytes;
    lanes_ = a.simd_lanes;
    cores_ = a.cores_per_pe;
    net_bw_ = a.constants.network_bytes_per_cycle;
    link_bw_ = a.link_bytes_per_cycle();
    multicast_ = a.constants.network_multicast;
    burst_ = a.constants.dram_burst_bytes;
    const auto& d = h.inputs_in_dram;
    inputs_in_dram_ = std::count(d.begin(), d.end(), true);
    for (int64_t c : m.input_channels) all_input_channels_ += c;
    burst_units_ = std::max<int64_t>(1, burst_ / data_);
  }

  // Operands that PEs of one class share, so that multicast sends them once
  // per group (models/program.hpp): every output channel of a dense layer
  // reads the same input, so PEs that differ only in their output channels
  // share it; PEs that differ only in rows or columns share the weights.
  bool shares_input(const Plan& p) const { return p.multicast && m_.kind == Footprint::Dense && !m_.operand_b; }
  bool shares_weights(const Plan& p) const {
    return p.multicast && (m_.kind == Footprint::Dense || m_.kind == Footprint::Grouped) && !m_.operand_b;
  }
  // How many copies of the class's tile inputs and weights cross the
  // network: one per PE, or one per multicast group.
  struct Copies {
    int64_t input, weights;
  };
  Copies copies(const Plan& p, const PeClass& c) const {
    return {shares_input(p) ? c.shared_input_copies : c.pes, shares_weights(p) ? c.shared_weight_copies : c.pes};
  }

  // The distinct PE chunk shapes of p (they depend on p.chunk only).
  PeClasses classes(const Plan& p) const {
    std::array<std::array<int64_t, 2>, kDims> ext{}, cnt{};
    std::array<int, kDims> n{};
    for (int d = 0; d < kDims; ++d) {
      const int64_t full = m_.size[d] / p.chunk[d], rem = m_.size[d] % p.chunk[d];
      n[d] = 0;
      if (full > 0) ext[d][n[d]] = p.chunk[d], cnt[d][n[d]++] = full;
      if (rem > 0) ext[d][n[d]] = rem, cnt[d][n[d]++] = 1;
    }
    PeClasses out;
    for (int i0 = 0; i0 < n[0]; ++i0)
      for (int i1 = 0; i1 < n[1]; ++i1)
        for (int i2 = 0; i2 < n[2]; ++i2)
          for (int i3 = 0; i3 < n[3]; ++i3) {
            PeClass& c = out.items[size_t(out.n++)];
            c.chunk = {ext[0][i0], ext[1][i1], ext[2][i2], ext[3][i3]};
            c.combo = {i0, i1, i2, i3};
            const int64_t rows = cnt[kH][i0], cols = cnt[kW][i1], channels = cnt[kK][i2], reduction = cnt[kC][i3];
            c.pes = rows * cols * channels * reduction;
            c.shared_input_copies = rows * cols * reduction;   // the class's PEs along K share one copy
            c.shared_weight_copies = channels * reduction;     // those along H and W share one
          }
    return out;
  }

  struct Share {
    int64_t th, tw, tk, active;
  };

  Share core_share(int64_t th, int64_t tw, int64_t tk, CoreSplit split) const {
    if (split == CoreSplit::Channels) {
      const int64_t tkc = cores_div_.ceil(tk);
      return {th, tw, tkc, tkc == 1 ? tk : ceil_div(tk, tkc)};
    }
    if (th >= cores_) {
      const int64_t thc = cores_div_.ceil(th);
      return {thc, tw, tk, thc == 1 ? th : ceil_div(th, thc)};
    }
    const int64_t per_row = cores_ / th;
    const int64_t twc = ceil_div(tw, per_row);
    return {1, twc, tk, th * ceil_div(tw, twc)};
  }

  // Largest reduction chunk (<= limit) for which the tile fits both
  // memories; 0 when even cc = 1 does not fit.
  int64_t max_chunk(int64_t th, int64_t tw, int64_t tk, CoreSplit split, bool db, int64_t limit) const {
    const int64_t factor = db ? 2 : 1;
    const Linear pe = m_.footprint(th, tw, tk, data_, acc_);
    const Share s = core_share(th, tw, tk, split);
    const Linear core = m_.footprint(s.th, s.tw, s.tk, data_, acc_);
    const int64_t best = std::min(solve(pe.a_in + pe.a_w, pe.b_in + pe.b_w, a_.pe_memory / factor),
                                  solve(factor * (core.a_in + core.a_w), factor * (core.b_in + core.b_w) +
                                        accumulator_bytes(s.th * s.tw * s.tk, db), a_.core_memory));
    return std::min(best, limit);
  }

  // Core memory a core's accumulators need for a tile of `outputs` outputs.
  // Lanes take outputs a vector (one int32 per lane) at a time, so the tile
  // has v = ceil(outputs / lanes) vectors. The vector being accumulated is
  // the lanes' own 32-bit registers (the MAC lane's area counts them,
  // models/area); the other v - 1 (finished outputs waiting for the store,
  // or partial sums waiting for the next reduction chunk) live in core
  // memory. Double buffered, the previous tile's v vectors wait for their
  // store while this tile's accumulate: 2v - 1. (Before, v, or 2v, vectors
  // were charged: the registers counted a second time.)
  int64_t accumulator_bytes(int64_t outputs, bool db) const {
    return ((db ? 2 : 1) * lanes_div_.ceil(outputs) - 1) * lanes_ * acc_;
  }

  // Lane slots (lanes x cycles) a core spends on `outputs` outputs of a
  // reduction of depth r: lanes take outputs, ceil(outputs / lanes) vectors
  // of r steps, idle lanes of the last vector counted. A global pooling
  // with fewer outputs than lanes splits each output's reduction over
  // g = lanes / outputs lanes instead, ceil(r / g) steps, then adds the g
  // partial sums in a tree of ceil(log2 g) steps (before, one lane reduced
  // each output alone: 3,136 steps for mobilenet_v3_small's block0/se_pool).
  int64_t lane_slots(int64_t outputs, int64_t r) const {
    if (m_.kind == Footprint::GlobalPool && outputs > 0 && outputs < lanes_ && r > 1) {
      const int64_t g = lanes_ / outputs;
      int64_t tree = 0;
      while ((int64_t{1} << tree) < g) ++tree;
      return lanes_ * (ceil_div(r, g) + tree);
    }
    return lanes_div_.ceil(outputs) * lanes_ * r;
  }

  // Bytes of a tile's input whose home is DRAM: each input of the layer has
  // its own home. `a` is the (first) activation operand's bytes, `b` a
  // matmul's second activation operand's. Element-wise inputs read their
  // own footprint (a 1x1xC gate one value per channel); a concat's inputs
  // share a tile in proportion to their channels (rounded up).
  int64_t input_dram_bytes(int64_t a, int64_t b, int64_t th, int64_t tw, int64_t tk) const {
    const std::vector<bool>& d = h_.inputs_in_dram;
    if (inputs_in_dram_ == 0) return 0;
    if (size_t(inputs_in_dram_) == d.size()) return a + b;
    if (m_.operand_b) return (d[0] ? a : 0) + (d.size() > 1 && d[1] ? b : 0);
    if (m_.input_is_gate.size() == d.size()) {
      const int64_t full = m_.rows_in(th) * m_.cols_in(tw) * tk * data_, per_gate = tk * data_;
      int64_t all = 0, dram = 0;
      for (size_t i = 0; i < d.size(); ++i) {
        const int64_t part = m_.input_is_gate[i] ? per_gate : full;
        all += part;
        dram += d[i] ? part : 0;
      }
      if (all == a) return dram;  // the footprint's own parts (a stationary input loads nothing)
      return a == 0 ? 0 : ceil_div(a * dram, all);
    }
    if (m_.input_channels.size() == d.size()) {
      int64_t all = 0, dram = 0;
      for (size_t i = 0; i < d.size(); ++i) {
        all += m_.input_channels[i];
        dram += d[i] ? m_.input_channels[i] : 0;
      }
      return all > 0 ? ceil_div(a * dram, all) : a;
    }
    return a + b;  // an input structure not split above: all of it, as if every input were in DRAM
  }

  // Link bytes of a block of rows x cols pixels, `channels` of each, of an
  // NHWC tensor (docs/architecture.md section 3): a row's pixels are one
  // contiguous run when the block holds all the tensor's channels of
  // side-by-side pixels, else every pixel is a run of its channels.
  int64_t block_link_bytes(int64_t rows, int64_t cols, int64_t channels, bool all_channels, bool side_by_side) const {
    if (all_channels && side_by_side) return dram_link_bytes(rows, cols * channels * data_, burst_div_);
    return dram_link_bytes(rows * cols, channels * data_, burst_div_);
  }

  // Link bytes of the tile's inputs whose home is DRAM, input by input (the
  // runs of each kind of operand: docs/architecture.md section 3). keep_b:
  // a matmul's second operand is loaded (keep_w in tile_bytes).
  int64_t input_link_bytes(int64_t th, int64_t tw, int64_t tk, int64_t cc, bool keep_a, bool keep_b) const {
    if (inputs_in_dram_ == 0) return 0;
    const std::vector<bool>& d = h_.inputs_in_dram;
    const int64_t ri = m_.rows_in(th), ci = m_.cols_in(tw), K = m_.size[kK];
    const bool side = m_.reads_consecutive_cols();
    const int64_t all_channels = all_input_channels_;
    int64_t bytes = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      if (!d[i]) continue;
      switch (m_.kind) {
        case Footprint::Dense:
          if (m_.operand_b && i == 1) {  // B[k][n]: a run of tk of its n per depth step
            if (keep_b) bytes += block_link_bytes(th, cc, tk, tk == K, true);
          } else if (keep_a) {
            bytes += block_link_bytes(ri, ci, cc, cc == m_.size[kC], side);
          }
          break;
        case Footprint::Grouped: {
          const int64_t channels = m_.spanned_groups(tk) * cc;
          if (keep_a) bytes += block_link_bytes(ri, ci, channels, channels >= m_.groups * m_.size[kC], side);
          break;
        }
        case Footprint::Channelwise:
          if (!keep_a) break;
          if (i < m_.input_is_gate.size() && m_.input_is_gate[i]) {
            bytes += block_link_bytes(1, 1, tk, tk == K, true);
          } else if (i < m_.input_channels.size() && all_channels > 0) {  // its share of the tile's channels
            bytes += block_link_bytes(ri, ci, ceil_div(tk * m_.input_channels[i], all_channels), tk == K, side);
          } else {
            bytes += block_link_bytes(ri, ci, tk, tk == K, side);
          }
          break;
        case Footprint::GlobalPool:  // cc window positions, side by side
          if (keep_a) bytes += block_link_bytes(1, cc, tk, tk == K, true);
          break;
        case Footprint::NoWork:
          break;
      }
    }
    return bytes;
  }

  // Link bytes of a weight tile that streams from DRAM. Weights are
  // constants, so the compiler lays the streamed ones out in DRAM in the
  // blocks its tiles read (tk output channels x cc reduction units x window,
  // then the tile's int32 biases): every weight tile is one run.
  int64_t weight_link_bytes(int64_t bytes) const { return dram_link_bytes(1, bytes, burst_div_); }

  // A tile's activation input and weight (a matmul's B) bytes, without
  // those that stay in the PE (TileShape::keep_in, keep_w).
  struct Operands {
    int64_t in, w;
  };
  Operands operands(const TileShape& s, const Linear& f) const {
    return {s.keep_in ? f.a_in * s.cc + f.b_in : 0, s.keep_w ? f.a_w * s.cc + f.b_w : 0};
  }

  // Partial sums leave the PE as int32 when input channels are split over PEs.
  int64_t output_element_bytes(const Plan& p) const { return p.parts[kC] > 1 ? acc_ : data_; }

  // What a tile moves over the network (TileBytes::in, w, out; f is its
  // footprint): all that network_sums needs of it.
  TileBytes network_bytes(const Plan& p, const TileShape& s, const Linear& f) const {
    TileBytes t;
    const Operands o = operands(s, f);
    t.in = m_.operand_b ? o.in + o.w : o.in;
    t.w = m_.operand_b ? 0 : o.w;
    // With a chunked reduction the accumulators stay in core memory and the
    // finished outputs leave over the chunks of that output tile (the store
    // is spread evenly, rounded up).
    const int64_t out = s.th * s.tw * s.tk * output_element_bytes(p);
    t.out = s.nchunks == 1 ? out : ceil_div(out, s.nchunks);
    return t;
  }

  // What tile s of p moves and computes, but for in_dram and core (which
  // only the program needs, not the estimate: tile_bytes adds them).
  TileBytes tile_traffic(const Plan& p, const TileShape& s) const {
    const int64_t th = s.th, tw = s.tw, tk = s.tk, cc = s.cc, nchunks = s.nchunks;
    const Linear f = m_.footprint(th, tw, tk, data_, acc_);
    TileBytes t = network_bytes(p, s, f);
    // Link bytes in whole bursts (0 for what does not cross the link). The
    // output's runs follow the input's rule (its columns are side by side),
    // spread over the chunks like the store.
    t.in_link = input_link_bytes(th, tw, tk, cc, s.keep_in, s.keep_w);
    if (h_.weights_in_dram && !m_.operand_b) t.w_link = weight_link_bytes(t.w);
    if (h_.output_in_dram) {
      const int64_t out_elem = output_element_bytes(p);
      const int64_t runs = tk == m_.size[kK] ? th : th * tw, run = th * tw * tk * out_elem / runs;
      t.out_link = ceil_div(dram_link_bytes(runs, run, burst_div_), nchunks);
    }
    const Share share = core_share(th, tw, tk, p.split);
    const int64_t r = m_.size[kC] > 0 ? reduction_div_.ceil(m_.r_total * cc) : 0;
    t.ops_per_core = lane_slots(share.th * share.tw * share.tk, r);
    t.active_cores = share.active;
    // Every operand of the tile, stationary ones included, streams from PE
    // memory into the core memories (which hold one tile): read once through
    // the port.
    t.port = f.a_in * cc + f.b_in + f.a_w * cc + f.b_w;
    return t;
  }

  TileBytes tile_bytes(const Plan& p, const TileShape& s) const {
    TileBytes t = tile_traffic(p, s);
    const Operands o = operands(s, m_.footprint(s.th, s.tw, s.tk, data_, acc_));
    t.in_dram = input_dram_bytes(o.in, m_.operand_b ? o.w : 0, s.th, s.tw, s.tk);
    // Each core receives its own share of the operands (an input that cores
    // splitting output channels all need arrives at each of them).
    const Share share = core_share(s.th, s.tw, s.tk, p.split);
    const Linear cf = m_.footprint(share.th, share.tw, share.tk, data_, acc_);
    t.core = share.active * (cf.a_in * s.cc + cf.b_in + cf.a_w * s.cc + cf.b_w);
    return t;
  }

  // Calls g(shape, count) for each distinct tile shape of a PE chunk.
  template <class G>
  void for_each_tile_shape(const Plan& p, const std::array<int64_t, kDims>& c, G&& g) const {
    std::array<std::array<int64_t, 2>, kDims> ext{}, cnt{};
    std::array<int, kDims> n{};
    std::array<int64_t, kDims> tiles{};  // along each dimension: ceil(c / t)
    for (int d = 0; d < kDims; ++d) {
      const int64_t t = std::min(p.tile[d], c[d]);
      const bool whole = t == c[d];  // common (full width, the whole reduction): no division
      const int64_t full = whole ? 1 : c[d] / t, rem = whole ? 0 : c[d] % t;
      n[d] = 0;
      if (full > 0) ext[d][n[d]] = t, cnt[d][n[d]++] = full;
      if (rem > 0) ext[d][n[d]] = rem, cnt[d][n[d]++] = 1;
      tiles[d] = full + (rem > 0 ? 1 : 0);
    }
    const int64_t nchunks = tiles[kC];
    const int64_t spatial_tiles = tiles[kH] * tiles[kW];
    const int64_t channel_tiles = tiles[kK];
    // Stationary operands: with the whole reduction in one chunk, a PE whose
    // chunk is one spatial tile keeps that input while it walks the channel
    // tiles (dense ops: every channel reads the same input), and one whose
    // chunk is one channel tile keeps those weights over its spatial tiles.
    const bool input_stays = nchunks == 1 && spatial_tiles == 1 && channel_tiles > 1 &&
                             m_.kind == Footprint::Dense;
    const bool weights_stay = nchunks == 1 && channel_tiles == 1 && spatial_tiles > 1 && !m_.operand_b &&
                              (m_.kind == Footprint::Dense || m_.kind == Footprint::Grouped);
    bool first = true;
    for (int i0 = 0; i0 < n[0]; ++i0)
      for (int i1 = 0; i1 < n[1]; ++i1)
        for (int i2 = 0; i2 < n[2]; ++i2)
          for (int i3 = 0; i3 < n[3]; ++i3) {
            int64_t count = cnt[0][i0] * cnt[1][i1] * cnt[2][i2] * cnt[3][i3];
            const int64_t th = ext[0][i0], tw = ext[1][i1], tk = ext[2][i2], cc = ext[3][i3];
            if (first && (input_stays || weights_stay)) {
              g(TileShape{th, tw, tk, cc, nchunks, true, true}, 1);
              if (--count == 0) {
                first = false;
                continue;
              }
            }
            first = false;
            g(TileShape{th, tw, tk, cc, nchunks, !input_stays, !weights_stay}, count);
          }
  }

  // Calls g(tile_bytes, count) for each distinct tile shape of a PE chunk.
  template <class G>
  void for_each_tile(const Plan& p, const std::array<int64_t, kDims>& c, G&& g) const {
    for_each_tile_shape(p, c, [&](const TileShape& s, int64_t count) { g(tile_bytes(p, s), count); });
  }

  // Whole network cycles of a tile's transfers (or of several tiles'
  // together: the sums of theirs).
  struct NetworkCycles {
    int64_t load = 0;                // its load as one transfer (unicast)
    int64_t input = 0, weights = 0;  // its input and its weights as separate transfers (lock step)
    int64_t store = 0;
  };
  NetworkCycles network_cycles(const TileBytes& t) const {
    return {whole_cycles(t.in + t.w), whole_cycles(t.in), whole_cycles(t.w), whole_cycles(t.out)};
  }

  // What estimate needs of one tile shape of a PE chunk: the same for
  // unicast and multicast plans, so their estimates of one tile share it.
  struct TileCost {
    int64_t count;  // tiles of this shape
    NetworkCycles net;
    int64_t out, in_link, w_link, out_link;  // as in TileBytes
    int64_t compute;                         // pe_compute_cycles
  };
  // Appends the tile costs of class c of p to `out`.
  void append_tile_costs(const Plan& p, const PeClass& c, std::vector<TileCost>& out) const {
    for_each_tile_shape(p, c.chunk, [&](const TileShape& s, int64_t count) {
      const TileBytes t = tile_traffic(p, s);
      out.push_back({count, network_cycles(t), t.out, t.in_link, t.w_link, t.out_link, pe_compute_cycles(t.step(count), a_)});
    });
  }
  // Where a class's tile costs are in a vector of them.
  struct CostRange {
    uint32_t begin, end;
  };

  // Analytical cycles of a plan under the program.hpp semantics: per-PE
  // load/compute/store (overlapped only when double buffered), and the
  // shared network and link as throughput floors. The network charges whole
  // cycles per transfer, as the simulator's channel does (a multicast splits
  // a load in two transfers). PEs that share operands move in lock step (a
  // multicast waits for every member), so a tile's load and store take as
  // long as the whole class's, not one PE's. The fill and drain a
  // throughput floor hides are added: every PE waits for the first loads of
  // the PEs the network serves before it (the last waits for all of them),
  // and after the network's last load a tile is still computed (the
  // shortest last tile of any class). Without them, fewer larger tiles
  // looked as fast as more smaller ones (a larger memory chose them and
  // simulated slower: mobilenet_v3_small's logits on the large preset with
  // 2x PE memory, +332 cycles).
  // `classes` are classes(p); class i's tile costs are costs[ranges[i].begin .. ranges[i].end).
  double estimate(const Plan& p, const PeClasses& classes, const TileCost* costs, const CostRange* ranges) const {
    const auto& k = a_.constants;
    double worst_pe = 0, net_cycles = 0, link_bytes = 0, first_loads = 0, drain = -1;
    int64_t partial_sums = 0;  // int32 bytes the controller reduces after the PEs (input-channel splits)
    for (int i = 0; i < classes.n; ++i) {
      const PeClass& c = classes.items[size_t(i)];
      const int64_t npes = c.pes;
      const Copies n = copies(p, c);
      const bool lockstep = in_lockstep(n, npes);
      const int64_t stores = lockstep ? npes : 1;
      double pe_time = 0, first = -1, own_first_load = 0, last_compute = 0;
      for (const TileCost* t = costs + ranges[i].begin; t != costs + ranges[i].end; ++t) {
        const int64_t count = t->count;
        const int64_t in_link = lockstep ? n.input * t->in_link + n.weights * t->w_link : t->in_link + t->w_link;
        const int64_t in_net = load_network_cycles(t->net, n, lockstep);
        // A load's DRAM bytes cross the link, then the network. A lock-step
        // class's load is several transfers that pipeline over the two hops:
        // all of them on the network, or all DRAM bytes on the link and then
        // the last DRAM transfer's network hop (before, both hops in full:
        // multicast looked slow for streamed weights, e.g.
        // llama3_2_1b_prefill's layer0/up on the large preset).
        const bool input_dram = t->in_link > 0, weights_dram = t->w_link > 0;
        const int64_t dram_transfers = lockstep ? (input_dram ? n.input : 0) + (weights_dram ? n.weights : 0)
                                                : (input_dram || weights_dram ? 1 : 0);
        const int64_t dram_net = lockstep ? (input_dram ? n.input * t->net.input : 0) +
                                                (weights_dram ? n.weights * t->net.weights : 0)
                                          : in_net;
        const double load = dram_transfers == 0 ? double(in_net)
                                                : k.dram_latency_cycles +
                                                      std::max(double(in_net), double(in_link) / link_bw_ +
                                                                                   double(dram_net / dram_transfers));
        const double store = double(stores * t->net.store) +
                             (h_.output_in_dram ? k.dram_latency_cycles + stores * t->out_link / link_bw_ : 0.0);
        const double compute = double(t->compute);
        if (first < 0) {
          first = load + store;
          own_first_load = double(in_net);
          first_loads += double(lockstep ? in_net : npes * in_net);
        }
        last_compute = compute;
        pe_time += double(count) * (p.db ? std::max(load + store, compute) : load + compute + store);
        net_cycles += double(count) * double(tile_network_cycles(t->net, n, npes, lockstep));
        link_bytes += double(count) * double(n.input * t->in_link + n.weights * t->w_link + npes * t->out_link);
        if (p.parts[kC] > 1) partial_sums += count * npes * t->out;
      }
      if (p.db) pe_time += first;
      worst_pe = std::max(worst_pe, pe_time - own_first_load);
      drain = drain < 0 ? last_compute : std::min(drain, last_compute);
    }
    const double pe = worst_pe + first_loads, net = net_cycles + std::max(drain, 0.0), link = link_bytes / link_bw_;
    // The slowest resource sets the time; a small share of the others breaks
    // ties towards less traffic (they also contend in the simulator).
    const double slowest = std::max({pe, net, link});
    // The reduction of partial sums follows the PEs' last store (nothing overlaps it).
    return slowest + kContentionShare * (pe + net + link - slowest) + double(reduction_cycles(partial_sums, a_));
  }

  // Network cycles of one transfer.
  int64_t whole_cycles(int64_t bytes) const { return net_div_.ceil(bytes); }

  // PEs that share operands move in lock step (estimate).
  static bool in_lockstep(const Copies& n, int64_t npes) { return n.input < npes || n.weights < npes; }
  // Network cycles of a PE's load of tile t (in lock step: of its class's).
  static int64_t load_network_cycles(const NetworkCycles& t, const Copies& n, bool lockstep) {
    return lockstep ? n.input * t.input + n.weights * t.weights : t.load;
  }
  // Network cycles of tile t's loads and stores over a class's npes PEs
  // (linear in t: of several tiles, given the sums of their cycles).
  static int64_t tile_network_cycles(const NetworkCycles& t, const Copies& n, int64_t npes, bool lockstep) {
    const int64_t in_net = load_network_cycles(t, n, lockstep);
    return (lockstep ? in_net : npes * in_net) + npes * t.store;
  }

  // The network cycles of one PE class's tiles of p, summed over its tiles:
  // all that network_floor needs, and the same for unicast and multicast
  // plans of one tile.
  NetworkCycles network_sums(const Plan& p, const PeClass& c) const {
    NetworkCycles sums;
    for_each_tile_shape(p, c.chunk, [&](const TileShape& s, int64_t count) {
      const NetworkCycles t = network_cycles(network_bytes(p, s, m_.footprint(s.th, s.tw, s.tk, data_, acc_)));
      sums.load += count * t.load;
      sums.input += count * t.input;
      sums.weights += count * t.weights;
      sums.store += count * t.store;
    });
    return sums;
  }

  // The network cycles of estimate(p) (`sums` per class of `classes`): a
  // lower bound of the estimate that needs only the bytes each tile moves
  // over the network (no link bytes, cores or compute), so it is cheap.
  // Summed exactly in integers; the estimate sums the same terms as doubles.
  double network_floor(const Plan& p, const PeClasses& classes, const NetworkCycles* sums) const {
    int64_t cycles = 0;
    for (int i = 0; i < classes.n; ++i) {
      const PeClass& c = classes.items[size_t(i)];
      const Copies n = copies(p, c);
      cycles += tile_network_cycles(sums[i], n, c.pes, in_lockstep(n, c.pes));
    }
    return double(cycles);
  }

  // A tile search_tiles tries, and what its plans' network floors and
  // estimates share (computed when first needed).
  struct Candidate {
    std::array<int64_t, kDims> tile;
    int sums = -1;  // index of its first class's network sums in PartitionSearch::sums, -1 until computed
    // Per core split (the tile costs depend on it): of its first class's
    // CostRange in PartitionSearch::cost_ranges, -1 until computed.
    std::array<int, 2> costs{-1, -1};
    int next = -1;  // the tile added before it with the same tk step and spatial entry (PartitionSearch::index_of)
  };
  // The candidates of one double buffering and core split, in search order:
  // the unicast and the multicast search walk the same ones (they differ in
  // their estimates and where they stop), so each tk step's candidates are
  // generated once, when the first search reaches it.
  struct Candidates {
    std::vector<int> tiles;        // indices in PartitionSearch::tiles
    std::vector<size_t> step_end;  // per tk step generated so far: the end of its candidates in `tiles`
  };
  // What the searches of one partition share. One object serves the
  // partitions of every layer in turn (start), reusing its vectors' memory
  // (PlanCache owns it).
  struct PartitionSearch {
    void start(const Mapper& mapper, const Plan& p) {
      classes = mapper.classes(p);
      ns = 0;
      tks.clear();
      for (auto& by_split : candidates)
        for (Candidates& c : by_split) c.tiles.clear(), c.step_end.clear();
      tiles.clear();
      sums.clear();
      costs.clear();
      cost_ranges.clear();
      const int64_t Hc = p.chunk[kH], Wc = p.chunk[kW], Kc = p.chunk[kK];
      // Spatial tiles from the whole chunk down to one output: row bands of
      // full width first (balanced sizes), then parts of one row.
      for (int64_t n = 1;; n *= 2) {
        const int64_t th = ceil_div(Hc, n);
        if (ns == 0 || spatial[ns - 1].first != th) spatial[ns++] = {th, Wc};
        if (th == 1) break;
      }
      for (int64_t n = 2; Wc > 1; n *= 2) {
        const int64_t tw = ceil_div(Wc, n);
        if (spatial[ns - 1].second != tw) spatial[ns++] = {1, tw};
        if (tw == 1) break;
      }
      // Channel tiles from the whole chunk down to one channel (halving).
      for (int64_t n = 1; tks.empty() || tks.back() != 1; n *= 2) {
        const int64_t tk = ceil_div(Kc, n);
        if (tks.empty() || tks.back() != tk) tks.push_back(tk);
      }
      first_tile.assign(tks.size() * size_t(ns), -1);
    }
    // The index in `tiles` of the tile of spatial entry i, tk step `step`
    // and reduction chunk cc, added if new: the searches of other double
    // bufferings and core splits often try the same tiles, and their network
    // sums (and, with the same split, tile costs) are the same.
    int index_of(size_t step, int i, int64_t cc) {
      int& head = first_tile[step * size_t(ns) + size_t(i)];
      for (int t = head; t >= 0; t = tiles[size_t(t)].next)
        if (tiles[size_t(t)].tile[kC] == cc) return t;
      tiles.push_back({{spatial[size_t(i)].first, spatial[size_t(i)].second, tks[step], cc}});
      tiles.back().next = head;
      head = int(tiles.size() - 1);
      return head;
    }
    PeClasses classes;
    std::array<std::pair<int64_t, int64_t>, 128> spatial{};  // (th, tw), largest first
    int ns = 0;
    std::vector<int64_t> tks;  // channel tile sizes, largest first
    Candidates candidates[2][2];  // per double buffering and core split
    std::vector<Candidate> tiles;  // the distinct tiles of all of them
    std::vector<int> first_tile;   // per tk step and spatial entry: its last tile added to `tiles`, or -1
    std::vector<NetworkCycles> sums;  // classes.n per candidate whose sums are computed
    std::vector<TileCost> costs;      // the tile costs of candidates estimated
    std::vector<CostRange> cost_ranges;  // classes.n per candidate estimated (per split)
  };

  // Finds the best plan; invalid when no tile fits.
  // `ps`: working memory.
  Plan search(PartitionSearch& ps) const {
    Plan best;
    const int64_t P = a_.num_pes();
    std::vector<std::array<int64_t, kDims>> partitions;
    auto add_partition = [&](std::array<int64_t, kDims> parts) {
      for (int d = 0; d < kDims; ++d) parts[d] = std::clamp<int64_t>(parts[d], 1, m_.size[d]);
      if (std::find(partitions.begin(), partitions.end(), parts) == partitions.end())
        partitions.push_back(parts);
    };
    add_partition({1, 1, P, 1});
    add_partition({P, 1, 1, 1});
    if (m_.size[kH] < P) add_partition({1, P, 1, 1});
    if (m_.ic_split_ok && m_.size[kK] < P) add_partition({1, 1, 1, P});
    // Two-dimensional split when neither channels nor rows alone fill the array.
    if (m_.size[kK] < P && m_.size[kH] < P) {
      // Only splits that use every row part: pk >= P / H.
      int64_t pk = 2;
      while (pk * m_.size[kH] < P) pk *= 2;
      for (; pk < P && pk <= m_.size[kK]; pk *= 2) add_partition({P / pk, 1, pk, 1});
    }
    for (const auto& parts : partitions) {
      Plan p;
      for (int d = 0; d < kDims; ++d) {
        p.chunk[d] = ceil_div(m_.size[d], parts[d]);
        p.parts[d] = ceil_div(m_.size[d], p.chunk[d]);
      }
      // A plan cannot beat the lane time of its largest PE chunk: skip
      // partitions whose floor is already no better than the best found.
      const double chunk_ops = double(m_.r_total) * double(p.chunk[kH] * p.chunk[kW] * p.chunk[kK]) *
                               double(p.chunk[kC]) / double(m_.size[kC]);
      if (best.valid && chunk_ops / double(cores_ * lanes_) >= best.estimate) continue;
      // Multicast is a choice: its groups move in lock step, which can cost
      // more than the traffic it saves (ties keep unicast).
      const bool can_share = multicast_ && ((p.parts[kK] > 1 && shares_input({.multicast = true})) ||
                                            (p.parts[kH] * p.parts[kW] > 1 && shares_weights({.multicast = true})));
      ps.start(*this, p);
      for (bool mc : {false, true}) {
        if (mc && !can_share) continue;
        for (bool db : {false, true}) {  // ties keep the simpler single-buffered plan
          for (CoreSplit split : {CoreSplit::Channels, CoreSplit::Spatial}) {
            if (split == CoreSplit::Spatial && cores_ == 1) continue;  // one core: both splits are the same plan
            p.multicast = mc;
            p.db = db;
            p.split = split;
            search_tiles(p, ps, ps.candidates[db][int(split)], best);
          }
        }
      }
    }
    return best;
  }

 private:
  static int64_t solve(int64_t a, int64_t b, int64_t cap) {
    if (b > cap) return 0;
    if (a == 0) return kInf;
    return (cap - b) / a;
  }

  // Estimates p with the tile of `c` and keeps it in `best` when it beats
  // it, and in `own_best` (the search's best estimate so far, -1 before the
  // first) when it beats that.
  void consider(Plan& p, PartitionSearch& ps, Candidate& c, Plan& best, double& own_best) const {
    p.tile = c.tile;
    // Branch and bound: a plan whose network floor is already no lower than
    // own_best can change neither own_best nor best (which is never above
    // it), so its full estimate is not needed. The margin keeps a floor that
    // rounded differently from the estimate's own sum from pruning wrongly.
    if (own_best >= 0) {
      if (c.sums < 0) {
        c.sums = int(ps.sums.size());
        for (const PeClass& pc : ps.classes) ps.sums.push_back(network_sums(p, pc));
      }
      if (network_floor(p, ps.classes, &ps.sums[size_t(c.sums)]) * (1 - 1e-9) >= own_best) return;
    }
    int& costs = c.costs[size_t(p.split)];
    if (costs < 0) {
      costs = int(ps.cost_ranges.size());
      for (const PeClass& pc : ps.classes) {
        const uint32_t begin = uint32_t(ps.costs.size());
        append_tile_costs(p, pc, ps.costs);
        ps.cost_ranges.push_back({begin, uint32_t(ps.costs.size())});
      }
    }
    p.estimate = estimate(p, ps.classes, ps.costs.data(), &ps.cost_ranges[size_t(costs)]);
    p.valid = true;
    if (!best.valid || p.estimate < best.estimate) best = p;
    if (own_best < 0 || p.estimate < own_best) own_best = p.estimate;
  }

  // Appends the candidates of tk step `step` of p's double buffering and
  // core split to `out`.
  void add_candidates(Plan p, PartitionSearch& ps, size_t step, Candidates& out) const {
    const int64_t Cc = p.chunk[kC], tk = ps.tks[step];
    const int ns = ps.ns;
    const auto& spatial = ps.spatial;
    auto add = [&](int i, int64_t cc) { out.tiles.push_back(ps.index_of(step, i, cc)); };
    // max_chunk of spatial entry i, computed once (both searches below and
    // the chunked candidates ask for the same entries).
    std::array<int64_t, 128> chunk_of;
    std::fill_n(chunk_of.begin(), ns, -1);
    auto chunk_at = [&](int i) {
      if (chunk_of[size_t(i)] < 0) chunk_of[size_t(i)] = max_chunk(spatial[size_t(i)].first, spatial[size_t(i)].second, tk, p.split, p.db, Cc);
      return chunk_of[size_t(i)];
    };
    // Fit is monotone along the spatial list: binary search the first
    // entry that fits with the whole reduction, and with any chunk.
    auto first_fit = [&](int64_t need) {
      int lo = 0, hi = ns;
      while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (chunk_at(mid) >= need)
          hi = mid;
        else
          lo = mid + 1;
      }
      return lo;
    };
    // The largest spatial tiles that fit with the whole reduction, and a
    // few smaller ones: more tiles fill the pipeline sooner and balance
    // the network better, which the largest tile that fits can lose (a
    // larger memory would otherwise offer only its larger tile).
    // The reduction of the largest of them is also tried in 2 and 4
    // chunks: a shorter last tile drains sooner.
    const int full = first_fit(Cc);
    for (int i = full; i < std::min(ns, full + kSpatialCandidates); ++i)
      for (int64_t nch = 1; nch <= (i == full ? kReductionCandidates : 1) && nch <= Cc; nch *= 2) add(i, ceil_div(Cc, nch));
    // Spatial tiles larger than those need a chunked reduction: the
    // largest few that fit with some chunk, each in the fewest equal
    // chunks that fit and in 2 and 4 times as many.
    const int any = Cc > 1 ? first_fit(1) : ns;
    for (int i = any; i < std::min({full, ns, any + kSpatialCandidates}); ++i) {
      const int64_t cmax = chunk_at(i);
      for (int64_t nch = ceil_div(Cc, cmax), n = 1; n <= kReductionCandidates && nch <= Cc; nch *= 2, n *= 2)
        add(i, ceil_div(Cc, nch));
      // An input in DRAM read a chunk of channels per pixel moves whole
      // bursts per pixel: a chunk of whole bursts wastes none (with 2x
      // core memory, ResNet-50's stage2/block0/conv1 on large took 43 of
      // 256 channels, 1.5x the link bytes, and was 2.9 % slower).
      const int64_t aligned = cmax / burst_units_ * burst_units_;
      if (inputs_in_dram_ > 0 && aligned > 0 && aligned < Cc) add(i, aligned);
    }
    out.step_end.push_back(out.tiles.size());
  }

  // Searches the tiles of p's partition, double buffering, core split and
  // multicast (`candidates` those of its double buffering and core split),
  // keeping the best plan in `best`.
  void search_tiles(Plan p, PartitionSearch& ps, Candidates& candidates, Plan& best) const {
    int worse = 0;
    // This search's own best: the early stop below compares tk steps of
    // this search with each other, not with the best of the partitions
    // tried before (whose estimate its first, largest tk can miss: with
    // DRAM bursts, llama3_2_1b_prefill's layer0/gate on edge_baseline
    // stopped the cols partition before its good tk of 128 and took an oc
    // partition that moved 3.3x the link bytes).
    double own_best = -1;
    size_t next = 0;  // the next candidate
    for (size_t step = 0; step < ps.tks.size(); ++step) {
      if (step == candidates.step_end.size()) add_candidates(p, ps, step, candidates);
      const size_t end = candidates.step_end[step];
      const bool found = next < end;  // a tile fits with this tk
      const double before = own_best;
      for (; next < end; ++next) consider(p, ps, ps.tiles[size_t(candidates.tiles[next])], best, own_best);
      // Stop shrinking channels once fitting tiles stopped paying off.
      if (found && before >= 0 && own_best >= before) {
        if (++worse >= 2) break;
      } else if (found) {
        worse = 0;
      }
    }
  }

  const LayerModel& m_;
  const ArchConfig& a_;
  const Homes& h_;
  Divisor lanes_div_, cores_div_, net_div_, burst_div_;
  Divisor reduction_div_;  // the layer's reduction units (size[kC])
  int64_t inputs_in_dram_ = 0;      // of h_.inputs_in_dram
  int64_t all_input_channels_ = 0;  // a concat's output channels: the sum of its inputs'
  int64_t burst_units_ = 1;         // elements per DRAM burst (at least 1)
  int64_t data_, acc_, lanes_, cores_, net_bw_, burst_;
  double link_bw_;
  bool multicast_;
};

LayerModel model_layer(const Layer& l) {
  LayerModel m;
  const auto& out = l.output;
  const workloads::Shape in0 = l.input_shapes.empty() ? workloads::Shape{} : l.input_shapes[0];
  m.ops = l.macs() + l.vector_ops();
  m.weight_bytes = l.weights();  // elements here; bytes once the architecture is known (compile)
  m.size = {out.n * out.h, out.w, out.c, 1};
  m.in_h = in0.n * in0.h;
  m.in_w = in0.w;
  // Per op kind, through its row in the op table (workloads/graph.cpp).
  switch (workloads::op_def(l.op).mapping) {
    case OpMapping::Window: {
      m.groups = std::max(1, l.groups);
      m.kh = l.kernel_h, m.kw = l.kernel_w, m.sh = l.stride_h, m.sw = l.stride_w;
      m.dh = l.dilation_h, m.dw = l.dilation_w;
      m.upsample = l.op == OpType::ConvTranspose;
      m.kk = int64_t(l.kernel_h) * l.kernel_w;
      m.size[kC] = std::max<int64_t>(1, in0.c / m.groups);
      m.kg = std::max<int64_t>(1, out.c / m.groups);
      m.kind = m.groups == 1 ? Footprint::Dense : Footprint::Grouped;
      m.ic_split_ok = m.groups == 1 && m.size[kC] > 1;
      break;
    }
    case OpMapping::Dense:
      m.kind = Footprint::Dense;
      m.size[kC] = in0.c;
      m.ic_split_ok = in0.c > 1;
      break;
    case OpMapping::Product:
      // Output {1, batch, m, n}: rows = batch, cols = m, channels = n, depth k.
      m.kind = Footprint::Dense;
      m.operand_b = true;
      m.size[kC] = l.k;
      m.in_h = out.n * out.h;
      m.in_w = out.w;
      m.ic_split_ok = l.k > 1;
      break;
    case OpMapping::Pool:
      if (l.pool == workloads::PoolKind::GlobalAverage) {
        m.kind = Footprint::GlobalPool;
        m.size[kC] = in0.h * in0.w;
      } else {
        m.kind = Footprint::Channelwise;
        m.kh = l.kernel_h, m.kw = l.kernel_w, m.sh = l.stride_h, m.sw = l.stride_w;
        m.dh = l.dilation_h, m.dw = l.dilation_w;
      }
      break;
    case OpMapping::Elementwise: {
      // Full-size operands are read per output element; a 1x1xC operand is a
      // gate read once per channel. Other broadcast operands (e.g. a per-row
      // mean) are counted as full-size, which over- not under-states the tile.
      m.kind = Footprint::Channelwise;
      m.n_inputs = 0;
      for (const auto& s : l.input_shapes) {
        const bool gate = s.h * s.w == 1 && out.h * out.w > 1 && s.c == out.c;
        m.input_is_gate.push_back(gate);
        if (gate) {
          m.gate = true;
        } else {
          ++m.n_inputs;
        }
      }
      break;
    }
    case OpMapping::Copy:
      m.kind = Footprint::Channelwise;  // each output channel copies one input channel
      for (const auto& s : l.input_shapes) m.input_channels.push_back(s.c);
      break;
    case OpMapping::Upsample:
      m.kind = Footprint::Channelwise;
      m.upsample = true;
      m.kh = m.kw = 2;  // bilinear reads the next input too
      m.sh = m.sw = std::max(1, l.scale);
      break;
    case OpMapping::Reduction:
      if (l.reduce_c) {
        // Like a weightless dense reduction: every output reads all reduced channels.
        m.kind = Footprint::Dense;
        m.kk = 0;
        m.size[kC] = in0.c * (l.reduce_h ? in0.h : 1) * (l.reduce_w ? in0.w : 1);
        m.in_h = out.n * out.h;
        m.in_w = out.w;
      } else {
        m.kind = Footprint::GlobalPool;
        m.size[kC] = (l.reduce_h ? in0.h : 1) * (l.reduce_w ? in0.w : 1);
      }
      break;
    case OpMapping::View:
      m.kind = Footprint::NoWork;
      break;
  }
  const int64_t outputs = std::max<int64_t>(1, l.output_elements());
  m.r_total = ceil_div(m.ops, outputs);
  if (m.kind == Footprint::Dense || m.kind == Footprint::Grouped) {
    const int64_t reduction = m.size[kK] * m.kk * m.size[kC];
    m.bias_elements = m.operand_b ? 0 : std::max<int64_t>(0, l.weights() - reduction);
    m.bias = ceil_div(m.bias_elements, m.size[kK]);
  }
  return m;
}

// The mapper's plan is a function of the layer's model, its homes and the
// design: layers that repeat (the blocks of a MobileNet, the layers of a
// transformer) are searched once.
class PlanCache {
 public:
  explicit PlanCache(const ArchConfig& arch) : arch_(arch) {}
  Plan search(const LayerModel& m, const Homes& h) {
    for (const Entry& e : entries_) {
      if (e.homes == h && e.model == m) return e.plan;
    }
    entries_.push_back({m, h, Mapper(m, arch_, h).search(search_memory_)});
    return entries_.back().plan;
  }

 private:
  struct Entry {
    LayerModel model;
    Homes homes;
    Plan plan;
  };
  const ArchConfig& arch_;
  std::vector<Entry> entries_;
  Mapper::PartitionSearch search_memory_;
};

const char* dim_name(int d) {
  static const char* names[] = {"rows", "cols", "oc", "ic"};
  return names[d];
}

// Turns the chosen plan into the program's work classes and PE assignment.
void materialize(const Mapper& mapper, const LayerModel& m, const Plan& p, const ArchConfig& arch,
                 LayerProgram& lp) {
  // Class key: per dimension, 0 = full chunk, 1 = remainder chunk.
  std::vector<std::pair<std::array<int, kDims>, int>> class_of_combo;
  for (const PeClass& c : mapper.classes(p)) {
    PeWork work;
    mapper.for_each_tile(p, c.chunk, [&](const TileBytes& t, int64_t count) {
      // Consecutive tiles of the same shape are one step.
      if (!work.steps.empty() && work.steps.back() == t.step(work.steps.back().count)) {
        work.steps.back().count += count;
        return;
      }
      work.steps.push_back(t.step(count));
    });
    int index = -1;
    for (size_t i = 0; i < lp.work_classes.size(); ++i) {
      const auto& s = lp.work_classes[i].steps;
      if (s.size() == work.steps.size() &&
          std::equal(s.begin(), s.end(), work.steps.begin())) {
        index = int(i);
      }
    }
    if (index < 0) {
      index = int(lp.work_classes.size());
      lp.work_classes.push_back(std::move(work));
    }
    class_of_combo.push_back({c.combo, index});
  }
  // PE i (row-major) takes part i; parts are numbered rows-major over
  // (H, W, K, C) and the last part along a dimension is its remainder.
  const int64_t P = arch.num_pes();
  lp.pe_class.assign(size_t(P), -1);
  // Multicast groups: PEs of one class whose parts differ only along the
  // dimensions that share an operand (Mapper::copies counts the same). Per
  // PE in part order, its group's key; groups are numbered in key order.
  using GroupKey = std::array<int64_t, kDims + 1>;
  std::vector<std::pair<GroupKey, int32_t>> input_groups, weight_groups;
  int64_t part = 0;
  for (int64_t i0 = 0; i0 < p.parts[0]; ++i0)
    for (int64_t i1 = 0; i1 < p.parts[1]; ++i1)
      for (int64_t i2 = 0; i2 < p.parts[2]; ++i2)
        for (int64_t i3 = 0; i3 < p.parts[3]; ++i3, ++part) {
          if (part >= P) throw std::logic_error("compiler: more parts than PEs in layer " + lp.layer_name);
          const std::array<int64_t, kDims> idx{i0, i1, i2, i3};
          std::array<int, kDims> combo{};
          for (int d = 0; d < kDims; ++d) {
            const bool rem = m.size[d] % p.chunk[d] != 0 && idx[d] == p.parts[d] - 1;
            // A dimension with no full chunk has only the remainder (index 0).
            combo[d] = (rem && m.size[d] / p.chunk[d] > 0) ? 1 : 0;
          }
          for (const auto& [c, cls] : class_of_combo)
            if (c == combo) lp.pe_class[size_t(part)] = cls;
          const int64_t cls = lp.pe_class[size_t(part)];
          if (mapper.shares_input(p)) input_groups.push_back({{cls, i0, i1, -1, i3}, int32_t(part)});
          if (mapper.shares_weights(p)) weight_groups.push_back({{cls, -1, -1, i2, i3}, int32_t(part)});
        }
  auto number = [&](std::vector<std::pair<GroupKey, int32_t>>& groups, std::vector<int>& of_pe) {
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t begin = 0, end; begin < groups.size(); begin = end) {
      for (end = begin + 1; end < groups.size() && groups[end].first == groups[begin].first;) ++end;
      if (end - begin < 2) continue;
      if (of_pe.empty()) of_pe.assign(size_t(P), -1);
      for (size_t i = begin; i < end; ++i) of_pe[size_t(groups[i].second)] = lp.groups;
      ++lp.groups;
    }
  };
  number(input_groups, lp.input_group);
  const int input_groups_used = lp.groups;
  number(weight_groups, lp.weight_group);
  lp.double_buffered = p.db;

  int main_dim = kK;
  for (int d = 0; d < kDims; ++d)
    if (p.parts[d] > p.parts[main_dim]) main_dim = d;
  if (m.kind == Footprint::Channelwise || m.kind == Footprint::GlobalPool) {
    lp.partition = PartitionKind::Elementwise;
  } else {
    static const PartitionKind kinds[] = {PartitionKind::SpatialRows, PartitionKind::SpatialCols,
                                          PartitionKind::OutputChannels, PartitionKind::InputChannels};
    lp.partition = kinds[main_dim];
  }
  std::string& s = lp.partition_detail;  // appended in place (a string stream per layer was a visible cost)
  s.clear();
  auto num = [](int64_t v) { return std::to_string(v); };
  for (int d : {kK, kH, kW, kC}) {
    if (p.parts[d] <= 1) continue;
    s += (s.empty() ? "" : " x ") + std::string(dim_name(d)) + " over " + num(p.parts[d]) + " PEs";
  }
  if (s.empty()) s += "one PE";
  s += std::string("; cores split ") + (p.split == CoreSplit::Channels ? "oc" : "rows/cols");
  s += "; tile " + num(std::min(p.tile[kH], p.chunk[kH])) + "x" + num(std::min(p.tile[kW], p.chunk[kW])) + "x" +
       num(std::min(p.tile[kK], p.chunk[kK])) + " (rows x cols x oc)";
  if (p.tile[kC] < p.chunk[kC]) s += ", ic chunk " + num(p.tile[kC]) + " of " + num(p.chunk[kC]);
  if (p.db) s += ", double buffered";
  if (input_groups_used > 0) s += "; inputs multicast to " + num(input_groups_used) + " group(s)";
  if (lp.groups > input_groups_used) s += "; weights multicast to " + num(lp.groups - input_groups_used) + " group(s)";
}

// Smallest tile's needs, for the infeasibility message.
std::optional<Infeasible> smallest_tile_failure(const LayerModel& m, const ArchConfig& arch, const Layer& l) {
  const int64_t db = arch.constants.data_bytes;
  const Linear f = m.footprint(1, 1, 1, db, arch.constants.accumulator_bytes);
  const int64_t pe_need = f.a_in + f.b_in + f.a_w + f.b_w;
  // One output per core accumulates in the lanes' registers
  // (Mapper::accumulator_bytes): the core holds its operands only.
  const int64_t core_need = pe_need;
  auto make = [&](const char* mem, int64_t need, int64_t have) {
    return Infeasible{l.name, mem, need, have,
                      "layer " + l.name + ": " + mem + " needs " + std::to_string(need) +
                          " B for the smallest tile, has " + std::to_string(have) + " B"};
  };
  if (core_need > arch.core_memory) return make("core_memory", core_need, arch.core_memory);
  if (pe_need > arch.pe_memory) return make("pe_memory", pe_need, arch.pe_memory);
  return std::nullopt;
}


// ---- activation memory plan -------------------------------------------------

// Concatenations that are views: under NHWC a channel concat's producers
// can store their channels straight into its buffer (their rows strided by
// the concat's channels), so nothing is copied and the concat does no work.
// A concat is a view when every input is the output of a layer that stores
// tiles (not a network input, not a view itself), appears once among its
// inputs, is written into no other concat's buffer, and has no reshape among
// its consumers (a reshape needs its bytes contiguous). Other consumers of
// an input read its channels from the concat's buffer. Otherwise the concat
// copies its inputs. Per layer: true for a view.
std::vector<bool> concat_views(const Network& net) {
  const size_t L = net.layers.size();
  std::vector<bool> view(L, false), claimed(L, false);
  const std::vector<std::vector<int>> consumers = net.consumers();
  auto writes_tiles = [&](workloads::TensorRef r) {
    if (workloads::is_graph_input(r) || claimed[size_t(r)] || view[size_t(r)]) return false;
    if (workloads::op_def(net.layers[size_t(r)].op).mapping == OpMapping::View) return false;
    const auto& c = consumers[size_t(r)];
    return std::none_of(c.begin(), c.end(), [&](int q) { return net.layers[size_t(q)].op == OpType::Reshape; });
  };
  for (size_t i = 0; i < L; ++i) {
    const Layer& l = net.layers[i];
    if (l.op != OpType::Concat || l.inputs.empty()) continue;
    const bool ok = std::all_of(l.inputs.begin(), l.inputs.end(), [&](workloads::TensorRef r) {
      return writes_tiles(r) && std::count(l.inputs.begin(), l.inputs.end(), r) == 1;
    });
    if (!ok) continue;
    view[i] = true;
    for (auto r : l.inputs) claimed[size_t(r)] = true;
  }
  return view;
}

// Tensor ids: 0..L-1 are layer outputs, L + i is graph input i. A reshape's
// output is a view of its input, so it maps to the same storage root; the
// inputs of a concat view (concat_views) map to the concat's buffer, live
// from its first producer.
struct TensorPlan {
  std::vector<int> root;         // per layer output: storage root tensor id
  std::vector<bool> in_dram;     // per tensor id
};

TensorPlan plan_activations(const Network& net, const ArchConfig& arch, const std::vector<bool>& concat_view) {
  const int L = int(net.layers.size());
  const int T = L + int(net.inputs.size());
  TensorPlan tp;
  tp.root.resize(size_t(T));
  tp.in_dram.assign(size_t(T), true);
  std::iota(tp.root.begin(), tp.root.end(), 0);
  auto tensor_of = [&](workloads::TensorRef r) {
    return workloads::is_graph_input(r) ? L + workloads::graph_input_number(r) : r;
  };
  for (int i = 0; i < L; ++i)
    if (concat_view[size_t(i)])
      for (auto r : net.layers[size_t(i)].inputs) tp.root[size_t(r)] = i;
  for (int i = 0; i < L; ++i) {
    const Layer& l = net.layers[size_t(i)];
    if (l.op == OpType::Reshape && !l.inputs.empty()) tp.root[size_t(i)] = tp.root[size_t(tensor_of(l.inputs[0]))];
  }
  std::vector<int64_t> bytes(size_t(T), 0), first(size_t(T), L), last(size_t(T), -1), uses(size_t(T), 0);
  const int64_t db = arch.constants.data_bytes;
  for (int i = 0; i < L; ++i) {
    if (tp.root[size_t(i)] != i) continue;
    bytes[size_t(i)] = net.layers[size_t(i)].output_bytes(db);
    first[size_t(i)] = i;
    last[size_t(i)] = i;
    // A concat view's buffer is allocated when its first producer runs.
    if (concat_view[size_t(i)])
      for (auto r : net.layers[size_t(i)].inputs) first[size_t(i)] = std::min<int64_t>(first[size_t(i)], r);
  }
  for (size_t g = 0; g < net.inputs.size(); ++g) {
    bytes[size_t(L) + g] = net.inputs[g].shape.elements() * db;
    first[size_t(L) + g] = 0;  // arrives before the first layer runs
  }
  std::vector<bool> consumed(size_t(T), false);
  for (int i = 0; i < L; ++i) {
    for (auto r : net.layers[size_t(i)].inputs) {
      consumed[size_t(tensor_of(r))] = true;
      if (concat_view[size_t(i)]) continue;  // its producers wrote the bytes in place: no read
      const int t = tp.root[size_t(tensor_of(r))];
      last[size_t(t)] = std::max<int64_t>(last[size_t(t)], i);
      ++uses[size_t(t)];
    }
  }
  // Network outputs (never consumed) stay until the inference ends.
  for (int i = 0; i < L; ++i)
    if (!consumed[size_t(i)]) last[size_t(tp.root[size_t(i)])] = L - 1;
  // Greedy: highest (traffic saved per byte) / (steps occupied) first, i.e.
  // short-lived, often-read tensors; a tensor goes on chip only if it fits
  // at every step of its life next to those already placed.
  std::vector<int> order;
  for (int t = 0; t < T; ++t)
    if (tp.root[size_t(t)] == t && last[size_t(t)] >= first[size_t(t)] && bytes[size_t(t)] > 0) order.push_back(t);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const double sa = double(1 + uses[size_t(a)]) / double(last[size_t(a)] - first[size_t(a)] + 1);
    const double sb = double(1 + uses[size_t(b)]) / double(last[size_t(b)] - first[size_t(b)] + 1);
    return sa > sb;
  });
  // Places tensors in `capacity` bytes; returns the link bytes the plan
  // costs: a layer output in DRAM is written once and read by each use, a
  // network input in DRAM read by each use, one on chip preloaded once.
  auto place = [&](int64_t capacity, std::vector<bool>& in_dram) {
    in_dram.assign(size_t(T), true);
    std::vector<int64_t> occupied(size_t(std::max(L, 1)), 0);
    int64_t link = 0;
    for (int t : order) {
      const bool input = t >= L;
      bool fits = true;
      for (int64_t s = first[size_t(t)]; s <= last[size_t(t)] && fits; ++s)
        fits = occupied[size_t(s)] + bytes[size_t(t)] <= capacity;
      if (fits) {
        for (int64_t s = first[size_t(t)]; s <= last[size_t(t)]; ++s) occupied[size_t(s)] += bytes[size_t(t)];
        in_dram[size_t(t)] = false;
      }
      link += bytes[size_t(t)] * (fits ? (input ? 1 : 0) : (input ? 0 : 1) + uses[size_t(t)]);
    }
    return link;
  };
  // The greedy is not monotone in capacity (a large tensor that now fits
  // can displace several that did), so the plans for capacity / 2, / 4, ...
  // are candidates too (each fits the larger memory) and the one that moves
  // the fewest link bytes wins (ties: the larger capacity's). Doubling
  // activation memory then never plans more link bytes.
  int64_t best = place(arch.activation_memory, tp.in_dram);
  std::vector<bool> candidate;
  for (int64_t capacity = arch.activation_memory / 2; capacity > 0 && best > 0; capacity /= 2) {
    const int64_t link = place(capacity, candidate);
    if (link < best) {
      best = link;
      tp.in_dram = candidate;
    }
    if (std::find(candidate.begin(), candidate.end(), false) == candidate.end()) break;  // all in DRAM from here on
  }
  for (int t = 0; t < T; ++t) tp.in_dram[size_t(t)] = tp.in_dram[size_t(tp.root[size_t(t)])];
  return tp;
}

int64_t layer_instructions(const LayerProgram& lp) {
  if (lp.work_classes.empty()) return 0;  // a view: resolved at compile time
  int64_t n = 2;                         // layer setup (homes, addresses) + barrier
  for (const auto& w : lp.work_classes) n += 1 + 3 * int64_t(w.steps.size());  // class header; load/compute/store per step
  return n;
}

int64_t ceil_bytes_over(int64_t bytes, double per_cycle) {
  if (bytes <= 0) return 0;
  // The tiny relative slack keeps a floating-point quotient that is an exact
  // integer from rounding up: the bound must never exceed the true time.
  return int64_t(std::ceil(double(bytes) / per_cycle * (1 - 1e-12)));
}

}  // namespace

CompileResult compile(const Network& network, const ArchConfig& arch) {
  validate(arch, "architecture");
  CompileResult result;
  Program& prog = result.program;
  prog.arch = arch;
  const int L = int(network.layers.size());
  const std::vector<bool> concat_view = concat_views(network);
  const TensorPlan tp = plan_activations(network, arch, concat_view);
  auto tensor_of = [&](workloads::TensorRef r) {
    return workloads::is_graph_input(r) ? L + workloads::graph_input_number(r) : r;
  };

  std::vector<LayerModel> models(static_cast<size_t>(L));
  std::vector<Homes> homes(static_cast<size_t>(L));
  std::vector<Plan> plans(static_cast<size_t>(L));
  PlanCache plan_cache(arch);
  for (int i = 0; i < L; ++i) {
    const Layer& l = network.layers[size_t(i)];
    models[size_t(i)] = model_layer(l);
    if (concat_view[size_t(i)]) models[size_t(i)].kind = Footprint::NoWork;
    // Parameter-memory bytes: data-width weights, int32 biases.
    LayerModel& lm = models[size_t(i)];
    lm.weight_bytes = (lm.weight_bytes - lm.bias_elements) * arch.constants.data_bytes +
                      lm.bias_elements * arch.constants.accumulator_bytes;
    Homes& h = homes[size_t(i)];
    for (auto r : l.inputs) h.inputs_in_dram.push_back(tp.in_dram[size_t(tensor_of(r))]);
    h.output_in_dram = tp.in_dram[size_t(i)];
    if (models[size_t(i)].kind == Footprint::NoWork) continue;
    if (models[size_t(i)].ic_split_ok && h.output_in_dram) models[size_t(i)].ic_split_ok = false;  // partial sums reduce in activation memory
    if (auto fail = smallest_tile_failure(models[size_t(i)], arch, l)) {
      result.infeasible = fail;
      return result;
    }
    plans[size_t(i)] = plan_cache.search(models[size_t(i)], h);
    // The smallest tile fits (checked above) and is always a candidate, so
    // an empty search is a compiler bug, not a property of the design.
    if (!plans[size_t(i)].valid) throw std::logic_error("compiler: no plan found for layer " + l.name);
  }

  // Weight residency: greedy by network bytes of weights per weight byte
  // (how often a layer's weights are fetched), i.e. layers whose streaming
  // would cost the most link traffic per byte of parameter memory first.
  std::vector<int> with_weights;
  std::vector<double> fetch_ratio(size_t(L), 0);
  for (int i = 0; i < L; ++i) {
    const LayerModel& m = models[size_t(i)];
    if (m.kind == Footprint::NoWork || m.weight_bytes <= 0 || m.operand_b) continue;
    int64_t fetched = 0;
    Mapper mapper(m, arch, homes[size_t(i)]);
    for (const PeClass& c : mapper.classes(plans[size_t(i)])) {
      const int64_t copies = mapper.copies(plans[size_t(i)], c).weights;
      mapper.for_each_tile(plans[size_t(i)], c.chunk, [&](const TileBytes& t, int64_t count) { fetched += copies * count * t.w; });
    }
    fetch_ratio[size_t(i)] = double(fetched) / double(m.weight_bytes);
    with_weights.push_back(i);
  }
  std::stable_sort(with_weights.begin(), with_weights.end(),
                   [&](int a, int b) { return fetch_ratio[size_t(a)] > fetch_ratio[size_t(b)]; });
  int64_t free_param = arch.parameter_memory;
  std::vector<bool> resident(size_t(L), false);
  for (int i : with_weights) {
    const int64_t wb = models[size_t(i)].weight_bytes;
    if (wb <= free_param) {
      resident[size_t(i)] = true;
      free_param -= wb;
      prog.resident_weight_bytes += wb;
    } else {
      homes[size_t(i)].weights_in_dram = true;
      prog.streamed_weight_bytes += wb;
      plans[size_t(i)] = plan_cache.search(models[size_t(i)], homes[size_t(i)]);  // re-plan knowing weights stream
    }
  }

  // Program: layers in network order, then instruction chunks.
  prog.layers.resize(size_t(L));
  for (int i = 0; i < L; ++i) {
    const Layer& l = network.layers[size_t(i)];
    LayerProgram& lp = prog.layers[size_t(i)];
    lp.layer_index = i;
    lp.layer_name = l.name;
    lp.ops = l.macs() + l.vector_ops();
    lp.weights_resident = resident[size_t(i)];
    lp.weights_in_dram = homes[size_t(i)].weights_in_dram;
    lp.input_in_dram = homes[size_t(i)].any_input_in_dram();
    lp.output_in_dram = homes[size_t(i)].output_in_dram;
    if (models[size_t(i)].kind == Footprint::NoWork) {
      lp.partition = PartitionKind::None;
      lp.partition_detail = concat_view[size_t(i)] ? "view: its producers store into its buffer, no work"
                                                   : "view of its input, no work";
      lp.pe_class.assign(size_t(arch.num_pes()), -1);
    } else {
      Mapper mapper(models[size_t(i)], arch, homes[size_t(i)]);
      materialize(mapper, models[size_t(i)], plans[size_t(i)], arch, lp);
      // Input channels split over PEs: every store is an int32 partial sum
      // the controller reduces after the PEs (models/program.hpp).
      if (plans[size_t(i)].parts[kC] > 1) {
        for (size_t pe = 0; pe < lp.pe_class.size(); ++pe) {
          if (lp.pe_class[pe] < 0) continue;
          for (const TileStep& st : lp.work_classes[size_t(lp.pe_class[pe])].steps) lp.reduction_bytes += st.count * st.output_bytes;
        }
        lp.partition_detail += "; controller reduces " + std::to_string(lp.reduction_bytes) + " B of int32 partial sums";
      }
    }
    lp.instructions = layer_instructions(lp);
    prog.program_bytes += lp.instructions * arch.constants.instruction_bytes;
  }
  if (prog.program_bytes > arch.instruction_memory) {
    // Consecutive layers packed greedily into chunks; every chunk is
    // reloaded from DRAM each inference, before its first layer runs.
    int64_t chunk_bytes = 0;
    int chunk_start = -1;
    prog.instruction_chunks = 0;
    for (int i = 0; i < L; ++i) {
      const int64_t b = prog.layers[size_t(i)].instructions * arch.constants.instruction_bytes;
      if (b > arch.instruction_memory) {
        const std::string& name = prog.layers[size_t(i)].layer_name;
        result.infeasible = Infeasible{name, "instruction_memory", b, arch.instruction_memory,
                                       "layer " + name + ": instruction_memory needs " + std::to_string(b) +
                                           " B for the layer's instructions, has " +
                                           std::to_string(arch.instruction_memory) + " B"};
        return result;
      }
      if (chunk_start < 0 || chunk_bytes + b > arch.instruction_memory) {
        if (chunk_start >= 0) prog.layers[size_t(chunk_start)].instruction_reload_bytes = chunk_bytes;
        chunk_start = i;
        chunk_bytes = 0;
        ++prog.instruction_chunks;
      }
      chunk_bytes += b;
    }
    if (chunk_start >= 0) prog.layers[size_t(chunk_start)].instruction_reload_bytes = chunk_bytes;
  }
  // A chunk is one contiguous run of the program in DRAM.
  const int64_t burst = arch.constants.dram_burst_bytes;
  for (auto& lp : prog.layers) lp.instruction_reload_link_bytes = dram_link_bytes(1, lp.instruction_reload_bytes, burst);

  // The network inputs that live in activation memory arrive over the link
  // before the first layer, every inference (those in DRAM are read by
  // their consumers over the link).
  if (!prog.layers.empty()) {
    for (size_t g = 0; g < network.inputs.size(); ++g) {
      if (!tp.in_dram[size_t(L) + g]) {
        const int64_t bytes = network.inputs[g].shape.elements() * arch.constants.data_bytes;
        prog.layers.front().input_preload_bytes += bytes;
        prog.layers.front().input_preload_link_bytes += dram_link_bytes(1, bytes, burst);  // a tensor is one run
      }
    }
  }

  // Bounds: only what the program really executes and moves.
  const double link_bw = arch.link_bytes_per_cycle();
  for (auto& lp : prog.layers) {
    const LayerProgram::Traffic traffic = lp.traffic();
    const int64_t net = traffic.network, link = traffic.link;
    lp.bound.compute_cycles = ceil_div(lp.ops, arch.peak_macs_per_cycle());
    lp.bound.network_cycles = ceil_div(net, arch.constants.network_bytes_per_cycle);
    lp.bound.link_cycles = ceil_bytes_over(link, link_bw);
    lp.bound.reduction_cycles = reduction_cycles(lp.reduction_bytes, arch);
  }
  return result;
}

}  // namespace apollo::models
