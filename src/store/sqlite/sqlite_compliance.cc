// SqliteStore: compliance results, their history, discrepancies written from them, and alerts.
#include <set>
#include <variant>

#include "store/compliance_history.h"
#include "store/compliance_rules.h"
#include "store/cursor.h"
#include "store/rollup.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {
namespace {

constexpr const char* kResultColumns =
    "id, scan_id, store, shelf_location, planogram_name, planogram_version, captured_at,"
    " analysed_at, compliant, planned_units, compliant_units, stocked_skus, present_skus,"
    " out_of_stock_skus, gap_count, facings, gap_width, row_width, compliance_score,"
    " availability, out_of_stock_rate, gap_share, detail";

ComplianceResult ResultFromRow(const Stmt& q) {
  ComplianceResult r;
  r.id = q.Int(0);
  r.scan_id = q.Int(1);
  r.store = q.Text(2);
  r.shelf_location = q.Text(3);
  r.planogram_name = q.Text(4);
  r.planogram_version = static_cast<int>(q.Int(5));
  r.captured_at = FromUnixMillis(q.Int(6));
  r.analysed_at = FromUnixMillis(q.Int(7));
  r.compliant = q.Int(8) != 0;
  ComplianceKpis& k = r.kpis;
  k.planned_units = static_cast<int>(q.Int(9));
  k.compliant_units = static_cast<int>(q.Int(10));
  k.stocked_skus = static_cast<int>(q.Int(11));
  k.present_skus = static_cast<int>(q.Int(12));
  k.out_of_stock_skus = static_cast<int>(q.Int(13));
  k.gap_count = static_cast<int>(q.Int(14));
  k.facings = static_cast<int>(q.Int(15));
  k.gap_width = q.Real(16);
  k.row_width = q.Real(17);
  k.compliance_score = q.OptReal(18);
  k.availability = q.OptReal(19);
  k.out_of_stock_rate = q.OptReal(20);
  k.gap_share = q.OptReal(21);
  r.detail = ParseJsonColumn(q.Text(22));
  return r;
}

constexpr const char* kAlertColumns =
    "id, type, store, shelf_location, planogram_name, sku, status, scans, first_seen_at,"
    " last_seen_at, first_scan_id, last_scan_id, raised_at, resolved_at, acknowledged_at,"
    " resolved_scan_id, acknowledged_by, note, detail";

std::optional<Timestamp> OptTime(const Stmt& q, int col) {
  auto v = q.OptInt(col);
  return v ? std::optional<Timestamp>(FromUnixMillis(*v)) : std::nullopt;
}
std::optional<int64_t> OptMs(const std::optional<Timestamp>& t) {
  return t ? std::optional<int64_t>(ToUnixMillis(*t)) : std::nullopt;
}

Alert AlertFromRow(const Stmt& q) {
  Alert a;
  a.id = q.Int(0);
  a.type = q.Text(1);
  a.store = q.Text(2);
  a.shelf_location = q.Text(3);
  a.planogram_name = q.Text(4);
  a.sku = q.Text(5);
  a.status = q.Text(6);
  a.scans = static_cast<int>(q.Int(7));
  a.first_seen_at = FromUnixMillis(q.Int(8));
  a.last_seen_at = FromUnixMillis(q.Int(9));
  a.first_scan_id = q.Int(10);
  a.last_scan_id = q.Int(11);
  a.raised_at = OptTime(q, 12);
  a.resolved_at = OptTime(q, 13);
  a.acknowledged_at = OptTime(q, 14);
  a.resolved_scan_id = q.OptInt(15);
  a.acknowledged_by = q.Text(16);
  a.note = q.Text(17);
  a.detail = ParseJsonColumn(q.Text(18));
  return a;
}

Where ResultWhere(const ComplianceFilter& f) {
  Where w;
  if (f.store) w.Add("store = ?", {*f.store});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  if (f.planogram_name) w.Add("planogram_name = ?", {*f.planogram_name});
  if (f.start) w.Add("captured_at >= ?", {ToUnixMillis(*f.start)});
  if (f.end) w.Add("captured_at < ?", {ToUnixMillis(*f.end)});
  if (f.scan_id) w.Add("scan_id = ?", {*f.scan_id});
  return w;
}

Status InsertResult(Connection* c, ComplianceResult* r) {
  {
    auto del =
        c->Prepare("DELETE FROM compliance_results WHERE scan_id = ? AND planogram_name = ?");
    if (!del.ok()) return del.status();
    VS_RETURN_IF_ERROR(del->BindAll(r->scan_id, r->planogram_name).Run());
  }
  auto q = c->Prepare(
      "INSERT INTO compliance_results(scan_id, store, shelf_location, planogram_name,"
      " planogram_version, captured_at, analysed_at, compliant, planned_units, compliant_units,"
      " stocked_skus, present_skus, out_of_stock_skus, gap_count, facings, gap_width, row_width,"
      " compliance_score, availability, out_of_stock_rate, gap_share, detail)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  const ComplianceKpis& k = r->kpis;
  VS_RETURN_IF_ERROR(q->BindAll(r->scan_id, r->store, r->shelf_location, r->planogram_name,
                                r->planogram_version, ToUnixMillis(r->captured_at),
                                ToUnixMillis(r->analysed_at), r->compliant ? 1 : 0, k.planned_units,
                                k.compliant_units, k.stocked_skus, k.present_skus,
                                k.out_of_stock_skus, k.gap_count, k.facings, k.gap_width,
                                k.row_width, k.compliance_score, k.availability,
                                k.out_of_stock_rate, k.gap_share, r->detail.dump())
                         .Run());
  r->id = c->LastInsertId();
  auto latest = c->Prepare(
      "INSERT INTO compliance_latest(store, shelf_location, planogram_name, captured_at,"
      " result_id) VALUES (?,?,?,?,?) ON CONFLICT (store, shelf_location, planogram_name)"
      " DO UPDATE SET captured_at = excluded.captured_at, result_id = excluded.result_id"
      " WHERE excluded.captured_at > compliance_latest.captured_at"
      " OR (excluded.captured_at = compliance_latest.captured_at"
      " AND excluded.result_id >= compliance_latest.result_id)");
  if (!latest.ok()) return latest.status();
  return latest
      ->BindAll(r->store, r->shelf_location, r->planogram_name, ToUnixMillis(r->captured_at), r->id)
      .Run();
}

Status ReplaceShelfDiscrepancies(Connection* c, const ComplianceWrite& w) {
  for (const std::string& name : w.planogram_names) {
    auto del = c->Prepare(
        "DELETE FROM discrepancies WHERE store = ? AND shelf_location = ? AND planogram_id IN"
        " (SELECT id FROM planograms WHERE planogram_name = ?)");
    if (!del.ok()) return del.status();
    VS_RETURN_IF_ERROR(del->BindAll(w.store, w.shelf_location, name).Run());
  }
  auto ins = c->Prepare(
      "INSERT INTO discrepancies(planogram_id, sku, shelf_location, discrepancy_type,"
      " expected_count, detected_count, confidence_score, meta_data, created_at, store)"
      " VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!ins.ok()) return ins.status();
  const int64_t now = ToUnixMillis(Now());
  for (const Discrepancy& d : w.discrepancies) {
    if (d.discrepancy_type.empty()) return Status::InvalidValue("discrepancy_type is required");
    VS_RETURN_IF_ERROR(ins->BindAll(d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type,
                                    d.expected_count, d.detected_count, d.confidence_score,
                                    d.meta_data.dump(), now, w.store)
                           .Run());
  }
  return Status::Ok();
}

Status WriteAlert(Connection* c, Alert* a) {
  if (!KnownAlertStatus(a->status))
    return Status::InvalidValue("unknown alert status '" + a->status + "'");
  if (a->id == 0) {
    auto q = c->Prepare(
        "INSERT INTO alerts(type, store, shelf_location, planogram_name, sku, status, scans,"
        " first_seen_at, last_seen_at, first_scan_id, last_scan_id, raised_at, resolved_at,"
        " acknowledged_at, resolved_scan_id, acknowledged_by, note, detail)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(a->type, a->store, a->shelf_location, a->planogram_name, a->sku,
                                  a->status, a->scans, ToUnixMillis(a->first_seen_at),
                                  ToUnixMillis(a->last_seen_at), a->first_scan_id, a->last_scan_id,
                                  OptMs(a->raised_at), OptMs(a->resolved_at),
                                  OptMs(a->acknowledged_at), a->resolved_scan_id,
                                  a->acknowledged_by, a->note, a->detail.dump())
                           .Run());
    a->id = c->LastInsertId();
    return Status::Ok();
  }
  auto q = c->Prepare(
      "UPDATE alerts SET status = ?, scans = ?, last_seen_at = ?, last_scan_id = ?,"
      " raised_at = ?, resolved_at = ?, resolved_scan_id = ?, detail = ? WHERE id = ?");
  if (!q.ok()) return q.status();
  VS_RETURN_IF_ERROR(q->BindAll(a->status, a->scans, ToUnixMillis(a->last_seen_at), a->last_scan_id,
                                OptMs(a->raised_at), OptMs(a->resolved_at), a->resolved_scan_id,
                                a->detail.dump(), a->id)
                         .Run());
  if (c->Changes() != 1) return Status::NotFound("alert " + std::to_string(a->id) + " not found");
  return Status::Ok();
}

Result<Alert> LoadAlert(Connection* c, Id id) {
  auto q = c->Prepare(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return One<Alert>(&*q, AlertFromRow, "alert " + std::to_string(id) + " not found");
}

// The shelf's unresolved alerts and the newest result of each of its planograms.
Result<ShelfAlertState> LoadShelfAlertState(Connection* c, const std::string& store,
                                            const std::string& shelf) {
  ShelfAlertState out;
  auto q = c->Prepare(std::string("SELECT ") + kAlertColumns +
                      " FROM alerts WHERE store = ? AND shelf_location = ? AND status IN"
                      " ('pending', 'open', 'acknowledged') ORDER BY id");
  if (!q.ok()) return q.status();
  q->BindAll(store, shelf);
  auto alerts = Collect<Alert>(&*q, AlertFromRow);
  if (!alerts.ok()) return alerts.status();
  out.active = std::move(alerts).value();
  auto l = c->Prepare(
      "SELECT planogram_name, captured_at FROM compliance_latest WHERE store = ? AND"
      " shelf_location = ?");
  if (!l.ok()) return l.status();
  l->BindAll(store, shelf);
  while (true) {
    auto row = l->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.newest_result[l->Text(0)] = FromUnixMillis(l->Int(1));
  }
  return out;
}

}  // namespace

Result<std::vector<ComplianceResult>> SqliteStore::RecordCompliance(const ComplianceWrite& w) {
  if (w.scan_id <= 0) return Status::InvalidValue("scan_id is required");
  return Mutate<std::vector<ComplianceResult>>(
      [&](Connection* c, Event* event) -> Result<std::vector<ComplianceResult>> {
        // The write transaction (BEGIN IMMEDIATE) holds every other writer of the file off,
        // other processes included, so the shelf's state read here is the one written over.
        AlertChanges changes{w.alerts, w.dropped_alerts};
        if (w.plan_alerts) {
          auto state = LoadShelfAlertState(c, w.store, w.shelf_location);
          if (!state.ok()) return state.status();
          changes = w.plan_alerts(*state);
        }
        std::vector<ComplianceResult> out = w.results;
        for (ComplianceResult& r : out) {
          r.scan_id = w.scan_id;
          VS_RETURN_IF_ERROR(InsertResult(c, &r));
        }
        VS_RETURN_IF_ERROR(ReplaceShelfDiscrepancies(c, w));
        for (Id id : changes.dropped) {
          auto del = c->Prepare("DELETE FROM alerts WHERE id = ? AND status = 'pending'");
          if (!del.ok()) return del.status();
          VS_RETURN_IF_ERROR(del->BindAll(id).Run());
        }
        for (Alert a : changes.alerts) {
          std::string before = "pending";
          if (a.id != 0) {
            auto old = LoadAlert(c, a.id);
            if (!old.ok()) return old.status();
            before = old->status;
          }
          VS_RETURN_IF_ERROR(WriteAlert(c, &a));
          if (const char* type = AlertTransitionEvent(before, a.status)) {
            Event e;
            VS_RETURN_IF_ERROR(AppendEvent(c, type, AlertEventPayload(a), &e));
          }
        }
        VS_RETURN_IF_ERROR(
            AppendEvent(c, "compliance.updated", ComplianceUpdatedPayload(w, out), event));
        return out;
      });
}

Result<ComplianceResult> SqliteStore::GetComplianceResult(Id id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kResultColumns +
                         " FROM compliance_results WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return One<ComplianceResult>(&*q, ResultFromRow,
                               "compliance result " + std::to_string(id) + " not found");
}

Result<Page<ComplianceResult>> SqliteStore::ListComplianceResults(const ComplianceFilter& f,
                                                                  const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckCompliancePage(page));
  Where w = ResultWhere(f);
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(captured_at < ? OR (captured_at = ? AND id < ?))", {key->ms, key->ms, key->id});
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kResultColumns + " FROM compliance_results" +
                         w.sql + " ORDER BY captured_at DESC, id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  q->Bind(page.limit + 1);
  auto rows = Collect<ComplianceResult>(&*q, ResultFromRow);
  if (!rows.ok()) return rows.status();
  Page<ComplianceResult> out;
  out.items = std::move(rows).value();
  if (static_cast<int>(out.items.size()) > page.limit) {
    out.items.resize(page.limit);
    const auto& last = out.items.back();
    out.next_cursor = EncodeCursor({ToUnixMillis(last.captured_at), last.id});
  }
  return out;
}

