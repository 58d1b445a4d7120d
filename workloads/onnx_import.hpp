// ONNX -> layer-graph IR. Shapes come from ONNX's own shape inference
// (onnx::shape_inference::InferShapes, with data propagation), after every
// dynamic input dimension has been fixed from ImportOptions::input_shapes.
//
// Mapping (NCHW tensors become NHWC; [B,S,D] sequences become {B,1,S,D}):
//   Conv (groups -> grouped / depthwise; also QLinearConv, ConvInteger),
//   ConvTranspose, Gemm / MatMul (also QLinearMatMul, MatMulInteger) with a
//   constant operand -> FullyConnected, MatMul of two activations -> MatMul,
//   MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool / ReduceMean
//   over H,W -> Pool, Add / Sub / Sum -> Add, Mul / Div -> Mul, Concat,
//   Resize / Upsample (integer scale) -> Resize.
//   Folded into the producing layer: BatchNormalization and other
//   normalizations, activations (Relu, Clip, HardSigmoid, Sigmoid,
//   HardSwish, x*sigmoid(x), Softmax, Gelu, ...), element-wise ops with a
//   constant operand (bias or scale), and Pad in front of Conv / pooling.
//   Skipped (no work): nodes computing only constants or shapes, and views
//   (Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Identity, Dropout,
//   Cast, DepthToSpace, SpaceToDepth, QuantizeLinear, DequantizeLinear);
//   when a consumer needs a different
//   NHWC view, a zero-work IR Reshape layer is inserted.
//   Anything else is NOT mapped: it is counted in report.unmapped and
//   warned about; its output passes its input through when the element
//   count is unchanged, otherwise it becomes a new network input.
#pragma once

#include <string>

#include "workloads/import.hpp"

namespace apollo::workloads {

// Throws WorkloadError naming the file (and node) for unreadable or invalid
// models, dynamic dimensions without a value, and shapes ONNX cannot infer.
ImportResult import_onnx(const std::string& path, const ImportOptions& options = {});

}  // namespace apollo::workloads
