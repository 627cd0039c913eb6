#include "legacy/source.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <set>

#include "core/time.h"

namespace vs::legacy {
namespace {

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Text of a cell, or nullopt for SQL NULL.
std::optional<std::string> Text(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return std::string(PQgetvalue(r, row, col));
}
std::optional<int64_t> Int(const PGresult* r, int row, int col) {
  auto t = Text(r, row, col);
  if (!t) return std::nullopt;
  return std::strtoll(t->c_str(), nullptr, 10);
}
std::optional<double> Real(const PGresult* r, int row, int col) {
  auto t = Text(r, row, col);
  if (!t) return std::nullopt;
  return std::strtod(t->c_str(), nullptr);
}
std::optional<Timestamp> Time(const PGresult* r, int row, int col) {
  auto ms = Int(r, row, col);
  if (!ms) return std::nullopt;
  return FromUnixMillis(*ms);
}

// A timestamp column as unix milliseconds (a column without time zone is read as UTC).
std::string Millis(const std::string& column) {
  return "(EXTRACT(EPOCH FROM " + column + ") * 1000)::bigint";
}

}  // namespace

struct Source::Impl {
  PGconn* conn = nullptr;
  std::map<std::string, std::set<std::string>> columns;  // per table, read once

  ~Impl() {
    if (conn) PQfinish(conn);
  }

  Result<PgResult> Run(const std::string& sql) {
    PgResult r(PQexec(conn, sql.c_str()), &PQclear);
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      return Status::Unavailable("earlier database: " + std::string(PQerrorMessage(conn)));
    }
    return r;
  }
};

Source::Source(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Source::~Source() = default;

Result<std::unique_ptr<Source>> Source::Connect(const std::string& url) {
  auto impl = std::make_unique<Impl>();
  impl->conn = PQconnectdb(url.c_str());
  if (PQstatus(impl->conn) != CONNECTION_OK) {
    return Status::Unavailable("cannot connect to the earlier database: " +
                               std::string(PQerrorMessage(impl->conn)));
  }
  auto begin = impl->Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begin.ok()) return begin.status();
  return std::unique_ptr<Source>(new Source(std::move(impl)));
}

Result<bool> Source::HasTable(const std::string& table) {
  auto cols = Column(table, "", "");
  if (!cols.ok()) return cols.status();
  return !impl_->columns[table].empty();
}

Result<std::string> Source::Column(const std::string& table, const std::string& column,
                                   const std::string& type) {
  if (!impl_->columns.count(table)) {
    const char* params[] = {table.c_str()};
    PgResult r(PQexecParams(impl_->conn,
                            "SELECT column_name FROM information_schema.columns "
                            "WHERE table_schema = current_schema() AND table_name = $1",
                            1, nullptr, params, nullptr, nullptr, 0),
               &PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      return Status::Unavailable("earlier database: " + std::string(PQerrorMessage(impl_->conn)));
    }
    auto& set = impl_->columns[table];
    for (int i = 0; i < PQntuples(r.get()); ++i) set.insert(PQgetvalue(r.get(), i, 0));
  }
  if (column.empty()) return std::string();
  if (!impl_->columns[table].count(column)) return "NULL::" + type;
  const std::string quoted = "\"" + column + "\"";
  if (type == "millis") return Millis(quoted);
  return quoted + "::" + type;
}

Result<int64_t> Source::CountDetections() {
  auto has = HasTable("detections");
  if (!has.ok()) return has.status();
  if (!*has) return int64_t{0};
  auto r = impl_->Run("SELECT count(*) FROM detections");
  if (!r.ok()) return r.status();
  return Int(r->get(), 0, 0).value_or(0);
}

Result<std::vector<std::pair<int64_t, store::ModelVersion>>> Source::Models() {
  std::vector<std::pair<int64_t, store::ModelVersion>> out;
  auto has = HasTable("model_versions");
  if (!has.ok()) return has.status();
  if (!*has) return out;
  std::string sql = "SELECT id";
  for (auto [col, type] : {std::pair{"version_name", "text"},
                           {"model_type", "text"},
                           {"model_path", "text"},
                           {"base_model", "text"},
                           {"training_date", "millis"},
                           {"epochs", "bigint"},
                           {"dataset_path", "text"},
                           {"created_at", "millis"}}) {
    auto c = Column("model_versions", col, type);
    if (!c.ok()) return c.status();
    sql += ", " + *c;
  }
  auto r = impl_->Run(sql + " FROM model_versions ORDER BY id");
  if (!r.ok()) return r.status();
  const PGresult* q = r->get();
  for (int i = 0; i < PQntuples(q); ++i) {
    store::ModelVersion m;
    m.version_name = Text(q, i, 1).value_or("");
    m.model_type = Text(q, i, 2).value_or("");
    m.model_path = Text(q, i, 3).value_or("");
    m.base_model = Text(q, i, 4).value_or("");
    m.training_date = Time(q, i, 5);
    if (auto e = Int(q, i, 6)) m.epochs = static_cast<int>(*e);
    m.dataset_path = Text(q, i, 7).value_or("");
    m.created_at = Time(q, i, 8).value_or(Timestamp{});
    out.emplace_back(Int(q, i, 0).value_or(0), std::move(m));
  }
  return out;
}

