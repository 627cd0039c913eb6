// PgStore: opening, ping, event delivery, scans, detections, events and distinct values.
#include "store/postgres/pg_store.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/log.h"
#include "core/time.h"
#include "store/checks.h"
#include "store/cursor.h"
#include "store/postgres/pg_listener.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_schema.h"
#include "store/records.h"

namespace vs::store {

Result<std::unique_ptr<Store>> OpenPostgres(const PostgresOptions& options) {
  auto s = pg::PgStore::Open(options);
  if (!s.ok()) return s.status();
  return std::unique_ptr<Store>(std::move(s).value());
}

namespace pg {

PgStore::PgStore(const PostgresOptions& options)
    : options_(options),
      pool_(ConnectOptions{.url = options.url}, std::max(1, options.max_connections),
            options.acquire_timeout, &stats_) {
  stats_.SetListen(DbStats::Listen::kDown);  // until a commit listener makes it LISTEN
}

Result<std::unique_ptr<PgStore>> PgStore::Open(const PostgresOptions& options) {
  std::unique_ptr<PgStore> s(new PgStore(options));
  auto c = s->pool_.Acquire();
  if (!c.ok()) return c.status();
  VS_RETURN_IF_ERROR(Migrate(c->get()));
  return s;
}

PgStore::~PgStore() { listen_.reset(); }  // stops the listener thread before the pool goes

Status PgStore::Ping() {
  auto lease = pool_.Acquire();
  if (!lease.ok()) return Status::Unavailable(lease.status().message());
  Status s = (*lease)->Run("SELECT 1");
  if (s.ok()) return s;
  pool_.DropIdle();  // opened before the same loss: a new connection will be needed anyway
  return Status::Unavailable(s.message());
}

void PgStore::SetCommitListener(CommitListener listener) {
  auto last = LastEventId();
  bool listening = false;
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    listener_ = std::move(listener);
    last_notified_ = last.ok() ? *last : 0;
    listening = static_cast<bool>(listener_);
  }
  if (listening && !listen_) {
    listen_ = std::make_unique<Listener>(
        ConnectOptions{.url = options_.url}, options_.listener_poll, [this] { CatchUp(); },
        &stats_);
  }
}

void PgStore::CatchUp() {
  std::lock_guard<std::mutex> lock(notify_mu_);
  DeliverLocked(nullptr);
}

void PgStore::DeliverLocked(const Event* own) {
  if (!listener_) {
    if (own) last_notified_ = std::max(last_notified_, own->id);
    return;
  }
  const Id upto = own ? own->id - 1 : std::numeric_limits<Id>::max();
  // Events committed since the last delivery (by other threads or instances), oldest first.
  // Ids follow commit order (vs_append_event), so none below a visible one is still to come.
  while (last_notified_ < upto) {
    auto batch = EventsAfter(last_notified_, 1000);
    if (!batch.ok()) {
      vs::log::Warn("cannot read events of other writers", {{"error", batch.status().ToString()}});
      break;
    }
    if (batch->empty()) break;
    for (const Event& e : *batch) {
      if (e.id > upto) break;
      listener_(e);
      last_notified_ = e.id;
    }
    if (batch->back().id > upto || batch->size() < 1000) break;
  }
  if (own && own->id > last_notified_) {
    listener_(*own);
    last_notified_ = own->id;
  }
  stats_.SetListenLastEventId(last_notified_);
}

Status PgStore::AppendEvent(Conn*, std::string type, nlohmann::json payload, Event* out) {
  out->type = std::move(type);
  out->payload = std::move(payload);
  out->created_at = Now();
  return Status::Ok();
}

Status PgStore::AppendEventNow(Conn* c, const std::string& type, const nlohmann::json& payload) {
  return c->Run("SELECT vs_append_event($1, $2, $3)",
                Params::Of(type, payload.dump(), ToUnixMillis(Now())));
}

namespace {

// Maps up to `limit` rows of a query that asked for limit + 1, newest first: the extra row only
// tells that a next page exists, whose cursor is the key of the last row kept.
template <typename T, typename FromRow, typename KeyMs>
Page<T> KeysetPage(const Rows& rows, int limit, FromRow from_row, KeyMs key_ms) {
  Page<T> out;
  for (int i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(out.items.size()) == limit) {
      const T& last = out.items.back();
      out.next_cursor = EncodeCursor({key_ms(last), last.id});
      break;
    }
    out.items.push_back(from_row(rows, i));
  }
  return out;
}

// The detection rows of a scan, written in one statement from arrays (unnest), in input order:
// the select's ORDER BY fixes the order in which rows are inserted and so take their ids.
constexpr const char* kInsertDetections =
    "INSERT INTO detections(scan_id, timestamp, shelf_location, store, model_version_id, sku,"
    " class_name, class_id, confidence, x_center, y_center, width, height)"
    " SELECT $1, $2, $3, $4, $5, u.sku, u.class_name, u.class_id, u.confidence, u.x, u.y, u.w,"
    " u.h FROM unnest($6::text[], $7::text[], $8::int8[], $9::float8[], $10::float8[],"
    " $11::float8[], $12::float8[], $13::float8[]) WITH ORDINALITY"
    " AS u(sku, class_name, class_id, confidence, x, y, w, h, ord)"
    " ORDER BY u.ord RETURNING id";

}  // namespace

