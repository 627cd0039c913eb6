// The rollup-backed Summarize and Activity of every backend must equal plain SQL over the
// detection rows, on random data with random filters (including unaligned and empty time
// ranges). The reference is SQL over an SQLite file holding the same data: the store itself for
// SQLite; for PostgreSQL, an SQLite mirror fed the same calls (so both backends are also held to
// the same answers).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "backends.h"
#include "store/rollup.h"
#include "store/sqlite/sqlite_bits.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_util.h"

namespace vs::store {
namespace {

using testing::Det;
using testing::Scan;

constexpr int64_t kT0 = 1795824000000;  // a UTC midnight
constexpr int64_t kHour = 3'600'000;

// Plain SQL over `detections`, through a separate raw connection: the reference.
class Reference {
 public:
  explicit Reference(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~Reference() { sqlite3_close(db_); }

  Summary Summarize(const DetectionFilter& f) {
    sqlite3_stmt* st = Prepare(
        "SELECT COUNT(*), COUNT(DISTINCT sku), COUNT(DISTINCT class_name), AVG(confidence),"
        " COUNT(DISTINCT scan_id), MAX(timestamp) FROM detections",
        f, "");
    Summary s;
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    s.total_detections = sqlite3_column_int64(st, 0);
    s.unique_skus = sqlite3_column_int64(st, 1);
    s.unique_classes = sqlite3_column_int64(st, 2);
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
      s.average_confidence = sqlite3_column_double(st, 3);
    s.total_scans = sqlite3_column_int64(st, 4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
      s.last_detection_at = FromUnixMillis(sqlite3_column_int64(st, 5));
    }
    sqlite3_finalize(st);
    return s;
  }

  std::vector<ActivityBucket> Activity(const DetectionFilter& f, int64_t width) {
    const std::string w = std::to_string(width);
    sqlite3_stmt* st = Prepare("SELECT timestamp - (timestamp % " + w +
                                   ") AS b, COUNT(*), COUNT(DISTINCT scan_id) FROM detections",
                               f, " GROUP BY b ORDER BY b");
    std::vector<ActivityBucket> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back({FromUnixMillis(sqlite3_column_int64(st, 0)), sqlite3_column_int64(st, 1),
                     sqlite3_column_int64(st, 2)});
    }
    sqlite3_finalize(st);
    return out;
  }

  sqlite3* db() { return db_; }

 private:
  sqlite3_stmt* Prepare(const std::string& head, const DetectionFilter& f,
                        const std::string& tail) {
    std::string sql = head + " WHERE 1";
    if (f.sku) sql += " AND sku = :sku";
    if (f.class_name) sql += " AND class_name = :cls";
    if (f.shelf_location) sql += " AND shelf_location = :shelf";
    if (f.store) sql += " AND store = :store";
    if (f.start) sql += " AND timestamp >= :start";
    if (f.end) sql += " AND timestamp < :end";
    if (f.min_confidence) sql += " AND confidence >= :conf";
    if (f.scan_id) sql += " AND scan_id = :scan";
    sql += tail;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    auto text = [&](const char* name, const std::optional<std::string>& v) {
      if (v)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), v->c_str(), -1,
                          SQLITE_TRANSIENT);
    };
    text(":sku", f.sku);
    text(":cls", f.class_name);
    text(":shelf", f.shelf_location);
    text(":store", f.store);
    if (f.start)
      sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":start"), ToUnixMillis(*f.start));
    if (f.end)
      sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":end"), ToUnixMillis(*f.end));
    if (f.min_confidence)
      sqlite3_bind_double(st, sqlite3_bind_parameter_index(st, ":conf"), *f.min_confidence);
    if (f.scan_id) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":scan"), *f.scan_id);
    return st;
  }

  sqlite3* db_ = nullptr;
};

