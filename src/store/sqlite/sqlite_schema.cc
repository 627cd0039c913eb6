#include "store/sqlite/sqlite_schema.h"

#include <initializer_list>

#include "core/time.h"
#include "store/compliance_history.h"
#include "store/rollup.h"
#include "store/sqlite/sqlite_bits.h"

namespace vs::store::sqlite {
namespace {

// Times are INTEGER Unix milliseconds; JSON documents are TEXT.
constexpr const char* kCoreTables = R"sql(
CREATE TABLE model_versions (
  id            INTEGER PRIMARY KEY,
  version_name  TEXT NOT NULL UNIQUE,
  model_type    TEXT NOT NULL DEFAULT '',
  model_path    TEXT NOT NULL DEFAULT '',
  base_model    TEXT NOT NULL DEFAULT '',
  training_date INTEGER,
  epochs        INTEGER,
  dataset_path  TEXT NOT NULL DEFAULT '',
  is_active     INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
  created_at    INTEGER NOT NULL
);
-- At most one active model version.
CREATE UNIQUE INDEX model_versions_one_active ON model_versions(is_active) WHERE is_active = 1;

CREATE TABLE model_metrics (
  id                INTEGER PRIMARY KEY,
  model_version_id  INTEGER NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
  evaluation_date   INTEGER NOT NULL,
  map50             REAL,
  map50_95          REAL,
  precision         REAL,
  recall            REAL,
  f1_score          REAL,
  inference_time_ms REAL,
  test_dataset_path TEXT NOT NULL DEFAULT '',
  num_test_images   INTEGER
);
CREATE INDEX model_metrics_model ON model_metrics(model_version_id, evaluation_date);

CREATE TABLE scans (
  id               INTEGER PRIMARY KEY,
  store            TEXT NOT NULL,
  shelf_location   TEXT NOT NULL,
  captured_at      INTEGER NOT NULL,
  received_at      INTEGER NOT NULL,
  image_path       TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  width            INTEGER NOT NULL,
  height           INTEGER NOT NULL,
  model_version_id INTEGER REFERENCES model_versions(id),
  inference_ms     REAL NOT NULL,
  detections_count INTEGER NOT NULL CHECK (detections_count >= 0)
);
CREATE INDEX scans_captured ON scans(captured_at);
CREATE INDEX scans_store ON scans(store, captured_at);
CREATE INDEX scans_shelf ON scans(shelf_location, captured_at);

-- timestamp, store and shelf_location repeat the scan's values so that filters need no join.
CREATE TABLE detections (
  id               INTEGER PRIMARY KEY,
  scan_id          INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  timestamp        INTEGER NOT NULL,
  sku              TEXT NOT NULL CHECK (sku <> ''),
  class_name       TEXT NOT NULL CHECK (class_name <> ''),
  class_id         INTEGER NOT NULL,
  confidence       REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  x_center         REAL NOT NULL,
  y_center         REAL NOT NULL,
  width            REAL NOT NULL,
  height           REAL NOT NULL,
  shelf_location   TEXT NOT NULL,
  store            TEXT NOT NULL,
  meta_data        TEXT NOT NULL DEFAULT '{}',
  model_version_id INTEGER REFERENCES model_versions(id)
);
-- Newest-first listing: every index ends in (timestamp, rowid) order.
CREATE INDEX detections_time ON detections(timestamp);
CREATE INDEX detections_sku ON detections(sku, timestamp);
CREATE INDEX detections_class ON detections(class_name, timestamp);
CREATE INDEX detections_shelf ON detections(shelf_location, timestamp);
CREATE INDEX detections_store ON detections(store, timestamp);
CREATE INDEX detections_scan ON detections(scan_id);

CREATE TABLE products (
  id           INTEGER PRIMARY KEY,
  class_name   TEXT NOT NULL UNIQUE CHECK (class_name <> ''),
  sku          TEXT NOT NULL UNIQUE CHECK (sku <> ''),
  product_name TEXT NOT NULL DEFAULT '',
  brand        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE planograms (
  id             INTEGER PRIMARY KEY,
  planogram_name TEXT NOT NULL CHECK (planogram_name <> ''),
  sku            TEXT NOT NULL CHECK (sku <> ''),
  product_name   TEXT NOT NULL DEFAULT '',
  shelf_location TEXT NOT NULL DEFAULT '',
  expected_count INTEGER NOT NULL CHECK (expected_count >= 0),
  x_position     REAL,
  y_position     REAL,
  meta_data      TEXT NOT NULL DEFAULT '{}',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE INDEX planograms_name ON planograms(planogram_name);
CREATE INDEX planograms_sku ON planograms(sku);

CREATE TABLE discrepancies (
  id               INTEGER PRIMARY KEY,
  planogram_id     INTEGER NOT NULL REFERENCES planograms(id) ON DELETE CASCADE,
  sku              TEXT NOT NULL,
  shelf_location   TEXT NOT NULL DEFAULT '',
  discrepancy_type TEXT NOT NULL,
  expected_count   INTEGER NOT NULL,
  detected_count   INTEGER NOT NULL,
  confidence_score REAL,
  meta_data        TEXT NOT NULL DEFAULT '{}',
  created_at       INTEGER NOT NULL
);
CREATE INDEX discrepancies_planogram ON discrepancies(planogram_id);
CREATE INDEX discrepancies_sku ON discrepancies(sku);

-- Committed changes in commit order, for live clients (AUTOINCREMENT: ids never reused).
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  type       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
)sql";

// Version 2 of the pre-aggregated detections (version 3 below replaces the table; the columns
// keep their meaning) for Summarize, Activity and DistinctValues (see store/rollup.h).
// One row per (level, mode, bucket, store, shelf_location, sku, class_name):
//   level 0 all time (bucket 0), 1 UTC day, 2 UTC hour, 3 UTC minute (from migration 4)
//   (bucket = its start, Unix ms);
//   mode 0 neither sku nor class_name (both ''), 1 sku only (class_name ''), 2 class_name only
//   (sku ''), 3 both;
//   n detections, sum_conf their confidence sum, max_ts their newest timestamp (NULL when n=0),
//   scans the number of scans holding at least one of them. Mode 0 also has rows (n=0) for
//   scans without detections, so that every store and shelf appears.
constexpr const char* kRollupTable = R"sql(
CREATE TABLE rollup (
  level          INTEGER NOT NULL,
  mode           INTEGER NOT NULL,
  bucket         INTEGER NOT NULL,
  store          TEXT NOT NULL,
  shelf_location TEXT NOT NULL,
  sku            TEXT NOT NULL,
  class_name     TEXT NOT NULL,
  n              INTEGER NOT NULL,
  sum_conf       REAL NOT NULL,
  max_ts         INTEGER,
  scans          INTEGER NOT NULL,
  PRIMARY KEY (level, mode, bucket, store, shelf_location, sku, class_name)
) WITHOUT ROWID;
)sql";

std::string BucketExpr(int level, const std::string& ts) {
  if (level == kLevelAll) return "0";
  const std::string w = std::to_string(level == kLevelDay    ? kDayMs
                                       : level == kLevelHour ? kHourMs
                                                             : kMinuteMs);
  return "(" + ts + " - ((" + ts + " % " + w + ") + " + w + ") % " + w + ")";
}

// Fills the version-2 rollup table (kept so that migration 2 stays what it was).
std::string RollupV2FillSql() {
  std::string sql;
  for (int level : {kLevelAll, kLevelDay, kLevelHour}) {
    for (int mode = 0; mode < 4; ++mode) {
      const std::string sku = (mode & 1) ? "sku" : "''";
      const std::string cls = (mode & 2) ? "class_name" : "''";
      sql += "INSERT INTO rollup SELECT " + std::to_string(level) + ", " + std::to_string(mode) +
             ", " + BucketExpr(level, "timestamp") + ", store, shelf_location, " + sku + ", " +
             cls +
             ", COUNT(*), SUM(confidence), MAX(timestamp), COUNT(DISTINCT scan_id) "
             "FROM detections GROUP BY 3, 4, 5, 6, 7;\n";
    }
    sql += "INSERT OR IGNORE INTO rollup SELECT " + std::to_string(level) + ", 0, " +
           BucketExpr(level, "captured_at") +
           ", store, shelf_location, '', '', 0, 0.0, NULL, 0 FROM scans GROUP BY 3, 4, 5;\n";
  }
  return sql;
}

// Version 3 keys rows by (level, mode, sku, class_name, bucket, store, shelf_location), so that a
// filter's sku and class_name are a key prefix, and adds bitmaps of interned sku and class ids
// (rollup_names) so that distinct counts need no per-group rows:
//   mode 0 (sku = class_name = ''): sku_bits and class_bits of the detections in the row;
//   mode 1 (sku set, class_name ''): class_bits; mode 2 (class_name set, sku ''): sku_bits;
//   mode 3 (both set): no bitmaps. Unused bitmaps and bitmaps of rows with n = 0 are NULL.
constexpr const char* kRollupV3Tables = R"sql(
DROP TABLE rollup;
CREATE TABLE rollup (
  level          INTEGER NOT NULL,
  mode           INTEGER NOT NULL,
  sku            TEXT NOT NULL,
  class_name     TEXT NOT NULL,
  bucket         INTEGER NOT NULL,
  store          TEXT NOT NULL,
  shelf_location TEXT NOT NULL,
  n              INTEGER NOT NULL,
  sum_conf       REAL NOT NULL,
  max_ts         INTEGER,
  scans          INTEGER NOT NULL,
  sku_bits       BLOB,
  class_bits     BLOB,
  PRIMARY KEY (level, mode, sku, class_name, bucket, store, shelf_location)
) WITHOUT ROWID;
-- Small dense ids for sku (kind 1) and class_name (kind 2) values, never reassigned.
CREATE TABLE rollup_names (
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  id   INTEGER NOT NULL,
  PRIMARY KEY (kind, name)
) WITHOUT ROWID;
CREATE UNIQUE INDEX rollup_names_id ON rollup_names(kind, id);
)sql";

}  // namespace

