#!/usr/bin/python3
"""Converts a TensorFlow.js graph model (model.json + weight shards) to an ONNX model.

Usage: /usr/bin/python3 tools/tfjs_to_onnx.py IN.json OUT.onnx [--labels NAMES.txt]
                                             [--layout NAME] [--opset N]

Contract:
  - Reads the graph topology and the weights described by `weightsManifest` (float32, int32, and
    float16/uint8/uint16-quantized weights are dequantized to float32).
  - Every subgraph whose inputs are all constants is evaluated here with numpy (constant folding).
  - TensorFlow's NHWC operators (Conv2D, MaxPool, ResizeBilinear) become ONNX NCHW operators
    wrapped in transposes; transposes that cancel each other are then removed and a bias Add that
    directly follows a convolution is folded into it.
  - Any operator outside the supported set stops the conversion with a message naming it; nothing
    is approximated silently.
  - The ONNX model carries metadata_props: `names` (an Ultralytics-style dict literal built from
    --labels, one class name per line), `layout`, `source`, and the converter's name.
"""

import argparse
import json
import os
import sys

import onnx
from onnx import TensorProto, helper

from tfjs_ops import EMITTERS, Builder, Tensor, emit_add, simplify_transposes
from tfjs_reader import (FOLDERS, ConversionError, inline_const, load_weights, output_names,
                         split_ref, topo_order)



def convert(json_path, labels, layout, opset):
    model_json = json.load(open(json_path))
    if model_json.get("format") not in (None, "graph-model"):
        raise ConversionError(f"{json_path}: format {model_json.get('format')!r} is not a graph model")
    weights = load_weights(model_json, os.path.dirname(os.path.abspath(json_path)))
    nodes_by_name = {n["name"]: n for n in model_json["modelTopology"]["node"]}
    outputs = output_names(model_json, nodes_by_name)
    order = topo_order(nodes_by_name, outputs)

    def key(ref):  # "name" and "name:0" are the same value
        return ref if ":" in ref else ref + ":0"

    consumers = {}  # value -> number of nodes reading it (bias folding needs a single reader)
    for name in order:
        for ref in nodes_by_name[name].get("input", []):
            if not ref.startswith("^"):
                consumers[key(ref)] = consumers.get(key(ref), 0) + 1

    b = Builder()
    values = {}  # "name:idx" -> Tensor or numpy array
    graph_inputs = []
    unsupported = set()
    for name in order:
        node = nodes_by_name[name]
        op = node["op"]
        ins = [values.get(key(r)) for r in node.get("input", []) if not r.startswith("^")]
        if op == "Const":
            outs = [weights[name] if name in weights else inline_const(node)]
        elif op == "Placeholder":
            dims = [int(d.get("size", -1)) for d in node["attr"]["shape"]["shape"]["dim"]]
            if any(d < 1 for d in dims):
                raise ConversionError(f"input {name} has a dynamic shape {dims}; "
                                      "a fixed shape is required")
            graph_inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, dims))
            outs = [Tensor(name, dims)]
        elif any(v is None for v in ins):
            continue  # an input could not be converted; reported below
        elif all(not isinstance(v, Tensor) for v in ins) and op in FOLDERS:
            outs = FOLDERS[op](ins, node)
        elif op in ("Add", "AddV2"):
            outs = emit_add(b, node, ins, consumers.get(name + ":0", 0))
        elif op in EMITTERS:
            outs = EMITTERS[op](b, node, ins)
        else:
            unsupported.add(op)
            continue
        for i, v in enumerate(outs):
            values[f"{name}:{i}"] = v
    if unsupported:
        raise ConversionError("unsupported TensorFlow.js operators: " + ", ".join(sorted(unsupported)))

    # Graph outputs keep the TensorFlow.js names (without ":0"): rename the producing value.
    graph_outputs = []
    for out in outputs:
        v = values[out + ":0"]
        if not isinstance(v, Tensor):
            raise ConversionError(f"output {out} is a constant")
        graph_outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, v.shape))
        b.nodes.append(helper.make_node("Identity", [v.name], [out], name=out + "_output"))
    nodes = simplify_transposes(b.nodes, set(outputs))
    # Drop the output Identity nodes by letting their producer write the output name directly.
    for out in outputs:
        ident = next(n for n in nodes if n.op_type == "Identity" and n.output[0] == out)
        src = ident.input[0]
        readers = [n for n in nodes if src in n.input]
        producer = next((n for n in nodes if src in n.output), None)
        if producer is not None and len(readers) == 1:
            producer.output[list(producer.output).index(src)] = out
            nodes.remove(ident)
    used = {i for n in nodes for i in n.input}
    inits = [t for k, t in b.initializers.items() if k in used]

    graph = helper.make_graph(nodes, "tfjs_graph", graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="visionstock tfjs_to_onnx")
    model.ir_version = 8
    meta = {"layout": layout,
            "source": f"{model_json.get('generatedBy', 'unknown')} (TensorFlow.js graph model "
                      f"{os.path.basename(json_path)})",
            "converter": "tools/tfjs_to_onnx.py"}
    if labels is not None:
        meta["names"] = "{" + ", ".join(f"{i}: {n!r}" for i, n in enumerate(labels)) + "}"
    for k, v in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.checker.check_model(model)
    return model


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", help="TensorFlow.js model.json")
    ap.add_argument("output", help="ONNX file to write")
    ap.add_argument("--labels", help="class names, one per line (embedded as metadata `names`)")
    ap.add_argument("--layout", default="nanodet", help="metadata `layout` value (default nanodet)")
    ap.add_argument("--opset", type=int, default=13)
    args = ap.parse_args(argv)
    labels = None
    if args.labels:
        labels = [ln.strip() for ln in open(args.labels) if ln.strip()]
    try:
        model = convert(args.input, labels, args.layout, args.opset)
    except (ConversionError, OSError, KeyError, ValueError) as e:
        print(f"tfjs_to_onnx: error: {e}", file=sys.stderr)
        return 1
    onnx.save(model, args.output)
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"tfjs_to_onnx: wrote {args.output} ({len(model.graph.node)} nodes; ops: {', '.join(ops)})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
