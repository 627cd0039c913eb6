// SqliteStore: opening, the reader pool, scans, detections, events and distinct values.
#include "store/sqlite/sqlite_store.h"

#include <cmath>
#include <limits>
#include <map>

#include "core/log.h"
#include "core/time.h"
#include "store/checks.h"
#include "store/cursor.h"
#include "store/json.h"
#include "store/records.h"
#include "store/sqlite/sqlite.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_schema.h"

namespace vs::store {

Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options) {
  auto s = sqlite::SqliteStore::Open(options);
  if (!s.ok()) return s.status();
  return std::unique_ptr<Store>(std::move(s).value());
}

namespace sqlite {

void Where::Add(const std::string& condition, std::vector<Value> values) {
  sql += sql.empty() ? " WHERE " : " AND ";
  sql += condition;
  for (auto& v : values) args.push_back(std::move(v));
}

void Where::BindTo(Stmt* stmt) const {
  for (const auto& v : args) std::visit([stmt](const auto& x) { stmt->Bind(x); }, v);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  if (options.path.empty() || options.path == ":memory:" || options.path.rfind("file:", 0) == 0) {
    return Status::InvalidArgument("the SQLite store needs a plain database file path, not '" +
                                   options.path + "'");
  }
  std::unique_ptr<SqliteStore> s(new SqliteStore(options));
  s->stats_.SetPoolMax(kMaxReaders);
  auto w = Connection::Open(options.path, /*read_only=*/false, options.busy_timeout_ms);
  if (!w.ok()) return w.status();
  s->writer_ = std::move(w).value();
  VS_RETURN_IF_ERROR(Migrate(s->writer_.get()));
  return s;
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  std::lock_guard<std::mutex> lock(write_mu_);
  // Keeps query-planner statistics current; cheap when little changed.
  if (writer_) (void)writer_->Exec("PRAGMA optimize");  // null when Open failed
}

SqliteStore::Reader::~Reader() {
  if (!c_) return;
  s_->stats_.OnRelease();
  {
    std::lock_guard<std::mutex> lock(s_->pool_mu_);
    s_->idle_.push_back(std::move(c_));
  }
  s_->pool_cv_.notify_one();
}

Result<SqliteStore::Reader> SqliteStore::AcquireReader() {
  std::unique_lock<std::mutex> lock(pool_mu_);
  const auto available = [this] { return !idle_.empty() || open_readers_ < kMaxReaders; };
  double waited = 0;
  if (!available()) {
    const auto t0 = std::chrono::steady_clock::now();
    pool_cv_.wait(lock, available);
    waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    stats_.OnAcquire(waited);
    return Reader(this, std::move(c));
  }
  ++open_readers_;
  lock.unlock();
  auto c = Connection::Open(options_.path, /*read_only=*/true, options_.busy_timeout_ms);
  if (!c.ok()) {
    {
      std::lock_guard<std::mutex> relock(pool_mu_);
      --open_readers_;
    }
    pool_cv_.notify_one();
    stats_.OnError();
    return c.status();
  }
  stats_.OnOpen();
  stats_.OnAcquire(waited);
  return Reader(this, std::move(c).value());
}

Status SqliteStore::Ping() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare("SELECT COUNT(*) FROM schema_migrations");
  if (!q.ok()) return Status::Unavailable(q.status().message());
  auto row = q->Step();
  if (!row.ok()) return Status::Unavailable(row.status().message());
  return Status::Ok();
}

void SqliteStore::SetCommitListener(CommitListener listener) {
  auto last = LastEventId();
  std::lock_guard<std::mutex> lock(notify_mu_);
  listener_ = std::move(listener);
  last_notified_ = last.ok() ? *last : 0;
  if (listener_ && !watcher_.joinable()) watcher_ = std::thread([this] { WatchOtherWriters(); });
}

void SqliteStore::DeliverLocked(const Event* own) {
  if (!listener_) {
    if (own) last_notified_ = std::max(last_notified_, own->id);
    return;
  }
  const Id upto = own ? own->id - 1 : std::numeric_limits<Id>::max();
  // Events committed by other processes since the last delivery, oldest first.
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
}

void SqliteStore::WatchOtherWriters() {
  std::unique_lock<std::mutex> lock(notify_mu_);
  while (!stop_cv_.wait_for(lock, kWatchInterval, [this] { return stopping_; })) {
    lock.unlock();
    auto last = LastEventId();
    lock.lock();
    if (stopping_) break;
    if (last.ok() && *last > last_notified_) DeliverLocked(nullptr);
  }
}