std::string Describe(const DetectionFilter& f) {
  std::string s;
  if (f.sku) s += " sku=" + *f.sku;
  if (f.class_name) s += " class=" + *f.class_name;
  if (f.shelf_location) s += " shelf=" + *f.shelf_location;
  if (f.store) s += " store=" + *f.store;
  if (f.start) s += " start=" + std::to_string(ToUnixMillis(*f.start) - kT0);
  if (f.end) s += " end=" + std::to_string(ToUnixMillis(*f.end) - kT0);
  if (f.min_confidence) s += " conf>=" + std::to_string(*f.min_confidence);
  if (f.scan_id) s += " scan=" + std::to_string(*f.scan_id);
  return s;
}

void ExpectSame(const Summary& got, const Summary& want, const std::string& what) {
  EXPECT_EQ(got.total_detections, want.total_detections) << what;
  EXPECT_EQ(got.unique_skus, want.unique_skus) << what;
  EXPECT_EQ(got.unique_classes, want.unique_classes) << what;
  EXPECT_EQ(got.total_scans, want.total_scans) << what;
  EXPECT_EQ(got.last_detection_at, want.last_detection_at) << what;
  ASSERT_EQ(got.average_confidence.has_value(), want.average_confidence.has_value()) << what;
  if (want.average_confidence) {
    // Sums are added in another order: equal up to floating-point rounding.
    EXPECT_NEAR(*got.average_confidence, *want.average_confidence, 1e-12) << what;
  }
}

class SummaryEquivalenceTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    store_ = OpenStore();
    ASSERT_TRUE(store_);
    path_ = postgres() ? dir_.File("mirror.db") : sqlite_path();
    if (postgres()) {
      mirror_ = testing::MustOpen(path_);
      ASSERT_TRUE(mirror_);
    }
    std::mt19937_64 rng(7);
    auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
    // The catalogue changes midway, and one SKU equals another class's name, so that sku and
    // class_name are not one-to-one.
    ASSERT_TRUE(Both([](Store* s) {
      return s->UpsertProduct({0, "cup", "SKU-CUP", "", ""}).ok();
    }));
    ASSERT_TRUE(Both([](Store* s) {
      return s->UpsertProduct({0, "wine glass", "bottle", "", ""}).ok();
    }));
    for (int i = 0; i < 400; ++i) {
      if (i == 200) {
        ASSERT_TRUE(Both([](Store* s) {
          return s->UpsertProduct({0, "cup", "SKU-CUP-2", "", ""}).ok();
        }));
      }
      // Times over ~4 days, clustered so that some hours hold many scans and some none.
      const int64_t t = kT0 - kHour * 30 + static_cast<int64_t>(rng() % (4 * 24)) * kHour +
                        static_cast<int64_t>(rng() % (kHour / 4)) * (rng() % 2 ? 1 : 4);
      std::vector<NewDetection> dets;
      const int n = static_cast<int>(rng() % 6);  // some scans have no detections
      for (int k = 0; k < n; ++k) {
        // On the 0.001 grid (fine bucket bounds) or anywhere between.
        const double c = rng() % 2 ? static_cast<double>(rng() % 1000) / 1000.0
                                   : std::uniform_real_distribution<double>(0, 1)(rng);
        dets.push_back(Det(pick(classes_), c));
      }
      const NewScan scan = Scan(pick(stores_), pick(shelves_), t, dets);
      auto r = store_->InsertScan(scan);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (mirror_) {
        auto m = mirror_->InsertScan(scan);
        ASSERT_TRUE(m.ok() && m->id == r->id);
      }
      times_.push_back(t);
      last_scan_ = r->id;
    }
  }

  // Expects the store's summary under `f` to be the rows' answer; whether that matched any row.
  bool ExpectSummaryOfRows(Reference& ref, const DetectionFilter& f) {
    auto got = store_->Summarize(f);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return false;
    const Summary want = ref.Summarize(f);
    ExpectSame(*got, want, Describe(f));
    return want.total_detections > 0;
  }

  // Applies `write` to the store and to the mirror (when there is one).
  template <typename F>
  bool Both(F write) {
    return write(store_.get()) && (!mirror_ || write(mirror_.get()));
  }

  DetectionFilter RandomFilter(std::mt19937_64& rng) {
    auto maybe = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
    auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
    DetectionFilter f;
    if (maybe(30)) f.sku = pick(skus_);
    if (maybe(30)) f.class_name = pick(classes_);
    if (maybe(30)) f.shelf_location = pick(shelves_);
    if (maybe(30)) f.store = pick(stores_);
    auto instant = [&]() -> int64_t {
      const int64_t base = times_[rng() % times_.size()];
      switch (rng() % 4) {
        case 0:
          return base;  // exactly a detection's timestamp
        case 1:
          return FloorTo(base, kHour);  // hour edge
        case 2:
          return FloorTo(base, kDayMs);  // day edge
        default:
          return base + static_cast<int64_t>(rng() % (3 * kHour)) - kHour;
      }
    };
    if (maybe(60)) f.start = FromUnixMillis(instant());
    if (maybe(60)) f.end = FromUnixMillis(instant());
    if (maybe(15)) f.min_confidence = static_cast<double>(rng() % 100) / 100.0;
    if (maybe(5)) f.scan_id = 1 + static_cast<int64_t>(rng() % last_scan_);
    return f;
  }

  std::string path_;  // the SQLite file holding the data
  std::unique_ptr<Store> store_;
  std::unique_ptr<Store> mirror_;  // PostgreSQL runs: the same data in SQLite
  std::vector<int64_t> times_;
  Id last_scan_ = 0;
  const std::vector<std::string> stores_ = {"s1", "s2", "s3"};
  const std::vector<std::string> shelves_ = {"A", "B", "C", "D"};
  const std::vector<std::string> classes_ = {"cup", "bottle", "wine glass", "apple", "banana"};
  const std::vector<std::string> skus_ = {"SKU-CUP", "SKU-CUP-2", "bottle", "apple", "cup", "x"};
};
VS_STORE_BACKENDS(SummaryEquivalenceTest);