namespace {

// Interns every sku and class name of the detections not yet in rollup_names.
std::string RollupNamesSql() {
  std::string sql;
  for (const auto& [kind, column] : {std::pair{1, "sku"}, std::pair{2, "class_name"}}) {
    const std::string k = std::to_string(kind);
    sql += "INSERT INTO rollup_names(kind, name, id) SELECT " + k + ", v," +
           " (SELECT COALESCE(MAX(id), -1) FROM rollup_names WHERE kind = " + k + ")" +
           " + ROW_NUMBER() OVER (ORDER BY v) FROM (SELECT DISTINCT " + column +
           " AS v FROM detections WHERE " + column +
           " NOT IN (SELECT name FROM rollup_names WHERE kind = " + k + "));\n";
  }
  return sql;
}

// Fills the (version 3) rollup rows of `levels` from the detections and scans.
std::string RollupLevelsSql(std::initializer_list<int> levels) {
  std::string sql;
  for (int level : levels) {
    for (int mode = 0; mode < 4; ++mode) {
      const std::string sku = (mode & 1) ? "d.sku" : "''";
      const std::string cls = (mode & 2) ? "d.class_name" : "''";
      const std::string sku_bits = (mode & 1) ? "NULL" : "vs_bits_agg(vs_bit(sn.id))";
      const std::string cls_bits = (mode & 2) ? "NULL" : "vs_bits_agg(vs_bit(cn.id))";
      sql += "INSERT INTO rollup SELECT " + std::to_string(level) + ", " + std::to_string(mode) +
             ", " + sku + ", " + cls + ", " + BucketExpr(level, "d.timestamp") +
             ", d.store, d.shelf_location, COUNT(*), SUM(d.confidence), MAX(d.timestamp),"
             " COUNT(DISTINCT d.scan_id), " +
             sku_bits + ", " + cls_bits +
             " FROM detections d"
             " JOIN rollup_names sn ON sn.kind = 1 AND sn.name = d.sku"
             " JOIN rollup_names cn ON cn.kind = 2 AND cn.name = d.class_name"
             " GROUP BY 3, 4, 5, 6, 7;\n";
    }
    sql += "INSERT OR IGNORE INTO rollup SELECT " + std::to_string(level) + ", 0, '', '', " +
           BucketExpr(level, "captured_at") +
           ", store, shelf_location, 0, 0.0, NULL, 0, NULL, NULL FROM scans GROUP BY 5, 6, 7;\n";
  }
  return sql;
}

// Rewrites event payloads stored before version 7, which held whole records (and so kept the
// data of records deleted since), to the small form written since (see live/hub.h): ids and a
// few fields. Only old-form payloads match, so running it on new-form ones changes nothing. A
// planogram deletion stored before it had only the id: its planogram_name becomes null.
constexpr const char* kSmallEventPayloads = R"sql(
UPDATE events SET payload = json_object(
    'scan_id', json_extract(payload, '$.scan.id'),
    'store', json_extract(payload, '$.scan.store'),
    'shelf_location', json_extract(payload, '$.scan.shelf_location'),
    'detections_count', json_extract(payload, '$.scan.detections_count'),
    'captured_at', json_extract(payload, '$.scan.captured_at'))
  WHERE type = 'scan.created'
    AND CASE WHEN json_valid(payload) THEN json_type(payload, '$.scan') END = 'object';
UPDATE events SET payload = json_object(
    'planogram_id', json_extract(payload, '$.planogram.id'),
    'action', json_extract(payload, '$.action'),
    'planogram_name', json_extract(payload, '$.planogram.planogram_name'))
  WHERE type = 'planogram.changed'
    AND CASE WHEN json_valid(payload) THEN json_type(payload, '$.planogram') END = 'object';
UPDATE events SET payload = json_object(
    'product_id', json_extract(payload, '$.product.id'),
    'class_name', json_extract(payload, '$.product.class_name'))
  WHERE type = 'product.changed'
    AND CASE WHEN json_valid(payload) THEN json_type(payload, '$.product') END = 'object';
UPDATE events SET payload = json_object(
    'model_id', json_extract(payload, '$.model.id'),
    'is_active', json(CASE WHEN json_extract(payload, '$.model.is_active') THEN 'true'
                      ELSE 'false' END))
  WHERE type = 'model.changed'
    AND CASE WHEN json_valid(payload) THEN json_type(payload, '$.model') END = 'object';
)sql";

}  // namespace

