#!/usr/bin/env bash
# End-to-end HTTP benchmark of `visionstock serve` on loopback, with wrk:
#   - POST /api/detect of a real 1920x1080 and a 4000x3000 JPEG (multipart): p50/p99 latency, throughput
#   - GET /api/summary and GET /api/detections?limit=100&shelf_location=... on a store holding
#     1,000,000 detections (vs_seed): p50/p99, throughput
#   - server RSS after each phase
# Prints a Markdown table. Usage: bench/http/run.sh BUILD_DIR   (bounded: about 2 minutes after seeding)
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/http/run.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$BUILD/visionstock
DURATION=${VS_BENCH_SECONDS:-10}
CONNECTIONS=${VS_BENCH_CONNECTIONS:-4}
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 1; }

DATA=$BUILD/bench-data
mkdir -p "$DATA"
"$BUILD/bench/http/http_bench_photos" "$DATA"
if [ ! -s "$DATA/store-1m.db" ]; then
  echo "seeding $DATA/store-1m.db with 1,000,000 detections (once)..." >&2
  "$BUILD/bench/store/vs_seed" "$DATA/store-1m.db.tmp" --detections 1000000 >&2
  mv "$DATA/store-1m.db.tmp" "$DATA/store-1m.db"
fi

WORK=$(mktemp -d /tmp/vs-bench-http.XXXXXX)
# shellcheck source=bench/http/lib.sh
. "$HERE/lib.sh"
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Detection: empty store, bundled model.
mkdir -p "$WORK/detect"
start_server "$WORK/detect"
curl -sf "${AUTH[@]}" -o /dev/null -F "file=@$DATA/photo-1080p.jpg" "$URL/api/detect"  # warm-up
# One connection: latency of a lone request (compare with the model alone); two: throughput.
for size in 1080p 12mp; do
  for conns in 1 2; do
    VS_BENCH_PHOTO=$DATA/photo-$size.jpg measure "POST /api/detect ($size JPEG, $(stat -c %s "$DATA/photo-$size.jpg" | awk '{printf "%.1f MB", $1/1e6}'))" "$conns" -s "$HERE/detect.lua" "$URL"
  done
done
DETECT_HWM=$(hwm_mib)
stop_server

# Reads: a copy of the seeded store.
mkdir -p "$WORK/read"
cp "$DATA/store-1m.db" "$WORK/read/visionstock.db"
start_server "$WORK/read"
total=$(api /api/summary | sed 's/.*"total_detections":\([0-9]*\).*/\1/')
shelf=$(api /api/filters | sed 's/.*"shelf_locations":\["\([^"]*\)".*/\1/')
shelf_q=$(printf %s "$shelf" | sed 's/ /%20/g')
measure "GET /api/summary ($total detections)" "$CONNECTIONS" -s "$HERE/get.lua" "$URL/api/summary"
measure "GET /api/detections?limit=100&shelf_location=$shelf" "$CONNECTIONS" -s "$HERE/get.lua" "$URL/api/detections?limit=100&shelf_location=$shelf_q"
READ_HWM=$(hwm_mib)
stop_server

echo
echo "### HTTP end to end (loopback, wrk 1 thread, ${DURATION} s per row; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo
echo "| request | connections | p50 ms | p99 ms | requests/s | errors | server RSS MiB |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Peak server RSS: ${DETECT_HWM} MiB while detecting, ${READ_HWM} MiB while reading."
