#!/usr/bin/env python3
"""Writes the ONNX models in this folder with the official onnx Python helper
(Debian: python3-onnx), independently of Apollo's C++ code, and checks them
with onnx.checker. Run with the system Python: /usr/bin/python3 make_models.py

tiny_resnet.onnx: a residual network exported the way PyTorch does it
(dynamic batch "N", Conv + BatchNormalization + Relu, residual Adds, a
strided block with a 1x1 projection, GlobalAveragePool, flatten through
Shape/Gather/Unsqueeze/Concat/Reshape, Gemm with transB). Hand counts for a
1x3x16x16 input, in tests/workloads/test_onnx_import.cpp:
  MACs    = 16*16*8*27 + 2*16*16*8*72 + 8*8*16*72 + 8*8*16*144 + 8*8*16*8 + 16*10 = 579,744
  weights = 216 + 2*576 + 1152 + 2304 + 128 + 170 = 5,122
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def tiny_resnet():
    nodes, inits = [], []
    rng = np.random.default_rng(7)

    def weight(name, shape):
        inits.append(numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.1, name))
        return name

    def conv_bn(name, x, cin, cout, k, stride, relu):
        w = weight(name + ".weight", (cout, cin, k, k))
        p = k // 2
        nodes.append(helper.make_node("Conv", [x, w], [name + ".out"], name=name,
                                      kernel_shape=[k, k], pads=[p, p, p, p], strides=[stride, stride]))
        bn = [weight(name + ".bn." + s, (cout,)) for s in ("scale", "bias", "mean")]
        inits.append(numpy_helper.from_array(np.ones(cout, np.float32), name + ".bn.var"))
        nodes.append(helper.make_node("BatchNormalization", [name + ".out"] + bn + [name + ".bn.var"],
                                      [name + ".bn.out"], name=name + ".bn"))
        if not relu:
            return name + ".bn.out"
        nodes.append(helper.make_node("Relu", [name + ".bn.out"], [name + ".relu"], name=name + ".relu"))
        return name + ".relu"

    stem = conv_bn("stem", "input", 3, 8, 3, 1, True)
    a = conv_bn("layer1.conv1", stem, 8, 8, 3, 1, True)
    a = conv_bn("layer1.conv2", a, 8, 8, 3, 1, False)
    nodes.append(helper.make_node("Add", [a, stem], ["layer1.sum"], name="layer1.add"))
    nodes.append(helper.make_node("Relu", ["layer1.sum"], ["layer1.out"], name="layer1.relu"))
    b = conv_bn("layer2.conv1", "layer1.out", 8, 16, 3, 2, True)
    b = conv_bn("layer2.conv2", b, 16, 16, 3, 1, False)
    d = conv_bn("layer2.downsample", "layer1.out", 8, 16, 1, 2, False)
    nodes.append(helper.make_node("Add", [b, d], ["layer2.sum"], name="layer2.add"))
    nodes.append(helper.make_node("Relu", ["layer2.sum"], ["layer2.out"], name="layer2.relu"))
    nodes.append(helper.make_node("GlobalAveragePool", ["layer2.out"], ["pool"], name="avgpool"))
    # torch.flatten(x, 1) as exported with a dynamic batch.
    inits.append(numpy_helper.from_array(np.array(0, np.int64), "zero"))
    inits.append(numpy_helper.from_array(np.array([0], np.int64), "axes0"))
    inits.append(numpy_helper.from_array(np.array([-1], np.int64), "minus_one"))
    nodes += [
        helper.make_node("Shape", ["pool"], ["pool.shape"], name="Shape_0"),
        helper.make_node("Gather", ["pool.shape", "zero"], ["batch"], name="Gather_1", axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"], name="Unsqueeze_2"),
        helper.make_node("Concat", ["batch1", "minus_one"], ["flat.shape"], name="Concat_3", axis=0),
        helper.make_node("Reshape", ["pool", "flat.shape"], ["flat"], name="Reshape_4"),
    ]
    nodes.append(helper.make_node("Gemm", ["flat", weight("fc.weight", (10, 16)), weight("fc.bias", (10,))],
                                  ["logits"], name="fc", transB=1))
    graph = helper.make_graph(
        nodes, "tiny_resnet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, producer_name="make_models.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(HERE, "tiny_resnet.onnx"))


if __name__ == "__main__":
    tiny_resnet()
