// `visionstock import-legacy SOURCE_URL`: the earlier VisionStock's PostgreSQL history into this
// store (legacy/importer.h). Prints a summary of what was imported, already present, skipped and
// why (--json for machines); a progress bar on a terminal. Exit code 0 on success, also when rows
// were skipped (they are reported); 1 when the source or the store fails.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "legacy/importer.h"
#include "store/open.h"

namespace vs::cli {
namespace {

void PrintCounts(const char* what, const legacy::Counts& c) {
  std::printf("  %-14s %10lld imported %10lld already present %10lld skipped\n", what,
              static_cast<long long>(c.imported), static_cast<long long>(c.present),
              static_cast<long long>(c.skipped));
}

void PrintReport(const legacy::ImportReport& r) {
  std::printf("imported from the earlier VisionStock:\n");
  PrintCounts("model versions", r.models);
  PrintCounts("model metrics", r.metrics);
  PrintCounts("catalogue", r.products);
  PrintCounts("planogram rows", r.planograms);
  PrintCounts("discrepancies", r.discrepancies);
  PrintCounts("scans", r.scans);
  PrintCounts("detections", r.detections);
  if (!r.mapped.empty()) std::printf("repaired:\n");
  for (const auto& [why, n] : r.mapped)
    std::printf("  %10lld  %s\n", static_cast<long long>(n), why.c_str());
  if (!r.skipped.empty()) std::printf("skipped:\n");
  for (const auto& [why, n] : r.skipped)
    std::printf("  %10lld  %s\n", static_cast<long long>(n), why.c_str());
}

}  // namespace

int RunImportLegacy(const ImportLegacyOptions& o) {
  auto source = legacy::Source::Connect(o.source);
  if (!source.ok()) {
    std::fprintf(stderr, "visionstock import-legacy: %s\n", source.status().message().c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  const store::Location where{.url = o.db, .data_dir = o.data_dir};
  auto store = store::Open(where);
  if (!store.ok()) {
    std::fprintf(stderr, "visionstock import-legacy: cannot open the store %s: %s\n",
                 store::Describe(where).c_str(), store.status().message().c_str());
    return 1;
  }
  legacy::ImportOptions options;
  options.defaults.store = o.store;
  options.batch_rows = o.batch_rows;
  options.batch_scans = o.batch_scans;
  std::unique_ptr<Progress> bar;
  options.progress = [&bar](int64_t done, int64_t total) {
    if (!bar) bar = std::make_unique<Progress>(static_cast<size_t>(total));
    bar->Update(static_cast<size_t>(done), "detections");
  };
  auto report = legacy::Import(**source, **store, options);
  bar.reset();
  if (!report.ok()) {
    std::fprintf(stderr,
                 "visionstock import-legacy: stopped: %s\n"
                 "  (what was imported before stays; running the same command again goes on)\n",
                 report.status().message().c_str());
    return 1;
  }
  if (o.json) {
    std::cout << report->ToJson().dump() << "\n";
  } else {
    PrintReport(*report);
  }
  return 0;
}

}  // namespace vs::cli
