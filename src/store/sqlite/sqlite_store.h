// The SQLite implementation of Store (internal: programs use store::Open from store/open.h).
//
// One writer connection behind write_mu_ runs every mutation in a BEGIN IMMEDIATE transaction;
// reads take a connection from a pool of read-only connections, so in WAL mode they never wait
// for a writer. Events are committed with their rows; the commit listener is then called outside
// the writer lock, serialised so that listeners see events in commit (id) order.
//
// Other processes (e.g. `visionstock detect`) may commit to the same file. Once a commit listener
// is set, a watcher thread looks for their events every kWatchInterval, and every delivery fills
// any gap before the event it delivers, so the listener sees every committed event exactly once,
// in id order, whichever process committed it.
//
// Durability: synchronous=NORMAL in WAL mode. A killed process never leaves a partial
// transaction; a power loss may lose the last commits but never corrupts the file.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "store/rollup_delta.h"
#include "store/sqlite/sqlite.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace vs::store::sqlite {

// A WHERE clause under construction: "AND"-joined conditions and their parameters in order.
struct Where {
  using Value = std::variant<int64_t, double, std::string>;
  std::string sql;  // "" or " WHERE a = ? AND b = ?"
  std::vector<Value> args;

  void Add(const std::string& condition, std::vector<Value> values);
  void BindTo(Stmt* stmt) const;
};

class SqliteStore final : public Store {
 public:
  // Opens the writer, applies migrations. Readers open lazily.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);
  ~SqliteStore() override;

  std::string backend() const override { return "sqlite"; }
  Status Ping() override;
  const DbStats* db_stats() const override { return &stats_; }
  void SetCommitListener(CommitListener listener) override;

  Result<ScanRecord> InsertScan(const NewScan& scan) override;
  Status InsertScans(const std::vector<NewScan>& scans) override;
  Result<ScanRecord> GetScan(Id id, bool with_detections) override;
  Result<bool> HasScanForImage(const std::string& image_path) override;
  Result<Page<ScanRecord>> ListScans(const ScanFilter& filter, const PageRequest& page) override;
  Result<std::vector<ScanRecord>> DeleteScansOfStore(const std::string& store) override;
  Result<Page<DetectionRecord>> ListDetections(const DetectionFilter& filter,
                                               const PageRequest& page) override;
  Result<Summary> Summarize(const DetectionFilter& filter) override;
  Result<std::vector<ActivityBucket>> Activity(const DetectionFilter& filter,
                                               Granularity granularity) override;
  Result<std::vector<std::string>> DistinctValues(const std::string& column) override;

  Result<std::vector<Product>> ListProducts() override;
  Result<Product> UpsertProduct(const Product& product) override;
  Status DeleteProduct(const std::string& class_name) override;

  Result<std::vector<Planogram>> ListPlanograms(const PlanogramFilter& filter) override;
  Result<Planogram> GetPlanogram(Id id) override;
  Result<Planogram> CreatePlanogram(const Planogram& p) override;
  Result<Planogram> UpdatePlanogram(const Planogram& p) override;
  Status DeletePlanogram(Id id) override;

  Result<std::vector<ModelVersion>> ListModels() override;
  Result<ModelVersion> GetModel(Id id) override;
  Result<ModelVersion> UpsertModel(const ModelVersion& m) override;
  Result<ModelMetrics> AddModelMetrics(const ModelMetrics& m) override;
  Result<Event> RecordEvent(const std::string& type, const nlohmann::json& payload) override;

  Result<std::vector<Discrepancy>> ReplaceDiscrepancies(
      const std::string& planogram_name, const std::vector<Discrepancy>& rows) override;
  Result<std::vector<Discrepancy>> ListDiscrepancies(
      const std::optional<std::string>& planogram_name, const std::optional<std::string>& sku,
      const std::optional<std::string>& type, int limit) override;

