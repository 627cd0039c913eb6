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

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class ConversionError(Exception):
    pass


# --- reading the TensorFlow.js model -------------------------------------------------------------

_NP_DTYPES = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}


def _dequantize(raw, count, quant, dtype):
    qdtype = quant["dtype"]
    if qdtype == "float16":
        return np.frombuffer(raw, np.float16, count).astype(np.float32), count * 2
    if qdtype in ("uint8", "uint16"):
        qt = np.uint8 if qdtype == "uint8" else np.uint16
        q = np.frombuffer(raw, qt, count).astype(np.float32)
        if "scale" in quant:
            vals = q * np.float32(quant["scale"]) + np.float32(quant.get("min", 0.0))
        else:
            raise ConversionError("quantized weights without scale are not supported")
        return vals.astype(_NP_DTYPES[dtype]), count * np.dtype(qt).itemsize
    raise ConversionError(f"weight quantization dtype {qdtype!r} is not supported")


def load_weights(model_json, model_dir):
    """Returns {name: numpy array} for every entry of weightsManifest."""
    weights = {}
    for group in model_json["weightsManifest"]:
        data = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            shape = [int(d) for d in spec["shape"]]
            count = int(np.prod(shape)) if shape else 1
            dtype = spec["dtype"]
            if dtype not in _NP_DTYPES:
                raise ConversionError(f"weight {spec['name']}: dtype {dtype!r} is not supported")
            raw = data[offset:]
            if "quantization" in spec:
                arr, size = _dequantize(raw, count, spec["quantization"], dtype)
            else:
                npd = _NP_DTYPES[dtype]
                arr = np.frombuffer(raw, npd, count).copy()
                size = count * np.dtype(npd).itemsize
            if size > len(raw):
                raise ConversionError(f"weight {spec['name']}: weight data too short")
            weights[spec["name"]] = arr.reshape(shape)
            offset += size
        if offset != len(data):
            raise ConversionError(f"weight shards hold {len(data)} bytes, manifest describes {offset}")
    return weights


def _inline_const(node):
    """Value of a Const node whose tensor is stored in the topology itself (no weight entry)."""
    tensor = node.get("attr", {}).get("value", {}).get("tensor", {})
    dims = [int(d.get("size", 0)) for d in tensor.get("tensorShape", {}).get("dim", [])]
    for key, npd in (("floatVal", np.float32), ("intVal", np.int32), ("int64Val", np.int64)):
        if key in tensor:
            vals = np.array(tensor[key], npd)
            return np.broadcast_to(vals, dims).copy() if dims else vals.reshape(())
    raise ConversionError(f"constant {node['name']} has no value in the weights or the topology")


def _split_ref(ref):
    """'name:1' -> ('name', 1); 'name' -> ('name', 0)."""
    if ":" in ref:
        name, idx = ref.rsplit(":", 1)
        if idx.isdigit():
            return name, int(idx)
    return ref, 0


