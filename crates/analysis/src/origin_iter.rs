//! Iterative solver for the origin systems (see [`crate::origin`]): BiCGSTAB
//! with a symmetric Gauss-Seidel preconditioner, split and applied by
//! Eisenstat's trick (one product's cost per step), over a square matrix in
//! compressed columns.
//!
//! # Why it works here
//!
//! The origin matrices are `M = (I - A)^T` with `A >= 0` and every row of `A`
//! summing to at most 1 (supply shares), and every node reaching a source
//! (untraced loops are grounded), so `M` is a nonsingular M-matrix: the
//! Gauss-Seidel splitting is regular and converges on its own, and as a
//! preconditioner it removes most of the "local" part of the spectrum.
//! BiCGSTAB then needs tens of iterations where the network's re-export
//! loops are short-lived, with no fill-in whatever the degree of hub
//! countries. Where a re-export fraction is close to 1 (material circulates
//! almost forever) the system is nearly singular and convergence is slow;
//! the caller then falls back to a direct LU (see [`crate::origin`]).
//!
//! # Stopping rule
//!
//! The iteration's recursively updated residual only *proposes* stopping:
//! the answer is accepted only when the true residual, recomputed from
//! scratch with the matrix as given (`b - M x`), satisfies
//! `||b - M x||_inf <= tol ||b||_inf` (default `1e-14`). Otherwise the
//! iteration restarts from the true residual. It gives up after `max_iter`
//! iterations (default 300), when the best residual has not improved for
//! `stagnation` iterations (default 30), after more than 3 breakdowns in a
//! row (a zero denominator, answered by a restart) or on a non-finite
//! value. Having given up, it still returns the best recomputed iterate
//! that met `accept` (default `1e-12`) if there is one; otherwise the
//! caller falls back to LU.
//!
//! The shadow residual is a fixed dense positive vector rather than the
//! first residual: the right-hand sides here are unit vectors, with which
//! the textbook choice breaks down at once (scipy's `bicgstab` does, on the
//! benchmark's hub network).
//!
//! # Determinism
//!
//! Everything is sequential, in a fixed order: the same input gives the same
//! bits on any machine with IEEE doubles, whatever the thread count.

use std::fmt;

/// A square matrix in compressed columns; rows strictly increasing within
/// each column.
#[derive(Clone, Copy, Debug)]
pub struct Csc<'a> {
    pub n: usize,
    pub col_ptr: &'a [usize],
    pub row_idx: &'a [usize],
    pub values: &'a [f64],
}

/// Settings for [`bicgstab`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IterOptions {
    /// Aim: stop when `||b - M x||_inf <= tol * ||b||_inf` (recomputed).
    pub tol: f64,
    /// Requirement: when the iteration gives up (see below) before `tol`,
    /// the best iterate whose recomputed residual met `accept * ||b||_inf`
    /// is still accepted; with none, the caller falls back. `accept >= tol`.
    pub accept: f64,
    /// Give up after this many iterations (two products with `M` each).
    pub max_iter: usize,
    /// Give up when the best residual has not improved for this many
    /// iterations.
    pub stagnation: usize,
}

impl Default for IterOptions {
    fn default() -> Self {
        IterOptions { tol: 1e-14, accept: 1e-12, max_iter: 300, stagnation: 30 }
    }
}

/// How a converged solve went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IterStats {
    pub iterations: usize,
    /// Products with `M` (including the residual checks).
    pub matvecs: usize,
    /// Final true relative residual `||b - M x||_inf / ||b||_inf`.
    pub residual: f64,
}

