#include "demo/demo.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace vs::demo {
namespace {

constexpr const char* kOpenCv = "/usr/share/doc/opencv-doc/examples/data/";  // opencv-doc

struct CatalogueEntry {
  const char* class_name;
  const char* sku;
  const char* product_name;
};

// The bundled model's (COCO) classes that a shop sells, as demo products.
constexpr CatalogueEntry kCatalogue[] = {
    {"bottle", "DEMO-BOTTLE", "Mineral water 1.5 l"},
    {"cup", "DEMO-CUP", "Coffee mug"},
    {"wine glass", "DEMO-WINE-GLASS", "Wine glass"},
    {"bowl", "DEMO-BOWL", "Cereal bowl"},
    {"banana", "DEMO-BANANA", "Bananas, loose"},
    {"apple", "DEMO-APPLE", "Apples, loose"},
    {"orange", "DEMO-ORANGE", "Oranges, loose"},
    {"broccoli", "DEMO-BROCCOLI", "Broccoli"},
    {"carrot", "DEMO-CARROT", "Carrots"},
    {"donut", "DEMO-DONUT", "Donut"},
    {"cake", "DEMO-CAKE", "Cake slice"},
    {"sandwich", "DEMO-SANDWICH", "Sandwich"},
    {"book", "DEMO-BOOK", "Paperback"},
    {"vase", "DEMO-VASE", "Flower vase"},
    {"scissors", "DEMO-SCISSORS", "Scissors"},
    {"teddy bear", "DEMO-TEDDY", "Teddy bear"},
    {"clock", "DEMO-CLOCK", "Wall clock"},
    {"cell phone", "DEMO-PHONE", "Mobile phone"},
};

bool IsDemoProduct(const store::Product& p) {
  return p.brand == kBrand && p.sku.rfind("DEMO-", 0) == 0;
}

bool IsDemoPlanogram(const store::Planogram& p) {
  const auto it = p.meta_data.find("demo");
  return it != p.meta_data.end() && it->is_boolean() && it->get<bool>();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

// Adds the demo product of every catalogue class that has no product yet; returns class -> sku
// of every class afterwards.
Result<std::map<std::string, std::string>> EnsureProducts(store::Store& store, Report* report) {
  auto products = store.ListProducts();
  if (!products.ok()) return products.status();
  std::map<std::string, std::string> sku_of;
  std::set<std::string> skus;
  for (const auto& p : *products) {
    sku_of[p.class_name] = p.sku;
    skus.insert(p.sku);
  }
  for (const CatalogueEntry& e : kCatalogue) {
    if (sku_of.count(e.class_name) || skus.count(e.sku)) continue;
    auto added = store.UpsertProduct({.class_name = e.class_name,
                                      .sku = e.sku,
                                      .product_name = std::string(e.product_name) + " (demo)",
                                      .brand = kBrand});
    if (!added.ok()) return added.status();
    sku_of[e.class_name] = e.sku;
    ++report->products;
  }
  return sku_of;
}

Status EnsurePlanogram(store::Store& store, const Shelf& shelf,
                       const std::map<std::string, std::string>& sku_of, Report* report) {
  const std::string name = "demo-" + shelf.shelf_location;
  auto rows = store.ListPlanograms({.planogram_name = name});
  if (!rows.ok()) return rows.status();
  std::set<std::string> planned;
  for (const auto& r : *rows) planned.insert(r.sku);
  for (const auto& [class_name, facings] : shelf.planned) {
    const auto sku = sku_of.find(class_name);
    const std::string s = sku == sku_of.end() ? class_name : sku->second;
    if (planned.count(s)) continue;
    store::Planogram row;
    row.planogram_name = name;
    row.sku = s;
    row.product_name = class_name;
    row.shelf_location = shelf.shelf_location;
    row.expected_count = facings;
    row.meta_data = {{"demo", true}, {"store", kStore}};
    auto created = store.CreatePlanogram(row);
    if (!created.ok()) return created.status();
    planned.insert(s);
    ++report->planogram_rows;
  }
  return Status::Ok();
}

}  // namespace

const std::vector<Shelf>& Shelves() {
  // Photos whose objects the bundled model finds as retail classes; the planograms ask for a
  // little more than the photos show, so that the compliance pages have gaps to report.
  static const std::vector<Shelf> kShelves = {
      {"fruit-stand",
       std::string(kOpenCv) + "fruits.jpg",
       {{"orange", 4}, {"apple", 3}, {"banana", 2}, {"bowl", 1}}},
      {"apples", std::string(kOpenCv) + "apple.jpg", {{"apple", 3}, {"cake", 1}}},
      {"oranges", std::string(kOpenCv) + "orange.jpg", {{"orange", 2}, {"apple", 1}}},
      {"desk-supplies",
       std::string(kOpenCv) + "stuff.jpg",
       {{"scissors", 2}, {"cup", 2}, {"bowl", 1}}},
      {"books", std::string(kOpenCv) + "box_in_scene.png", {{"book", 6}, {"cell phone", 1}}},
  };
  return kShelves;
}

Result<Report> Load(store::Store& store, const ingest::ScanService& scans,
                    const vision::Detector* detector, std::optional<store::Id> model_version_id) {
  if (!detector && !scans.detector()) {
    return Status::Unavailable("no model is loaded: " + scans.model_reason());
  }
  Report report;
  auto sku_of = EnsureProducts(store, &report);
  if (!sku_of.ok()) return sku_of.status();
  for (const Shelf& shelf : Shelves()) {
    VS_RETURN_IF_ERROR(EnsurePlanogram(store, shelf, *sku_of, &report));
    auto existing =
        store.ListScans({.store = kStore, .shelf_location = shelf.shelf_location}, {.limit = 1});
    if (!existing.ok()) return existing.status();
    if (!existing->items.empty()) continue;
    auto bytes = ReadFile(shelf.photo);
    if (!bytes.ok()) {
      report.missing.push_back(shelf.photo);
      continue;
    }
    ingest::ScanInput input{
        .bytes = *bytes, .store = kStore, .shelf_location = shelf.shelf_location};
    if (detector) {
      input.detector = detector;
      input.model_version_id = model_version_id;
    }
    auto out = scans.Scan(input);
    if (!out.ok()) return out.status();
    ++report.scans;
    report.detections += out->scan.detections_count;
  }
  return report;
}

Result<Report> Remove(store::Store& store, const ingest::ImageFiles& files) {
  Report report;
  auto removed = store.DeleteScansOfStore(kStore);
  if (!removed.ok()) return removed.status();
  for (const auto& scan : *removed) {
    report.detections += scan.detections_count;
    if (!scan.image_path.empty()) {
      files.Remove(scan.image_path);
      ++report.photos;
    }
  }
  report.scans = static_cast<int>(removed->size());
  auto rows = store.ListPlanograms({});
  if (!rows.ok()) return rows.status();
  for (const auto& r : *rows) {
    if (!IsDemoPlanogram(r)) continue;
    VS_RETURN_IF_ERROR(store.DeletePlanogram(r.id));
    ++report.planogram_rows;
  }
  auto products = store.ListProducts();
  if (!products.ok()) return products.status();
  for (const auto& p : *products) {
    if (!IsDemoProduct(p)) continue;
    VS_RETURN_IF_ERROR(store.DeleteProduct(p.class_name));
    ++report.products;
  }
  return report;
}

nlohmann::json ToJson(const Report& r) {
  return {{"store", kStore},
          {"scans", r.scans},
          {"detections", r.detections},
          {"products", r.products},
          {"planogram_rows", r.planogram_rows},
          {"photos", r.photos},
          {"missing", r.missing}};
}

}  // namespace vs::demo
