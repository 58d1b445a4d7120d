// SCALE-Sim topology importer, on CSV files in tests/data/scalesim written
// for these tests; the expected MACs are SCALE-Sim's own formula
// ofmap_h * ofmap_w * filter_h * filter_w * channels * num_filter with
// ofmap = ceil((ifmap - filter + stride) / stride), worked out by hand.
#include <gtest/gtest.h>

#include <functional>

#include "workloads/import.hpp"
#include "workloads/scalesim_import.hpp"

namespace apollo::workloads {
namespace {

const std::string kData = std::string(APOLLO_TEST_DATA) + "/scalesim/";

const Layer& layer(const Network& n, const std::string& name) {
  auto i = n.find_layer(name);
  if (!i) throw std::runtime_error("no layer " + name);
  return n.layers[size_t(*i)];
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const WorkloadError& e) {
    return e.what();
  }
  return "";
}

const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

TEST(ScaleSimImport, ConvolutionTopologyMatchesHandCounts) {
  auto r = import_scalesim(kData + "conv_small.csv");
  const Network& n = r.network;
  ASSERT_EQ(n.layers.size(), 4u);
  EXPECT_EQ(n.name, "conv_small");
  // Conv1: 8x8 out (10 - 3 + 1), 8 filters of 3x3x3.
  EXPECT_EQ(layer(n, "Conv1").macs(), 8 * 8 * 8 * 27);
  EXPECT_EQ(layer(n, "Conv1").weights(), 8 * 27);  // SCALE-Sim has no bias
  // Conv2: ceil((8 - 3 + 2) / 2) = 4, one more than floor-based VALID.
  EXPECT_EQ(layer(n, "Conv2").output, (Shape{1, 4, 4, 16}));
  EXPECT_EQ(layer(n, "Conv2").macs(), 4 * 4 * 16 * 72);
  EXPECT_EQ(layer(n, "Conv2").inputs[0], *n.find_layer("Conv1"));  // 8x8x8 chains
  // DP_Conv3 is depthwise ("DP" in the name): 1x1 out, 16 channels x 3x3.
  const Layer& dp = layer(n, "DP_Conv3");
  EXPECT_EQ(dp.groups, 16);
  EXPECT_EQ(dp.macs(), 16 * 9);
  EXPECT_EQ(dp.weights(), 16 * 9);
  // It declares a 3x3 IFMAP, not Conv2's 4x4: it reads its own input.
  EXPECT_TRUE(is_graph_input(dp.inputs[0]));
  EXPECT_EQ(n.inputs.size(), 2u);
  EXPECT_EQ(n.inputs[1].name, "DP_Conv3.ifmap");
  EXPECT_EQ(n.inputs[1].shape, (Shape{1, 3, 3, 16}));
  // FC (the last row has no trailing comma) chains after the 1x1x16 output.
  EXPECT_EQ(layer(n, "FC").inputs[0], *n.find_layer("DP_Conv3"));
  EXPECT_EQ(layer(n, "FC").macs(), 16 * 10);
  EXPECT_EQ(n.total_macs(), 13824 + 18432 + 144 + 160);
  EXPECT_EQ(n.total_weights(), 216 + 1152 + 144 + 160);
  EXPECT_EQ(r.report.mapped.at("conv"), 3);
  EXPECT_EQ(r.report.mapped.at("depthwise"), 1);
  ASSERT_EQ(r.report.warnings.size(), 1u);
  EXPECT_NE(r.report.warnings[0].find("DP_Conv3"), std::string::npos);
}

TEST(ScaleSimImport, GemmTopologyMatchesHandCounts) {
  auto r = import_scalesim(kData + "gemm_small.csv");
  const Network& n = r.network;
  ASSERT_EQ(n.layers.size(), 4u);
  for (const auto& l : n.layers) EXPECT_EQ(l.op, OpType::FullyConnected);
  EXPECT_EQ(layer(n, "QKV").output, (Shape{1, 1, 128, 768}));
  EXPECT_EQ(layer(n, "QKV").macs(), 128LL * 768 * 256);
  EXPECT_EQ(n.total_macs(), 25165824LL + 8388608 + 2 * 33554432LL);  // M*N*K per row
  EXPECT_EQ(n.total_weights(), 256 * 768 + 256 * 256 + 256 * 1024 + 1024 * 256);
  // Proj reads 128x256, QKV produced 128x768: its own input; FFN1/2 chain.
  EXPECT_TRUE(is_graph_input(layer(n, "Proj").inputs[0]));
  EXPECT_EQ(layer(n, "FFN1").inputs[0], *n.find_layer("Proj"));
  EXPECT_EQ(layer(n, "FFN2").inputs[0], *n.find_layer("FFN1"));
  EXPECT_EQ(r.report.mapped.at("gemm"), 4);
}

TEST(ScaleSimImport, SeparateStrideWidthSparsityAndChannelMultiplier) {
  auto r = import_scalesim(kData + "conv_stride_sparsity.csv");
  const Network& n = r.network;
  // A: 5 x ceil((9 - 3 + 2) / 2) = 5x4 outputs, 4 filters of 3x3x2.
  EXPECT_EQ(layer(n, "A").stride_w, 2);
  EXPECT_EQ(layer(n, "A").stride_h, 1);
  EXPECT_EQ(layer(n, "A").output, (Shape{1, 5, 4, 4}));
  EXPECT_EQ(layer(n, "A").macs(), 20 * 4 * 18);
  EXPECT_EQ(layer(n, "B").macs(), 20 * 4 * 4);
  // Depthwise with 2 filters per channel: 4 channels -> 8 outputs of 3x2.
  const Layer& dp = layer(n, "DP_multiplier");
  EXPECT_EQ(dp.out_channels, 8);
  EXPECT_EQ(dp.macs(), 3 * 2 * 8 * 9);
  EXPECT_EQ(n.total_macs(), 1440 + 320 + 432);
  // Only A is sparse (1:1 is dense): one warning naming it.
  ASSERT_EQ(r.report.warnings.size(), 1u);
  EXPECT_NE(r.report.warnings[0].find("A 2:4"), std::string::npos);
}

TEST(ScaleSimImport, DispatchByExtension) {
  auto r = import_file(kData + "gemm_small.csv");
  EXPECT_EQ(r.network.layers.size(), 4u);
  EXPECT_TRUE(is_importable_file("x/Model.ONNX"));
  EXPECT_TRUE(is_importable_file("topo.csv"));
  EXPECT_FALSE(is_importable_file("net.yaml"));
  EXPECT_NE(error_of([] { import_file("net.txt"); }).find("unknown file type"), std::string::npos);
}

TEST(ScaleSimImport, BadFilesNameFileAndLine) {
  const std::string path = kData + "bad_value.csv";
  const std::string e = error_of([&] { import_scalesim(path); });
  EXPECT_NE(e.find(path + ":3:"), std::string::npos) << e;
  EXPECT_NE(e.find("'IFMAP Width'"), std::string::npos) << e;
  EXPECT_NE(e.find("'ten'"), std::string::npos) << e;

  EXPECT_NE(error_of([] { import_scalesim("/nonexistent/topo.csv"); }).find("/nonexistent/topo.csv"),
            std::string::npos);

  auto text_error = [](const std::string& text) {
    return error_of([&] { import_scalesim_text(text, "t.csv"); });
  };
  EXPECT_NE(text_error(kConvHeader + "C, 8, 8, 3, 3, 4, 4,\n").find("t.csv:2: missing value for 'Strides'"),
            std::string::npos);
  EXPECT_NE(text_error(kConvHeader + "C, 2, 8, 3, 3, 4, 4, 1,\n").find("t.csv:2: filter 3x3 is larger"),
            std::string::npos);
  EXPECT_NE(text_error(kConvHeader + "C, 8, 8, 3, 3, 4, 0, 1,\n").find("'Num Filter' must be a positive"),
            std::string::npos);
  EXPECT_NE(text_error(kConvHeader + "C, 8, 8, 3, 3, 4, 4, 1, 2, 3,\n").find("t.csv:2: 10 values"),
            std::string::npos);
  EXPECT_NE(text_error("Name, Foo, Bar,\nC, 1, 2,\n").find("t.csv:1: expected a SCALE-Sim header"),
            std::string::npos);
  EXPECT_NE(text_error("Layer, M, N, K, Sparsity,\nG, 4, 4, 4, 5:4,\n").find("t.csv:2: 'Sparsity'"),
            std::string::npos);
  EXPECT_NE(text_error("\n\n").find("t.csv: empty file"), std::string::npos);
  EXPECT_NE(text_error(kConvHeader).find("no layer rows"), std::string::npos);
}

TEST(ScaleSimImport, WindowsLineEndingsAndRepeatedNames) {
  auto r = import_scalesim_text("Layer, M, N, K,\r\nG, 2, 3, 4,\r\nG, 2, 5, 3,\r\n", "dup.csv");
  ASSERT_EQ(r.network.layers.size(), 2u);
  EXPECT_EQ(r.network.layers[1].name, "G_2");
  EXPECT_EQ(r.network.layers[1].inputs[0], 0);  // 2x3 output feeds the 2x3 GEMM
  EXPECT_EQ(r.network.total_macs(), 2 * 3 * 4 + 2 * 5 * 3);
  EXPECT_EQ(r.network.name, "dup");
}

}  // namespace
}  // namespace apollo::workloads
