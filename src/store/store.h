// The one storage interface. Backends live beside it, one folder each (sqlite/, postgres/);
// store/open.h picks one from a URL. Implementations are thread-safe.
//
// Every mutation commits its rows and one Event in a single transaction, then calls the commit
// listener with that Event (after the commit, outside any lock). A failed call changes nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/db_stats.h"
#include "store/types.h"

namespace vs::store {

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite" or "postgresql".
  virtual std::string backend() const = 0;
  // Ok when the store can answer queries now.
  virtual Status Ping() = 0;
  // The backend's connection figures for /metrics (store/db_stats.h); null when it keeps none.
  virtual const DbStats* db_stats() const { return nullptr; }

  // Called after every commit of this process with the committed event (and, for a shared
  // database, with events committed by other instances). Set once, before serving.
  using CommitListener = std::function<void(const Event&)>;
  virtual void SetCommitListener(CommitListener listener) = 0;

  // --- scans and detections -------------------------------------------------------------------
  // Stores the scan and all its detections atomically (sku: the detection's own when set, else
  // the product catalogue's, else the class name) with a "scan.created" event. Returns the stored
  // scan with its detections.
  virtual Result<ScanRecord> InsertScan(const NewScan& scan) = 0;
  // Stores every scan as InsertScan does, each with its own "scan.created" event, in ONE
  // transaction: all or nothing (a failed or invalid scan stores none). For bulk loads
  // (bench/store/seed.cc), where a commit per scan dominates; events are delivered after the
  // commit, in id order.
  virtual Status InsertScans(const std::vector<NewScan>& scans) = 0;
  virtual Result<ScanRecord> GetScan(Id id, bool with_detections) = 0;
  // Whether a scan names this photo (`image_path` as stored: "images/YYYY/MM/DD/name.ext").
  // The photo janitor asks it to find photos whose scan was never committed (a crash between
  // writing the photo and committing its scan).
  virtual Result<bool> HasScanForImage(const std::string& image_path) = 0;
  virtual Result<Page<ScanRecord>> ListScans(const ScanFilter& filter, const PageRequest& page) = 0;
  // Newest first (captured_at, then id). InvalidValue for a malformed cursor.
  // Removes every scan of `store` with its detections and its share of the rollups (exact: rollup
  // rows are kept per store), with one "scans.deleted" event {store, scans}. Returns the removed
  // scans (without detections), so that the caller can remove their photo files. No scans: an
  // empty list and no event.
  virtual Result<std::vector<ScanRecord>> DeleteScansOfStore(const std::string& store) = 0;
  virtual Result<Page<DetectionRecord>> ListDetections(const DetectionFilter& filter,
                                                       const PageRequest& page) = 0;
  // Every figure honours every field of the filter.
  virtual Result<Summary> Summarize(const DetectionFilter& filter) = 0;
  virtual Result<std::vector<ActivityBucket>> Activity(const DetectionFilter& filter,
                                                       Granularity granularity) = 0;
  // Distinct values present in the data, for filter pickers: "store", "shelf_location",
  // "sku", "class_name".
  virtual Result<std::vector<std::string>> DistinctValues(const std::string& column) = 0;

  // --- product catalogue --------------------------------------------------------------------
  virtual Result<std::vector<Product>> ListProducts() = 0;
  // Inserts, or updates the product with the same class_name. Conflict if the sku belongs to
  // another class.
  virtual Result<Product> UpsertProduct(const Product& product) = 0;
  // Removes the product of `class_name` ("product.changed" event); NotFound when none. Stored
  // detections keep the sku they were given.
  virtual Status DeleteProduct(const std::string& class_name) = 0;

  // --- planograms -----------------------------------------------------------------------------
  virtual Result<std::vector<Planogram>> ListPlanograms(const PlanogramFilter& filter) = 0;
  virtual Result<Planogram> GetPlanogram(Id id) = 0;
  virtual Result<Planogram> CreatePlanogram(const Planogram& p) = 0;
  virtual Result<Planogram> UpdatePlanogram(const Planogram& p) = 0;  // by p.id
  virtual Status DeletePlanogram(Id id) = 0;

