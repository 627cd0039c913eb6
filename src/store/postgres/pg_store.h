// The PostgreSQL implementation of Store (internal: programs use store::Open from store/open.h).
//
// Every call borrows a connection from a bounded pool (pg_pool.h). Each mutation runs in one
// READ COMMITTED transaction whose last statement appends its Event through vs_append_event
// (pg_schema.cc), which also NOTIFYs visionstock_events with "<id> <type>". Event ids follow
// commit order (see vs_append_event), so delivering "every event after the last delivered id"
// never skips one. Readers take no locks; MVCC keeps them from waiting for writers.
//
// The commit listener gets this process's events right after their commit (as SQLite's) and,
// through pg_listener's dedicated LISTEN connection and a periodic poll, the events other
// instances commit: every delivery first fills the gap since the last delivered id, so the
// listener sees every committed event exactly once, in id order, whoever committed it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/time.h"
#include "store/postgres/pg_db.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/postgres.h"
#include "store/rollup_delta.h"
#include "store/store.h"

namespace vs::store::pg {

class Listener;

// A WHERE clause under construction: conditions written with `?` placeholders (as in the SQLite
// backend) become $1, $2, … in order; their values travel as typed parameters.
struct Where {
  std::string sql;  // "" or " WHERE a = $1 AND b = $2"
  Params args;

  Where& Add(const std::string& condition, const Params& values);
  // The next placeholder ("$N") for a parameter appended after the conditions.
  std::string Next() const { return "$" + std::to_string(args.size() + 1); }
};

// Rewrites `?` placeholders to $1… (after `first - 1` earlier ones). No `?` may appear in
// literals of `sql`.
std::string Numbered(const std::string& sql, int first = 1);

class PgStore final : public Store {
 public:
  static Result<std::unique_ptr<PgStore>> Open(const PostgresOptions& options);
  ~PgStore() override;

  std::string backend() const override { return "postgresql"; }
  Status Ping() override;
  const DbStats* db_stats() const override { return &stats_; }
  void SetCommitListener(CommitListener listener) override;

  Result<ScanRecord> InsertScan(const NewScan& scan) override;
  Status InsertScans(const std::vector<NewScan>& scans) override;
  Result<bool> HasScanForImage(const std::string& image_path) override;
  Result<ScanRecord> GetScan(Id id, bool with_detections) override;
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

  Result<Page<Planogram>> ListPlanogramPage(const PlanogramFilter& filter,
                                            const PageRequest& page) override;
  Result<std::vector<PlanogramVersion>> ListPlanogramVersions(Id planogram_id) override;
  Result<std::vector<Planogram>> PlanogramAtVersion(const std::string& planogram_name,
                                                    int version) override;
  Result<int> PlanogramVersionOf(const std::string& planogram_name) override;
  Result<PlanogramImportResult> ImportPlanograms(const std::vector<Planogram>& rows) override;
  Result<std::vector<Product>> ImportProducts(const std::vector<Product>& products) override;

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

  // Delivers to the listener every stored event it has not seen yet (the listener thread calls
  // this on each notification and poll).
  void CatchUp();

 private:
  explicit PgStore(const PostgresOptions& options);

  // Runs `body(Conn*) -> Result<T>` on a pooled connection; a read that failed because the
  // connection was lost (e.g. after a database restart) is tried once more on a new one.
  template <typename T, typename Body>
  Result<T> Read(Body&& body);
  // Runs `body(Conn*, Event*) -> Result<T>` in a transaction; `body` must describe the Event
  // through AppendEvent. Appends the event with vs_append_event and commits in one round trip
  // (so the event-order lock is held for that one round trip), then calls the listener.
  template <typename T, typename Body>
  Result<T> Mutate(Body&& body);
  // Runs `body(Conn*) -> Result<T>` in a transaction that records no event (accounts).
  template <typename T, typename Body>
  Result<T> WriteQuiet(Body&& body);
  // Runs `body(Conn*) -> Result<T>` in a transaction ended by `finish(Tx*) -> Status` (which
  // commits).
  template <typename T, typename Body, typename Finish>
  Result<T> Transact(Body&& body, Finish&& finish);
  // Calls the listener with every event after last_notified_ up to and including `own` (or, with
  // no `own`, up to the newest stored event). Requires notify_mu_ held.
  void DeliverLocked(const Event* own);
  // Fills `out` (type, payload, created_at); Mutate appends it as the transaction's last
  // statement and sets its id.
  static Status AppendEvent(Conn* c, std::string type, nlohmann::json payload, Event* out);
  // Inserts one more event in the transaction now (a mutation that commits several, such as
  // RecordCompliance's alert events): its id is taken at once, before the mutation's own event,
  // and it is delivered with it, in id order.
  static Status AppendEventNow(Conn* c, const std::string& type, const nlohmann::json& payload);

