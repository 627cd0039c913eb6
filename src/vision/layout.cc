#include "vision/layout.h"

#include <algorithm>
#include <map>

namespace vs::vision {

const char* LayoutName(Layout l) {
  switch (l) {
    case Layout::kNanoDet:
      return "nanodet";
    case Layout::kYoloV5:
      return "yolov5";
    case Layout::kYoloV8:
      return "yolov8";
    case Layout::kEndToEnd:
      return "end2end";
  }
  return "unknown";
}

std::string ShapesToString(const std::vector<Shape>& shapes) {
  std::string s;
  for (const Shape& shape : shapes) {
    if (!s.empty()) s += ", ";
    s += "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    s += "]";
  }
  return s;
}

namespace {

int64_t Cells(int input_w, int input_h, int stride) {
  return int64_t((input_w + stride - 1) / stride) * ((input_h + stride - 1) / stride);
}

bool IsBatchOfOne3d(const Shape& s) { return s.size() == 3 && s[0] == 1 && s[1] > 0 && s[2] > 0; }

Result<OutputPlan> PlanNanoDet(const std::vector<Shape>& shapes, int input_w, int input_h) {
  const Status bad = Status::Unavailable("6 outputs " + ShapesToString(shapes) +
                                         " do not form NanoDet heads (scores [1,N,C] and boxes "
                                         "[1,N,4*(R+1)] per stride)");
  std::map<int64_t, std::vector<int>> by_rows;  // N -> output indices, in model order
  for (int i = 0; i < int(shapes.size()); ++i) {
    if (!IsBatchOfOne3d(shapes[size_t(i)])) return bad;
    by_rows[shapes[size_t(i)][1]].push_back(i);
  }
  OutputPlan plan;
  plan.layout = Layout::kNanoDet;
  for (const auto& [rows, idx] : by_rows) {
    if (idx.size() != 2) return bad;
    NanoDetHead h;
    h.scores_output = idx[0];  // scores come before box distributions
    h.boxes_output = idx[1];
    for (int s : {8, 16, 32, 64, 128}) {  // smallest stride whose grid has N cells
      if (h.stride == 0 && Cells(input_w, input_h, s) == rows) h.stride = s;
    }
    if (h.stride == 0) return bad;
    h.grid_w = (input_w + h.stride - 1) / h.stride;
    h.grid_h = (input_h + h.stride - 1) / h.stride;
    const int64_t classes = shapes[size_t(h.scores_output)][2];
    const int64_t bins = shapes[size_t(h.boxes_output)][2];
    if (bins % 4 != 0 || bins < 8) return bad;
    if (plan.heads.empty()) {
      plan.num_classes = int(classes);
      plan.reg_max = int(bins / 4 - 1);
    } else if (classes != plan.num_classes || bins / 4 - 1 != plan.reg_max) {
      return bad;
    }
    plan.heads.push_back(h);
  }
  std::sort(plan.heads.begin(), plan.heads.end(),
            [](const NanoDetHead& a, const NanoDetHead& b) { return a.stride < b.stride; });
  return plan;
}

}  // namespace

Result<OutputPlan> PlanOutputs(const std::vector<Shape>& shapes, int input_w, int input_h) {
  if (shapes.size() == 6) return PlanNanoDet(shapes, input_w, input_h);
  const Status unknown = Status::Unavailable(
      "unsupported output layout " + ShapesToString(shapes) +
      " (expected NanoDet's 6 outputs, YOLOv5 [1,N,5+C], YOLOv8 [1,4+C,N] or end-to-end [1,K,6])");
  if (shapes.size() != 1 || !IsBatchOfOne3d(shapes[0])) return unknown;
  const int64_t a = shapes[0][1], b = shapes[0][2];
  const int64_t cells =
      Cells(input_w, input_h, 8) + Cells(input_w, input_h, 16) + Cells(input_w, input_h, 32);
  OutputPlan plan;
  if (b == cells && a >= 5) {
    plan.layout = Layout::kYoloV8;
    plan.num_classes = int(a - 4);
    plan.rows = b;
  } else if (a == 3 * cells && b >= 6) {
    plan.layout = Layout::kYoloV5;
    plan.num_classes = int(b - 5);
    plan.rows = a;
  } else if (b == 6) {
    plan.layout = Layout::kEndToEnd;
    plan.rows = a;
  } else if (a >= 5 && a < b) {  // YOLOv8 layout at strides other than 8/16/32
    plan.layout = Layout::kYoloV8;
    plan.num_classes = int(a - 4);
    plan.rows = b;
  } else if (b >= 6 && a > b) {
    plan.layout = Layout::kYoloV5;
    plan.num_classes = int(b - 5);
    plan.rows = a;
  } else {
    return unknown;
  }
  return plan;
}

std::vector<Candidate> DecodeOutputs(const OutputPlan& plan, std::span<const float* const> outputs,
                                     float conf) {
  switch (plan.layout) {
    case Layout::kNanoDet:
      return DecodeNanoDet(plan, outputs, conf);
    case Layout::kYoloV5:
      return DecodeYoloV5(plan, outputs[0], conf);
    case Layout::kYoloV8:
      return DecodeYoloV8(plan, outputs[0], conf);
    case Layout::kEndToEnd:
      return DecodeEndToEnd(plan, outputs[0], conf);
  }
  return {};
}

}  // namespace vs::vision