  // --- model versions -------------------------------------------------------------------------
  virtual Result<std::vector<ModelVersion>> ListModels() = 0;
  virtual Result<ModelVersion> GetModel(Id id) = 0;
  // Inserts or updates by version_name; when is_active, every other version becomes inactive.
  virtual Result<ModelVersion> UpsertModel(const ModelVersion& m) = 0;
  virtual Result<ModelMetrics> AddModelMetrics(const ModelMetrics& m) = 0;
  // Records an event that goes with no other stored change ("model.activated", progress of a
  // "model.evaluation") and delivers it to the commit listener like any other.
  virtual Result<Event> RecordEvent(const std::string& type, const nlohmann::json& payload) = 0;

  // --- discrepancies (written by compliance analysis) -----------------------------------------
  virtual Result<std::vector<Discrepancy>> ReplaceDiscrepancies(
      const std::string& planogram_name, const std::vector<Discrepancy>& rows) = 0;
  virtual Result<std::vector<Discrepancy>> ListDiscrepancies(
      const std::optional<std::string>& planogram_name, const std::optional<std::string>& sku,
      const std::optional<std::string>& type, int limit) = 0;

  // --- accounts: users, API tokens, login sessions, audit log ------------------------------
  // These commit no Event (nothing about accounts is pushed to live clients).
  // Conflict if the name is taken.
  virtual Result<User> CreateUser(const User& user) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  // NotFound when no such user.
  virtual Result<User> GetUserByName(const std::string& name) = 0;
  virtual Result<User> GetUser(Id id) = 0;
  // Removes the user with its sessions and tokens; NotFound when no such user.
  virtual Status DeleteUser(const std::string& name) = 0;

  virtual Result<ApiToken> CreateToken(const ApiToken& token) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;
  // The unrevoked token with this hash (and records its use); NotFound otherwise.
  virtual Result<ApiToken> UseToken(const std::string& token_hash) = 0;
  // NotFound when no such token.
  virtual Status RevokeToken(Id id) = 0;

  virtual Status CreateSession(const LoginSession& session) = 0;
  // The unexpired session with this hash; NotFound otherwise. Expired sessions are removed.
  virtual Result<LoginSession> GetSession(const std::string& id_hash) = 0;
  virtual Status DeleteSession(const std::string& id_hash) = 0;

  virtual Result<AuditEntry> AppendAudit(const AuditEntry& entry) = 0;
  // Newest first; `before_id` (when set) pages backwards.
  virtual Result<std::vector<AuditEntry>> ListAudit(std::optional<Id> before_id, int limit) = 0;

  // --- photos kept in the database (serve --photos database) ----------------------------------
  // Photo bytes by the image_path a scan names. These commit no Event. PutPhoto is Conflict when
  // the path is taken; GetPhoto is NotFound when absent; DeletePhoto is Ok when absent.
  virtual Status PutPhoto(const std::string& path, std::string_view bytes) = 0;
  virtual Result<std::string> GetPhoto(const std::string& path) = 0;
  virtual Status DeletePhoto(const std::string& path) = 0;
  // Removes the photos stored before `before` that no scan names (a crash between a photo's write
  // and its scan's commit leaves one); returns how many.
  virtual Result<int64_t> DeleteOrphanPhotos(Timestamp before) = 0;

  // --- planogram compliance: versions, imports, results, history, alerts ---------------------
  // Both backends implement this group with the same results, codes, events and ordering; the
  // rules that are not SQL live in store/compliance_rules.h.

  // A page of planogram rows in id order; `page.cursor` is the next_cursor of the previous page.
  virtual Result<Page<Planogram>> ListPlanogramPage(const PlanogramFilter& filter,
                                                    const PageRequest& page) = 0;
  // Every snapshot of row `planogram_id`, oldest first; NotFound when it never existed.
  virtual Result<std::vector<PlanogramVersion>> ListPlanogramVersions(Id planogram_id) = 0;
  // The rows of `planogram_name` as they were at `version` (0 = the current version), in id
  // order; NotFound when the planogram or that version does not exist.
  virtual Result<std::vector<Planogram>> PlanogramAtVersion(const std::string& planogram_name,
                                                            int version) = 0;
  // The current version of `planogram_name` (0 when it has none).
  virtual Result<int> PlanogramVersionOf(const std::string& planogram_name) = 0;
  // Replaces, in one transaction, every row of each (planogram_name, store) present in `rows`
  // with the rows given; each planogram named gets one new version. Commits one
  // "planogram.changed" event (action "imported"). InvalidValue for an invalid row.
  virtual Result<PlanogramImportResult> ImportPlanograms(const std::vector<Planogram>& rows) = 0;
  // Upserts every product (as UpsertProduct) in one transaction, all or nothing, with one
  // "product.changed" event (action "imported"). Returns the stored catalogue.
  virtual Result<std::vector<Product>> ImportProducts(const std::vector<Product>& products) = 0;

