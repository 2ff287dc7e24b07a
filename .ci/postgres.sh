# Sourced by .ci/run: start a throwaway PostgreSQL (Debian's package) on 127.0.0.1 for the storage and API
# tests, export TALLY_TEST_PG for them, and stop the server when the run ends. A TALLY_TEST_PG already set
# (a server of your own) is used as it is.
tally_pg_start() {
    if [ -n "${TALLY_TEST_PG:-}" ]; then
        return 0
    fi
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local bin port
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    TALLY_PG_DIR=$(mktemp -d /tmp/tally-pg.XXXXXX)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$TALLY_PG_DIR"
        TALLY_PG_AS=(runuser -u postgres --)     # the server refuses to run as root
    else
        TALLY_PG_AS=()
    fi
    TALLY_PG_CTL="$bin/pg_ctl"
    (cd / && "${TALLY_PG_AS[@]}" "$bin/initdb" -D "$TALLY_PG_DIR/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --locale-provider=icu --icu-locale=en-US --no-sync >/dev/null)  # sorts like most servers
    # -F: no fsync; the data is thrown away after the run.
    (cd / && "${TALLY_PG_AS[@]}" "$TALLY_PG_CTL" -D "$TALLY_PG_DIR/data" -l "$TALLY_PG_DIR/server.log" -w \
        -o "-h 127.0.0.1 -p $port -k $TALLY_PG_DIR -F" start >/dev/null)
    trap tally_pg_stop EXIT
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE tally LOGIN CREATEDB" -c "GRANT pg_signal_backend TO tally" >/dev/null  # DROP ... FORCE may end autovacuum
    export TALLY_TEST_PG="postgresql+psycopg://tally@127.0.0.1:$port/postgres"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests: $TALLY_TEST_PG"
}

tally_pg_stop() {
    (cd / && "${TALLY_PG_AS[@]}" "$TALLY_PG_CTL" -D "$TALLY_PG_DIR/data" -m fast -w stop >/dev/null 2>&1) || true
    rm -rf "$TALLY_PG_DIR"
}
