// The Ultralytics/YOLO layout (see dataset.h).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "eval/data_yaml.h"
#include "eval/dataset.h"
#include "eval/dataset_internal.h"
#include "vision/class_names.h"

namespace vs::eval {
namespace fs = std::filesystem;
namespace {

struct Names {
  std::vector<std::string> names;
  std::optional<std::string> val;
};

Result<Names> ReadNames(const fs::path& root, const fs::path& yaml) {
  if (!yaml.empty()) {
    auto text = internal::ReadText(yaml);
    if (!text.ok()) return text.status();
    auto parsed = ParseDataYaml(*text, yaml.string());
    if (!parsed.ok()) return parsed.status();
    return Names{std::move(parsed->names), std::move(parsed->val)};
  }
  std::error_code ec;
  std::vector<fs::path> candidates;
  if (fs::is_regular_file(root / "classes.txt", ec)) {
    candidates.push_back(root / "classes.txt");
  } else {
    for (const auto& e : fs::directory_iterator(root, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".names") candidates.push_back(e.path());
    }
  }
  if (candidates.size() != 1) {
    return Status::NotFound(root.string() +
                            ": no class names: expected data.yaml, classes.txt or " +
                            "one *.names file (found " + std::to_string(candidates.size()) + ")");
  }
  auto names = vision::ReadLabelsFile(candidates[0].string());
  if (!names.ok())
    return Status(names.status().code(), candidates[0].string() + ": " + names.status().message());
  return Names{std::move(*names), std::nullopt};
}

// Ultralytics' rule: the last "/images/" of the image path becomes "/labels/", the extension .txt.
std::optional<fs::path> LabelPathFor(const fs::path& image) {
  const std::string s = "/" + image.string();  // so that a relative "images/..." matches too
  const size_t at = s.rfind("/images/");
  if (at == std::string::npos) return std::nullopt;
  const std::string label = s.substr(0, at) + "/labels/" + s.substr(at + 8);
  return fs::path(label.substr(1)).replace_extension(".txt");
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename T>
bool Parse(const std::string& s, T* v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size();
}

// One label line into a normalised box; `where` is "file:line: ".
Result<GroundTruth> ParseLine(const std::vector<std::string>& f, size_t classes,
                              const std::string& where) {
  if (f.size() != 5 && (f.size() < 7 || f.size() % 2 == 0)) {
    return Status::InvalidValue(
        where + "expected 'class cx cy w h' or 'class x1 y1 x2 y2 x3 y3 ...', got " +
        std::to_string(f.size()) + " fields");
  }
  int cls = -1;
  if (!Parse(f[0], &cls) || cls < 0) {
    return Status::InvalidValue(where + "class '" + f[0] + "' is not a class id");
  }
  if (size_t(cls) >= classes) {
    return Status::InvalidValue(where + "class " + f[0] + " out of range (" +
                                std::to_string(classes) + " class names)");
  }
  std::vector<double> v;
  for (size_t i = 1; i < f.size(); ++i) {
    double x = 0;
    if (!Parse(f[i], &x) || !std::isfinite(x) || x < 0 || x > 1) {
      return Status::InvalidValue(where + "'" + f[i] + "' is not a number in [0, 1]");
    }
    v.push_back(x);
  }
  GroundTruth g;
  g.class_id = cls;
  if (v.size() == 4) {
    g.box = {v[0] - v[2] / 2, v[1] - v[3] / 2, v[2], v[3]};
  } else {  // polygon: its enclosing box
    double x1 = 1, y1 = 1, x2 = 0, y2 = 0;
    for (size_t i = 0; i + 1 < v.size(); i += 2) {
      x1 = std::min(x1, v[i]), x2 = std::max(x2, v[i]);
      y1 = std::min(y1, v[i + 1]), y2 = std::max(y2, v[i + 1]);
    }
    g.box = {x1, y1, x2 - x1, y2 - y1};
  }
  return g;
}

Result<std::vector<GroundTruth>> ReadLabels(const fs::path& file, size_t classes) {
  auto text = internal::ReadText(file);
  if (!text.ok()) return text.status();
  std::vector<GroundTruth> out;
  size_t line_no = 0, start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    ++line_no;
    const auto fields = Split(text->substr(start, end - start));
    start = end + 1;
    if (fields.empty()) continue;
    auto g = ParseLine(fields, classes, file.string() + ":" + std::to_string(line_no) + ": ");
    if (!g.ok()) return g.status();
    out.push_back(*g);
  }
  return out;
}

Result<Dataset> ReadYolo(const fs::path& path) {
  std::error_code ec;
  fs::path root = path, yaml;
  if (fs::is_regular_file(path, ec)) {
    yaml = path;
    root = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  } else if (fs::is_directory(path, ec)) {
    for (const char* name : {"data.yaml", "data.yml"}) {
      if (fs::is_regular_file(root / name, ec)) {
        yaml = root / name;
        break;
      }
    }
  } else {
    return Status::NotFound(path.string() + ": no such folder or file");
  }
  auto names = ReadNames(root, yaml);
  if (!names.ok()) return names.status();

  const fs::path images_dir = (root / names->val.value_or("images")).lexically_normal();
  if (!fs::is_directory(images_dir, ec)) {
    return Status::NotFound(images_dir.string() + ": no such images folder");
  }
  Dataset out;
  out.format = DatasetFormat::kYolo;
  out.source = path;
  out.class_names = std::move(names->names);
  for (size_t i = 0; i < out.class_names.size(); ++i) out.category_ids.push_back(int64_t(i));
  std::vector<fs::path> images;
  for (const auto& e : fs::recursive_directory_iterator(images_dir, ec)) {
    if (e.is_regular_file() && internal::IsImageFile(e.path())) images.push_back(e.path());
  }
  if (ec) return Status::NotFound(images_dir.string() + ": " + ec.message());
  std::sort(images.begin(), images.end());

  std::set<fs::path> expected_labels;
  for (const fs::path& image : images) {
    const auto label = LabelPathFor(image);
    if (!label) {
      return Status::InvalidValue(image.string() +
                                  ": not under an images/ folder, so it has no labels/ path");
    }
    expected_labels.insert(*label);
    LabelledImage li;
    li.id = int64_t(out.images.size()) + 1;
    li.path = image;
    li.normalized = true;
    if (fs::is_regular_file(*label, ec)) {
      auto truths = ReadLabels(*label, out.class_names.size());
      if (!truths.ok()) return truths.status();
      li.truths = std::move(*truths);
    }
    out.images.push_back(std::move(li));
  }
  // A label file whose image is missing is an error: its objects would silently go uncounted.
  const auto labels_dir = LabelPathFor(images_dir / "x");
  if (labels_dir && fs::is_directory(labels_dir->parent_path(), ec)) {
    for (const auto& e : fs::recursive_directory_iterator(labels_dir->parent_path(), ec)) {
      if (!e.is_regular_file() || e.path().extension() != ".txt" ||
          e.path().filename() == "classes.txt") {
        continue;
      }
      if (!expected_labels.count(e.path())) {
        return Status::NotFound(e.path().string() + ": no image for these labels under " +
                                images_dir.string());
      }
    }
  }
  if (out.images.empty()) return Status::NotFound(images_dir.string() + ": no images");
  return out;
}

}  // namespace

Result<Dataset> ReadYoloDataset(const fs::path& path) {
  try {
    return ReadYolo(path);
  } catch (const fs::filesystem_error& e) {  // a folder that vanishes or denies access mid-walk
    return Status::NotFound(e.what());
  }
}

}  // namespace vs::eval