  // Commits a scan's results, the discrepancies that replace those of its planograms on its
  // shelf, and its alert changes, with one "compliance.updated" event and one "alert.raised" /
  // "alert.resolved" event per alert entering "open" / "resolved". Returns the stored results.
  virtual Result<std::vector<ComplianceResult>> RecordCompliance(const ComplianceWrite& write) = 0;
  virtual Result<ComplianceResult> GetComplianceResult(Id id) = 0;
  // Newest first (captured_at, then id). InvalidValue for a malformed cursor.
  virtual Result<Page<ComplianceResult>> ListComplianceResults(const ComplianceFilter& filter,
                                                               const PageRequest& page) = 0;
  // The newest result of each (store, shelf_location, planogram_name) matching the filter, by
  // store, shelf and planogram name.
  virtual Result<std::vector<ComplianceResult>> LatestCompliance(
      const ComplianceFilter& filter) = 0;
  // KPI sums per UTC hour or day of captured_at, oldest first (buckets without results absent).
  virtual Result<std::vector<ComplianceBucket>> ComplianceHistory(const ComplianceFilter& filter,
                                                                  Granularity granularity) = 0;

  // Newest first (first_seen_at, then id). InvalidValue for a malformed cursor or status.
  virtual Result<Page<Alert>> ListAlerts(const AlertFilter& filter, const PageRequest& page) = 0;
  virtual Result<Alert> GetAlert(Id id) = 0;
  // Marks an open alert acknowledged by `who` with `note`, with an "alert.acknowledged" event.
  // NotFound for no such (or a pending) alert; Conflict when it is not open.
  virtual Result<Alert> AcknowledgeAlert(Id id, const std::string& who,
                                         const std::string& note) = 0;
  // --- webhooks and their outbox (src/webhooks) ---------------------------------------------
  // These commit no Event (deliveries must not cause deliveries; secrets stay out of events).
  // InvalidValue for an empty url or event type list. Sets since_event_id and created_at.
  virtual Result<Webhook> CreateWebhook(const Webhook& webhook) = 0;
  virtual Result<std::vector<Webhook>> ListWebhooks() = 0;  // oldest first
  virtual Result<Webhook> GetWebhook(Id id) = 0;            // NotFound when none
  // Removes the webhook with its deliveries; NotFound when none.
  virtual Status DeleteWebhook(Id id) = 0;
  // The id of the last event turned into outbox rows (0 before any).
  virtual Result<Id> WebhookCursor() = 0;
  // Atomically inserts `deliveries` (a (webhook_id, event_id) pair already queued is skipped)
  // and moves the cursor to `through_event_id`. Returns false, changing nothing, when the cursor
  // is already at or past it (another process did this batch).
  virtual Result<bool> EnqueueWebhookDeliveries(
      Id through_event_id, const std::vector<NewWebhookDelivery>& deliveries) = 0;
  // Up to `limit` pending deliveries of enabled webhooks due at `now`, oldest due first; each is
  // leased until `lease_until` (its next_attempt_at), so a crash mid-attempt retries it then.
  virtual Result<std::vector<WebhookDelivery>> ClaimWebhookDeliveries(Timestamp now,
                                                                      Timestamp lease_until,
                                                                      int limit) = 0;
  // Records one attempt: attempts + 1, last_* fields, and the new status. NotFound when none.
  virtual Status RecordWebhookAttempt(const WebhookAttempt& attempt) = 0;
  // Newest first; `status` ("pending", "delivered", "failed") filters when set.
  virtual Result<std::vector<WebhookDelivery>> ListWebhookDeliveries(
      Id webhook_id, const std::optional<std::string>& status, int limit) = 0;
  // Removes delivered and failed deliveries whose last attempt was before `finished_before`;
  // returns how many. Pending ones are never removed.
  virtual Result<int64_t> PruneWebhookDeliveries(Timestamp finished_before) = 0;

  // --- events ---------------------------------------------------------------------------------
  // Events with id > after_id, oldest first, at most `limit`.
  virtual Result<std::vector<Event>> EventsAfter(Id after_id, int limit) = 0;
  // Id of the newest event (0 when none): changes whenever any stored data changes.
  virtual Result<Id> LastEventId() = 0;
};

}  // namespace vs::store