  Result<Page<Planogram>> ListPlanogramPage(const PlanogramFilter& filter,
                                            const PageRequest& page) override;
  Result<std::vector<PlanogramVersion>> ListPlanogramVersions(Id planogram_id) override;
  Result<std::vector<Planogram>> PlanogramAtVersion(const std::string& planogram_name,
                                                    int version) override;
  Result<int> PlanogramVersionOf(const std::string& planogram_name) override;
  Result<PlanogramImportResult> ImportPlanograms(const std::vector<Planogram>& rows) override;
  Result<std::vector<Product>> ImportProducts(const std::vector<Product>& products) override;
  Result<std::vector<ComplianceResult>> RecordCompliance(const ComplianceWrite& write) override;
  Result<ComplianceResult> GetComplianceResult(Id id) override;
  Result<Page<ComplianceResult>> ListComplianceResults(const ComplianceFilter& filter,
                                                       const PageRequest& page) override;
  Result<std::vector<ComplianceResult>> LatestCompliance(const ComplianceFilter& filter) override;
  Result<std::vector<ComplianceBucket>> ComplianceHistory(const ComplianceFilter& filter,
                                                          Granularity granularity) override;
  Result<Page<Alert>> ListAlerts(const AlertFilter& filter, const PageRequest& page) override;
  Result<Alert> GetAlert(Id id) override;
  Result<Alert> AcknowledgeAlert(Id id, const std::string& who, const std::string& note) override;

  Result<User> CreateUser(const User& user) override;
  Result<std::vector<User>> ListUsers() override;
  Result<User> GetUserByName(const std::string& name) override;
  Result<User> GetUser(Id id) override;
  Status DeleteUser(const std::string& name) override;
  Result<ApiToken> CreateToken(const ApiToken& token) override;
  Result<std::vector<ApiToken>> ListTokens() override;
  Result<ApiToken> UseToken(const std::string& token_hash) override;
  Status RevokeToken(Id id) override;
  Status CreateSession(const LoginSession& session) override;
  Result<LoginSession> GetSession(const std::string& id_hash) override;
  Status DeleteSession(const std::string& id_hash) override;
  Result<AuditEntry> AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> ListAudit(std::optional<Id> before_id, int limit) override;

  Status PutPhoto(const std::string& path, std::string_view bytes) override;
  Result<std::string> GetPhoto(const std::string& path) override;
  Status DeletePhoto(const std::string& path) override;
  Result<int64_t> DeleteOrphanPhotos(Timestamp before) override;
  Result<Webhook> CreateWebhook(const Webhook& webhook) override;
  Result<std::vector<Webhook>> ListWebhooks() override;
  Result<Webhook> GetWebhook(Id id) override;
  Status DeleteWebhook(Id id) override;
  Result<Id> WebhookCursor() override;
  Result<bool> EnqueueWebhookDeliveries(Id through_event_id,
                                        const std::vector<NewWebhookDelivery>& deliveries) override;
  Result<std::vector<WebhookDelivery>> ClaimWebhookDeliveries(Timestamp now, Timestamp lease_until,
                                                              int limit) override;
  Status RecordWebhookAttempt(const WebhookAttempt& attempt) override;
  Result<std::vector<WebhookDelivery>> ListWebhookDeliveries(
      Id webhook_id, const std::optional<std::string>& status, int limit) override;
  Result<int64_t> PruneWebhookDeliveries(Timestamp finished_before) override;

  Result<std::vector<Event>> EventsAfter(Id after_id, int limit) override;
  Result<Id> LastEventId() override;

  // Summarize answered from detection rows alone (the reference the rollups must equal).
  Result<Summary> SummarizeExact(const DetectionFilter& filter);

 private:
  explicit SqliteStore(SqliteOptions options) : options_(std::move(options)) {}

  // A pooled read-only connection, returned to the pool on destruction.
  class Reader {
   public:
    Reader(SqliteStore* s, std::unique_ptr<Connection> c) : s_(s), c_(std::move(c)) {}
    Reader(Reader&&) = default;
    ~Reader();
    Connection* operator->() const { return c_.get(); }
    Connection* get() const { return c_.get(); }

