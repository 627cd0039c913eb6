#!/usr/bin/env bash
# Runs every benchmark against a Release build and writes the raw outputs to BUILD_DIR/bench-results/.
# Usage: bench/run.sh BUILD_DIR      (called by `make bench`; about 20 minutes on 2 cores once the
# stores are seeded. The first run also seeds, once, into BUILD_DIR/bench-data: a 1,000,000-detection
# SQLite store, and 10,000,000 detections in SQLite (~15 min) and in a kept PostgreSQL cluster
# (pg-10m/, about an hour on a busy 2-core machine). BENCH_10M=0 skips the 10M cases;
# BENCH_10M_DETECTIONS=N seeds N instead (a quick check of this script; remove bench-data after).)
# Figures are wall-clock on a shared machine: read medians, and compare within one run.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$BUILD/bench-results
mkdir -p "$OUT" "$BUILD/bench-data"

section() { printf '\n== %s ==\n' "$*" | tee -a "$OUT/summary.txt"; }
: > "$OUT/summary.txt"

section "machine"
{ echo "date: $(date -u +%FT%TZ)"; echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)";
  echo "cores: $(nproc)"; echo "memory: $(free -h | awk '/Mem:/ {print $2}')"; echo "load: $(cut -d' ' -f1-3 /proc/loadavg)";
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)"; } | tee -a "$OUT/summary.txt"

section "vision: model alone, decode + preprocess, full detection (medians of 5)"
"$BUILD/bench/vision/vision_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$OUT/vision.json" --benchmark_out_format=json | tee -a "$OUT/summary.txt"

section "vision: sliced inference against one pass on a 4000x3000 photo (medians of 5)"
"$BUILD/bench/vision/slicing_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$OUT/slicing.json" --benchmark_out_format=json | tee -a "$OUT/summary.txt"

section "models: evaluation throughput; latency of requests while the active model switches"
"$BUILD/bench/models/models_bench" | tee -a "$OUT/summary.txt"

if [ ! -s "$BUILD/bench-data/store-1m.db" ]; then
  section "seeding a store with 1,000,000 detections (once)"
  rm -f "$BUILD/bench-data/store-1m.db.tmp"*
  "$BUILD/bench/store/vs_seed" "$BUILD/bench-data/store-1m.db.tmp" --detections 1000000
  for ext in "" -wal -shm; do
    [ -e "$BUILD/bench-data/store-1m.db.tmp$ext" ] && mv "$BUILD/bench-data/store-1m.db.tmp$ext" "$BUILD/bench-data/store-1m.db$ext"
  done
fi

section "store: Summarize and ListDetections at 1,000,000 detections (in process)"
"$BUILD/bench/store/store_bench" "$BUILD/bench-data/store-1m.db" | tee -a "$OUT/summary.txt"