  // InsertScan's work inside a transaction (no validation) but for the rollups: fills `event`
  // and adds the scan to `rollups`, which the caller writes with WriteRollups before the commit.
  Result<ScanRecord> InsertScanIn(Conn* c, const NewScan& in, Event* event, RollupDelta* rollups);
  // Interns the scan's sku and class names (rollup_names) and adds it to `rollups`.
  static Status AddToRollups(Conn* c, const ScanRecord& scan, RollupDelta* rollups);
  // Upserts the rows of `rollups`, one statement per table (same transaction as their scans).
  static Status WriteRollups(Conn* c, const RollupDelta& rollups);
  static Result<ModelVersion> LoadModel(Conn* c, Id id);

  PostgresOptions options_;
  DbStats stats_;  // fed by pool_ and listen_ (declared before them: outlives them)
  Pool pool_;
  std::mutex notify_mu_;     // serialises listener calls in id order
  CommitListener listener_;  // guarded by notify_mu_
  Id last_notified_ = 0;     // guarded by notify_mu_
  std::unique_ptr<Listener> listen_;
};

template <typename T, typename Body>
Result<T> PgStore::Read(Body&& body) {
  for (int attempt = 0;; ++attempt) {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    Result<T> out = body(lease->get());
    if (!lease->get()->healthy()) stats_.OnError();
    if (out.ok() || attempt > 0 || lease->get()->healthy()) return out;
    pool_.DropIdle();  // the others were opened before the same loss
  }
}

template <typename T, typename Body>
Result<T> PgStore::Mutate(Body&& body) {
  Event event;
  auto out = Transact<T>([&](Conn* c) { return body(c, &event); },
                         [&](Tx* tx) -> Status {
                           if (event.type.empty()) {
                             return Status::Internal("mutation recorded no event");
                           }
                           auto id = tx->QueryAndCommit("SELECT vs_append_event($1, $2, $3)",
                                                        Params::Of(event.type, event.payload.dump(),
                                                                   ToUnixMillis(event.created_at)));
                           if (!id.ok()) return id.status();
                           event.id = id->Int(0, 0);
                           return Status::Ok();
                         });
  if (!out.ok()) return out;
  // The event's id is known only once it is committed: a body that returns the event (RecordEvent)
  // gets it whole here.
  if constexpr (std::is_same_v<T, Event>) out.value() = event;
  std::lock_guard<std::mutex> lock(notify_mu_);
  DeliverLocked(&event);
  return out;
}

template <typename T, typename Body>
Result<T> PgStore::WriteQuiet(Body&& body) {
  return Transact<T>(body, [](Tx* tx) { return tx->Commit(); });
}

template <typename T, typename Body, typename Finish>
Result<T> PgStore::Transact(Body&& body, Finish&& finish) {
  for (int attempt = 0;; ++attempt) {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    Conn* c = lease->get();
    Tx tx(c);
    if (!tx.status().ok()) {
      stats_.OnError();
      // A connection lost before BEGIN reached the server: nothing was done, try a new one.
      if (attempt == 0 && !c->healthy()) {
        pool_.DropIdle();
        continue;
      }
      return tx.status();
    }
    Result<T> out = body(c);
    if (!out.ok()) return out;
    if (Status committed = finish(&tx); !committed.ok()) {
      stats_.OnError();
      return committed;
    }
    return out;
  }
}

}  // namespace vs::store::pg
