#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace vs::eval {
namespace {

constexpr size_t kT = 10;  // IoU thresholds

// One image's predictions of one class after matching, in descending score order.
struct MatchedImage {
  std::vector<double> scores;
  std::array<std::vector<bool>, kT> matched;  // matched to a ground-truth box at threshold t
  std::array<std::vector<bool>, kT> ignored;  // matched to a crowd box at threshold t
  int truths = 0;                             // non-crowd ground truth
};

bool Finite(const BoxXywh& b) {
  return std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.w) && std::isfinite(b.h) &&
         b.w >= 0 && b.h >= 0;
}

Status Validate(const std::vector<ImageResult>& images, const EvalOptions& o) {
  if (!o.agnostic && o.num_classes < 1) return Status::InvalidArgument("num_classes must be >= 1");
  if (o.max_dets < 1) return Status::InvalidArgument("max_dets must be >= 1");
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string where = "image " + std::to_string(i) + ": ";
    for (const auto& g : images[i].truths) {
      if (!o.agnostic && (g.class_id < 0 || g.class_id >= o.num_classes)) {
        return Status::InvalidArgument(where + "ground-truth class " + std::to_string(g.class_id) +
                                       " out of range");
      }
      if (!Finite(g.box)) return Status::InvalidArgument(where + "ground-truth box is not valid");
    }
    for (const auto& p : images[i].predictions) {
      if (!o.agnostic && (p.class_id < 0 || p.class_id >= o.num_classes)) {
        return Status::InvalidArgument(where + "predicted class " + std::to_string(p.class_id) +
                                       " out of range");
      }
      if (!Finite(p.box) || !std::isfinite(p.score)) {
        return Status::InvalidArgument(where + "prediction box or score is not valid");
      }
    }
  }
  return Status::Ok();
}

// Greedy matching of one image's predictions (sorted, cut) against its ground truth of one class,
// exactly as pycocotools' evaluateImg does it.
MatchedImage MatchImage(std::vector<const Prediction*> dts, std::vector<const GroundTruth*> gts,
                        int max_dets) {
  std::stable_sort(dts.begin(), dts.end(),
                   [](const Prediction* a, const Prediction* b) { return a->score > b->score; });
  if (dts.size() > size_t(max_dets)) dts.resize(size_t(max_dets));
  std::stable_partition(gts.begin(), gts.end(), [](const GroundTruth* g) { return !g->crowd; });

  MatchedImage m;
  for (const auto* g : gts) m.truths += g->crowd ? 0 : 1;
  for (const auto* d : dts) m.scores.push_back(d->score);
  std::vector<std::vector<double>> ious(dts.size(), std::vector<double>(gts.size()));
  for (size_t d = 0; d < dts.size(); ++d) {
    for (size_t g = 0; g < gts.size(); ++g)
      ious[d][g] = Iou(dts[d]->box, gts[g]->box, gts[g]->crowd);
  }
  const auto thresholds = IouThresholds();
  for (size_t t = 0; t < kT; ++t) {
    m.matched[t].assign(dts.size(), false);
    m.ignored[t].assign(dts.size(), false);
    std::vector<bool> taken(gts.size(), false);
    for (size_t d = 0; d < dts.size(); ++d) {
      double best = std::min(thresholds[t], 1 - 1e-10);
      int match = -1;
      for (size_t g = 0; g < gts.size(); ++g) {
        if (taken[g] && !gts[g]->crowd) continue;
        // Crowd boxes come last: once a real box matched, stop before them.
        if (match > -1 && !gts[size_t(match)]->crowd && gts[g]->crowd) break;
        if (ious[d][g] < best) continue;
        best = ious[d][g];
        match = int(g);
      }
      if (match == -1) continue;
      taken[size_t(match)] = true;
      m.matched[t][d] = true;
      m.ignored[t][d] = gts[size_t(match)]->crowd;
    }
  }
  return m;
}

