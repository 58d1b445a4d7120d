#!/usr/bin/env python3
"""Reference MAC and weight counts of ONNX models, independent of Apollo.

Reads each model with the `onnx` Python package (Debian: python3-onnx), fixes
the input shapes given, runs ONNX's own shape inference and counts, per node:

  Conv           MACs = output elements x kernel elements x input channels / group
  ConvTranspose  MACs = input elements x kernel elements x output channels / group
  Gemm           MACs = M x N x K
  MatMul         MACs = output elements x K (batch dimensions broadcast)
  LSTM / GRU     MACs = directions x steps x gates x hidden x (input + hidden)
  weights        the constant operands of those nodes (kernels, matrices, biases)

An If whose condition is not a constant counts its branch with more MACs
(the worst case), as Apollo does. Shape subgraphs that ONNX's inference
cannot propagate (Paddle2ONNX's Shape -> Cast -> Slice -> Concat -> Reshape)
are evaluated with numpy and written back as initializers until it can. Everything else counts no MACs. This is
the convention of Apollo's README (Workloads: counting conventions); the
numbers are meant to be compared with `apollo workloads import`, never
produced by it.

usage: onnx_reference_counts.py MODEL.onnx [NAME=1x3x224x224 ...]
       onnx_reference_counts.py --manifest tests/data/onnx/corpus.json CACHE
         (recompute the manifest's numbers from the models in
          CACHE/<package>/, as scripts/fetch_models.sh fills it; exit 1 if
          one differs)
"""
import json
import math
import os
import sys

import numpy as np
import onnx
import onnx.mapping
from onnx import numpy_helper, shape_inference


def prod(xs):
    return math.prod(int(x) for x in xs)


def fix_inputs(model, shapes):
    inits = {t.name for t in model.graph.initializer}
    for inp in model.graph.input:
        if inp.name in inits:
            continue
        dims = inp.type.tensor_type.shape.dim
        if inp.name in shapes:
            want = shapes[inp.name]
            assert len(want) == len(dims), f"{inp.name}: rank {len(dims)}, given {want}"
            for d, v in zip(dims, want):
                d.Clear()
                d.dim_value = v
        for i, d in enumerate(dims):
            if not d.HasField("dim_value"):
                name = d.dim_param.lower()
                if name in ("batch", "batch_size", "batchsize", "n") or (i == 0 and name.startswith("unk__")):
                    d.Clear()
                    d.dim_value = 1
                else:
                    raise SystemExit(f"{inp.name}: dynamic dimension {i} '{d.dim_param}' needs a value")


def collect(graph, shapes, consts):
    for t in graph.initializer:
        shapes[t.name] = list(t.dims)
        consts[t.name] = t
    for v in list(graph.input) + list(graph.value_info) + list(graph.output):
        tt = v.type.tensor_type
        if tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim):
            shapes[v.name] = [d.dim_value for d in tt.shape.dim]
    for n in graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = a.t
                    shapes[n.output[0]] = list(a.t.dims)
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                collect(a.g, shapes, consts)


def attr(n, name, default=None):
    for a in n.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def count_graph(graph, shapes, consts):
    macs = weights = 0
    def const_size(name):
        return prod(consts[name].dims) if name in consts else 0
    for n in graph.node:
        op = n.op_type
        if op == "Conv":
            w = shapes[n.input[1]]
            out = shapes[n.output[0]]
            macs += prod(out) * prod(w[2:]) * w[1]  # w[1] = input channels / group
            weights += sum(const_size(i) for i in n.input[1:] if i)
        elif op == "ConvTranspose":
            w = shapes[n.input[1]]  # [Cin, Cout/group, k...]
            macs += prod(shapes[n.input[0]]) * prod(w[2:]) * w[1]
            weights += sum(const_size(i) for i in n.input[1:] if i)
        elif op == "Gemm":
            a, b = shapes[n.input[0]], shapes[n.input[1]]
            m, k = (a[1], a[0]) if attr(n, "transA", 0) else (a[0], a[1])
            cols = b[0] if attr(n, "transB", 0) else b[1]
            macs += m * k * cols
            weights += sum(const_size(i) for i in n.input[:3] if i)
        elif op == "MatMul":
            a = shapes[n.input[0]]
            k = a[-1]
            macs += prod(shapes[n.output[0]]) * k
            weights += sum(const_size(i) for i in n.input[:2] if i)
        elif op in ("LSTM", "GRU", "RNN"):
            x = shapes[n.input[0]]  # [T, B, I]
            w = shapes[n.input[1]]  # [dirs, gates*H, I]
            r = shapes[n.input[2]]  # [dirs, gates*H, H]
            steps, batch = x[0], x[1]
            macs += steps * batch * (prod(w) + prod(r))
            weights += sum(const_size(i) for i in n.input[1:4] if i)
        elif op == "If":
            then_g, else_g = attr(n, "then_branch"), attr(n, "else_branch")
            cond = n.input[0]
            if cond in consts:
                taken = then_g if numpy_helper.to_array(consts[cond]).item() else else_g
                m, w = count_graph(taken, shapes, consts)
            else:
                m, w = max(count_graph(then_g, shapes, consts), count_graph(else_g, shapes, consts))
            macs += m
            weights += w
        elif op == "Loop":
            raise SystemExit(f"node {n.name}: Loop is not counted by this script")
    return macs, weights


