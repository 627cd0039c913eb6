#include "legacy/importer.h"

#include <set>

#include "core/time.h"
#include "store/checks.h"

namespace vs::legacy {
namespace {

nlohmann::json CountsJson(const Counts& c) {
  return {{"imported", c.imported}, {"present", c.present}, {"skipped", c.skipped}};
}

// Earlier model id → this store's id.
Result<std::map<int64_t, store::Id>> ImportModels(Source& source, store::Store& store,
                                                  ImportReport* report) {
  std::map<int64_t, store::Id> ids;
  auto legacy = source.Models();
  if (!legacy.ok()) return legacy.status();
  auto existing = store.ListModels();
  if (!existing.ok()) return existing.status();
  std::map<std::string, store::Id> by_name;
  for (const auto& m : *existing) by_name[m.version_name] = m.id;
  for (auto& [legacy_id, m] : *legacy) {
    if (m.version_name.empty()) {
      ++report->models.skipped;
      ++report->skipped["model version without version_name"];
      continue;
    }
    if (auto it = by_name.find(m.version_name); it != by_name.end()) {
      ids[legacy_id] = it->second;
      ++report->models.present;
      continue;
    }
    // Imported inactive: the serving model is the one this server loads.
    m.is_active = false;
    auto saved = store.UpsertModel(m);
    if (!saved.ok()) return saved.status();
    ids[legacy_id] = saved->id;
    by_name[m.version_name] = saved->id;
    ++report->models.imported;
  }
  return ids;
}

Status ImportMetrics(Source& source, store::Store& store,
                     const std::map<int64_t, store::Id>& model_ids, ImportReport* report) {
  auto legacy = source.Metrics();
  if (!legacy.ok()) return legacy.status();
  std::map<store::Id, std::set<int64_t>> dates;  // model → evaluation dates already stored
  for (auto& m : *legacy) {
    const auto it = model_ids.find(m.model_version_id);
    if (it == model_ids.end()) {
      ++report->metrics.skipped;
      ++report->skipped["metrics of no imported model version"];
      continue;
    }
    m.model_version_id = it->second;
    if (!dates.count(it->second)) {
      auto model = store.GetModel(it->second);
      if (!model.ok()) return model.status();
      auto& set = dates[it->second];
      for (const auto& stored : model->metrics) set.insert(ToUnixMillis(stored.evaluation_date));
    }
    if (!dates[it->second].insert(ToUnixMillis(m.evaluation_date)).second) {
      ++report->metrics.present;
      continue;
    }
    auto saved = store.AddModelMetrics(m);
    if (!saved.ok()) return saved.status();
    ++report->metrics.imported;
  }
  return Status::Ok();
}

Status ImportCatalogue(Source& source, store::Store& store, ImportReport* report) {
  auto pairs = source.SkuPairs();
  if (!pairs.ok()) return pairs.status();
  auto catalogue = store.ListProducts();
  if (!catalogue.ok()) return catalogue.status();
  std::set<std::string> known;
  for (const auto& p : *catalogue) known.insert(p.class_name + "\n" + p.sku);
  Tally why;
  for (auto& p : CatalogueFromSkus(*pairs, *catalogue, &why)) {
    auto saved = store.UpsertProduct(p);
    if (!saved.ok()) return saved.status();
    ++report->products.imported;
  }
  for (const auto& p : *pairs) {
    if (known.count(p.class_name + "\n" + p.sku)) ++report->products.present;
  }
  for (const auto& [reason, n] : why) {
    if (reason.starts_with("class already")) continue;  // counted as present or as its own SKU
    report->products.skipped += n;
    report->skipped[reason] += n;
  }
  return Status::Ok();
}

// Earlier planogram id → (this store's id, planogram name).
using PlanogramIds = std::map<int64_t, std::pair<store::Id, std::string>>;

Result<PlanogramIds> ImportPlanograms(Source& source, store::Store& store,
                                      const ScanDefaults& defaults, ImportReport* report) {
  PlanogramIds ids;
  auto legacy = source.Planograms();
  if (!legacy.ok()) return legacy.status();
  for (auto& [legacy_id, row] : *legacy) {
    const auto skip = [&](const char* reason) {
      ++report->planograms.skipped;
      ++report->skipped[reason];
    };
    if (row.planogram_name.empty()) {
      skip("planogram row without planogram_name");
      continue;
    }
    if (row.sku.empty()) {
      skip("planogram row without sku");
      continue;
    }
    if (row.expected_count < 0) {
      skip("planogram row without a valid expected_count");
      continue;
    }
    if (row.shelf_location.empty()) {
      row.shelf_location = defaults.unassigned_shelf;
      ++report->mapped["planogram shelf_location missing: set to '" + defaults.unassigned_shelf +
                       "'"];
    }
    store::PlanogramFilter filter;
    filter.planogram_name = row.planogram_name;
    filter.sku = row.sku;
    filter.shelf_location = row.shelf_location;
    auto existing = store.ListPlanograms(filter);
    if (!existing.ok()) return existing.status();
    if (!existing->empty()) {
      ids[legacy_id] = {existing->front().id, row.planogram_name};
      ++report->planograms.present;
      continue;
    }
    auto saved = store.CreatePlanogram(row);
    if (!saved.ok()) {
      if (saved.status().code() != Code::kInvalidValue) return saved.status();
      skip("planogram row the store refuses (invalid value)");
      continue;
    }
    ids[legacy_id] = {saved->id, row.planogram_name};
    ++report->planograms.imported;
  }
  return ids;
}

Status ImportDiscrepancies(Source& source, store::Store& store, const PlanogramIds& planograms,
                           ImportReport* report) {
  auto legacy = source.Discrepancies();
  if (!legacy.ok()) return legacy.status();
  std::map<std::string, std::vector<store::Discrepancy>> by_planogram;
  for (auto& d : *legacy) {
    const auto it = planograms.find(d.planogram_id);
    if (it == planograms.end() || d.row.discrepancy_type.empty()) {
      ++report->discrepancies.skipped;
      ++report->skipped[it == planograms.end() ? "discrepancy of no imported planogram"
                                               : "discrepancy without discrepancy_type"];
      continue;
    }
    d.row.planogram_id = it->second.first;
    by_planogram[it->second.second].push_back(std::move(d.row));
  }
  for (const auto& [name, rows] : by_planogram) {
    auto stored = store.ListDiscrepancies(name, std::nullopt, std::nullopt, 1);
    if (!stored.ok()) return stored.status();
    if (!stored->empty()) {  // a previous run, or this server's own analysis, wrote them
      report->discrepancies.present += static_cast<int64_t>(rows.size());
      continue;
    }
    auto saved = store.ReplaceDiscrepancies(name, rows);
    if (!saved.ok()) return saved.status();
    report->discrepancies.imported += static_cast<int64_t>(saved->size());
  }
  return Status::Ok();
}

// image_path of every scan already in the store's `store_name`.
Result<std::set<std::string>> ExistingImagePaths(store::Store& store,
                                                 const std::string& store_name) {
  std::set<std::string> paths;
  store::ScanFilter filter;
  filter.store = store_name;
  store::PageRequest page;
  page.limit = 1000;
  for (;;) {
    auto got = store.ListScans(filter, page);
    if (!got.ok()) return got.status();
    for (const auto& s : got->items) {
      if (s.image_path.starts_with("legacy/")) paths.insert(s.image_path);
    }
    if (!got->next_cursor) break;
    page.cursor = got->next_cursor;
  }
  return paths;
}

class ScanWriter {
 public:
  ScanWriter(store::Store& store, const ImportOptions& options,
             const std::map<int64_t, store::Id>& model_ids, std::set<std::string> existing,
             ImportReport* report)
      : store_(store),
        options_(options),
        model_ids_(model_ids),
        existing_(std::move(existing)),
        report_(report) {}