TEST_P(SummaryEquivalenceTest, SummarizeEqualsPlainSql) {
  Reference ref(path_);
  ExpectSame(*store_->Summarize({}), ref.Summarize({}), "no filter");
  std::mt19937_64 rng(11);
  int nonempty = 0;
  for (int i = 0; i < 600; ++i) {
    const DetectionFilter f = RandomFilter(rng);
    nonempty += ExpectSummaryOfRows(ref, f) ? 1 : 0;
  }
  EXPECT_GT(nonempty, 200);  // the random filters do match data
}

TEST_P(SummaryEquivalenceTest, ActivityEqualsPlainSql) {
  Reference ref(path_);
  std::mt19937_64 rng(13);
  for (int i = 0; i < 300; ++i) {
    const DetectionFilter f = RandomFilter(rng);
    for (Granularity g : {Granularity::kHour, Granularity::kDay}) {
      auto got = store_->Activity(f, g);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      const auto want = ref.Activity(f, g == Granularity::kHour ? kHour : kDayMs);
      ASSERT_EQ(got->size(), want.size()) << Describe(f);
      for (size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ((*got)[k].start, want[k].start) << Describe(f);
        EXPECT_EQ((*got)[k].detections, want[k].detections) << Describe(f);
        EXPECT_EQ((*got)[k].scans, want[k].scans) << Describe(f);
      }
    }
  }
}

