// Default answers of the compliance group of Store for backends that do not implement it.
#include "store/store.h"

namespace vs::store {
namespace {
Status Missing(const Store& s) {
  return Status::NotImplemented("planogram compliance is not implemented by the " + s.backend() +
                                " store");
}
}  // namespace

Result<Page<Planogram>> Store::ListPlanogramPage(const PlanogramFilter&, const PageRequest&) {
  return Missing(*this);
}
Result<std::vector<PlanogramVersion>> Store::ListPlanogramVersions(Id) { return Missing(*this); }
Result<std::vector<Planogram>> Store::PlanogramAtVersion(const std::string&, int) {
  return Missing(*this);
}
Result<int> Store::PlanogramVersionOf(const std::string&) { return Missing(*this); }
Result<PlanogramImportResult> Store::ImportPlanograms(const std::vector<Planogram>&) {
  return Missing(*this);
}
Result<std::vector<Product>> Store::ImportProducts(const std::vector<Product>&) {
  return Missing(*this);
}
Result<std::vector<ComplianceResult>> Store::RecordCompliance(const ComplianceWrite&) {
  return Missing(*this);
}
Result<ComplianceResult> Store::GetComplianceResult(Id) { return Missing(*this); }
Result<Page<ComplianceResult>> Store::ListComplianceResults(const ComplianceFilter&,
                                                            const PageRequest&) {
  return Missing(*this);
}
Result<std::vector<ComplianceResult>> Store::LatestCompliance(const ComplianceFilter&) {
  return Missing(*this);
}
Result<std::vector<ComplianceBucket>> Store::ComplianceHistory(const ComplianceFilter&,
                                                               Granularity) {
  return Missing(*this);
}
Result<Page<Alert>> Store::ListAlerts(const AlertFilter&, const PageRequest&) {
  return Missing(*this);
}
Result<Alert> Store::GetAlert(Id) { return Missing(*this); }
Result<Alert> Store::AcknowledgeAlert(Id, const std::string&, const std::string&) {
  return Missing(*this);
}

}  // namespace vs::store
