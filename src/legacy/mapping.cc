#include "legacy/mapping.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/time.h"

namespace vs::legacy {
namespace {

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

bool SafeFileChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Clips [c - s/2, c + s/2] to [0, 1]; false when it overhangs by more than kMaxOverhang.
bool ClipSpan(double* centre, double* size, bool* clipped) {
  double lo = *centre - *size / 2, hi = *centre + *size / 2;
  if (lo < -kMaxOverhang || hi > 1 + kMaxOverhang) return false;
  if (lo < 0 || hi > 1) {
    lo = std::max(lo, 0.0);
    hi = std::min(hi, 1.0);
    if (hi <= lo) return false;
    *centre = (lo + hi) / 2;
    *size = hi - lo;
    *clipped = true;
  }
  return true;
}

}  // namespace

std::string ImagePathFor(const std::string& legacy_image_path) {
  const auto slash = legacy_image_path.find_last_of("/\\");
  std::string name =
      slash == std::string::npos ? legacy_image_path : legacy_image_path.substr(slash + 1);
  for (char& c : name) {
    if (!SafeFileChar(c)) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "image";
  if (name.size() > 100) name.resize(100);
  return "legacy/" + Sha256Hex(legacy_image_path).substr(0, 16) + "/" + name;
}

std::optional<store::NewDetection> MapDetection(const LegacyDetection& row, Tally* mapped,
                                                Tally* skipped) {
  const auto skip = [&](const char* reason) {
    ++(*skipped)[reason];
    return std::nullopt;
  };
  if (!row.class_name || row.class_name->empty()) return skip("detection without class_name");
  if (!row.confidence || !std::isfinite(*row.confidence) || *row.confidence < 0 ||
      *row.confidence > 1) {
    return skip("confidence missing or outside 0..1");
  }
  if (!row.x_center || !row.y_center || !row.width || !row.height) {
    return skip("box incomplete (a null coordinate)");
  }
  store::NewDetection d;
  d.class_name = *row.class_name;
  // The earlier table kept no class index; -1 says "unknown" rather than inventing one.
  d.class_id = -1;
  d.confidence = *row.confidence;
  d.x_center = *row.x_center;
  d.y_center = *row.y_center;
  d.width = *row.width;
  d.height = *row.height;
  for (double v : {d.x_center, d.y_center, d.width, d.height}) {
    if (!std::isfinite(v)) return skip("box not finite");
  }
  if (std::max({d.x_center, d.y_center, d.width, d.height}) > 1 + kMaxOverhang) {
    return skip("box in pixels (no image size to normalise it)");
  }
  if (d.width <= 0 || d.height <= 0) return skip("box with zero or negative size");
  bool clipped = false;
  if (!ClipSpan(&d.x_center, &d.width, &clipped) || !ClipSpan(&d.y_center, &d.height, &clipped)) {
    return skip("box outside the photo");
  }
  if (clipped) ++(*mapped)["box overhanging the photo clipped to it"];
  return d;
}

std::optional<store::NewScan> MapScan(std::span<const LegacyDetection> rows,
                                      const ScanDefaults& defaults,
                                      const std::map<int64_t, store::Id>& model_ids, Tally* mapped,
                                      Tally* skipped) {
  if (rows.empty()) return std::nullopt;
  store::NewScan scan;
  scan.store = defaults.store;
  scan.image_path = ImagePathFor(rows.front().image_path.value_or(""));
  std::optional<int64_t> earliest;
  std::optional<std::string> shelf;
  std::optional<int64_t> legacy_model;
  for (const auto& row : rows) {
    if (row.timestamp_ms)
      earliest = std::min(earliest.value_or(*row.timestamp_ms), *row.timestamp_ms);
    if (row.shelf_location && !row.shelf_location->empty()) {
      if (shelf && *shelf != *row.shelf_location) {
        ++(*mapped)["rows of one image with another shelf_location: the scan keeps the first"];
      }
      if (!shelf) shelf = row.shelf_location;
    }
    if (row.model_version_id && !legacy_model) legacy_model = row.model_version_id;
  }
  if (!earliest) {
    (*skipped)["image whose rows all lack a timestamp"] += static_cast<int64_t>(rows.size());
    return std::nullopt;
  }
  for (const auto& row : rows) {
    auto d = MapDetection(row, mapped, skipped);
    if (d) scan.detections.push_back(std::move(*d));
  }
  if (scan.detections.empty()) return std::nullopt;
  if (!shelf) {
    shelf = defaults.unassigned_shelf;
    (*mapped)["shelf_location missing: set to '" + defaults.unassigned_shelf + "'"] +=
        static_cast<int64_t>(scan.detections.size());
  }
  scan.shelf_location = *shelf;
  scan.captured_at = FromUnixMillis(*earliest);
  scan.received_at = scan.captured_at;
  if (legacy_model) {
    const auto it = model_ids.find(*legacy_model);
    if (it != model_ids.end()) {
      scan.model_version_id = it->second;
    } else {
      (*mapped)["model_version_id of no imported model: left empty"] +=
          static_cast<int64_t>(scan.detections.size());
    }
  }
  return scan;
}

std::vector<store::Product> CatalogueFromSkus(std::span<const SkuPair> pairs,
                                              std::span<const store::Product> catalogue,
                                              Tally* skipped) {
  std::map<std::string, std::set<std::string>> skus_of_class, classes_of_sku;
  for (const auto& p : pairs) {
    skus_of_class[p.class_name].insert(p.sku);
    classes_of_sku[p.sku].insert(p.class_name);
  }
  std::set<std::string> known_classes, known_skus;
  for (const auto& p : catalogue) {
    known_classes.insert(p.class_name);
    known_skus.insert(p.sku);
  }
  std::vector<store::Product> out;
  for (const auto& [cls, skus] : skus_of_class) {
    const std::string& sku = *skus.begin();
    const char* why = nullptr;
    if (known_classes.count(cls)) {
      why = "class already in the catalogue: its SKU stays";
    } else if (skus.size() > 1) {
      why = "class carried several SKUs: not added to the catalogue";
    } else if (classes_of_sku[sku].size() > 1 || known_skus.count(sku)) {
      why = "SKU carried by several classes: not added to the catalogue";
    }
    if (why) {
      ++(*skipped)[why];
      continue;
    }
    store::Product p;
    p.class_name = cls;
    p.sku = sku;
    p.product_name = sku;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace vs::legacy