def evaluate(n, vals, shapes):
    """numpy value of a shape-computation node, or None."""
    op = n.op_type
    x = [vals.get(i) if i else None for i in n.input]
    a = lambda k: np.asarray(x[k])
    if op == "Shape":
        return np.array(shapes[n.input[0]], dtype=np.int64) if n.input[0] in shapes else None
    if any(v is None for i, v in zip(n.input, x) if i):
        return None
    if op == "Identity":
        return a(0)
    if op == "Cast":
        return a(0).astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attr(n, "to")])
    if op == "Gather":
        return np.take(a(0), a(1), axis=attr(n, "axis", 0))
    if op == "Concat":
        return np.concatenate([np.atleast_1d(v) for v in x], axis=attr(n, "axis", 0))
    if op == "Unsqueeze":
        axes = attr(n, "axes") if attr(n, "axes") is not None else list(a(1))
        return np.expand_dims(a(0), tuple(int(v) for v in axes))
    if op == "Squeeze":
        axes = attr(n, "axes") if attr(n, "axes") is not None else (list(a(1)) if len(x) > 1 else None)
        return np.squeeze(a(0), axis=None if axes is None else tuple(int(v) for v in axes))
    if op == "Slice":
        if attr(n, "starts") is not None:
            starts, ends, axes, steps = attr(n, "starts"), attr(n, "ends"), attr(n, "axes"), None
        else:
            starts, ends = list(a(1)), list(a(2))
            axes = list(a(3)) if len(x) > 3 and x[3] is not None else None
            steps = list(a(4)) if len(x) > 4 and x[4] is not None else None
        data = a(0)
        axes = axes if axes is not None else list(range(len(starts)))
        steps = steps if steps is not None else [1] * len(starts)
        index = [slice(None)] * data.ndim
        for st, en, ax, sp in zip(starts, ends, axes, steps):
            index[int(ax)] = slice(int(st), int(en), int(sp))
        return data[tuple(index)]
    binary = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Equal": np.equal,
              "Less": np.less, "Greater": np.greater, "Max": np.maximum, "Min": np.minimum}
    if op in binary:
        return binary[op](a(0), a(1))
    if op == "Div":
        return (a(0) // a(1)) if np.issubdtype(a(0).dtype, np.integer) else a(0) / a(1)
    if op == "Reshape":
        return a(0).reshape([int(v) for v in a(1)])
    if op == "Range":
        return np.arange(a(0), a(1), a(2))
    if op == "ConstantOfShape":
        t = attr(n, "value")
        fill = numpy_helper.to_array(t) if t is not None else np.zeros(1, np.float32)
        return np.full([int(v) for v in a(0)], fill.flatten()[0], dtype=fill.dtype)
    if op == "Where":
        return np.where(a(0), a(1), a(2))
    return None


def fold_shapes(model):
    """Evaluates shape subgraphs with numpy and writes the values of those
    feeding a node whose output shape ONNX could not infer as initializers;
    True if anything was written."""
    g = model.graph
    shapes, consts = {}, {}
    collect(g, shapes, consts)
    vals = {name: numpy_helper.to_array(t) for name, t in consts.items()}
    inits = {t.name for t in g.initializer}
    changed = False
    for n in g.node:
        if n.output and n.output[0] not in shapes:
            for k, i in enumerate(n.input):
                if i and i not in inits and i in vals and vals[i].size <= 4096:
                    name = "reference.folded/" + i
                    if name not in inits:
                        g.initializer.append(numpy_helper.from_array(np.asarray(vals[i]), name))
                        inits.add(name)
                    n.input[k] = name
                    changed = True
        if len(n.output) == 1 and n.op_type != "Constant":
            try:
                v = evaluate(n, vals, shapes)
            except (ValueError, IndexError, TypeError):
                v = None
            if v is not None and np.asarray(v).size <= 4096:
                vals[n.output[0]] = np.asarray(v)
    return changed


def counts(path, input_shapes):
    model = onnx.load(path)
    fix_inputs(model, input_shapes)
    for _ in range(64):
        model = shape_inference.infer_shapes(model, check_type=False, strict_mode=False, data_prop=True)
        if not fold_shapes(model):
            break
    shapes, consts = {}, {}
    collect(model.graph, shapes, consts)
    return count_graph(model.graph, shapes, consts)


def parse_shapes(specs):
    out = {}
    for s in specs:
        name, dims = s.rsplit("=", 1)
        out[name] = [int(d) for d in dims.split("x")]
    return out


def main(argv):
    if len(argv) >= 3 and argv[0] == "--manifest":
        with open(argv[1]) as f:
            manifest = json.load(f)
        # Recomputes every model's expected counts; exit 1 if one differs
        # from the manifest (the manifest's numbers are this script's).
        status = 0
        for m in manifest["models"]:
            if "macs" not in m:
                print(f"{m['file']}: no reference ({m.get('exception', 'not counted')})")
                continue
            path = os.path.join(argv[2], m["package"], m["file"])
            macs, weights = counts(path, parse_shapes(m.get("input_shapes", [])))
            ok = macs == m["macs"] and weights == m["weights"]
            status |= not ok
            print(f"{m['file']}: macs {macs} weights {weights} " + ("ok" if ok else
                  f"DIFFERS from the manifest (macs {m['macs']} weights {m['weights']})"))
        return status
    if not argv:
        print(__doc__)
        return 2
    macs, weights = counts(argv[0], parse_shapes(argv[1:]))
    print(json.dumps({"file": argv[0], "macs": macs, "weights": weights}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
