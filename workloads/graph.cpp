// Layer-graph IR: validation, shape inference and work/storage counts.
//
// Counting conventions (documented in README "## Workloads"):
//  * macs(): multiply-accumulates of Conv, ConvTranspose, FullyConnected and
//    MatMul only; every other op has zero MACs.
//  * weights(): learned parameters including biases; batch norm is folded
//    into the producing layer and adds nothing.
//  * vector_ops(): non-MAC element work. Pool: one op per kernel-window
//    element per output element (global average: one per input element).
//    Add: (inputs - 1) per output element, i.e. one for a binary add.
//    Mul / Resize: one per output element. Elementwise: `ops` per output
//    element. Reduce: one per input element. Concat / Reshape / Copy: none
//    (pure data movement). Activations are folded into their layer and count zero.
#include "workloads/graph.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <unordered_map>

namespace apollo::workloads {
namespace {

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << s.n << "x" << s.h << "x" << s.w << "x" << s.c;
  return o.str();
}

[[noreturn]] void fail(const Layer& l, const std::string& what) {
  throw WorkloadError("layer '" + l.name + "' (" + to_string(l.op) + "): " + what);
}

// Counts (elements, MACs, weights, vector ops) are int64_t products of the
// dimensions; a network whose counts could overflow them is rejected instead
// of being counted wrongly (negative MACs were printed). 2^50 (~1.1e15)
// is far above any edge network and leaves room to sum thousands of layers.
constexpr int64_t kMaxCount = int64_t(1) << 50;

// a * b for positive factors, saturated just above kMaxCount.
int64_t mul_capped(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxCount) return kMaxCount + 1;
  return r;
}

int64_t capped_elements(const Shape& s) {
  return mul_capped(mul_capped(mul_capped(s.n, s.h), s.w), s.c);
}

// An upper bound of every count of the layer: the widest tensor times the
// kernel window times the longest reduction or fan-out (input channels, out
// channels / features, MatMul k) bounds MACs, weights and vector ops alike.
void check_counts(const Layer& l) {
  int64_t widest = capped_elements(l.output);
  for (const auto& s : l.input_shapes) widest = std::max(widest, capped_elements(s));
  const int64_t in_c = l.input_shapes.empty() ? 1 : l.input_shapes[0].c;
  const int64_t fan = std::max({int64_t(1), in_c, l.out_channels, l.k});
  const int64_t bound = mul_capped(mul_capped(mul_capped(widest, std::max(1, l.kernel_h)),
                                              std::max(1, l.kernel_w)), fan);
  if (bound > kMaxCount) {
    fail(l, "too large: its element, MAC or weight counts can exceed 2^50 (output " +
                shape_str(l.output) + ")");
  }
}

void require_positive(const Layer& l, const char* attr, int64_t v) {
  if (v <= 0) fail(l, std::string(attr) + " must be positive, got " + std::to_string(v));
}

void require_inputs(const Layer& l, size_t min_count, size_t max_count) {
  const size_t n = l.input_shapes.size();
  if (n < min_count || n > max_count) {
    std::string expected = min_count == max_count ? std::to_string(min_count)
                           : max_count == SIZE_MAX
                               ? "at least " + std::to_string(min_count)
                               : std::to_string(min_count) + ".." + std::to_string(max_count);
    fail(l, "expects " + expected + " input(s), got " + std::to_string(n));
  }
}

// Output size of one spatial dimension of a sliding-window op
// (TensorFlow's SAME / VALID rules; explicit pads as given).
int64_t window_out(const Layer& l, const char* dim, int64_t in, int k, int stride, int dilation,
                   int pad_a, int pad_b) {
  const int64_t eff_k = int64_t(k - 1) * dilation + 1;
  int64_t out = 0;
  switch (l.padding) {
    case Padding::Same: out = (in + stride - 1) / stride; break;
    case Padding::Valid: out = in >= eff_k ? (in - eff_k) / stride + 1 : 0; break;
    case Padding::Explicit: {
      const int64_t padded = in + pad_a + pad_b;
      out = padded >= eff_k ? (padded - eff_k) / stride + 1 : 0;
      break;
    }
  }
  if (out <= 0) {
    fail(l, std::string("kernel ") + std::to_string(eff_k) + " (dilated) does not fit input " +
                dim + " " + std::to_string(in) + " with " + to_string(l.padding) + " padding");
  }
  return out;
}