Result<std::vector<store::ModelMetrics>> Source::Metrics() {
  std::vector<store::ModelMetrics> out;
  auto has = HasTable("model_metrics");
  if (!has.ok()) return has.status();
  if (!*has) return out;
  std::string sql = "SELECT model_version_id";
  for (auto [col, type] : {std::pair{"evaluation_date", "millis"},
                           {"map50", "float8"},
                           {"map50_95", "float8"},
                           {"precision", "float8"},
                           {"recall", "float8"},
                           {"f1_score", "float8"},
                           {"inference_time_ms", "float8"},
                           {"test_dataset_path", "text"},
                           {"num_test_images", "bigint"}}) {
    auto c = Column("model_metrics", col, type);
    if (!c.ok()) return c.status();
    sql += ", " + *c;
  }
  auto r = impl_->Run(sql + " FROM model_metrics ORDER BY id");
  if (!r.ok()) return r.status();
  const PGresult* q = r->get();
  for (int i = 0; i < PQntuples(q); ++i) {
    store::ModelMetrics m;
    m.model_version_id = Int(q, i, 0).value_or(0);
    m.evaluation_date = Time(q, i, 1).value_or(Timestamp{});
    m.map50 = Real(q, i, 2);
    m.map50_95 = Real(q, i, 3);
    m.precision = Real(q, i, 4);
    m.recall = Real(q, i, 5);
    m.f1_score = Real(q, i, 6);
    m.inference_time_ms = Real(q, i, 7);
    m.test_dataset_path = Text(q, i, 8).value_or("");
    if (auto n = Int(q, i, 9)) m.num_test_images = static_cast<int>(*n);
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<LegacyPlanogram>> Source::Planograms() {
  std::vector<LegacyPlanogram> out;
  auto has = HasTable("planograms");
  if (!has.ok()) return has.status();
  if (!*has) return out;
  std::string sql = "SELECT id";
  for (auto [col, type] : {std::pair{"planogram_name", "text"},
                           {"sku", "text"},
                           {"product_name", "text"},
                           {"shelf_location", "text"},
                           {"expected_count", "bigint"},
                           {"x_position", "float8"},
                           {"y_position", "float8"},
                           {"meta_data", "text"}}) {
    auto c = Column("planograms", col, type);
    if (!c.ok()) return c.status();
    sql += ", " + *c;
  }
  auto r = impl_->Run(sql + " FROM planograms ORDER BY id");
  if (!r.ok()) return r.status();
  const PGresult* q = r->get();
  for (int i = 0; i < PQntuples(q); ++i) {
    LegacyPlanogram p;
    p.id = Int(q, i, 0).value_or(0);
    p.row.planogram_name = Text(q, i, 1).value_or("");
    p.row.sku = Text(q, i, 2).value_or("");
    p.row.product_name = Text(q, i, 3).value_or("");
    p.row.shelf_location = Text(q, i, 4).value_or("");
    p.row.expected_count = static_cast<int>(Int(q, i, 5).value_or(-1));
    p.row.x_position = Real(q, i, 6);
    p.row.y_position = Real(q, i, 7);
    auto meta = nlohmann::json::parse(Text(q, i, 8).value_or("{}"), nullptr, false);
    if (meta.is_object()) p.row.meta_data = std::move(meta);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<LegacyDiscrepancy>> Source::Discrepancies() {
  std::vector<LegacyDiscrepancy> out;
  auto has = HasTable("discrepancies");
  if (!has.ok()) return has.status();
  if (!*has) return out;
  std::string sql = "SELECT planogram_id";
  for (auto [col, type] : {std::pair{"sku", "text"},
                           {"shelf_location", "text"},
                           {"discrepancy_type", "text"},
                           {"expected_count", "bigint"},
                           {"detected_count", "bigint"},
                           {"confidence_score", "float8"},
                           {"meta_data", "text"},
                           {"created_at", "millis"}}) {
    auto c = Column("discrepancies", col, type);
    if (!c.ok()) return c.status();
    sql += ", " + *c;
  }
  auto r = impl_->Run(sql + " FROM discrepancies ORDER BY id");
  if (!r.ok()) return r.status();
  const PGresult* q = r->get();
  for (int i = 0; i < PQntuples(q); ++i) {
    LegacyDiscrepancy d;
    d.planogram_id = Int(q, i, 0).value_or(0);
    d.row.sku = Text(q, i, 1).value_or("");
    d.row.shelf_location = Text(q, i, 2).value_or("");
    d.row.discrepancy_type = Text(q, i, 3).value_or("");
    d.row.expected_count = static_cast<int>(Int(q, i, 4).value_or(0));
    d.row.detected_count = static_cast<int>(Int(q, i, 5).value_or(0));
    d.row.confidence_score = Real(q, i, 6);
    auto meta = nlohmann::json::parse(Text(q, i, 7).value_or("{}"), nullptr, false);
    if (meta.is_object()) d.row.meta_data = std::move(meta);
    d.row.created_at = Time(q, i, 8).value_or(Timestamp{});
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<SkuPair>> Source::SkuPairs() {
  std::vector<SkuPair> out;
  auto has = HasTable("detections");
  if (!has.ok()) return has.status();
  if (!*has) return out;
  auto sku = Column("detections", "sku", "text");
  if (!sku.ok()) return sku.status();
  if (sku->starts_with("NULL")) return out;
  auto r = impl_->Run(
      "SELECT class_name, sku, count(*) FROM detections WHERE sku IS NOT NULL AND sku <> '' "
      "AND class_name IS NOT NULL AND class_name <> '' GROUP BY 1, 2 ORDER BY 1, 2");
  if (!r.ok()) return r.status();
  for (int i = 0; i < PQntuples(r->get()); ++i) {
    out.push_back({Text(r->get(), i, 0).value_or(""), Text(r->get(), i, 1).value_or(""),
                   Int(r->get(), i, 2).value_or(0)});
  }
  return out;
}

Status Source::ForEachDetectionBatch(
    int batch_rows, const std::function<Status(std::vector<LegacyDetection>&)>& batch) {
  auto has = HasTable("detections");
  if (!has.ok()) return has.status();
  if (!*has) return Status::Ok();
  std::string sql = "DECLARE legacy_detections NO SCROLL CURSOR FOR SELECT id";
  for (auto [col, type] : {std::pair{"image_path", "text"},
                           {"timestamp", "millis"},
                           {"sku", "text"},
                           {"class_name", "text"},
                           {"confidence", "float8"},
                           {"x_center", "float8"},
                           {"y_center", "float8"},
                           {"width", "float8"},
                           {"height", "float8"},
                           {"shelf_location", "text"},
                           {"model_version_id", "bigint"}}) {
    auto c = Column("detections", col, type);
    if (!c.ok()) return c.status();
    sql += ", " + *c;
  }
  auto declared = impl_->Run(sql + " FROM detections ORDER BY image_path NULLS LAST, id");
  if (!declared.ok()) return declared.status();
  const std::string fetch =
      "FETCH FORWARD " + std::to_string(batch_rows) + " FROM legacy_detections";
  for (;;) {
    auto r = impl_->Run(fetch);
    if (!r.ok()) return r.status();
    const PGresult* q = r->get();
    const int n = PQntuples(q);
    if (n == 0) break;
    std::vector<LegacyDetection> rows(n);
    for (int i = 0; i < n; ++i) {
      auto& d = rows[i];
      d.id = Int(q, i, 0).value_or(0);
      d.image_path = Text(q, i, 1);
      d.timestamp_ms = Int(q, i, 2);
      d.sku = Text(q, i, 3);
      d.class_name = Text(q, i, 4);
      d.confidence = Real(q, i, 5);
      d.x_center = Real(q, i, 6);
      d.y_center = Real(q, i, 7);
      d.width = Real(q, i, 8);
      d.height = Real(q, i, 9);
      d.shelf_location = Text(q, i, 10);
      d.model_version_id = Int(q, i, 11);
    }
    VS_RETURN_IF_ERROR(batch(rows));
  }
  return impl_->Run("CLOSE legacy_detections").status();
}

}  // namespace vs::legacy
