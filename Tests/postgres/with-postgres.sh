#!/bin/sh
# Throwaway PostgreSQL servers from Debian's packages, for the hub's tests and benchmark (no mocks of the database).
#   with-postgres.sh run CMD...   start a server on a free loopback port, run CMD with CHECKPOINT_TEST_PG_* set, stop it
#   with-postgres.sh new DIR      a server of its own in DIR (for a test that kills its database); prints its port
#   with-postgres.sh kill DIR     stop the server in DIR at once, as a crash would (pg_ctl -m immediate)
#   with-postgres.sh start DIR    start it again on the same port and data
#   with-postgres.sh remove DIR   stop it and delete DIR
# The servers run as the `postgres` user when we are root (PostgreSQL refuses to run as root), else as us.
set -eu

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] || { echo "with-postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_server DIR: on the port written in DIR/port.
start_server() {
    as_owner "$bindir/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 \
        -o "-p $(cat "$1/port") -k $1 -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

# create_server DIR: a new cluster in DIR, started on a free port. The port is free when picked and PostgreSQL
# binds it a moment later; if something took it meanwhile the start fails, and another port is tried.
create_server() {
    mkdir -p "$1"
    chmod 755 "$1"
    [ "$(id -u)" = 0 ] && chown postgres "$1"
    as_owner "$bindir/initdb" -D "$1/data" -U hub -A trust -E UTF8 --no-locale --no-sync >/dev/null
    for attempt in 1 2 3; do
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$1/port"
        if start_server "$1"; then return 0; fi
        echo "with-postgres.sh: could not start on port $(cat "$1/port") (attempt $attempt)" >&2
    done
    return 1
}

case "${1:-}" in
run)
    shift
    dir=$(mktemp -d /tmp/checkpoint-pg.XXXXXX)
    create_server "$dir"
    export CHECKPOINT_TEST_PG_DIR="$dir" CHECKPOINT_TEST_PG_PORT="$(cat "$dir/port")" CHECKPOINT_TEST_PG_USER=hub
    export CHECKPOINT_TEST_PG_SCRIPT="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
    echo "with-postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$CHECKPOINT_TEST_PG_PORT ($dir)" >&2
    status=0
    "$@" || status=$?
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit $status
    ;;
new)
    # The server outlives us: it must not inherit our caller's descriptors (Foundation's Process waits for a pipe
    # of its own to close, which a daemon holding it would keep open for ever). python's close_fds drops them.
    python3 -c 'import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)' "$0" new-here "$2"
    cat "$2/port"
    ;;
new-here)
    create_server "$2"
    ;;
kill)
    as_owner "$bindir/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null
    ;;
start)
    python3 -c 'import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)' "$0" start-here "$2"
    ;;
start-here)
    start_server "$2"
    ;;
remove)
    as_owner "$bindir/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$2"
    ;;
*)
    echo "usage: with-postgres.sh run CMD... | new DIR | kill DIR | start DIR | remove DIR" >&2
    exit 2
    ;;
esac
