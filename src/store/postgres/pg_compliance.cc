// PgStore: compliance results, their history, discrepancies written from them, and alerts
// (the same statements as store/sqlite/sqlite_compliance.cc; the non-SQL rules are shared in
// store/compliance_rules.h).
#include <variant>

#include "core/time.h"
#include "store/compliance_history.h"
#include "store/compliance_rules.h"
#include "store/cursor.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/rollup.h"

namespace vs::store::pg {
namespace {

constexpr const char* kResultColumns =
    "id, scan_id, store, shelf_location, planogram_name, planogram_version, captured_at,"
    " analysed_at, compliant, planned_units, compliant_units, stocked_skus, present_skus,"
    " out_of_stock_skus, gap_count, facings, gap_width, row_width, compliance_score,"
    " availability, out_of_stock_rate, gap_share, detail";

// kResultColumns of the table aliased "c".
constexpr const char* kResultColumnsOfC =
    "c.id, c.scan_id, c.store, c.shelf_location, c.planogram_name, c.planogram_version,"
    " c.captured_at, c.analysed_at, c.compliant, c.planned_units, c.compliant_units,"
    " c.stocked_skus, c.present_skus, c.out_of_stock_skus, c.gap_count, c.facings, c.gap_width,"
    " c.row_width, c.compliance_score, c.availability, c.out_of_stock_rate, c.gap_share, c.detail";

ComplianceResult ResultFromRow(const Rows& q, int i) {
  ComplianceResult r;
  r.id = q.Int(i, 0);
  r.scan_id = q.Int(i, 1);
  r.store = q.Text(i, 2);
  r.shelf_location = q.Text(i, 3);
  r.planogram_name = q.Text(i, 4);
  r.planogram_version = static_cast<int>(q.Int(i, 5));
  r.captured_at = FromUnixMillis(q.Int(i, 6));
  r.analysed_at = FromUnixMillis(q.Int(i, 7));
  r.compliant = q.Int(i, 8) != 0;
  ComplianceKpis& k = r.kpis;
  k.planned_units = static_cast<int>(q.Int(i, 9));
  k.compliant_units = static_cast<int>(q.Int(i, 10));
  k.stocked_skus = static_cast<int>(q.Int(i, 11));
  k.present_skus = static_cast<int>(q.Int(i, 12));
  k.out_of_stock_skus = static_cast<int>(q.Int(i, 13));
  k.gap_count = static_cast<int>(q.Int(i, 14));
  k.facings = static_cast<int>(q.Int(i, 15));
  k.gap_width = q.Real(i, 16);
  k.row_width = q.Real(i, 17);
  k.compliance_score = q.OptReal(i, 18);
  k.availability = q.OptReal(i, 19);
  k.out_of_stock_rate = q.OptReal(i, 20);
  k.gap_share = q.OptReal(i, 21);
  r.detail = ParseJsonColumn(q.Text(i, 22));
  return r;
}

constexpr const char* kAlertColumns =
    "id, type, store, shelf_location, planogram_name, sku, status, scans, first_seen_at,"
    " last_seen_at, first_scan_id, last_scan_id, raised_at, resolved_at, acknowledged_at,"
    " resolved_scan_id, acknowledged_by, note, detail";

std::optional<Timestamp> OptTime(const Rows& q, int i, int col) {
  auto v = q.OptInt(i, col);
  return v ? std::optional<Timestamp>(FromUnixMillis(*v)) : std::nullopt;
}
std::optional<int64_t> OptMs(const std::optional<Timestamp>& t) {
  return t ? std::optional<int64_t>(ToUnixMillis(*t)) : std::nullopt;
}

Alert AlertFromRow(const Rows& q, int i) {
  Alert a;
  a.id = q.Int(i, 0);
  a.type = q.Text(i, 1);
  a.store = q.Text(i, 2);
  a.shelf_location = q.Text(i, 3);
  a.planogram_name = q.Text(i, 4);
  a.sku = q.Text(i, 5);
  a.status = q.Text(i, 6);
  a.scans = static_cast<int>(q.Int(i, 7));
  a.first_seen_at = FromUnixMillis(q.Int(i, 8));
  a.last_seen_at = FromUnixMillis(q.Int(i, 9));
  a.first_scan_id = q.Int(i, 10);
  a.last_scan_id = q.Int(i, 11);
  a.raised_at = OptTime(q, i, 12);
  a.resolved_at = OptTime(q, i, 13);
  a.acknowledged_at = OptTime(q, i, 14);
  a.resolved_scan_id = q.OptInt(i, 15);
  a.acknowledged_by = q.Text(i, 16);
  a.note = q.Text(i, 17);
  a.detail = ParseJsonColumn(q.Text(i, 18));
  return a;
}

Where ResultWhere(const ComplianceFilter& f) {
  Where w;
  if (f.store) w.Add("store = ?", Params::Of(*f.store));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  if (f.planogram_name) w.Add("planogram_name = ?", Params::Of(*f.planogram_name));
  if (f.start) w.Add("captured_at >= ?", Params::Of(ToUnixMillis(*f.start)));
  if (f.end) w.Add("captured_at < ?", Params::Of(ToUnixMillis(*f.end)));
  if (f.scan_id) w.Add("scan_id = ?", Params::Of(*f.scan_id));
  return w;
}

// The first `limit` items of `rows` (which holds up to limit + 1) and the cursor after them.
template <typename T, typename FromRow, typename KeyMs>
Page<T> PageOf(const Rows& rows, int limit, FromRow from_row, KeyMs key_ms) {
  Page<T> out;
  out.items = Collect<T>(rows, from_row);
  if (static_cast<int>(out.items.size()) > limit) {
    out.items.resize(limit);
    const T& last = out.items.back();
    out.next_cursor = EncodeCursor({key_ms(last), last.id});
  }
  return out;
}

Status InsertResult(Conn* c, ComplianceResult* r) {
  VS_RETURN_IF_ERROR(
      c->Run("DELETE FROM compliance_results WHERE scan_id = $1 AND planogram_name = $2",
             Params::Of(r->scan_id, r->planogram_name)));
  const ComplianceKpis& k = r->kpis;
  auto q = c->Query(
      "INSERT INTO compliance_results(scan_id, store, shelf_location, planogram_name,"
      " planogram_version, captured_at, analysed_at, compliant, planned_units, compliant_units,"
      " stocked_skus, present_skus, out_of_stock_skus, gap_count, facings, gap_width, row_width,"
      " compliance_score, availability, out_of_stock_rate, gap_share, detail)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
      " $19, $20, $21, $22) RETURNING id",
      Params::Of(r->scan_id, r->store, r->shelf_location, r->planogram_name, r->planogram_version,
                 ToUnixMillis(r->captured_at), ToUnixMillis(r->analysed_at), r->compliant ? 1 : 0,
                 k.planned_units, k.compliant_units, k.stocked_skus, k.present_skus,
                 k.out_of_stock_skus, k.gap_count, k.facings, k.gap_width, k.row_width,
                 k.compliance_score, k.availability, k.out_of_stock_rate, k.gap_share,
                 r->detail.dump()));
  if (!q.ok()) return q.status();
  r->id = q->Int(0, 0);
  // Keep the newest (captured_at, id) of the shelf and planogram.
  return c->Run(
      "INSERT INTO compliance_latest(store, shelf_location, planogram_name, captured_at,"
      " result_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (store, shelf_location, planogram_name)"
      " DO UPDATE SET captured_at = excluded.captured_at, result_id = excluded.result_id"
      " WHERE excluded.captured_at > compliance_latest.captured_at"
      " OR (excluded.captured_at = compliance_latest.captured_at"
      " AND excluded.result_id >= compliance_latest.result_id)",
      Params::Of(r->store, r->shelf_location, r->planogram_name, ToUnixMillis(r->captured_at),
                 r->id));
}

Status ReplaceShelfDiscrepancies(Conn* c, const ComplianceWrite& w) {
  for (const std::string& name : w.planogram_names) {
    VS_RETURN_IF_ERROR(
        c->Run("DELETE FROM discrepancies WHERE store = $1 AND shelf_location = $2 AND"
               " planogram_id IN (SELECT id FROM planograms WHERE planogram_name = $3)",
               Params::Of(w.store, w.shelf_location, name)));
  }
  const int64_t now = ToUnixMillis(Now());
  for (const Discrepancy& d : w.discrepancies) {
    if (d.discrepancy_type.empty()) return Status::InvalidValue("discrepancy_type is required");
    VS_RETURN_IF_ERROR(c->Run(
        "INSERT INTO discrepancies(planogram_id, sku, shelf_location, discrepancy_type,"
        " expected_count, detected_count, confidence_score, meta_data, created_at, store)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        Params::Of(d.planogram_id, d.sku, d.shelf_location, d.discrepancy_type, d.expected_count,
                   d.detected_count, d.confidence_score, d.meta_data.dump(), now, w.store)));
  }
  return Status::Ok();
}

Status WriteAlert(Conn* c, Alert* a) {
  if (!KnownAlertStatus(a->status)) {
    return Status::InvalidValue("unknown alert status '" + a->status + "'");
  }
  if (a->id == 0) {
    auto q = c->Query(
        "INSERT INTO alerts(type, store, shelf_location, planogram_name, sku, status, scans,"
        " first_seen_at, last_seen_at, first_scan_id, last_scan_id, raised_at, resolved_at,"
        " acknowledged_at, resolved_scan_id, acknowledged_by, note, detail)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18) RETURNING id",
        Params::Of(a->type, a->store, a->shelf_location, a->planogram_name, a->sku, a->status,
                   a->scans, ToUnixMillis(a->first_seen_at), ToUnixMillis(a->last_seen_at),
                   a->first_scan_id, a->last_scan_id, OptMs(a->raised_at), OptMs(a->resolved_at),
                   OptMs(a->acknowledged_at), a->resolved_scan_id, a->acknowledged_by, a->note,
                   a->detail.dump()));
    if (!q.ok()) return q.status();
    a->id = q->Int(0, 0);
    return Status::Ok();
  }
  auto q = c->Query(
      "UPDATE alerts SET status = $1, scans = $2, last_seen_at = $3, last_scan_id = $4,"
      " raised_at = $5, resolved_at = $6, resolved_scan_id = $7, detail = $8 WHERE id = $9",
      Params::Of(a->status, a->scans, ToUnixMillis(a->last_seen_at), a->last_scan_id,
                 OptMs(a->raised_at), OptMs(a->resolved_at), a->resolved_scan_id, a->detail.dump(),
                 a->id));
  if (!q.ok()) return q.status();
  if (q->Affected() != 1) return Status::NotFound("alert " + std::to_string(a->id) + " not found");
  return Status::Ok();
}

// The alert with `id`; FOR UPDATE (in a write) holds its row until the transaction ends, so
// that a concurrent acknowledgement and a scan's update apply one after the other.
Result<Alert> LoadAlert(Conn* c, Id id, bool for_update) {
  return QueryOne<Alert>(c,
                         std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = $1" +
                             (for_update ? " FOR UPDATE" : ""),
                         Params::Of(id), AlertFromRow,
                         "alert " + std::to_string(id) + " not found");
}

// The shelf's unresolved alerts (locked FOR UPDATE: an acknowledgement waits for this write, or
// this write reads it) and the newest result of each of its planograms.
Result<ShelfAlertState> LoadShelfAlertState(Conn* c, const std::string& store,
                                            const std::string& shelf) {
  ShelfAlertState out;
  auto alerts = QueryAll<Alert>(c,
                                std::string("SELECT ") + kAlertColumns +
                                    " FROM alerts WHERE store = $1 AND shelf_location = $2 AND"
                                    " status IN ('pending', 'open', 'acknowledged') ORDER BY id"
                                    " FOR UPDATE",
                                Params::Of(store, shelf), AlertFromRow);
  if (!alerts.ok()) return alerts.status();
  out.active = std::move(alerts).value();
  auto latest = c->Query(
      "SELECT planogram_name, captured_at FROM compliance_latest WHERE store = $1 AND"
      " shelf_location = $2",
      Params::Of(store, shelf));
  if (!latest.ok()) return latest.status();
  for (int i = 0; i < latest->size(); ++i) {
    out.newest_result[latest->Text(i, 0)] = FromUnixMillis(latest->Int(i, 1));
  }
  return out;
}

}  // namespace

