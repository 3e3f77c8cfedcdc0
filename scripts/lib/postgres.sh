# Starts a private PostgreSQL on loopback for the store's tests and exports
# LODESTONE_TEST_DATABASE_URL; stops it and deletes its data when the calling
# script exits. Installs Debian's postgresql if missing. Sourced by
# scripts/test after common.sh.

start_test_postgres() {
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    ensure_debs postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  PG_DIR="$(mktemp -d /tmp/lodestone-pg.XXXXXX)"
  PG_PORT="${LODESTONE_TEST_PG_PORT:-54329}"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: use the postgres account the
    # Debian package creates.
    id postgres >/dev/null 2>&1 || ensure_debs postgresql
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U lodestone -A trust --no-sync >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m immediate stop)
  trap 'stop_test_postgres' EXIT
  export LODESTONE_TEST_DATABASE_URL="postgres://lodestone@127.0.0.1:$PG_PORT/postgres"
  say "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_DIR, removed at exit)"
}

stop_test_postgres() {
  "${PG_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