// Transposed convolution: the inverse of window_out for the same attributes.
int64_t transpose_out(const Layer& l, int64_t in, int k, int stride, int dilation, int pad_a,
                      int pad_b) {
  if (mul_capped(in, stride) > kMaxCount) fail(l, "stride " + std::to_string(stride) + " makes the output too large (over 2^50)");
  const int64_t eff_k = int64_t(k - 1) * dilation + 1;
  int64_t out = 0;
  switch (l.padding) {
    case Padding::Same: out = in * stride; break;
    case Padding::Valid: out = (in - 1) * stride + eff_k; break;
    case Padding::Explicit: out = (in - 1) * stride + eff_k - pad_a - pad_b; break;
  }
  if (out <= 0) fail(l, "padding removes the whole output");
  return out;
}

void check_window_attrs(const Layer& l) {
  require_positive(l, "kernel_h", l.kernel_h);
  require_positive(l, "kernel_w", l.kernel_w);
  require_positive(l, "stride_h", l.stride_h);
  require_positive(l, "stride_w", l.stride_w);
  require_positive(l, "dilation_h", l.dilation_h);
  require_positive(l, "dilation_w", l.dilation_w);
  if (l.padding == Padding::Explicit) {
    if (l.pad_top < 0 || l.pad_bottom < 0 || l.pad_left < 0 || l.pad_right < 0) {
      fail(l, "explicit pads must be >= 0");
    }
  }
}

void check_groups(const Layer& l, int64_t in_c) {
  require_positive(l, "groups", l.groups);
  require_positive(l, "out_channels", l.out_channels);
  if (in_c % l.groups != 0) {
    fail(l, "groups " + std::to_string(l.groups) + " does not divide input channels " +
                std::to_string(in_c));
  }
  if (l.out_channels % l.groups != 0) {
    fail(l, "groups " + std::to_string(l.groups) + " does not divide out_channels " +
                std::to_string(l.out_channels));
  }
}

// ---- per-op definitions ----------------------------------------------------
// One function each for shape inference and the three counts; op_table()
// below lists them per op. Operand counts are checked before infer runs.

Shape window_output(const Layer& l) {
  const auto& in = l.input_shapes;
  return {in[0].n,
          window_out(l, "height", in[0].h, l.kernel_h, l.stride_h, l.dilation_h, l.pad_top,
                     l.pad_bottom),
          window_out(l, "width", in[0].w, l.kernel_w, l.stride_w, l.dilation_w, l.pad_left,
                     l.pad_right),
          l.out_channels};
}

Shape infer_conv(const Layer& l) {
  check_window_attrs(l);
  check_groups(l, l.input_shapes[0].c);
  return window_output(l);
}

Shape infer_conv_transpose(const Layer& l) {
  const auto& in = l.input_shapes;
  check_window_attrs(l);
  check_groups(l, in[0].c);
  return {in[0].n,
          transpose_out(l, in[0].h, l.kernel_h, l.stride_h, l.dilation_h, l.pad_top, l.pad_bottom),
          transpose_out(l, in[0].w, l.kernel_w, l.stride_w, l.dilation_w, l.pad_left, l.pad_right),
          l.out_channels};
}

Shape infer_fully_connected(const Layer& l) {
  const auto& in = l.input_shapes;
  require_positive(l, "out_channels", l.out_channels);
  return {in[0].n, in[0].h, in[0].w, l.out_channels};
}

