"""Reading a TensorFlow.js graph model: weights, constants, node references, evaluation order,
and numpy evaluation of constant subgraphs. Used by tfjs_to_onnx.py."""

import base64
import os

import numpy as np


class ConversionError(Exception):
    pass


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


def inline_const(node):
    """Value of a Const node whose tensor is stored in the topology itself (no weight entry)."""
    tensor = node.get("attr", {}).get("value", {}).get("tensor", {})
    dims = [int(d.get("size", 0)) for d in tensor.get("tensorShape", {}).get("dim", [])]
    for key, npd in (("floatVal", np.float32), ("intVal", np.int32), ("int64Val", np.int64)):
        if key in tensor:
            vals = np.array(tensor[key], npd)
            return np.broadcast_to(vals, dims).copy() if dims else vals.reshape(())
    raise ConversionError(f"constant {node['name']} has no value in the weights or the topology")


def split_ref(ref):
    """'name:1' -> ('name', 1); 'name' -> ('name', 0)."""
    if ":" in ref:
        name, idx = ref.rsplit(":", 1)
        if idx.isdigit():
            return name, int(idx)
    return ref, 0


def attr(node, key, kind, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    if kind == "list_i":
        return [int(v) for v in a.get("list", {}).get("i", [])]
    if kind == "s":
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
                    dep = split_ref(ref)[0]
                    if state.get(dep) == 1:
                        raise ConversionError(f"graph has a cycle through {dep}")
                    if not state.get(dep):
                        stack.append((dep, False))
    return order


def output_names(model_json, nodes_by_name):
    sig = model_json.get("signature", {}).get("outputs")
    if sig:
        names = [split_ref(v["name"])[0] for v in sig.values()]
    else:
        names = [n for n, nd in nodes_by_name.items() if nd["op"] == "Identity"]
    # Natural order: Identity, Identity_1, ..., Identity_10.
    return sorted(names, key=lambda s: (len(s), s))


