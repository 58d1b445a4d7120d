// Layer-graph IR: a network is a DAG of layers; edges are explicit so that
// residual adds, concatenations and squeeze-excite branches are visible to
// the compiler. Tensors are NHWC; sequences use H = 1, W = tokens, C = width.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace apollo::workloads {

enum class OpType {
  Conv,           // convolution; depthwise is groups == input channels
  ConvTranspose,  // transposed convolution (upsampling conv)
  FullyConnected, // dense layer on the last dimension; rows = N*H*W
  MatMul,         // batched activation x activation product (attention)
  Pool,           // max / average / global average
  Add,            // element-wise add of same-shape inputs
  Mul,            // element-wise multiply, broadcasting a 1x1xC gate (SE)
  Concat,         // concatenation along channels
  Resize,         // nearest / bilinear upsampling by an integer scale
  Reshape,        // shape-only view (e.g. split attention heads); no work
  Elementwise,    // any other per-element op (sub, pow, sqrt, exp, max, ...) with broadcasting
  Reduce,         // reduction (mean, max, sum, ...) over some of H, W, C
  Copy,           // data movement into a new shape (slice, split, pad, expand, tile); no work
  // Adding an op: a value here, its row in op_table() (graph.cpp), and
  // nothing else; see README "Adding an operator".
};
inline constexpr int kOpTypeCount = int(OpType::Copy) + 1;

// How the compiler (models/compiler.cpp, model_layer) executes an op.
enum class OpMapping {
  Window,       // sliding-window product over input channels (conv, conv_transpose)
  Dense,        // rows x in features x out features with constant weights (fully_connected)
  Product,      // batched product of two activations (matmul)
  Pool,         // per-channel window or global reduction (pool)
  Elementwise,  // per output element over full-size inputs, plus 1x1xC gates (add, mul, elementwise)
  Copy,         // each output channel copies one input channel (concat)
  Upsample,     // each output element reads about 1/scale^2 inputs (resize)
  Reduction,    // reduction over some of H, W, C without weights (reduce)
  View,         // a re-interpretation of the same bytes; nothing executes (reshape)
};

enum class PoolKind { Max, Average, GlobalAverage };
enum class Padding { Same, Valid, Explicit };
// Activations and normalizations are folded into the producing layer: they
// add per-element work on the lanes but no MACs and no separate layer.
enum class Activation { None, Relu, Relu6, HardSwish, HardSigmoid, Sigmoid, Swish, Gelu, Softmax };

struct Shape {
  int64_t n = 1, h = 1, w = 1, c = 1;
  int64_t elements() const { return n * h * w * c; }
  bool operator==(const Shape&) const = default;
};

// A reference to a tensor: the output of a layer (index >= 0) or a graph
// input (index encoded as -1 - input_number). Use the helpers below.
using TensorRef = int;
inline TensorRef graph_input_ref(int input_number) { return -1 - input_number; }
inline bool is_graph_input(TensorRef r) { return r < 0; }
inline int graph_input_number(TensorRef r) { return -1 - r; }

struct Layer {
  std::string name;
  OpType op = OpType::Conv;
  std::vector<TensorRef> inputs;  // producers, in operand order

  // Convolution / pooling attributes.
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int groups = 1;
  Padding padding = Padding::Same;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;  // Explicit only
  int64_t out_channels = 0;  // Conv, ConvTranspose, FullyConnected (out features)
  PoolKind pool = PoolKind::Max;

  // MatMul: out[b, m, n] = sum_k a[b, m, k] * b[b, k, n]; output {1, batch, m, n}.
  int64_t batch = 1, m = 0, k = 0, n = 0;
  // Resize: integer upsampling factor on H and W.
  int scale = 1;
  // Reshape: target shape (element count must match the input). Copy: the
  // output shape (any element count).
  Shape reshape_to{};
  // Elementwise: vector operations per output element (sqrt 1, a*b+c 2, ...).
  int ops = 1;
  // Reduce: the reduced dimensions (each becomes 1 in the output).
  bool reduce_h = false, reduce_w = false, reduce_c = false;

  bool bias = true;
  bool batch_norm = false;  // folded: no extra weights counted (published convention)
  Activation activation = Activation::None;

  // Filled by Network::infer_shapes(): shapes of each input and of the output.
  std::vector<Shape> input_shapes;
  Shape output{};

  // Work and storage, computed from attributes and inferred shapes.
  int64_t macs() const;         // multiply-accumulates (Conv, ConvT, FC, MatMul)
  int64_t weights() const;      // parameters, biases included
  int64_t vector_ops() const;   // non-MAC per-element work (pool, add, mul, resize)
  int64_t input_elements() const;  // sum over all activation inputs
  int64_t output_elements() const { return output.elements(); }
  int64_t input_bytes(int data_bytes = 1) const { return input_elements() * data_bytes; }
  int64_t output_bytes(int data_bytes = 1) const { return output_elements() * data_bytes; }
  int64_t weight_bytes(int data_bytes = 1) const { return weights() * data_bytes; }
};

// Everything about one op kind, in one row of op_table() (graph.cpp): the
// YAML spelling and keys, the operand count, shape inference, the three
// counts and how the compiler maps it. Every switch over ops in Apollo reads
// this row; there is no default case that could give a forgotten op zero work.
struct OpDef {
  OpType op;
  const char* name;         // YAML / CLI spelling
  const char* keys;         // YAML keys besides name, op, inputs, activation (space separated)
  const char* required;     // keys that must be given (space separated)
  bool epilogue;            // may carry a folded batch norm / scale and bias (batch_norm key)
  size_t min_inputs, max_inputs;
  OpMapping mapping;
  Shape (*infer)(const Layer&);  // checks attributes and input shapes; the output shape
  int64_t (*macs)(const Layer&);
  int64_t (*weights)(const Layer&);
  int64_t (*vector_ops)(const Layer&);
};

// The row of `op`; op_table() holds kOpTypeCount rows in enum order.
const OpDef& op_def(OpType op);
const OpDef* op_table();
// The YAML keys of a row as a list.
std::vector<std::string> op_keys(const OpDef& def);
std::vector<std::string> op_required_keys(const OpDef& def);

struct GraphInput {
  std::string name;
  Shape shape;
};

struct Network {
  std::string name;
  std::string description;
  std::vector<GraphInput> inputs;
  std::vector<Layer> layers;  // topologically ordered: producers before consumers

  // Checks edges (producers exist and come earlier), attributes, and fills
  // every layer's input_shapes and output. Throws WorkloadError on violation.
  void infer_shapes();

  int64_t total_macs() const;
  int64_t total_weights() const;
  int64_t total_vector_ops() const;
  std::optional<int> find_layer(const std::string& name) const;
  // Consumers of each layer's output (index by producer).
  std::vector<std::vector<int>> consumers() const;
};

struct WorkloadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* to_string(OpType op);
const char* to_string(PoolKind kind);
const char* to_string(Padding padding);
const char* to_string(Activation act);
std::string to_string(const Shape& shape);  // "NxHxWxC"

// Inverses of to_string (the spellings used by the YAML format); nullopt if unknown.
std::optional<OpType> op_from_string(const std::string& s);
std::optional<PoolKind> pool_from_string(const std::string& s);
std::optional<Padding> padding_from_string(const std::string& s);
std::optional<Activation> activation_from_string(const std::string& s);

}  // namespace apollo::workloads