Result<ScanRecord> PgStore::InsertScan(const NewScan& in) {
  VS_RETURN_IF_ERROR(ValidateScan(in));
  return Mutate<ScanRecord>([&](Conn* c, Event* event) -> Result<ScanRecord> {
    RollupDelta rollups;
    auto r = InsertScanIn(c, in, event, &rollups);
    if (!r.ok()) return r;
    VS_RETURN_IF_ERROR(WriteRollups(c, rollups));
    return r;
  });
}

Status PgStore::InsertScans(const std::vector<NewScan>& scans) {
  for (const NewScan& s : scans) VS_RETURN_IF_ERROR(ValidateScan(s));
  if (scans.empty()) return Status::Ok();
  auto stored = Mutate<bool>([&](Conn* c, Event* event) -> Result<bool> {
    std::vector<Event> events(scans.size());
    // The batch's rollup rows are merged, then upserted in one statement per table: rows that
    // its scans share (same store, shelf and day, say) are written once.
    RollupDelta rollups;
    for (size_t i = 0; i < scans.size(); ++i) {
      auto r = InsertScanIn(c, scans[i], &events[i], &rollups);
      if (!r.ok()) return r.status();
    }
    VS_RETURN_IF_ERROR(WriteRollups(c, rollups));
    // The events go in last: the event-order lock they take is held from the first to the
    // commit, so taking it late lets concurrent batches do their inserts side by side. The
    // last event is the mutation's own (appended at commit); all are delivered in id order.
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      VS_RETURN_IF_ERROR(AppendEventNow(c, events[i].type, events[i].payload));
    }
    *event = std::move(events.back());
    return true;
  });
  return stored.status();
}

