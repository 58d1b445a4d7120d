// Internal helper for writing the zoo networks as explicit graphs: each
// call appends one layer and returns its tensor, so residual and branch
// edges read like the published block diagrams.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/graph.hpp"

namespace apollo::workloads::zoo {

struct ConvSpec {
  int64_t out = 0;
  int k = 1;
  int stride = 1;
  int groups = 1;  // 0 = depthwise (groups = input channels)
  Activation act = Activation::None;
  bool batch_norm = true;  // folded into the conv (no bias counted); false: own bias
  Padding padding = Padding::Same;
  bool one_dimensional = false;  // a 1-D conv over W (H = 1): kernel 1 x k, stride 1 x stride
};

class NetBuilder {
 public:
  NetBuilder(std::string name, std::string description);

  TensorRef input(const std::string& name, Shape shape);
  TensorRef conv(const std::string& name, TensorRef x, const ConvSpec& spec);
  TensorRef conv_transpose(const std::string& name, TensorRef x, const ConvSpec& spec);
  TensorRef fc(const std::string& name, TensorRef x, int64_t out,
               Activation act = Activation::None, bool bias = true);
  TensorRef matmul(const std::string& name, TensorRef a, TensorRef b, int64_t batch, int64_t m,
                   int64_t k, int64_t n, Activation act = Activation::None);
  TensorRef max_pool(const std::string& name, TensorRef x, int k, int stride);
  TensorRef global_pool(const std::string& name, TensorRef x);
  TensorRef add(const std::string& name, std::vector<TensorRef> xs,
                Activation act = Activation::None);
  TensorRef mul(const std::string& name, TensorRef x, TensorRef gate);
  TensorRef concat(const std::string& name, std::vector<TensorRef> xs);
  TensorRef reshape(const std::string& name, TensorRef x, Shape to);
  TensorRef copy(const std::string& name, TensorRef x, Shape to);  // data movement (a slice): no work

  // Shape of a tensor built so far (layers are inferred as they are added).
  const Shape& shape(TensorRef t) const;
  int64_t channels(TensorRef t) const { return shape(t).c; }

  Network finish();

 private:
  TensorRef push(Layer layer);
  Network net_;
};

// TF-Slim's _make_divisible: round to the nearest multiple of `divisor`,
// never dropping more than 10 %.
int64_t make_divisible(double v, int64_t divisor = 8);

// The networks (zoo_mobilenets.cpp, zoo_others.cpp).
Network mobilenet_v2();
Network mobilenet_edgetpu();
Network mobilenet_v3_large();
Network mobilenet_v3_small();
Network efficientnet_edgetpu_s();
Network resnet50_v1_5();
Network unet_edge();
Network transformer_encoder();
Network whisper_tiny_encoder();

}  // namespace apollo::workloads::zoo
