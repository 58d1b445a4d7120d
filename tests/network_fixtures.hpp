// Small networks and independent counts shared by the tests of several
// folders (compiler, simulator, CLI).
#pragma once

#include <cstdint>
#include <string>

#include "workloads/graph.hpp"

namespace apollo::testing {

// A network of one layer reading one graph input of shape `input`.
inline workloads::Network single_layer_network(const std::string& name, workloads::Shape input,
                                               workloads::Layer layer) {
  workloads::Network n;
  n.name = name;
  n.inputs.push_back({"x", input});
  layer.name = name;
  layer.inputs = {workloads::graph_input_ref(0)};
  n.layers.push_back(layer);
  n.infer_shapes();
  return n;
}

// Parameter-memory bytes of a layer, counted from its attributes: its
// weights at `data_bytes`, except a conv's or FC's biases (one per output
// channel), which are int32 (`bias_bytes`).
inline int64_t parameter_bytes(const workloads::Layer& l, int data_bytes, int bias_bytes) {
  const bool has_bias = l.bias && (l.op == workloads::OpType::Conv || l.op == workloads::OpType::FullyConnected);
  const int64_t biases = has_bias ? l.out_channels : 0;
  return (l.weights() - biases) * data_bytes + biases * bias_bytes;
}

}  // namespace apollo::testing
