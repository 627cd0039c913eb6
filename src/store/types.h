// Records kept by the store. Column names follow the earlier VisionStock tables so that its
// clients keep working; boxes are normalised to 0..1 (centre, width, height) of the full image.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/role.h"
#include "core/time.h"

namespace vs::store {

using Id = int64_t;

struct NewDetection {
  int class_id = 0;
  std::string class_name;
  // The SKU the model's own class->SKU map gives (models/settings.h); empty: the catalogue's
  // SKU for the class, else the class name.
  std::string sku;
  double confidence = 0;
  double x_center = 0, y_center = 0, width = 0, height = 0;  // 0..1
};

struct NewScan {
  std::string store;
  std::string shelf_location;
  Timestamp captured_at;  // when the photo was taken (client-supplied or received_at)
  Timestamp received_at;
  std::string image_path;  // relative to the data folder, chosen by the server
  std::string sha256;      // of the image bytes, lowercase hex
  int width = 0, height = 0;
  std::optional<Id> model_version_id;
  double inference_ms = 0;
  std::vector<NewDetection> detections;
};

struct DetectionRecord {
  Id id = 0;
  Id scan_id = 0;
  Timestamp timestamp;  // the scan's captured_at
  std::string sku;      // catalogue SKU for the class, else the class name: never empty
  std::string class_name;
  int class_id = 0;
  double confidence = 0;
  double x_center = 0, y_center = 0, width = 0, height = 0;
  std::string shelf_location;
  std::string store;
  std::string image_path;
  std::optional<Id> model_version_id;
};

struct ScanRecord {
  Id id = 0;
  std::string store;
  std::string shelf_location;
  Timestamp captured_at;
  Timestamp received_at;
  std::string image_path;
  std::string sha256;
  int width = 0, height = 0;
  std::optional<Id> model_version_id;
  double inference_ms = 0;
  int detections_count = 0;
  std::vector<DetectionRecord> detections;  // filled only where an API says so
};

// Every field is optional; set fields are ANDed. Time bounds apply to the scan's captured_at:
// start inclusive, end exclusive.
struct DetectionFilter {
  std::optional<std::string> sku, class_name, shelf_location, store;
  std::optional<Timestamp> start, end;
  std::optional<double> min_confidence;
  std::optional<Id> scan_id;
};

struct ScanFilter {
  std::optional<std::string> store, shelf_location;
  std::optional<std::string> image_path;  // as stored (the image_path answered at upload)
  std::optional<Timestamp> start, end;
};

// Keyset pagination, newest first. `cursor` is the opaque next_cursor of a previous page.
struct PageRequest {
  int limit = 100;
  std::optional<std::string> cursor;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // absent on the last page
};

struct Summary {
  int64_t total_detections = 0;
  int64_t unique_skus = 0;
  int64_t unique_classes = 0;
  std::optional<double> average_confidence;  // absent when no detection matches
  int64_t total_scans = 0;                   // scans holding at least one matching detection
  std::optional<Timestamp> last_detection_at;
};

enum class Granularity { kHour, kDay };
struct ActivityBucket {
  Timestamp start;  // bucket start (UTC hour or day)
  int64_t detections = 0;
  int64_t scans = 0;
};

struct Product {
  Id id = 0;
  std::string class_name;  // the model's class this product is detected as (unique)
  std::string sku;         // unique
  std::string product_name;
  std::string brand;
};

struct Planogram {
  Id id = 0;
  std::string planogram_name;
  std::string store;  // "" = the row applies to every store
  std::string sku;
  std::string product_name;
  std::string shelf_location;
  int expected_count = 0;
  std::optional<double> x_position, y_position;
  nlohmann::json meta_data = nlohmann::json::object();
  Timestamp created_at, updated_at;
  // The version of planogram_name this row was last changed in (set by the store; see
  // PlanogramVersion).
  int version = 0;
};

// `store` matches the rows of that store and the rows for every store (store "").
struct PlanogramFilter {
  std::optional<std::string> planogram_name, sku, shelf_location, store;
};

struct ModelMetrics {
  Id id = 0;
  Id model_version_id = 0;
  Timestamp evaluation_date;
  std::optional<double> map50, map50_95, precision, recall, f1_score, inference_time_ms;
  std::string test_dataset_path;
  std::optional<int> num_test_images;
};

struct ModelVersion {
  Id id = 0;
  std::string version_name;  // unique
  std::string model_type;    // e.g. "nanodet", "yolov8"
  std::string model_path;
  std::string base_model;
  std::optional<Timestamp> training_date;
  std::optional<int> epochs;
  std::string dataset_path;
  bool is_active = false;
  Timestamp created_at;
  std::vector<ModelMetrics> metrics;  // filled by ListModels / GetModel
};

struct Discrepancy {
  Id id = 0;
  Id planogram_id = 0;
  std::string sku;
  std::string shelf_location;
  std::string discrepancy_type;  // "missing", "low", "misplaced", "overstock", ...
  int expected_count = 0;
  int detected_count = 0;
  std::optional<double> confidence_score;
  nlohmann::json meta_data = nlohmann::json::object();
  Timestamp created_at;
  std::string store;  // the store of the scan it was found in ("" when written without one)
};

// --- planogram compliance (written by src/analysis; docs/COMPLIANCE.md) ---------------------

// A named planogram has one version number, raised by one for every change to its rows (a
// create, update or delete of a row, or one import). Each change keeps a snapshot of every row
// it touched, so any earlier version can be rebuilt.
struct PlanogramVersion {
  Id planogram_id = 0;  // the row
  std::string planogram_name;
  int version = 0;
  std::string action;  // "created", "updated", "deleted", "imported"
  Planogram row;       // the row after the change (for "deleted", as it was before)
  Timestamp created_at;
};

struct PlanogramImportResult {
  int rows = 0;                         // rows stored
  int removed = 0;                      // rows of the imported planograms replaced
  std::map<std::string, int> versions;  // planogram_name -> its new version
};

// The engine's KPI counts and ratios for one scan of one shelf against one planogram.
struct ComplianceKpis {
  int planned_units = 0, compliant_units = 0, stocked_skus = 0, present_skus = 0;
  int out_of_stock_skus = 0, gap_count = 0, facings = 0;
  double gap_width = 0, row_width = 0;
  std::optional<double> compliance_score, availability, out_of_stock_rate, gap_share;
};

struct ComplianceResult {
  Id id = 0;
  Id scan_id = 0;
  std::string store, shelf_location, planogram_name;
  int planogram_version = 0;
  Timestamp captured_at;  // the scan's
  Timestamp analysed_at;
  bool compliant = false;
  ComplianceKpis kpis;
  // Per-row results as the engine computed them: {"skus": [...], "slots": [...], "gaps": [...],
  // "shelf_rows": [...], "settings": {...}, "sku_share": {...}, "brand_share": {...}, ...}.
  nlohmann::json detail = nlohmann::json::object();
};

// Set fields are ANDed; time bounds on captured_at, start inclusive, end exclusive.
struct ComplianceFilter {
  std::optional<std::string> store, shelf_location, planogram_name;
  std::optional<Timestamp> start, end;
  std::optional<Id> scan_id;
};

// Sums of the KPI counts of the results whose captured_at falls in [start, start + bucket).
struct ComplianceBucket {
  Timestamp start;
  int64_t results = 0, compliant_results = 0;
  int64_t planned_units = 0, compliant_units = 0, stocked_skus = 0, present_skus = 0;
  int64_t out_of_stock_skus = 0, gap_count = 0, facings = 0;
  double gap_width = 0, row_width = 0;
};

// A condition on one shelf (OUT_OF_STOCK, LOW_STOCK and MISPLACED per SKU; GAP per shelf, sku
// "") followed across scans. "pending" until it has held long enough to be raised (pending
// alerts are never listed unless asked for), then "open", "acknowledged" once someone has seen
// it, and "resolved" when a scan no longer shows it.
struct Alert {
  Id id = 0;
  std::string type;  // "OUT_OF_STOCK", "LOW_STOCK", "MISPLACED", "GAP"
  std::string store, shelf_location, planogram_name, sku;
  std::string status;                     // "pending", "open", "acknowledged", "resolved"
  int scans = 0;                          // consecutive scans that showed the condition
  Timestamp first_seen_at, last_seen_at;  // captured_at of the first and latest such scan
  Id first_scan_id = 0, last_scan_id = 0;
  std::optional<Timestamp> raised_at, resolved_at, acknowledged_at;
  std::optional<Id> resolved_scan_id;
  std::string acknowledged_by, note;
  nlohmann::json detail = nlohmann::json::object();  // expected, detected, gap facings, ...
};

struct AlertFilter {
  std::vector<std::string> statuses;  // empty: every status but "pending"
  std::optional<std::string> store, shelf_location, type, planogram_name;
};

// Everything one analysed scan changes, committed in one transaction.
// What RecordCompliance shows ComplianceWrite::plan_alerts: the shelf as it is inside the write's
// transaction, before the write.
struct ShelfAlertState {
  std::vector<Alert> active;  // the shelf's pending, open and acknowledged alerts, by id
  // captured_at of the newest stored result of each planogram of the shelf (absent: none).
  std::map<std::string, Timestamp> newest_result;
};
struct AlertChanges {
  std::vector<Alert> alerts;  // inserted (id 0) or updated (by id)
  std::vector<Id> dropped;    // pending alerts to delete
};

struct ComplianceWrite {
  Id scan_id = 0;
  std::string store, shelf_location;
  std::vector<ComplianceResult> results;
  // Replace the discrepancies of these planogram names on (store, shelf_location).
  std::vector<std::string> planogram_names;
  std::vector<Discrepancy> discrepancies;
  std::vector<Alert> alerts;       // inserted (id 0) or updated (by id)
  std::vector<Id> dropped_alerts;  // pending alerts whose condition ended before being raised
  // When set, the alert changes are planned inside the write's transaction instead (and
  // `alerts` / `dropped_alerts` are ignored): RecordCompliance reads the shelf's state with
  // every other writer of the shelf held off until it commits (another instance included), calls
  // this with it and writes the changes returned. So two analyses of one shelf at once apply one
  // after the other. Pure; it may be called again if the transaction is retried.
  std::function<AlertChanges(const ShelfAlertState&)> plan_alerts;
};

// --- accounts (see src/auth) ------------------------------------------------------------------
// Secrets are never stored: passwords as Argon2id strings, tokens and session ids as SHA-256
// hex digests of the secret.
struct User {
  Id id = 0;
  std::string name;           // unique, an identifier (see core/text.h rules)
  std::string password_hash;  // crypto_pwhash_str output
  Role role = Role::kViewer;
  Timestamp created_at;
};

struct ApiToken {
  Id id = 0;
  std::string name;        // what it is for ("camera aisle 4"); not unique
  std::string token_hash;  // SHA-256 hex of the secret; unique
  Role role = Role::kViewer;
  std::string created_by;  // user name, "cli" or "env"
  Timestamp created_at;
  std::optional<Timestamp> last_used_at;
  bool revoked = false;
};

struct LoginSession {
  std::string id_hash;  // SHA-256 hex of the cookie value
  Id user_id = 0;
  Timestamp created_at, expires_at;
};

// One admin action: who did what to which resource, and how it ended.
struct AuditEntry {
  Id id = 0;
  Timestamp at;
  std::string actor;   // user name, "token:<id> <name>", "env-token" or "cli"
  std::string action;  // "POST /api/planograms", "user.add", ...
  std::string target;  // the request target or the object's name
  int status = 0;      // HTTP status of the answer (0 for the command line)
  std::string remote_address;
};

// --- webhooks (see src/webhooks) -------------------------------------------------------------
// A subscription: committed events whose type matches one of `event_types` are POSTed to `url`.
// The secret signs every delivery, so it is stored as given (an HMAC key cannot be hashed).
struct Webhook {
  Id id = 0;
  std::string url;                       // http://host[:port]/path
  std::vector<std::string> event_types;  // "scan.created", "alert.*" (a prefix) or "*"
  std::string secret;
  bool enabled = true;
  std::string description;
  Id since_event_id = 0;  // set by the store: the newest event id when it was created
  Timestamp created_at;
};

// One outbox row: the delivery of one event to one webhook. `body` is fixed when it is queued,
// so every attempt sends the same bytes. status: "pending" (next_attempt_at is set), "delivered"
// or "failed" (gave up after the last allowed attempt).
struct WebhookDelivery {
  Id id = 0;
  Id webhook_id = 0;
  Id event_id = 0;
  std::string event_type;
  std::string body;
  std::string status = "pending";
  int attempts = 0;
  Timestamp created_at;
  std::optional<Timestamp> next_attempt_at;
  std::optional<Timestamp> last_attempt_at;
  int last_status = 0;  // HTTP status of the last answer; 0 when none came
  std::string last_error;
  std::optional<Timestamp> delivered_at;
};

struct NewWebhookDelivery {
  Id webhook_id = 0;
  Id event_id = 0;
  std::string event_type;
  std::string body;
};

// The outcome of one attempt. A failure with no next_attempt_at gives up (status "failed").
struct WebhookAttempt {
  Id delivery_id = 0;
  Timestamp at;
  bool delivered = false;
  int http_status = 0;
  std::string error;
  std::optional<Timestamp> next_attempt_at;
};

// A committed change, for live updates. Ids increase strictly in commit order.
struct Event {
  Id id = 0;
  // "scan.created", "planogram.changed", "product.changed", "model.changed",
  // "compliance.updated", "alert.raised", "alert.resolved", "alert.acknowledged", ...
  std::string type;
  nlohmann::json payload;
  Timestamp created_at;
};

}  // namespace vs::store
