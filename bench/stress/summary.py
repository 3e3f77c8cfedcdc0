"""Reads the `key value` lines of stress_bench and stress_numpy.py on stdin
and prints the rates, ratios and whether the targets are met. Exit status 1
if the two implementations disagree."""

import sys

v = dict(line.split(None, 1) for line in sys.stdin.read().splitlines() if " " in line)
v = {k: s.strip() for k, s in v.items()}
f = lambda k: float(v[k])
rs, ns = f("rust_single_updates_per_s"), f("numpy_single_updates_per_s")
rm, nm = f("rust_mc_updates_per_s"), f("numpy_mc_updates_per_s")
th = v["rust_mc_threads"]
print()
print("node-period updates per second")
print(f"  single run, 1 thread:    ours {rs:.3e}   numpy {ns:.3e}   ratio {rs / ns:.1f}x")
if "rust_single_best_s" in v and "numpy_single_best_s" in v:
    rb, nb = f("rust_single_best_s"), f("numpy_single_best_s")
    print(f"  single run, best of reps: ours {rb * 1e3:.2f} ms   numpy {nb * 1e3:.1f} ms   ratio {nb / rb:.1f}x "
          f"(each program's least disturbed run; the target line below uses the means)")
if "rust_mc1_updates_per_s" in v:
    r1 = f("rust_mc1_updates_per_s")
    print(f"  Monte Carlo, 1 core:     ours {r1:.3e} (1 thread)   numpy {nm:.3e} "
          f"({v['numpy_mc_runs']} runs batched, 1 process)   ratio {r1 / nm:.1f}x")
    print(f"  Monte Carlo, {th} threads: ours {rm:.3e} (same bits as 1 thread: {v.get('rust_mc_same_bits_1_and_' + th + '_threads', '?')})")
else:
    print(f"  Monte Carlo, {th} thread:  ours {rm:.3e}   numpy {nm:.3e}   ratio {rm / nm:.1f}x")
if "rust_single_updates_per_cpu_s" in v and "numpy_single_updates_per_cpu_s" in v:
    rc, nc = f("rust_single_updates_per_cpu_s"), f("numpy_single_updates_per_cpu_s")
    rmc, nmc = f("rust_mc_updates_per_cpu_s"), f("numpy_mc_updates_per_cpu_s")
    print("per CPU second (work, whatever else the machine runs)")
    print(f"  single run:   ours {rc:.3e}   numpy {nc:.3e}   ratio {rc / nc:.1f}x")
    print(f"  Monte Carlo:  ours {rmc:.3e}   numpy {nmc:.3e}   ratio {rmc / nmc:.1f}x")
agree = v["agree"] == "yes" and v.get("rust_full_same_bits_as_plain_loop", "yes") == "yes"
print(f"engine's class loops give the plain loop's bits (every series, one run): "
      f"{v.get('rust_full_same_bits_as_plain_loop', '?')}; fingerprint {v.get('rust_full_fingerprint', '?')}")
print(f"outputs agree (cumulative shortfall per node, 1e-9 relative): {v['agree']} "
      f"(largest relative difference: single run {v['single_max_rel_diff']}, Monte Carlo {v['mc_max_rel_diff']})")
print(f"target >= 20x numpy (single run, 1 thread each): {'met' if rs / ns >= 20 else 'NOT met'} ({rs / ns:.1f}x)")
best = max(rs, rm)
print(f"target >= 5e7 updates/s on 2 cores: {'met' if best >= 5e7 else 'NOT met'} "
      f"(best of single run {rs:.2e} and Monte Carlo on {th} threads {rm:.2e})")
sys.exit(0 if agree else 1)
