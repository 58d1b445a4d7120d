// ResNet-50 v1.5, an edge-sized U-Net and a small transformer encoder.
#include <string>

#include "workloads/zoo_builder.hpp"

namespace apollo::workloads::zoo {
namespace {
using A = Activation;
}  // namespace

Network resnet50_v1_5() {
  NetBuilder b("resnet50_v1_5", "ResNet-50 v1.5, 224x224: bottlenecks, stride in the 3x3");
  TensorRef x = b.input("image", {1, 224, 224, 3});
  x = b.conv("stem", x, {.out = 64, .k = 7, .stride = 2, .act = A::Relu});
  x = b.max_pool("stem/pool", x, 3, 2);
  const int blocks[] = {3, 4, 6, 3};
  int64_t width = 64;
  for (int stage = 0; stage < 4; ++stage, width *= 2) {
    for (int i = 0; i < blocks[stage]; ++i) {
      const std::string p = "stage" + std::to_string(stage + 1) + "/block" + std::to_string(i);
      const int stride = (i == 0 && stage > 0) ? 2 : 1;  // v1.5: stride on the 3x3
      TensorRef h = b.conv(p + "/conv1", x, {.out = width, .act = A::Relu});
      h = b.conv(p + "/conv2", h, {.out = width, .k = 3, .stride = stride, .act = A::Relu});
      h = b.conv(p + "/conv3", h, {.out = 4 * width});
      TensorRef shortcut = x;
      if (i == 0) shortcut = b.conv(p + "/shortcut", x, {.out = 4 * width, .stride = stride});
      x = b.add(p + "/add", {h, shortcut}, A::Relu);
    }
  }
  x = b.global_pool("pool", x);
  b.fc("logits", x, 1000);
  return b.finish();
}

// U-Net sized for an edge device: 128x128 RGB in, 4 encoder levels of two
// 3x3 convs (16, 32, 64, 128 channels) each followed by a 2x2 max pool, a
// 256-channel bottleneck at 8x8, and 4 decoder levels: 2x2 stride-2
// transposed conv halving the channels, concat with the skip, two 3x3 convs.
// A 1x1 conv gives 2 class logits per pixel.
Network unet_edge() {
  NetBuilder b("unet_edge",
               "U-Net for edge segmentation, 128x128x3, 4 levels (16-128 ch), ConvTranspose up");
  TensorRef x = b.input("image", {1, 128, 128, 3});
  auto double_conv = [&](const std::string& p, TensorRef t, int64_t c) {
    t = b.conv(p + "/conv1", t, {.out = c, .k = 3, .act = A::Relu});
    return b.conv(p + "/conv2", t, {.out = c, .k = 3, .act = A::Relu});
  };
  std::vector<TensorRef> skips;
  int64_t c = 16;
  for (int level = 1; level <= 4; ++level, c *= 2) {
    const std::string p = "enc" + std::to_string(level);
    x = double_conv(p, x, c);
    skips.push_back(x);
    x = b.max_pool(p + "/pool", x, 2, 2);
  }
  x = double_conv("bottleneck", x, c);  // c == 256
  for (int level = 4; level >= 1; --level) {
    c /= 2;
    const std::string p = "dec" + std::to_string(level);
    TensorRef up = b.conv_transpose(p + "/up", x, {.out = c, .k = 2, .stride = 2, .act = A::Relu});
    TensorRef cat = b.concat(p + "/concat", {up, skips[level - 1]});
    x = double_conv(p, cat, c);
  }
  b.conv("logits", x, {.out = 2, .batch_norm = false});
  return b.finish();
}

// Transformer encoder: 4 post-norm layers, hidden 256, 4 heads of 64,
// FFN 1024, 128 tokens (H = 1, W = tokens, C = width). Q/K/V/output and the
// FFN are fully connected layers; attention scores and context are MatMuls
// over per-head views (Reshape). Softmax and GELU are folded activations;
// layer norms are folded like batch norm (no parameters counted).
Network transformer_encoder() {
  constexpr int64_t kTokens = 128, kHidden = 256, kHeads = 4, kFfn = 1024;
  constexpr int64_t kHeadDim = kHidden / kHeads;
  NetBuilder b("transformer_encoder",
               "Transformer encoder: 4 layers, hidden 256, 4 heads, FFN 1024, 128 tokens");
  TensorRef x = b.input("tokens", {1, 1, kTokens, kHidden});
  const Shape heads{1, kHeads, kTokens, kHeadDim};
  for (int layer = 0; layer < 4; ++layer) {
    const std::string p = "layer" + std::to_string(layer);
    TensorRef q = b.reshape(p + "/q_heads", b.fc(p + "/q", x, kHidden), heads);
    TensorRef k = b.reshape(p + "/k_heads", b.fc(p + "/k", x, kHidden), heads);
    TensorRef v = b.reshape(p + "/v_heads", b.fc(p + "/v", x, kHidden), heads);
    // scores[h] = Q[h] K[h]^T (the 1/sqrt(d) scale and softmax are folded).
    TensorRef s = b.matmul(p + "/scores", q, k, kHeads, kTokens, kHeadDim, kTokens, A::Softmax);
    TensorRef ctx = b.matmul(p + "/context", s, v, kHeads, kTokens, kTokens, kHeadDim);
    ctx = b.reshape(p + "/merge_heads", ctx, {1, 1, kTokens, kHidden});
    TensorRef attn = b.fc(p + "/out", ctx, kHidden);
    x = b.add(p + "/attn_add", {attn, x});
    TensorRef f = b.fc(p + "/ffn1", x, kFfn, A::Gelu);
    f = b.fc(p + "/ffn2", f, kHidden);
    x = b.add(p + "/ffn_add", {f, x});
  }
  return b.finish();
}

}  // namespace apollo::workloads::zoo
