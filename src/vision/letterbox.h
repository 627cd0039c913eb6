// Letterboxing: fitting an image into the model's input with its aspect ratio kept, writing the
// normalised NCHW float tensor, and mapping boxes from model-input pixels back to image pixels.
#pragma once

#include <array>
#include <opencv2/core/mat.hpp>

#include "vision/detector.h"

namespace vs::vision {

// How a model wants its input tensor filled.
struct InputSpec {
  int width = 0;  // model input size in pixels
  int height = 0;
  bool rgb = false;  // channel order of the tensor (false: B, G, R)
  // value_c = (pixel_c - mean[c]) * inv_std[c], with c in tensor channel order
  std::array<float, 3> mean{0, 0, 0};
  std::array<float, 3> inv_std{1, 1, 1};
  int pad_value = 0;  // 8-bit value of the padding, before normalisation
};

// NanoDet: BGR, mean/std of its training pipeline, black padding (as its own resize_uniform).
InputSpec NanoDetInputSpec(int width, int height);
// Ultralytics YOLO: RGB scaled to 0..1, grey (114) padding.
InputSpec YoloInputSpec(int width, int height);

// Placement of a source image inside the model input: resized to resized_w x resized_h and
// centred with pad_x/pad_y pixels of padding on the left/top.
struct Letterbox {
  int resized_w = 0, resized_h = 0;
  int pad_x = 0, pad_y = 0;
  double scale_x = 1, scale_y = 1;  // resized / source, per axis

  // Model-input pixels -> source pixels (not clamped).
  Box ToSource(const Box& model_box) const;
  // Source pixels -> model-input pixels.
  Box ToModel(const Box& source_box) const;
};

// Aspect-keeping fit of src_w x src_h into dst_w x dst_h (each resized side >= 1).
Letterbox ComputeLetterbox(int src_w, int src_h, int dst_w, int dst_h);

// Letterboxes 8-bit BGR `bgr` into `dst`, which must hold 3 * spec.width * spec.height floats
// (NCHW, batch 1). Returns the placement used.
Letterbox PreprocessImage(const cv::Mat& bgr, const InputSpec& spec, float* dst);

}  // namespace vs::vision
