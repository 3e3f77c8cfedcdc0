#!/usr/bin/env bash
# Multi-tier origin benchmark on the same SYNTHETIC network (default 100,000
# nodes), side by side in one command:
#   ours: iterative (preconditioned BiCGSTAB, LU fallback; the default path)
#         and faer sparse LU (COLAMD), both timed build + solve;
#   scipy: spsolve (SuperLU, COLAMD), bicgstab and gmres (rtol 1e-12).
# Each is run ORIGIN_BENCH_REPS times (default 5; our LU at most 3), min and
# median reported. Prints every time, the residuals, the agreement checks
# and the ratios.
#   bench/origin/run.sh [NODES]
# Environment: ORIGIN_BENCH_HUBS=64 adds 64 hub countries (see
# crates/analysis/examples/origin_bench.rs); ORIGIN_BENCH_CAP (seconds,
# default 120) caps our LU part and each scipy solver, which are reported
# as "timed out" past it; ORIGIN_BENCH_LU=0 skips our LU;
# ORIGIN_BENCH_NO_BUILD=1 uses the example binary already built.
# Creates a Python venv under target/bench-venv if missing and installs numpy
# and scipy into it with pip (needs network access the first time).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
n="${1:-100000}"
cap="${ORIGIN_BENCH_CAP:-120}"
dir="${TMPDIR:-/tmp}/lodestone-origin-bench"
venv="$root/target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv and running: pip install numpy scipy"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy scipy
fi
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "nodes $n, hubs ${ORIGIN_BENCH_HUBS:-0}, cap ${cap} s, repetitions ${ORIGIN_BENCH_REPS:-5}"
if [ "${ORIGIN_BENCH_NO_BUILD:-0}" != 1 ]; then
    cargo build --release -q -p lodestone-analysis --example origin_bench
fi
bin="$root/target/release/examples/origin_bench"
rm -f "$dir/solution.txt"
rc=0
start=$(date +%s)
ours="$(timeout "$cap" "$bin" "$n" "$dir" 2>&1)" || rc=$?
echo "$ours"
if [ "$rc" = 124 ]; then
    echo "ours: TIMED OUT after ${cap} s (the LU part; the iterative lines above completed)"
elif [ "$rc" != 0 ]; then
    # The iterative part runs (and writes the files) first; a failure
    # after it (faer's LU running out of memory on fill-in) is a result.
    echo "ours: origin_bench FAILED (exit $rc) after $(( $(date +%s) - start )) s; see the last line above"
    echo "$ours" | grep -q '^ours_iter_total_s' || exit 1
fi
[ -f "$dir/solution.txt" ] || { echo "no solution written"; exit 1; }
peers=""
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
for m in spsolve bicgstab gmres; do
    rc=0
    out="$(timeout "$cap" "$venv/bin/python" "$root/bench/origin/scipy_solve.py" "$dir" "$m")" || rc=$?
    if [ "$rc" = 124 ]; then
        echo "scipy $m: TIMED OUT after ${cap} s (solve not finished; file parsing counts towards the cap)"
    else
        echo "$out"
        [ "$rc" = 0 ] || { echo "scipy $m failed or disagreed ($rc)"; exit 1; }
    fi
    peers="$peers$out"$'\n'
done
val() { echo "$1" | awk -v k="$2" '$1 == k {print $2 "," $3}'; }
echo "summary (min / median seconds; ours: build + solve, and solve only on the built matrix like scipy's):"
python3 - "$(val "$ours" ours_iter_total_s)" "$(val "$ours" ours_lu_total_s)" \
    "$(val "$ours" ours_iter_solve_s)" "$(val "$ours" ours_lu_solve_s)" \
    "$(val "$peers" scipy_spsolve_s)" "$(val "$peers" scipy_bicgstab_s)" "$(val "$peers" scipy_gmres_s)" <<'PY'
import sys
names = ["ours iterative, build+solve", "ours LU, build+factor+solve", "ours iterative, solve only",
         "ours LU, factor+solve only", "scipy spsolve", "scipy bicgstab", "scipy gmres"]
vals = [tuple(map(float, v.split(","))) if v else None for v in sys.argv[1:]]
for k, v in zip(names, vals):
    print(f"  {k:30s} {'%.3f / %.3f s' % v if v else 'n/a (timed out, failed or skipped)'}")
for i in range(4):
    for j in (4, 5, 6):
        if vals[i] and vals[j]:
            print(f"  ratio {names[i]:30s} / {names[j]:14s} = {vals[i][0] / vals[j][0]:.2f} (min)  {vals[i][1] / vals[j][1]:.2f} (median)")
PY