// Version 12: the confidence rollups, answering min_confidence filters (store/rollup.h,
// ConfSplit). The rows of `rollup` split further by confidence bucket `conf` (0..19, ConfBucketOf):
// one row per (level, mode, sku, class_name, bucket, store, shelf_location, conf) holding
// detections, with n, sum_conf, max_ts and the bitmaps as in `rollup` for the detections of the
// row; `scans` counts the scans whose highest-confidence detection of the row's group (level,
// mode, sku, class_name, bucket, store, shelf_location) lies in this conf bucket, so that the sum
// over conf >= k is the number of scans holding a detection of the group at or above ConfLow(k).
// No rows for scans without detections. detections_conf (an expression index, so that only
// queries naming `confidence * 1.0` use it and other plans stay as they were) covers the rows of
// a partial confidence bucket; detections_scan_conf (replacing detections_scan) tells whether a
// scan holds a detection at or above a bound in one seek.
constexpr const char* kRollupConfTables = R"sql(
CREATE TABLE rollup_conf (
  level          INTEGER NOT NULL,
  mode           INTEGER NOT NULL,
  sku            TEXT NOT NULL,
  class_name     TEXT NOT NULL,
  bucket         INTEGER NOT NULL,
  store          TEXT NOT NULL,
  shelf_location TEXT NOT NULL,
  conf           INTEGER NOT NULL,
  n              INTEGER NOT NULL,
  sum_conf       REAL NOT NULL,
  max_ts         INTEGER NOT NULL,
  sku_bits       BLOB,
  class_bits     BLOB,
  scans          INTEGER NOT NULL,
  PRIMARY KEY (level, mode, sku, class_name, bucket, store, shelf_location, conf)
) WITHOUT ROWID;
CREATE INDEX detections_conf ON detections(confidence * 1.0, confidence, timestamp, store,
  shelf_location, sku, class_name, scan_id);
