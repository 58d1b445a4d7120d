// MobileNet-family networks from the published block tables (TF-Slim
// mobilenet_v2.py, mobilenet_v3.py, tensorflow/tpu efficientnet/edgetpu). Every conv carries
// its folded batch norm; the classifier is a fully connected layer.
#include <string>

#include "workloads/zoo_builder.hpp"

namespace apollo::workloads::zoo {
namespace {

using A = Activation;

struct BlockSpec {
  int64_t expanded;  // channels after the 1x1 expansion (== input: no expansion)
  int64_t out;
  int k;
  int stride;
  bool se = false;
  A act = A::Relu6;
  bool allow_residual = true;
};

// Inverted residual: [1x1 expand] -> kxk depthwise -> [squeeze-excite] ->
// 1x1 linear projection -> [residual add when stride 1 and widths match].
TensorRef inverted_residual(NetBuilder& b, const std::string& p, TensorRef x, const BlockSpec& s) {
  const int64_t in_c = b.channels(x);
  TensorRef h = x;
  if (s.expanded != in_c) h = b.conv(p + "/expand", x, {.out = s.expanded, .act = s.act});
  h = b.conv(p + "/depthwise", h,
             {.out = s.expanded, .k = s.k, .stride = s.stride, .groups = 0, .act = s.act});
  if (s.se) {
    // SE branch: global pool -> 1x1 reduce (ReLU) -> 1x1 expand (hard
    // sigmoid) -> channel-wise gate of the block tensor. No BN in the branch.
    TensorRef sq = b.global_pool(p + "/se_pool", h);
    TensorRef r = b.conv(p + "/se_reduce", sq,
                         {.out = make_divisible(double(s.expanded) / 4), .act = A::Relu,
                          .batch_norm = false});
    TensorRef g = b.conv(p + "/se_expand", r,
                         {.out = s.expanded, .act = A::HardSigmoid, .batch_norm = false});
    h = b.mul(p + "/se_gate", h, g);
  }
  TensorRef out = b.conv(p + "/project", h, {.out = s.out});
  if (s.allow_residual && s.stride == 1 && in_c == s.out) out = b.add(p + "/add", {out, x});
  return out;
}

// Fused inverted residual (EdgeTPU): a full kxk conv expands, then a 1x1
// projects. `stride_on_project` selects where the stride sits (MobileNet-
// EdgeTPU: on the kxk; EfficientNet-EdgeTPU: on the 1x1).
TensorRef fused_block(NetBuilder& b, const std::string& p, TensorRef x, int64_t expanded,
                      int64_t out, int k, int stride, bool stride_on_project, bool allow_residual,
                      A act = A::Relu) {
  const int64_t in_c = b.channels(x);
  TensorRef h = x;
  if (expanded != in_c) {
    h = b.conv(p + "/fused_expand", x,
               {.out = expanded, .k = k, .stride = stride_on_project ? 1 : stride, .act = act});
  }
  TensorRef o = b.conv(p + "/project", h, {.out = out, .stride = stride_on_project ? stride : 1});
  if (allow_residual && stride == 1 && in_c == out) o = b.add(p + "/add", {o, x});
  return o;
}

TensorRef classifier(NetBuilder& b, TensorRef x, int64_t head, int64_t classes, A act) {
  TensorRef h = b.conv("head/conv", x, {.out = head, .act = act});
  h = b.global_pool("head/pool", h);
  return b.fc("logits", h, classes);
}

std::string block_name(int i) { return "block" + std::to_string(i); }

}  // namespace

Network mobilenet_v2() {
  NetBuilder b("mobilenet_v2", "MobileNetV2 1.0, 224x224 (TF-Slim), inverted residuals, ReLU6");
  TensorRef x = b.input("image", {1, 224, 224, 3});
  x = b.conv("stem", x, {.out = 32, .k = 3, .stride = 2, .act = A::Relu6});
  struct Stage { int t; int64_t c; int n; int s; };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int i = 0;
  for (const Stage& st : stages) {
    for (int r = 0; r < st.n; ++r) {
      const int64_t expanded = make_divisible(double(b.channels(x)) * st.t);
      x = inverted_residual(b, block_name(i++), x,
                            {.expanded = expanded, .out = st.c, .k = 3, .stride = r ? 1 : st.s});
    }
  }
  classifier(b, x, 1280, 1001, A::Relu6);
  return b.finish();
}

Network mobilenet_edgetpu() {
  NetBuilder b("mobilenet_edgetpu",
               "MobileNetEdgeTPU 1.0, 224x224: fused-conv early stages, ReLU, no SE");
  TensorRef x = b.input("image", {1, 224, 224, 3});
  x = b.conv("stem", x, {.out = 32, .k = 3, .stride = 2, .act = A::Relu});
  int i = 0;
  auto fused = [&](int64_t e, int64_t out, int stride) {
    const int64_t expanded = e == 1 ? b.channels(x) : b.channels(x) * e;
    x = fused_block(b, block_name(i++), x, expanded, out, 3, stride, false, true);
  };
  auto dw = [&](int64_t e, int64_t out, int k, int stride, bool residual = true) {
    x = inverted_residual(b, block_name(i++), x,
                          {.expanded = b.channels(x) * e, .out = out, .k = k, .stride = stride,
                           .act = A::Relu, .allow_residual = residual});
  };
  fused(1, 16, 1);
  fused(8, 32, 2);
  for (int r = 0; r < 3; ++r) fused(4, 32, 1);
  fused(8, 48, 2);
  for (int r = 0; r < 3; ++r) fused(4, 48, 1);
  dw(8, 96, 3, 2);
  for (int r = 0; r < 3; ++r) dw(4, 96, 3, 1);
  dw(8, 96, 3, 1, false);
  for (int r = 0; r < 3; ++r) dw(4, 96, 3, 1);
  dw(8, 160, 5, 2);
  for (int r = 0; r < 3; ++r) dw(4, 160, 5, 1);
  dw(8, 192, 3, 1);
  classifier(b, x, 1280, 1001, A::Relu);
  return b.finish();
}

namespace {

struct V3Block {
  double expansion;  // of the block's input channels, rounded by make_divisible
  int64_t out;
  int k;
  int stride;
  bool se;
  A act;
};

TensorRef v3_block(NetBuilder& b, const std::string& p, TensorRef x, const V3Block& s) {
  const int64_t expanded = make_divisible(double(b.channels(x)) * s.expansion);
  return inverted_residual(
      b, p, x,
      {.expanded = expanded, .out = s.out, .k = s.k, .stride = s.stride, .se = s.se, .act = s.act});
}

// MobileNetV3 head: 1x1 conv (BN) -> pool -> 1x1 conv without BN -> FC.
void v3_head(NetBuilder& b, TensorRef x, int64_t c1, int64_t c2) {
  TensorRef h = b.conv("head/conv", x, {.out = c1, .act = A::HardSwish});
  h = b.global_pool("head/pool", h);
  h = b.conv("head/conv_nobn", h, {.out = c2, .act = A::HardSwish, .batch_norm = false});
  b.fc("logits", h, 1001);
}

}  // namespace

Network mobilenet_v3_large() {
  NetBuilder b("mobilenet_v3_large",
               "MobileNetV3-Large 1.0, 224x224: squeeze-excite, hard-swish");
  TensorRef x = b.input("image", {1, 224, 224, 3});
  x = b.conv("stem", x, {.out = 16, .k = 3, .stride = 2, .act = A::HardSwish});
  const A R = A::Relu, H = A::HardSwish;
  // expansion / out / kernel / stride / SE / activation (TF-Slim V3_LARGE)
  const V3Block blocks[] = {
      {1, 16, 3, 1, false, R},    {4, 24, 3, 2, false, R},    {3, 24, 3, 1, false, R},
      {3, 40, 5, 2, true, R},     {3, 40, 5, 1, true, R},     {3, 40, 5, 1, true, R},
      {6, 80, 3, 2, false, H},    {2.5, 80, 3, 1, false, H},  {184.0 / 80, 80, 3, 1, false, H},
      {184.0 / 80, 80, 3, 1, false, H},  {6, 112, 3, 1, true, H},    {6, 112, 3, 1, true, H},
      {6, 160, 5, 2, true, H},    {6, 160, 5, 1, true, H},    {6, 160, 5, 1, true, H}};
  int i = 0;
  for (const V3Block& s : blocks) x = v3_block(b, block_name(i++), x, s);
  v3_head(b, x, 960, 1280);
  return b.finish();
}

Network mobilenet_v3_small() {
  NetBuilder b("mobilenet_v3_small",
               "MobileNetV3-Small 1.0, 224x224: squeeze-excite, hard-swish");
  TensorRef x = b.input("image", {1, 224, 224, 3});
  x = b.conv("stem", x, {.out = 16, .k = 3, .stride = 2, .act = A::HardSwish});
  const A R = A::Relu, H = A::HardSwish;
  // expansion / out / kernel / stride / SE / activation (TF-Slim V3_SMALL);
  // 4.5 and 88/24 give the published 72 and 88 expanded widths.
  const V3Block blocks[] = {
      {1, 16, 3, 2, true, R},    {4.5, 24, 3, 2, false, R},  {88.0 / 24, 24, 3, 1, false, R},
      {4, 40, 5, 2, true, H},    {6, 40, 5, 1, true, H},     {6, 40, 5, 1, true, H},
      {3, 48, 5, 1, true, H},    {3, 48, 5, 1, true, H},     {6, 96, 5, 2, true, H},
      {6, 96, 5, 1, true, H},    {6, 96, 5, 1, true, H}};
  int i = 0;
  for (const V3Block& s : blocks) x = v3_block(b, block_name(i++), x, s);
  v3_head(b, x, 576, 1024);
  return b.finish();
}

Network efficientnet_edgetpu_s() {
  NetBuilder b("efficientnet_edgetpu_s",
               "EfficientNet-EdgeTPU-S, 224x224: fused MBConv early, ReLU, no SE");
  TensorRef x = b.input("image", {1, 224, 224, 3});
  x = b.conv("stem", x, {.out = 32, .k = 3, .stride = 2, .act = A::Relu});
  // Block strings rN_kK_sSS_eE_iI_oO[_c1][_noskip]. The expansion width is
  // the declared input filters times e (for the first block the declared 24
  // differs from the stem's 32 channels, as in the reference code).
  struct Row { int r, k, s, e; int64_t i, o; bool fused, noskip; };
  const Row rows[] = {{1, 3, 1, 4, 24, 24, true, true},    {2, 3, 2, 8, 24, 32, true, false},
                      {4, 3, 2, 8, 32, 48, true, false},   {5, 5, 2, 8, 48, 96, false, false},
                      {4, 5, 1, 8, 96, 144, false, false}, {2, 5, 2, 8, 144, 192, false, false}};
  int i = 0;
  for (const Row& row : rows) {
    for (int rep = 0; rep < row.r; ++rep) {
      const int64_t declared_in = rep ? row.o : row.i;
      const int64_t expanded = declared_in * row.e;
      const int stride = rep ? 1 : row.s;
      if (row.fused) {
        x = fused_block(b, block_name(i++), x, expanded, row.o, row.k, stride, true, !row.noskip);
      } else {
        x = inverted_residual(b, block_name(i++), x,
                              {.expanded = expanded, .out = row.o, .k = row.k, .stride = stride,
                               .act = A::Relu, .allow_residual = !row.noskip});
      }
    }
  }
  classifier(b, x, 1280, 1001, A::Relu);
  return b.finish();
}

}  // namespace apollo::workloads::zoo
