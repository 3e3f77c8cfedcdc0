#!/usr/bin/env bash
# Multi-tier origin benchmark: faer sparse LU (ours) vs scipy spsolve on the
# same SYNTHETIC 100,000-node network. One command, both times and the ratio.
#   bench/origin/run.sh [NODES]
# Creates a Python venv under target/bench-venv if missing and installs numpy
# and scipy into it with pip (needs network access the first time).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
n="${1:-100000}"
dir="${TMPDIR:-/tmp}/lodestone-origin-bench"
venv="$root/target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv and running: pip install numpy scipy"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy scipy
fi
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//')"
cargo build --release -q -p lodestone-analysis --example origin_bench
ours="$(cargo run --release -q -p lodestone-analysis --example origin_bench -- "$n" "$dir")"
echo "$ours"
peer="$("$venv/bin/python" "$root/bench/origin/scipy_solve.py" "$dir")" || { echo "$peer"; exit 1; }
echo "$peer"
a="$(echo "$ours" | awk '/^faer_total_s/ {print $2}')"
b="$(echo "$peer" | awk '/^scipy_total_s/ {print $2}')"
python3 -c "a=$a; b=$b; print(f'faer build+factor+solve {a:.3f} s, scipy spsolve {b:.3f} s, faer/scipy = {a/b:.2f}')"
