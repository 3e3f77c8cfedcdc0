#!/usr/bin/env bash
# Stress-engine benchmark: our engine (crates/sim/src/engine.rs) vs a
# vectorised numpy implementation of the same model
# (bench/stress/stress_numpy.py), on the same SYNTHETIC input: 5,000 nodes
# (50 commodity-stages in a recipe chain x 100 countries), 7,359 edges,
# 120 monthly periods, a heavy scenario (bans, outages, demand shocks, a
# route closure) and a 5-event Monte Carlo catalogue. One command: builds,
# exports the input, runs both, checks that they agree (cumulative shortfall
# per node, 1e-9 relative) and prints node-period updates per second and
# the ratios.
#   bench/stress/run.sh [MC_RUNS] [NUMPY_MC_RUNS]
# MC_RUNS (default 512) Monte Carlo runs for our engine, on RAYON_NUM_THREADS
# threads (default: all cores) and on 1 thread; NUMPY_MC_RUNS (default 64,
# at most 64) runs for numpy, batched as one (runs x nodes) array.
# Creates a venv under target/stress-bench-venv with numpy if missing
# (scripts/lib/python-venv.sh; needs network access the first time).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
runs="${1:-512}"
np_runs="${2:-64}"
dir="${TMPDIR:-/tmp}/lodestone-stress-bench"

# shellcheck source=../../scripts/lib/python-venv.sh
source "$root/scripts/lib/python-venv.sh"
PY_VENV="${LODESTONE_STRESS_VENV:-$root/target/stress-bench-venv}"
PY_VENV_PACKAGES=(numpy==2.4.6)
ensure_python_venv

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release -q -p lodestone-sim --example stress_bench
ours="$("$root/target/release/examples/stress_bench" "$dir" 20 "$runs" 64)"
echo "$ours"
peer="$("$PY_VENV/bin/python" "$root/bench/stress/stress_numpy.py" "$dir" 3 "$np_runs")" || { echo "$peer"; exit 1; }
echo "$peer"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n%s\n' "$ours" "$peer" | "$PY_VENV/bin/python" "$root/bench/stress/summary.py"
