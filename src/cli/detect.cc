// `visionstock detect FILES_OR_FOLDERS...`: runs the detector on files into the same store as
// the server. Prints one line per image (or one JSON object per image with --json). Folder
// members that are not images are skipped; a named file that fails makes the exit code 1.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "api/model_registry.h"
#include "api/scan_json.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "core/log.h"
#include "ingest/scan_service.h"
#include "store/open.h"

namespace vs::cli {
namespace fs = std::filesystem;
namespace {

struct Input {
  fs::path path;
  bool from_folder;
};

std::vector<Input> Expand(const std::vector<std::string>& args, int* missing) {
  std::vector<Input> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(a, ec)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (auto& f : files) out.push_back({std::move(f), true});
    } else if (fs::is_regular_file(a, ec)) {
      out.push_back({a, false});
    } else {
      std::fprintf(stderr, "visionstock detect: %s: no such file or folder\n", a.c_str());
      ++*missing;
    }
  }
  return out;
}

Result<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + p.string());
  std::ostringstream data;
  data << in.rdbuf();
  return std::move(data).str();
}

std::string Summary(const store::ScanRecord& scan) {
  std::string text;
  for (const auto& d : scan.detections) {
    char item[96];
    std::snprintf(item, sizeof item, "%s%s %.2f", text.empty() ? "" : ", ", d.class_name.c_str(),
                  d.confidence);
    text += item;
  }
  return text;
}

}  // namespace

int RunDetect(const DetectOptions& o) {
  vs::log::SetLevel(vs::log::Level::kWarn);
  int failures = 0;
  const std::vector<Input> inputs = Expand(o.inputs, &failures);

  auto detector = vision::Detector::Load(o.model.ToConfig());
  if (!detector.ok()) {
    std::fprintf(stderr, "visionstock detect: cannot load the model %s: %s\n",
                 o.model.model.c_str(), detector.status().message().c_str());
    return 2;
  }
  std::error_code ec;
  fs::create_directories(o.data_dir, ec);
  const store::Location where{.url = o.db, .data_dir = o.data_dir};
  const std::string db_path = store::Describe(where);
  auto store = store::Open(where);
  if (!store.ok()) {
    std::fprintf(stderr, "visionstock detect: cannot open the store %s: %s\n", db_path.c_str(),
                 store.status().message().c_str());
    return 2;
  }
  auto model = api::RegisterLoadedModel(**store, **detector, /*measure=*/false);
  if (!model.ok()) {
    std::fprintf(stderr, "visionstock detect: cannot register the model: %s\n",
                 model.status().message().c_str());
    return 2;
  }
  const ingest::ScanService scans(store->get(), "", detector->get(), "", model->id,
                                  ingest::ImageFiles(o.data_dir), o.model.max_pixels);

  Progress progress(inputs.size());
  size_t done = 0, stored = 0, skipped = 0;
  for (const auto& input : inputs) {
    progress.Update(done, input.path.filename().string());
    auto bytes = ReadFile(input.path);
    Result<ingest::ScanOutput> out = bytes.ok() ? scans.Scan({.bytes = *bytes,
                                                              .store = o.store,
                                                              .shelf_location = o.shelf_location,
                                                              .captured_at = std::nullopt})
                                                : Result<ingest::ScanOutput>(bytes.status());
    ++done;
    progress.Clear();
    if (!out.ok()) {
      const bool skip = input.from_folder && out.status().code() == Code::kUnsupportedMedia;
      if (skip) {
        ++skipped;
      } else {
        ++failures;
      }
      if (o.json) {
        const nlohmann::json line = {
            {"file", input.path.string()},
            {"skipped", skip},
            {"error",
             {{"code", CodeName(out.status().code())}, {"message", out.status().message()}}}};
        std::printf("%s\n",
                    line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      } else {
        std::fprintf(stderr, "%s: %s%s\n", input.path.c_str(), skip ? "skipped, " : "",
                     out.status().message().c_str());
      }
      continue;
    }
    ++stored;
    if (o.json) {
      nlohmann::json line = api::DetectAnswer(out->scan, model->version_name);
      line["file"] = input.path.string();
      line["total_ms"] = out->total_ms;
      std::printf("%s\n",
                  line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%s: scan %lld, %d detections in %.1f ms (model %.1f ms)%s%s\n",
                  input.path.c_str(), static_cast<long long>(out->scan.id),
                  out->scan.detections_count, out->total_ms, out->inference_ms,
                  out->scan.detections.empty() ? "" : ": ", Summary(out->scan).c_str());
    }
    std::fflush(stdout);
  }
  progress.Clear();
  if (!o.json) {
    std::fprintf(stderr, "%zu stored, %zu skipped, %d failed; data in %s\n", stored, skipped,
                 failures, o.data_dir.c_str());
  }
  return failures > 0 ? 1 : 0;
}

}  // namespace vs::cli