def _attr(node, key, kind, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    if kind == "list_i":
        return [int(v) for v in a.get("list", {}).get("i", [])]
    if kind == "s":
        import base64

        return base64.b64decode(a["s"]).decode()
    if kind == "f":
        return float(a.get("f", 0.0))
    if kind == "i":
        return int(a.get("i", 0))
    if kind == "b":
        return bool(a.get("b", False))
    raise ValueError(kind)


# --- constant folding (numpy) --------------------------------------------------------------------


def _fold_sparse_to_dense(ins, node):
    indices, shape, values, default = ins
    out = np.full([int(d) for d in shape], default, dtype=np.asarray(values).dtype)
    indices = np.asarray(indices).reshape(-1, max(out.ndim, 1)) if out.ndim else indices
    values = np.broadcast_to(values, (len(indices),))
    for idx, v in zip(indices, values):
        out[tuple(int(i) for i in np.atleast_1d(idx))] = v
    return [out]


FOLDERS = {
    "Identity": lambda ins, n: [ins[0]],
    "Add": lambda ins, n: [np.add(ins[0], ins[1])],
    "AddV2": lambda ins, n: [np.add(ins[0], ins[1])],
    "Sub": lambda ins, n: [np.subtract(ins[0], ins[1])],
    "Mul": lambda ins, n: [np.multiply(ins[0], ins[1])],
    "Transpose": lambda ins, n: [np.transpose(ins[0], [int(p) for p in ins[1]])],
    "Reshape": lambda ins, n: [np.reshape(ins[0], [int(d) for d in ins[1]])],
    "ConcatV2": lambda ins, n: [np.concatenate(ins[:-1], axis=int(ins[-1]))],
    "SparseToDense": _fold_sparse_to_dense,
}


# --- ONNX emission -------------------------------------------------------------------------------


class Tensor:
    """A non-constant value in the ONNX graph under construction."""

    def __init__(self, name, shape):
        self.name = name
        self.shape = list(shape)


class Builder:
    def __init__(self):
        self.nodes = []
        self.initializers = {}
        self.counter = 0
        # ONNX output name of a convolution's NCHW->NHWC transpose -> (conv node, transpose node).
        self.conv_outputs = {}

    def fresh(self, base):
        self.counter += 1
        return f"{base}__{self.counter}"

    def const(self, array, base):
        name = self.fresh(base)
        self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(array), name)
        return name

    def as_input(self, value, base, dtype=np.float32):
        """ONNX name for an input that may be a constant (made an initializer) or a Tensor."""
        if isinstance(value, Tensor):
            return value.name
        return self.const(np.asarray(value).astype(dtype), base)

    def node(self, op, inputs, base, n_out=1, **attrs):
        outs = [self.fresh(base) for _ in range(n_out)]
        nd = helper.make_node(op, inputs, outs, name=self.fresh(base + "_" + op), **attrs)
        self.nodes.append(nd)
        return nd

    def transpose(self, t, perm, base):
        nd = self.node("Transpose", [t.name], base, perm=list(perm))
        return Tensor(nd.output[0], [t.shape[p] for p in perm]), nd


NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)


def _tensor(v, node, i):
    if not isinstance(v, Tensor):
        raise ConversionError(f"{node['op']} {node['name']}: input {i} must not be constant here")
    return v


def _const(v, node, i):
    if isinstance(v, Tensor):
        raise ConversionError(f"{node['op']} {node['name']}: input {i} must be a constant")
    return np.asarray(v)


def _nhwc(node):
    fmt = _attr(node, "data_format", "s", "NHWC")
    if fmt != "NHWC":
        raise ConversionError(f"{node['op']} {node['name']}: data_format {fmt} is not supported")