CREATE INDEX detections_scan_conf ON detections(scan_id, confidence);
DROP INDEX detections_scan;
)sql";

std::string RollupConfLevelsSql(std::initializer_list<int> levels) {
  return RollupConfFillSql(
      levels, [](const std::string& id) { return "vs_bits_agg(vs_bit(" + id + "))"; }, "NULL");
}

// Version 14: mode 0 of rollup_conf becomes cumulative (store/rollup.h, kModeAtLeast), so that a
// threshold over every sku and class reads one row per bucket, store and shelf, not one per
// confidence bucket above it (7 days at 10M: 15,000 rows). Built from the per-bucket rows.
std::string CumulativeConfSql() { return store::RollupConfAtLeastSql("vs_bits_agg"); }

// Version 15: the fine confidence rows (store/rollup.h, FineSplit) answering the partial
// bucket of a threshold off the 0.05 grid over every sku and class. Keyed with the fine bucket
// before the time bucket, so that a query names its few fine buckets (conf IN (...)) and reads
// one range of time buckets under each.
constexpr const char* kRollupFineTable = R"sql(
CREATE TABLE rollup_fine (
  level          INTEGER NOT NULL,
  res            INTEGER NOT NULL,
  conf           INTEGER NOT NULL,
  bucket         INTEGER NOT NULL,
  store          TEXT NOT NULL,
  shelf_location TEXT NOT NULL,
  n              INTEGER NOT NULL,
  sum_conf       REAL NOT NULL,
  max_ts         INTEGER NOT NULL,
  sku_bits       BLOB,
  class_bits     BLOB,
  scans          INTEGER NOT NULL,
  PRIMARY KEY (level, res, conf, bucket, store, shelf_location)
) WITHOUT ROWID;
)sql";

