// A store::Store that forwards every call to a real store and counts the event rows the hub
// reads (EventsAfter), for tests that bound the hub's replay work. It can also hold
// EventsAfter callers at its entry until released, so that a test can act while replay reads
// are in flight. Not a user boundary: the data and every answer are the wrapped store's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "store/store.h"

namespace vs::live::testing {

class CountingStore final : public store::Store {
 public:
  explicit CountingStore(store::Store& inner) : inner_(inner) {}

  // Rows returned by EventsAfter so far, and the number of calls.
  int64_t rows_read() const { return rows_.load(); }
  int64_t reads() const { return reads_.load(); }
  // While held, EventsAfter waits at its entry; Release lets every waiter through.
  void Hold();
  void Release();
  // Callers of EventsAfter waiting at the entry now.
  int waiting() const;

  Result<std::vector<store::Event>> EventsAfter(store::Id after_id, int limit) override;
  Result<store::Id> LastEventId() override { return inner_.LastEventId(); }

  std::string backend() const override { return inner_.backend(); }
  Status Ping() override { return inner_.Ping(); }
  void SetCommitListener(CommitListener listener) override {
    inner_.SetCommitListener(std::move(listener));
  }
  Result<store::ScanRecord> InsertScan(const store::NewScan& s) override {
    return inner_.InsertScan(s);
  }
  Status InsertScans(const std::vector<store::NewScan>& s) override {
    return inner_.InsertScans(s);
  }
  Result<bool> HasScanForImage(const std::string& image_path) override {
    return inner_.HasScanForImage(image_path);
  }
  Result<store::ScanRecord> GetScan(store::Id id, bool with) override {
    return inner_.GetScan(id, with);
  }
  Result<store::Page<store::ScanRecord>> ListScans(const store::ScanFilter& f,
                                                   const store::PageRequest& p) override {
    return inner_.ListScans(f, p);
  }
  Result<store::Page<store::DetectionRecord>> ListDetections(const store::DetectionFilter& f,
                                                             const store::PageRequest& p) override {
    return inner_.ListDetections(f, p);
  }
  Result<store::Summary> Summarize(const store::DetectionFilter& f) override {
    return inner_.Summarize(f);
  }
  Result<std::vector<store::ActivityBucket>> Activity(const store::DetectionFilter& f,
                                                      store::Granularity g) override {
    return inner_.Activity(f, g);
  }
  Result<std::vector<std::string>> DistinctValues(const std::string& c) override {
    return inner_.DistinctValues(c);
  }
  Result<std::vector<store::Product>> ListProducts() override { return inner_.ListProducts(); }
  Result<store::Product> UpsertProduct(const store::Product& p) override {
    return inner_.UpsertProduct(p);
  }
  Result<std::vector<store::Planogram>> ListPlanograms(const store::PlanogramFilter& f) override {
    return inner_.ListPlanograms(f);
  }
  Result<store::Planogram> GetPlanogram(store::Id id) override { return inner_.GetPlanogram(id); }
  Result<store::Planogram> CreatePlanogram(const store::Planogram& p) override {
    return inner_.CreatePlanogram(p);
  }
  Result<store::Planogram> UpdatePlanogram(const store::Planogram& p) override {
    return inner_.UpdatePlanogram(p);
  }
  Status DeletePlanogram(store::Id id) override { return inner_.DeletePlanogram(id); }
  Result<std::vector<store::ModelVersion>> ListModels() override { return inner_.ListModels(); }
  Result<store::ModelVersion> GetModel(store::Id id) override { return inner_.GetModel(id); }
  Result<store::ModelVersion> UpsertModel(const store::ModelVersion& m) override {
    return inner_.UpsertModel(m);
  }
  Result<store::ModelMetrics> AddModelMetrics(const store::ModelMetrics& m) override {
    return inner_.AddModelMetrics(m);
  }
  Result<store::Event> RecordEvent(const std::string& type,
                                   const nlohmann::json& payload) override {
    return inner_.RecordEvent(type, payload);
  }
  Result<std::vector<store::Discrepancy>> ReplaceDiscrepancies(
      const std::string& name, const std::vector<store::Discrepancy>& rows) override {
    return inner_.ReplaceDiscrepancies(name, rows);
  }
  Result<std::vector<store::Discrepancy>> ListDiscrepancies(const std::optional<std::string>& name,
                                                            const std::optional<std::string>& sku,
                                                            const std::optional<std::string>& type,
                                                            int limit) override {
    return inner_.ListDiscrepancies(name, sku, type, limit);
  }
  Result<store::User> CreateUser(const store::User& u) override { return inner_.CreateUser(u); }
  Result<std::vector<store::User>> ListUsers() override { return inner_.ListUsers(); }
  Result<store::User> GetUserByName(const std::string& n) override {
    return inner_.GetUserByName(n);
  }
  Result<store::User> GetUser(store::Id id) override { return inner_.GetUser(id); }
  Status DeleteUser(const std::string& n) override { return inner_.DeleteUser(n); }
  Result<store::ApiToken> CreateToken(const store::ApiToken& t) override {
    return inner_.CreateToken(t);
  }
  Result<std::vector<store::ApiToken>> ListTokens() override { return inner_.ListTokens(); }
  Result<store::ApiToken> UseToken(const std::string& h) override { return inner_.UseToken(h); }
  Status RevokeToken(store::Id id) override { return inner_.RevokeToken(id); }
  Status CreateSession(const store::LoginSession& s) override { return inner_.CreateSession(s); }
  Result<store::LoginSession> GetSession(const std::string& h) override {
    return inner_.GetSession(h);
  }
  Status DeleteSession(const std::string& h) override { return inner_.DeleteSession(h); }
  Result<store::AuditEntry> AppendAudit(const store::AuditEntry& e) override {
    return inner_.AppendAudit(e);
  }
  Result<std::vector<store::AuditEntry>> ListAudit(std::optional<store::Id> before,
                                                   int limit) override {
    return inner_.ListAudit(before, limit);
  }
  Status PutPhoto(const std::string& path, std::string_view bytes) override {
    return inner_.PutPhoto(path, bytes);
  }
  Result<std::string> GetPhoto(const std::string& path) override { return inner_.GetPhoto(path); }
  Status DeletePhoto(const std::string& path) override { return inner_.DeletePhoto(path); }
  Result<int64_t> DeleteOrphanPhotos(Timestamp before) override {
    return inner_.DeleteOrphanPhotos(before);
  }
  Status DeleteProduct(const std::string& class_name) override {
    return inner_.DeleteProduct(class_name);
  }
  Result<std::vector<store::ScanRecord>> DeleteScansOfStore(const std::string& store) override {
    return inner_.DeleteScansOfStore(store);
  }
  Result<store::Webhook> CreateWebhook(const store::Webhook& w) override {
    return inner_.CreateWebhook(w);
  }
  Result<std::vector<store::Webhook>> ListWebhooks() override { return inner_.ListWebhooks(); }
  Result<store::Webhook> GetWebhook(store::Id id) override { return inner_.GetWebhook(id); }
  Status DeleteWebhook(store::Id id) override { return inner_.DeleteWebhook(id); }
  Result<store::Id> WebhookCursor() override { return inner_.WebhookCursor(); }
  Result<bool> EnqueueWebhookDeliveries(store::Id through,
                                        const std::vector<store::NewWebhookDelivery>& d) override {
    return inner_.EnqueueWebhookDeliveries(through, d);
  }
  Result<std::vector<store::WebhookDelivery>> ClaimWebhookDeliveries(Timestamp now, Timestamp lease,
                                                                     int limit) override {
    return inner_.ClaimWebhookDeliveries(now, lease, limit);
  }
  Status RecordWebhookAttempt(const store::WebhookAttempt& a) override {
    return inner_.RecordWebhookAttempt(a);
  }
  Result<int64_t> PruneWebhookDeliveries(Timestamp before) override {
    return inner_.PruneWebhookDeliveries(before);
  }
  Result<std::vector<store::WebhookDelivery>> ListWebhookDeliveries(
      store::Id id, const std::optional<std::string>& status, int limit) override {
    return inner_.ListWebhookDeliveries(id, status, limit);
  }
  Result<store::Page<store::Planogram>> ListPlanogramPage(const store::PlanogramFilter& f,
                                                          const store::PageRequest& p) override {
    return inner_.ListPlanogramPage(f, p);
  }
  Result<std::vector<store::PlanogramVersion>> ListPlanogramVersions(store::Id id) override {
    return inner_.ListPlanogramVersions(id);
  }
  Result<std::vector<store::Planogram>> PlanogramAtVersion(const std::string& name,
                                                           int version) override {
    return inner_.PlanogramAtVersion(name, version);
  }
  Result<int> PlanogramVersionOf(const std::string& name) override {
    return inner_.PlanogramVersionOf(name);
  }
  Result<store::PlanogramImportResult> ImportPlanograms(
      const std::vector<store::Planogram>& rows) override {
    return inner_.ImportPlanograms(rows);
  }
  Result<std::vector<store::Product>> ImportProducts(
      const std::vector<store::Product>& products) override {
    return inner_.ImportProducts(products);
  }
  Result<std::vector<store::ComplianceResult>> RecordCompliance(
      const store::ComplianceWrite& w) override {
    return inner_.RecordCompliance(w);
  }
  Result<store::ComplianceResult> GetComplianceResult(store::Id id) override {
    return inner_.GetComplianceResult(id);
  }
  Result<store::Page<store::ComplianceResult>> ListComplianceResults(
      const store::ComplianceFilter& f, const store::PageRequest& p) override {
    return inner_.ListComplianceResults(f, p);
  }
  Result<std::vector<store::ComplianceResult>> LatestCompliance(
      const store::ComplianceFilter& f) override {
    return inner_.LatestCompliance(f);
  }
  Result<std::vector<store::ComplianceBucket>> ComplianceHistory(const store::ComplianceFilter& f,
                                                                 store::Granularity g) override {
    return inner_.ComplianceHistory(f, g);
  }
  Result<store::Page<store::Alert>> ListAlerts(const store::AlertFilter& f,
                                               const store::PageRequest& p) override {
    return inner_.ListAlerts(f, p);
  }
  Result<store::Alert> GetAlert(store::Id id) override { return inner_.GetAlert(id); }
  Result<store::Alert> AcknowledgeAlert(store::Id id, const std::string& who,
                                        const std::string& note) override {
    return inner_.AcknowledgeAlert(id, who, note);
  }

 private:
  store::Store& inner_;
  std::atomic<int64_t> rows_{0};
  std::atomic<int64_t> reads_{0};
  mutable std::mutex mu_;
  std::condition_variable released_;
  bool held_ = false;  // guarded by mu_
  int waiting_ = 0;    // guarded by mu_
};

}  // namespace vs::live::testing
