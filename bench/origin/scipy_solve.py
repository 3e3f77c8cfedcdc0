"""Peer for origin_bench: solves the same (I - A)^T y = e_t with
scipy.sparse.linalg.spsolve (SuperLU, default COLAMD ordering), times it,
and checks that the two solutions agree to 1e-8 (max abs difference).

Usage: scipy_solve.py DIR   (DIR holds matrix.mtx, rhs.txt, solution.txt)
"""
import sys
import time

import numpy as np
import scipy
import scipy.io
import scipy.sparse.linalg

d = sys.argv[1]
m = scipy.io.mmread(f"{d}/matrix.mtx").tocsc()  # not timed: file parsing
b = np.loadtxt(f"{d}/rhs.txt")
ours = np.loadtxt(f"{d}/solution.txt")

m.sort_indices()
t = time.perf_counter()
y = scipy.sparse.linalg.spsolve(m, b)
el = time.perf_counter() - t

diff = float(np.max(np.abs(y - ours)))
print(f"scipy {scipy.__version__} spsolve {el:.3f} s (factor + solve; CSC conversion untimed)")
print(f"scipy_total_s {el:.4f}")
print(f"max |y_scipy - y_faer| = {diff:.3e} ({'agree' if diff <= 1e-8 else 'DISAGREE'} to 1e-8)")
sys.exit(0 if diff <= 1e-8 else 1)