std::string RollupFineSql(std::initializer_list<int> resolutions) {
  return store::RollupFineFillSql(
      [](const std::string& id) { return "vs_bits_agg(vs_bit(" + id + "))"; }, resolutions);
}

std::string RollupRebuildSql() {
  return "DELETE FROM rollup;\nDELETE FROM rollup_conf;\nDELETE FROM rollup_fine;\n" +
         RollupNamesSql() + RollupLevelsSql({kLevelAll, kLevelDay, kLevelHour, kLevelMinute}) +
         RollupConfLevelsSql({kLevelAll, kLevelDay, kLevelHour, kLevelMinute}) +
         CumulativeConfSql() + RollupFineSql({kFine100, kFine1000, kFine10000});
}

// Accounts: users (Argon2id password strings), API tokens and login sessions (SHA-256 of the
// secret only), and the audit log of admin actions.
constexpr const char* kAccountTables = R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE CHECK (name <> ''),
  password_hash TEXT NOT NULL,
  role          INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),
  created_at    INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  role         INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE login_sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX login_sessions_user ON login_sessions(user_id);
CREATE TABLE audit_log (
  id             INTEGER PRIMARY KEY,
  at             INTEGER NOT NULL,
  actor          TEXT NOT NULL,
  action         TEXT NOT NULL,
  target         TEXT NOT NULL,
  status         INTEGER NOT NULL,
  remote_address TEXT NOT NULL
);
)sql";

