#include "workloads/zoo_builder.hpp"

#include <algorithm>
#include <utility>

namespace apollo::workloads::zoo {

NetBuilder::NetBuilder(std::string name, std::string description) {
  net_.name = std::move(name);
  net_.description = std::move(description);
}

TensorRef NetBuilder::input(const std::string& name, Shape shape) {
  net_.inputs.push_back({name, shape});
  return graph_input_ref(int(net_.inputs.size()) - 1);
}

TensorRef NetBuilder::push(Layer layer) {
  net_.layers.push_back(std::move(layer));
  // Re-inferring the whole (small) graph keeps one source of truth for
  // shapes and catches a wrong block table at the layer that breaks it.
  net_.infer_shapes();
  return TensorRef(net_.layers.size() - 1);
}

const Shape& NetBuilder::shape(TensorRef t) const {
  if (is_graph_input(t)) return net_.inputs.at(graph_input_number(t)).shape;
  return net_.layers.at(t).output;
}

static Layer conv_layer(const std::string& name, OpType op, TensorRef x, const ConvSpec& s,
                        int64_t in_c) {
  Layer l;
  l.name = name;
  l.op = op;
  l.inputs = {x};
  l.kernel_h = s.one_dimensional ? 1 : s.k;
  l.kernel_w = s.k;
  l.stride_h = s.one_dimensional ? 1 : s.stride;
  l.stride_w = s.stride;
  l.groups = s.groups == 0 ? int(in_c) : s.groups;
  l.padding = s.padding;
  l.out_channels = s.out;
  l.activation = s.act;
  l.batch_norm = s.batch_norm;
  // Published parameter counts treat a folded batch norm as free: a conv
  // followed by BN has no bias of its own; one without BN has a bias.
  l.bias = !s.batch_norm;
  return l;
}

TensorRef NetBuilder::conv(const std::string& name, TensorRef x, const ConvSpec& spec) {
  return push(conv_layer(name, OpType::Conv, x, spec, channels(x)));
}

TensorRef NetBuilder::conv_transpose(const std::string& name, TensorRef x,
                                     const ConvSpec& spec) {
  return push(conv_layer(name, OpType::ConvTranspose, x, spec, channels(x)));
}

TensorRef NetBuilder::fc(const std::string& name, TensorRef x, int64_t out, Activation act, bool bias) {
  Layer l;
  l.name = name;
  l.op = OpType::FullyConnected;
  l.inputs = {x};
  l.out_channels = out;
  l.activation = act;
  l.bias = bias;
  return push(std::move(l));
}

TensorRef NetBuilder::matmul(const std::string& name, TensorRef a, TensorRef b, int64_t batch,
                             int64_t m, int64_t k, int64_t n, Activation act) {
  Layer l;
  l.name = name;
  l.op = OpType::MatMul;
  l.inputs = {a, b};
  l.batch = batch;
  l.m = m;
  l.k = k;
  l.n = n;
  l.bias = false;
  l.activation = act;
  return push(std::move(l));
}

TensorRef NetBuilder::max_pool(const std::string& name, TensorRef x, int k, int stride) {
  Layer l;
  l.name = name;
  l.op = OpType::Pool;
  l.pool = PoolKind::Max;
  l.inputs = {x};
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  l.bias = false;
  return push(std::move(l));
}

TensorRef NetBuilder::global_pool(const std::string& name, TensorRef x) {
  Layer l;
  l.name = name;
  l.op = OpType::Pool;
  l.pool = PoolKind::GlobalAverage;
  l.inputs = {x};
  l.bias = false;
  return push(std::move(l));
}

TensorRef NetBuilder::add(const std::string& name, std::vector<TensorRef> xs, Activation act) {
  Layer l;
  l.name = name;
  l.op = OpType::Add;
  l.inputs = std::move(xs);
  l.activation = act;
  l.bias = false;
  return push(std::move(l));
}

TensorRef NetBuilder::mul(const std::string& name, TensorRef x, TensorRef gate) {
  Layer l;
  l.name = name;
  l.op = OpType::Mul;
  l.inputs = {x, gate};
  l.bias = false;
  return push(std::move(l));
}

TensorRef NetBuilder::concat(const std::string& name, std::vector<TensorRef> xs) {
  Layer l;
  l.name = name;
  l.op = OpType::Concat;
  l.inputs = std::move(xs);
  l.bias = false;
  return push(std::move(l));
}

// A layer that gives x the shape `to`: a view (reshape) or a data movement (copy).
static Layer shaped_layer(const std::string& name, OpType op, TensorRef x, Shape to) {
  Layer l;
  l.name = name;
  l.op = op;
  l.inputs = {x};
  l.reshape_to = to;
  l.bias = false;
  return l;
}

TensorRef NetBuilder::reshape(const std::string& name, TensorRef x, Shape to) {
  return push(shaped_layer(name, OpType::Reshape, x, to));
}

TensorRef NetBuilder::copy(const std::string& name, TensorRef x, Shape to) {
  return push(shaped_layer(name, OpType::Copy, x, to));
}

Network NetBuilder::finish() {
  net_.infer_shapes();
  return std::move(net_);
}

int64_t make_divisible(double v, int64_t divisor) {
  int64_t new_v = std::max<int64_t>(divisor, int64_t(v + double(divisor) / 2) / divisor * divisor);
  if (double(new_v) < 0.9 * v) new_v += divisor;
  return new_v;
}

}  // namespace apollo::workloads::zoo
