// Labelled image sets for evaluation, read from disk in one of two layouts:
//  - Ultralytics/YOLO: a folder with images/ (any depth) and labels/ mirroring it, one
//    "<class> <cx> <cy> <w> <h>" line per object (fractions of the image size; a polygon line
//    "<class> x1 y1 x2 y2 x3 y3 ..." counts as its enclosing box); class names from data.yaml
//    (`names:` as a list or a {id: name} mapping; `val:` may name the images folder), else
//    classes.txt, else the folder's one *.names file. An image without a label file has no objects.
//  - COCO: a JSON file with images (file_name, width, height), annotations (bbox [x, y, w, h] in
//    pixels, iscrowd) and categories; file names are relative to the JSON's folder (or images/ in
//    it).
// Any defect (an unreadable or malformed file, a label without its image, a class out of range)
// fails the whole read with a Status naming the file and line (YOLO) or element (COCO).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/metrics.h"

namespace vs::eval {

enum class DatasetFormat { kYolo, kCoco };
const char* DatasetFormatName(DatasetFormat f);  // "yolo", "coco"

struct LabelledImage {
  int64_t id = 0;              // COCO: the image id; YOLO: 1-based position in the sorted set
  std::filesystem::path path;  // the image file
  // The size the labels refer to: COCO's recorded width and height. YOLO labels are fractions
  // of the size the image decodes to, which is known only once decoded: normalized is then true
  // and width/height are 0.
  int width = 0, height = 0;
  bool normalized = false;
  std::vector<GroundTruth> truths;  // class ids index Dataset::class_names
};

struct Dataset {
  DatasetFormat format = DatasetFormat::kYolo;
  std::filesystem::path source;          // the folder or JSON file that was read
  std::vector<std::string> class_names;  // class id = index
  std::vector<int64_t> category_ids;     // per class: COCO category id; YOLO: the class id
  std::vector<LabelledImage> images;     // YOLO: sorted by path; COCO: by image id
};

// PATH is a YOLO folder, a YOLO data.yaml, or a COCO .json file.
Result<Dataset> ReadDataset(const std::filesystem::path& path);
Result<Dataset> ReadYoloDataset(const std::filesystem::path& folder_or_yaml);
Result<Dataset> ReadCocoDataset(const std::filesystem::path& json_file);

// The image's ground truth in pixels of the decoded, upright image (width x height).
// InvalidValue when the labels were recorded for another size (COCO width/height).
Result<std::vector<GroundTruth>> TruthsInPixels(const LabelledImage& image, int width, int height);

}  // namespace vs::eval