// One class over all images: AP at each IoU threshold, and the counts at the confidence threshold.
void AccumulateClass(const std::vector<MatchedImage>& images, double conf, ClassMetrics* out) {
  struct Ranked {
    double score;
    size_t image, index;
  };
  std::vector<Ranked> ranked;
  int npig = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    npig += images[i].truths;
    for (size_t d = 0; d < images[i].scores.size(); ++d)
      ranked.push_back({images[i].scores[d], i, d});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
  for (const Ranked& r : ranked) {
    if (r.score < conf) break;
    if (images[r.image].ignored[0][r.index]) continue;
    (images[r.image].matched[0][r.index] ? out->tp : out->fp) += 1;
  }
  if (npig == 0) return;  // no AP: the class stays out of mAP

  const auto recall_points = RecallThresholds();
  const double eps = std::numeric_limits<double>::epsilon();  // numpy.spacing(1)
  double ap50 = 0, ap_sum = 0;
  for (size_t t = 0; t < kT; ++t) {
    std::vector<double> precision, recall;
    double tp = 0, fp = 0;
    for (const Ranked& r : ranked) {
      const bool matched = images[r.image].matched[t][r.index];
      const bool ignored = images[r.image].ignored[t][r.index];
      if (!ignored) (matched ? tp : fp) += 1;
      recall.push_back(tp / npig);
      precision.push_back(tp / (fp + tp + eps));
    }
    for (size_t i = precision.size(); i-- > 1;) {
      precision[i - 1] = std::max(precision[i - 1], precision[i]);
    }
    double sum = 0;
    for (double point : recall_points) {
      const auto it = std::lower_bound(recall.begin(), recall.end(), point);
      if (it != recall.end()) sum += precision[size_t(it - recall.begin())];
    }
    const double ap = sum / double(recall_points.size());
    if (t == 0) ap50 = ap;
    ap_sum += ap;
  }
  out->ap50 = ap50;
  out->ap50_95 = ap_sum / double(kT);
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace

std::array<double, 10> IouThresholds() {
  std::array<double, 10> t;
  const double step = (0.95 - 0.5) / 9;
  for (size_t i = 0; i < t.size(); ++i) t[i] = double(i) * step + 0.5;
  t.back() = 0.95;
  return t;
}

std::array<double, 101> RecallThresholds() {
  std::array<double, 101> r;
  const double step = 1.0 / 100;
  for (size_t i = 0; i < r.size(); ++i) r[i] = double(i) * step;
  r.back() = 1.0;
  return r;
}

double Iou(const BoxXywh& d, const BoxXywh& g, bool crowd) {
  const double w = std::min(d.x + d.w, g.x + g.w) - std::max(d.x, g.x);
  if (w <= 0) return 0;
  const double h = std::min(d.y + d.h, g.y + g.h) - std::max(d.y, g.y);
  if (h <= 0) return 0;
  const double inter = w * h;
  const double uni = crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter;
  return inter / uni;
}

Result<Metrics> Evaluate(const std::vector<ImageResult>& images, const EvalOptions& o) {
  VS_RETURN_IF_ERROR(Validate(images, o));
  const int classes = o.agnostic ? 1 : o.num_classes;
  auto cls = [&](int id) { return o.agnostic ? 0 : id; };

  Metrics m;
  m.images = int(images.size());
  m.classes.resize(size_t(classes));
  // Per class, the matched predictions of every image that has ground truth or predictions.
  auto matched = std::vector<std::vector<MatchedImage>>(size_t(classes));
  auto gts = std::vector<std::vector<const GroundTruth*>>(size_t(classes));
  auto dts = std::vector<std::vector<const Prediction*>>(size_t(classes));
  for (const ImageResult& image : images) {
    for (auto& v : gts) v.clear();
    for (auto& v : dts) v.clear();
    for (const auto& g : image.truths) gts[size_t(cls(g.class_id))].push_back(&g);
    for (const auto& p : image.predictions) dts[size_t(cls(p.class_id))].push_back(&p);
    for (size_t k = 0; k < size_t(classes); ++k) {
      ClassMetrics& c = m.classes[k];
      for (const auto* g : gts[k]) (g->crowd ? c.crowd_truths : c.truths) += 1;
      c.predictions += int(dts[k].size());
      if (gts[k].empty() && dts[k].empty()) continue;
      matched[k].push_back(MatchImage(dts[k], gts[k], o.max_dets));
    }
  }

  double sum50 = 0, sum = 0;
  for (size_t k = 0; k < size_t(classes); ++k) {
    ClassMetrics& c = m.classes[k];
    AccumulateClass(matched[k], o.conf_threshold, &c);
    c.fn = c.truths - c.tp;
    c.precision = Ratio(c.tp, c.tp + c.fp);
    c.recall = Ratio(c.tp, c.truths);
    m.truths += c.truths;
    m.crowd_truths += c.crowd_truths;
    m.predictions += c.predictions;
    m.tp += c.tp;
    m.fp += c.fp;
    m.fn += c.fn;
    if (c.ap50) {
      ++m.classes_with_truth;
      sum50 += *c.ap50;
      sum += *c.ap50_95;
    }
  }
  if (m.classes_with_truth > 0) {
    m.map50 = sum50 / m.classes_with_truth;
    m.map50_95 = sum / m.classes_with_truth;
  }
  m.precision = Ratio(m.tp, m.tp + m.fp);
  m.recall = Ratio(m.tp, m.truths);
  m.f1 = Ratio(2 * m.precision * m.recall, m.precision + m.recall);
  return m;
}

}  // namespace vs::eval
