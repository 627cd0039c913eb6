// A store::Store that keeps only events, in memory, for hub tests that need a store to fail on
// demand or no database at all. Every other method returns Unavailable.
#pragma once

#include <mutex>
#include <vector>

#include "store/store.h"

namespace vs::live::testing {

class MemoryEventStore final : public store::Store {
 public:
  // Appends an event with the next id, calls the commit listener, returns the event.
  store::Event Commit(const std::string& type, nlohmann::json payload);
  // While set, LastEventId and EventsAfter return Unavailable.
  void SetFailing(bool failing);

  std::string backend() const override { return "memory"; }
  Status Ping() override { return Status::Ok(); }
  void SetCommitListener(CommitListener listener) override;
  Result<std::vector<store::Event>> EventsAfter(store::Id after_id, int limit) override;
  Result<store::Id> LastEventId() override;

  Result<store::ScanRecord> InsertScan(const store::NewScan&) override { return No(); }
  Status InsertScans(const std::vector<store::NewScan>&) override { return No(); }
  Result<store::ScanRecord> GetScan(store::Id, bool) override { return No(); }
  Result<bool> HasScanForImage(const std::string&) override { return No(); }
  Result<store::Page<store::ScanRecord>> ListScans(const store::ScanFilter&,
                                                   const store::PageRequest&) override {
    return No();
  }
  Result<store::Page<store::DetectionRecord>> ListDetections(const store::DetectionFilter&,
                                                             const store::PageRequest&) override {
    return No();
  }
  Result<store::Summary> Summarize(const store::DetectionFilter&) override { return No(); }
  Result<std::vector<store::ActivityBucket>> Activity(const store::DetectionFilter&,
                                                      store::Granularity) override {
    return No();
  }
  Result<std::vector<std::string>> DistinctValues(const std::string&) override { return No(); }
  Result<std::vector<store::Product>> ListProducts() override { return No(); }
  Result<store::Product> UpsertProduct(const store::Product&) override { return No(); }
  Status DeleteProduct(const std::string&) override { return No(); }
  Result<std::vector<store::ScanRecord>> DeleteScansOfStore(const std::string&) override {
    return No();
  }
  Result<store::Webhook> CreateWebhook(const store::Webhook&) override { return No(); }
  Result<std::vector<store::Webhook>> ListWebhooks() override { return No(); }
  Result<store::Webhook> GetWebhook(store::Id) override { return No(); }
  Status DeleteWebhook(store::Id) override { return No(); }
  Result<store::Id> WebhookCursor() override { return No(); }
  Result<bool> EnqueueWebhookDeliveries(store::Id,
                                        const std::vector<store::NewWebhookDelivery>&) override {
    return No();
  }
  Result<std::vector<store::WebhookDelivery>> ClaimWebhookDeliveries(Timestamp, Timestamp,
                                                                     int) override {
    return No();
  }
  Status RecordWebhookAttempt(const store::WebhookAttempt&) override { return No(); }
  Result<int64_t> PruneWebhookDeliveries(Timestamp) override { return No(); }
  Result<std::vector<store::WebhookDelivery>> ListWebhookDeliveries(
      store::Id, const std::optional<std::string>&, int) override {
    return No();
  }
  Result<std::vector<store::Planogram>> ListPlanograms(const store::PlanogramFilter&) override {
    return No();
  }
  Result<store::Planogram> GetPlanogram(store::Id) override { return No(); }
  Result<store::Planogram> CreatePlanogram(const store::Planogram&) override { return No(); }
  Result<store::Planogram> UpdatePlanogram(const store::Planogram&) override { return No(); }
  Status DeletePlanogram(store::Id) override { return No(); }
  Result<std::vector<store::ModelVersion>> ListModels() override { return No(); }
  Result<store::ModelVersion> GetModel(store::Id) override { return No(); }
  Result<store::ModelVersion> UpsertModel(const store::ModelVersion&) override { return No(); }
  Result<store::ModelMetrics> AddModelMetrics(const store::ModelMetrics&) override { return No(); }
  Result<store::Event> RecordEvent(const std::string&, const nlohmann::json&) override {
    return No();
  }
  Result<std::vector<store::Discrepancy>> ReplaceDiscrepancies(
      const std::string&, const std::vector<store::Discrepancy>&) override {
    return No();
  }
  Result<std::vector<store::Discrepancy>> ListDiscrepancies(const std::optional<std::string>&,
                                                            const std::optional<std::string>&,
                                                            const std::optional<std::string>&,
                                                            int) override {
    return No();
  }
  Result<store::User> CreateUser(const store::User&) override { return No(); }
  Result<std::vector<store::User>> ListUsers() override { return No(); }
  Result<store::User> GetUserByName(const std::string&) override { return No(); }
  Result<store::User> GetUser(store::Id) override { return No(); }
  Status DeleteUser(const std::string&) override { return No(); }
  Result<store::ApiToken> CreateToken(const store::ApiToken&) override { return No(); }
  Result<std::vector<store::ApiToken>> ListTokens() override { return No(); }
  Result<store::ApiToken> UseToken(const std::string&) override { return No(); }
  Status RevokeToken(store::Id) override { return No(); }
  Status CreateSession(const store::LoginSession&) override { return No(); }
  Result<store::LoginSession> GetSession(const std::string&) override { return No(); }
  Status DeleteSession(const std::string&) override { return No(); }
  Result<store::AuditEntry> AppendAudit(const store::AuditEntry&) override { return No(); }
  Result<std::vector<store::AuditEntry>> ListAudit(std::optional<store::Id>, int) override {
    return No();
  }
  Status PutPhoto(const std::string&, std::string_view) override { return No(); }
  Result<std::string> GetPhoto(const std::string&) override { return No(); }
  Status DeletePhoto(const std::string&) override { return No(); }
  Result<int64_t> DeleteOrphanPhotos(Timestamp) override { return No(); }
  Result<store::Page<store::Planogram>> ListPlanogramPage(const store::PlanogramFilter&,
                                                          const store::PageRequest&) override {
    return No();
  }
  Result<std::vector<store::PlanogramVersion>> ListPlanogramVersions(store::Id) override {
    return No();
  }
  Result<std::vector<store::Planogram>> PlanogramAtVersion(const std::string&, int) override {
    return No();
  }
  Result<int> PlanogramVersionOf(const std::string&) override { return No(); }
  Result<store::PlanogramImportResult> ImportPlanograms(
      const std::vector<store::Planogram>&) override {
    return No();
  }
  Result<std::vector<store::Product>> ImportProducts(const std::vector<store::Product>&) override {
    return No();
  }
  Result<std::vector<store::ComplianceResult>> RecordCompliance(
      const store::ComplianceWrite&) override {
    return No();
  }
  Result<store::ComplianceResult> GetComplianceResult(store::Id) override { return No(); }
  Result<store::Page<store::ComplianceResult>> ListComplianceResults(
      const store::ComplianceFilter&, const store::PageRequest&) override {
    return No();
  }
  Result<std::vector<store::ComplianceResult>> LatestCompliance(
      const store::ComplianceFilter&) override {
    return No();
  }
  Result<std::vector<store::ComplianceBucket>> ComplianceHistory(const store::ComplianceFilter&,
                                                                 store::Granularity) override {
    return No();
  }
  Result<store::Page<store::Alert>> ListAlerts(const store::AlertFilter&,
                                               const store::PageRequest&) override {
    return No();
  }
  Result<store::Alert> GetAlert(store::Id) override { return No(); }
  Result<store::Alert> AcknowledgeAlert(store::Id, const std::string&,
                                        const std::string&) override {
    return No();
  }

 private:
  static Status No() { return Status::Unavailable("the memory event store keeps only events"); }

  std::mutex mu_;
  std::vector<store::Event> events_;
  CommitListener listener_;
  bool failing_ = false;
};

}  // namespace vs::live::testing
