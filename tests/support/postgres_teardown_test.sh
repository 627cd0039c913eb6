#!/bin/sh
# The test PostgreSQL never outlives its helper script: start postgres-server.sh, SIGKILL the
# script itself (as a runner's timeout does), and expect the server stopped and its folder gone
# within a few seconds. Also checks the ordinary end of input tears it down.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d) && chmod 755 "$WORK" || exit 1  # the server runs as postgres when we are root
# On failure, nothing of ours stays running either (SIGQUIT: PostgreSQL's immediate shutdown).
trap 'kill $HOLD 2>/dev/null; pkill -QUIT -f "postgres -D $WORK/"; sleep 1; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Starts a server whose stdin is a fifo held open by a sleeper; sets PID, URL and DIR.
start() {
  rm -f "$WORK/in"; mkfifo "$WORK/in"
  sleep 300 >"$WORK/in" & HOLD=$!
  TMPDIR=$WORK sh "$HERE/postgres-server.sh" <"$WORK/in" >"$WORK/out" & PID=$!
  for _ in $(seq 1 60); do grep -q '^ready\|^error' "$WORK/out" 2>/dev/null && break; sleep 0.5; done
  grep -q '^ready' "$WORK/out" || fail "server did not start: $(cat "$WORK/out")"
  DIR=$(ls -d "$WORK"/vs_pg_* 2>/dev/null | head -n 1)
  [ -n "$DIR" ] || fail "no data folder"
  pgrep -f "postgres -D $DIR/data" >/dev/null || fail "no postmaster for $DIR"
}

# Waits up to 10 s for the server of DIR to be gone with its folder.
expect_gone() {
  for _ in $(seq 1 20); do
    if ! pgrep -f "postgres -D $DIR/data" >/dev/null && [ ! -e "$DIR" ]; then return 0; fi
    sleep 0.5
  done
  fail "$1: server or folder left behind ($DIR)"
}

start
kill -9 "$PID"
expect_gone "after SIGKILL of the helper"
kill "$HOLD" 2>/dev/null

start
kill "$HOLD" 2>/dev/null  # end of input
expect_gone "after end of input"
echo "ok"