// A confidence threshold for the min_confidence tests: on the 0.05 grid (whole confidence
// buckets), a detection's own confidence (rows at the bound), just beside a grid point, off the
// grid anywhere, four or five decimals, just beside a fine (0.001 or 0.0001) bound, or the ends
// (0, 1, beyond 1).
double RandomThreshold(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 6: {  // four or five decimals, or just beside a 0.0001 bound
      const double low = FineLow(kFine10000, static_cast<int>(rng() % kFine10000));
      switch (rng() % 3) {
        case 0:
          return low;
        case 1:
          return low + static_cast<double>(1 + rng() % 9) / 100000.0;
        default:
          return std::nextafter(low, rng() % 2 ? 0.0 : 1.0);
      }
    }
    case 7:
      return std::nextafter(FineLow(kFine1000, 1 + static_cast<int>(rng() % (kFine1000 - 1))),
                            rng() % 2 ? 0.0 : 1.0);
    case 0:
    case 1:
      return ConfLow(static_cast<int>(rng() % kConfBuckets));
    case 2:
      return static_cast<double>(rng() % 1000) / 1000.0;  // as the data's confidences
    case 3:
      return std::nextafter(ConfLow(1 + static_cast<int>(rng() % (kConfBuckets - 1))),
                            rng() % 2 ? 0.0 : 1.0);
    case 4:
      return std::uniform_real_distribution<double>(0, 1)(rng);
    default: {
      const double ends[] = {0.0, 1.0, 0.99, 1.5, -0.25};
      return ends[rng() % 5];
    }
  }
}

// min_confidence with every other filter (scan_id aside, which reads rows): the confidence
// rollups and partial buckets give the rows' exact answer.
TEST_P(SummaryEquivalenceTest, MinConfidenceSummarizeEqualsPlainSql) {
  Reference ref(path_);
  std::mt19937_64 rng(17);
  int nonempty = 0, on_grid = 0;
  for (int i = 0; i < 500; ++i) {
    DetectionFilter f = RandomFilter(rng);
    f.scan_id.reset();
    f.min_confidence = RandomThreshold(rng);
    on_grid += SplitConfidence(*f.min_confidence)->partial ? 0 : 1;
    nonempty += ExpectSummaryOfRows(ref, f) ? 1 : 0;
  }
  EXPECT_GT(nonempty, 150);
  EXPECT_GT(on_grid, 100);
}

TEST_P(SummaryEquivalenceTest, MinConfidenceActivityEqualsPlainSql) {
  Reference ref(path_);
  std::mt19937_64 rng(19);
  for (int i = 0; i < 200; ++i) {
    DetectionFilter f = RandomFilter(rng);
    f.scan_id.reset();
    f.min_confidence = RandomThreshold(rng);
    for (Granularity g : {Granularity::kHour, Granularity::kDay}) {
      auto got = store_->Activity(f, g);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      const auto want = ref.Activity(f, g == Granularity::kHour ? kHour : kDayMs);
      ASSERT_EQ(got->size(), want.size()) << Describe(f);
      for (size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ((*got)[k].start, want[k].start) << Describe(f);
        EXPECT_EQ((*got)[k].detections, want[k].detections) << Describe(f);
        EXPECT_EQ((*got)[k].scans, want[k].scans) << Describe(f);
      }
    }
  }
}

