// NanoDet (GFL head): per-cell class scores (already sigmoid) and, per box side, a discrete
// distribution over reg_max+1 bins; the side's distance is the distribution's expectation in
// stride units, measured from the cell centre.
#include <algorithm>
#include <cmath>

#include "vision/layout.h"

namespace vs::vision {
namespace {

// Expected bin index of softmax(logits[0..n)).
float Expectation(const float* logits, int n) {
  const float mx = *std::max_element(logits, logits + n);
  float sum = 0, weighted = 0;
  for (int i = 0; i < n; ++i) {
    const float e = std::exp(logits[i] - mx);
    sum += e;
    weighted += e * float(i);
  }
  return weighted / sum;
}

}  // namespace

std::vector<Candidate> DecodeNanoDet(const OutputPlan& plan, std::span<const float* const> outputs,
                                     float conf) {
  std::vector<Candidate> out;
  const int classes = plan.num_classes;
  const int bins = plan.reg_max + 1;
  for (const NanoDetHead& h : plan.heads) {
    const float* scores = outputs[size_t(h.scores_output)];
    const float* boxes = outputs[size_t(h.boxes_output)];
    const int cells = h.grid_w * h.grid_h;
    for (int i = 0; i < cells; ++i) {
      const float* s = scores + size_t(i) * classes;
      const int best = int(std::max_element(s, s + classes) - s);
      if (!(s[best] >= conf)) continue;
      const float* d = boxes + size_t(i) * 4 * bins;
      const float cx = (float(i % h.grid_w) + 0.5f) * float(h.stride);
      const float cy = (float(i / h.grid_w) + 0.5f) * float(h.stride);
      const float l = Expectation(d, bins) * float(h.stride);
      const float t = Expectation(d + bins, bins) * float(h.stride);
      const float r = Expectation(d + 2 * bins, bins) * float(h.stride);
      const float b = Expectation(d + 3 * bins, bins) * float(h.stride);
      out.push_back({best, s[best], {cx - l, cy - t, cx + r, cy + b}});
    }
  }
  return out;
}

}  // namespace vs::vision
