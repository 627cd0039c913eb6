#!/bin/sh
# A private PostgreSQL 15 for one test process: initdb in a fresh temporary folder (owned by the
# `postgres` user when run as root, since PostgreSQL refuses to run as root), trust
# authentication, a free port on 127.0.0.1 and a private socket folder.
#
# Protocol (so that C++ and node tests share one implementation): prints
#   ready postgresql://postgres@127.0.0.1:PORT/postgres
# once the server accepts connections (or "error <reason>" and exits 1), then reads commands on
# stdin, one a line, answering each with one line:
#   stop   -> stops the server at once (pg_ctl -m immediate, a simulated crash); "stopped"
#   start  -> starts it again on the same port and data; "started"
# fsync is off (the OS keeps written data across a server crash, which is all a test needs);
# commits stay synchronous so that a simulated crash loses no acknowledged commit.
# At end of input — the caller closed the pipe, exited or was killed, even with SIGKILL — the
# server is stopped and the folder removed. Interrupt signals are ignored so that a Ctrl-C to
# the caller's process group still lets the teardown run. If this script itself is killed (a
# test runner's timeout kills the whole process tree with SIGKILL), a detached watchdog, outside
# that tree like the postmaster, notices within a second and does the same teardown.
set -u
trap '' INT TERM HUP PIPE
BIN=${VS_PG_BIN:-/usr/lib/postgresql/15/bin}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/vs_pg_XXXXXX") || { echo "error mktemp"; exit 1; }
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  AS="runuser -u postgres --"
else
  AS=""
fi
teardown() {
  $AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$DIR"
}
# A free port: ask the kernel for one (bind to port 0), then hand it to PostgreSQL.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start() {
  $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 30 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null 2>&1
}
if ! $AS "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$DIR/initdb.log" 2>&1; then
  echo "error initdb failed: $(tail -n 3 "$DIR/initdb.log" | tr '\n' ' ')"; rm -rf "$DIR"; exit 1
fi
if ! start; then
  echo "error server did not start: $(tail -n 3 "$DIR/log" | tr '\n' ' ')"; teardown; exit 1
fi
# The watchdog: its own session (setsid) and re-parented to init (the subshell exits at once),
# with no inherited output pipes, so a runner waiting for our output to close is not held up.
SELF=$$
( setsid sh -c "while kill -0 $SELF 2>/dev/null; do sleep 1; done
    $AS '$BIN/pg_ctl' -D '$DIR/data' -m immediate -w stop >/dev/null 2>&1; rm -rf '$DIR'" \
    </dev/null >/dev/null 2>&1 & )
echo "ready postgresql://postgres@127.0.0.1:$PORT/postgres"
while read -r cmd; do
  case "$cmd" in
    stop) $AS "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1; echo stopped ;;
    start) if start; then echo started; else echo "error start failed"; fi ;;
    *) echo "error unknown command" ;;
  esac
done
teardown
