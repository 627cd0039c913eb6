#include "eval/dataset.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "eval/dataset_internal.h"

namespace vs::eval {
namespace fs = std::filesystem;

namespace internal {

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot be read");
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) return Status::NotFound(path.string() + ": cannot be read");
  return std::move(data).str();
}

bool IsImageFile(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp";
}

}  // namespace internal

const char* DatasetFormatName(DatasetFormat f) {
  return f == DatasetFormat::kYolo ? "yolo" : "coco";
}

Result<Dataset> ReadDataset(const fs::path& path) {
  if (path.extension() == ".json") return ReadCocoDataset(path);
  return ReadYoloDataset(path);
}

Result<std::vector<GroundTruth>> TruthsInPixels(const LabelledImage& image, int width, int height) {
  if (!image.normalized) {
    if (image.width != width || image.height != height) {
      return Status::InvalidValue(image.path.string() + ": labelled as " +
                                  std::to_string(image.width) + "x" + std::to_string(image.height) +
                                  " but the image is " + std::to_string(width) + "x" +
                                  std::to_string(height));
    }
    return image.truths;
  }
  std::vector<GroundTruth> out = image.truths;
  for (GroundTruth& g : out) {
    g.box = {g.box.x * width, g.box.y * height, g.box.w * width, g.box.h * height};
  }
  return out;
}

}  // namespace vs::eval
