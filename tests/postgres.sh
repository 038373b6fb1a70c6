#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite (no network, no system configuration touched).
#
#   tests/postgres.sh        start it (or reuse the one already running) and print its SQLAlchemy URL
#   tests/postgres.sh stop   stop it and delete its files
#
# When PostgreSQL is not installed or the server cannot start, nothing is printed and the exit code
# is 0: the Postgres tests then skip. As root the cluster is run by the unprivileged user "nobody"
# (PostgreSQL refuses to run as root). Details of a failed start are in $PGDIR.log.
# Settings: CADDIE_PG_DIR (default /tmp/caddie-pg-<uid>), CADDIE_PG_PORT (first port tried, 54329).
set -u

PGDIR=${CADDIE_PG_DIR:-${TMPDIR:-/tmp}/caddie-pg-$(id -u)}
LOG=$PGDIR.log
DB=caddie_test
SUPERUSER=caddie

bindir() {
    local initdb
    initdb=$(command -v initdb 2>/dev/null) || initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    [ -n "$initdb" ] && [ -x "$initdb" ] || return 1
    dirname "$(readlink -f "$initdb")"
}

as_owner() {  # runs a command as the cluster's owner
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
    local bin
    if bin=$(bindir) && [ -f "$PGDIR/data/PG_VERSION" ]; then
        as_owner "$bin/pg_ctl" -D "$PGDIR/data" -m fast -w stop >>"$LOG" 2>&1
    fi
    rm -rf "$PGDIR" "$LOG"
    return 0
}

start() {
    local bin port
    bin=$(bindir) || return 0
    for tool in initdb pg_ctl createdb; do [ -x "$bin/$tool" ] || return 0; done
    if [ -f "$PGDIR/port" ] && as_owner "$bin/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        echo "postgresql+psycopg://$SUPERUSER@127.0.0.1:$(cat "$PGDIR/port")/$DB"  # already running
        return 0
    fi
    stop
    mkdir -p "$PGDIR" 2>/dev/null || return 0
    [ "$(id -u)" -eq 0 ] && { chown nobody "$PGDIR" || return 0; }
    port=${CADDIE_PG_PORT:-54329}
    while port_busy "$port"; do
        port=$((port + 1))
        [ "$port" -gt $((${CADDIE_PG_PORT:-54329} + 20)) ] && return 0
    done
    {
        as_owner "$bin/initdb" -D "$PGDIR/data" -U "$SUPERUSER" -A trust -E UTF8 --no-locale --no-sync &&
        as_owner "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PGDIR -c fsync=off" &&
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$SUPERUSER" "$DB"
    } >>"$LOG" 2>&1 || { stop_keep_log; return 0; }
    echo "$port" >"$PGDIR/port"
    echo "postgresql+psycopg://$SUPERUSER@127.0.0.1:$port/$DB"
}

stop_keep_log() {  # a failed start: clean up but leave the log for diagnosis
    local bin
    if bin=$(bindir) && [ -f "$PGDIR/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >>"$LOG" 2>&1
    fi
    rm -rf "$PGDIR"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
exit 0