Result<std::vector<ComplianceResult>> PgStore::RecordCompliance(const ComplianceWrite& w) {
  if (w.scan_id <= 0) return Status::InvalidValue("scan_id is required");
  return Mutate<std::vector<ComplianceResult>>(
      [&](Conn* c, Event* event) -> Result<std::vector<ComplianceResult>> {
        // Writers of one shelf take turns: a transaction-scoped advisory lock on the shelf,
        // taken first (before any row lock), held until commit, by every instance on this
        // database. The shelf's state read after it is the one this write replaces.
        VS_RETURN_IF_ERROR(
            c->Run("SELECT pg_advisory_xact_lock(hashtext('vs.compliance.shelf'),"
                   " hashtext($1 || chr(31) || $2))",
                   Params::Of(w.store, w.shelf_location)));
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
          VS_RETURN_IF_ERROR(
              c->Run("DELETE FROM alerts WHERE id = $1 AND status = 'pending'", Params::Of(id)));
        }
        for (Alert a : changes.alerts) {
          std::string before = "pending";
          if (a.id != 0) {
            auto old = LoadAlert(c, a.id, /*for_update=*/true);
            if (!old.ok()) return old.status();
            before = old->status;
          }
          VS_RETURN_IF_ERROR(WriteAlert(c, &a));
          if (const char* type = AlertTransitionEvent(before, a.status)) {
            VS_RETURN_IF_ERROR(AppendEventNow(c, type, AlertEventPayload(a)));
          }
        }
        VS_RETURN_IF_ERROR(
            AppendEvent(c, "compliance.updated", ComplianceUpdatedPayload(w, out), event));
        return out;
      });
}

