// legacy_bench [--rows N] [--postgres] [--batch-scans K]: fills an earlier-style database with N
// detections (10 per image, so N/10 scans) on a private PostgreSQL, then imports it into a fresh
// SQLite store (and, with --postgres, into a PostgreSQL store on the same server), K scans per
// store transaction (default: the importer's), and prints rows per second for the first run and
// the time of an idempotent re-run that adds nothing.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "legacy/importer.h"
#include "postgres_server.h"
#include "store/open.h"

namespace {

using namespace vs;
namespace fs = std::filesystem;

bool Exec(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    std::fprintf(stderr, "legacy_bench: %s\n", PQerrorMessage(c.get()));
    return false;
  }
  return true;
}

// The earlier tables (from the test's schema, without its rows), then N generated detections.
std::string Schema() {
  std::ifstream in(VS_SOURCE_DIR "/tests/legacy/legacy_schema.sql");
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.substr(0, text.find("INSERT INTO"));
}

std::string FillSql(long rows) {
  return "INSERT INTO detections(image_path, timestamp, sku, class_name, confidence, x_center,"
         " y_center, width, height, shelf_location) SELECT 'uploads/' || (g / 10) || '.jpg',"
         " timestamp '2024-01-01' + (g / 10) * interval '1 minute' + (g % 10) * interval '1 ms',"
         " NULL, (ARRAY['bottle','cup','bowl','book'])[g % 4 + 1], 0.3 + (g % 70) / 100.0,"
         " ((g % 10) + 0.5) / 10.0, 0.5, 0.08, 0.3, 'S' || ((g / 10) % 50)"
         " FROM generate_series(0, " +
         std::to_string(rows - 1) + ") AS g";
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

bool ImportInto(const std::string& label, const std::string& source_url,
                const store::Location& where, long rows, const legacy::ImportOptions& options) {
  auto opened = store::Open(where);
  if (!opened.ok()) {
    std::fprintf(stderr, "legacy_bench: %s: %s\n", label.c_str(),
                 opened.status().ToString().c_str());
    return false;
  }
  for (int run = 1; run <= 2; ++run) {
    auto source = legacy::Source::Connect(source_url);
    if (!source.ok()) return false;
    const auto start = std::chrono::steady_clock::now();
    auto report = legacy::Import(**source, **opened, options);
    const double s = Seconds(start);
    if (!report.ok()) {
      std::fprintf(stderr, "legacy_bench: %s\n", report.status().ToString().c_str());
      return false;
    }
    std::printf(
        "%-8s run %d: %ld rows in %.1f s (%.0f rows/s, %d scans per transaction); imported %lld "
        "scans, %lld present\n",
        label.c_str(), run, rows, s, static_cast<double>(rows) / s, options.batch_scans,
        static_cast<long long>(report->scans.imported),
        static_cast<long long>(report->scans.present));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long rows = 1'000'000;
  bool postgres = false;
  legacy::ImportOptions options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--batch-scans") == 0 && i + 1 < argc) {
      options.batch_scans = std::max(1, std::atoi(argv[++i]));
    }
    if (std::strcmp(argv[i], "--rows") == 0 && i + 1 < argc) rows = std::atol(argv[++i]);
    if (std::strcmp(argv[i], "--postgres") == 0) postgres = true;
  }
  auto* server = testing::PostgresServer::Shared();
  if (!server) return 1;
  auto source_url = server->FreshDatabase();
  if (!source_url.ok()) return 1;
  const auto fill_start = std::chrono::steady_clock::now();
  if (!Exec(*source_url, Schema()) || !Exec(*source_url, FillSql(rows))) return 1;
  std::printf("earlier database: %ld detections in %ld images, filled in %.1f s\n", rows, rows / 10,
              Seconds(fill_start));

  std::string tmpl = (fs::temp_directory_path() / "vs_legacy_bench_XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  bool ok = ImportInto("sqlite", *source_url, {.data_dir = dir}, rows, options);
  if (ok && postgres) {
    auto target = server->FreshDatabase();
    ok = target.ok() && ImportInto("postgres", *source_url, {.url = *target}, rows, options);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return ok ? 0 : 1;
}
