#!/usr/bin/env bash
# Plan-model benchmark: the same SYNTHETIC plan (default 30 partners x 3
# commodity-stages, 88 outside suppliers per partner node, 40 quarters, 3
# scenarios: 1,020,154 variables) built and solved by Lodestone
# (crates/plan/examples/plan_bench.rs: build_model + HiGHS through
# lodestone-lp) and by linopy + HiGHS (bench/plan/linopy_plan.py, linopy's
# direct highspy API), side by side in one command:
#   bench/plan/run.sh [PARTNERS [SUPPLIERS [PERIODS]]]
# Builds are relaxed to continuous (an LP) so that both sides time one LP
# solve. Prints every phase, a side-by-side table, the build ratio and our
# non-solver share of the total, and fails (exit 1) if the two objectives
# differ by more than 1e-6 relative or if the model sizes differ.
# Environment: PLAN_BENCH_THREADS=N passes N threads to HiGHS on both sides
# (default: HiGHS's default); PLAN_BENCH_SOLVE=0 times model building only.
# Uses the Python venv target/bench-venv (as bench/origin/run.sh does);
# creates it if missing and pip-installs linopy and highspy into it if
# missing (needs network access the first time).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
partners="${1:-30}"
suppliers="${2:-88}"
periods="${3:-40}"
dir="${TMPDIR:-/tmp}/lodestone-plan-bench"
mkdir -p "$dir"
venv="$root/target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import linopy, highspy" 2>/dev/null; then
    echo "running: pip install linopy highspy (into $venv)"
    "$venv/bin/pip" install -q linopy highspy
fi
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "SYNTHETIC plan: $partners partners, $suppliers suppliers per partner node, $periods quarters (builds relaxed: an LP)"
cargo build --release -q -p lodestone-plan --example plan_bench
args=(--partners "$partners" --suppliers "$suppliers" --periods "$periods" --json "$dir/instance.json")
pyargs=()
if [ -n "${PLAN_BENCH_THREADS:-}" ]; then
    args+=(--threads "$PLAN_BENCH_THREADS")
    pyargs+=(--threads "$PLAN_BENCH_THREADS")
fi
if [ "${PLAN_BENCH_SOLVE:-1}" = 0 ]; then
    args+=(--no-solve)
    pyargs+=(--no-solve)
fi
ours="$("$root/target/release/examples/plan_bench" "${args[@]}")"
echo "$ours"
val() { echo "$1" | awk -v k="$2" '$1 == k {print $2}'; }
obj="$(val "$ours" ours_objective)"
[ "${PLAN_BENCH_SOLVE:-1}" = 0 ] || pyargs+=(--expect "$obj")
rc=0
peer="$("$venv/bin/python" "$root/bench/plan/linopy_plan.py" "$dir/instance.json" "${pyargs[@]}")" || rc=$?
echo "$peer"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in vars rows nonzeros; do
    if [ "$(val "$ours" "ours_$k")" != "$(val "$peer" "linopy_$k")" ]; then
        echo "MODEL SIZES DIFFER ($k): ours $(val "$ours" "ours_$k"), linopy $(val "$peer" "linopy_$k")"
        exit 1
    fi
done
[ "$rc" = 0 ] || { echo "linopy side failed or disagreed (exit $rc)"; exit 1; }
python3 - "$ours" "$peer" <<'PY'
import sys
def parse(text, prefix):
    d = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(prefix):
            d[parts[0][len(prefix):]] = parts[1]
    return d
o, p = parse(sys.argv[1], "ours_"), parse(sys.argv[2], "linopy_")
f = lambda d, k: float(d[k]) if k in d else None
print(f"\nmodel: {o['vars']} variables, {o['rows']} rows, {o['nonzeros']} non-zeros (same on both sides)")
rows = [
    ("build (model in memory)", f(o, "build_s"), f(p, "build_s")),
    ("to HiGHS (matrix + pass)", None, f(p, "to_highs_s")),
    ("solve (HiGHS)", f(o, "solve_s"), f(p, "solve_s")),
    ("read back", f(o, "extract_s"), f(p, "extract_s")),
    ("total", f(o, "total_s"), f(p, "total_s")),
]
fmt = lambda v: "-" if v is None else f"{v:.3f} s"
print(f"  {'':28s} {'Lodestone':>12s} {'linopy':>12s}")
for name, a, b in rows:
    print(f"  {name:28s} {fmt(a):>12s} {fmt(b):>12s}")
print("  (our pass to HiGHS is inside our solve time: the CSC arrays are handed over as they are)")
ob, pb, pt = f(o, "build_s"), f(p, "build_s"), f(p, "to_highs_s")
print(f"\nbuild ratio linopy / ours: {pb / ob:.1f}x (build only), {(pb + pt) / ob:.1f}x (build + to HiGHS); target >= 10x: {'MET' if pb / ob >= 10 else 'NOT MET'}")
if "total_s" in o:
    share = float(o["nonsolver_share"])
    print(f"our non-solver share of total: {100 * share:.2f}% (target <= 10%: {'MET' if share <= 0.10 else 'NOT MET'}); linopy's: {100 * float(p['nonsolver_share']):.1f}%")
    print(f"objectives: ours {float(o['objective']):.12e}, linopy {float(p['objective']):.12e}")
PY