Result<std::vector<ComplianceResult>> SqliteStore::LatestCompliance(const ComplianceFilter& f) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  if (!f.start && !f.end && !f.scan_id) {
    // The kept latest rows (compliance_latest), one per shelf and planogram.
    Where w;
    if (f.store) w.Add("l.store = ?", {*f.store});
    if (f.shelf_location) w.Add("l.shelf_location = ?", {*f.shelf_location});
    if (f.planogram_name) w.Add("l.planogram_name = ?", {*f.planogram_name});
    std::string columns;
    for (std::string_view rest = kResultColumns; !rest.empty();) {
      const size_t comma = rest.find(',');
      std::string_view col = rest.substr(0, comma);
      while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
      columns += (columns.empty() ? "c." : ", c.") + std::string(col);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    auto q =
        (*r)->Prepare("SELECT " + columns +
                      " FROM compliance_latest l JOIN compliance_results c ON c.id = l.result_id" +
                      w.sql + " ORDER BY l.store, l.shelf_location, l.planogram_name");
    if (!q.ok()) return q.status();
    w.BindTo(&*q);
    return Collect<ComplianceResult>(&*q, ResultFromRow);
  }
  // Within a time window: the newest matching row of each (store, shelf, planogram).
  Where w = ResultWhere(f);
  // The newest (captured_at, id) of each (store, shelf, planogram) among the matching rows.
  const std::string inner = w.sql.empty() ? " WHERE " : w.sql + " AND ";
  auto q = (*r)->Prepare(
      std::string("SELECT ") + kResultColumns + " FROM compliance_results c" + inner +
      "NOT EXISTS (SELECT 1 FROM compliance_results n WHERE n.store = c.store"
      " AND n.shelf_location = c.shelf_location AND n.planogram_name = c.planogram_name"
      " AND (n.captured_at > c.captured_at OR (n.captured_at = c.captured_at AND n.id > c.id))" +
      (f.end ? std::string(" AND n.captured_at < ?") : std::string()) +
      ") ORDER BY store, shelf_location, planogram_name");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  if (f.end) q->Bind(ToUnixMillis(*f.end));
  return Collect<ComplianceResult>(&*q, ResultFromRow);
}