Result<ScanRecord> PgStore::InsertScanIn(Conn* c, const NewScan& in, Event* event,
                                         RollupDelta* rollups) {
  ScanRecord s = ScanRecordOf(in);
  {
    auto r = c->Query(
        "INSERT INTO scans(store, shelf_location, captured_at, received_at, image_path, sha256,"
        " width, height, model_version_id, inference_ms, detections_count)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        Params::Of(s.store, s.shelf_location, ToUnixMillis(s.captured_at),
                   ToUnixMillis(s.received_at), s.image_path, s.sha256, s.width, s.height,
                   s.model_version_id, s.inference_ms, s.detections_count));
    if (!r.ok()) return r.status();
    s.id = r->Int(0, 0);
  }
  // Catalogue SKU per class name, else the class name itself.
  std::map<std::string, std::string> skus;
  if (!in.detections.empty()) {
    std::vector<std::string> classes;
    for (const auto& d : in.detections) {
      if (skus.emplace(d.class_name, d.class_name).second) classes.push_back(d.class_name);
    }
    auto r = c->Query("SELECT class_name, sku FROM products WHERE class_name = ANY($1)",
                      Params::Of(classes));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) skus[r->Text(i, 0)] = r->Text(i, 1);
  }
  s.detections.reserve(in.detections.size());
  std::vector<std::string> sku_col, class_col;
  std::vector<int64_t> class_id_col;
  std::vector<double> conf_col, x_col, y_col, w_col, h_col;
  for (const auto& d : in.detections) {
    DetectionRecord r = DetectionRecordOf(s, d, skus[d.class_name]);
    sku_col.push_back(r.sku);
    class_col.push_back(r.class_name);
    class_id_col.push_back(r.class_id);
    conf_col.push_back(r.confidence);
    x_col.push_back(r.x_center);
    y_col.push_back(r.y_center);
    w_col.push_back(r.width);
    h_col.push_back(r.height);
    s.detections.push_back(std::move(r));
  }
  if (!s.detections.empty()) {
    auto ids =
        c->Query(kInsertDetections, Params::Of(s.id, ToUnixMillis(s.captured_at), s.shelf_location,
                                               s.store, s.model_version_id, sku_col, class_col,
                                               class_id_col, conf_col, x_col, y_col, w_col, h_col));
    if (!ids.ok()) return ids.status();
    if (ids->size() != static_cast<int>(s.detections.size())) {
      return Status::Internal("detection insert returned a wrong number of ids");
    }
    // Ids grow in insertion order within the statement; RETURNING's own order is unspecified.
    std::vector<int64_t> sorted;
    for (int i = 0; i < ids->size(); ++i) sorted.push_back(ids->Int(i, 0));
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) s.detections[i].id = sorted[i];
  }
  VS_RETURN_IF_ERROR(AddToRollups(c, s, rollups));
  // Ids and a few fields, never the record (see live/hub.h).
  VS_RETURN_IF_ERROR(AppendEvent(c, "scan.created",
                                 {{"scan_id", s.id},
                                  {"store", s.store},
                                  {"shelf_location", s.shelf_location},
                                  {"detections_count", s.detections_count},
                                  {"captured_at", FormatIso8601(s.captured_at)}},
                                 event));
  return s;
}

Result<bool> PgStore::HasScanForImage(const std::string& image_path) {
  return Read<bool>([&](Conn* c) -> Result<bool> {
    auto r = c->Query("SELECT 1 FROM scans WHERE image_path = $1 LIMIT 1", Params::Of(image_path));
    if (!r.ok()) return r.status();
    return !r->empty();
  });
}

Result<ScanRecord> PgStore::GetScan(Id id, bool with_detections) {
  return Read<ScanRecord>([&](Conn* c) -> Result<ScanRecord> {
    auto s = QueryOne<ScanRecord>(
        c, std::string("SELECT ") + kScanColumns + " FROM scans WHERE id = $1", Params::Of(id),
        ScanFromRow, "scan " + std::to_string(id) + " not found");
    if (!s.ok() || !with_detections) return s;
    auto d = QueryAll<DetectionRecord>(c,
                                       std::string("SELECT ") + kDetectionColumns + kDetectionFrom +
                                           " WHERE d.scan_id = $1 ORDER BY d.id",
                                       Params::Of(id), DetectionFromRow);
    if (!d.ok()) return d.status();
    s->detections = std::move(d).value();
    return s;
  });
}