// Photo bytes when the server keeps photos in the database (serve --photos database).
constexpr const char* kPhotoTable = R"sql(
CREATE TABLE photos (
  path       TEXT PRIMARY KEY,
  bytes      BLOB NOT NULL,
  size       INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
)sql";

// Planogram compliance (src/analysis): planograms gain a store ('' = every store) and a version;
// every change keeps a snapshot row in planogram_versions (no foreign key: snapshots outlive
// their row); one compliance_results row per scan x planogram with the KPIs as columns and the
// per-row results as JSON; alerts followed across scans. Portable SQL only (the PostgreSQL
// backend creates the same tables; INTEGER PRIMARY KEY there is BIGINT GENERATED AS IDENTITY).
constexpr const char* kComplianceTables = R"sql(
ALTER TABLE planograms ADD COLUMN store TEXT NOT NULL DEFAULT '';
ALTER TABLE planograms ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX planograms_shelf ON planograms(shelf_location, store);
ALTER TABLE discrepancies ADD COLUMN store TEXT NOT NULL DEFAULT '';

CREATE TABLE planogram_versions (
  id             INTEGER PRIMARY KEY,
  planogram_id   INTEGER NOT NULL,
  version        INTEGER NOT NULL,
  action         TEXT NOT NULL,
  planogram_name TEXT NOT NULL,
  store          TEXT NOT NULL,
  sku            TEXT NOT NULL,
  product_name   TEXT NOT NULL,
  shelf_location TEXT NOT NULL,
  expected_count INTEGER NOT NULL,
  x_position     DOUBLE PRECISION,
  y_position     DOUBLE PRECISION,
  meta_data      TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX planogram_versions_row ON planogram_versions(planogram_id, version);
CREATE INDEX planogram_versions_name ON planogram_versions(planogram_name, version);
INSERT INTO planogram_versions(planogram_id, version, action, planogram_name, store, sku,
    product_name, shelf_location, expected_count, x_position, y_position, meta_data, created_at)
  SELECT id, 1, 'created', planogram_name, store, sku, product_name, shelf_location,
         expected_count, x_position, y_position, meta_data, updated_at FROM planograms;

CREATE TABLE compliance_results (
  id                INTEGER PRIMARY KEY,
  scan_id           INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  store             TEXT NOT NULL,
  shelf_location    TEXT NOT NULL,
  planogram_name    TEXT NOT NULL,
  planogram_version INTEGER NOT NULL,
  captured_at       INTEGER NOT NULL,
  analysed_at       INTEGER NOT NULL,
  compliant         INTEGER NOT NULL CHECK (compliant IN (0, 1)),
  planned_units     INTEGER NOT NULL,
  compliant_units   INTEGER NOT NULL,
  stocked_skus      INTEGER NOT NULL,
  present_skus      INTEGER NOT NULL,
  out_of_stock_skus INTEGER NOT NULL,
  gap_count         INTEGER NOT NULL,
  facings           INTEGER NOT NULL,
  gap_width         DOUBLE PRECISION NOT NULL,
  row_width         DOUBLE PRECISION NOT NULL,
  compliance_score  DOUBLE PRECISION,
  availability      DOUBLE PRECISION,
  out_of_stock_rate DOUBLE PRECISION,
  gap_share         DOUBLE PRECISION,
  detail            TEXT NOT NULL,
  UNIQUE (scan_id, planogram_name)
);
CREATE INDEX compliance_results_time ON compliance_results(captured_at);
-- History per store and per shelf reads only these (covering) indexes, never the JSON detail.
CREATE INDEX compliance_results_store ON compliance_results(store, captured_at, compliant,
  planned_units, compliant_units, stocked_skus, present_skus, out_of_stock_skus, gap_count,
  facings, gap_width, row_width);
CREATE INDEX compliance_results_shelf ON compliance_results(store, shelf_location, captured_at,
  compliant, planned_units, compliant_units, stocked_skus, present_skus, out_of_stock_skus,
  gap_count, facings, gap_width, row_width);
-- The newest result of each (store, shelf, planogram), kept with every write, so that the latest
-- state costs one row per shelf whatever the length of the history.
CREATE TABLE compliance_latest (
  store          TEXT NOT NULL,
  shelf_location TEXT NOT NULL,
  planogram_name TEXT NOT NULL,
  captured_at    INTEGER NOT NULL,
  result_id      INTEGER NOT NULL,
  PRIMARY KEY (store, shelf_location, planogram_name)
);

CREATE TABLE alerts (
  id               INTEGER PRIMARY KEY,
  type             TEXT NOT NULL,
  store            TEXT NOT NULL,
  shelf_location   TEXT NOT NULL,
  planogram_name   TEXT NOT NULL,
  sku              TEXT NOT NULL,
  status           TEXT NOT NULL
                   CHECK (status IN ('pending', 'open', 'acknowledged', 'resolved')),
  scans            INTEGER NOT NULL,
  first_seen_at    INTEGER NOT NULL,
  last_seen_at     INTEGER NOT NULL,
  first_scan_id    INTEGER NOT NULL,
  last_scan_id     INTEGER NOT NULL,
  raised_at        INTEGER,
  resolved_at      INTEGER,
  acknowledged_at  INTEGER,
  resolved_scan_id INTEGER,
  acknowledged_by  TEXT NOT NULL DEFAULT '',
  note             TEXT NOT NULL DEFAULT '',
  detail           TEXT NOT NULL DEFAULT '{}'
);
-- At most one unresolved alert per condition.
CREATE UNIQUE INDEX alerts_active ON alerts(type, store, shelf_location, planogram_name, sku)
  WHERE status <> 'resolved';
CREATE INDEX alerts_shelf ON alerts(store, shelf_location, status);
CREATE INDEX alerts_time ON alerts(first_seen_at);
)sql";

