// `visionstock demo` and `visionstock demo --remove`: the demo store (demo/demo.h) on the data
// folder, through the same detector and scan pipeline as the server.
#include "demo/demo.h"

#include <cstdio>

#include "api/model_registry.h"
#include "cli/commands.h"
#include "core/log.h"
#include "ingest/scan_service.h"
#include "store/open.h"

namespace vs::cli {
namespace fs = std::filesystem;

int RunDemo(const DemoOptions& o) {
  vs::log::SetLevel(vs::log::Level::kWarn);
  std::error_code ec;
  fs::create_directories(o.data_dir, ec);
  auto store = store::Open({.data_dir = o.data_dir});
  if (!store.ok()) {
    std::fprintf(stderr, "visionstock demo: cannot open the store in %s: %s\n", o.data_dir.c_str(),
                 store.status().message().c_str());
    return 2;
  }
  Result<demo::Report> report = Status::Internal("not run");
  if (o.remove) {
    report = demo::Remove(**store, ingest::ImageFiles(o.data_dir));
  } else {
    auto detector = vision::Detector::Load(o.model.ToConfig());
    if (!detector.ok()) {
      std::fprintf(stderr, "visionstock demo: cannot load the model %s: %s\n",
                   o.model.model.c_str(), detector.status().message().c_str());
      return 2;
    }
    auto model = api::RegisterLoadedModel(**store, **detector, /*measure=*/false);
    if (!model.ok()) {
      std::fprintf(stderr, "visionstock demo: cannot register the model: %s\n",
                   model.status().message().c_str());
      return 2;
    }
    const ingest::ScanService scans(store->get(), "", detector->get(), "", model->id,
                                    ingest::ImageFiles(o.data_dir), o.model.max_pixels);
    report = demo::Load(**store, scans);
  }
  if (!report.ok()) {
    std::fprintf(stderr, "visionstock demo: %s\n", report.status().message().c_str());
    return 1;
  }
  if (o.json) {
    std::printf("%s\n", demo::ToJson(*report).dump().c_str());
    return 0;
  }
  for (const auto& missing : report->missing) {
    std::fprintf(stderr, "visionstock demo: %s is not installed (scripts/setup.sh installs it)\n",
                 missing.c_str());
  }
  if (o.remove) {
    std::printf(
        "removed the demo store: %d scans (%d detections), %d photos, %d planogram rows, "
        "%d products\n",
        report->scans, report->detections, report->photos, report->planogram_rows,
        report->products);
  } else if (report->scans + report->products + report->planogram_rows == 0) {
    std::printf(
        "the demo store is loaded already (nothing added); remove it with "
        "`visionstock demo --remove`\n");
  } else {
    std::printf(
        "loaded the demo store \"%s\": %d scans with %d detections, %d planogram rows, "
        "%d products; remove it with `visionstock demo --remove`\n",
        demo::kStore, report->scans, report->detections, report->planogram_rows, report->products);
  }
  return 0;
}

}  // namespace vs::cli