Result<ComplianceResult> PgStore::GetComplianceResult(Id id) {
  return Read<ComplianceResult>([&](Conn* c) {
    return QueryOne<ComplianceResult>(
        c, std::string("SELECT ") + kResultColumns + " FROM compliance_results WHERE id = $1",
        Params::Of(id), ResultFromRow, "compliance result " + std::to_string(id) + " not found");
  });
}

Result<Page<ComplianceResult>> PgStore::ListComplianceResults(const ComplianceFilter& f,
                                                              const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckCompliancePage(page));
  Where w = ResultWhere(f);
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(captured_at, id) < (?, ?)", Params::Of(key->ms, key->id));
  }
  const std::string sql = std::string("SELECT ") + kResultColumns + " FROM compliance_results" +
                          w.sql + " ORDER BY captured_at DESC, id DESC LIMIT " + w.Next();
  Params p = w.args;
  p.Add(page.limit + 1);
  return Read<Page<ComplianceResult>>([&](Conn* c) -> Result<Page<ComplianceResult>> {
    auto rows = c->Query(sql, p);
    if (!rows.ok()) return rows.status();
    return PageOf<ComplianceResult>(
        *rows, page.limit, ResultFromRow,
        [](const ComplianceResult& r) { return ToUnixMillis(r.captured_at); });
  });
}

