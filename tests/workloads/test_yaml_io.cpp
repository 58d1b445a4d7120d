// YAML workload format: hand-written files, round trips of every zoo
// network, and error messages that name the file, the line and the problem.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "workloads/yaml_io.hpp"
#include "workloads/zoo.hpp"

namespace apollo::workloads {
namespace {

void expect_same_graph(const Network& a, const Network& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    EXPECT_EQ(a.inputs[i].name, b.inputs[i].name);
    EXPECT_EQ(a.inputs[i].shape, b.inputs[i].shape);
  }
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const Layer& x = a.layers[i];
    const Layer& y = b.layers[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.input_shapes, y.input_shapes);
    EXPECT_EQ(x.output, y.output);
    EXPECT_EQ(x.activation, y.activation);
    EXPECT_EQ(x.macs(), y.macs());
    EXPECT_EQ(x.weights(), y.weights());
    EXPECT_EQ(x.vector_ops(), y.vector_ops());
    EXPECT_EQ(std::tie(x.kernel_h, x.kernel_w, x.stride_h, x.stride_w, x.dilation_h, x.dilation_w,
                       x.padding),
              std::tie(y.kernel_h, y.kernel_w, y.stride_h, y.stride_w, y.dilation_h, y.dilation_w,
                       y.padding));
    if (x.op == OpType::Conv || x.op == OpType::ConvTranspose || x.op == OpType::FullyConnected) {
      EXPECT_EQ(x.groups, y.groups);
      EXPECT_EQ(x.bias, y.bias);
      EXPECT_EQ(x.batch_norm, y.batch_norm);
      EXPECT_EQ(x.out_channels, y.out_channels);
    }
    if (x.op == OpType::Pool) {
      EXPECT_EQ(x.pool, y.pool);
    }
  }
}

TEST(YamlIo, RoundTripEveryZooNetwork) {
  for (const auto& name : zoo_names()) {
    SCOPED_TRACE(name);
    const Network net = zoo_network(name);
    const std::string text = network_to_yaml(net);
    const Network back = network_from_yaml(text, name + ".yaml");
    expect_same_graph(net, back);
    EXPECT_EQ(back.total_macs(), net.total_macs());
    // Saving the reloaded graph gives the same text: the format is stable.
    EXPECT_EQ(network_to_yaml(back), text);
  }
}

TEST(YamlIo, ElementwiseAndReduceRoundTrip) {
  const std::string text = R"(name: ln
inputs:
  - name: x
    shape: [1, 1, 8, 16]
layers:
  - name: mean
    op: reduce
    axes: [c]
  - name: centred
    op: elementwise
    inputs: [x, mean]
  - name: scaled
    op: elementwise
    ops: 3
    inputs: [centred]
)";
  const Network net = network_from_yaml(text, "ln.yaml");
  ASSERT_EQ(net.layers.size(), 3u);
  EXPECT_EQ(net.layers[0].output, (Shape{1, 1, 8, 1}));
  EXPECT_EQ(net.layers[1].vector_ops(), 128);
  EXPECT_EQ(net.layers[2].vector_ops(), 3 * 128);
  EXPECT_EQ(net.total_vector_ops(), 128 + 128 + 384);
  const Network back = network_from_yaml(network_to_yaml(net), "ln.yaml");
  expect_same_graph(net, back);
  EXPECT_EQ(network_to_yaml(back), network_to_yaml(net));
  EXPECT_THROW(network_from_yaml(std::string(text).replace(text.find("[c]"), 3, "[q]"), "bad.yaml"),
               WorkloadError);
}

TEST(YamlIo, FileRoundTrip) {
  const auto path = std::filesystem::path(testing::TempDir()) / "apollo_resnet.yaml";
  const Network net = zoo_network("resnet50_v1_5");
  save_network_yaml(net, path.string());
  expect_same_graph(net, load_network_yaml(path.string()));
  expect_same_graph(net, load_workload(path.string()));
  std::filesystem::remove(path);
}

constexpr const char* kHandWritten = R"(
name: tiny
description: a hand-written test network
inputs:
  - name: image
    shape: [1, 32, 32, 3]
