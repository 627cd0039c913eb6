// The COCO JSON layout (see dataset.h).
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "eval/dataset.h"
#include "eval/dataset_internal.h"

namespace vs::eval {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// "file: key[i]: " for messages about one element.
std::string Where(const fs::path& file, const char* key, size_t i) {
  return file.string() + ": " + key + "[" + std::to_string(i) + "]: ";
}

bool IsInt(const json& j, const char* key) { return j.contains(key) && j[key].is_number_integer(); }

Result<json> Parse(const fs::path& file) {
  auto text = internal::ReadText(file);
  if (!text.ok()) return text.status();
  try {
    return json::parse(*text);
  } catch (const json::parse_error& e) {
    const size_t upto = std::min(e.byte, text->size());
    const auto line = 1 + std::count(text->begin(), text->begin() + long(upto), '\n');
    return Status::InvalidValue(file.string() + ":" + std::to_string(line) + ": not valid JSON");
  }
}

Status ReadCategories(const json& root, const fs::path& file, Dataset* out,
                      std::map<int64_t, int>* class_of) {
  if (!root.contains("categories") || !root["categories"].is_array() ||
      root["categories"].empty()) {
    return Status::InvalidValue(file.string() + ": no categories array");
  }
  std::map<int64_t, std::string> by_id;  // COCO ids need not be contiguous: class = rank by id
  const json& cats = root["categories"];
  for (size_t i = 0; i < cats.size(); ++i) {
    const json& c = cats[i];
    if (!c.is_object() || !IsInt(c, "id") || !c.contains("name") || !c["name"].is_string()) {
      return Status::InvalidValue(Where(file, "categories", i) + "needs an integer id and a name");
    }
    if (!by_id.emplace(c["id"].get<int64_t>(), c["name"].get<std::string>()).second) {
      return Status::InvalidValue(Where(file, "categories", i) + "id " + c["id"].dump() +
                                  " given twice");
    }
  }
  for (const auto& [id, name] : by_id) {
    (*class_of)[id] = int(out->class_names.size());
    out->class_names.push_back(name);
    out->category_ids.push_back(id);
  }
  return Status::Ok();
}

// The image file: relative to the JSON's folder, else to images/ in it.
std::optional<fs::path> Resolve(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  for (const fs::path& p : {dir / name, dir / "images" / name}) {
    if (fs::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

Status ReadImages(const json& root, const fs::path& file, Dataset* out,
                  std::map<int64_t, size_t>* index_of) {
  if (!root.contains("images") || !root["images"].is_array()) {
    return Status::InvalidValue(file.string() + ": no images array");
  }
  const json& images = root["images"];
  std::map<int64_t, LabelledImage> by_id;
  for (size_t i = 0; i < images.size(); ++i) {
    const json& im = images[i];
    if (!im.is_object() || !IsInt(im, "id") || !im.contains("file_name") ||
        !im["file_name"].is_string() || !IsInt(im, "width") || !IsInt(im, "height") ||
        im["width"].get<int64_t>() < 1 || im["height"].get<int64_t>() < 1) {
      return Status::InvalidValue(
          Where(file, "images", i) +
          "needs an integer id, a file_name and a positive width and height");
    }
    const std::string name = im["file_name"].get<std::string>();
    const auto path = Resolve(file.parent_path(), name);
    if (!path) {
      return Status::NotFound(Where(file, "images", i) + "image '" + name + "' not found in " +
                              (file.parent_path() / "").string() + " or its images/ folder");
    }
    LabelledImage li;
    li.path = *path;
    li.width = int(im["width"].get<int64_t>());
    li.height = int(im["height"].get<int64_t>());
    if (!by_id.emplace(im["id"].get<int64_t>(), std::move(li)).second) {
      return Status::InvalidValue(Where(file, "images", i) + "id " + im["id"].dump() +
                                  " given twice");
    }
  }
  for (auto& [id, li] : by_id) {
    (*index_of)[id] = out->images.size();
    li.id = id;
    out->images.push_back(std::move(li));
  }
  return Status::Ok();
}

Status ReadAnnotations(const json& root, const fs::path& file,
                       const std::map<int64_t, int>& class_of,
                       const std::map<int64_t, size_t>& index_of, Dataset* out) {
  if (!root.contains("annotations")) return Status::Ok();
  const json& anns = root["annotations"];
  if (!anns.is_array())
    return Status::InvalidValue(file.string() + ": annotations is not an array");
  for (size_t i = 0; i < anns.size(); ++i) {
    const json& a = anns[i];
    const std::string where = Where(file, "annotations", i);
    if (!a.is_object() || !IsInt(a, "image_id") || !IsInt(a, "category_id")) {
      return Status::InvalidValue(where + "needs an integer image_id and category_id");
    }
    const auto image = index_of.find(a["image_id"].get<int64_t>());
    if (image == index_of.end()) {
      return Status::InvalidValue(where + "image_id " + a["image_id"].dump() + " is not in images");
    }
    const auto cls = class_of.find(a["category_id"].get<int64_t>());
    if (cls == class_of.end()) {
      return Status::InvalidValue(where + "category_id " + a["category_id"].dump() +
                                  " is not in categories");
    }
    const json* bbox = a.contains("bbox") ? &a["bbox"] : nullptr;
    if (!bbox || !bbox->is_array() || bbox->size() != 4 ||
        !std::all_of(bbox->begin(), bbox->end(), [](const json& v) { return v.is_number(); }) ||
        (*bbox)[2].get<double>() < 0 || (*bbox)[3].get<double>() < 0) {
      return Status::InvalidValue(where +
                                  "bbox must be [x, y, width, height] with width, height >= 0");
    }
    GroundTruth g;
    g.class_id = cls->second;
    g.box = {(*bbox)[0].get<double>(), (*bbox)[1].get<double>(), (*bbox)[2].get<double>(),
             (*bbox)[3].get<double>()};
    if (a.contains("iscrowd")) {
      const json& c = a["iscrowd"];
      if (!(c.is_boolean() ||
            (c.is_number_integer() && (c.get<int64_t>() == 0 || c.get<int64_t>() == 1)))) {
        return Status::InvalidValue(where + "iscrowd must be 0 or 1");
      }
      g.crowd = c.is_boolean() ? c.get<bool>() : c.get<int64_t>() == 1;
    }
    out->images[image->second].truths.push_back(g);
  }
  return Status::Ok();
}

}  // namespace

Result<Dataset> ReadCocoDataset(const fs::path& file) {
  auto root = Parse(file);
  if (!root.ok()) return root.status();
  if (!root->is_object()) return Status::InvalidValue(file.string() + ": not a COCO object");
  Dataset out;
  out.format = DatasetFormat::kCoco;
  out.source = file;
  std::map<int64_t, int> class_of;
  std::map<int64_t, size_t> index_of;
  VS_RETURN_IF_ERROR(ReadCategories(*root, file, &out, &class_of));
  VS_RETURN_IF_ERROR(ReadImages(*root, file, &out, &index_of));
  VS_RETURN_IF_ERROR(ReadAnnotations(*root, file, class_of, index_of, &out));
  if (out.images.empty()) return Status::NotFound(file.string() + ": no images");
  return out;
}

}  // namespace vs::eval