// Webhook subscriptions, their outbox (one row per event and webhook, delivered by a worker)
// and the id of the last event turned into outbox rows. Portable SQL: the PostgreSQL backend
// creates the same tables.
constexpr const char* kWebhookTables = R"sql(
CREATE TABLE webhooks (
  id             INTEGER PRIMARY KEY,
  url            TEXT NOT NULL CHECK (url <> ''),
  event_types    TEXT NOT NULL,
  secret         TEXT NOT NULL CHECK (secret <> ''),
  enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  description    TEXT NOT NULL DEFAULT '',
  since_event_id BIGINT NOT NULL,
  created_at     BIGINT NOT NULL
);
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
  webhook_id      BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id        BIGINT NOT NULL,
  event_type      TEXT NOT NULL,
  body            TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT NOT NULL,
  next_attempt_at BIGINT,
  last_attempt_at BIGINT,
  last_status     INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  delivered_at    BIGINT,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
CREATE TABLE webhook_cursor (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id BIGINT NOT NULL
);
INSERT INTO webhook_cursor(id, last_event_id) VALUES (1, 0);
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kAll = {
      {1, "core tables", kCoreTables},
      {2, "detection rollups", std::string(kRollupTable) + RollupV2FillSql()},
      {3, "rollups keyed by sku and class, with distinct-value bitmaps",
       std::string(kRollupV3Tables) + RollupNamesSql() +
           RollupLevelsSql({kLevelAll, kLevelDay, kLevelHour})},
      {4, "minute rollups", RollupLevelsSql({kLevelMinute})},
      // Detection records filtered by both shelf and sku (the dashboard's records view). An
      // expression index: the planner uses it only for queries naming this exact expression
      // (see DetectionWhere), so single-column filters keep their (column, timestamp) index.
      {5, "detections by shelf and sku",
       "CREATE INDEX detections_shelf_sku ON detections("
       "shelf_location || char(31) || sku, timestamp);"},
      {6, "accounts and audit log", kAccountTables},
      {7, "small event payloads", kSmallEventPayloads},
      {8, "photos kept in the database", kPhotoTable},
      // The photo janitor looks scans up by photo (Store::HasScanForImage).
      {9, "scans by photo", "CREATE INDEX scans_image ON scans(image_path);"},
      {10, "planogram compliance: stores, versions, results, alerts", kComplianceTables},
      {11, "webhooks and their outbox", kWebhookTables},
      {12, "confidence rollups",
       std::string(kRollupConfTables) + RollupNamesSql() +
           RollupConfLevelsSql({kLevelAll, kLevelDay, kLevelHour, kLevelMinute})},
      // Compliance history buckets, kept by triggers (store/compliance_history.h).
      {13, "compliance history buckets",
       HistoryTableSql(/*sqlite=*/true) + SqliteHistoryTriggerSql()},
      {14, "cumulative confidence rollups", CumulativeConfSql()},
      {15, "fine confidence rollups",
       std::string(kRollupFineTable) + RollupNamesSql() + RollupFineSql({kFine100, kFine1000})},
      // The rows of a partial confidence bucket in a sub-hour part are found by time; with the
      // confidence in the index, only the rows in the bucket are looked up (an hour holds
      // ~14,000 rows at 10M detections, the bucket ~230 of them).
      {16, "detections by time and confidence",
       "DROP INDEX detections_time;"
       " CREATE INDEX detections_time ON detections(timestamp, confidence);"},
      // 0.0001-wide fine rows at the all level: a threshold with four decimals and no time
      // range reads rollup rows only (store/rollup.h).
      {17, "finest confidence rollups", RollupFineSql({kFine10000})},
      // The rows of a partial confidence bucket in a sub-hour part, found by 0.001 bucket and
      // time: one seek per bucket reaches only the bucket's rows (~230 of an hour's 14,000 at
      // 10M detections), where detections_time visits every row of the part. Covering what the
      // read selects and filters on, so that no row is looked up in the table.
      {18, "detections by confidence thousandth and time",
       "CREATE INDEX detections_thousandths ON detections(CAST(confidence * 1000 AS INTEGER),"
       " timestamp, confidence, store, shelf_location, sku, class_name, scan_id);"},
      // The cumulative confidence rows (version 14) by level, conf and bucket, covering what a
      // summary reads: the table's key puts conf last, so a time range visited every conf of
      // each bucket, store and shelf (~19 rows for each one read).
      {19, "cumulative confidence rollups by conf",
       "CREATE INDEX rollup_conf_at_least ON rollup_conf(level, conf, bucket, store,"
       " shelf_location, n, sum_conf, max_ts, scans, sku_bits, class_bits) WHERE mode = " +
           std::to_string(kModeAtLeast) + ";"},
  };
  return kAll;
}

