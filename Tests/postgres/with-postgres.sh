#!/bin/sh
# A throwaway PostgreSQL server from Debian's packages, for the hub's tests and benchmark (no mocks of the database).
#   with-postgres.sh run CMD...   start a server on a free loopback port, run CMD with CHECKPOINT_TEST_PG_* set, stop it
#   with-postgres.sh kill         (inside run) stop the server at once, as a crash would (pg_ctl -m immediate)
#   with-postgres.sh start        (inside run) start it again on the same port and data
# The server runs as the `postgres` user when we are root (PostgreSQL refuses to run as root), else as us.
set -eu

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] || { echo "with-postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
    as_owner "$bindir/pg_ctl" -D "$CHECKPOINT_TEST_PG_DIR/data" -l "$CHECKPOINT_TEST_PG_DIR/server.log" -w -t 60 \
        -o "-p $CHECKPOINT_TEST_PG_PORT -k $CHECKPOINT_TEST_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

case "${1:-}" in
run)
    shift
    dir=$(mktemp -d /tmp/checkpoint-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bindir/initdb" -D "$dir/data" -U hub -A trust -E UTF8 --no-locale --no-sync >/dev/null
    export CHECKPOINT_TEST_PG_DIR="$dir" CHECKPOINT_TEST_PG_PORT="$port" CHECKPOINT_TEST_PG_USER=hub
    export CHECKPOINT_TEST_PG_SCRIPT="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
    start_server
    echo "with-postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
    status=0
    "$@" || status=$?
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit $status
    ;;
kill)
    as_owner "$bindir/pg_ctl" -D "$CHECKPOINT_TEST_PG_DIR/data" -m immediate -w stop >/dev/null
    ;;
start)
    # The server outlives us: it must not inherit our caller's descriptors (Foundation's Process waits for a pipe
    # of its own to close, which a daemon holding it would keep open for ever). python's close_fds drops them.
    python3 -c 'import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)' "$0" start-here
    ;;
start-here)
    start_server
    ;;
*)
    echo "usage: with-postgres.sh run CMD... | kill | start" >&2
    exit 2
    ;;
esac
