#!/usr/bin/python3
"""Writes the malformed-but-parseable ONNX models of the bad-input corpus
(tests/data/bad/cases.txt). Run with the system Python (/usr/bin/python3,
Debian python3-onnx). Byte-level bad files (empty, text, random, truncated)
are committed as they are."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv_model(name, x_shape, w_shape, extra_inputs=(), conv_inputs=None):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = numpy_helper.from_array(np.ones(w_shape, dtype=np.float32), "w")
    node = helper.make_node("Conv", conv_inputs or ["x", "w"], ["y"], name="conv0")
    graph = helper.make_graph([node], name, [x, *extra_inputs], [y], initializer=[w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


# batch dimension symbolic and no --input-shape given (a batch name: now set to 1)
save(conv_model("dynamic", ["N", 3, 8, 8], [4, 3, 3, 3]), "dynamic_dim.onnx")
# a dynamic dimension that is not a batch, and no --input-shape given
save(conv_model("dynamic_size", ["N", 3, "height", 8], [4, 3, 3, 3]), "dynamic_size.onnx")
# a zero-sized spatial dimension
save(conv_model("zero", [1, 3, 0, 8], [4, 3, 3, 3]), "zero_dim.onnx")
# weights for 5 input channels on a 3-channel input: shape inference fails
save(conv_model("mismatch", [1, 3, 8, 8], [4, 5, 3, 3]), "channel_mismatch.onnx")
# the conv reads a tensor nothing produces
save(conv_model("dangling", [1, 3, 8, 8], [4, 3, 3, 3], conv_inputs=["ghost", "w"]),
     "dangling_input.onnx")
# a model without a graph
empty = onnx.ModelProto()
empty.ir_version = 8
empty.opset_import.add().version = 13
save(empty, "no_graph.onnx")
# an If whose chosen branch has no output for the node's output
cond = numpy_helper.from_array(np.array(True), "cond")
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
empty_branch = helper.make_graph([], "then", [], [])
relu_branch = helper.make_graph([helper.make_node("Relu", ["x"], ["r"])], "else", [],
                                [helper.make_tensor_value_info("r", TensorProto.FLOAT, [1, 4])])
if_node = helper.make_node("If", ["cond"], ["y"], name="bad_if", then_branch=empty_branch, else_branch=relu_branch)
save(helper.make_model(helper.make_graph([if_node], "if_outputs", [x], [y], initializer=[cond]),
                       opset_imports=[helper.make_opsetid("", 13)]), "if_branch_outputs.onnx")
# a node whose work is not mapped (CumSum), for --strict
w = numpy_helper.from_array(np.ones([4, 3, 1, 1], dtype=np.float32), "w")
axis = numpy_helper.from_array(np.array(1, dtype=np.int64), "axis")
xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])
nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv0"),
         helper.make_node("CumSum", ["c", "axis"], ["y"], name="cumsum0")]
save(helper.make_model(helper.make_graph(nodes, "unmapped", [xi], [y], initializer=[w, axis]),
                       opset_imports=[helper.make_opsetid("", 13)]), "unmapped_op.onnx")
# a reduction over an axis the input does not have
rm = helper.make_node("ReduceMean", ["c"], ["y"], name="mean0", axes=[5])
save(helper.make_model(helper.make_graph([nodes[0], rm], "reduce_axis", [xi], [y], initializer=[w]),
                       opset_imports=[helper.make_opsetid("", 13)]), "reduce_axis.onnx")
# a Loop whose trip count is a graph input (known only at run time)
trip = helper.make_tensor_value_info("trip", TensorProto.INT64, [])
xl = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
yl = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
body = helper.make_graph(
    [helper.make_node("Identity", ["c"], ["c2"]), helper.make_node("Relu", ["h"], ["h2"])], "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("c", TensorProto.BOOL, []),
     helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info("c2", TensorProto.BOOL, []),
     helper.make_tensor_value_info("h2", TensorProto.FLOAT, [1, 4])])
loop = helper.make_node("Loop", ["trip", "", "x"], ["y"], name="loop0", body=body)
save(helper.make_model(helper.make_graph([loop], "loop_dynamic", [trip, xl], [yl]),
                       opset_imports=[helper.make_opsetid("", 13)]), "loop_dynamic.onnx")
