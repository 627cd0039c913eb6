// The import from a real earlier-style PostgreSQL database (tests/legacy/legacy_schema.sql) into
// each store backend: counts, figures and reasons after the import, and a re-run adds nothing.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "legacy/importer.h"
#include "postgres_server.h"
#include "store/open.h"

namespace vs::legacy {
namespace {

namespace fs = std::filesystem;

// A legacy database filled from legacy_schema.sql, on the test process's private server.
std::string LegacyDatabase() {
  auto* server = testing::PostgresServer::Shared();
  if (!server) return "";
  auto url = server->FreshDatabase();
  if (!url.ok()) return "";
  std::ifstream in(std::string(VS_SOURCE_DIR) + "/tests/legacy/legacy_schema.sql");
  std::stringstream sql;
  sql << in.rdbuf();
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url->c_str()), &PQfinish);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.str().c_str()), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    ADD_FAILURE() << PQerrorMessage(c.get());
    return "";
  }
  return *url;
}

class LegacyImportTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    source_url_ = LegacyDatabase();
    ASSERT_FALSE(source_url_.empty()) << "no PostgreSQL for the earlier database";
    std::string tmpl = (fs::temp_directory_path() / "vs_legacy_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    store::Location where{.data_dir = dir_};
    if (GetParam() == "postgres") {
      auto url = testing::PostgresServer::Shared()->FreshDatabase();
      ASSERT_TRUE(url.ok());
      where.url = *url;
    }
    auto opened = store::Open(where);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ImportReport Run(int batch_rows, int batch_scans) {
    auto source = Source::Connect(source_url_);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    if (!source.ok()) return {};
    ImportOptions options;
    options.batch_rows = batch_rows;
    options.batch_scans = batch_scans;
    int64_t last_done = 0, total = 0;
    options.progress = [&](int64_t done, int64_t all) {
      EXPECT_GT(done, last_done);
      last_done = done;
      total = all;
    };
    auto report = Import(**source, *store_, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(last_done, 8);
    EXPECT_EQ(total, 8);
    return report.ok() ? *report : ImportReport{};
  }

  std::string source_url_, dir_;
  std::vector<store::Id> scan_events_;  // declared before store_, whose listener fills it
  std::unique_ptr<store::Store> store_;
};

TEST_P(LegacyImportTest, ImportsWhatIsSafeReportsTheRestAndNeverTwice) {
  // Batches of 2 rows: a.jpg's three rows span two batches and still make one scan. Batches of 2
  // scans: the three scans are written in two transactions, each scan with its own event.
  store_->SetCommitListener([this](const store::Event& e) {
    if (e.type == "scan.created") scan_events_.push_back(e.id);
  });
  const ImportReport first = Run(2, 2);
  EXPECT_EQ(scan_events_.size(), 3u);
  EXPECT_TRUE(std::is_sorted(scan_events_.begin(), scan_events_.end()));
  EXPECT_EQ(first.models.imported, 2);
  EXPECT_EQ(first.metrics.imported, 2);
  EXPECT_EQ(first.products.imported, 1);  // bottle → SKU-BOT
  EXPECT_EQ(first.planograms.imported, 2);
  EXPECT_EQ(first.planograms.skipped, 2);
  EXPECT_EQ(first.discrepancies.imported, 1);
  EXPECT_EQ(first.discrepancies.skipped, 1);
  EXPECT_EQ(first.scans.imported, 3);
  EXPECT_EQ(first.detections.imported, 5);
  EXPECT_EQ(first.detections.skipped, 3);
  EXPECT_EQ(first.skipped.at("box in pixels (no image size to normalise it)"), 1);
  EXPECT_EQ(first.skipped.at("detection without image_path (cannot be grouped into a scan)"), 1);
  EXPECT_EQ(first.skipped.at("confidence missing or outside 0..1"), 1);
  EXPECT_EQ(first.skipped.at("planogram row without sku"), 1);
  EXPECT_EQ(first.mapped.at("box overhanging the photo clipped to it"), 1);
  EXPECT_EQ(first.mapped.at("shelf_location missing: set to 'unassigned'"), 1);
  EXPECT_EQ(first.mapped.at("planogram shelf_location missing: set to 'unassigned'"), 1);

  // The store's own figures.
  auto summary = store_->Summarize({});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->total_detections, 5);
  EXPECT_EQ(summary->total_scans, 3);
  EXPECT_EQ(summary->unique_classes, 2);
  EXPECT_NEAR(*summary->average_confidence, (0.91 + 0.85 + 0.55 + 0.70 + 0.60) / 5, 1e-9);
  store::DetectionFilter bottles;
  bottles.sku = "SKU-BOT";  // b.jpg's bottle had no SKU: the imported catalogue gives it one
  auto by_sku = store_->Summarize(bottles);
  ASSERT_TRUE(by_sku.ok());
  EXPECT_EQ(by_sku->total_detections, 3);
  auto scans = store_->ListScans({}, {});
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->items.size(), 3u);
  const auto& a = scans->items.back();  // oldest: a.jpg
  EXPECT_EQ(a.shelf_location, "A1");
  EXPECT_EQ(ToUnixMillis(a.captured_at), 1709629200001);  // 2024-03-05 09:00:00.001 UTC
  EXPECT_EQ(a.detections_count, 3);
  EXPECT_TRUE(a.model_version_id.has_value());
  auto models = store_->ListModels();
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 2u);
  for (const auto& m : *models) {
    EXPECT_FALSE(m.is_active) << m.version_name;
    EXPECT_EQ(m.metrics.size(), 1u) << m.version_name;
  }

  // A re-run finds everything and adds nothing.
  const ImportReport second = Run(5000, 200);
  for (const Counts* c : {&second.models, &second.metrics, &second.products, &second.planograms,
                          &second.discrepancies, &second.scans, &second.detections}) {
    EXPECT_EQ(c->imported, 0);
  }
  EXPECT_EQ(second.scans.present, 3);
  EXPECT_EQ(second.detections.present, 5);
  EXPECT_EQ(second.models.present, 2);
  EXPECT_EQ(second.planograms.present, 2);
  auto again = store_->Summarize({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->total_detections, 5);
}

TEST(LegacySourceTest, UnreachableDatabaseIsAClearError) {
  auto source = Source::Connect("postgresql://127.0.0.1:1/nothing?connect_timeout=2");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), Code::kUnavailable);
  EXPECT_NE(source.status().message().find("cannot connect"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, LegacyImportTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace vs::legacy
