#include "compliance/kpis.h"

namespace vs::compliance {
namespace {

std::optional<double> Ratio(double num, double den) {
  if (den <= 0) return std::nullopt;
  return num / den;
}

}  // namespace

void ComputeRatios(Kpis& k) {
  k.compliance_score = Ratio(k.compliant_units, k.planned_units);
  k.availability = Ratio(k.present_skus, k.stocked_skus);
  k.out_of_stock_rate = Ratio(k.out_of_stock_skus, k.stocked_skus);
  k.gap_share = Ratio(k.gap_width, k.row_width);
  k.sku_share.clear();
  k.brand_share.clear();
  if (k.facings > 0) {
    for (const auto& [sku, n] : k.facings_by_sku) k.sku_share[sku] = double(n) / k.facings;
    for (const auto& [brand, n] : k.facings_by_brand) k.brand_share[brand] = double(n) / k.facings;
  }
}

Kpis CombineKpis(std::span<const Kpis> shelves) {
  Kpis sum;
  for (const Kpis& k : shelves) {
    sum.shelves += k.shelves;
    sum.planned_units += k.planned_units;
    sum.compliant_units += k.compliant_units;
    sum.stocked_skus += k.stocked_skus;
    sum.present_skus += k.present_skus;
    sum.out_of_stock_skus += k.out_of_stock_skus;
    sum.gap_count += k.gap_count;
    sum.gap_width += k.gap_width;
    sum.row_width += k.row_width;
    sum.facings += k.facings;
    for (const auto& [sku, n] : k.facings_by_sku) sum.facings_by_sku[sku] += n;
    for (const auto& [brand, n] : k.facings_by_brand) sum.facings_by_brand[brand] += n;
  }
  ComputeRatios(sum);
  return sum;
}

KpiRollup RollUpKpis(std::span<const StoreShelfKpis> shelves) {
  std::map<std::string, std::vector<Kpis>> by_store;
  std::vector<Kpis> all;
  for (const StoreShelfKpis& s : shelves) {
    by_store[s.store].push_back(s.kpis);
    all.push_back(s.kpis);
  }
  KpiRollup out;
  for (const auto& [store, list] : by_store) out.by_store[store] = CombineKpis(list);
  out.overall = CombineKpis(all);
  return out;
}

}  // namespace vs::compliance
