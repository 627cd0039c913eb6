"""Emitting ONNX for TensorFlow.js operators (NHWC operators wrapped in transposes), and the
clean-up passes that cancel transposes. Used by tfjs_to_onnx.py."""

import numpy as np
from onnx import helper, numpy_helper

from tfjs_reader import ConversionError, attr as _attr



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


