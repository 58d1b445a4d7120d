// ONNX importer: small models built here with the ONNX C++ API; every MAC
// and weight count below is worked out by hand in the comment beside it.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "tests/workloads/test_onnx_builder.hpp"
#include "workloads/onnx_import.hpp"
#include "workloads/zoo.hpp"

namespace apollo::workloads {
namespace {

using test::OnnxModel;

ImportResult import(const OnnxModel& m, const std::string& file, const ImportOptions& o = {}) {
  return import_onnx(m.save(file), o);
}

const Layer& layer(const ImportResult& r, const std::string& name) {
  auto i = r.network.find_layer(name);
  if (!i) throw std::runtime_error("no layer " + name);
  return r.network.layers[size_t(*i)];
}

int count_op(const Network& n, OpType op) {
  int c = 0;
  for (const auto& l : n.layers) c += l.op == op;
  return c;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const WorkloadError& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxImport, ConvWithPaddingIsNhwcWithHandCountedWork) {
  OnnxModel m;
  m.input("x", {1, 3, 8, 8});
  m.weight("w", {4, 3, 3, 3});
  m.weight("b", {4});
  auto& c = m.node("Conv", {"x", "w", "b"}, {"y"}, "conv");
  OnnxModel::attr(c, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.output("y");
  auto r = import(m, "conv.onnx");
  ASSERT_EQ(r.network.layers.size(), 1u);
  const Layer& l = layer(r, "conv");
  EXPECT_EQ(l.op, OpType::Conv);
  EXPECT_EQ(r.network.inputs.at(0).name, "x");
  EXPECT_EQ(r.network.inputs.at(0).shape, (Shape{1, 8, 8, 3}));  // NCHW 1x3x8x8 -> NHWC
  EXPECT_EQ(l.output, (Shape{1, 8, 8, 4}));
  EXPECT_EQ(l.macs(), 8 * 8 * 4 * (3 * 3 * 3));  // 6912
  EXPECT_EQ(l.weights(), 4 * 3 * 3 * 3 + 4);     // 112 with bias
  EXPECT_EQ(r.report.mapped.at("Conv"), 1);
  EXPECT_TRUE(r.report.unmapped.empty());
  EXPECT_EQ(r.network.name, "conv");
}

TEST(OnnxImport, BatchNormAndReluFoldIntoStridedConv) {
  OnnxModel m;
  m.input("x", {1, 3, 9, 9});
  m.weight("w", {8, 3, 3, 3});
  for (const char* p : {"s", "bb", "mu", "var"}) m.weight(p, {8});
  auto& c = m.node("Conv", {"x", "w"}, {"c"}, "conv");
  OnnxModel::attr(c, "strides", std::vector<int64_t>{2, 2});
  m.node("BatchNormalization", {"c", "s", "bb", "mu", "var"}, {"bn"});
  m.node("Relu", {"bn"}, {"y"});
  m.output("y");
  auto r = import(m, "conv_bn_relu.onnx");
  ASSERT_EQ(r.network.layers.size(), 1u);
  const Layer& l = r.network.layers[0];
  EXPECT_EQ(l.output, (Shape{1, 4, 4, 8}));  // floor((9 - 3) / 2) + 1 = 4
  EXPECT_EQ(l.macs(), 4 * 4 * 8 * 27);        // 3456
  EXPECT_EQ(l.weights(), 8 * 27);             // no bias input; BN adds nothing
  EXPECT_TRUE(l.batch_norm);
  EXPECT_EQ(l.activation, Activation::Relu);
  EXPECT_EQ(r.report.folded.at("BatchNormalization"), 1);
  EXPECT_EQ(r.report.folded.at("Relu"), 1);
}

TEST(OnnxImport, DepthwiseAndGroupedConv) {
  OnnxModel m;
  m.input("x", {1, 8, 6, 6});
  m.weight("wd", {8, 1, 3, 3});
  m.weight("wg", {6, 4, 1, 1});
  auto& d = m.node("Conv", {"x", "wd"}, {"d"}, "dw");
  OnnxModel::attr(d, "group", int64_t{8});
  OnnxModel::attr(d, "auto_pad", std::string("SAME_UPPER"));
  auto& g = m.node("Conv", {"d", "wg"}, {"y"}, "grouped");
  OnnxModel::attr(g, "group", int64_t{2});
  m.output("y");
  auto r = import(m, "groups.onnx");
  const Layer& dw = layer(r, "dw");
  EXPECT_EQ(dw.groups, 8);
  EXPECT_EQ(dw.padding, Padding::Same);
  EXPECT_EQ(dw.output, (Shape{1, 6, 6, 8}));
  EXPECT_EQ(dw.macs(), 6 * 6 * 8 * 9);  // one 3x3 filter per channel: 2592
  EXPECT_EQ(dw.weights(), 8 * 9);
  const Layer& gr = layer(r, "grouped");
  EXPECT_EQ(gr.groups, 2);
  EXPECT_EQ(gr.macs(), 6 * 6 * 6 * 4);  // 4 input channels per group: 864
  EXPECT_EQ(gr.weights(), 6 * 4);
}

TEST(OnnxImport, ConvTransposeWithOutputPadding) {
  OnnxModel m;
  m.input("x", {1, 4, 4, 4});
  m.weight("w", {4, 2, 3, 3});  // [C_in, C_out / group, kh, kw]
  auto& t = m.node("ConvTranspose", {"x", "w"}, {"y"}, "up");
  OnnxModel::attr(t, "strides", std::vector<int64_t>{2, 2});
  OnnxModel::attr(t, "pads", std::vector<int64_t>{1, 1, 1, 1});
  OnnxModel::attr(t, "output_padding", std::vector<int64_t>{1, 1});
  m.output("y");
  auto r = import(m, "convt.onnx");
  const Layer& l = layer(r, "up");
  EXPECT_EQ(l.op, OpType::ConvTranspose);
  EXPECT_EQ(l.output, (Shape{1, 8, 8, 2}));  // (4 - 1) * 2 + 3 - 1 - 1 + 1 = 8
  EXPECT_EQ(l.macs(), 4 * 4 * 4 * (3 * 3 * 2));  // each input element x 3x3x2 kernel: 1152
  EXPECT_EQ(l.weights(), 4 * 2 * 3 * 3);         // 72
}

TEST(OnnxImport, FlattenThenGemmGetsAReshapeView) {
  OnnxModel m;
  m.input("x", {1, 4, 2, 2});
  m.weight("w", {10, 16});
  m.weight("b", {10});
  m.node("Flatten", {"x"}, {"f"});
  auto& g = m.node("Gemm", {"f", "w", "b"}, {"y"}, "fc");
  OnnxModel::attr(g, "transB", int64_t{1});
  m.output("y");
  auto r = import(m, "gemm.onnx");
  // NHWC {1,2,2,4} must become {1,1,1,16} for a dense layer over 16 features.
  ASSERT_EQ(r.network.inputs.size(), 1u);
  EXPECT_EQ(r.network.inputs[0].name, "x");  // the view keeps the model's input
  EXPECT_EQ(r.network.inputs[0].shape, (Shape{1, 2, 2, 4}));
  ASSERT_EQ(r.network.layers.size(), 2u);
  EXPECT_EQ(r.network.layers[0].op, OpType::Reshape);
  EXPECT_EQ(r.network.layers[0].output, (Shape{1, 1, 1, 16}));
  const Layer& fc = layer(r, "fc");
  EXPECT_EQ(fc.op, OpType::FullyConnected);
  EXPECT_EQ(fc.macs(), 16 * 10);
  EXPECT_EQ(fc.weights(), 16 * 10 + 10);
  EXPECT_EQ(r.report.skipped.at("Flatten"), 1);
  EXPECT_EQ(r.network.total_macs(), 160);
}

TEST(OnnxImport, MatMulWithConstantIsFullyConnectedAndBiasAddFolds) {
  OnnxModel m;
  m.input("x", {1, 5, 16});  // a sequence: 5 tokens of width 16
  m.weight("w", {16, 32});
  m.weight("b", {32});
  m.node("MatMul", {"x", "w"}, {"mm"}, "proj");
  m.node("Add", {"mm", "b"}, {"y"});
  m.output("y");
  auto r = import(m, "linear.onnx");
  ASSERT_EQ(r.network.layers.size(), 1u);
  const Layer& l = layer(r, "proj");
  EXPECT_EQ(r.network.inputs[0].shape, (Shape{1, 1, 5, 16}));
  EXPECT_EQ(l.op, OpType::FullyConnected);
  EXPECT_EQ(l.output, (Shape{1, 1, 5, 32}));
  EXPECT_EQ(l.macs(), 5 * 16 * 32);     // 2560
  EXPECT_EQ(l.weights(), 16 * 32 + 32);  // the folded Add is the bias
  EXPECT_EQ(r.report.folded.at("Add"), 1);
}

TEST(OnnxImport, AttentionMatMulsAndSoftmax) {
  // Scores = softmax(Q K^T / sqrt(d)) with 2 heads of width 4 over 6 tokens,
  // then scores x V.
  OnnxModel m;
  m.input("q", {1, 2, 6, 4});
  m.input("k", {1, 2, 6, 4});
  m.input("v", {1, 2, 6, 4});
  m.floats("scale", {2.0f});
  auto& t = m.node("Transpose", {"k"}, {"kt"});
  OnnxModel::attr(t, "perm", std::vector<int64_t>{0, 1, 3, 2});
  m.node("MatMul", {"q", "kt"}, {"s"}, "qk");
  m.node("Div", {"s", "scale"}, {"sd"});
  auto& sm = m.node("Softmax", {"sd"}, {"p"});
  OnnxModel::attr(sm, "axis", int64_t{-1});
  m.node("MatMul", {"p", "v"}, {"y"}, "av");
  m.output("y");
  auto r = import(m, "attention.onnx");
  const Layer& qk = layer(r, "qk");
  EXPECT_EQ(qk.op, OpType::MatMul);
  EXPECT_EQ(qk.batch, 2);
  EXPECT_EQ(qk.macs(), 2 * 6 * 4 * 6);  // 288
  EXPECT_EQ(qk.activation, Activation::Softmax);
  EXPECT_TRUE(qk.batch_norm);  // the constant scale folds like a normalization
  const Layer& av = layer(r, "av");
  EXPECT_EQ(av.macs(), 2 * 6 * 6 * 4);  // 288
  EXPECT_EQ(r.network.total_macs(), 576);
  EXPECT_EQ(r.network.total_weights(), 0);
}

TEST(OnnxImport, PoolingIncludingCeilModeAndGlobal) {
  OnnxModel m;
  m.input("x", {1, 4, 8, 8});
  auto& mp = m.node("MaxPool", {"x"}, {"a"}, "maxpool");
  OnnxModel::attr(mp, "kernel_shape", std::vector<int64_t>{3, 3});
  OnnxModel::attr(mp, "strides", std::vector<int64_t>{2, 2});
  OnnxModel::attr(mp, "pads", std::vector<int64_t>{1, 1, 1, 1});
  auto& ap = m.node("AveragePool", {"a"}, {"b"}, "avgpool");  // 4x4 -> ceil((4-3)/2)+1 = 2
  OnnxModel::attr(ap, "kernel_shape", std::vector<int64_t>{3, 3});
  OnnxModel::attr(ap, "strides", std::vector<int64_t>{2, 2});
  OnnxModel::attr(ap, "ceil_mode", int64_t{1});
  m.node("GlobalAveragePool", {"b"}, {"y"}, "gap");
  m.output("y");
  auto r = import(m, "pools.onnx");
  const Layer& a = layer(r, "maxpool");
  EXPECT_EQ(a.pool, PoolKind::Max);
  EXPECT_EQ(a.output, (Shape{1, 4, 4, 4}));  // floor((8 + 2 - 3) / 2) + 1 = 4
  EXPECT_EQ(a.vector_ops(), 4 * 4 * 4 * 9);
  const Layer& b = layer(r, "avgpool");
  EXPECT_EQ(b.pool, PoolKind::Average);
  EXPECT_EQ(b.output, (Shape{1, 2, 2, 4}));  // ceil rounding, floor would give 1
  const Layer& g = layer(r, "gap");
  EXPECT_EQ(g.pool, PoolKind::GlobalAverage);
  EXPECT_EQ(g.output, (Shape{1, 1, 1, 4}));
  EXPECT_EQ(r.network.total_macs(), 0);
}

TEST(OnnxImport, ElementwiseOpsConcatAndSqueezeExciteGate) {
  OnnxModel m;
  m.input("x", {1, 4, 4, 4});
  m.weight("w1", {4, 4, 1, 1});
  m.weight("w2", {4, 4, 1, 1});
  m.weight("wr", {2, 4, 1, 1});
  m.weight("we", {4, 2, 1, 1});
  m.node("Conv", {"x", "w1"}, {"a"}, "c1");
  m.node("Conv", {"x", "w2"}, {"b"}, "c2");
  m.node("Add", {"a", "b"}, {"s1"}, "add");
  m.node("Sub", {"s1", "b"}, {"s2"}, "sub");
  m.node("Div", {"s2", "a"}, {"s3"}, "div");
  // Squeeze-excite: pool -> reduce -> expand -> sigmoid gate -> Mul.
  m.node("GlobalAveragePool", {"s3"}, {"p"}, "se_pool");
  m.node("Conv", {"p", "wr"}, {"r1"}, "se_reduce");
  m.node("Relu", {"r1"}, {"r2"});
  m.node("Conv", {"r2", "we"}, {"e1"}, "se_expand");
  m.node("Sigmoid", {"e1"}, {"gate"});
  m.node("Mul", {"s3", "gate"}, {"g"}, "se_mul");
  auto& cat = m.node("Concat", {"g", "x"}, {"y"}, "concat");
  OnnxModel::attr(cat, "axis", int64_t{1});
  m.output("y");
  auto r = import(m, "eltwise.onnx");
  EXPECT_EQ(layer(r, "add").op, OpType::Add);
  EXPECT_EQ(layer(r, "sub").op, OpType::Add);  // same element work as an add
  EXPECT_EQ(layer(r, "div").op, OpType::Mul);
  const Layer& mul = layer(r, "se_mul");
  EXPECT_EQ(mul.op, OpType::Mul);
  EXPECT_EQ(mul.input_shapes[1], (Shape{1, 1, 1, 4}));  // the 1x1xC gate
  EXPECT_EQ(layer(r, "se_expand").activation, Activation::Sigmoid);
  EXPECT_EQ(layer(r, "se_reduce").activation, Activation::Relu);
  const Layer& c = layer(r, "concat");
  EXPECT_EQ(c.op, OpType::Concat);
  EXPECT_EQ(c.output, (Shape{1, 4, 4, 8}));
  // MACs: two 1x1 convs 16*4*4 each, SE 1*2*4 and 1*4*2.
  EXPECT_EQ(r.network.total_macs(), 2 * 16 * 4 * 4 + 8 + 8);
  EXPECT_EQ(r.network.total_weights(), 16 + 16 + 8 + 8);
}

TEST(OnnxImport, SequencesOneDimensionalConvAndOtherProductForms) {
  OnnxModel m(17);  // LayerNormalization needs opset 17
  m.input("s", {1, 4, 8});  // 4 tokens of width 8
  m.input("t", {1, 6, 8});
  m.weight("gamma", {8});
  m.weight("w", {8, 16});
  auto& cat = m.node("Concat", {"s", "t"}, {"st"}, "tokens");  // along the sequence
  OnnxModel::attr(cat, "axis", int64_t{1});
  m.node("LayerNormalization", {"st", "gamma"}, {"ln"}, "norm");
  m.node("MatMul", {"ln", "w"}, {"proj"}, "proj");
  m.output("proj");
  // Shared right operand: [2,3,4] x [4,5] = one 6x4 by 4x5 product.
  m.input("a", {2, 3, 4});
  m.input("b", {4, 5});
  m.node("MatMul", {"a", "b"}, {"ab"}, "shared");
  m.output("ab");
  // Constant left operand of a Gemm: out^T = B^T A^T, 5 rows of 4 -> 3.
  m.weight("A", {3, 4});
  m.input("g", {4, 5});
  m.node("Gemm", {"A", "g"}, {"ag"}, "left_const");
  m.output("ag");
  // 1-d convolution over 10 steps, and global max pool, Sum of three.
  m.input("seq", {1, 4, 10});
  m.weight("w1d", {6, 4, 3});
  auto& c1 = m.node("Conv", {"seq", "w1d"}, {"c1d"}, "conv1d");
  OnnxModel::attr(c1, "pads", std::vector<int64_t>{1, 1});
  m.output("c1d");
  m.input("img", {1, 4, 5, 5});
  m.node("GlobalMaxPool", {"img"}, {"gmp"}, "gmax");
  m.node("Sum", {"img", "img", "img"}, {"sum3"}, "sum3");
  m.output("gmp");
  m.output("sum3");
  auto r = import(m, "forms.onnx");
  const Layer& tokens = layer(r, "tokens");
  EXPECT_EQ(tokens.op, OpType::Concat);
  EXPECT_EQ(tokens.output.elements(), 10 * 8);
  // A concat has no epilogue: the layer norm is its own layer, 7 ops per element.
  EXPECT_FALSE(tokens.batch_norm);
  EXPECT_EQ(layer(r, "norm").op, OpType::Elementwise);
  EXPECT_EQ(layer(r, "norm").vector_ops(), 7 * 10 * 8);
  EXPECT_EQ(layer(r, "proj").macs(), 10 * 8 * 16);
  EXPECT_EQ(layer(r, "proj").output, (Shape{1, 1, 10, 16}));
  const Layer& shared = layer(r, "shared");
  EXPECT_EQ(shared.op, OpType::MatMul);
  EXPECT_EQ(shared.macs(), 2 * 3 * 4 * 5);
  const Layer& left = layer(r, "left_const");
  EXPECT_EQ(left.op, OpType::FullyConnected);
  EXPECT_EQ(left.macs(), 3 * 4 * 5);
  EXPECT_EQ(left.weights(), 12);
  const Layer& c = layer(r, "conv1d");
  EXPECT_EQ(c.kernel_h, 1);
  EXPECT_EQ(c.kernel_w, 3);
  EXPECT_EQ(c.output, (Shape{1, 1, 10, 6}));
  EXPECT_EQ(c.macs(), 10 * 6 * 4 * 3);
  const Layer& g = layer(r, "gmax");
  EXPECT_EQ(g.pool, PoolKind::Max);
  EXPECT_EQ(g.kernel_h, 5);
  EXPECT_EQ(g.output, (Shape{1, 1, 1, 4}));
  const Layer& s3 = layer(r, "sum3");
  EXPECT_EQ(s3.op, OpType::Add);
  EXPECT_EQ(s3.inputs.size(), 3u);
  EXPECT_EQ(s3.vector_ops(), 2 * 100);  // two adds per element
  EXPECT_TRUE(r.report.unmapped.empty());
}

TEST(OnnxImport, ResizeAndUpsampleByIntegerScale) {
  OnnxModel m;
  m.input("x", {1, 2, 3, 3});
  m.floats("scales", {1.f, 1.f, 2.f, 2.f});
  auto& rs = m.node("Resize", {"x", "", "scales"}, {"y"}, "resize");
  OnnxModel::attr(rs, "mode", std::string("nearest"));
  m.output("y");
  auto r = import(m, "resize.onnx");
  const Layer& l = layer(r, "resize");
  EXPECT_EQ(l.op, OpType::Resize);
  EXPECT_EQ(l.scale, 2);
  EXPECT_EQ(l.output, (Shape{1, 6, 6, 2}));

  OnnxModel u(9);  // Upsample is the opset-9 spelling
  u.input("x", {1, 2, 3, 3});
  u.floats("scales", {1.f, 1.f, 3.f, 3.f});
  u.node("Upsample", {"x", "scales"}, {"y"}, "upsample");
  u.output("y");
  auto r2 = import(u, "upsample.onnx");
  EXPECT_EQ(layer(r2, "upsample").scale, 3);
  EXPECT_EQ(layer(r2, "upsample").output, (Shape{1, 9, 9, 2}));
}

TEST(OnnxImport, ActivationsFoldWithTheirIrNames) {
  OnnxModel m(14);  // HardSwish needs opset 14
  m.input("x", {1, 2, 4, 4});
  for (int i = 0; i < 6; ++i) m.weight("w" + std::to_string(i), {2, 2, 1, 1});
  m.floats("lo", {0.f});
  m.floats("hi", {6.f});
  m.node("Conv", {"x", "w0"}, {"c0"}, "clip6");
  m.node("Clip", {"c0", "lo", "hi"}, {"a0"});
  m.node("Conv", {"a0", "w1"}, {"c1"}, "hsig");
  m.node("HardSigmoid", {"c1"}, {"a1"});
  m.node("Conv", {"a1", "w2"}, {"c2"}, "hswish");
  m.node("HardSwish", {"c2"}, {"a2"});
  m.node("Conv", {"a2", "w3"}, {"c3"}, "swish");  // x * sigmoid(x)
  m.node("Sigmoid", {"c3"}, {"s3"});
  m.node("Mul", {"c3", "s3"}, {"a3"});
  m.node("Conv", {"a3", "w4"}, {"c4"}, "hswish2");  // x * hardsigmoid(x)
  m.node("HardSigmoid", {"c4"}, {"s4"});
  m.node("Mul", {"s4", "c4"}, {"a4"});
  m.node("Conv", {"a4", "w5"}, {"c5"}, "leaky");
  auto& lr = m.node("LeakyRelu", {"c5"}, {"y"});
  OnnxModel::attr(lr, "alpha", 0.1f);
  m.output("y");
  auto r = import(m, "acts.onnx");
  EXPECT_EQ(r.network.layers.size(), 6u);  // only the convs
  EXPECT_EQ(layer(r, "clip6").activation, Activation::Relu6);
  EXPECT_EQ(layer(r, "hsig").activation, Activation::HardSigmoid);
  EXPECT_EQ(layer(r, "hswish").activation, Activation::HardSwish);
  EXPECT_EQ(layer(r, "swish").activation, Activation::Swish);
  EXPECT_EQ(layer(r, "hswish2").activation, Activation::HardSwish);
  EXPECT_EQ(layer(r, "leaky").activation, Activation::Relu);
  // LeakyRelu has no IR name: folded, but said so.
  ASSERT_EQ(r.report.warnings.size(), 1u);
  EXPECT_NE(r.report.warnings[0].find("LeakyRelu"), std::string::npos);
  EXPECT_TRUE(r.report.unmapped.empty());
}

TEST(OnnxImport, ShapeSubgraphsAndViewsAreSkippedKnowingly) {
  // PyTorch's flatten: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])).
  OnnxModel m;
  m.input("x", {1, 8, 2, 2});
  m.scalar_int("zero", 0);
  m.ints("axes0", {0});
  m.ints("minus1", {-1});
  m.weight("w", {4, 32});
  m.node("Shape", {"x"}, {"shape"});
  auto& ga = m.node("Gather", {"shape", "zero"}, {"n"});
  OnnxModel::attr(ga, "axis", int64_t{0});
  m.node("Unsqueeze", {"n", "axes0"}, {"n1"});
  auto& cat = m.node("Concat", {"n1", "minus1"}, {"target"});
  OnnxModel::attr(cat, "axis", int64_t{0});
  m.node("Reshape", {"x", "target"}, {"flat"});
  m.node("Identity", {"flat"}, {"id"});
  m.node("Dropout", {"id"}, {"dr"});
  auto& g = m.node("Gemm", {"dr", "w"}, {"y"}, "fc");
  OnnxModel::attr(g, "transB", int64_t{1});
  m.output("y");
  auto r = import(m, "flatten.onnx");
  EXPECT_EQ(r.report.skipped.at("Shape"), 1);
  EXPECT_EQ(r.report.skipped.at("Gather"), 1);
  EXPECT_EQ(r.report.skipped.at("Unsqueeze"), 1);
  EXPECT_EQ(r.report.skipped.at("Concat"), 1);
  EXPECT_EQ(r.report.skipped.at("Reshape"), 1);
  EXPECT_EQ(r.report.skipped.at("Identity"), 1);
  EXPECT_EQ(r.report.skipped.at("Dropout"), 1);
  EXPECT_EQ(layer(r, "fc").macs(), 32 * 4);
  EXPECT_EQ(count_op(r.network, OpType::FullyConnected), 1);
  EXPECT_TRUE(r.report.unmapped.empty());
}

TEST(OnnxImport, PaddleShapeSubgraphsAreFoldedToStaticShapes) {
  // Paddle2ONNX (opset 11): Reshape(x, Concat(Slice(Cast(Shape(x))), [-1]))
  // with a float round trip, and a Resize whose sizes come from
  // Mul(Slice(Shape), 2) -> Concat(N, C, 2H, 2W).
  OnnxModel m(11);
  m.input("x", {1, 4, 8, 8});
  m.weight("w", {4, 4, 3, 3});
  m.ints("starts", {0});
  m.ints("ends", {2});
  m.ints("hw_start", {2});
  m.ints("hw_end", {4});
  m.ints("minus1", {-1});
  m.ints("two", {2});
  m.floats("empty_roi", {}, {0});
  m.floats("empty_scales", {}, {0});
  auto& c1 = m.node("Conv", {"x", "w"}, {"c"}, "conv");
  OnnxModel::attr(c1, "pads", std::vector<int64_t>{1, 1, 1, 1});
  m.node("Shape", {"c"}, {"s"});
  auto& cast = m.node("Cast", {"s"}, {"sf"});
  OnnxModel::attr(cast, "to", int64_t{onnx::TensorProto::FLOAT});
  auto& back = m.node("Cast", {"sf"}, {"si"});
  OnnxModel::attr(back, "to", int64_t{onnx::TensorProto::INT64});
  m.node("Slice", {"si", "starts", "ends"}, {"nc"});
  m.node("Slice", {"si", "hw_start", "hw_end"}, {"hw"});
  m.node("Mul", {"hw", "two"}, {"hw2"});
  auto& cat = m.node("Concat", {"nc", "hw2"}, {"sizes"});
  OnnxModel::attr(cat, "axis", int64_t{0});
  m.node("Resize", {"c", "empty_roi", "empty_scales", "sizes"}, {"up"}, "up");
  m.node("Shape", {"up"}, {"s2"});
  m.node("Slice", {"s2", "starts", "ends"}, {"nc2"});
  auto& cat2 = m.node("Concat", {"nc2", "minus1"}, {"target"});
  OnnxModel::attr(cat2, "axis", int64_t{0});
  m.node("Reshape", {"up", "target"}, {"flat"});
  m.weight("fw", {16 * 16, 10});
  m.node("MatMul", {"flat", "fw"}, {"y"}, "fc");
  m.output("y");
  auto r = import(m, "paddle_shapes.onnx");
  EXPECT_TRUE(r.report.unmapped.empty());
  EXPECT_EQ(layer(r, "up").output, (Shape{1, 16, 16, 4}));
  // fc: [4, 256] x [256, 10] = 4 rows of 256 x 10.
  EXPECT_EQ(layer(r, "fc").macs(), 4 * 256 * 10);
  EXPECT_EQ(r.network.total_macs(), 8 * 8 * 4 * 36 + 4 * 256 * 10);
}

TEST(OnnxImport, OldOpsetSliceAndUnsqueezeAttributesFold) {
  // Opset 9: Slice and Unsqueeze take their parameters as attributes.
  OnnxModel m(9);
  m.input("x", {1, 6, 4, 4});
  m.ints("minus1", {-1});
  m.node("Shape", {"x"}, {"s"});
  auto& sl = m.node("Slice", {"s"}, {"n"});
  OnnxModel::attr(sl, "starts", std::vector<int64_t>{0});
  OnnxModel::attr(sl, "ends", std::vector<int64_t>{1});
  auto& g = m.node("Gather", {"s", "one"}, {"c"});
  OnnxModel::attr(g, "axis", int64_t{0});
  m.scalar_int("one", 1);
  auto& un = m.node("Unsqueeze", {"c"}, {"c1"});
  OnnxModel::attr(un, "axes", std::vector<int64_t>{0});
  auto& cat = m.node("Concat", {"n", "c1", "minus1"}, {"target"});
  OnnxModel::attr(cat, "axis", int64_t{0});
  m.node("Reshape", {"x", "target"}, {"r"});
  m.weight("w", {16, 3});
  m.node("MatMul", {"r", "w"}, {"y"}, "fc");
  m.output("y");
  auto r = import(m, "opset9_shapes.onnx");
  EXPECT_TRUE(r.report.unmapped.empty());
  EXPECT_EQ(layer(r, "fc").macs(), 6 * 16 * 3);
}

TEST(OnnxImport, DataMovementAndRecurrentLayers) {
  // Slice, Split, a reflect Pad and Expand on activations are zero-work
  // copies; an LSTM is its input and recurrent projections (hand counts).
  OnnxModel m;
  m.input("x", {1, 8, 10});  // [B, C, L]
  m.ints("starts", {2});
  m.ints("ends", {10});
  m.ints("axes", {2});
  m.ints("pads", {0, 0, 1, 0, 0, 1});
  m.ints("split", {3, 5});
  m.node("Slice", {"x", "starts", "ends", "axes"}, {"sl"}, "slice");        // 1x8x8
  auto& pad = m.node("Pad", {"sl", "pads"}, {"pd"}, "pad");                 // 1x8x10
  OnnxModel::attr(pad, "mode", std::string("reflect"));
  auto& sp = m.node("Split", {"pd", "split"}, {"p0", "p1"}, "split");       // 1x3x10, 1x5x10
  OnnxModel::attr(sp, "axis", int64_t{1});
  auto& tr = m.node("Transpose", {"p0"}, {"seq"}, "to_seq");               // [10, 1, 3]
  OnnxModel::attr(tr, "perm", std::vector<int64_t>{2, 0, 1});
  m.weight("W", {1, 64, 3});   // 4 gates x H=16, input 3
  m.weight("R", {1, 64, 16});
  m.weight("B", {1, 128});
  auto& lstm = m.node("LSTM", {"seq", "W", "R", "B"}, {"y", "yh"}, "lstm");
  OnnxModel::attr(lstm, "hidden_size", int64_t{16});
  m.ints("big", {2, 5, 10});
  m.node("Expand", {"p1", "big"}, {"ex"}, "expand");                        // 2x5x10
  m.output("y");
  m.output("yh");
  m.output("ex");
  auto r = import(m, "movement.onnx");
  EXPECT_TRUE(r.report.unmapped.empty()) << summarize(r.report);
  for (const char* name : {"slice", "pad", "split", "expand"}) EXPECT_EQ(layer(r, name).op, OpType::Copy) << name;
  EXPECT_EQ(layer(r, "slice").output.elements(), 8 * 8);
  EXPECT_EQ(layer(r, "pad").output.elements(), 8 * 10);
  EXPECT_EQ(layer(r, "split").output.elements(), 3 * 10);
  EXPECT_EQ(layer(r, "split/1").output.elements(), 5 * 10);
  EXPECT_EQ(layer(r, "expand").output.elements(), 2 * 5 * 10);
  // LSTM: 10 steps x batch 1 x 4 gates x 16 x (3 + 16) MACs; W, R and B.
  EXPECT_EQ(r.network.total_macs(), 10 * 64 * (3 + 16));
  EXPECT_EQ(r.network.total_weights(), 64 * 3 + 64 * 16 + 128);
  EXPECT_EQ(layer(r, "lstm").output.elements(), 10 * 16);
  EXPECT_EQ(layer(r, "lstm/1").output.elements(), 16);
  EXPECT_EQ(r.network.total_vector_ops(), 3 * 10 * 64);  // the gates; copies are free
}

TEST(OnnxImport, MatMulWithBroadcastBatchDimensions) {
  OnnxModel m;
  // [3, 4, 5] x constant [3, 5, 6]: one weight matrix per batch, a grouped
  // 1x1 conv: MACs 3*4*5*6, weights 3*5*6.
  m.input("a", {3, 4, 5});
  m.weight("wb", {3, 5, 6});
  m.node("MatMul", {"a", "wb"}, {"y1"}, "per_batch");
  m.output("y1");
  // Shared left operand [4, 5] x activation [2, 5, 7]: 2*4*5*7 MACs.
  m.input("s", {4, 5});
  m.input("t", {2, 5, 7});
  m.node("MatMul", {"s", "t"}, {"y2"}, "shared_left");
  m.output("y2");
  // Resize by 1.5: a copy, with a warning.
  m.input("img", {1, 2, 4, 4});
  m.floats("roi", {}, {0});
  m.floats("scales", {1.0f, 1.0f, 1.5f, 1.5f});
  m.node("Resize", {"img", "roi", "scales"}, {"up"}, "up");
  m.output("up");
  auto r = import(m, "broadcast.onnx");
  EXPECT_TRUE(r.report.unmapped.empty()) << summarize(r.report);
  EXPECT_EQ(layer(r, "per_batch").op, OpType::Conv);
  EXPECT_EQ(layer(r, "per_batch").macs(), 3 * 4 * 5 * 6);
  EXPECT_EQ(layer(r, "per_batch").weights(), 3 * 5 * 6);
  EXPECT_EQ(layer(r, "shared_left").op, OpType::MatMul);
  EXPECT_EQ(layer(r, "shared_left").macs(), 2 * 4 * 5 * 7);
  EXPECT_EQ(layer(r, "up").op, OpType::Copy);
  EXPECT_EQ(layer(r, "up").output.elements(), 2 * 6 * 6);
  EXPECT_EQ(r.report.warnings.size(), 1u);
}

TEST(OnnxImport, LoopsWithAConstantTripCountAreUnrolled) {
  // x <- relu(x W) three times; each iteration's x is also a scan output.
  OnnxModel m;
  m.input("x", {1, 4});
  m.weight("W", {4, 4});
  m.scalar_int("trip", 3);
  auto* t = m.proto().mutable_graph()->add_initializer();
  t->set_name("yes");
  t->set_data_type(onnx::TensorProto::BOOL);
  t->add_int32_data(1);
  onnx::GraphProto body;
  body.set_name("body");
  auto add_in = [&](const std::string& name, int type, std::vector<int64_t> dims) {
    auto* v = body.add_input();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(type);
    auto* sh = v->mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int64_t d : dims) sh->add_dim()->set_dim_value(d);
  };
  add_in("i", onnx::TensorProto::INT64, {});
  add_in("c", onnx::TensorProto::BOOL, {});
  add_in("h", onnx::TensorProto::FLOAT, {1, 4});
  auto* g = body.add_node();
  g->set_op_type("Gemm");
  g->set_name("step");
  g->add_input("h");
  g->add_input("W");
  g->add_output("hw");
  auto* r = body.add_node();
  r->set_op_type("Relu");
  r->add_input("hw");
  r->add_output("h2");
  auto* id = body.add_node();
  id->set_op_type("Identity");
  id->add_input("c");
  id->add_output("c2");
  for (const char* o : {"c2", "h2", "h2"}) body.add_output()->set_name(o);
  body.mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
  for (int k = 1; k < 3; ++k) body.mutable_output(k)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  auto& loop = m.node("Loop", {"trip", "yes", "x"}, {"final", "all"}, "loop");
  auto* a = loop.add_attribute();
  a->set_name("body");
  a->set_type(onnx::AttributeProto::GRAPH);
  *a->mutable_g() = body;
  m.output("final");
  m.output("all");
  auto res = import(m, "loop.onnx");
  EXPECT_TRUE(res.report.unmapped.empty()) << summarize(res.report);
  EXPECT_EQ(res.report.inlined.at("Loop"), 1);
  EXPECT_EQ(count_op(res.network, OpType::FullyConnected), 3);
  EXPECT_EQ(res.network.total_macs(), 3 * 4 * 4);
  EXPECT_EQ(layer(res, "loop/iter2/step").activation, Activation::Relu);
  // A run-time trip count is an error naming the node.
  OnnxModel d = m;
  d.proto().mutable_graph()->mutable_node(0)->set_input(0, "x_len");
  d.input("x_len", {}, "N", onnx::TensorProto::INT64);
  const std::string err = error_of([&] { import(d, "loop_dynamic.onnx"); });
  EXPECT_NE(err.find("node 'loop' (Loop): the trip count is not a constant"), std::string::npos) << err;
}

TEST(OnnxImport, UnmappedOperatorsAreReportedAndTheGraphStaysConnected) {
  OnnxModel m;
  m.input("x", {1, 4, 4, 4});
  m.weight("w", {4, 4, 1, 1});
  m.scalar_int("axis", 1);
  m.ints("k", {2});
  m.node("Conv", {"x", "w"}, {"c"}, "conv");
  m.node("CumSum", {"c", "axis"}, {"a"}, "cumsum");  // same element count: passes through
  m.node("Conv", {"a", "w"}, {"d"}, "conv2");
  m.node("CumSum", {"d", "axis"}, {"e"}, "cumsum2");
  auto& topk = m.node("TopK", {"e", "k"}, {"s", "idx"}, "topk");  // 4 -> 2 channels
  OnnxModel::attr(topk, "axis", int64_t{1});
  m.weight("w3", {2, 2, 1, 1});
  m.node("Conv", {"s", "w3"}, {"y"}, "conv3");
  m.output("y");
  std::ostringstream warnings;
  ImportOptions o;
  o.warnings = &warnings;
  o.verbose = true;
  auto r = import(m, "unmapped.onnx", o);
  EXPECT_EQ(r.report.unmapped.at("CumSum"), 2);
  EXPECT_EQ(r.report.unmapped.at("TopK"), 1);
  EXPECT_EQ(r.report.unmapped_total(), 3);
  EXPECT_EQ(r.report.warnings.size(), 3u);
  EXPECT_NE(warnings.str().find("node 'topk' (TopK) not mapped"), std::string::npos);
  EXPECT_NE(warnings.str().find("NOT mapped: CumSum x2, TopK x1"), std::string::npos) << warnings.str();
  // conv2 reads conv's output through the CumSum; conv3 reads a new input.
  EXPECT_EQ(layer(r, "conv2").inputs[0], *r.network.find_layer("conv"));
  ASSERT_EQ(r.network.inputs.size(), 2u);
  EXPECT_EQ(r.network.inputs[1].shape, (Shape{1, 4, 4, 2}));
  EXPECT_EQ(r.network.total_macs(), 2 * 16 * 4 * 4 + 16 * 2 * 2);
  // Every node has its record; --strict turns the unmapped ones into an error.
  ASSERT_EQ(r.report.nodes.size(), 6u);
  EXPECT_EQ(r.report.nodes[1].node, "cumsum");
  EXPECT_EQ(r.report.nodes[1].action, "not mapped");
  EXPECT_EQ(r.report.nodes[0].ir_op, "conv");
  ImportOptions strict;
  strict.strict = true;
  const std::string err = error_of([&] { import(m, "unmapped_strict.onnx", strict); });
  EXPECT_NE(err.find("--strict: 3 node(s) not mapped: node 'cumsum' (CumSum)"), std::string::npos) << err;
  // Without --verbose one line sums the warnings up.
  std::ostringstream quiet;
  ImportOptions q;
  q.warnings = &quiet;
  import(m, "unmapped_quiet.onnx", q);
  EXPECT_EQ(quiet.str().find("node 'cumsum'"), std::string::npos) << quiet.str();
  EXPECT_NE(quiet.str().find("3 warning(s)"), std::string::npos) << quiet.str();
}

TEST(OnnxImport, ElementWiseWorkIsNeverDropped) {
  // A LayerNorm written out (PyTorch exports of openWakeWord), unary math on
  // a network input, an activation after an activation, a broadcast that is
  // not a squeeze-excite gate, and reductions over channels and tokens.
  OnnxModel m;
  m.input("x", {1, 16});
  m.weight("w", {16, 32});
  m.floats("two", {2.0f});
  m.floats("eps", {1e-5f});
  m.weight("gamma", {32});
  m.weight("beta", {32});
  m.node("Exp", {"x"}, {"ex"}, "exp");                      // network input: own layer
  m.node("Gemm", {"ex", "w"}, {"g"}, "fc");
  auto& mean = m.node("ReduceMean", {"g"}, {"mu"}, "mean");
  OnnxModel::attr(mean, "axes", std::vector<int64_t>{-1});
  m.node("Sub", {"g", "mu"}, {"d"}, "sub");                 // [1,32] - [1,1]
  m.node("Pow", {"d", "two"}, {"d2"}, "pow");
  auto& var = m.node("ReduceMean", {"d2"}, {"var"}, "var");
  OnnxModel::attr(var, "axes", std::vector<int64_t>{-1});
  m.node("Add", {"var", "eps"}, {"ve"}, "add_eps");         // after a reduce: own layer
  m.node("Sqrt", {"ve"}, {"sd"}, "sqrt");
  m.node("Div", {"d", "sd"}, {"n"}, "div");
  m.node("Mul", {"n", "gamma"}, {"ng"}, "scale");            // after an elementwise layer: own layer
  m.node("Add", {"ng", "beta"}, {"nb"}, "shift");
  m.node("Relu", {"nb"}, {"r"}, "relu");                    // folds into 'shift'
  m.node("Sigmoid", {"r"}, {"s"}, "sig");                   // second activation: own layer
  auto& mx = m.node("ReduceMax", {"s"}, {"y"}, "max");
  OnnxModel::attr(mx, "keepdims", int64_t{0});
  m.output("y");
  auto r = import(m, "layernorm.onnx");
  EXPECT_TRUE(r.report.unmapped.empty()) << summarize(r.report);
  EXPECT_EQ(layer(r, "exp").op, OpType::Elementwise);
  EXPECT_EQ(layer(r, "mean").op, OpType::Reduce);
  EXPECT_EQ(layer(r, "mean").output, (Shape{1, 1, 1, 1}));
  EXPECT_EQ(layer(r, "sub").op, OpType::Elementwise);
  EXPECT_EQ(layer(r, "sub").input_shapes[1], (Shape{1, 1, 1, 1}));
  for (const char* name : {"pow", "add_eps", "sqrt", "div", "scale", "shift", "sig"}) {
    EXPECT_EQ(layer(r, name).op, OpType::Elementwise) << name;
  }
  EXPECT_EQ(layer(r, "shift").activation, Activation::Relu);
  EXPECT_EQ(r.report.folded.at("Relu"), 1);
  EXPECT_EQ(r.network.total_macs(), 16 * 32);
  EXPECT_EQ(r.network.total_weights(), 16 * 32);
  // Vector work: exp 16; mean 32, sub 32, pow 32, var 32, add 1, sqrt 1,
  // div 32, scale 32, shift 32, sigmoid 32, max 32.
  EXPECT_EQ(r.network.total_vector_ops(), 16 + 32 * 9 + 2);
}

TEST(OnnxImport, PadFoldsIntoTheConvAndReduceMeanIsAGlobalPool) {
  OnnxModel m;
  m.input("x", {1, 3, 6, 6});
  m.ints("pads", {0, 0, 1, 1, 0, 0, 1, 1});
  m.weight("w", {4, 3, 3, 3});
  m.node("Pad", {"x", "pads"}, {"p"});
  m.node("Conv", {"p", "w"}, {"c"}, "conv");
  auto& rm = m.node("ReduceMean", {"c"}, {"y"}, "mean");
  OnnxModel::attr(rm, "axes", std::vector<int64_t>{2, 3});
  m.output("y");
  auto r = import(m, "pad.onnx");
  const Layer& c = layer(r, "conv");
  EXPECT_EQ(c.padding, Padding::Explicit);
  EXPECT_EQ(c.pad_top, 1);
  EXPECT_EQ(c.pad_right, 1);
  EXPECT_EQ(c.output, (Shape{1, 6, 6, 4}));
  EXPECT_EQ(c.macs(), 36 * 4 * 27);
  EXPECT_EQ(r.report.folded.at("Pad"), 1);
  EXPECT_EQ(layer(r, "mean").pool, PoolKind::GlobalAverage);
}

TEST(OnnxImport, QuantizedModelsQdqAndQOperator) {
  // QDQ: Quantize/Dequantize pairs around a float Conv are views.
  OnnxModel q;
  q.input("x", {1, 3, 8, 8});
  q.floats("s", {0.1f});
  q.quantized("zp", {}, onnx::TensorProto::UINT8);
  q.quantized("wq", {4, 3, 3, 3}, onnx::TensorProto::INT8);
  q.quantized("wzp", {}, onnx::TensorProto::INT8);
  q.node("QuantizeLinear", {"x", "s", "zp"}, {"xq"});
  q.node("DequantizeLinear", {"xq", "s", "zp"}, {"xd"});
  q.node("DequantizeLinear", {"wq", "s", "wzp"}, {"wd"});
  auto& c = q.node("Conv", {"xd", "wd"}, {"y"}, "conv");
  OnnxModel::attr(c, "pads", std::vector<int64_t>{1, 1, 1, 1});
  q.output("y");
  auto r = import(q, "qdq.onnx");
  ASSERT_EQ(r.network.layers.size(), 1u);
  EXPECT_EQ(r.network.total_macs(), 8 * 8 * 4 * 27);
  EXPECT_EQ(r.report.skipped.at("QuantizeLinear"), 1);
  EXPECT_EQ(r.report.skipped.at("DequantizeLinear"), 2);  // one on activations, one on weights
  EXPECT_TRUE(r.report.unmapped.empty());

  // QOperator: QLinearConv (with an int32 bias) and QLinearMatMul.
  OnnxModel o;
  o.input("xq", {1, 3, 8, 8}, "N", onnx::TensorProto::UINT8);
  o.floats("s", {0.1f});
  o.quantized("zp", {}, onnx::TensorProto::UINT8);
  o.quantized("wq", {4, 3, 3, 3}, onnx::TensorProto::UINT8);
  o.quantized("bias", {4}, onnx::TensorProto::INT32);
  o.quantized("fq", {256, 10}, onnx::TensorProto::UINT8);
  auto& qc = o.node("QLinearConv", {"xq", "s", "zp", "wq", "s", "zp", "s", "zp", "bias"}, {"yq"}, "qconv");
  OnnxModel::attr(qc, "pads", std::vector<int64_t>{1, 1, 1, 1});
  o.node("Flatten", {"yq"}, {"f"});
  o.node("QLinearMatMul", {"f", "s", "zp", "fq", "s", "zp", "s", "zp"}, {"z"}, "qfc");
  o.output("z", onnx::TensorProto::UINT8);
  auto r2 = import(o, "qop.onnx");
  EXPECT_EQ(layer(r2, "qconv").macs(), 8 * 8 * 4 * 27);
  EXPECT_EQ(layer(r2, "qconv").weights(), 4 * 27 + 4);
  EXPECT_EQ(layer(r2, "qfc").op, OpType::FullyConnected);
  EXPECT_EQ(layer(r2, "qfc").macs(), 256 * 10);
  EXPECT_EQ(r2.report.mapped.at("QLinearConv"), 1);
  EXPECT_EQ(r2.report.mapped.at("QLinearMatMul"), 1);
}

// A small residual network: stem, two basic blocks (the second strided with
// a 1x1 projection), global pool and classifier.
OnnxModel residual_net(int64_t batch, const std::string& symbol = "batch") {
  OnnxModel m;
  m.input("image", {batch, 3, 16, 16}, symbol);
  auto conv = [&](const std::string& name, const std::string& in, int64_t cin, int64_t cout, int k,
                  int stride, bool relu) {
    m.weight(name + ".w", {cout, cin, k, k});
    for (const char* p : {".s", ".b", ".m", ".v"}) m.weight(name + p, {cout});
    auto& c = m.node("Conv", {in, name + ".w"}, {name}, name);
    const int64_t pad = k / 2;
    OnnxModel::attr(c, "pads", std::vector<int64_t>{pad, pad, pad, pad});
    OnnxModel::attr(c, "strides", std::vector<int64_t>{stride, stride});
    m.node("BatchNormalization", {name, name + ".s", name + ".b", name + ".m", name + ".v"},
           {name + ".bn"}, name + ".bn");
    if (!relu) return name + ".bn";
    m.node("Relu", {name + ".bn"}, {name + ".relu"}, name + ".relu");
    return name + ".relu";
  };
  const std::string stem = conv("stem", "image", 3, 8, 3, 1, true);
  const std::string a1 = conv("b1.conv1", stem, 8, 8, 3, 1, true);
  const std::string a2 = conv("b1.conv2", a1, 8, 8, 3, 1, false);
  m.node("Add", {a2, stem}, {"b1.add"}, "b1.add");
  m.node("Relu", {"b1.add"}, {"b1.out"}, "b1.relu");
  const std::string c1 = conv("b2.conv1", "b1.out", 8, 16, 3, 2, true);
  const std::string c2 = conv("b2.conv2", c1, 16, 16, 3, 1, false);
  const std::string ds = conv("b2.down", "b1.out", 8, 16, 1, 2, false);
  m.node("Add", {c2, ds}, {"b2.add"}, "b2.add");
  m.node("Relu", {"b2.add"}, {"b2.out"}, "b2.relu");
  m.node("GlobalAveragePool", {"b2.out"}, {"pool"}, "pool");
  m.node("Flatten", {"pool"}, {"flat"}, "flatten");
  m.weight("fc.w", {10, 16});
  m.weight("fc.b", {10});
  auto& g = m.node("Gemm", {"flat", "fc.w", "fc.b"}, {"logits"}, "fc");
  OnnxModel::attr(g, "transB", int64_t{1});
  m.output("logits");
  return m;
}

TEST(OnnxImport, ResidualNetworkMatchesHandCounts) {
  auto r = import(residual_net(1), "resnet_tiny.onnx");
  const Network& n = r.network;
  // stem 16*16*8*27, block 1: two 16*16*8*72, block 2: 8*8*16*72,
  // 8*8*16*144 and the projection 8*8*16*8, classifier 16*10.
  EXPECT_EQ(n.total_macs(), 55296 + 2 * 147456 + 73728 + 147456 + 8192 + 160);  // 579744
  // 216 + 2*576 + 1152 + 2304 + 128 (no conv biases) + 170 (fc with bias)
  EXPECT_EQ(n.total_weights(), 5122);
  EXPECT_EQ(count_op(n, OpType::Conv), 6);
  EXPECT_EQ(count_op(n, OpType::Add), 2);
  EXPECT_EQ(n.layers.size(), 10u);  // 6 conv + 2 add + pool + fc: no views needed
  EXPECT_EQ(r.report.folded.at("BatchNormalization"), 6);
  EXPECT_EQ(r.report.folded.at("Relu"), 5);
  EXPECT_EQ(layer(r, "b1.add").activation, Activation::Relu);
  // The residual edges are explicit: b1.add reads the stem, b2.down reads b1.add.
  EXPECT_EQ(layer(r, "b1.add").inputs[1], *n.find_layer("stem"));
  EXPECT_EQ(layer(r, "b2.down").inputs[0], *n.find_layer("b1.add"));
  EXPECT_EQ(layer(r, "b2.down").output, (Shape{1, 8, 8, 16}));
  EXPECT_TRUE(r.report.unmapped.empty());
}

// MobileNetV2 1.0/224 written the way PyTorch exports it (explicit pads,
// Conv + BatchNormalization + Clip(0, 6), depthwise group = channels,
// residual Adds, flatten, Gemm to 1001 classes) from the paper's table; the
// import must land within 1 % of the published 300 M MACs and 3.47 M params.
TEST(OnnxImport, MobileNetV2MatchesPublishedTotals) {
  OnnxModel m;
  m.input("input", {1, 3, 224, 224});
  m.floats("zero", {0.f});
  m.floats("six", {6.f});
  int id = 0;
  auto conv = [&](const std::string& x, int64_t cin, int64_t cout, int k, int stride, int64_t group,
                  bool relu6) {
    const std::string name = "conv" + std::to_string(id++);
    m.weight(name + ".w", {cout, cin / group, k, k});
    for (const char* p : {".s", ".b", ".m", ".v"}) m.weight(name + p, {cout});
    auto& c = m.node("Conv", {x, name + ".w"}, {name}, name);
    const int64_t pad = k / 2;
    OnnxModel::attr(c, "pads", std::vector<int64_t>{pad, pad, pad, pad});
    OnnxModel::attr(c, "strides", std::vector<int64_t>{stride, stride});
    OnnxModel::attr(c, "group", group);
    m.node("BatchNormalization", {name, name + ".s", name + ".b", name + ".m", name + ".v"}, {name + ".bn"});
    if (!relu6) return name + ".bn";
    m.node("Clip", {name + ".bn", "zero", "six"}, {name + ".relu6"});
    return name + ".relu6";
  };
  std::string x = conv("input", 3, 32, 3, 2, 1, true);
  int64_t cin = 32;
  const int table[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                           {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int adds = 0;
  for (const auto& [t, c, n, s] : table) {
    for (int i = 0; i < n; ++i) {
      const int stride = i == 0 ? s : 1;
      const int64_t hidden = cin * t;
      std::string h = t == 1 ? x : conv(x, cin, hidden, 1, 1, 1, true);
      h = conv(h, hidden, hidden, 3, stride, hidden, true);
      h = conv(h, hidden, c, 1, 1, 1, false);
      if (stride == 1 && cin == c) {
        const std::string sum = "add" + std::to_string(adds++);
        m.node("Add", {h, x}, {sum}, sum);
        h = sum;
      }
      x = h;
      cin = c;
    }
  }
  x = conv(x, 320, 1280, 1, 1, 1, true);
  m.node("GlobalAveragePool", {x}, {"pool"});
  m.node("Flatten", {"pool"}, {"flat"});
  m.weight("fc.w", {1001, 1280});
  m.weight("fc.b", {1001});
  auto& g = m.node("Gemm", {"flat", "fc.w", "fc.b"}, {"logits"}, "fc");
  OnnxModel::attr(g, "transB", int64_t{1});
  m.output("logits");
  const std::string path = m.save("mobilenet_v2.onnx");
  auto r = import_onnx(path);
  std::filesystem::remove(path);  // 14 MB of zero weights
  EXPECT_NEAR(double(r.network.total_macs()), 300e6, 0.01 * 300e6);
  EXPECT_NEAR(double(r.network.total_weights()), 3.47e6, 0.01 * 3.47e6);
  EXPECT_EQ(count_op(r.network, OpType::Add), 10);  // the published 10 residual blocks
  EXPECT_EQ(r.report.folded.at("Clip"), 35);        // stem + 16 blocks x 2 (first has 1) + head
  EXPECT_TRUE(r.report.unmapped.empty());
  // The zoo builds the same network from the same table, independently.
  const Network zoo = zoo_network("mobilenet_v2");
  EXPECT_EQ(r.network.total_macs(), zoo.total_macs());
  EXPECT_EQ(r.network.total_weights(), zoo.total_weights());
  EXPECT_EQ(r.network.layers.size(), zoo.layers.size());
  for (const auto& l : r.network.layers) {
    if (l.op == OpType::Conv && l.groups > 1) {
      EXPECT_EQ(l.groups, l.input_shapes[0].c) << l.name;
    }
  }
}

TEST(OnnxImport, ModelWrittenByThePythonOnnxHelper) {
  // tests/data/onnx/tiny_resnet.onnx: the same network written independently
  // by make_models.py (onnx.helper, checked by onnx.checker), PyTorch-style
  // flatten through Shape/Gather/Unsqueeze/Concat/Reshape, dynamic batch.
  const std::string path = std::string(APOLLO_TEST_DATA) + "/onnx/tiny_resnet.onnx";
  ImportOptions o;
  add_input_shape(o, "input=1x3x16x16");
  auto r = import_onnx(path, o);
  EXPECT_EQ(r.network.total_macs(), 579744);
  EXPECT_EQ(r.network.total_weights(), 5122);
  EXPECT_EQ(r.network.layers.size(), 10u);
  EXPECT_EQ(r.report.skipped.at("Reshape"), 1);
  EXPECT_EQ(r.report.skipped.at("Shape"), 1);
  EXPECT_TRUE(r.report.unmapped.empty());
  EXPECT_TRUE(r.report.warnings.empty());
}

TEST(OnnxImport, DynamicDimensionsNeedAnInputShape) {
  const std::string path = residual_net(-1).save("resnet_dynamic.onnx");
  // A dimension named as a batch defaults to 1, with a note.
  auto one = import_onnx(path);
  EXPECT_EQ(one.network.inputs[0].shape, (Shape{1, 16, 16, 3}));
  ASSERT_EQ(one.report.notes.size(), 1u);
  EXPECT_NE(one.report.notes[0].find("'batch' is a batch dimension: set to 1"), std::string::npos);
  // Any other dynamic dimension needs --input-shape.
  const std::string other = residual_net(-1, "frames").save("resnet_frames.onnx");
  const std::string err = error_of([&] { import_onnx(other); });
  EXPECT_NE(err.find(other), std::string::npos) << err;
  EXPECT_NE(err.find("'image'"), std::string::npos) << err;
  EXPECT_NE(err.find("'frames'"), std::string::npos) << err;
  EXPECT_NE(err.find("--input-shape image=1x3x16x16"), std::string::npos) << err;

  ImportOptions o;
  add_input_shape(o, "image=2x3x16x16");
  auto r = import_onnx(path, o);
  EXPECT_EQ(r.network.inputs[0].shape, (Shape{2, 16, 16, 3}));
  EXPECT_EQ(r.network.total_macs(), 2 * 579744);  // batch 2 doubles every layer's work

  ImportOptions wrong_name;
  add_input_shape(wrong_name, "img=1x3x16x16");
  EXPECT_NE(error_of([&] { import_onnx(path, wrong_name); }).find("'img'"), std::string::npos);
  ImportOptions wrong_rank;
  add_input_shape(wrong_rank, "image=3x16x16");
  EXPECT_NE(error_of([&] { import_onnx(path, wrong_rank); }).find("rank"), std::string::npos);
  ImportOptions bad;
  EXPECT_THROW(add_input_shape(bad, "image=1x3xAx16"), WorkloadError);
  EXPECT_THROW(add_input_shape(bad, "1x3x16x16"), WorkloadError);
  EXPECT_THROW(add_input_shape(bad, "image=1x0x16x16"), WorkloadError);
}

TEST(OnnxImport, BadFilesNameTheFile) {
  const std::string missing = "/nonexistent/dir/model.onnx";
  EXPECT_NE(error_of([&] { import_onnx(missing); }).find(missing), std::string::npos);

  const auto dir = std::filesystem::path(residual_net(1).save("good.onnx")).parent_path();
  std::mt19937 rng(42);
  std::string noise(4096, '\0');
  for (auto& ch : noise) ch = char(rng() & 0xff);
  const std::string random_path = (dir / "random.onnx").string();
  std::ofstream(random_path, std::ios::binary) << noise;
  const std::string e1 = error_of([&] { import_onnx(random_path); });
  EXPECT_NE(e1.find(random_path), std::string::npos) << e1;

  const std::string bytes = residual_net(1).bytes();
  const std::string cut_path = (dir / "truncated.onnx").string();
  std::ofstream(cut_path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const std::string e2 = error_of([&] { import_onnx(cut_path); });
  EXPECT_NE(e2.find(cut_path), std::string::npos) << e2;

  const std::string empty_path = (dir / "empty.onnx").string();
  std::ofstream(empty_path, std::ios::binary).flush();
  EXPECT_NE(error_of([&] { import_onnx(empty_path); }).find("empty"), std::string::npos);
}

TEST(OnnxImport, InvalidNodesAreNamed) {
  // Weights for 5 input channels on a 3-channel image.
  OnnxModel m;
  m.input("x", {1, 3, 8, 8});
  m.weight("w", {4, 5, 3, 3});
  m.node("Conv", {"x", "w"}, {"y"}, "bad_conv");
  m.output("y");
  const std::string e = error_of([&] { import(m, "bad_conv.onnx"); });
  EXPECT_NE(e.find("bad_conv"), std::string::npos) << e;
  EXPECT_NE(e.find("bad_conv.onnx"), std::string::npos) << e;

  // A node reading a tensor nobody produces.
  OnnxModel d;
  d.input("x", {1, 3, 8, 8});
  d.weight("w", {4, 3, 1, 1});
  d.node("Conv", {"ghost", "w"}, {"y"}, "orphan");
  d.output("y");
  const std::string e2 = error_of([&] { import(d, "orphan.onnx"); });
  EXPECT_NE(e2.find("orphan"), std::string::npos) << e2;
}

}  // namespace
}  // namespace apollo::workloads