Result<std::vector<ComplianceBucket>> SqliteStore::ComplianceHistory(const ComplianceFilter& f,
                                                                     Granularity g) {
  // Whole buckets from compliance_history, edges from the results, in one statement (one
  // snapshot).
  const HistoryQuery h = HistorySql(f, g);
  if (h.sql.empty()) return std::vector<ComplianceBucket>{};
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(h.sql);
  if (!q.ok()) return q.status();
  for (const auto& v : h.args) std::visit([&](const auto& x) { q->Bind(x); }, v);
  return Collect<ComplianceBucket>(&*q, [](const Stmt& s) {
    ComplianceBucket b;
    b.start = FromUnixMillis(s.Int(0));
    b.results = s.Int(1);
    b.compliant_results = s.Int(2);
    b.planned_units = s.Int(3);
    b.compliant_units = s.Int(4);
    b.stocked_skus = s.Int(5);
    b.present_skus = s.Int(6);
    b.out_of_stock_skus = s.Int(7);
    b.gap_count = s.Int(8);
    b.facings = s.Int(9);
    b.gap_width = s.Real(10);
    b.row_width = s.Real(11);
    return b;
  });
}

Result<Page<Alert>> SqliteStore::ListAlerts(const AlertFilter& f, const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckCompliancePage(page));
  Where w;
  if (f.statuses.empty()) {
    w.Add("status <> 'pending'", {});
  } else {
    std::string in;
    std::vector<Where::Value> values;
    for (const std::string& s : f.statuses) {
      if (!KnownAlertStatus(s)) return Status::InvalidValue("unknown alert status '" + s + "'");
      in += in.empty() ? "?" : ",?";
      values.emplace_back(s);
    }
    w.Add("status IN (" + in + ")", std::move(values));
  }
  if (f.store) w.Add("store = ?", {*f.store});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  if (f.type) w.Add("type = ?", {*f.type});
  if (f.planogram_name) w.Add("planogram_name = ?", {*f.planogram_name});
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(first_seen_at < ? OR (first_seen_at = ? AND id < ?))", {key->ms, key->ms, key->id});
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kAlertColumns + " FROM alerts" + w.sql +
                         " ORDER BY first_seen_at DESC, id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  q->Bind(page.limit + 1);
  auto rows = Collect<Alert>(&*q, AlertFromRow);
  if (!rows.ok()) return rows.status();
  Page<Alert> out;
  out.items = std::move(rows).value();
  if (static_cast<int>(out.items.size()) > page.limit) {
    out.items.resize(page.limit);
    const auto& last = out.items.back();
    out.next_cursor = EncodeCursor({ToUnixMillis(last.first_seen_at), last.id});
  }
  return out;
}

