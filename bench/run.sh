#!/usr/bin/env bash
# Runs every benchmark against a Release build and writes the raw outputs to BUILD_DIR/bench-results/.
# Usage: bench/run.sh BUILD_DIR      (called by `make bench`; about 10 minutes on 2 cores, the first
# run also seeds a 1,000,000-detection store once)
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

section "legacy: import-legacy of 1,000,000 earlier detections (100,000 scans) into SQLite, then a re-run"
if [ -x "$BUILD/bench/legacy/legacy_bench" ]; then
  "$BUILD/bench/legacy/legacy_bench" --rows 1000000 | tee -a "$OUT/summary.txt"
fi

section "compliance: engine per scan; history and latest state over a year of hourly results, 100 shelves"
"$BUILD/bench/compliance/compliance_bench" | tee -a "$OUT/summary.txt"

section "live: commit-to-client latency and server memory"
"$BUILD/bench/live/live_bench" | tee -a "$OUT/summary.txt"

section "http: end to end over loopback (wrk)"
"$ROOT/bench/http/run.sh" "$BUILD" | tee -a "$OUT/summary.txt"

section "dashboard: first-load transfer size"
( cd "$BUILD/web" && for f in index.html assets/*; do
    printf '%-40s %8d bytes  %8d gzip\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"; done ) | tee -a "$OUT/summary.txt"

echo; echo "raw results: $OUT"