layers:
  - name: conv1
    op: conv
    inputs: [image]
    out_channels: 16
    kernel: 3
    stride: 2
    activation: relu
    batch_norm: true
    bias: false
  - name: dw
    op: conv               # inputs omitted: the previous layer
    out_channels: 16
    kernel: [3, 3]
    groups: 16
    padding: [1, 1, 1, 1]
  - name: res
    op: add
    inputs: [dw, conv1]
  - name: pool
    op: pool
    pool: global_average
  - name: fc
    op: fully_connected
    out_channels: 10
)";

TEST(YamlIo, HandWrittenFileWithDefaults) {
  const Network net = network_from_yaml(kHandWritten);
  ASSERT_EQ(net.layers.size(), 5u);
  EXPECT_EQ(net.description, "a hand-written test network");
  EXPECT_EQ(net.layers[0].output, (Shape{1, 16, 16, 16}));
  EXPECT_EQ(net.layers[1].inputs, std::vector<TensorRef>{0});
  EXPECT_EQ(net.layers[1].padding, Padding::Explicit);
  EXPECT_EQ(net.layers[2].inputs, (std::vector<TensorRef>{1, 0}));
  EXPECT_EQ(net.layers[4].output, (Shape{1, 1, 1, 10}));
  // conv1 16*16*16*27, dw 16*16*16*9, fc 16*10.
  EXPECT_EQ(net.total_macs(), 16 * 16 * 16 * 27 + 16 * 16 * 16 * 9 + 160);
  // conv1 no bias, dw 144 + 16 bias, fc 160 + 10.
  EXPECT_EQ(net.total_weights(), 27 * 16 + 144 + 16 + 170);
}

TEST(YamlIo, BiasDefaultsFollowBatchNorm) {
  const Network net = network_from_yaml(R"(
name: b
inputs: [{name: x, shape: [1, 4, 4, 8]}]
layers:
  - {name: bn_conv, op: conv, out_channels: 8, batch_norm: true}
  - {name: plain_conv, op: conv, out_channels: 8}
  - {name: bn_with_bias, op: conv, out_channels: 8, batch_norm: true, bias: true}
  - {name: fc_no_bias, op: fully_connected, out_channels: 8, bias: false}
)");
  EXPECT_EQ(net.layers[0].weights(), 64);      // 1x1x8x8, BN folded, no bias
  EXPECT_EQ(net.layers[1].weights(), 64 + 8);  // own bias
  EXPECT_EQ(net.layers[2].weights(), 64 + 8);
  EXPECT_EQ(net.layers[3].weights(), 64);
  expect_same_graph(net, network_from_yaml(network_to_yaml(net)));
}

TEST(YamlIo, ExampleConfigLoads) {
  const std::string path = std::string(APOLLO_SOURCE_DIR) + "/configs/workloads/tiny_cnn.yaml";
  const Network net = load_workload(path);
  ASSERT_EQ(net.layers.size(), 13u);
  // By hand: stem 32*32*16*27, expand 32*32*64*16, depthwise 32*32*64*9,
  // SE 64*16 + 16*64, project 32*32*16*64, head (explicit pad 1) 16*16*32*9*16, fc 32*10.
  EXPECT_EQ(net.total_macs(), 442368 + 1048576 + 589824 + 1024 + 1024 + 1048576 + 1179648 + 320);
  // Weights: BN convs without bias; SE convs, head and fc with bias.
  EXPECT_EQ(net.total_weights(),
            432 + 1024 + 576 + (1024 + 16) + (1024 + 64) + 1024 + (4608 + 32) + (320 + 10));
  // Vector ops: SE pool 32*32*64, gate 32*32*64, add 32*32*16, 2x2 max pool 16*16*16*4,
  // global pool 16*16*32.
  EXPECT_EQ(net.total_vector_ops(), 65536 + 65536 + 16384 + 16384 + 8192);
}

TEST(YamlIo, AttentionExampleMatchesHandCount) {
  const Network net =
      load_workload(std::string(APOLLO_SOURCE_DIR) + "/configs/workloads/attention_block.yaml");
  // Q, K, V, out: 4 * 64*128*128; scores and context: 2 * (2 heads * 64*64*64);
  // FFN: 2 * 64*128*512.
  EXPECT_EQ(net.total_macs(), 4 * 1048576 + 2 * 524288 + 2 * 4194304);
  EXPECT_EQ(net.total_weights(), 4 * (128 * 128 + 128) + (128 * 512 + 512) + (512 * 128 + 128));
  EXPECT_EQ(net.layers.back().output, (Shape{1, 1, 64, 128}));
}