Shape infer_matmul(const Layer& l) {
  const auto& in = l.input_shapes;
  require_positive(l, "batch", l.batch);
  require_positive(l, "m", l.m);
  require_positive(l, "k", l.k);
  require_positive(l, "n", l.n);
  // Operands are views; only their sizes must agree with the product.
  if (in[0].elements() != l.batch * l.m * l.k) {
    fail(l, "first operand " + shape_str(in[0]) + " has " + std::to_string(in[0].elements()) +
                " elements, expected batch*m*k = " + std::to_string(l.batch * l.m * l.k));
  }
  if (in[1].elements() != l.batch * l.k * l.n) {
    fail(l, "second operand " + shape_str(in[1]) + " has " + std::to_string(in[1].elements()) +
                " elements, expected batch*k*n = " + std::to_string(l.batch * l.k * l.n));
  }
  return {1, l.batch, l.m, l.n};
}

Shape infer_pool(const Layer& l) {
  const auto& in = l.input_shapes;
  if (l.pool == PoolKind::GlobalAverage) return {in[0].n, 1, 1, in[0].c};
  check_window_attrs(l);
  Shape out = window_output(l);
  out.c = in[0].c;
  return out;
}

Shape infer_add(const Layer& l) {
  const auto& in = l.input_shapes;
  for (size_t i = 1; i < in.size(); ++i) {
    if (!(in[i] == in[0])) fail(l, "input shapes differ: " + shape_str(in[0]) + " vs " + shape_str(in[i]));
  }
  return in[0];
}

Shape infer_mul(const Layer& l) {
  const auto& in = l.input_shapes;
  if (in[0] == in[1]) return in[0];
  // Squeeze-excite gate: one operand is N x 1 x 1 x C.
  auto is_gate_for = [](const Shape& gate, const Shape& full) {
    return gate.n == full.n && gate.h == 1 && gate.w == 1 && gate.c == full.c;
  };
  if (is_gate_for(in[1], in[0])) return in[0];
  if (is_gate_for(in[0], in[1])) return in[1];
  fail(l, "shapes " + shape_str(in[0]) + " and " + shape_str(in[1]) +
              " are neither equal nor a 1x1xC gate of each other");
}

Shape infer_concat(const Layer& l) {
  const auto& in = l.input_shapes;
  Shape out = in[0];
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].n != in[0].n || in[i].h != in[0].h || in[i].w != in[0].w) {
      fail(l, "inputs must agree on N, H, W to concatenate channels: " + shape_str(in[0]) +
                  " vs " + shape_str(in[i]));
    }
    out.c += in[i].c;
  }
  return out;
}

Shape infer_resize(const Layer& l) {
  const auto& in = l.input_shapes;
  require_positive(l, "scale", l.scale);
  if (mul_capped(in[0].h, l.scale) > kMaxCount || mul_capped(in[0].w, l.scale) > kMaxCount) {
    fail(l, "scale " + std::to_string(l.scale) + " makes the output too large (over 2^50)");
  }
  return {in[0].n, in[0].h * l.scale, in[0].w * l.scale, in[0].c};
}

Shape infer_reshape(const Layer& l) {
  const auto& in = l.input_shapes;
  const Shape& t = l.reshape_to;
  if (t.n <= 0 || t.h <= 0 || t.w <= 0 || t.c <= 0) {
    fail(l, "reshape target " + shape_str(t) + " must have positive dimensions");
  }
  if (capped_elements(t) > kMaxCount) fail(l, "reshape target " + shape_str(t) + " has more than 2^50 elements");
  if (t.elements() != in[0].elements()) {
    fail(l, "reshape target " + shape_str(t) + " has " + std::to_string(t.elements()) +
                " elements, input " + shape_str(in[0]) + " has " + std::to_string(in[0].elements()));
  }
  return t;
}

// Numpy-style broadcasting per NHWC dimension: each input dimension is 1 or
// the output's (the largest).
Shape infer_elementwise(const Layer& l) {
  const auto& in = l.input_shapes;
  require_positive(l, "ops", l.ops);
  Shape out = in[0];
  for (const auto& s : in) {
    out.n = std::max(out.n, s.n), out.h = std::max(out.h, s.h);
    out.w = std::max(out.w, s.w), out.c = std::max(out.c, s.c);
  }
  for (const auto& s : in) {
    auto ok = [](int64_t d, int64_t o) { return d == 1 || d == o; };
    if (!ok(s.n, out.n) || !ok(s.h, out.h) || !ok(s.w, out.w) || !ok(s.c, out.c)) {
      fail(l, "input " + shape_str(s) + " does not broadcast to " + shape_str(out) +
                  " (each dimension must be 1 or the largest)");
    }
  }
  return out;
}

