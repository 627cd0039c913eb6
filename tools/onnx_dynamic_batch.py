#!/usr/bin/python3
"""Rewrites an ONNX detector whose batch dimension is fixed at 1 into one with a dynamic batch.

Usage: /usr/bin/python3 tools/onnx_dynamic_batch.py IN.onnx OUT.onnx [--batch N]

Used on the bundled NanoDet model (converted from TensorFlow.js with a batch of 1) to get a real
model whose batch dimension is dynamic, so that batched tile inference can be tested and measured
with the same weights. The weights and every computation stay as they are; only what pins the
batch to 1 changes:
  * the input's and outputs' first dimension becomes the symbolic "batch" (or the fixed N given
    with --batch N, for a model that always takes N images);
  * Reshape targets [1, a, b, ...] become [-1, a, b, ...];
  * Resize with constant sizes [1, C, H, W] gets its sizes from the input's own shape (N, C)
    followed by the constant (H, W), so that each image of a batch is resized as before.
Anything else that fixes the batch (a constant with a leading 1 feeding an op not named above) is
refused with an error rather than guessed at. The result passes onnx.checker.
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def constants(graph):
    return {i.name: i for i in graph.initializer}


def set_batch(value_info, batch):
    dims = value_info.type.tensor_type.shape.dim
    if not dims:
        raise SystemExit(f"{value_info.name}: no shape")
    dims[0].Clear()
    if batch:
        dims[0].dim_value = batch
    else:
        dims[0].dim_param = "batch"


def rewrite(model, batch):
    graph = model.graph
    inits = constants(graph)
    new_nodes = []
    for node in graph.node:
        if node.op_type == "Reshape":
            shape = numpy_helper.to_array(inits[node.input[1]]).copy()
            if shape[0] != 1:
                raise SystemExit(f"Reshape {node.name}: target {shape.tolist()} has no batch of 1")
            shape[0] = -1
            name = node.input[1] + "_dynbatch"
            graph.initializer.append(numpy_helper.from_array(shape.astype(np.int64), name))
            node.input[1] = name
        elif node.op_type == "Resize" and len(node.input) == 4 and node.input[3] in inits:
            sizes = numpy_helper.to_array(inits[node.input[3]])
            if sizes.shape != (4,) or sizes[0] != 1:
                raise SystemExit(f"Resize {node.name}: sizes {sizes.tolist()} not [1, C, H, W]")
            base = node.input[3] + "_dynbatch"
            graph.initializer.extend([
                numpy_helper.from_array(np.array([0], np.int64), base + "_start"),
                numpy_helper.from_array(np.array([2], np.int64), base + "_end"),
                numpy_helper.from_array(sizes[2:].astype(np.int64), base + "_hw"),
            ])
            new_nodes += [
                helper.make_node("Shape", [node.input[0]], [base + "_shape"]),
                helper.make_node("Slice", [base + "_shape", base + "_start", base + "_end"],
                                 [base + "_nc"]),
                helper.make_node("Concat", [base + "_nc", base + "_hw"], [base], axis=0),
            ]
            node.input[3] = base
        new_nodes.append(node)
    del graph.node[:]
    graph.node.extend(new_nodes)
    del graph.value_info[:]  # intermediate shapes named the batch of 1
    for v in list(graph.input) + list(graph.output):
        set_batch(v, batch)
    # Drop initializers no node reads any more (the replaced Reshape and Resize constants).
    used = {name for n in graph.node for name in n.input}
    keep = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    return model


def main():
    args = sys.argv[1:]
    batch = 0
    if len(args) == 4 and args[2] == "--batch" and args[3].isdigit() and int(args[3]) > 0:
        batch = int(args[3])
        args = args[:2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    model = rewrite(onnx.load(args[0]), batch)
    onnx.checker.check_model(model)
    onnx.save(model, args[1])


if __name__ == "__main__":
    main()
