#!/usr/bin/python3
"""Writes tiny but real ONNX detectors in the Ultralytics output layouts, for the detector tests.

Usage: /usr/bin/python3 tools/make_yolo_test_models.py OUT_DIR

Each model takes images [1,3,64,64] and returns a fixed set of boxes (a constant added to
0 * mean(images), so the input does flow through the graph). Files written:
  yolov5.onnx    output [1, 252, 5+3]   (252 = 3 anchors x (8x8 + 4x4 + 2x2) cells)
  yolov8.onnx    output [1, 4+3, 84]
  end2end.onnx   output [1, 10, 6]
  yolov8-unnamed.onnx  as yolov8.onnx without `names` (class names must come from a file)
All others carry metadata names {0: 'shelf', 1: 'box', 2: 'bottle'}, imgsz, stride and task.

The boxes, in model-input pixels (cx, cy, w, h), are the same in every model:
  A  class 1 (box)    score 0.90  centre (32, 32) size 32x16  -> x 16..48, y 24..40
  B  class 1 (box)    score 0.60  centre (33, 32) size 32x16  (overlaps A: removed by NMS)
  C  class 2 (bottle) score 0.80  centre (32, 32) size 16x16  (other class: kept)
  D  class 0 (shelf)  score 0.10  (below the default threshold)
For a 200x100 image letterboxed into 64x64 (scale 0.32, 16 px padding top and bottom), A maps to
(50, 25)-(150, 75) and C to (75, 25)-(125, 75) in image pixels.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 64
CLASSES = 3
CELLS = sum((SIZE // s) ** 2 for s in (8, 16, 32))  # 84
# (class, score, cx, cy, w, h)
BOXES = [(1, 0.90, 32, 32, 32, 16), (1, 0.60, 33, 32, 32, 16), (2, 0.80, 32, 32, 16, 16),
         (0, 0.10, 10, 10, 8, 8)]
NAMES = "{0: 'shelf', 1: 'box', 2: 'bottle'}"


def yolov8_output():
    out = np.zeros((1, 4 + CLASSES, CELLS), np.float32)
    for i, (c, s, cx, cy, w, h) in enumerate(BOXES):
        col = 10 + i * 7  # arbitrary distinct anchor columns
        out[0, 0:4, col] = (cx, cy, w, h)
        out[0, 4 + c, col] = s
    return out


def yolov5_output():
    out = np.zeros((1, 3 * CELLS, 5 + CLASSES), np.float32)
    for i, (c, s, cx, cy, w, h) in enumerate(BOXES):
        row = 20 + i * 31
        # objectness 1.0 except for D, whose class score alone would pass: 0.5 * 0.2 = 0.1
        obj, cls = (1.0, s) if s > 0.2 else (0.5, s * 2)
        out[0, row, 0:5] = (cx, cy, w, h, obj)
        out[0, row, 5 + c] = cls
    return out


def end2end_output():
    out = np.zeros((1, 10, 6), np.float32)
    for i, (c, s, cx, cy, w, h) in enumerate(BOXES):
        if i == 1:
            continue  # an end-to-end model has already suppressed B
        out[0, i] = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, s, c)
    return out


def build(const, path, names=True):
    images = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, SIZE, SIZE])
    output = helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(const.shape))
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["boxes", "nothing"], ["output0"]),
    ]
    inits = [numpy_helper.from_array(np.array(0, np.float32), "zero"),
             numpy_helper.from_array(const, "boxes")]
    graph = helper.make_graph(nodes, "fixed_boxes", [images], [output], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    meta = {"imgsz": f"[{SIZE}, {SIZE}]", "stride": "32", "task": "detect"}
    if names:
        meta["names"] = NAMES
    for k, v in meta.items():
        e = model.metadata_props.add()
        e.key, e.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(argv[0], exist_ok=True)
    build(yolov5_output(), os.path.join(argv[0], "yolov5.onnx"))
    build(yolov8_output(), os.path.join(argv[0], "yolov8.onnx"))
    build(end2end_output(), os.path.join(argv[0], "end2end.onnx"))
    build(yolov8_output(), os.path.join(argv[0], "yolov8-unnamed.onnx"), names=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