Status SqliteStore::AppendEvent(Connection* c, std::string type, nlohmann::json payload,
                                Event* out) {
  out->type = std::move(type);
  out->payload = std::move(payload);
  out->created_at = Now();
  auto q = c->Prepare("INSERT INTO events(type, payload, created_at) VALUES (?, ?, ?)");
  if (!q.ok()) return q.status();
  VS_RETURN_IF_ERROR(
      q->BindAll(out->type, out->payload.dump(), ToUnixMillis(out->created_at)).Run());
  out->id = c->LastInsertId();
  return Status::Ok();
}

namespace {

// Reads up to `limit` rows of a query that asked for limit + 1, newest first: the extra row only
// tells that a next page exists, whose cursor is the key of the last row kept.
template <typename T, typename FromRow, typename KeyMs>
Result<Page<T>> ReadKeysetPage(Stmt& q, int limit, FromRow from_row, KeyMs key_ms) {
  Page<T> out;
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(out.items.size()) == limit) {
      const T& last = out.items.back();
      out.next_cursor = EncodeCursor({key_ms(last), last.id});
      break;
    }
    out.items.push_back(from_row(q));
  }
  return out;
}

}  // namespace

Result<ScanRecord> SqliteStore::InsertScan(const NewScan& in) {
  VS_RETURN_IF_ERROR(ValidateScan(in));
  return Mutate<ScanRecord>([&](Connection* c, Event* event) -> Result<ScanRecord> {
    RollupDelta rollups;
    auto r = InsertScanIn(c, in, event, &rollups);
    if (!r.ok()) return r;
    VS_RETURN_IF_ERROR(WriteRollups(c, rollups));
    return r;
  });
}

Status SqliteStore::InsertScans(const std::vector<NewScan>& scans) {
  for (const NewScan& s : scans) VS_RETURN_IF_ERROR(ValidateScan(s));
  if (scans.empty()) return Status::Ok();
  return Mutate<bool>([&](Connection* c, Event* event) -> Result<bool> {
           // The batch's rollup rows are merged and upserted once each, after its scans.
           RollupDelta rollups;
           for (size_t i = 0; i < scans.size(); ++i) {
             // Each scan's event row is inserted at once (AppendEvent); Mutate delivers them all
             // after the commit, in id order, as the last one's predecessors.
             auto r = InsertScanIn(c, scans[i], event, &rollups);
             if (!r.ok()) return r.status();
           }
           VS_RETURN_IF_ERROR(WriteRollups(c, rollups));
           return true;
         })
      .status();
}

Result<ScanRecord> SqliteStore::InsertScanIn(Connection* c, const NewScan& in, Event* event,
                                             RollupDelta* rollups) {
  ScanRecord s = ScanRecordOf(in);
  {
    auto q = c->Prepare(
        "INSERT INTO scans(store, shelf_location, captured_at, received_at, image_path, sha256,"
        " width, height, model_version_id, inference_ms, detections_count)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) return q.status();
    VS_RETURN_IF_ERROR(q->BindAll(s.store, s.shelf_location, ToUnixMillis(s.captured_at),
                                  ToUnixMillis(s.received_at), s.image_path, s.sha256, s.width,
                                  s.height, s.model_version_id, s.inference_ms, s.detections_count)
                           .Run());
    s.id = c->LastInsertId();
  }
  // Catalogue SKU per class name, else the class name itself.
  std::map<std::string, std::string> skus;
  for (const auto& d : in.detections) {
    if (skus.count(d.class_name)) continue;
    auto q = c->Prepare("SELECT sku FROM products WHERE class_name = ?");
    if (!q.ok()) return q.status();
    q->Bind(d.class_name);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    skus[d.class_name] = *row ? q->Text(0) : d.class_name;
  }
  auto ins = c->Prepare(
      "INSERT INTO detections(scan_id, timestamp, sku, class_name, class_id, confidence,"
      " x_center, y_center, width, height, shelf_location, store, model_version_id)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!ins.ok()) return ins.status();
  s.detections.reserve(in.detections.size());
  for (const auto& d : in.detections) {
    DetectionRecord r = DetectionRecordOf(s, d, skus[d.class_name]);
    VS_RETURN_IF_ERROR(ins->BindAll(r.scan_id, ToUnixMillis(r.timestamp), r.sku, r.class_name,
                                    r.class_id, r.confidence, r.x_center, r.y_center, r.width,
                                    r.height, r.shelf_location, r.store, r.model_version_id)
                           .Run());
    r.id = c->LastInsertId();
    s.detections.push_back(std::move(r));
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

Result<bool> SqliteStore::HasScanForImage(const std::string& image_path) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare("SELECT 1 FROM scans WHERE image_path = ? LIMIT 1");
  if (!q.ok()) return q.status();
  q->Bind(image_path);
  return q->Step();
}

Result<ScanRecord> SqliteStore::GetScan(Id id, bool with_detections) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  Connection* c = r->get();
  ScanRecord s;
  {
    auto q = c->Prepare(std::string("SELECT ") + kScanColumns + " FROM scans WHERE id = ?");
    if (!q.ok()) return q.status();
    q->Bind(id);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("scan " + std::to_string(id) + " not found");
    s = ScanFromRow(*q);
  }
  if (with_detections) {
    auto q = c->Prepare(std::string("SELECT ") + kDetectionColumns + kDetectionFrom +
                        " WHERE d.scan_id = ? ORDER BY d.id");
    if (!q.ok()) return q.status();
    q->Bind(id);
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      s.detections.push_back(DetectionFromRow(*q));
    }
  }
  return s;
}

Result<Page<ScanRecord>> SqliteStore::ListScans(const ScanFilter& f, const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckLimit(page.limit, 1000));
  Where w;
  if (f.store) w.Add("store = ?", {*f.store});
  if (f.shelf_location) w.Add("shelf_location = ?", {*f.shelf_location});
  if (f.image_path) w.Add("image_path = ?", {*f.image_path});
  if (f.start) w.Add("captured_at >= ?", {ToUnixMillis(*f.start)});
  if (f.end) w.Add("captured_at < ?", {ToUnixMillis(*f.end)});
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(captured_at, id) < (?, ?)", {key->ms, key->id});
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kScanColumns + " FROM scans" + w.sql +
                         " ORDER BY captured_at DESC, id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  q->Bind(page.limit + 1);
  return ReadKeysetPage<ScanRecord>(
      *q, page.limit, [](Stmt& st) { return ScanFromRow(st); },
      [](const ScanRecord& s) { return ToUnixMillis(s.captured_at); });
}