/// Why [`bicgstab`] gave up.
#[derive(Clone, Debug, PartialEq)]
pub enum IterFailure {
    /// The matrix has a zero (or missing) diagonal entry, or is malformed.
    Unsuitable(String),
    /// `max_iter` reached.
    NotConverged { iterations: usize, residual: f64 },
    /// No improvement of the best residual for `stagnation` iterations;
    /// `residual` is the best seen, relative: recomputed, or the bound
    /// `||(D + L) D^{-1}||_inf` x the preconditioned residual.
    Stagnated { iterations: usize, residual: f64 },
    /// A zero denominator or a non-finite value.
    Breakdown { iterations: usize, what: &'static str },
}

impl fmt::Display for IterFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IterFailure::Unsuitable(w) => write!(f, "unsuitable matrix: {w}"),
            IterFailure::NotConverged { iterations, residual } => {
                write!(f, "not converged after {iterations} iterations (residual {residual:.2e})")
            }
            IterFailure::Stagnated { iterations, residual } => {
                write!(f, "stagnated at iteration {iterations} (residual {residual:.2e})")
            }
            IterFailure::Breakdown { iterations, what } => write!(f, "breakdown at iteration {iterations}: {what}"),
        }
    }
}

/// `M = D + L + U` split for the preconditioned products: the diagonal
/// and its inverse, and the strictly lower and strictly upper parts in compressed
/// columns with 32-bit row indices (less memory traffic per sweep).
struct Split {
    n: usize,
    diag: Vec<f64>,
    inv_diag: Vec<f64>,
    lo_ptr: Vec<usize>,
    lo_idx: Vec<u32>,
    lo_val: Vec<f64>,
    up_ptr: Vec<usize>,
    up_idx: Vec<u32>,
    up_val: Vec<f64>,
}

impl Split {
    /// Solves `(D + L) z = r` by forward substitution by columns,
    /// overwriting `r` with `z`.
    fn forward_gs(&self, r: &mut [f64]) {
        for j in 0..self.n {
            let zj = r[j] * self.inv_diag[j];
            r[j] = zj;
            if zj == 0.0 {
                continue;
            }
            let (a, b) = (self.lo_ptr[j], self.lo_ptr[j + 1]);
            for (&i, &v) in self.lo_idx[a..b].iter().zip(&self.lo_val[a..b]) {
                r[i as usize] -= v * zj;
            }
        }
    }

    /// Solves `(D + U) z = r` by backward substitution by columns,
    /// overwriting `r` with `z`.
    fn backward_gs(&self, r: &mut [f64]) {
        for j in (0..self.n).rev() {
            let zj = r[j] * self.inv_diag[j];
            r[j] = zj;
            if zj == 0.0 {
                continue;
            }
            let (a, b) = (self.up_ptr[j], self.up_ptr[j + 1]);
            for (&i, &v) in self.up_idx[a..b].iter().zip(&self.up_val[a..b]) {
                r[i as usize] -= v * zj;
            }
        }
    }

    /// `||(D + L) D^{-1}||_inf`: the factor by which the true residual can
    /// exceed the preconditioned one.
    fn lower_bound_factor(&self) -> f64 {
        let mut row = vec![1.0f64; self.n];
        for j in 0..self.n {
            let (a, b) = (self.lo_ptr[j], self.lo_ptr[j + 1]);
            for (&i, &v) in self.lo_idx[a..b].iter().zip(&self.lo_val[a..b]) {
                row[i as usize] += (v * self.inv_diag[j]).abs();
            }
        }
        row.into_iter().fold(1.0, f64::max)
    }

    /// `out = B v` for the split-preconditioned operator
    /// `B = D (D + L)^{-1} M (D + U)^{-1}` at the cost of one product with
    /// `M` (Eisenstat: `M = (D + L) + (D + U) - D`, so with
    /// `w = (D + U)^{-1} v`, `B v = D (w + (D + L)^{-1} (v - D w))`).
    /// `w` is scratch.
    fn apply_b(&self, v: &[f64], w: &mut [f64], out: &mut [f64]) {
        w.copy_from_slice(v);
        self.backward_gs(w);
        for ((o, vi), (wi, d)) in out.iter_mut().zip(v).zip(w.iter().zip(&self.diag)) {
            *o = vi - d * wi;
        }
        self.forward_gs(out);
        for ((o, wi), d) in out.iter_mut().zip(w.iter()).zip(&self.diag) {
            *o = d * (*o + wi);
        }
    }
}

