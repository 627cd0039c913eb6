#include "analysis/analyzer.h"

#include <set>

#include "analysis/inputs.h"
#include "analysis/results.h"
#include "core/log.h"

namespace vs::analysis {

Analyzer::Analyzer(store::Store* store, AnalyzerOptions options)
    : store_(store), options_(std::move(options)) {}

Result<ScanAnalysis> Analyzer::AnalyzeScan(store::Id scan_id,
                                           const std::optional<std::string>& planogram_name) {
  ScanAnalysis out;
  {
    auto scan = store_->GetScan(scan_id, /*with_detections=*/true);
    if (!scan.ok()) return scan.status();
    out.scan = std::move(scan).value();
  }
  const store::ScanRecord& scan = out.scan;
  store::PlanogramFilter filter;
  filter.store = scan.store;
  auto rows = store_->ListPlanograms(filter);
  if (!rows.ok()) return rows.status();
  // This shelf's rows must all be usable; a bad row elsewhere in the store only drops out of
  // the MISPLACED/UNEXPECTED check.
  std::vector<store::Planogram> mine, others;
  for (auto& r : *rows) {
    (r.shelf_location == scan.shelf_location ? mine : others).push_back(std::move(r));
  }
  auto plans = GroupPlanograms(std::move(mine));
  if (!plans.ok()) return plans.status();
  std::vector<Status> skipped;
  auto other_plans = GroupPlanograms(std::move(others), &skipped);
  if (!other_plans.ok()) return other_plans.status();
  std::vector<compliance::Planogram> all;
  for (const ShelfPlan& p : *plans) all.push_back(p.planogram);
  for (const ShelfPlan& p : *other_plans) all.push_back(p.planogram);

  std::vector<const ShelfPlan*> shelf;
  for (const ShelfPlan& p : *plans) {
    if (planogram_name && p.planogram.name != *planogram_name) continue;
    shelf.push_back(&p);
  }
  if (shelf.empty()) {
    if (planogram_name) {
      return Status::NotFound("planogram '" + *planogram_name + "' has no rows for shelf '" +
                              scan.shelf_location + "' of store '" + scan.store + "'");
    }
    return out;
  }
  auto products = store_->ListProducts();
  if (!products.ok()) return products.status();
  const auto catalogue = ToEngine(*products);
  const auto detections = ToEngine(scan.detections);
  compliance::Settings base;
  base.model_confidence_threshold = options_.model_confidence_threshold;

  store::ComplianceWrite write;
  write.scan_id = scan.id;
  write.store = scan.store;
  write.shelf_location = scan.shelf_location;
  std::vector<Condition> conditions;
  std::set<std::string> analysed;
  AlertPolicy policy(options_.alerts);
  for (const ShelfPlan* plan : shelf) {
    auto settings = PlanSettings(*plan, base);
    if (!settings.ok()) return settings.status();
    auto rules = PlanAlertRules(*plan, options_.alerts);
    if (!rules.ok()) return rules.status();
    policy.by_planogram[plan->planogram.name] = *rules;
    auto analysis =
        compliance::AnalyzeShelf(plan->planogram, all, detections, catalogue, *settings);
    if (!analysis.ok()) {
      return Status::InvalidValue("planogram '" + plan->planogram.name +
                                  "': " + analysis.status().message());
    }
    auto version = store_->PlanogramVersionOf(plan->planogram.name);
    if (!version.ok()) return version.status();
    write.results.push_back(ResultOf(scan, *plan, *version, *analysis, *settings));
    write.results.back().detail["alert_rules"] = {{"scans", rules->scans},
                                                  {"minutes", rules->minutes}};
    for (auto& d : DiscrepanciesOf(scan, *plan, *version, *analysis, *settings)) {
      write.discrepancies.push_back(std::move(d));
    }
    write.planogram_names.push_back(plan->planogram.name);
    for (auto& c : ConditionsOf(plan->planogram.name, *analysis))
      conditions.push_back(std::move(c));
    analysed.insert(plan->planogram.name);
  }

  // The alert changes are planned inside RecordCompliance's transaction, on the shelf's state
  // as it is there (another instance may be writing the same shelf).
  write.plan_alerts = [conditions = std::move(conditions), analysed = std::move(analysed),
                       policy = std::move(policy), scan](const store::ShelfAlertState& state) {
    return PlanShelfAlerts(state, conditions, analysed, scan, policy);
  };
  out.discrepancies = write.discrepancies;
  auto stored = store_->RecordCompliance(write);
  if (!stored.ok()) return stored.status();
  out.results = std::move(stored).value();
  return out;
}

AnalysisQueue::AnalysisQueue(Analyzer* analyzer, size_t capacity)
    : analyzer_(analyzer), capacity_(capacity) {}

AnalysisQueue::~AnalysisQueue() { Stop(); }

void AnalysisQueue::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (worker_.joinable() || stopping_) return;
  worker_ = std::thread([this] { Run(); });
}

void AnalysisQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    counters_.dropped += queue_.size();
    queue_.clear();
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  idle_.notify_all();
}

bool AnalysisQueue::Enqueue(store::Id scan_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && queue_.size() < capacity_) {
      queue_.push_back(scan_id);
      ++counters_.queued;
      wake_.notify_one();
      return true;
    }
    ++counters_.dropped;
  }
  vs::log::Warn("compliance analysis queue full (or stopped): scan not analysed",
                {{"scan_id", scan_id}, {"hint", "POST /api/analyze analyses it on demand"}});
  return false;
}

void AnalysisQueue::OnEvent(const store::Event& event) {
  if (event.type != "scan.created") return;
  auto id = event.payload.find("scan_id");
  if (id == event.payload.end() || !id->is_number_integer()) return;
  Enqueue(id->get<store::Id>());
}

AnalysisQueue::Counters AnalysisQueue::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

bool AnalysisQueue::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void AnalysisQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const store::Id id = queue_.front();
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    auto result = analyzer_->AnalyzeScan(id);
    if (!result.ok()) {
      vs::log::Warn("compliance analysis failed",
                    {{"scan_id", id}, {"error", result.status().ToString()}});
    }
    lock.lock();
    busy_ = false;
    ++(result.ok() ? counters_.analysed : counters_.failed);
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace vs::analysis