// Confidences on and beside every 0.001 bound of [0.53, 0.56] and [0.99, 1], one scan each
// (every third also holding a higher detection, so that it counts in another bucket), spread
// over six hours: thresholds beside those bounds, over time ranges whose sub-hour parts read
// the rows by 0.001 bucket and time while whole hours read fine rows, give the rows' answer.
TEST_P(SummaryEquivalenceTest, ThresholdsBesideFineBoundsInEveryTimePart) {
  const int64_t t = kT0 + 10 * kDayMs + 5 * kHour + 17'000;
  std::vector<double> confs;
  for (const auto& [lo, hi] : {std::pair{530, 560}, std::pair{990, 1000}}) {
    for (int j = lo; j <= hi; ++j) {
      const double c = FineLow(kFine1000, j);
      confs.push_back(c);
      confs.push_back(std::nextafter(c, 0.0));
      if (j < 1000) confs.push_back(std::nextafter(c, 1.0));
    }
  }
  for (size_t k = 0; k < confs.size(); ++k) {
    std::vector<NewDetection> dets = {Det(classes_[k % classes_.size()], confs[k])};
    if (k % 3 == 0) dets.push_back(Det("apple", 0.97));
    const int64_t at = t - 3 * kHour + static_cast<int64_t>(k * 613'000 % (6 * kHour));
    const NewScan scan = Scan(stores_[k % 2], shelves_[k % 3], at, dets);
    ASSERT_TRUE(Both([&](Store* s) { return s->InsertScan(scan).ok(); }));
  }
  Reference ref(path_);
  const std::vector<std::pair<std::optional<int64_t>, std::optional<int64_t>>> ranges = {
      {t - 20 * kMinuteMs, t + 20 * kMinuteMs},
      {t - 2 * kHour - 5 * kMinuteMs - 3, t + 2 * kHour + 7 * kMinuteMs + 11},
      {t - 3 * kHour - 1, std::nullopt},
      {std::nullopt, std::nullopt}};
  int nonempty = 0;
  for (const double threshold :
       {0.537, std::nextafter(0.537, 0.0), std::nextafter(0.537, 1.0), 0.5371, 0.53715, 0.54,
        0.5495, std::nextafter(0.55, 0.0), 0.995, 0.9995, std::nextafter(1.0, 0.0)}) {
    for (const auto& [start, end] : ranges) {
      for (const std::optional<std::string>& store : {std::optional<std::string>(), {"s1"}}) {
        DetectionFilter f;
        f.min_confidence = threshold;
        if (start) f.start = FromUnixMillis(*start);
        if (end) f.end = FromUnixMillis(*end);
        f.store = store;
        nonempty += ExpectSummaryOfRows(ref, f) ? 1 : 0;
      }
    }
  }
  EXPECT_GT(nonempty, 60);
}

// A database written before the confidence rollups (their migration undone) gets them built
// from its detections when opened, and answers min_confidence from them exactly.
TEST_P(SummaryEquivalenceTest, ConfidenceRollupsMigrationBuildsFromRows) {
  store_.reset();
  const bool undone =
      postgres() ? ExecSql(
                       "DROP TABLE rollup_conf, rollup_fine;"
                       " DROP INDEX detections_conf, detections_scan_conf;"
                       " DROP FUNCTION vs_bits_of(BIGINT[]); DROP AGGREGATE vs_bits_or_agg(BYTEA);"
                       " CREATE INDEX detections_scan ON detections(scan_id);"
                       " DELETE FROM schema_migrations WHERE version IN (9, 11, 12, 13)")
                 : ExecSql(
                       "DROP TABLE rollup_conf; DROP TABLE rollup_fine; DROP INDEX detections_conf;"
                       " DROP INDEX detections_scan_conf;"
                       " CREATE INDEX detections_scan ON detections(scan_id);"
                       " DELETE FROM schema_migrations WHERE version IN (12, 14, 15, 17)");
  ASSERT_TRUE(undone);
  ASSERT_EQ(QueryInt(std::string("SELECT COUNT(*) FROM schema_migrations WHERE version = ") +
                     (postgres() ? "9" : "12")),
            0);
  store_ = OpenStore();
  ASSERT_TRUE(store_);
  EXPECT_GT(QueryInt("SELECT COUNT(*) FROM rollup_conf"), 100);
  // Mode 0 is kept only as cumulative rows (the second migration).
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rollup_conf WHERE mode = 0"), 0);
  EXPECT_GT(
      QueryInt("SELECT COUNT(*) FROM rollup_conf WHERE mode = " + std::to_string(kModeAtLeast)),
      20);
  EXPECT_GT(QueryInt("SELECT COUNT(*) FROM rollup_fine"), 100);
  EXPECT_GT(QueryInt("SELECT COUNT(*) FROM rollup_fine WHERE res = 10000"), 100);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rollup_fine WHERE res = 10000 AND level <> 0"), 0);
  Reference ref(path_);
  std::mt19937_64 rng(23);
  for (int i = 0; i < 150; ++i) {
    DetectionFilter f = RandomFilter(rng);
    f.scan_id.reset();
    f.min_confidence = RandomThreshold(rng);
    ExpectSummaryOfRows(ref, f);
  }
}

// A database written before the 0.0001-wide fine rows (SQLite 17, PostgreSQL 13) gets from
// that migration alone the rows the writes would have kept.
TEST_P(SummaryEquivalenceTest, FinestRowsMigrationFillsWhatWritesKeep) {
  store_.reset();
  const std::string cols =
      "level, res, conf, bucket, store, shelf_location, n, max_ts, scans, sku_bits, class_bits";
  ASSERT_TRUE(ExecSql("CREATE TABLE kept_finest AS SELECT " + cols +
                      " FROM rollup_fine WHERE res = 10000; DELETE FROM rollup_fine WHERE res ="
                      " 10000; DELETE FROM schema_migrations WHERE version = " +
                      (postgres() ? "13" : "17")));
  store_ = OpenStore();
  ASSERT_TRUE(store_);
  EXPECT_GT(QueryInt("SELECT COUNT(*) FROM kept_finest"), 100);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM (SELECT " + cols + " FROM kept_finest EXCEPT SELECT " +
                     cols + " FROM rollup_fine) x"),
            0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM (SELECT " + cols +
                     " FROM rollup_fine WHERE res = 10000 EXCEPT SELECT " + cols +
                     " FROM kept_finest) x"),
            0);
  ASSERT_TRUE(ExecSql("DROP TABLE kept_finest"));
}