Result<Page<DetectionRecord>> SqliteStore::ListDetections(const DetectionFilter& f,
                                                          const PageRequest& page) {
  VS_RETURN_IF_ERROR(CheckLimit(page.limit, 1000));
  Where w = DetectionWhere(f, "d.");
  if (page.cursor) {
    auto key = DecodeCursor(*page.cursor);
    if (!key.ok()) return key.status();
    w.Add("(d.timestamp, d.id) < (?, ?)", {key->ms, key->id});
  }
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(std::string("SELECT ") + kDetectionColumns + kDetectionFrom + w.sql +
                         " ORDER BY d.timestamp DESC, d.id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  w.BindTo(&*q);
  q->Bind(page.limit + 1);
  return ReadKeysetPage<DetectionRecord>(
      *q, page.limit, [](Stmt& st) { return DetectionFromRow(st); },
      [](const DetectionRecord& d) { return ToUnixMillis(d.timestamp); });
}

Result<std::vector<std::string>> SqliteStore::DistinctValues(const std::string& column) {
  // Level-0 rollup rows: mode 0 names every store and shelf, mode 1 every sku, 2 every class.
  std::string sql;
  if (column == "store" || column == "shelf_location") {
    sql = "SELECT DISTINCT " + column + " FROM rollup WHERE level = 0 AND mode = 0";
  } else if (column == "sku") {
    sql = "SELECT DISTINCT sku FROM rollup WHERE level = 0 AND mode = 1";
  } else if (column == "class_name") {
    sql = "SELECT DISTINCT class_name FROM rollup WHERE level = 0 AND mode = 2";
  } else {
    return Status::InvalidValue("no distinct values for column '" + column +
                                "' (store, shelf_location, sku, class_name)");
  }
  sql += " ORDER BY 1";
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(sql);
  if (!q.ok()) return q.status();
  std::vector<std::string> out;
  for (;;) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(q->Text(0));
  }
  return out;
}

Result<std::vector<Event>> SqliteStore::EventsAfter(Id after_id, int limit) {
  VS_RETURN_IF_ERROR(CheckLimit(limit, 10000));
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare(
      "SELECT id, type, payload, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?");
  if (!q.ok()) return q.status();
  q->BindAll(after_id, limit);
  std::vector<Event> out;
  for (;;) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Event e;
    e.id = q->Int(0);
    e.type = q->Text(1);
    e.payload = ParseJsonColumn(q->Text(2));
    e.created_at = FromUnixMillis(q->Int(3));
    out.push_back(std::move(e));
  }
  return out;
}

Result<Id> SqliteStore::LastEventId() {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare("SELECT COALESCE(MAX(id), 0) FROM events");
  if (!q.ok()) return q.status();
  auto row = q->Step();
  if (!row.ok()) return row.status();
  return q->Int(0);
}

}  // namespace sqlite
}  // namespace vs::store