  // Rows arrive in image_path order; a group is written when the next path starts.
  Status Add(std::vector<LegacyDetection>& rows) {
    for (auto& row : rows) {
      if (!row.image_path || row.image_path->empty()) {
        ++report_->detections.skipped;
        ++report_->skipped["detection without image_path (cannot be grouped into a scan)"];
        continue;
      }
      if (!group_.empty() && *group_.front().image_path != *row.image_path) {
        VS_RETURN_IF_ERROR(Flush());
      }
      group_.push_back(std::move(row));
    }
    return Status::Ok();
  }

  Status Flush() {
    if (group_.empty()) return Status::Ok();
    std::vector<LegacyDetection> rows;
    rows.swap(group_);
    const bool present = existing_.count(ImagePathFor(*rows.front().image_path)) > 0;
    // A scan a previous run imported is mapped again only to report the same reasons.
    Tally mapped, skipped;
    auto scan = MapScan(rows, options_.defaults, model_ids_, &mapped, &skipped);
    if (present) {
      ++report_->scans.present;
      report_->detections.present += scan ? static_cast<int64_t>(scan->detections.size()) : 0;
    } else {
      for (const auto& [reason, count] : mapped) report_->mapped[reason] += count;
    }
    int64_t skipped_rows = 0;
    for (const auto& [reason, count] : skipped) {
      report_->skipped[reason] += count;
      skipped_rows += count;
    }
    report_->detections.skipped += skipped_rows;
    if (present) return Status::Ok();
    if (!scan) {
      ++report_->scans.skipped;
      return Status::Ok();
    }
    // The store's own checks, made here so that a refused scan is reported alone instead of
    // failing the batch it would have joined.
    if (const Status valid = store::ValidateScan(*scan); !valid.ok()) {
      ++report_->scans.skipped;
      report_->detections.skipped += static_cast<int64_t>(scan->detections.size());
      ++report_->skipped["scan the store refuses: " + valid.message()];
      return Status::Ok();
    }
    existing_.insert(scan->image_path);
    pending_.push_back(std::move(*scan));
    if (static_cast<int>(pending_.size()) >= options_.batch_scans) return WritePending();
    return Status::Ok();
  }