def _spatial_pads(node, in_hw, kernel, strides, dilations):
    """ONNX pads [top, left, bottom, right] for TF padding VALID / SAME / EXPLICIT."""
    padding = _attr(node, "padding", "s", "VALID")
    if padding == "VALID":
        return [0, 0, 0, 0]
    if padding == "SAME":
        pads = []
        for size, k, s, d in zip(in_hw, kernel, strides, dilations):
            out = -(-size // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
            pads.append((total // 2, total - total // 2))
        return [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]
    if padding == "EXPLICIT":
        e = _attr(node, "explicit_paddings", "list_i")
        return [e[2], e[4], e[3], e[5]]
    raise ConversionError(f"{node['op']} {node['name']}: padding {padding} is not supported")


def _out_size(size, k, s, d, p0, p1):
    return (size + p0 + p1 - ((k - 1) * d + 1)) // s + 1


def emit_conv2d(b, node, ins):
    _nhwc(node)
    x, w = _tensor(ins[0], node, 0), _const(ins[1], node, 1).astype(np.float32)
    kh, kw, cin_per_group, cout = w.shape
    strides = _attr(node, "strides", "list_i", [1, 1, 1, 1])[1:3]
    dil = _attr(node, "dilations", "list_i", [1, 1, 1, 1])[1:3]
    n, h, wd, cin = x.shape
    if cin % cin_per_group:
        raise ConversionError(f"Conv2D {node['name']}: {cin} channels, filter expects {cin_per_group}")
    pads = _spatial_pads(node, (h, wd), (kh, kw), strides, dil)
    xt, _ = b.transpose(x, NHWC_TO_NCHW, "conv_in")
    wname = b.const(np.transpose(w, (3, 2, 0, 1)), node["name"] + "/weight")
    conv = b.node("Conv", [xt.name, wname], node["name"], kernel_shape=[kh, kw], strides=strides,
                  dilations=dil, pads=pads, group=cin // cin_per_group)
    oh = _out_size(h, kh, strides[0], dil[0], pads[0], pads[2])
    ow = _out_size(wd, kw, strides[1], dil[1], pads[1], pads[3])
    y, tr = b.transpose(Tensor(conv.output[0], [n, cout, oh, ow]), NCHW_TO_NHWC, "conv_out")
    b.conv_outputs[y.name] = (conv, tr)
    return [y]


def emit_add(b, node, ins, consumers):
    a, c = ins
    if isinstance(a, Tensor) and isinstance(c, Tensor):
        nd = b.node("Add", [a.name, c.name], node["name"])
        return [Tensor(nd.output[0], np.broadcast_shapes(tuple(a.shape), tuple(c.shape)))]
    t, k = (a, np.asarray(c, np.float32)) if isinstance(a, Tensor) else (c, np.asarray(a, np.float32))
    conv = b.conv_outputs.get(t.name)
    # Fold a per-channel bias into the convolution when nothing else reads its output.
    if conv and len(conv[0].input) == 2 and consumers == 1 and k.size == t.shape[-1]:
        conv[0].input.append(b.const(k.reshape(-1), node["name"] + "/bias"))
        return [t]
    nd = b.node("Add", [t.name, b.const(k, node["name"] + "/b")], node["name"])
    return [Tensor(nd.output[0], np.broadcast_shapes(tuple(t.shape), k.shape))]


def emit_pad(b, node, ins):
    x, p = _tensor(ins[0], node, 0), _const(ins[1], node, 1).astype(np.int64)
    if p.shape != (len(x.shape), 2):
        raise ConversionError(f"{node['op']} {node['name']}: paddings shape {p.shape}")
    inputs = [x.name, b.const(np.concatenate([p[:, 0], p[:, 1]]), node["name"] + "/pads")]
    if node["op"] == "PadV2":
        inputs.append(b.const(_const(ins[2], node, 2).astype(np.float32).reshape(()), "pad_value"))
    nd = b.node("Pad", inputs, node["name"], mode="constant")
    return [Tensor(nd.output[0], [d + int(p[i].sum()) for i, d in enumerate(x.shape)])]


def emit_maxpool(b, node, ins):
    _nhwc(node)
    x = _tensor(ins[0], node, 0)
    k = _attr(node, "ksize", "list_i")[1:3]
    s = _attr(node, "strides", "list_i")[1:3]
    pads = _spatial_pads(node, x.shape[1:3], k, s, (1, 1))
    xt, _ = b.transpose(x, NHWC_TO_NCHW, "pool_in")
    nd = b.node("MaxPool", [xt.name], node["name"], kernel_shape=k, strides=s, pads=pads)
    oh = _out_size(x.shape[1], k[0], s[0], 1, pads[0], pads[2])
    ow = _out_size(x.shape[2], k[1], s[1], 1, pads[1], pads[3])
    y, _ = b.transpose(Tensor(nd.output[0], [x.shape[0], x.shape[3], oh, ow]), NCHW_TO_NHWC,
                       "pool_out")
    return [y]


def emit_resize_bilinear(b, node, ins):
    x, size = _tensor(ins[0], node, 0), _const(ins[1], node, 1).astype(np.int64)
    if _attr(node, "align_corners", "b", False):
        mode = "align_corners"
    elif _attr(node, "half_pixel_centers", "b", False):
        mode = "half_pixel"
    else:
        mode = "asymmetric"
    xt, _ = b.transpose(x, NHWC_TO_NCHW, "resize_in")
    sizes = np.array([x.shape[0], x.shape[3], size[0], size[1]], np.int64)
    nd = b.node("Resize", [xt.name, "", "", b.const(sizes, "sizes")], node["name"], mode="linear",
                coordinate_transformation_mode=mode)
    y, _ = b.transpose(Tensor(nd.output[0], list(sizes)), NCHW_TO_NHWC, "resize_out")
    return [y]


def emit_transpose(b, node, ins):
    perm = [int(p) for p in _const(ins[1], node, 1)]
    y, _ = b.transpose(_tensor(ins[0], node, 0), perm, node["name"])
    return [y]


def emit_concat(b, node, ins):
    parts, axis = ins[:-1], int(_const(ins[-1], node, len(ins) - 1))
    shapes = [p.shape if isinstance(p, Tensor) else list(np.shape(p)) for p in parts]
    axis = axis % len(shapes[0])
    names = [b.as_input(p, node["name"] + "/part") for p in parts]
    nd = b.node("Concat", names, node["name"], axis=axis)
    shape = list(shapes[0])
    shape[axis] = sum(s[axis] for s in shapes)
    return [Tensor(nd.output[0], shape)]


def emit_splitv(b, node, ins):
    x = _tensor(ins[0], node, 0)
    sizes = [int(s) for s in _const(ins[1], node, 1)]
    axis = int(_const(ins[2], node, 2)) % len(x.shape)
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    if sum(sizes) != x.shape[axis]:
        raise ConversionError(f"SplitV {node['name']}: sizes {sizes} do not cover {x.shape[axis]}")
    nd = b.node("Split", [x.name, b.const(np.array(sizes, np.int64), "split")], node["name"],
                n_out=len(sizes), axis=axis)
    outs = []
    for name, s in zip(nd.output, sizes):
        shape = list(x.shape)
        shape[axis] = s
        outs.append(Tensor(name, shape))
    return outs


def emit_reshape(b, node, ins):
    x, shape = _tensor(ins[0], node, 0), [int(d) for d in _const(ins[1], node, 1)]
    if 0 in shape:
        raise ConversionError(f"Reshape {node['name']}: zero-sized dimension is not supported")
    total = int(np.prod(x.shape))
    if -1 in shape:
        shape[shape.index(-1)] = total // -int(np.prod(shape))
    if int(np.prod(shape)) != total:
        raise ConversionError(f"Reshape {node['name']}: {x.shape} cannot become {shape}")
    nd = b.node("Reshape", [x.name, b.const(np.array(shape, np.int64), "shape")], node["name"])
    return [Tensor(nd.output[0], shape)]


def emit_unary(onnx_op, **attrs):
    def emit(b, node, ins):
        x = _tensor(ins[0], node, 0)
        extra = {k: f(node) for k, f in attrs.items()}
        nd = b.node(onnx_op, [x.name], node["name"], **extra)
        return [Tensor(nd.output[0], x.shape)]

    return emit


EMITTERS = {
    "Conv2D": emit_conv2d,
    "Pad": emit_pad,
    "PadV2": emit_pad,
    "MaxPool": emit_maxpool,
    "ResizeBilinear": emit_resize_bilinear,
    "Transpose": emit_transpose,
    "ConcatV2": emit_concat,
    "SplitV": emit_splitv,
    "Reshape": emit_reshape,
    "Sigmoid": emit_unary("Sigmoid"),
    "Relu": emit_unary("Relu"),
    "LeakyRelu": emit_unary("LeakyRelu", alpha=lambda n: _attr(n, "alpha", "f", 0.2)),
    "Identity": lambda b, node, ins: [ins[0]],
    # Add and AddV2 are handled separately (bias folding needs the consumer count).
}


# --- graph clean-up ------------------------------------------------------------------------------


def simplify_transposes(nodes, graph_outputs):
    """Merges chains of Transpose nodes and removes those that compose to the identity."""
    changed = True
    while changed:
        changed = False
        producer = {o: n for n in nodes for o in n.output}
        for n in nodes:
            if n.op_type != "Transpose":
                continue
            prev = producer.get(n.input[0])
            if prev is None or prev.op_type != "Transpose":
                continue
            p1 = list(prev.attribute[0].ints)
            p2 = list(n.attribute[0].ints)
            composed = [p1[i] for i in p2]
            if composed == list(range(len(composed))) and n.output[0] not in graph_outputs:
                # Every reader of n's output reads prev's input instead.
                for m in nodes:
                    for i, name in enumerate(m.input):
                        if name == n.output[0]:
                            m.input[i] = prev.input[0]
                nodes.remove(n)
            else:
                n.input[0] = prev.input[0]
                del n.attribute[:]
                n.attribute.append(helper.make_attribute("perm", composed))
            changed = True
            break
        nodes[:] = remove_dead(nodes, graph_outputs)
    return nodes


def remove_dead(nodes, graph_outputs):
    live = set(graph_outputs)
    kept = []
    for n in reversed(nodes):
        if any(o in live for o in n.output):
            kept.append(n)
            live.update(i for i in n.input if i)
    return list(reversed(kept))


# --- driver --------------------------------------------------------------------------------------


def topo_order(nodes_by_name, outputs):
    order, state = [], {}
    for out in outputs:
        stack = [(out, False)]
        while stack:
            name, done = stack.pop()
            if done:
                state[name] = 2
                order.append(name)
                continue
            if state.get(name):
                continue
            if name not in nodes_by_name:
                raise ConversionError(f"graph references unknown node {name}")
            state[name] = 1
            stack.append((name, True))
            for ref in nodes_by_name[name].get("input", []):
                if not ref.startswith("^"):
                    dep = _split_ref(ref)[0]
                    if state.get(dep) == 1:
                        raise ConversionError(f"graph has a cycle through {dep}")
                    if not state.get(dep):
                        stack.append((dep, False))
    return order


def output_names(model_json, nodes_by_name):
    sig = model_json.get("signature", {}).get("outputs")
    if sig:
        names = [_split_ref(v["name"])[0] for v in sig.values()]
    else:
        names = [n for n, nd in nodes_by_name.items() if nd["op"] == "Identity"]
    # Natural order: Identity, Identity_1, ..., Identity_10.
    return sorted(names, key=lambda s: (len(s), s))


def convert(json_path, labels, layout, opset):
    model_json = json.load(open(json_path))
    if model_json.get("format") not in (None, "graph-model"):
        raise ConversionError(f"{json_path}: format {model_json.get('format')!r} is not a graph model")
    weights = load_weights(model_json, os.path.dirname(os.path.abspath(json_path)))
    nodes_by_name = {n["name"]: n for n in model_json["modelTopology"]["node"]}
    outputs = output_names(model_json, nodes_by_name)
    order = topo_order(nodes_by_name, outputs)

    consumers = {}
    for name in order:
        for ref in nodes_by_name[name].get("input", []):
            if not ref.startswith("^"):
                consumers[ref if ":" in ref else ref + ":0"] = consumers.get(ref if ":" in ref else ref + ":0", 0) + 1

    b = Builder()
    values = {}  # "name:idx" -> Tensor or numpy array
    graph_inputs = []
    unsupported = set()
    for name in order:
        node = nodes_by_name[name]
        op = node["op"]
        ins = [values.get(r if ":" in r else r + ":0") for r in node.get("input", []) if not r.startswith("^")]
        if op == "Const":
            outs = [weights[name] if name in weights else _inline_const(node)]
        elif op == "Placeholder":
            dims = [int(d.get("size", -1)) for d in node["attr"]["shape"]["shape"]["dim"]]
            if any(d < 1 for d in dims):
                raise ConversionError(f"input {name} has a dynamic shape {dims}; a fixed shape is required")
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
