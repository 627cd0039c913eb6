// Sliced inference: tile planning, per-tile detection and merging (see slicing.h).
#include "vision/slicing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <opencv2/core.hpp>

#include "vision/nms.h"

namespace vs::vision {
namespace {

// Start offsets of `n` tiles of length `tile` covering [0, total), evenly spread.
std::vector<int> Starts(int total, int tile, int n) {
  std::vector<int> out;
  if (n <= 1 || tile >= total) return {0};
  const double step = double(total - tile) / double(n - 1);
  for (int i = 0; i < n; ++i) out.push_back(int(std::lround(step * i)));
  return out;
}

// Tiles needed along one axis so that tiles of `tile` pixels overlap by >= overlap * tile.
int CountFor(int total, int tile, float overlap) {
  if (tile >= total) return 1;
  const double stride = std::max(1.0, double(tile) * (1.0 - overlap));
  return 1 + int(std::ceil(double(total - tile) / stride));
}

float Area(const Box& b) { return std::max(0.f, b.x2 - b.x1) * std::max(0.f, b.y2 - b.y1); }

float Intersection(const Box& a, const Box& b) {
  const float w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const float h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0.f;
}

float Iou1D(float a1, float a2, float b1, float b2) {
  const float inter = std::min(a2, b2) - std::max(a1, b1);
  const float uni = std::max(a2, b2) - std::min(a1, b1);
  return inter > 0 && uni > 0 ? inter / uni : 0.f;
}

constexpr float kEdgeSlack = 2.f;  // pixels: a box this close to a tile edge reaches it

// Whether `a` (from tile ta) reaches ta's right edge and `b` (from tb) reaches tb's left edge,
// that edge lying inside the photo, and they overlap across it.
bool CutAcrossX(const PassDetection& a, const PassDetection& b, const std::vector<Tile>& t) {
  const Tile& ta = t[size_t(a.tile)];
  const Tile& tb = t[size_t(b.tile)];
  if (tb.x <= ta.x) return false;
  const bool a_cut = a.det.box.x2 >= float(ta.x + ta.width) - kEdgeSlack;
  const bool b_cut = b.det.box.x1 <= float(tb.x) + kEdgeSlack;
  return a_cut && b_cut && b.det.box.x1 < a.det.box.x2 &&
         Iou1D(a.det.box.y1, a.det.box.y2, b.det.box.y1, b.det.box.y2) >= 0.5f;
}

bool CutAcrossY(const PassDetection& a, const PassDetection& b, const std::vector<Tile>& t) {
  const Tile& ta = t[size_t(a.tile)];
  const Tile& tb = t[size_t(b.tile)];
  if (tb.y <= ta.y) return false;
  const bool a_cut = a.det.box.y2 >= float(ta.y + ta.height) - kEdgeSlack;
  const bool b_cut = b.det.box.y1 <= float(tb.y) + kEdgeSlack;
  return a_cut && b_cut && b.det.box.y1 < a.det.box.y2 &&
         Iou1D(a.det.box.x1, a.det.box.x2, b.det.box.x1, b.det.box.x2) >= 0.5f;
}

bool CutApart(const PassDetection& a, const PassDetection& b, const std::vector<Tile>& t) {
  if (a.tile < 0 || b.tile < 0 || a.tile == b.tile || a.det.class_id != b.det.class_id) {
    return false;
  }
  return CutAcrossX(a, b, t) || CutAcrossX(b, a, t) || CutAcrossY(a, b, t) || CutAcrossY(b, a, t);
}

// Step 1 of MergeSliced: joins cut boxes until none is left. A joined box keeps the tile of
// the higher-scored part and reaches both parts' edges, so it can join a third part.
void JoinCut(std::vector<PassDetection>& all, const std::vector<Tile>& tiles) {
  for (bool joined = true; joined;) {
    joined = false;
    for (size_t i = 0; i < all.size() && !joined; ++i) {
      for (size_t j = i + 1; j < all.size() && !joined; ++j) {
        if (!CutApart(all[i], all[j], tiles)) continue;
        Box& a = all[i].det.box;
        const Box& b = all[j].det.box;
        a = {std::min(a.x1, b.x1), std::min(a.y1, b.y1), std::max(a.x2, b.x2),
             std::max(a.y2, b.y2)};
        if (all[j].det.confidence > all[i].det.confidence) {
          all[i].det.confidence = all[j].det.confidence;
        }
        all.erase(all.begin() + std::ptrdiff_t(j));
        joined = true;
      }
    }
  }
}

}  // namespace

const char* SliceModeName(SliceMode m) {
  switch (m) {
    case SliceMode::kOff:
      return "off";
    case SliceMode::kGrid:
      return "grid";
    case SliceMode::kAuto:
      return "auto";
  }
  return "off";
}

Result<SliceMode> ParseSliceMode(const std::string& name) {
  for (SliceMode m : {SliceMode::kOff, SliceMode::kGrid, SliceMode::kAuto}) {
    if (name == SliceModeName(m)) return m;
  }
  return Status::InvalidValue("slicing mode must be off, grid or auto; got '" + name + "'");
}

Status ValidateSliceOptions(const SliceOptions& o) {
  if (o.cols < 1 || o.cols > 16 || o.rows < 1 || o.rows > 16) {
    return Status::InvalidValue("slicing cols and rows must be within 1..16");
  }
  if (!(o.overlap >= 0 && o.overlap <= 0.5f)) {
    return Status::InvalidValue("slicing overlap must be within 0..0.5");
  }
  if (!(o.auto_factor >= 1 && o.auto_factor <= 100)) {
    return Status::InvalidValue("slicing auto_factor must be within 1..100");
  }
  if (o.max_tiles < 1 || o.max_tiles > 256) {
    return Status::InvalidValue("slicing max_tiles must be within 1..256");
  }
  if (!(o.merge_iou > 0 && o.merge_iou <= 1)) {
    return Status::InvalidValue("slicing merge_iou must be within (0, 1]");
  }
  return Status::Ok();
}

std::vector<Tile> PlanTiles(int width, int height, int input_w, int input_h,
                            const SliceOptions& o) {
  if (width <= 0 || height <= 0 || input_w <= 0 || input_h <= 0) return {};
  int tw = 0, th = 0, nx = 0, ny = 0;
  if (o.mode == SliceMode::kOff) return {};
  if (o.mode == SliceMode::kGrid) {
    nx = o.cols;
    ny = o.rows;
    // Tiles of 1/n of the photo, grown so that neighbours share `overlap` of a tile.
    tw = int(std::ceil(double(width) / (nx - (nx - 1) * double(o.overlap))));
    th = int(std::ceil(double(height) / (ny - (ny - 1) * double(o.overlap))));
  } else {
    if (std::max(width, height) <= o.auto_factor * std::max(input_w, input_h)) return {};
    tw = std::min(width, input_w);
    th = std::min(height, input_h);
    nx = CountFor(width, tw, o.overlap);
    ny = CountFor(height, th, o.overlap);
    // Over the cap: tiles grow in 2% steps, keeping the input's shape (up to the photo's
    // sides), until the grid that covers the photo with the overlap has at most max_tiles.
    // A search rather than a formula because the counts are ceilings on two axes at once;
    // it ends, since tiles as large as the photo make one tile (at most ~300 steps).
    for (double scale = 1.02; nx * ny > std::max(1, o.max_tiles); scale *= 1.02) {
      tw = std::min(width, int(std::ceil(input_w * scale)));
      th = std::min(height, int(std::ceil(input_h * scale)));
      nx = CountFor(width, tw, o.overlap);
      ny = CountFor(height, th, o.overlap);
    }
  }
  tw = std::min(tw, width);
  th = std::min(th, height);
  std::vector<Tile> tiles;
  for (int y : Starts(height, th, ny)) {
    for (int x : Starts(width, tw, nx)) tiles.push_back({x, y, tw, th});
  }
  return tiles;
}

std::vector<Detection> MergeSliced(std::vector<PassDetection> all, const std::vector<Tile>& tiles,
                                   int max_detections, float merge_iou) {
  JoinCut(all, tiles);
  // 2. per-class NMS over every pass, through the same code as the detector's own.
  std::vector<Candidate> candidates;
  for (const PassDetection& d : all) {
    candidates.push_back({d.det.class_id, d.det.confidence, d.det.box});
  }
  std::vector<Candidate> kept_c =
      NmsPerClass(std::move(candidates), merge_iou, std::numeric_limits<int>::max());
  // Map the survivors back to their detections (boxes and scores are copied exactly).
  std::vector<PassDetection> kept;
  std::vector<bool> used(all.size(), false);
  for (const Candidate& c : kept_c) {
    for (size_t i = 0; i < all.size(); ++i) {
      const Box& b = all[i].det.box;
      if (!used[i] && all[i].det.class_id == c.class_id && all[i].det.confidence == c.score &&
          b.x1 == c.box.x1 && b.y1 == c.box.y1 && b.x2 == c.box.x2 && b.y2 == c.box.y2) {
        used[i] = true;
        kept.push_back(std::move(all[i]));
        break;
      }
    }
  }
  // 3. parts of an object that another pass saw whole (kept is sorted by score).
  std::vector<Detection> out;
  std::vector<const PassDetection*> taken;
  for (const PassDetection& d : kept) {
    const float area = Area(d.det.box);
    const bool part = std::any_of(taken.begin(), taken.end(), [&](const PassDetection* k) {
      return k->tile != d.tile && k->det.class_id == d.det.class_id && area > 0 &&
             Intersection(k->det.box, d.det.box) >= 0.9f * area;
    });
    if (part) continue;
    taken.push_back(&d);
    out.push_back(d.det);
    if (int(out.size()) >= max_detections) break;
  }
  return out;
}

Result<DetectionOutput> DetectSliced(const Detector& detector, const DecodedImage& image,
                                     const SliceOptions& o) {
  VS_RETURN_IF_ERROR(ValidateSliceOptions(o));
  const auto& info = detector.info();
  const std::vector<Tile> tiles =
      PlanTiles(image.width, image.height, info.input_width, info.input_height, o);
  if (tiles.empty()) return detector.Detect(image);
  if (image.bgr.empty() || image.width <= 0 || image.height <= 0) {
    return Status::InvalidArgument("detector input must be a non-empty 8-bit BGR image");
  }
  // Tiles are planned in full-resolution pixels; the decoded pixels may be fewer.
  const double sx = double(image.bgr.cols) / image.width;
  const double sy = double(image.bgr.rows) / image.height;
  // The tiles (index i) and then the full frame (-1), detected together.
  std::vector<DecodedImage> parts;
  std::vector<int> pass_tile;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const Tile& t = tiles[i];
    const int x1 = int(std::floor(t.x * sx)), y1 = int(std::floor(t.y * sy));
    const int x2 = std::min(image.bgr.cols, int(std::ceil((t.x + t.width) * sx)));
    const int y2 = std::min(image.bgr.rows, int(std::ceil((t.y + t.height) * sy)));
    if (x2 <= x1 || y2 <= y1) continue;
    DecodedImage part;
    part.bgr = image.bgr(cv::Rect(x1, y1, x2 - x1, y2 - y1));
    part.format = image.format;
    part.width = t.width;
    part.height = t.height;
    parts.push_back(std::move(part));
    pass_tile.push_back(int(i));
  }
  if (o.full_frame) {
    parts.push_back(image);
    pass_tile.push_back(-1);
  }
  auto passes = detector.DetectBatch(parts);
  if (!passes.ok()) return passes.status();
  DetectionOutput out;
  std::vector<PassDetection> all;
  for (size_t p = 0; p < passes->size(); ++p) {
    const DetectionOutput& pass = (*passes)[p];
    const int tile = pass_tile[p];
    const float dx = tile < 0 ? 0.f : float(tiles[size_t(tile)].x);
    const float dy = tile < 0 ? 0.f : float(tiles[size_t(tile)].y);
    out.preprocess_ms += pass.preprocess_ms;
    out.inference_ms += pass.inference_ms;
    out.postprocess_ms += pass.postprocess_ms;
    for (Detection d : pass.detections) {
      d.box = {d.box.x1 + dx, d.box.y1 + dy, d.box.x2 + dx, d.box.y2 + dy};
      all.push_back({std::move(d), tile});
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  out.detections =
      MergeSliced(std::move(all), tiles, detector.config().max_detections, o.merge_iou);
  out.postprocess_ms +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace vs::vision