  // Writes the group being read and every scan still pending.
  Status Finish() {
    VS_RETURN_IF_ERROR(Flush());
    return WritePending();
  }

 private:
  // The pending scans in one store transaction (Store::InsertScans: all or none), counted as
  // imported once it commits.
  Status WritePending() {
    if (pending_.empty()) return Status::Ok();
    VS_RETURN_IF_ERROR(store_.InsertScans(pending_));
    for (const auto& scan : pending_) {
      ++report_->scans.imported;
      report_->detections.imported += static_cast<int64_t>(scan.detections.size());
    }
    pending_.clear();
    return Status::Ok();
  }

  store::Store& store_;
  const ImportOptions& options_;
  const std::map<int64_t, store::Id>& model_ids_;
  std::set<std::string> existing_;  // image paths stored, or pending in this run
  ImportReport* report_;
  std::vector<LegacyDetection> group_;
  std::vector<store::NewScan> pending_;
};

Status ImportScans(Source& source, store::Store& store, const ImportOptions& options,
                   const std::map<int64_t, store::Id>& model_ids, ImportReport* report) {
  auto total = source.CountDetections();
  if (!total.ok()) return total.status();
  auto existing = ExistingImagePaths(store, options.defaults.store);
  if (!existing.ok()) return existing.status();
  ScanWriter writer(store, options, model_ids, std::move(*existing), report);
  int64_t done = 0;
  const Status read =
      source.ForEachDetectionBatch(options.batch_rows, [&](std::vector<LegacyDetection>& rows) {
        done += static_cast<int64_t>(rows.size());
        Status added = writer.Add(rows);
        if (added.ok() && options.progress) options.progress(done, *total);
        return added;
      });
  VS_RETURN_IF_ERROR(read);
  return writer.Finish();
}

}  // namespace

nlohmann::json ImportReport::ToJson() const {
  return {{"models", CountsJson(models)},
          {"metrics", CountsJson(metrics)},
          {"products", CountsJson(products)},
          {"planograms", CountsJson(planograms)},
          {"discrepancies", CountsJson(discrepancies)},
          {"scans", CountsJson(scans)},
          {"detections", CountsJson(detections)},
          {"mapped", mapped},
          {"skipped_reasons", skipped}};
}

Result<ImportReport> Import(Source& source, store::Store& store, const ImportOptions& options) {
  ImportReport report;
  auto models = ImportModels(source, store, &report);
  if (!models.ok()) return models.status();
  VS_RETURN_IF_ERROR(ImportMetrics(source, store, *models, &report));
  VS_RETURN_IF_ERROR(ImportCatalogue(source, store, &report));
  auto planograms = ImportPlanograms(source, store, options.defaults, &report);
  if (!planograms.ok()) return planograms.status();
  VS_RETURN_IF_ERROR(ImportDiscrepancies(source, store, *planograms, &report));
  VS_RETURN_IF_ERROR(ImportScans(source, store, options, *models, &report));
  return report;
}

}  // namespace vs::legacy
