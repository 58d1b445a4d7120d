// Shape inference and work counts of single layers, checked against
// hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>

#include "workloads/graph.hpp"

namespace apollo::workloads {
namespace {

Network one_layer(Shape in, Layer l) {
  Network net;
  net.name = "t";
  net.inputs.push_back({"x", in});
  l.name = "l";
  if (l.inputs.empty()) l.inputs = {graph_input_ref(0)};
  net.layers.push_back(l);
  net.infer_shapes();
  return net;
}

Layer conv(int k, int stride, int64_t out_c, Padding p = Padding::Same, int groups = 1,
           int dilation = 1) {
  Layer l;
  l.op = OpType::Conv;
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  l.dilation_h = l.dilation_w = dilation;
  l.groups = groups;
  l.padding = p;
  l.out_channels = out_c;
  return l;
}

TEST(Graph, ConvSameStride2) {
  // 224x224x3, 3x3 s2 SAME -> ceil(224/2) = 112; MACs = 112*112*32*3*3*3.
  auto net = one_layer({1, 224, 224, 3}, conv(3, 2, 32));
  const Layer& l = net.layers[0];
  EXPECT_EQ(l.output, (Shape{1, 112, 112, 32}));
  EXPECT_EQ(l.macs(), 112LL * 112 * 32 * 27);
  EXPECT_EQ(l.weights(), 3 * 3 * 3 * 32 + 32);
}

TEST(Graph, ConvSameOddInput) {
  // SAME with stride 2 on 7: ceil(7/2) = 4.
  auto net = one_layer({1, 7, 7, 8}, conv(3, 2, 4));
  EXPECT_EQ(net.layers[0].output, (Shape{1, 4, 4, 4}));
}

TEST(Graph, ConvValidAndExplicit) {
  // VALID 5x5 s1 on 32: 28. Explicit pad 2 both sides: 32.
  auto v = one_layer({1, 32, 32, 1}, conv(5, 1, 6, Padding::Valid));
  EXPECT_EQ(v.layers[0].output, (Shape{1, 28, 28, 6}));
  EXPECT_EQ(v.layers[0].macs(), 28LL * 28 * 6 * 25);
  Layer e = conv(5, 1, 6, Padding::Explicit);
  e.pad_top = e.pad_bottom = e.pad_left = e.pad_right = 2;
  auto x = one_layer({1, 32, 32, 1}, e);
  EXPECT_EQ(x.layers[0].output, (Shape{1, 32, 32, 6}));
  // Asymmetric: (10 + 1 + 0 - 3) / 2 + 1 = 5 rows; (10 + 0 + 0 - 3)/2 + 1 = 4 cols.
  Layer a = conv(3, 2, 2, Padding::Explicit);
  a.pad_top = 1;
  auto y = one_layer({1, 10, 10, 2}, a);
  EXPECT_EQ(y.layers[0].output, (Shape{1, 5, 4, 2}));
}

TEST(Graph, ConvDilation) {
  // 3x3 dilation 2 = effective 5x5; VALID on 20 -> 16.
  auto net = one_layer({1, 20, 20, 4}, conv(3, 1, 8, Padding::Valid, 1, 2));
  EXPECT_EQ(net.layers[0].output, (Shape{1, 16, 16, 8}));
  EXPECT_EQ(net.layers[0].macs(), 16LL * 16 * 8 * 9 * 4);  // dilation adds no MACs
}

TEST(Graph, DepthwiseAndGrouped) {
  // Depthwise 3x3 on 56x56x144, stride 1: MACs = 56*56*144*9, weights 9*144 + 144.
  auto dw = one_layer({1, 56, 56, 144}, conv(3, 1, 144, Padding::Same, 144));
  EXPECT_EQ(dw.layers[0].macs(), 56LL * 56 * 144 * 9);
  EXPECT_EQ(dw.layers[0].weights(), 9 * 144 + 144);
  // Grouped 1x1, 4 groups, 16 -> 32: each output sees 16/4 = 4 inputs.
  Layer g = conv(1, 1, 32, Padding::Same, 4);
  g.bias = false;
  auto gn = one_layer({1, 8, 8, 16}, g);
  EXPECT_EQ(gn.layers[0].macs(), 8LL * 8 * 32 * 4);
  EXPECT_EQ(gn.layers[0].weights(), 4 * 32);
}

TEST(Graph, BadGroupsRejected) {
  EXPECT_THROW(one_layer({1, 8, 8, 6}, conv(1, 1, 8, Padding::Same, 4)), WorkloadError);
  EXPECT_THROW(one_layer({1, 2, 2, 4}, conv(5, 1, 8, Padding::Valid)), WorkloadError);
}

TEST(Graph, ConvTranspose) {
  // 2x2 stride 2 on 16x16x64 -> 32x32x32; every input element drives 2*2*32 MACs.
  Layer t = conv(2, 2, 32, Padding::Same);
  t.op = OpType::ConvTranspose;
  auto net = one_layer({1, 16, 16, 64}, t);
  EXPECT_EQ(net.layers[0].output, (Shape{1, 32, 32, 32}));
  EXPECT_EQ(net.layers[0].macs(), 16LL * 16 * 64 * 4 * 32);
  EXPECT_EQ(net.layers[0].weights(), 2 * 2 * 64 * 32 + 32);
  // VALID 3x3 s2 on 4: (4-1)*2 + 3 = 9.
  Layer v = conv(3, 2, 1, Padding::Valid);
  v.op = OpType::ConvTranspose;
  EXPECT_EQ(one_layer({1, 4, 4, 1}, v).layers[0].output, (Shape{1, 9, 9, 1}));
}

TEST(Graph, FullyConnectedOnLastDim) {
  Layer fc;
  fc.op = OpType::FullyConnected;
  fc.out_channels = 1024;
  // 128 tokens x 256: rows = 128.
  auto net = one_layer({1, 1, 128, 256}, fc);
  EXPECT_EQ(net.layers[0].output, (Shape{1, 1, 128, 1024}));
  EXPECT_EQ(net.layers[0].macs(), 128LL * 256 * 1024);
  EXPECT_EQ(net.layers[0].weights(), 256 * 1024 + 1024);
}

TEST(Graph, MatMulChecksElementCounts) {
  Network net;
  net.name = "mm";
  net.inputs = {{"q", {1, 4, 128, 64}}, {"k", {1, 4, 128, 64}}};
  Layer mm;
  mm.name = "qk";
  mm.op = OpType::MatMul;
  mm.inputs = {graph_input_ref(0), graph_input_ref(1)};
  mm.batch = 4;
  mm.m = 128;
  mm.k = 64;
  mm.n = 128;
  net.layers.push_back(mm);
  net.infer_shapes();
  EXPECT_EQ(net.layers[0].output, (Shape{1, 4, 128, 128}));
  EXPECT_EQ(net.layers[0].macs(), 4LL * 128 * 64 * 128);
  EXPECT_EQ(net.layers[0].weights(), 0);
  net.layers[0].k = 32;
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
}

TEST(Graph, PoolAndElementwise) {
  Layer p;
  p.op = OpType::Pool;
  p.pool = PoolKind::Max;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  auto net = one_layer({1, 112, 112, 64}, p);
  EXPECT_EQ(net.layers[0].output, (Shape{1, 56, 56, 64}));
  EXPECT_EQ(net.layers[0].vector_ops(), 56LL * 56 * 64 * 9);
  EXPECT_EQ(net.layers[0].macs(), 0);

  Layer g;
  g.op = OpType::Pool;
  g.pool = PoolKind::GlobalAverage;
  auto gn = one_layer({1, 7, 7, 1280}, g);
  EXPECT_EQ(gn.layers[0].output, (Shape{1, 1, 1, 1280}));
  EXPECT_EQ(gn.layers[0].vector_ops(), 7 * 7 * 1280);
}

TEST(Graph, AddMulConcatResizeReshapeAndConsumers) {
  Network net;
  net.name = "g";
  net.inputs = {{"x", {1, 8, 8, 16}}};
  Layer a = conv(3, 1, 16);
  a.name = "a";
  a.inputs = {graph_input_ref(0)};
  Layer pool;
  pool.name = "squeeze";
  pool.op = OpType::Pool;
  pool.pool = PoolKind::GlobalAverage;
  pool.inputs = {0};
  Layer gate;
  gate.name = "gate";
  gate.op = OpType::Mul;
  gate.inputs = {0, 1};
  Layer add;
  add.name = "add";
  add.op = OpType::Add;
  add.inputs = {2, graph_input_ref(0)};
  Layer cat;
  cat.name = "cat";
  cat.op = OpType::Concat;
  cat.inputs = {3, 0};
  Layer up;
  up.name = "up";
  up.op = OpType::Resize;
  up.scale = 2;
  up.inputs = {4};
  Layer rs;
  rs.name = "rs";
  rs.op = OpType::Reshape;
  rs.reshape_to = {1, 4, 16, 128};
  rs.inputs = {5};
  net.layers = {a, pool, gate, add, cat, up, rs};
  net.infer_shapes();
  EXPECT_EQ(net.layers[2].output, (Shape{1, 8, 8, 16}));
  EXPECT_EQ(net.layers[2].vector_ops(), 8 * 8 * 16);
  EXPECT_EQ(net.layers[3].vector_ops(), 8 * 8 * 16);
  EXPECT_EQ(net.layers[4].output, (Shape{1, 8, 8, 32}));
  EXPECT_EQ(net.layers[5].output, (Shape{1, 16, 16, 32}));
  EXPECT_EQ(net.layers[6].output, (Shape{1, 4, 16, 128}));
  auto cons = net.consumers();
  EXPECT_EQ(cons[0], (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(net.find_layer("cat"), 4);
  EXPECT_FALSE(net.find_layer("nope").has_value());

  net.layers[6].reshape_to = {1, 4, 16, 64};
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
  net.layers[6].reshape_to = {1, 4, 16, 128};
  net.layers[3].inputs = {4, 0};  // forward reference
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
  net.layers[3].inputs = {1, 0};  // 1x1x16 + 8x8x16: add needs equal shapes
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
}

TEST(Graph, MulGateEitherOrderAndMultiInputAdd) {
  Network net;
  net.name = "g";
  net.inputs = {{"x", {1, 4, 4, 8}}, {"g", {1, 1, 1, 8}}, {"y", {1, 4, 4, 8}}};
  Layer m;
  m.name = "gate_first";
  m.op = OpType::Mul;
  m.inputs = {graph_input_ref(1), graph_input_ref(0)};
  Layer a;
  a.name = "add3";
  a.op = OpType::Add;
  a.inputs = {0, graph_input_ref(0), graph_input_ref(2)};
  net.layers = {m, a};
  net.infer_shapes();
  EXPECT_EQ(net.layers[0].output, (Shape{1, 4, 4, 8}));
  EXPECT_EQ(net.layers[1].vector_ops(), 2 * 4 * 4 * 8);  // two adds per output element
  EXPECT_EQ(net.total_vector_ops(), 4 * 4 * 8 + 2 * 4 * 4 * 8);
  net.inputs[1].shape = {1, 1, 1, 4};  // gate width must match the channels
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
}

TEST(Graph, ConvTransposeExplicitPadding) {
  // PyTorch-style 3x3 stride 2, padding 1 on 8: (8-1)*2 + 3 - 2 = 15.
  Layer t = conv(3, 2, 4, Padding::Explicit);
  t.op = OpType::ConvTranspose;
  t.pad_top = t.pad_bottom = t.pad_left = t.pad_right = 1;
  auto net = one_layer({1, 8, 8, 2}, t);
  EXPECT_EQ(net.layers[0].output, (Shape{1, 15, 15, 4}));
  EXPECT_EQ(net.layers[0].macs(), 8LL * 8 * 2 * 9 * 4);
}

TEST(Graph, InputValidation) {
  Network net;
  net.name = "bad";
  EXPECT_THROW(net.infer_shapes(), WorkloadError);  // no inputs
  net.inputs = {{"x", {1, 0, 4, 4}}};
  EXPECT_THROW(net.infer_shapes(), WorkloadError);  // zero dimension
  net.inputs = {{"x", {1, 4, 4, 4}}};
  Layer l = conv(1, 1, 4);
  l.name = "x";  // clashes with the graph input
  l.inputs = {graph_input_ref(0)};
  net.layers = {l};
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
  net.layers[0].name = "c";
  net.layers[0].inputs = {graph_input_ref(3)};  // no such input
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
  net.layers[0].inputs = {graph_input_ref(0)};
  net.layers[0].stride_h = 0;
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
}

TEST(Graph, ToStringRoundTrips) {
  for (int i = 0; i < kOpTypeCount; ++i) {
    const OpType op = OpType(i);
    EXPECT_EQ(op_from_string(to_string(op)), op);
    EXPECT_EQ(op_def(op).op, op);
  }
  EXPECT_EQ(activation_from_string("hard_swish"), Activation::HardSwish);
  EXPECT_EQ(padding_from_string("valid"), Padding::Valid);
  EXPECT_EQ(pool_from_string("global_average"), PoolKind::GlobalAverage);
  EXPECT_FALSE(op_from_string("convolution").has_value());
  EXPECT_EQ(to_string(Shape{1, 2, 3, 4}), "1x2x3x4");
}

TEST(Graph, ElementwiseBroadcastsAndCountsOpsPerOutput) {
  // x (1x1x8x16) - mean (1x1x8x1): broadcast along C; 2 ops per element.
  Network net;
  net.name = "t";
  net.inputs = {{"x", {1, 1, 8, 16}}, {"mean", {1, 1, 8, 1}}};
  Layer l;
  l.name = "sub";
  l.op = OpType::Elementwise;
  l.ops = 2;
  l.bias = false;
  l.inputs = {graph_input_ref(0), graph_input_ref(1)};
  net.layers.push_back(l);
  net.infer_shapes();
  EXPECT_EQ(net.layers[0].output, (Shape{1, 1, 8, 16}));
  EXPECT_EQ(net.layers[0].vector_ops(), 2 * 8 * 16);
  EXPECT_EQ(net.layers[0].macs(), 0);
  EXPECT_EQ(net.layers[0].weights(), 0);
  net.inputs[1].shape = {1, 1, 4, 1};  // 4 does not broadcast to 8
  EXPECT_THROW(net.infer_shapes(), WorkloadError);
}

TEST(Graph, ReduceOverChannelsAndSpace) {
  Layer r;
  r.op = OpType::Reduce;
  r.reduce_c = true;
  r.bias = false;
  auto net = one_layer({1, 1, 8, 16}, r);
  EXPECT_EQ(net.layers[0].output, (Shape{1, 1, 8, 1}));
  EXPECT_EQ(net.layers[0].vector_ops(), 8 * 16);  // one per input element
  r.reduce_c = false;
  r.reduce_h = r.reduce_w = true;
  net = one_layer({2, 4, 4, 3}, r);
  EXPECT_EQ(net.layers[0].output, (Shape{2, 1, 1, 3}));
  r.reduce_h = r.reduce_w = false;
  EXPECT_THROW(one_layer({1, 1, 8, 16}, r), WorkloadError);
}

// Every op has a complete row: a name, keys that the YAML reader knows, and
// functions for shape inference and the three counts (graph.cpp also checks
// this at compile time).
TEST(Graph, EveryOpHasOneCompleteDefinition) {
  for (int i = 0; i < kOpTypeCount; ++i) {
    const OpDef& d = op_table()[i];
    EXPECT_EQ(int(d.op), i);
    EXPECT_NE(std::string(d.name), "");
    EXPECT_TRUE(d.infer && d.macs && d.weights && d.vector_ops) << d.name;
    for (const auto& k : op_required_keys(d)) {
      const auto keys = op_keys(d);
      EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << d.name << " requires " << k;
    }
  }
}

}  // namespace
}  // namespace apollo::workloads
