#!/usr/bin/python3
"""Tests of tools/tfjs_to_onnx.py on small hand-written TensorFlow.js graph models.

Run: /usr/bin/python3 tests/vision/tfjs_to_onnx_test.py  (CTest: vision_tfjs_to_onnx_test)
The numerical check of a full conversion is tfjs_equivalence.test.mjs (real model, real photo).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import helper, numpy_helper

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                    "tfjs_to_onnx.py")


def node(name, op, inputs=(), **attr):
    return {"name": name, "op": op, "input": list(inputs), "attr": attr}


def write_model(d, nodes, weights):
    """weights: list of (name, array, quantize_fp16). Writes model.json + model.bin in d."""
    specs, blobs = [], []
    for name, arr, fp16 in weights:
        spec = {"name": name, "shape": list(arr.shape),
                "dtype": "int32" if arr.dtype.kind == "i" else "float32"}
        if fp16:
            spec["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
            blobs.append(arr.astype(np.float16).tobytes())
        else:
            blobs.append(arr.astype(np.int32 if arr.dtype.kind == "i" else np.float32).tobytes())
        specs.append(spec)
        nodes.insert(0, node(name, "Const"))
    with open(os.path.join(d, "model.bin"), "wb") as f:
        f.write(b"".join(blobs))
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump({"format": "graph-model", "generatedBy": "test",
                   "modelTopology": {"node": nodes},
                   "weightsManifest": [{"paths": ["model.bin"], "weights": specs}]}, f)
    return os.path.join(d, "model.json")


def placeholder(shape):
    return node("input", "Placeholder",
                shape={"shape": {"dim": [{"size": str(s)} for s in shape]}},
                dtype={"type": "DT_FLOAT"})


def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True)


class TfjsToOnnxTest(unittest.TestCase):
    def test_unsupported_operators_are_named(self):
        with tempfile.TemporaryDirectory() as d:
            path = write_model(d, [placeholder([1, 4]), node("s", "Softmax", ["input"]),
                                   node("e", "Erf", ["s"]), node("Identity", "Identity", ["e"])],
                               [])
            r = run_tool(path, os.path.join(d, "out.onnx"))
            self.assertEqual(r.returncode, 1)
            self.assertIn("unsupported TensorFlow.js operators: Softmax", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "out.onnx")))

    def test_conv_block_becomes_nchw_with_folded_bias(self):
        rng = np.random.default_rng(1)
        with tempfile.TemporaryDirectory() as d:
            nchw_to_nhwc = np.array([0, 2, 3, 1], np.int32)
            nhwc_to_nchw = np.array([0, 3, 1, 2], np.int32)
            nodes = [
                placeholder([1, 2, 6, 6]),  # NCHW input, as onnx-tf graphs have
                node("t_in", "Transpose", ["input", "perm_in"]),
                node("conv", "Conv2D", ["t_in", "w"], padding={"s": "U0FNRQ=="},  # SAME
                     strides={"list": {"i": ["1", "2", "2", "1"]}},
                     data_format={"s": "TkhXQw=="}),
                node("bias", "Add", ["conv", "b"]),
                node("t_out", "Transpose", ["bias", "perm_out"]),
                node("act", "LeakyRelu", ["t_out"], alpha={"f": 0.1}),
                node("Identity", "Identity", ["act"]),
            ]
            path = write_model(d, nodes, [
                ("perm_in", nchw_to_nhwc, False), ("perm_out", nhwc_to_nchw, False),
                ("w", rng.standard_normal((3, 3, 2, 4)).astype(np.float32), True),
                ("b", rng.standard_normal(4).astype(np.float32), True)])
            labels = os.path.join(d, "labels.txt")
            with open(labels, "w") as f:
                f.write("shelf\nit's a box\n")
            out = os.path.join(d, "out.onnx")
            r = run_tool(path, out, "--labels", labels)
            self.assertEqual(r.returncode, 0, r.stderr)
            m = onnx.load(out)
            ops = [n.op_type for n in m.graph.node]
            self.assertEqual(ops, ["Conv", "LeakyRelu"])  # every transpose cancelled
            conv = m.graph.node[0]
            self.assertEqual(len(conv.input), 3)  # bias folded into the convolution
            attrs = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
            self.assertEqual(list(attrs["strides"]), [2, 2])
            self.assertEqual(list(attrs["pads"]), [0, 0, 1, 1])  # SAME, 6 -> 3 at stride 2
            out_dims = [d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim]
            self.assertEqual(out_dims, [1, 4, 3, 3])
            meta = {p.key: p.value for p in m.metadata_props}
            self.assertEqual(meta["names"], "{0: 'shelf', 1: \"it's a box\"}")
            self.assertEqual(meta["layout"], "nanodet")
            w = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
            self.assertEqual(w[conv.input[1]].shape, (4, 2, 3, 3))  # HWIO -> OIHW

    def test_truncated_weights_fail(self):
        with tempfile.TemporaryDirectory() as d:
            path = write_model(d, [placeholder([1, 4]), node("Identity", "Identity", ["input"])],
                               [("w", np.ones(8, np.float32), False)])
            with open(os.path.join(d, "model.bin"), "r+b") as f:
                f.truncate(10)
            r = run_tool(path, os.path.join(d, "out.onnx"))
            self.assertEqual(r.returncode, 1)
            self.assertIn("error", r.stderr)


if __name__ == "__main__":
    unittest.main()
