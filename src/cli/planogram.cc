// `visionstock planogram import FILE` / `visionstock planogram export [FILE]` (and the same for
// the catalogue with --what products): the API's file formats and all-or-nothing validation
// (api/table_files.h), on the store in --data-dir.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/table_files.h"
#include "cli/commands.h"
#include "store/open.h"

namespace vs::cli {
namespace {

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "visionstock: %s\n", message.c_str());
  return code;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int Import(store::Store& store, const PlanogramOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return Fail("cannot read " + o.file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string format =
      !o.format.empty() ? o.format : (EndsWith(o.file, ".json") ? "json" : "csv");
  const api::TableFormat f = format == "json" ? api::TableFormat::kJson : api::TableFormat::kCsv;
  std::vector<api::RowError> errors;
  std::string summary;
  if (o.what == "products") {
    auto file = api::ParseProductFile(text.str(), f);
    errors = file.errors;
    if (errors.empty()) {
      auto stored = store.ImportProducts(file.rows);
      if (!stored.ok()) return Fail(stored.status().message());
      summary = "imported " + std::to_string(file.rows.size()) + " products";
    }
  } else {
    auto file = api::ParsePlanogramFile(text.str(), f);
    errors = file.errors;
    if (errors.empty()) {
      auto imported = store.ImportPlanograms(file.rows);
      if (!imported.ok()) return Fail(imported.status().message());
      summary = "imported " + std::to_string(imported->rows) + " planogram rows (replaced " +
                std::to_string(imported->removed) + ")";
      for (const auto& [name, version] : imported->versions) {
        summary += "\n  " + name + ": version " + std::to_string(version);
      }
    }
  }
  if (!errors.empty()) {
    for (const auto& e : errors) {
      std::string where = e.line  ? "line " + std::to_string(e.line)
                          : e.row ? "row " + std::to_string(e.row)
                                  : std::string("file");
      std::fprintf(stderr, "%s: %s: %s\n", o.file.c_str(), where.c_str(), e.reason.c_str());
    }
    return Fail(std::to_string(errors.size()) + " problem(s) in " + o.file + "; nothing imported",
                2);
  }
  std::printf("%s\n", summary.c_str());
  return 0;
}

int Export(store::Store& store, const PlanogramOptions& o) {
  const std::string format =
      !o.format.empty() ? o.format : (EndsWith(o.file, ".json") ? "json" : "csv");
  std::string body;
  if (o.what == "products") {
    auto list = store.ListProducts();
    if (!list.ok()) return Fail(list.status().message());
    body = format == "json" ? api::ProductsJson(*list).dump(2) + "\n" : api::ProductsCsv(*list);
  } else {
    auto rows = store.ListPlanograms({});
    if (!rows.ok()) return Fail(rows.status().message());
    body = format == "json" ? api::PlanogramsJson(*rows).dump(2) + "\n" : api::PlanogramsCsv(*rows);
  }
  if (o.file.empty() || o.file == "-") {
    std::fwrite(body.data(), 1, body.size(), stdout);
    return 0;
  }
  std::ofstream out(o.file, std::ios::binary | std::ios::trunc);
  out << body;
  if (!out) return Fail("cannot write " + o.file);
  return 0;
}

}  // namespace

int RunPlanogram(const PlanogramOptions& o) {
  if (o.action == "import" && o.file.empty()) return Fail("planogram import: a FILE is needed", 2);
  std::error_code ec;
  if (o.db.empty()) std::filesystem::create_directories(o.data_dir, ec);
  auto store = store::Open({.url = o.db, .data_dir = o.data_dir});
  if (!store.ok()) return Fail(store.status().message());
  return o.action == "import" ? Import(**store, o) : Export(**store, o);
}

}  // namespace vs::cli
