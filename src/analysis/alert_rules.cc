#include "analysis/alert_rules.h"

#include <map>
#include <tuple>

namespace vs::analysis {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // type, planogram, sku

bool Due(const store::Alert& a, const AlertRules& rules) {
  if (rules.scans > 0 && a.scans >= rules.scans) return true;
  const int64_t held = ToUnixMillis(a.last_seen_at) - ToUnixMillis(a.first_seen_at);
  return rules.minutes > 0 && held >= int64_t{rules.minutes} * 60'000;
}

}  // namespace

Status ValidateAlertRules(const AlertRules& r) {
  if (r.scans < 0 || r.scans > 1000) return Status::InvalidValue("alert scans must be 0..1000");
  if (r.minutes < 0 || r.minutes > 525600) {
    return Status::InvalidValue("alert minutes must be 0..525600");
  }
  if (r.scans == 0 && r.minutes == 0) {
    return Status::InvalidValue("alert scans and minutes cannot both be 0");
  }
  return Status::Ok();
}

const AlertRules& AlertPolicy::For(const std::string& planogram_name) const {
  auto it = by_planogram.find(planogram_name);
  return it == by_planogram.end() ? defaults : it->second;
}

std::vector<Condition> ConditionsOf(const std::string& planogram_name,
                                    const compliance::ShelfAnalysis& analysis) {
  std::vector<Condition> out;
  for (const auto& s : analysis.skus) {
    const char* type = nullptr;
    switch (s.status) {
      case compliance::SkuStatus::kOutOfStock:
        type = "OUT_OF_STOCK";
        break;
      case compliance::SkuStatus::kLowStock:
        type = "LOW_STOCK";
        break;
      case compliance::SkuStatus::kMisplaced:
        type = "MISPLACED";
        break;
      default:
        break;
    }
    if (!type) continue;
    out.push_back(
        {type, planogram_name, s.sku, {{"expected", s.expected}, {"detected", s.detected}}});
  }
  if (!analysis.gaps.empty()) {
    double facings = 0;
    for (const auto& g : analysis.gaps) facings += g.facings;
    out.push_back(
        {"GAP", planogram_name, "", {{"gaps", analysis.gaps.size()}, {"facings", facings}}});
  }
  return out;
}

AlertPlan PlanAlerts(const std::vector<store::Alert>& active,
                     const std::vector<Condition>& conditions,
                     const std::set<std::string>& analysed, const store::ScanRecord& scan,
                     const AlertPolicy& rules) {
  std::map<Key, const store::Alert*> by_key;
  for (const store::Alert& a : active) {
    if (a.status == "resolved") continue;
    by_key[{a.type, a.planogram_name, a.sku}] = &a;
  }
  AlertPlan plan;
  std::set<Key> seen;
  for (const Condition& c : conditions) {
    const Key key{c.type, c.planogram_name, c.sku};
    if (!seen.insert(key).second) continue;
    store::Alert a;
    if (auto it = by_key.find(key); it != by_key.end()) {
      if (it->second->last_scan_id == scan.id) continue;  // this scan is counted already
      a = *it->second;
      a.scans += 1;
    } else {
      a.type = c.type;
      a.store = scan.store;
      a.shelf_location = scan.shelf_location;
      a.planogram_name = c.planogram_name;
      a.sku = c.sku;
      a.status = "pending";
      a.scans = 1;
      a.first_seen_at = scan.captured_at;
      a.first_scan_id = scan.id;
    }
    a.last_seen_at = scan.captured_at;
    a.last_scan_id = scan.id;
    a.detail = c.detail;
    if (a.status == "pending" && Due(a, rules.For(a.planogram_name))) {
      a.status = "open";
      a.raised_at = scan.captured_at;
    }
    plan.alerts.push_back(std::move(a));
  }
  for (const auto& [key, a] : by_key) {
    if (seen.count(key) || !analysed.count(a->planogram_name)) continue;
    if (a->status == "pending") {
      plan.dropped.push_back(a->id);
      continue;
    }
    store::Alert done = *a;
    done.status = "resolved";
    done.resolved_at = scan.captured_at;
    done.resolved_scan_id = scan.id;
    plan.alerts.push_back(std::move(done));
  }
  return plan;
}

store::AlertChanges PlanShelfAlerts(const store::ShelfAlertState& state,
                                    const std::vector<Condition>& conditions,
                                    const std::set<std::string>& analysed,
                                    const store::ScanRecord& scan, const AlertPolicy& rules) {
  std::set<std::string> fresh;
  for (const std::string& name : analysed) {
    auto newest = state.newest_result.find(name);
    if (newest == state.newest_result.end() || newest->second <= scan.captured_at) {
      fresh.insert(name);
    }
  }
  std::vector<Condition> shown;
  for (const Condition& c : conditions) {
    if (fresh.count(c.planogram_name)) shown.push_back(c);
  }
  std::vector<store::Alert> active;
  for (const store::Alert& a : state.active) {
    if (fresh.count(a.planogram_name)) active.push_back(a);
  }
  AlertPlan plan = PlanAlerts(active, shown, fresh, scan, rules);
  return {std::move(plan.alerts), std::move(plan.dropped)};
}

}  // namespace vs::analysis
