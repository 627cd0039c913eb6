// The compliance service: store records -> engine inputs -> stored results.
//
// Analyzer::AnalyzeScan analyses one stored scan against every planogram of its shelf (see
// inputs.h for what a shelf's planograms are) and commits, in one transaction of its own
// (Store::RecordCompliance), one result per planogram with the planogram's version, the
// discrepancies that replace those of that planogram on the shelf, and the shelf's alert
// changes (alert_rules.h), with a "compliance.updated" event. A shelf without planograms is
// analysed to nothing and commits nothing.
//
// AnalysisQueue runs AnalyzeScan off the request's critical path: a bounded queue and one worker
// thread, fed with every committed "scan.created" event. When the queue is full the scan is
// dropped with a log line and counted (it can be analysed on demand later: POST /api/analyze).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "analysis/alert_rules.h"
#include "compliance/settings.h"
#include "core/status.h"
#include "store/store.h"

namespace vs::analysis {

struct AnalyzerOptions {
  // The active model's confidence threshold: the default counted confidence.
  double model_confidence_threshold = 0.25;
  AlertRules alerts;  // the server's; a planogram may set its own (inputs.h, PlanAlertRules)
};

struct ScanAnalysis {
  store::ScanRecord scan;                         // with its detections
  std::vector<store::ComplianceResult> results;   // as stored, with ids
  std::vector<store::Discrepancy> discrepancies;  // as written
};

class Analyzer {
 public:
  // `store` must outlive the analyzer.
  Analyzer(store::Store* store, AnalyzerOptions options);

  // Analyses and commits scan `scan_id` (only against `planogram_name` when set). NotFound for
  // no such scan, or for a planogram_name that has no rows on the scan's shelf; InvalidValue
  // (naming the planogram) for rows, settings or alert rules the engine refuses. Thread-safe,
  // also across instances on one database: the alert changes are planned inside the store's
  // transaction, which holds the shelf's other writers off (ComplianceWrite::plan_alerts).
  Result<ScanAnalysis> AnalyzeScan(store::Id scan_id,
                                   const std::optional<std::string>& planogram_name = {});

  const AnalyzerOptions& options() const { return options_; }

 private:
  store::Store* store_;
  AnalyzerOptions options_;
};

class AnalysisQueue {
 public:
  struct Counters {
    uint64_t queued = 0, analysed = 0, failed = 0, dropped = 0;
  };

  // `analyzer` must outlive the queue's worker (see Stop).
  AnalysisQueue(Analyzer* analyzer, size_t capacity = 256);
  ~AnalysisQueue();  // Stop()
  AnalysisQueue(const AnalysisQueue&) = delete;
  AnalysisQueue& operator=(const AnalysisQueue&) = delete;

  void Start();
  // Finishes the scan in progress, drops the rest and joins the worker; later Enqueue calls are
  // dropped. Call before the store is destroyed.
  void Stop();

  // Queues a scan; false (logged and counted as dropped) when the queue is full or stopped.
  // Never blocks: safe to call from a commit listener.
  bool Enqueue(store::Id scan_id);
  // Queues the scan of every "scan.created" event (an EventBus handler).
  void OnEvent(const store::Event& event);

  Counters counters() const;
  // Blocks until nothing is queued or running, or `timeout` passes; true when idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  void Run();

  Analyzer* analyzer_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<store::Id> queue_;  // guarded by mu_
  bool busy_ = false;            // guarded by mu_
  bool stopping_ = false;        // guarded by mu_
  Counters counters_;            // guarded by mu_
  std::thread worker_;
};

}  // namespace vs::analysis