impl<'a> Csc<'a> {
    fn split(&self) -> Result<Split, IterFailure> {
        let n = self.n;
        if self.col_ptr.len() != n + 1
            || self.col_ptr[n] != self.row_idx.len()
            || self.row_idx.len() != self.values.len()
        {
            return Err(IterFailure::Unsuitable("inconsistent lengths".into()));
        }
        if u32::try_from(n).is_err() {
            return Err(IterFailure::Unsuitable("more than 2^32 rows".into()));
        }
        let nnz = self.values.len();
        let mut sp = Split {
            n,
            diag: Vec::with_capacity(n),
            inv_diag: Vec::with_capacity(n),
            lo_ptr: Vec::with_capacity(n + 1),
            lo_idx: Vec::with_capacity(nnz / 2),
            lo_val: Vec::with_capacity(nnz / 2),
            up_ptr: Vec::with_capacity(n + 1),
            up_idx: Vec::with_capacity(nnz / 2),
            up_val: Vec::with_capacity(nnz / 2),
        };
        sp.lo_ptr.push(0);
        sp.up_ptr.push(0);
        for j in 0..n {
            let (a, b) = (self.col_ptr[j], self.col_ptr[j + 1]);
            if a > b || b > nnz {
                return Err(IterFailure::Unsuitable(format!("column {j} pointers")));
            }
            let mut d = None;
            let mut prev = None;
            for (&i, &v) in self.row_idx[a..b].iter().zip(&self.values[a..b]) {
                if i >= n || prev.is_some_and(|p| p >= i) {
                    return Err(IterFailure::Unsuitable(format!("column {j} rows")));
                }
                prev = Some(i);
                if i < j {
                    sp.up_idx.push(i as u32);
                    sp.up_val.push(v);
                } else if i > j {
                    sp.lo_idx.push(i as u32);
                    sp.lo_val.push(v);
                } else {
                    d = Some(v);
                }
            }
            match d {
                Some(v) if v != 0.0 && v.is_finite() => {
                    sp.diag.push(v);
                    sp.inv_diag.push(1.0 / v);
                }
                _ => return Err(IterFailure::Unsuitable(format!("zero diagonal at {j}"))),
            }
            sp.lo_ptr.push(sp.lo_idx.len());
            sp.up_ptr.push(sp.up_idx.len());
        }
        Ok(sp)
    }

    /// `out = M x` (column scatter, fixed order).
    pub fn mul(&self, x: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (j, &xj) in x.iter().enumerate() {
            if xj == 0.0 {
                continue;
            }
            let (a, b) = (self.col_ptr[j], self.col_ptr[j + 1]);
            for (&i, &v) in self.row_idx[a..b].iter().zip(&self.values[a..b]) {
                out[i] += v * xj;
            }
        }
    }

    /// `||b - M x||_inf`, computed from scratch with the matrix as given;
    /// `scratch` (length n) receives `M x`.
    pub fn residual_inf(&self, b: &[f64], x: &[f64], scratch: &mut [f64]) -> f64 {
        self.mul(x, scratch);
        b.iter().zip(scratch.iter()).map(|(bi, mi)| (bi - mi).abs()).fold(0.0, f64::max)
    }
}

/// `a . b` with four partial sums in a fixed order (deterministic, and
/// not bound by the latency of one long chain of additions).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