Shape infer_copy(const Layer& l) {
  const Shape& t = l.reshape_to;
  if (t.n <= 0 || t.h <= 0 || t.w <= 0 || t.c <= 0) {
    fail(l, "copy shape " + shape_str(t) + " must have positive dimensions");
  }
  if (capped_elements(t) > kMaxCount) fail(l, "copy shape " + shape_str(t) + " has more than 2^50 elements");
  return t;
}

Shape infer_reduce(const Layer& l) {
  const Shape& in = l.input_shapes[0];
  if (!l.reduce_h && !l.reduce_w && !l.reduce_c) fail(l, "axes must name at least one of h, w, c");
  return {in.n, l.reduce_h ? 1 : in.h, l.reduce_w ? 1 : in.w, l.reduce_c ? 1 : in.c};
}

int64_t no_count(const Layer&) { return 0; }

int64_t conv_macs(const Layer& l) {
  if (l.input_shapes.empty() || l.groups <= 0) return 0;
  return l.output.elements() * l.kernel_h * l.kernel_w * (l.input_shapes[0].c / l.groups);
}
int64_t conv_transpose_macs(const Layer& l) {
  // Every input element is scattered through a kh x kw x (out/groups) kernel.
  if (l.input_shapes.empty() || l.groups <= 0) return 0;
  return l.input_shapes[0].elements() * l.kernel_h * l.kernel_w * (l.out_channels / l.groups);
}
int64_t fc_macs(const Layer& l) {
  if (l.input_shapes.empty()) return 0;
  return l.output.elements() * l.input_shapes[0].c;
}
int64_t matmul_macs(const Layer& l) { return l.batch * l.m * l.k * l.n; }

int64_t bias_count(const Layer& l) { return l.bias ? l.out_channels : 0; }
int64_t conv_weights(const Layer& l) {
  if (l.input_shapes.empty() || l.groups <= 0) return 0;
  return int64_t(l.kernel_h) * l.kernel_w * (l.input_shapes[0].c / l.groups) * l.out_channels + bias_count(l);
}
int64_t fc_weights(const Layer& l) {
  if (l.input_shapes.empty()) return 0;
  return l.input_shapes[0].c * l.out_channels + bias_count(l);
}

int64_t pool_vector_ops(const Layer& l) {
  if (l.pool == PoolKind::GlobalAverage) return l.input_elements();
  return l.output.elements() * l.kernel_h * l.kernel_w;
}
int64_t add_vector_ops(const Layer& l) {
  return l.input_shapes.size() > 1 ? l.output.elements() * int64_t(l.input_shapes.size() - 1) : 0;
}
int64_t per_output_vector_ops(const Layer& l) { return l.output.elements(); }
int64_t elementwise_vector_ops(const Layer& l) { return l.output.elements() * l.ops; }
int64_t reduce_vector_ops(const Layer& l) { return l.input_elements(); }

constexpr size_t kMany = SIZE_MAX;