Result<std::vector<ComplianceResult>> PgStore::LatestCompliance(const ComplianceFilter& f) {
  if (!f.start && !f.end && !f.scan_id) {
    // The kept latest rows (compliance_latest), one per shelf and planogram.
    Where l;
    if (f.store) l.Add("l.store = ?", Params::Of(*f.store));
    if (f.shelf_location) l.Add("l.shelf_location = ?", Params::Of(*f.shelf_location));
    if (f.planogram_name) l.Add("l.planogram_name = ?", Params::Of(*f.planogram_name));
    const std::string sql =
        std::string("SELECT ") + kResultColumnsOfC +
        " FROM compliance_latest l JOIN compliance_results c ON c.id = l.result_id" + l.sql +
        " ORDER BY l.store COLLATE \"C\", l.shelf_location COLLATE \"C\","
        " l.planogram_name COLLATE \"C\"";
    return Read<std::vector<ComplianceResult>>(
        [&](Conn* c) { return QueryAll<ComplianceResult>(c, sql, l.args, ResultFromRow); });
  }
  // Within a time window: the newest matching row of each (store, shelf, planogram).
  Where w = ResultWhere(f);
  // The newest (captured_at, id) of each (store, shelf, planogram) among the matching rows.
  Params p = w.args;
  std::string newer_bound;
  if (f.end) {
    newer_bound = " AND n.captured_at < " + w.Next();
    p.Add(ToUnixMillis(*f.end));
  }
  const std::string inner = w.sql.empty() ? " WHERE " : w.sql + " AND ";
  const std::string sql =
      std::string("SELECT ") + kResultColumns + " FROM compliance_results c" + inner +
      "NOT EXISTS (SELECT 1 FROM compliance_results n WHERE n.store = c.store"
      " AND n.shelf_location = c.shelf_location AND n.planogram_name = c.planogram_name"
      " AND (n.captured_at, n.id) > (c.captured_at, c.id)" +
      newer_bound +
      ") ORDER BY store COLLATE \"C\", shelf_location COLLATE \"C\","
      " planogram_name COLLATE \"C\"";
  return Read<std::vector<ComplianceResult>>(
      [&](Conn* c) { return QueryAll<ComplianceResult>(c, sql, p, ResultFromRow); });
}