fn norm_inf(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// The shadow residual: dense, positive and fixed (xorshift64 from a fixed
/// seed, values in [0.5, 1.5)). The usual choice, the first residual, is a
/// unit vector here (`b = e_t`), and `rhat . r` then vanishes as soon as
/// the residual moves off the target node: a breakdown.
fn shadow(n: usize) -> Vec<f64> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            0.5 + (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// Solves `M x = b` by BiCGSTAB with a split symmetric Gauss-Seidel
/// preconditioner (see `bicgstab_inner`), from `x = 0`. See the module docs for the stopping
/// rule and the reasons it gives up.
pub fn bicgstab(m: Csc<'_>, b: &[f64], opts: &IterOptions) -> Result<(Vec<f64>, IterStats), IterFailure> {
    let mut matvecs = 0usize;
    let mut kept = None;
    let out = bicgstab_inner(m, b, opts, &mut matvecs, &mut kept);
    match (out, kept) {
        (Err(IterFailure::Unsuitable(w)), _) => Err(IterFailure::Unsuitable(w)),
        (Err(_), Some((x, res, it))) => {
            let bnorm = norm_inf(b);
            Ok((x, IterStats { iterations: it, matvecs, residual: res / bnorm }))
        }
        (out, _) => out,
    }
}

/// Consecutive breakdowns (each answered by a restart) before giving up.
const MAX_BREAKDOWNS: usize = 3;

/// The iteration proper; `kept` receives the best verified iterate that
/// meets `accept` (used when this gives up).
///
/// BiCGSTAB runs on the split-preconditioned system `B u = c`,
/// `B = D (D + L)^{-1} M (D + U)^{-1}` (symmetric Gauss-Seidel, applied by
/// Eisenstat's trick at the cost of one product with `M`),
/// `c = D (D + L)^{-1} b`, `x = (D + U)^{-1} u`. Its residual is
/// `D (D + L)^{-1} (b - M x)`, so the true residual is at most
/// `||(D + L) D^{-1}||_inf` times it: stopping is proposed only when that
/// bound meets the tolerance, and then decided on the recomputed residual.
#[allow(clippy::type_complexity)]
fn bicgstab_inner(
    m: Csc<'_>,
    b: &[f64],
    opts: &IterOptions,
    matvecs: &mut usize,
    kept: &mut Option<(Vec<f64>, f64, usize)>,
) -> Result<(Vec<f64>, IterStats), IterFailure> {
    let sp = m.split()?;
    let n = m.n;
    if b.len() != n {
        return Err(IterFailure::Unsuitable("right-hand side length".into()));
    }
    let bnorm = norm_inf(b);
    if bnorm == 0.0 {
        return Ok((vec![0.0; n], IterStats { iterations: 0, matvecs: *matvecs, residual: 0.0 }));
    }
    if !bnorm.is_finite() {
        return Err(IterFailure::Breakdown { iterations: 0, what: "non-finite right-hand side" });
    }
    let target = opts.tol * bnorm;
    let acceptable = opts.accept.max(opts.tol) * bnorm;
    let propose = target / sp.lower_bound_factor();
    let rhat = shadow(n);
    // r = D (D + L)^{-1} b.
    let mut r = b.to_vec();
    sp.forward_gs(&mut r);
    for (ri, d) in r.iter_mut().zip(&sp.diag) {
        *ri *= d;
    }
    let mut u = vec![0.0; n];
    let mut x = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut v = vec![0.0; n];
    let mut t = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut scratch = vec![0.0; n];
    let (mut rho, mut alpha, mut omega) = (1.0f64, 1.0f64, 1.0f64);
    let mut best = f64::INFINITY;
    let mut best_at = 0usize;
    let mut breakdowns = 0usize;

    // Recovers x from u and recomputes its true residual: returns from the
    // function if it passes `target`, keeps x if it passes `acceptable`,
    // and otherwise restarts the recurrence from the true residual.
    // Evaluates to the true residual.
    macro_rules! verify_or_restart {
        ($it:expr) => {{
            x.copy_from_slice(&u);
            sp.backward_gs(&mut x);
            *matvecs += 1;
            let res = m.residual_inf(b, &x, &mut scratch);
            if res <= target {
                return Ok((x, IterStats { iterations: $it, matvecs: *matvecs, residual: res / bnorm }));
            }
            if res <= acceptable && kept.as_ref().is_none_or(|k| res < k.1) {
                *kept = Some((x.clone(), res, $it));
            }
            for ((ri, bi), mi) in r.iter_mut().zip(b).zip(&scratch) {
                *ri = bi - mi;
            }
            sp.forward_gs(&mut r);
            for (ri, d) in r.iter_mut().zip(&sp.diag) {
                *ri *= d;
            }
            p.fill(0.0);
            v.fill(0.0);
            (rho, alpha, omega) = (1.0, 1.0, 1.0);
            res
        }};
    }
    macro_rules! breakdown {
        ($it:expr, $what:expr) => {{
            breakdowns += 1;
            if breakdowns > MAX_BREAKDOWNS || !u.iter().all(|ui: &f64| ui.is_finite()) {
                return Err(IterFailure::Breakdown { iterations: $it, what: $what });
            }
            let res = verify_or_restart!($it);
            if res < best {
                (best, best_at) = (res, $it);
            }
            continue;
        }};
    }

    for it in 1..=opts.max_iter {
        if it - best_at > opts.stagnation {
            return Err(IterFailure::Stagnated { iterations: it - 1, residual: best / bnorm });
        }
        let rho_new = dot(&rhat, &r);
        if rho_new == 0.0 || !rho_new.is_finite() {
            breakdown!(it, "rhat.r");
        }
        let beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        for ((pi, ri), vi) in p.iter_mut().zip(&r).zip(&v) {
            *pi = ri + beta * (*pi - omega * vi);
        }
        sp.apply_b(&p, &mut w, &mut v);
        *matvecs += 1;
        let rv = dot(&rhat, &v);
        if rv == 0.0 || !rv.is_finite() {
            breakdown!(it, "rhat.v");
        }
        alpha = rho / rv;
        // s overwrites r.
        let mut sn = 0.0f64;
        for (ri, vi) in r.iter_mut().zip(&v) {
            *ri -= alpha * vi;
            sn = sn.max(ri.abs());
        }
        if sn <= propose {
            for (ui, pi) in u.iter_mut().zip(&p) {
                *ui += alpha * pi;
            }
            let res = verify_or_restart!(it);
            if res < best {
                (best, best_at) = (res, it);
            }
            continue;
        }
        sp.apply_b(&r, &mut w, &mut t);
        *matvecs += 1;
        let tt = dot(&t, &t);
        omega = dot(&t, &r) / tt;
        if tt == 0.0 || omega == 0.0 || !omega.is_finite() {
            breakdown!(it, "omega");
        }
        // r holds s: u += alpha p + omega s, r = s - omega t.
        let mut rn = 0.0f64;
        for (((ui, ri), pi), ti) in u.iter_mut().zip(r.iter_mut()).zip(&p).zip(&t) {
            *ui += alpha * pi + omega * *ri;
            *ri -= omega * ti;
            rn = rn.max(ri.abs());
        }
        if !rn.is_finite() {
            breakdown!(it, "non-finite residual");
        }
        breakdowns = 0;
        let rn = if rn <= propose { verify_or_restart!(it) } else { rn * (target / propose) };
        if rn < best {
            (best, best_at) = (rn, it);
        }
    }
    x.copy_from_slice(&u);
    sp.backward_gs(&mut x);
    *matvecs += 1;
    let res = m.residual_inf(b, &x, &mut scratch);
    if res <= target {
        return Ok((x, IterStats { iterations: opts.max_iter, matvecs: *matvecs, residual: res / bnorm }));
    }
    if res <= acceptable && kept.as_ref().is_none_or(|k| res < k.1) {
        *kept = Some((x, res, opts.max_iter));
    }
    Err(IterFailure::NotConverged { iterations: opts.max_iter, residual: res / bnorm })
}