Result<Page<ScanRecord>> PgStore::ListScans(const ScanFilter& f, const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckLimit(page.limit, 1000));
  Where w;
  if (f.store) w.Add("store = ?", Params::Of(*f.store));
  if (f.shelf_location) w.Add("shelf_location = ?", Params::Of(*f.shelf_location));
  if (f.image_path) w.Add("image_path = ?", Params::Of(*f.image_path));
  if (f.start) w.Add("captured_at >= ?", Params::Of(ToUnixMillis(*f.start)));
  if (f.end) w.Add("captured_at < ?", Params::Of(ToUnixMillis(*f.end)));
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(captured_at, id) < (?, ?)", Params::Of(key->ms, key->id));
  }
  const std::string sql = std::string("SELECT ") + kScanColumns + " FROM scans" + w.sql +
                          " ORDER BY captured_at DESC, id DESC LIMIT " + w.Next();
  Params p = w.args;
  p.Add(page.limit + 1);
  return Read<Page<ScanRecord>>([&](Conn* c) -> Result<Page<ScanRecord>> {
    auto rows = c->Query(sql, p);
    if (!rows.ok()) return rows.status();
    return KeysetPage<ScanRecord>(*rows, page.limit, ScanFromRow,
                                  [](const ScanRecord& s) { return ToUnixMillis(s.captured_at); });
  });
}

Result<Page<DetectionRecord>> PgStore::ListDetections(const DetectionFilter& f,
                                                      const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckLimit(page.limit, 1000));
  Where w = DetectionWhere(f, "d.");
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(d.timestamp, d.id) < (?, ?)", Params::Of(key->ms, key->id));
  }
  const std::string sql = std::string("SELECT ") + kDetectionColumns + kDetectionFrom + w.sql +
                          " ORDER BY d.timestamp DESC, d.id DESC LIMIT " + w.Next();
  Params p = w.args;
  p.Add(page.limit + 1);
  return Read<Page<DetectionRecord>>([&](Conn* c) -> Result<Page<DetectionRecord>> {
    auto rows = c->Query(sql, p);
    if (!rows.ok()) return rows.status();
    return KeysetPage<DetectionRecord>(
        *rows, page.limit, DetectionFromRow,
        [](const DetectionRecord& d) { return ToUnixMillis(d.timestamp); });
  });
}

Result<std::vector<std::string>> PgStore::DistinctValues(const std::string& column) {
  // Level-0 rollup rows: mode 0 names every store and shelf, mode 1 every sku, 2 every class.
  // COLLATE "C": byte order, as SQLite's BINARY collation.
  std::string sql;
  if (column == "store" || column == "shelf_location") {
    sql = "SELECT DISTINCT " + column + " COLLATE \"C\" FROM rollup WHERE level = 0 AND mode = 0";
  } else if (column == "sku") {
    sql = "SELECT DISTINCT sku COLLATE \"C\" FROM rollup WHERE level = 0 AND mode = 1";
  } else if (column == "class_name") {
    sql = "SELECT DISTINCT class_name COLLATE \"C\" FROM rollup WHERE level = 0 AND mode = 2";
  } else {
    return Status::InvalidValue("no distinct values for column '" + column +
                                "' (store, shelf_location, sku, class_name)");
  }
  sql += " ORDER BY 1";
  return Read<std::vector<std::string>>([&](Conn* c) {
    return QueryAll<std::string>(c, sql, {}, [](const Rows& r, int i) { return r.Text(i, 0); });
  });
}

Result<std::vector<Event>> PgStore::EventsAfter(Id after_id, int limit) {
  VS_RETURN_IF_ERROR(CheckLimit(limit, 10000));
  return Read<std::vector<Event>>([&](Conn* c) {
    return QueryAll<Event>(
        c, "SELECT id, type, payload, created_at FROM events WHERE id > $1 ORDER BY id LIMIT $2",
        Params::Of(after_id, limit), [](const Rows& r, int i) {
          Event e;
          e.id = r.Int(i, 0);
          e.type = r.Text(i, 1);
          e.payload = ParseJsonColumn(r.Text(i, 2));
          e.created_at = FromUnixMillis(r.Int(i, 3));
          return e;
        });
  });
}

Result<Id> PgStore::LastEventId() {
  return Read<Id>([&](Conn* c) -> Result<Id> {
    auto r = c->Query("SELECT COALESCE(MAX(id), 0) FROM events");
    if (!r.ok()) return r.status();
    return r->Int(0, 0);
  });
}

}  // namespace pg
}  // namespace vs::store
