#!/usr/bin/env bash
# bench/server/run.sh -- exposure queries against `lodestone serve` on
# loopback with wrk, while a Monte Carlo job runs in the background.
# Reports requests/s and latency percentiles (wrk --latency). Installs wrk
# from Debian if missing. Usage: bench/server/run.sh [--postgres] [SECONDS [CONNECTIONS]]
# (--postgres: the workspace in a private PostgreSQL on loopback, started and
# removed by scripts/lib/postgres.sh, instead of a SQLite file).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
ensure_build_prereqs
command -v wrk >/dev/null 2>&1 || ensure_debs wrk
BACKEND=sqlite
if [ "${1:-}" = "--postgres" ]; then
  BACKEND=postgres
  shift
fi
SECS="${1:-15}"
CONNS="${2:-32}"
cd "$ROOT"
cargo build --release --locked -p lodestone-cli >&2
BIN="$TARGET_DIR/release/lodestone"
WORK="$(mktemp -d /tmp/lodestone-serve-bench.XXXXXX)"
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
  if [ "$BACKEND" = postgres ]; then stop_test_postgres; fi
}
if [ "$BACKEND" = postgres ]; then
  source "$ROOT/scripts/lib/postgres.sh"
  # Its own port, so it does not meet a test run's server.
  LODESTONE_TEST_PG_PORT="${LODESTONE_BENCH_PG_PORT:-54339}" start_test_postgres
  DB="$LODESTONE_TEST_DATABASE_URL"
else
  DB="sqlite:$WORK/ws.db"
fi
trap cleanup EXIT
"$BIN" admin --database-url "$DB" party add bench >/dev/null
TOKEN="$("$BIN" admin --database-url "$DB" user add --party bench --name bench 2>/dev/null)"
PORT=18093
"$BIN" serve --bind "127.0.0.1:$PORT" --database-url "$DB" 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
# A Monte Carlo job (100,000 runs of the example catalogue) keeps one core busy.
python3 - "$PORT" "$TOKEN" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
sc = open("examples/scenarios/monte-carlo-critical-minerals.toml").read().replace("runs = 10000", "runs = 100000")
req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/jobs", data=json.dumps({"kind": "stress", "scenario": sc}).encode(),
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
print("job", json.load(urllib.request.urlopen(req))["id"], file=sys.stderr)
PY
sleep 1
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "backend: $BACKEND"
echo "wrk -t2 -c$CONNS -d${SECS}s GET /api/v1/exposure?commodity=nickel/mining (Bearer token; a Monte Carlo job running)"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$PORT/api/v1/exposure?commodity=nickel/mining"
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/audit" | python3 -c '
import json,sys; print("jobs created during the run:", sum(1 for e in json.load(sys.stdin)["entries"] if e["action"]=="job.create"))'
