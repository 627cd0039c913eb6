# Shared by bench/http/run.sh and bench/http/reads.sh (sourced): a `visionstock serve` on
# loopback with an admin token, and wrk rows. Needs BIN, WORK, HERE and DURATION set.
PID=
TOKEN=$(openssl rand -hex 24)
AUTH=(-H "Authorization: Bearer $TOKEN")

start_server() {  # start_server DATA_DIR [SERVE ARGS...]: sets PID, URL and PORT
  local dir=$1 port=; shift
  VISIONSTOCK_ADMIN_TOKEN=$TOKEN "$BIN" serve --host 127.0.0.1 --port 0 --data-dir "$dir" "$@" \
    2>"$WORK/server.log" &
  PID=$!
  for _ in $(seq 3000); do  # up to 5 minutes (opening a large store)
    port=$(grep -o '"msg":"listening".*' "$WORK/server.log" | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "server did not start" >&2; exit 1; }
  PORT=$port
  URL=http://127.0.0.1:$port
}
stop_server() { kill "$PID"; wait "$PID" || true; PID=; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status"; }
hwm_mib() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$PID/status"; }
api() { curl -sf "${AUTH[@]}" "$URL$1"; }  # api PATH: the body of an authenticated GET

ROWS=()
measure() {  # measure LABEL CONNECTIONS WRK-ARGS...: appends a table row; fails on any error
  local label=$1 conns=$2; shift 2
  local out
  out=$(wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 30s "${AUTH[@]}" "$@" | grep VSRESULT)
  local p50 p99 rps errors
  p50=$(sed 's/.*p50=\([0-9.]*\).*/\1/' <<<"$out"); p99=$(sed 's/.*p99=\([0-9.]*\).*/\1/' <<<"$out")
  rps=$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$out"); errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$out")
  ROWS+=("| $label | $conns | $p50 | $p99 | $rps | $errors | $(rss_mib) |")
  if [ "$errors" != 0 ]; then
    echo "bench/http: $label: $errors answers were not 2xx" >&2
    exit 1
  fi
}