seed_sqlite() {  # seed_sqlite NAME DETECTIONS: BUILD/bench-data/NAME, once
  local db="$BUILD/bench-data/$1"
  [ -s "$db" ] && return 0
  section "seeding $1 with $2 detections (once)"
  rm -f "$db.tmp"*
  "$BUILD/bench/store/vs_seed" --db "$db.tmp" --detections "$2"
  for ext in "" -wal -shm; do
    [ -e "$db.tmp$ext" ] && mv "$db.tmp$ext" "$db$ext"
  done
  return 0
}
PG="$ROOT/bench/scaleout/pg-cluster.sh"
if [ "${BENCH_10M:-1}" != 0 ]; then
  N10M=${BENCH_10M_DETECTIONS:-10000000}
  seed_sqlite store-10m.db "$N10M"
  section "store: Summarize and ListDetections at 10,000,000 detections, SQLite (in process)"
  "$BUILD/bench/store/store_bench" "$BUILD/bench-data/store-10m.db" --calls 100 | tee -a "$OUT/summary.txt"
  section "http: read routes at 10,000,000 detections, SQLite"
  "$ROOT/bench/http/reads.sh" "$BUILD" SQLite "sqlite:$BUILD/bench-data/store-10m.db" | tee -a "$OUT/summary.txt"

  # PostgreSQL: the cluster's data folder is kept in bench-data/pg-10m (seeded once, fsync off while
  # seeding); the benchmark itself runs the server with durable defaults.
  if [ ! -f "$BUILD/bench-data/pg-10m/seeded" ]; then
    section "seeding PostgreSQL (bench-data/pg-10m) with 10,000,000 detections (once)"
    "$PG" stop "$BUILD/bench-data/pg-10m.tmp"; rm -rf "$BUILD/bench-data/pg-10m.tmp"
    url=$("$PG" start "$BUILD/bench-data/pg-10m.tmp" fast)
    trap '"$PG" stop "$BUILD/bench-data/pg-10m.tmp"' EXIT
    /usr/lib/postgresql/15/bin/psql "$url" -qAtc "CREATE DATABASE bench"
    "$BUILD/bench/store/vs_seed" --db "${url%/postgres}/bench" --detections "$N10M"
    /usr/lib/postgresql/15/bin/psql "${url%/postgres}/bench" -qAtc "VACUUM ANALYZE"
    "$PG" stop "$BUILD/bench-data/pg-10m.tmp"; trap - EXIT
    touch "$BUILD/bench-data/pg-10m.tmp/seeded"
    rm -rf "$BUILD/bench-data/pg-10m"; mv "$BUILD/bench-data/pg-10m.tmp" "$BUILD/bench-data/pg-10m"
  fi
  section "store: Summarize and ListDetections at 10,000,000 detections, PostgreSQL 15 (local, durable)"
  url=$("$PG" start "$BUILD/bench-data/pg-10m")
  trap '"$PG" stop "$BUILD/bench-data/pg-10m"' EXIT
  "$BUILD/bench/store/store_bench" "${url%/postgres}/bench" --calls 100 | tee -a "$OUT/summary.txt"
  section "http: read routes at 10,000,000 detections, PostgreSQL 15"
  "$ROOT/bench/http/reads.sh" "$BUILD" "PostgreSQL 15" "${url%/postgres}/bench" | tee -a "$OUT/summary.txt"
  "$PG" stop "$BUILD/bench-data/pg-10m"; trap - EXIT
fi

section "legacy: import-legacy of 1,000,000 earlier detections (100,000 scans) into SQLite, then a re-run"
if [ -x "$BUILD/bench/legacy/legacy_bench" ]; then
  "$BUILD/bench/legacy/legacy_bench" --rows 1000000 | tee -a "$OUT/summary.txt"
fi

section "compliance: engine per scan; history and latest state over a year of hourly results, 100 shelves"
"$BUILD/bench/compliance/compliance_bench" | tee -a "$OUT/summary.txt"

section "live: commit-to-client latency and server memory"
"$BUILD/bench/live/live_bench" | tee -a "$OUT/summary.txt"

section "scale-out: ingest with one and two instances on PostgreSQL (SQLite beside), latency across instances"
VISIONSTOCK_BIN="$BUILD/visionstock" node "$ROOT/bench/scaleout/scaleout.mjs" "$OUT/scaleout.json" | tee -a "$OUT/summary.txt"

section "store: NOTIFY and event-order lock cost per commit on PostgreSQL"
if [ -x "$BUILD/bench/store/pg_notify_bench" ]; then
  "$BUILD/bench/store/pg_notify_bench" | tee -a "$OUT/summary.txt"
fi

section "http: end to end over loopback (wrk)"
"$ROOT/bench/http/run.sh" "$BUILD" | tee -a "$OUT/summary.txt"

section "dashboard: first-load transfer size"
( cd "$BUILD/web" && for f in index.html assets/*; do
    printf '%-40s %8d bytes  %8d gzip\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"; done ) | tee -a "$OUT/summary.txt"

echo; echo "raw results: $OUT"
