// Sliced inference for photos much larger than the model's input: the photo is cut into
// overlapping tiles of about the input's size, each tile is detected on its own, and the
// detections are mapped back to the photo and merged (per-class NMS, then boxes that a tile edge
// cut in two are joined). Optionally one pass on the whole photo is merged in as well, so that
// objects larger than a tile are still found.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "vision/detector.h"

namespace vs::vision {

enum class SliceMode {
  kOff,   // one pass on the whole photo
  kGrid,  // always a fixed grid of cols x rows tiles
  kAuto,  // tiles of the input's size only when the photo is much larger than the input
};
const char* SliceModeName(SliceMode m);  // "off", "grid", "auto"
Result<SliceMode> ParseSliceMode(const std::string& name);

struct SliceOptions {
  SliceMode mode = SliceMode::kOff;
  int cols = 2, rows = 2;  // kGrid: tiles across and down (1..16)
  // Fraction of a tile's width (height) shared with its neighbour, 0 .. 0.5.
  float overlap = 0.2f;
  bool full_frame = true;  // also merge one pass on the whole photo
  // kAuto: tiles when the photo's longer side exceeds factor x the input's longer side (>= 1).
  float auto_factor = 2.f;
  // kAuto: at most this many tiles (1..256). When tiles of the input's size would be more, the
  // grid is coarsened (fewer, larger tiles, the same overlap) until it fits, so that a huge
  // photo costs at most max_tiles passes (plus the full frame).
  int max_tiles = 16;
  // Merging: IoU above which two boxes of one class are duplicates (per-class NMS).
  float merge_iou = 0.5f;
};
Status ValidateSliceOptions(const SliceOptions& o);

// A tile in pixels of the photo.
struct Tile {
  int x = 0, y = 0, width = 0, height = 0;
};

// The tiles for a photo of width x height and a model input of input_w x input_h; empty when
// `o` asks for no tiling (kOff, or kAuto on a photo that is not much larger). Tiles cover the
// photo, neighbours overlap by at least o.overlap, every tile lies inside the photo; kAuto
// plans at most o.max_tiles.
std::vector<Tile> PlanTiles(int width, int height, int input_w, int input_h, const SliceOptions& o);

// A detection in photo pixels and the pass it came from: an index into the tiles, or -1 for
// the full-frame pass.
struct PassDetection {
  Detection det;
  int tile = -1;
};

// All passes' detections merged into one list, highest confidence first, at most
// max_detections:
//   1. boxes of one class from two tiles that each reach the tile edge between them (a box cut
//      by that edge), overlap across it and line up along it (1-D IoU >= 0.5) are joined into
//      their union (confidence: the higher);
//   2. per-class NMS at merge_iou;
//   3. a box of one pass lying >= 90% inside a higher-scored box of the same class from another
//      pass (the part of an object that one tile saw) is dropped.
std::vector<Detection> MergeSliced(std::vector<PassDetection> all, const std::vector<Tile>& tiles,
                                   int max_detections, float merge_iou);

// Runs `detector` on `image` as `o` says. Without tiles this is detector.Detect(image). The
// tiles and the full frame go to detector.DetectBatch together, so a model with a batch
// dimension runs them in batches (see Detector::DetectBatch). inference_ms and the other times
// are the sums over the passes.
Result<DetectionOutput> DetectSliced(const Detector& detector, const DecodedImage& image,
                                     const SliceOptions& o);

}  // namespace vs::vision