Result<Alert> SqliteStore::GetAlert(Id id) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto a = LoadAlert(r->get(), id);
  if (a.ok() && a->status == "pending") {
    return Status::NotFound("alert " + std::to_string(id) + " not found");
  }
  return a;
}

Result<Alert> SqliteStore::AcknowledgeAlert(Id id, const std::string& who,
                                            const std::string& note) {
  return Mutate<Alert>([&](Connection* c, Event* event) -> Result<Alert> {
    auto a = LoadAlert(c, id);
    if (!a.ok()) return a.status();
    if (a->status == "pending")
      return Status::NotFound("alert " + std::to_string(id) + " not found");
    if (a->status != "open") {
      return Status::Conflict("alert " + std::to_string(id) + " is " + a->status + ", not open");
    }
    a->status = "acknowledged";
    a->acknowledged_at = Now();
    a->acknowledged_by = who;
    a->note = note;
    auto q = c->Prepare(
        "UPDATE alerts SET status = ?, acknowledged_at = ?, acknowledged_by = ?, note = ?"
        " WHERE id = ?");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(a->status, OptMs(a->acknowledged_at), who, note, a->id).Run());
    nlohmann::json payload = AlertEventPayload(*a);
    payload["acknowledged_by"] = who;
    VS_RETURN_IF_ERROR(AppendEvent(c, "alert.acknowledged", std::move(payload), event));
    return std::move(a).value();
  });
}

}  // namespace vs::store::sqlite
