#!/usr/bin/env bash
# The read routes over HTTP on a seeded store (vs_seed), one connection so that the figures are
# per-request latency rather than queueing: /api/summary unfiltered and filtered by store, shelf,
# time range (7 days, not aligned to an hour) and min_confidence (on the 0.05 grid of the
# dashboard's slider, and off it), all filters at once, /api/activity, /api/detections and
# /api/filters. Prints a Markdown table.
# Usage: bench/http/reads.sh BUILD_DIR LABEL DB   (DB: sqlite:PATH or postgresql://…; the server
# adds its admin account to it on the first start)
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/http/reads.sh BUILD_DIR LABEL DB}" && pwd)
LABEL=${2:?label}
DB=${3:?db}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$BUILD/visionstock
DURATION=${VS_BENCH_SECONDS:-10}
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/vs-bench-reads.XXXXXX)
# shellcheck source=bench/http/lib.sh
. "$HERE/lib.sh"
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server "$WORK" --db "$DB"
summary=$(api /api/summary)
total=$(sed 's/.*"total_detections":\([0-9]*\).*/\1/' <<<"$summary")
filters=$(api /api/filters)
store=$(sed 's/.*"stores":\["\([^"]*\)".*/\1/' <<<"$filters")
shelf=$(sed 's/.*"shelf_locations":\["\([^"]*\)".*/\1/' <<<"$filters")
# A 7-day window ending 1,234 s before the newest detection.
newest=$(sed 's/.*"last_detection_at":"\([^"]*\)".*/\1/' <<<"$summary")
end_s=$(( $(date -ud "$newest" +%s) - 1234 ))
end=$(date -ud "@$end_s" +%Y-%m-%dT%H:%M:%SZ)
start=$(date -ud "@$(( end_s - 7 * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)
range="start=$start&end=$end"
q() { printf '%s' "$1" | sed 's/ /%20/g'; }
row() { measure "$1" 1 -s "$HERE/get.lua" "$URL$(q "$2")"; }

row "GET /api/summary" "/api/summary"
row "… ?store=$store" "/api/summary?store=$store"
row "… ?shelf_location=$shelf" "/api/summary?shelf_location=$shelf"
row "… 7 days (unaligned)" "/api/summary?$range"
row "… ?min_confidence=0.5" "/api/summary?min_confidence=0.5"
row "… 7 days + min_confidence=0.5 (all stores)" "/api/summary?$range&min_confidence=0.5"
row "… store + shelf + 7 days + min_confidence=0.5" "/api/summary?store=$store&shelf_location=$shelf&$range&min_confidence=0.5"
row "… ?min_confidence=0.537 (off the 0.05 grid)" "/api/summary?min_confidence=0.537"
row "… ?min_confidence=0.5371 (four decimals)" "/api/summary?min_confidence=0.5371"
row "… 7 days + min_confidence=0.537 (all stores)" "/api/summary?$range&min_confidence=0.537"
row "… shelf + 7 days + min_confidence=0.537" "/api/summary?shelf_location=$shelf&$range&min_confidence=0.537"
row "GET /api/activity (hourly, 7 days, min_confidence=0.5)" "/api/activity?granularity=hour&$range&min_confidence=0.5"
row "GET /api/detections?limit=100&shelf_location=$shelf" "/api/detections?limit=100&shelf_location=$shelf"
row "GET /api/filters" "/api/filters"
stop_server

echo
echo "### $LABEL: read routes over HTTP at $total detections (loopback, wrk 1 thread, 1 connection, ${DURATION} s per row; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
echo
echo "| request | connections | p50 ms | p99 ms | requests/s | errors | server RSS MiB |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
