#include "store/rollup_delta.h"

#include <tuple>

#include "store/rollup.h"

namespace vs::store {

void RollupFigures::Merge(const RollupFigures& other) {
  n += other.n;
  sum_conf += other.sum_conf;
  if (other.max_ts && (!max_ts || *other.max_ts > *max_ts)) max_ts = other.max_ts;
  scans += other.scans;
  skus.Or(other.skus.bytes().data(), static_cast<int>(other.skus.bytes().size()));
  classes.Or(other.classes.bytes().data(), static_cast<int>(other.classes.bytes().size()));
}

void RollupDelta::Add(const ScanRecord& scan, const std::map<std::string, int64_t>& sku_ids,
                      const std::map<std::string, int64_t>& class_ids) {
  const int64_t ts = ToUnixMillis(scan.captured_at);
  // (mode, sku, class_name) -> this scan's figures.
  std::map<std::tuple<int, std::string, std::string>, RollupFigures> groups;
  groups[{0, "", ""}];
  for (const auto& d : scan.detections) {
    for (int mode = 0; mode < 4; ++mode) {
      RollupFigures& g = groups[{mode, (mode & 1) ? d.sku : "", (mode & 2) ? d.class_name : ""}];
      ++g.n;
      g.sum_conf += d.confidence;
      g.max_ts = ts;
      g.scans = 1;
      if (!(mode & 1)) g.skus.Set(sku_ids.at(d.sku));
      if (!(mode & 2)) g.classes.Set(class_ids.at(d.class_name));
    }
  }
  const auto rows = scan.detections.empty() ? std::vector<ConfRow>{}
                                            : ConfRowsOf(scan.detections, sku_ids, class_ids);
  const auto fine = FineRowsOf(scan.detections, sku_ids, class_ids);
  for (int level : {kLevelAll, kLevelDay, kLevelHour, kLevelMinute}) {
    const int64_t bucket = BucketOf(level, ts);
    for (const auto& [g, figures] : groups) {
      const auto& [mode, sku, cls] = g;
      rollup_[{level, mode, sku, cls, bucket, scan.store, scan.shelf_location, -1}].Merge(figures);
    }
    for (const ConfRow& r : rows) {
      RollupFigures f{r.n, r.sum_conf, ts, r.scans, r.skus, r.classes};
      conf_[{level, r.mode, r.sku, r.class_name, bucket, scan.store, scan.shelf_location, r.conf}]
          .Merge(f);
    }
    if (!HasFineRows(level)) continue;
    for (const ConfRow& r : fine) {
      if (r.mode > FinestFineAt(level)) continue;  // mode: the resolution
      RollupFigures f{r.n, r.sum_conf, ts, r.scans, r.skus, r.classes};
      fine_[{level, r.mode, "", "", bucket, scan.store, scan.shelf_location, r.conf}].Merge(f);
    }
  }
}

}  // namespace vs::store