// The op table. Counting conventions are in the comment at the top.
constexpr OpDef kOps[] = {
    {OpType::Conv, "conv", "out_channels kernel stride dilation padding groups batch_norm bias",
     "out_channels", true, 1, 1, OpMapping::Window, infer_conv, conv_macs, conv_weights, no_count},
    {OpType::ConvTranspose, "conv_transpose",
     "out_channels kernel stride dilation padding groups batch_norm bias", "out_channels", true, 1, 1,
     OpMapping::Window, infer_conv_transpose, conv_transpose_macs, conv_weights, no_count},
    {OpType::FullyConnected, "fully_connected", "out_channels batch_norm bias", "out_channels", true, 1,
     1, OpMapping::Dense, infer_fully_connected, fc_macs, fc_weights, no_count},
    {OpType::MatMul, "matmul", "batch m k n batch_norm", "m k n", true, 2, 2, OpMapping::Product, infer_matmul,
     matmul_macs, no_count, no_count},
    {OpType::Pool, "pool", "pool kernel stride dilation padding", "", false, 1, 1, OpMapping::Pool,
     infer_pool, no_count, no_count, pool_vector_ops},
    {OpType::Add, "add", "", "", false, 2, kMany, OpMapping::Elementwise, infer_add, no_count, no_count,
     add_vector_ops},
    {OpType::Mul, "mul", "", "", false, 2, 2, OpMapping::Elementwise, infer_mul, no_count, no_count,
     per_output_vector_ops},
    {OpType::Concat, "concat", "", "", false, 1, kMany, OpMapping::Copy, infer_concat, no_count,
     no_count, no_count},
    {OpType::Resize, "resize", "scale", "scale", false, 1, 1, OpMapping::Upsample, infer_resize,
     no_count, no_count, per_output_vector_ops},
    {OpType::Reshape, "reshape", "shape", "shape", false, 1, 1, OpMapping::View, infer_reshape,
     no_count, no_count, no_count},
    {OpType::Elementwise, "elementwise", "ops", "", false, 1, kMany, OpMapping::Elementwise,
     infer_elementwise, no_count, no_count, elementwise_vector_ops},
    {OpType::Reduce, "reduce", "axes", "axes", false, 1, 1, OpMapping::Reduction, infer_reduce, no_count,
     no_count, reduce_vector_ops},
    {OpType::Copy, "copy", "shape", "shape", false, 1, 1, OpMapping::Copy, infer_copy, no_count, no_count,
     no_count},
};

// Every op has exactly one row, in enum order, with every function given.
constexpr bool table_complete() {
  if (std::size(kOps) != size_t(kOpTypeCount)) return false;
  for (size_t i = 0; i < std::size(kOps); ++i) {
    const OpDef& d = kOps[i];
    if (int(d.op) != int(i) || !d.name || !d.keys || !d.required || !d.infer || !d.macs ||
        !d.weights || !d.vector_ops || d.min_inputs < 1 || d.min_inputs > d.max_inputs) {
      return false;
    }
  }
  return true;
}
static_assert(table_complete(), "op_table(): one complete row per OpType, in enum order");

Shape infer_layer(const Layer& l) {
  const OpDef& d = op_def(l.op);
  require_inputs(l, d.min_inputs, d.max_inputs);
  return d.infer(l);
}

std::vector<std::string> split_words(const char* text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

std::string to_string(const Shape& s) { return shape_str(s); }

const OpDef* op_table() { return kOps; }

const OpDef& op_def(OpType op) {
  const int i = int(op);
  if (i < 0 || i >= kOpTypeCount) throw WorkloadError("invalid op type #" + std::to_string(i));
  return kOps[i];
}

std::vector<std::string> op_keys(const OpDef& def) { return split_words(def.keys); }
std::vector<std::string> op_required_keys(const OpDef& def) { return split_words(def.required); }

int64_t Layer::macs() const { return op_def(op).macs(*this); }
int64_t Layer::weights() const { return op_def(op).weights(*this); }
int64_t Layer::vector_ops() const { return op_def(op).vector_ops(*this); }

int64_t Layer::input_elements() const {
  int64_t total = 0;
  for (const auto& s : input_shapes) total += s.elements();
  return total;
}

void Network::infer_shapes() {
  if (inputs.empty()) throw WorkloadError("network '" + name + "' has no inputs");
  std::set<std::string> names;
  for (const auto& in : inputs) {
    if (in.name.empty()) throw WorkloadError("network '" + name + "': a graph input has no name");
    if (!names.insert(in.name).second) {
      throw WorkloadError("network '" + name + "': duplicate name '" + in.name + "'");
    }
    const Shape& s = in.shape;
    if (s.n <= 0 || s.h <= 0 || s.w <= 0 || s.c <= 0) {
      throw WorkloadError("network '" + name + "': input '" + in.name + "' shape " +
                          shape_str(s) + " must have positive dimensions");
    }
    if (capped_elements(s) > kMaxCount) {
      throw WorkloadError("network '" + name + "': input '" + in.name + "' shape " + shape_str(s) +
                          " has more than 2^50 elements");
    }
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer& l = layers[i];
    if (l.name.empty()) {
      throw WorkloadError("network '" + name + "': layer #" + std::to_string(i) + " has no name");
    }
    if (!names.insert(l.name).second) {
      throw WorkloadError("network '" + name + "': duplicate name '" + l.name + "'");
    }
    if (l.inputs.empty()) fail(l, "has no inputs");
    l.input_shapes.clear();
    for (TensorRef r : l.inputs) {
      if (is_graph_input(r)) {
        const int k = graph_input_number(r);
        if (k >= int(inputs.size())) {
          fail(l, "refers to graph input #" + std::to_string(k) + " but the network has " +
                      std::to_string(inputs.size()));
        }
        l.input_shapes.push_back(inputs[k].shape);
      } else {
        if (r >= int(i)) {
          fail(l, "refers to layer #" + std::to_string(r) +
                      ", which does not come earlier (layers must be topologically ordered)");
        }
        l.input_shapes.push_back(layers[r].output);
      }
    }
    l.output = infer_layer(l);
    check_counts(l);
  }
}

int64_t Network::total_macs() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.macs();
  return t;
}

