// Choosing an output decoder from the model's output shapes, and running it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/detector.h"
#include "vision/nms.h"

namespace vs::vision {

using Shape = std::vector<int64_t>;

// One NanoDet head: a scores output [1, grid_w*grid_h, C] and a box-distribution output
// [1, grid_w*grid_h, 4*(reg_max+1)] for one stride.
struct NanoDetHead {
  int scores_output = 0;
  int boxes_output = 0;
  int stride = 0;
  int grid_w = 0, grid_h = 0;
};

// How to read a model's outputs.
struct OutputPlan {
  Layout layout = Layout::kYoloV8;
  int num_classes = 0;             // 0 when the layout does not tell (end-to-end)
  int reg_max = 0;                 // NanoDet: bins per side - 1
  std::vector<NanoDetHead> heads;  // NanoDet
  int64_t rows = 0;                // YOLO: N boxes (v5, v8) or K slots (end-to-end)
};

// Picks the layout from the output shapes (leading batch dimension 1) for an input of
// input_w x input_h pixels:
//   6 outputs [1,N,C],[1,N,4(R+1)] per stride 8/16/32   -> NanoDet (scores first per stride)
//   1 output [1,4+C,N] with N = cells of strides 8/16/32 -> YOLOv8
//   1 output [1,N,5+C] with N = 3 * those cells          -> YOLOv5
//   1 output [1,K,6] otherwise                           -> end-to-end
// Unavailable, naming the shapes, for anything else.
Result<OutputPlan> PlanOutputs(const std::vector<Shape>& shapes, int input_w, int input_h);

// Decoders: candidates with score >= conf, in model-input pixels. outputs[i] is the data of
// output i, laid out as described by the plan.
std::vector<Candidate> DecodeNanoDet(const OutputPlan& plan, std::span<const float* const> outputs,
                                     float conf);
std::vector<Candidate> DecodeYoloV5(const OutputPlan& plan, const float* output, float conf);
std::vector<Candidate> DecodeYoloV8(const OutputPlan& plan, const float* output, float conf);
std::vector<Candidate> DecodeEndToEnd(const OutputPlan& plan, const float* output, float conf);

// Dispatches on plan.layout.
std::vector<Candidate> DecodeOutputs(const OutputPlan& plan, std::span<const float* const> outputs,
                                     float conf);

// "[1,2704,80], [1,169,44]" for messages.
std::string ShapesToString(const std::vector<Shape>& shapes);

}  // namespace vs::vision