// The incrementally maintained rollup table equals a recomputation from the rows.
TEST_P(SummaryEquivalenceTest, RollupsEqualRecomputation) {
  Reference ref(path_);
  ASSERT_TRUE(sqlite::RegisterBitFunctions(ref.db()).ok());
  ASSERT_EQ(sqlite3_exec(ref.db(),
                         "CREATE TEMP TABLE kept AS SELECT * FROM rollup;"
                         " CREATE TEMP TABLE kept_conf AS SELECT * FROM rollup_conf;"
                         " CREATE TEMP TABLE kept_fine AS SELECT * FROM rollup_fine",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(ref.db(), ("BEGIN;" + sqlite::RollupRebuildSql()).c_str(), nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  const std::string cols =
      "level, mode, bucket, store, shelf_location, sku, class_name, n, max_ts, scans, sku_bits,"
      " class_bits";
  const std::string fine_cols =
      "level, res, conf, bucket, store, shelf_location, n, max_ts, scans, sku_bits, class_bits";
  for (const std::string& q :
       {"SELECT COUNT(*) FROM (SELECT " + cols + " FROM kept EXCEPT SELECT " + cols +
            " FROM rollup)",
        "SELECT COUNT(*) FROM (SELECT " + cols + " FROM rollup EXCEPT SELECT " + cols +
            " FROM kept)",
        std::string("SELECT COUNT(*) FROM kept k JOIN rollup r USING (level, mode, bucket, store,"
                    " shelf_location, sku, class_name) WHERE abs(k.sum_conf - r.sum_conf) > 1e-9"),
        std::string("SELECT CASE WHEN (SELECT COUNT(*) FROM kept) > 100 THEN 0 ELSE 1 END"),
        // The confidence rollups likewise.
        "SELECT COUNT(*) FROM (SELECT " + cols + ", conf FROM kept_conf EXCEPT SELECT " + cols +
            ", conf FROM rollup_conf)",
        "SELECT COUNT(*) FROM (SELECT " + cols + ", conf FROM rollup_conf EXCEPT SELECT " + cols +
            ", conf FROM kept_conf)",
        std::string("SELECT COUNT(*) FROM kept_conf k JOIN rollup_conf r USING (level, mode,"
                    " bucket, store, shelf_location, sku, class_name, conf)"
                    " WHERE abs(k.sum_conf - r.sum_conf) > 1e-9"),
        std::string("SELECT CASE WHEN (SELECT COUNT(*) FROM kept_conf) >"
                    " (SELECT COUNT(*) FROM kept) THEN 0 ELSE 1 END"),
        // And the fine confidence rows.
        "SELECT COUNT(*) FROM (SELECT " + fine_cols + " FROM kept_fine EXCEPT SELECT " + fine_cols +
            " FROM rollup_fine)",
        "SELECT COUNT(*) FROM (SELECT " + fine_cols + " FROM rollup_fine EXCEPT SELECT " +
            fine_cols + " FROM kept_fine)",
        std::string("SELECT COUNT(*) FROM kept_fine k JOIN rollup_fine r USING (level, res, conf,"
                    " bucket, store, shelf_location) WHERE abs(k.sum_conf - r.sum_conf) > 1e-9"),
        std::string("SELECT CASE WHEN (SELECT COUNT(*) FROM kept_fine) > 100 THEN 0 ELSE 1 END")}) {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(ref.db(), q.c_str(), -1, &st, nullptr), SQLITE_OK) << q;
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(st, 0), 0) << q;
    sqlite3_finalize(st);
  }
  sqlite3_exec(ref.db(), "ROLLBACK", nullptr, nullptr, nullptr);
  if (!postgres()) return;
  // PostgreSQL's rollup rows are the SQLite mirror's (just shown equal to a recomputation).
  const std::string row =
      "level || '|' || mode || '|' || bucket || '|' || store || '|' || shelf_location || '|' ||"
      " sku || '|' || class_name || '|' || n || '|' || COALESCE(max_ts, -1) || '|' || scans ||"
      " '|' || ";
  const std::string fine_row =
      "level || '|' || res || '|' || conf || '|' || bucket || '|' || store || '|' ||"
      " shelf_location || '|' || n || '|' || max_ts || '|' || scans || '|' || ";
  for (const std::string table : {"rollup", "rollup_conf", "rollup_fine"}) {
    const std::string key = table == "rollup_fine" ? fine_row
                            : table == "rollup"    ? row
                                                   : row + "conf || '|' || ";
    std::multiset<std::string> in_sqlite, in_postgres;
    {
      sqlite3_stmt* st = nullptr;
      const std::string q = "SELECT " + key +
                            "COALESCE(lower(hex(sku_bits)), '') || '|' ||"
                            " COALESCE(lower(hex(class_bits)), '') || '|' ||"
                            " CAST(round(sum_conf * 1000000) AS INTEGER) FROM " +
                            table;
      ASSERT_EQ(sqlite3_prepare_v2(ref.db(), q.c_str(), -1, &st, nullptr), SQLITE_OK) << q;
      while (sqlite3_step(st) == SQLITE_ROW) {
        in_sqlite.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      }
      sqlite3_finalize(st);
    }
    PGconn* c = PQconnectdb(url().c_str());
    PGresult* r = PQexec(c, ("SELECT " + key +
                             "COALESCE(encode(sku_bits, 'hex'), '') || '|' ||"
                             " COALESCE(encode(class_bits, 'hex'), '') || '|' ||"
                             " round(sum_conf * 1000000)::bigint FROM " +
                             table)
                                .c_str());
    ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
    for (int i = 0; i < PQntuples(r); ++i) in_postgres.insert(PQgetvalue(r, i, 0));
    PQclear(r);
    PQfinish(c);
    EXPECT_GT(in_postgres.size(), 100u) << table;
    EXPECT_TRUE(in_sqlite == in_postgres) << table;
  }
}

}  // namespace
}  // namespace vs::store
