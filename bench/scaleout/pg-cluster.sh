#!/bin/sh
# A PostgreSQL 15 cluster for the benchmarks whose data folder is KEPT between runs (unlike the
# test harness tests/support/postgres-server.sh, which removes its folder), so that a 10M-detection
# database is seeded once and reused. Runs the server as the `postgres` user when called as root.
#
#   pg-cluster.sh start DIR [fast]  initdb DIR/data when absent, start on a free port of 127.0.0.1
#                                   (socket in DIR), print "postgresql://postgres@127.0.0.1:PORT/postgres".
#                                   "fast" turns fsync and synchronous_commit off (seeding only);
#                                   otherwise commits are durable as in a deployment.
#   pg-cluster.sh stop DIR          clean shutdown (pg_ctl -m fast), data kept.
set -eu
BIN=${VS_PG_BIN:-/usr/lib/postgresql/15/bin}
CMD=${1:?start or stop}
DIR=${2:?data folder}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ "$(id -u)" = 0 ]; then
  chown postgres "$DIR"
  AS="runuser -u postgres --"
else
  AS=""
fi
case "$CMD" in
  start)
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      rm -rf "$DIR/data"
      $AS "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$DIR/initdb.log" 2>&1 || { tail -n 3 "$DIR/initdb.log" >&2; exit 1; }
    fi
    PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    EXTRA=""
    [ "${3:-}" = fast ] && EXTRA="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 120 \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB $EXTRA" \
      start >/dev/null || { tail -n 5 "$DIR/log" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    $AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 120 stop >/dev/null 2>&1 || true
    ;;
  *) echo "pg-cluster.sh: start or stop" >&2; exit 2 ;;
esac