Result<std::vector<ComplianceBucket>> PgStore::ComplianceHistory(const ComplianceFilter& f,
                                                                 Granularity g) {
  // Whole buckets from compliance_history, edges from the results, in one statement (one
  // snapshot).
  const HistoryQuery h = HistorySql(f, g);
  if (h.sql.empty()) return std::vector<ComplianceBucket>{};
  const std::string sql = Numbered(h.sql);
  Params p;
  for (const auto& v : h.args) std::visit([&](const auto& x) { p.Add(x); }, v);
  return Read<std::vector<ComplianceBucket>>([&](Conn* c) {
    return QueryAll<ComplianceBucket>(c, sql, p, [](const Rows& r, int i) {
      ComplianceBucket b;
      b.start = FromUnixMillis(r.Int(i, 0));
      b.results = r.Int(i, 1);
      b.compliant_results = r.Int(i, 2);
      b.planned_units = r.Int(i, 3);
      b.compliant_units = r.Int(i, 4);
      b.stocked_skus = r.Int(i, 5);
      b.present_skus = r.Int(i, 6);
      b.out_of_stock_skus = r.Int(i, 7);
      b.gap_count = r.Int(i, 8);
      b.facings = r.Int(i, 9);
      b.gap_width = r.Real(i, 10);
      b.row_width = r.Real(i, 11);
      return b;
    });
  });
}

Result<Page<Alert>> PgStore::ListAlerts(const AlertFilter& f, const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckCompliancePage(page));
  Where w;
  if (f.statuses.empty()) {
    w.Add("status <> 'pending'", {});
  } else {
    for (const std::string& s : f.statuses) {
      if (!KnownAlertStatus(s)) return Status::InvalidValue("unknown alert status '" + s + "'");
    }
    w.Add("status = ANY(?)", Params::Of(f.statuses));
  }
  if (f.store) w.Add("store = ?", Params::Of(*f.store));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  if (f.type) w.Add("type = ?", Params::Of(*f.type));
  if (f.planogram_name) w.Add("planogram_name = ?", Params::Of(*f.planogram_name));
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(first_seen_at, id) < (?, ?)", Params::Of(key->ms, key->id));
  }
  const std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts" + w.sql +
                          " ORDER BY first_seen_at DESC, id DESC LIMIT " + w.Next();
  Params p = w.args;
  p.Add(page.limit + 1);
  return Read<Page<Alert>>([&](Conn* c) -> Result<Page<Alert>> {
    auto rows = c->Query(sql, p);
    if (!rows.ok()) return rows.status();
    return PageOf<Alert>(*rows, page.limit, AlertFromRow,
                         [](const Alert& a) { return ToUnixMillis(a.first_seen_at); });
  });
}

Result<Alert> PgStore::GetAlert(Id id) {
  return Read<Alert>([&](Conn* c) -> Result<Alert> {
    auto a = LoadAlert(c, id, /*for_update=*/false);
    if (a.ok() && a->status == "pending") {
      return Status::NotFound("alert " + std::to_string(id) + " not found");
    }
    return a;
  });
}

Result<Alert> PgStore::AcknowledgeAlert(Id id, const std::string& who, const std::string& note) {
  return Mutate<Alert>([&](Conn* c, Event* event) -> Result<Alert> {
    auto a = LoadAlert(c, id, /*for_update=*/true);
    if (!a.ok()) return a.status();
    if (a->status == "pending") {
      return Status::NotFound("alert " + std::to_string(id) + " not found");
    }
    if (a->status != "open") {
      return Status::Conflict("alert " + std::to_string(id) + " is " + a->status + ", not open");
    }
    a->status = "acknowledged";
    a->acknowledged_at = Now();
    a->acknowledged_by = who;
    a->note = note;
    VS_RETURN_IF_ERROR(
        c->Run("UPDATE alerts SET status = $1, acknowledged_at = $2, acknowledged_by = $3,"
               " note = $4 WHERE id = $5",
               Params::Of(a->status, OptMs(a->acknowledged_at), who, note, a->id)));
    nlohmann::json payload = AlertEventPayload(*a);
    payload["acknowledged_by"] = who;
    VS_RETURN_IF_ERROR(AppendEvent(c, "alert.acknowledged", std::move(payload), event));
    return std::move(a).value();
  });
}

}  // namespace vs::store::pg