Status Migrate(Connection* c) {
  VS_RETURN_IF_ERROR(RegisterBitFunctions(c->raw()));
  VS_RETURN_IF_ERROR(
      c->Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  const int latest = Migrations().back().version;
  for (const Migration& m : Migrations()) {
    Transaction tx(c);
    VS_RETURN_IF_ERROR(tx.status());
    auto q = c->Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    if (!q.ok()) return q.status();
    q->Bind(m.version);
    auto applied = q->Step();
    if (!applied.ok()) return applied.status();
    if (*applied) continue;
    Status s = c->Exec(m.sql);
    if (!s.ok()) {
      return Status::Internal("migration " + std::to_string(m.version) + " (" + m.name +
                              ") failed: " + s.message());
    }
    auto rec =
        c->Prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?,?,?)");
    if (!rec.ok()) return rec.status();
    VS_RETURN_IF_ERROR(rec->BindAll(m.version, m.name, ToUnixMillis(Now())).Run());
    VS_RETURN_IF_ERROR(tx.Commit());
  }
  auto newest = c->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!newest.ok()) return newest.status();
  auto row = newest->Step();
  if (!row.ok()) return row.status();
  if (newest->Int(0) > latest) {
    return Status::Unavailable("database schema version " + std::to_string(newest->Int(0)) +
                               " is newer than this program's " + std::to_string(latest));
  }
  return Status::Ok();
}

}  // namespace vs::store::sqlite