   private:
    SqliteStore* s_;
    std::unique_ptr<Connection> c_;
  };
  Result<Reader> AcquireReader();

  // Runs `body(Connection*, Event*) -> Result<T>` in a write transaction; `body` must fill the
  // Event through AppendEvent. Commits, then calls the listener with the event.
  template <typename T, typename Body>
  Result<T> Mutate(Body&& body);
  // Runs `body(Connection*) -> Result<T>` in a write transaction that records no event (accounts).
  template <typename T, typename Body>
  Result<T> WriteQuiet(Body&& body);
  // Calls the listener with every event after last_notified_ up to and including `own` (or, with
  // no `own`, up to the newest stored event). Requires notify_mu_ held.
  void DeliverLocked(const Event* own);
  // The watcher thread's loop: delivers other processes' events until stopping_.
  void WatchOtherWriters();
  // Inserts the event row and fills `out` (id, type, payload, created_at).
  static Status AppendEvent(Connection* c, std::string type, nlohmann::json payload, Event* out);

  // InsertScan's work inside a transaction (no validation) but for the rollups: fills `event`
  // and adds the scan to `rollups`, which the caller writes with WriteRollups before the commit.
  Result<ScanRecord> InsertScanIn(Connection* c, const NewScan& in, Event* event,
                                  RollupDelta* rollups);
  // Interns the scan's sku and class names (rollup_names) and adds it to `rollups`.
  static Status AddToRollups(Connection* c, const ScanRecord& scan, RollupDelta* rollups);
  // Upserts the rows of `rollups` (same transaction as their scans).
  static Status WriteRollups(Connection* c, const RollupDelta& rollups);
  Result<ModelVersion> LoadModel(Connection* c, Id id);

  SqliteOptions options_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  std::mutex notify_mu_;                // serialises listener calls in commit order
  CommitListener listener_;             // guarded by notify_mu_
  Id last_notified_ = 0;                // guarded by notify_mu_
  bool stopping_ = false;               // guarded by notify_mu_
  std::condition_variable stop_cv_;     // wakes the watcher on shutdown
  std::thread watcher_;
  static constexpr auto kWatchInterval = std::chrono::milliseconds(200);

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by pool_mu_
  int open_readers_ = 0;                           // guarded by pool_mu_
  static constexpr int kMaxReaders = 8;
  // The readers pool and database errors, for /metrics.
  DbStats stats_;
  // `s`, counted in stats_ when it is an error (of beginning or committing a transaction).
  Status CountError(Status s) {
    if (!s.ok()) stats_.OnError();
    return s;
  }
};

template <typename T, typename Body>
Result<T> SqliteStore::Mutate(Body&& body) {
  Event event;
  std::unique_lock<std::mutex> notify(notify_mu_, std::defer_lock);
  Result<T> out = Status::Internal("mutation produced no result");
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    Transaction tx(writer_.get());
    VS_RETURN_IF_ERROR(CountError(tx.status()));
    out = body(writer_.get(), &event);
    if (!out.ok()) return out;
    if (event.id == 0) return Status::Internal("mutation recorded no event");
    VS_RETURN_IF_ERROR(CountError(tx.Commit()));
    notify.lock();  // taken before the writer lock is released: listeners see commit order
  }
  DeliverLocked(&event);
  return out;
}

template <typename T, typename Body>
Result<T> SqliteStore::WriteQuiet(Body&& body) {
  std::lock_guard<std::mutex> lock(write_mu_);
  Transaction tx(writer_.get());
  VS_RETURN_IF_ERROR(CountError(tx.status()));
  Result<T> out = body(writer_.get());
  if (!out.ok()) return out;
  VS_RETURN_IF_ERROR(CountError(tx.Commit()));
  return out;
}

}  // namespace vs::store::sqlite
