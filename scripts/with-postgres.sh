#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARG...]
#
# Runs CMD beside a throw-away PostgreSQL cluster: a fresh data directory in a
# temp dir, listening only on 127.0.0.1 on a free port, trust authentication
# on loopback, with an empty database `referwell_test`. CMD sees
#   REFERWELL_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/referwell_test
# The cluster is stopped and its directory removed however CMD ends, and the
# script exits with CMD's status. As root, initdb and the server run as the
# `postgres` user; otherwise as the calling user.
# Tuned for tests, not for data you want to keep (fsync off).
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARG...]" >&2
    exit 2
fi

bindir=""
for dir in $(compgen -G '/usr/lib/postgresql/*/bin' | sort -V); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && bindir=$dir
done
if [ -z "$bindir" ]; then
    echo "with-postgres: no PostgreSQL server under /usr/lib/postgresql/*/bin;" \
        "run scripts/system-deps.sh (make system-deps) first" >&2
    exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
    as_pg() { runuser -u postgres -- "$@"; }
    parent=/tmp # reachable by the postgres user, unlike a root-owned TMPDIR
else
    as_pg() { "$@"; }
    parent=${TMPDIR:-/tmp}
fi

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

workdir=$(mktemp -d "$parent/referwell-pg.XXXXXX")
data=$workdir/data
log=$workdir/server.log
started=0

child=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    if [ "$started" -eq 1 ]; then
        as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$workdir"
fi
chmod 700 "$workdir"

as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
    --no-sync >"$workdir/initdb.log" 2>&1 || {
    cat "$workdir/initdb.log" >&2
    exit 2
}

cat >>"$data/postgresql.conf" <<CONF
# scripts/with-postgres.sh: a throw-away cluster for tests
listen_addresses = '127.0.0.1'
unix_socket_directories = '$workdir'
max_connections = 100
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_statement = none
CONF

# The port is free when we look, but another process may take it before the
# server binds it: try a few.
port=""
for _ in 1 2 3 4 5; do
    candidate=$(free_port)
    if as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $candidate" -w -t 60 start >/dev/null; then
        port=$candidate
        started=1
        break
    fi
done
if [ -z "$port" ]; then
    echo "with-postgres: the server did not start; its log:" >&2
    cat "$log" >&2 || true
    exit 2
fi

"$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c 'CREATE DATABASE referwell_test' >/dev/null

export REFERWELL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/referwell_test"

# CMD runs in the background so that a signal to this script is handled at
# once (the trap stops CMD, then the cluster); <&0 keeps CMD's standard input.
set +e
"$@" <&0 &
child=$!
wait "$child"
status=$?
child=""
set -e
exit "$status"