int64_t Network::total_weights() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.weights();
  return t;
}

int64_t Network::total_vector_ops() const {
  int64_t t = 0;
  for (const auto& l : layers) t += l.vector_ops();
  return t;
}

std::optional<int> Network::find_layer(const std::string& layer_name) const {
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == layer_name) return int(i);
  }
  return std::nullopt;
}

std::vector<std::vector<int>> Network::consumers() const {
  std::vector<std::vector<int>> out(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    for (TensorRef r : layers[i].inputs) {
      if (is_graph_input(r) || r < 0 || r >= int(layers.size())) continue;
      auto& c = out[r];
      // A layer that reads the same tensor twice (x + x) is one consumer.
      if (c.empty() || c.back() != int(i)) c.push_back(int(i));
    }
  }
  return out;
}

const char* to_string(OpType op) {
  const int i = int(op);
  return i >= 0 && i < kOpTypeCount ? kOps[i].name : "?";
}

const char* to_string(PoolKind kind) {
  switch (kind) {
    case PoolKind::Max: return "max";
    case PoolKind::Average: return "average";
    case PoolKind::GlobalAverage: return "global_average";
  }
  return "?";
}

const char* to_string(Padding padding) {
  switch (padding) {
    case Padding::Same: return "same";
    case Padding::Valid: return "valid";
    case Padding::Explicit: return "explicit";
  }
  return "?";
}

const char* to_string(Activation act) {
  switch (act) {
    case Activation::None: return "none";
    case Activation::Relu: return "relu";
    case Activation::Relu6: return "relu6";
    case Activation::HardSwish: return "hard_swish";
    case Activation::HardSigmoid: return "hard_sigmoid";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Swish: return "swish";
    case Activation::Gelu: return "gelu";
    case Activation::Softmax: return "softmax";
  }
  return "?";
}

std::optional<OpType> op_from_string(const std::string& s) {
  for (const OpDef& d : kOps) {
    if (s == d.name) return d.op;
  }
  return std::nullopt;
}

std::optional<PoolKind> pool_from_string(const std::string& s) {
  for (PoolKind v : {PoolKind::Max, PoolKind::Average, PoolKind::GlobalAverage}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

std::optional<Padding> padding_from_string(const std::string& s) {
  for (Padding v : {Padding::Same, Padding::Valid, Padding::Explicit}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

std::optional<Activation> activation_from_string(const std::string& s) {
  for (Activation v : {Activation::None, Activation::Relu, Activation::Relu6,
                       Activation::HardSwish, Activation::HardSigmoid, Activation::Sigmoid,
                       Activation::Swish, Activation::Gelu, Activation::Softmax}) {
    if (s == to_string(v)) return v;
  }
  return std::nullopt;
}

}  // namespace apollo::workloads