// Writes `text` to a file and returns the error message of loading it.
std::string load_error(const std::string& file, const std::string& text) {
  const auto path = std::filesystem::path(testing::TempDir()) / file;
  {
    std::ofstream out(path);
    out << text;
  }
  try {
    load_network_yaml(path.string());
  } catch (const WorkloadError& e) {
    std::filesystem::remove(path);
    return e.what();
  }
  std::filesystem::remove(path);
  return "no error";
}

const char* kHead = "name: t\ninputs:\n  - name: x\n    shape: [1, 8, 8, 4]\nlayers:\n";

struct ErrorCase {
  const char* label;
  std::string layers;  // appended after kHead (line 6 onwards)
  std::string line;    // ":<line>:" expected in the message
  std::string words;   // expected in the message
};

TEST(YamlIo, ErrorsNameFileLineAndExpectation) {
  const ErrorCase cases[] = {
      {"unknown op", "  - name: a\n    op: convolution\n", ":7:", "unknown op 'convolution'"},
      {"unknown input", "  - name: a\n    op: add\n    inputs: [x, y]\n", ":8:",
       "unknown input 'y'"},
      {"forward reference", "  - name: a\n    op: add\n    inputs: [x, b]\n  - name: b\n    op: add\n    inputs: [x, x]\n",
       ":8:", "unknown input 'b'"},
      {"missing key", "  - name: a\n    op: conv\n    kernel: 3\n", ":6:",
       "missing key 'out_channels'"},
      {"wrong type", "  - name: a\n    op: conv\n    out_channels: many\n", ":8:",
       "expected an integer, got 'many'"},
      {"bad value", "  - name: a\n    op: conv\n    out_channels: 8\n    stride: 0\n", ":9:",
       "expected an integer >= 1"},
      {"unknown key", "  - name: a\n    op: conv\n    out_channels: 8\n    strides: 2\n", ":9:",
       "unknown key 'strides'"},
      {"bad padding", "  - name: a\n    op: conv\n    out_channels: 8\n    padding: full\n", ":9:",
       "expected same, valid or [top, bottom, left, right]"},
      {"bad activation", "  - name: a\n    op: conv\n    out_channels: 8\n    activation: tanh\n",
       ":9:", "unknown activation 'tanh'"},
      {"shape error", "  - name: a\n    op: conv\n    out_channels: 8\n  - name: b\n    op: conv\n    out_channels: 8\n    groups: 3\n",
       ":9:", "groups 3 does not divide"},
      {"duplicate", "  - name: x\n    op: add\n    inputs: [x, x]\n", ":6:", "duplicate name 'x'"},
      {"syntax", "  - name: a\n    op: [conv\n", ":", "YAML syntax error"},
  };
  for (const auto& c : cases) {
    const std::string msg = load_error("bad_net.yaml", kHead + c.layers);
    SCOPED_TRACE(c.label);
    EXPECT_NE(msg.find("bad_net.yaml" + c.line), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.words), std::string::npos) << msg;
  }
}

TEST(YamlIo, TopLevelErrors) {
  EXPECT_NE(load_error("top.yaml", "name: t\nlayers: []\n").find("missing key 'inputs'"),
            std::string::npos);
  EXPECT_NE(load_error("top.yaml", std::string(kHead) + "  - name: a\n    op: add\n    inputs: [x, x]\nextra: 1\n")
                .find("top.yaml:9:1: unknown key 'extra'"),
            std::string::npos);
  EXPECT_NE(load_error("top.yaml", "name: t\ninputs:\n  - name: x\n    shape: [1, 8, 8]\nlayers: []\n")
                .find("top.yaml:4:"),
            std::string::npos);
  try {
    load_network_yaml("/nonexistent/dir/net.yaml");
    FAIL();
  } catch (const WorkloadError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/net.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace apollo::workloads
