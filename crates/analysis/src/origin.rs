//! Multi-tier origin: where a country's supply of a commodity-stage was
//! originally produced, at the same or an upstream stage, following trade
//! (including re-exports) and recipes back to the producing countries.
//!
//! # Model
//!
//! Take a target country `c`, commodity-stage `k`, upstream stage `u` and a
//! year. The recipes give a path `u = s_0 -> s_1 -> ... -> s_L = k` (each
//! `s_l` a recipe input of `s_{l+1}`; the shortest path, ties broken by key
//! order; `L = 0` when `u == k`). The **nodes** are the pairs (country `i`,
//! stage `s`) on that path that produce or trade `s` in the year.
//!
//! - **Supply** of node `(i,s)`: `S_is = P_is + sum_j M_(j->i,s)`, where `P`
//!   is production (named-country production rows, summed over producers)
//!   and `M_(j->i,s)` the trade flow from `j` to `i` of `s` (trade rows).
//!   Unattributed production (country `ZZ`) is not a node; its share of world
//!   output at each stage is reported as a caveat.
//! - **Proportional (re-export) assumption**: everything that leaves node
//!   `(i,s)`, exported or used, has the origin mix of its supply.
//! - **Origin vector** `o_is` (a distribution over countries) satisfies
//!   `o_is = [P_is m_is + sum_j M_(j->i,s) o_js] / S_is`, where the mix of
//!   `i`'s own production is `m_is = e_i` (originates in `i`) when `s == u`,
//!   and `m_is = o_(i,prev s)` otherwise (made from `i`'s supply of the
//!   input stage). Recipe quantities (input per unit output) scale quantities
//!   but not mixes, so they do not enter.
//!
//! Stacking the nodes, the origin matrix `X` (node x country) solves
//! `X = A X + B`: row `v = (i,s)` of `A` holds `M_(j->i,s)/S_v` at column
//! `(j,s)` and, for `s != u`, `P_v/S_v` at column `(i,prev s)`; row `v` of
//! `B` is `beta_v e_i` with `beta_v = P_v/S_v` at `s == u` and `0` above.
//! So `X = (I - A)^{-1} B`, and the target row is
//! `e_t^T (I - A)^{-1} B = y^T B` where **`(I - A)^T y = e_t`**: one sparse
//! solve with the transposed matrix, whatever the number of countries (see
//! "Solving" below).
//! Because `B` has one non-zero per row, the origin share of country `j` is
//! `sum_v y_v beta_v` over the source nodes `v` of `j`, i.e.
//! `y_(j,u) P_ju / S_ju` (plus the assumption nodes below).
//! `y_v` is the throughput of node `v`: the amount of `v`'s supply embodied
//! in one unit of the target's supply, counted once per pass (it can exceed
//! 1 in loops). `(I - A) 1 = beta` (rows of `A` sum to `1 - beta`), so
//! `sum_v y_v beta_v = y^T (I - A) 1 = e_t^T 1 = 1`: the shares sum to 1.
//!
//! # Assumptions (each reported with the fraction of the answer it affects)
//!
//! - **Zero-supply exporter**: a node that exports but has no recorded
//!   supply (`S = 0`, typically a producer hidden in unattributed output):
//!   its exports are taken to originate in itself (`o = e_i`, `beta = 1`).
//! - **Assumed-domestic input**: a producer at `s != u` with no recorded
//!   supply of the input stage: its input is taken as domestic
//!   (`m_is = e_i`).
//! - **Untraced loop**: nodes whose supply leads back to no production at
//!   all (countries trading only among themselves, with no recorded source)
//!   would make `I - A` singular; each is treated as its own origin, like a
//!   zero-supply exporter.
//!
//! The fraction affected is `sum y_v beta_v` over the nodes concerned.
//!
//! # Re-exported share
//!
//! The part of the answer that passed through at least one re-export: some
//! country imported it and exported it again at the same stage, untransformed
//! (a country importing ore and exporting refined metal made from it is not
//! re-exporting). Traced backwards, that is a walk taking two trade steps in
//! a row. Let `f_v` be the fraction of `v`'s supply never re-exported and
//! `g_v` the fraction of `v`'s exports never re-exported (only its own
//! production part may be, recursively, clean):
//! `f = beta + A_prod f + A_trade g`, `g = beta + A_prod f`, with `A` split
//! into its recipe (`A_prod`) and trade (`A_trade`) parts. That `2n` system
//! is a second sparse solve (again transposed, for the target entry only);
//! the re-exported share is `1 - f_t`.
//!
//! # Also reported
//!
//! The total supply and the **direct** (one-step) partner mix: the target's
//! own production and its imports by partner, shares of its supply, so the
//! difference from the multi-tier origin is visible.
//!
//! # Solving
//!
//! Rows of `A` sum to `1 - beta <= 1` and every node reaches a source, so
//! `(I - A)^T` is a nonsingular M-matrix. Systems of fewer than
//! [`ITERATIVE_FROM`] unknowns (every real dataset's) are solved with
//! faer's sparse LU. Larger ones ([`Method::Auto`]) go to an iterative
//! solver ([`bicgstab`]: BiCGSTAB with a symmetric Gauss-Seidel
//! preconditioner applied by Eisenstat's trick; no fill-in, so hub
//! countries cost nothing extra),
//! accepted only when the residual recomputed from scratch satisfies
//! `||e_t - (I - A)^T y||_inf <= 1e-14` (or, if it then stalls, `1e-12`);
//! when it does not converge within 300 iterations, stagnates for 30, or
//! breaks down, the LU answer is used instead ([`SolvedBy::Fallback`]).
//! Both are sequential: the same input gives the same bits on any machine.

use crate::error::AnalysisError;
pub use crate::origin_iter::{bicgstab, Csc, IterFailure, IterOptions, IterStats};
use faer::linalg::solvers::SolveCore;
use faer::sparse::linalg::solvers::Lu;
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, Mat};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

// ---------------------------------------------------------------------------
// Network: the solver's input, independent of the dataset.

/// A node of an origin [`Network`]: one country's supply of one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct NetNode {
    /// Index of the country, `< Network::countries`.
    pub country: usize,
    /// Position on the recipe path: 0 is the upstream stage `u`.
    pub stage: usize,
    /// Production at this node, in any unit shared by the node's stage.
    pub production: f64,
    /// For `stage > 0`: the node holding the same country's supply of the
    /// input stage (`stage - 1`); `None` if it has none (input assumed
    /// domestic). Must be `None` at stage 0.
    pub input: Option<usize>,
}

/// A trade flow between two nodes of the same stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub from: usize,
    pub to: usize,
    pub quantity: f64,
}

/// An explicit origin network: nodes (with production and stage links) and
/// flows. [`origin`] builds one from a dataset; tests and benchmarks build
/// them directly.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Network {
    /// Number of origin countries; node countries index `0..countries`.
    pub countries: usize,
    pub nodes: Vec<NetNode>,
    pub flows: Vec<Flow>,
}

/// What [`Network`] checks reject.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkError {
    /// A node's country, a flow's endpoint, an input or the target is out of range.
    Index { what: String },
    /// A quantity is negative or not finite.
    Quantity { what: String },
    /// A flow joins nodes of different stages, or an input is not the same
    /// country one stage up.
    Link { what: String },
    /// The sparse factorization failed.
    Solve { what: String },
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkError::Index { what } => write!(f, "index out of range: {what}"),
            NetworkError::Quantity { what } => write!(f, "bad quantity: {what}"),
            NetworkError::Link { what } => write!(f, "bad link: {what}"),
            NetworkError::Solve { what } => write!(f, "sparse solve failed: {what}"),
        }
    }
}

impl std::error::Error for NetworkError {}

/// How a node's own production is traced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// Upstream stage: production originates here (`beta = P/S`).
    Origin,
    /// Later stage, production made from the node's input supply (`beta = 0`).
    Made,
    /// Later stage with no recorded input supply: input assumed domestic.
    AssumedDomestic,
    /// Exports with no recorded supply: own origin (`beta = 1`).
    ZeroSupply,
    /// Supply traces back to no production: own origin (`beta = 1`).
    UntracedLoop,
}

/// The transposed system `(I - A)^T y = e_t` in compressed column form, with
/// what is needed to read shares from `y`.
#[derive(Clone, Debug)]
pub struct System {
    pub n: usize,
    /// Compressed columns of `(I - A)^T`: column `v` is row `v` of `I - A`.
    pub col_ptr: Vec<usize>,
    pub row_idx: Vec<usize>,
    pub values: Vec<f64>,
    /// `beta_v`: the part of node `v`'s supply that originates at `v`.
    pub beta: Vec<f64>,
    pub supply: Vec<f64>,
    pub kind: Vec<NodeKind>,
    /// In-edges per node (CSR by importer): `in_ptr[v]..in_ptr[v+1]` index
    /// `in_from` (supplier node) and `in_coef` (`M / S_v`), merged per pair.
    pub in_ptr: Vec<usize>,
    pub in_from: Vec<usize>,
    pub in_coef: Vec<f64>,
    /// `P_v / S_v` when `kind == Made` (the weight on the input node).
    pub made_coef: Vec<f64>,
}

/// Result of [`solve_origin`].
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Origin share per country index; sums to 1.
    pub shares: Vec<f64>,
    /// Throughput `y` per node (see the module docs).
    pub throughput: Vec<f64>,
    /// Node kinds, as used.
    pub kind: Vec<NodeKind>,
    /// Fraction of the answer from zero-supply exporters.
    pub zero_supply_share: f64,
    /// Fraction of the answer made from input assumed domestic.
    pub assumed_domestic_share: f64,
    /// Fraction of the answer from untraced loops.
    pub untraced_loop_share: f64,
    /// Fraction of the answer that passed through at least one re-export.
    pub re_exported_share: f64,
}

fn check(network: &Network) -> Result<(), NetworkError> {
    let n = network.nodes.len();
    for (v, node) in network.nodes.iter().enumerate() {
        if node.country >= network.countries {
            return Err(NetworkError::Index { what: format!("node {v} country {}", node.country) });
        }
        if !(node.production.is_finite() && node.production >= 0.0) {
            return Err(NetworkError::Quantity { what: format!("node {v} production {}", node.production) });
        }
        if let Some(w) = node.input {
            let Some(input) = network.nodes.get(w) else {
                return Err(NetworkError::Index { what: format!("node {v} input {w}") });
            };
            if node.stage == 0 || input.stage + 1 != node.stage || input.country != node.country {
                return Err(NetworkError::Link { what: format!("node {v} input {w}") });
            }
        }
    }
    for (e, fl) in network.flows.iter().enumerate() {
        if fl.from >= n || fl.to >= n {
            return Err(NetworkError::Index { what: format!("flow {e} {} -> {}", fl.from, fl.to) });
        }
        if !(fl.quantity.is_finite() && fl.quantity >= 0.0) {
            return Err(NetworkError::Quantity { what: format!("flow {e} quantity {}", fl.quantity) });
        }
        if network.nodes[fl.from].stage != network.nodes[fl.to].stage {
            return Err(NetworkError::Link { what: format!("flow {e} joins stages") });
        }
    }
    Ok(())
}

/// Builds `(I - A)^T` in compressed column form (directly: column `v` is
/// node `v`'s diagonal plus its suppliers, sorted and merged), classifying
/// nodes and grounding untraced loops.
pub fn build_system(network: &Network) -> Result<System, NetworkError> {
    check(network)?;
    let n = network.nodes.len();
    let nodes = &network.nodes;

    // In-edges grouped by importer, each group sorted by supplier: two
    // stable counting sorts (by supplier, then by importer), self-flows
    // kept: a country's flow to itself is part of its supply and of its
    // own mix. Duplicate pairs stay in flow order and are merged below.
    let mut supply: Vec<f64> = nodes.iter().map(|x| x.production).collect();
    let mut in_ptr = vec![0usize; n + 1];
    let mut by_from = vec![0usize; n + 1];
    for fl in &network.flows {
        if fl.quantity > 0.0 {
            in_ptr[fl.to + 1] += 1;
            by_from[fl.from + 1] += 1;
            supply[fl.to] += fl.quantity;
        }
    }
    for v in 0..n {
        in_ptr[v + 1] += in_ptr[v];
        by_from[v + 1] += by_from[v];
    }
    let edges = in_ptr[n];
    let mut fill = by_from.clone();
    let mut to_f = vec![0usize; edges];
    let mut q_f = vec![0f64; edges];
    for fl in &network.flows {
        if fl.quantity > 0.0 {
            let p = fill[fl.from];
            to_f[p] = fl.to;
            q_f[p] = fl.quantity;
            fill[fl.from] += 1;
        }
    }
    let mut fill = in_ptr.clone();
    let mut in_from = vec![0usize; edges];
    let mut in_q = vec![0f64; edges];
    for w in 0..n {
        for p in by_from[w]..by_from[w + 1] {
            let to = to_f[p];
            in_from[fill[to]] = w;
            in_q[fill[to]] = q_f[p];
            fill[to] += 1;
        }
    }
    drop((to_f, q_f, by_from, fill));
    // Merge duplicate pairs; coefficients M / S.
    let mut merged_ptr = vec![0usize; n + 1];
    let mut m_from = Vec::with_capacity(edges);
    let mut m_coef = Vec::with_capacity(edges);
    for v in 0..n {
        let start = m_from.len();
        for p in in_ptr[v]..in_ptr[v + 1] {
            let (w, q) = (in_from[p], in_q[p]);
            if m_from.len() > start && m_from[m_from.len() - 1] == w {
                *m_coef.last_mut().expect("non-empty") += q;
            } else {
                m_from.push(w);
                m_coef.push(q);
            }
        }
        merged_ptr[v + 1] = m_from.len();
        let s = supply[v];
        if s > 0.0 {
            for c in &mut m_coef[start..] {
                *c /= s;
            }
        }
    }
    drop((in_from, in_q));

    // Kinds and beta.
    let mut kind = vec![NodeKind::Origin; n];
    let mut beta = vec![0f64; n];
    let mut made_coef = vec![0f64; n];
    for v in 0..n {
        let (s, p) = (supply[v], nodes[v].production);
        if s <= 0.0 {
            kind[v] = NodeKind::ZeroSupply;
            beta[v] = 1.0;
        } else if nodes[v].stage == 0 {
            beta[v] = p / s;
        } else if p <= 0.0 {
            kind[v] = NodeKind::Made; // nothing produced: only imports count
        } else {
            match nodes[v].input {
                Some(w) if supply[w] > 0.0 => {
                    kind[v] = NodeKind::Made;
                    made_coef[v] = p / s;
                }
                _ => {
                    kind[v] = NodeKind::AssumedDomestic;
                    beta[v] = p / s;
                }
            }
        }
    }

    // Grounding: a node is traced if some source (beta > 0) is reachable
    // along supply edges (v -> supplier, made -> input). Sweeps in index
    // order over the nodes not yet traced (each sees the nodes traced
    // earlier in the same sweep) settle in one or two rounds on usual
    // networks; if they have not after a few rounds (long chains numbered
    // against the flow), a breadth-first search finishes (same fixed point).
    let mut traced: Vec<bool> = beta.iter().map(|&b| b > 0.0).collect();
    let mut open: Vec<usize> = (0..n).filter(|&v| !traced[v]).collect();
    let mut settled = open.is_empty();
    for _round in 0..4 {
        if settled {
            break;
        }
        let before = open.len();
        open.retain(|&v| {
            let reach = m_from[merged_ptr[v]..merged_ptr[v + 1]].iter().any(|&w| traced[w])
                || (made_coef[v] > 0.0 && traced[nodes[v].input.expect("made has input")]);
            if reach {
                traced[v] = true;
            }
            !reach
        });
        settled = open.is_empty() || open.len() == before;
    }
    if !settled {
        traced = reach_sources(nodes, &kind, &beta, &made_coef, &merged_ptr, &m_from);
    }
    for v in 0..n {
        if !traced[v] {
            kind[v] = NodeKind::UntracedLoop;
            beta[v] = 1.0;
            made_coef[v] = 0.0;
        }
    }

    // Columns of (I - A)^T: row v of I - A = 1 at v, -a at each supplier.
    let mut col_ptr = Vec::with_capacity(n + 1);
    let mut row_idx = Vec::with_capacity(n + m_from.len() + n);
    let mut values = Vec::with_capacity(n + m_from.len() + n);
    col_ptr.push(0);
    let mut col: Vec<(usize, f64)> = Vec::new();
    for v in 0..n {
        // Suppliers are sorted and distinct; the diagonal (which a
        // self-flow joins) and the input go in by merging.
        col.clear();
        col.push((v, 1.0));
        if matches!(kind[v], NodeKind::Origin | NodeKind::Made | NodeKind::AssumedDomestic) {
            if made_coef[v] > 0.0 {
                col.push((nodes[v].input.expect("made has input"), -made_coef[v]));
                col.sort_unstable_by_key(|e| e.0);
            }
            let mut extra = col.iter().copied().peekable();
            for p in merged_ptr[v]..merged_ptr[v + 1] {
                let (r, mut x) = (m_from[p], -m_coef[p]);
                while let Some((er, ex)) = extra.next_if(|e| e.0 <= r) {
                    if er == r {
                        x += ex;
                    } else {
                        row_idx.push(er);
                        values.push(ex);
                    }
                }
                row_idx.push(r);
                values.push(x);
            }
            for (er, ex) in extra {
                row_idx.push(er);
                values.push(ex);
            }
        } else {
            row_idx.push(v);
            values.push(1.0);
        }
        col_ptr.push(row_idx.len());
    }
    Ok(System {
        n,
        col_ptr,
        row_idx,
        values,
        beta,
        supply,
        kind,
        in_ptr: merged_ptr,
        in_from: m_from,
        in_coef: m_coef,
        made_coef,
    })
}

/// Which nodes reach a source (beta > 0) along supply edges: a
/// breadth-first search from the sources over reversed edges (supplier ->
/// importer, input -> made).
fn reach_sources(
    nodes: &[NetNode],
    kind: &[NodeKind],
    beta: &[f64],
    made_coef: &[f64],
    merged_ptr: &[usize],
    m_from: &[usize],
) -> Vec<bool> {
    let n = nodes.len();
    let mut out_ptr = vec![0usize; n + 1];
    for v in 0..n {
        if kind[v] == NodeKind::ZeroSupply {
            continue;
        }
        for p in merged_ptr[v]..merged_ptr[v + 1] {
            out_ptr[m_from[p] + 1] += 1;
        }
        if made_coef[v] > 0.0 {
            out_ptr[nodes[v].input.expect("made has input") + 1] += 1;
        }
    }
    for v in 0..n {
        out_ptr[v + 1] += out_ptr[v];
    }
    let mut out_to = vec![0usize; out_ptr[n]];
    let mut fill = out_ptr.clone();
    for v in 0..n {
        if kind[v] == NodeKind::ZeroSupply {
            continue;
        }
        for &w in &m_from[merged_ptr[v]..merged_ptr[v + 1]] {
            out_to[fill[w]] = v;
            fill[w] += 1;
        }
        if made_coef[v] > 0.0 {
            let w = nodes[v].input.expect("made has input");
            out_to[fill[w]] = v;
            fill[w] += 1;
        }
    }
    let mut traced = vec![false; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&v| beta[v] > 0.0).collect();
    for &v in &queue {
        traced[v] = true;
    }
    while let Some(w) = queue.pop_front() {
        for &v in &out_to[out_ptr[w]..out_ptr[w + 1]] {
            if !traced[v] {
                traced[v] = true;
                queue.push_back(v);
            }
        }
    }
    traced
}

/// A sparse LU factorization of a square matrix given in compressed columns.
pub struct Factored {
    lu: Lu<usize, f64>,
    n: usize,
}

/// Factors a compressed-column matrix with faer's sparse LU (fill-reducing
/// COLAMD ordering, partial pivoting). Rows must be strictly increasing
/// within each column.
pub fn factor(n: usize, col_ptr: &[usize], row_idx: &[usize], values: &[f64]) -> Result<Factored, NetworkError> {
    let sym = SymbolicSparseColMatRef::new_checked(n, n, col_ptr, None, row_idx);
    let mat = SparseColMatRef::new(sym, values);
    let lu = mat.sp_lu().map_err(|e| NetworkError::Solve { what: format!("{e:?}") })?;
    Ok(Factored { lu, n })
}

impl Factored {
    /// Solves `M x = rhs`.
    pub fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let mut b = Mat::<f64>::from_fn(self.n, 1, |i, _| rhs[i]);
        self.lu.solve_in_place_with_conj(Conj::No, b.as_mut());
        (0..self.n).map(|i| b[(i, 0)]).collect()
    }
}

/// Which linear solver [`solve_system`] (and so [`solve_origin`]) uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Method {
    /// [`Method::Lu`] for systems of fewer than [`ITERATIVE_FROM`] unknowns
    /// (every real dataset's: a few hundred countries x a few stages; LU
    /// takes microseconds there and its last bits, which decide exact
    /// zeros and ties in the results, stay as they were), else
    /// [`Method::Iterative`].
    #[default]
    Auto,
    /// Preconditioned BiCGSTAB ([`bicgstab`]); if it does not converge
    /// (see [`IterOptions`]), faer's sparse LU.
    Iterative,
    /// faer's sparse LU only.
    Lu,
}

/// The size from which [`Method::Auto`] solves iteratively.
pub const ITERATIVE_FROM: usize = 5_000;

/// Settings for [`solve_system`] and [`solve_origin_with`].
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct SolveOptions {
    pub method: Method,
    pub iter: IterOptions,
}

/// How one linear system was solved.
#[derive(Clone, Debug, PartialEq)]
pub enum SolvedBy {
    /// The iterative solver converged.
    Iterative(IterStats),
    /// The iterative solver gave up (the reason); the LU answer was used.
    Fallback(IterFailure),
    /// LU, as asked.
    Lu,
    /// Nothing to solve (no trade: the re-export system is skipped).
    Trivial,
}

/// How [`solve_origin_with`] solved its two systems.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveReport {
    /// `(I - A)^T y = e_t` (the shares).
    pub shares: SolvedBy,
    /// The `2n` re-export system.
    pub re_export: SolvedBy,
}

/// Solves `M x = rhs` for a compressed-column `M` (rows strictly increasing
/// within each column) by `options.method`: with [`Method::Iterative`]
/// (and [`Method::Auto`] from [`ITERATIVE_FROM`] unknowns), the
/// iterative solver first, accepted only on its recomputed residual test
/// `||rhs - M x||_inf <= tol ||rhs||_inf`, and faer's sparse LU when it gives
/// up (not converged within `max_iter`, stagnation, breakdown).
pub fn solve_system(
    n: usize,
    col_ptr: &[usize],
    row_idx: &[usize],
    values: &[f64],
    rhs: &[f64],
    options: &SolveOptions,
) -> Result<(Vec<f64>, SolvedBy), NetworkError> {
    let iterative = match options.method {
        Method::Auto => n >= ITERATIVE_FROM,
        Method::Iterative => true,
        Method::Lu => false,
    };
    let failure = match iterative {
        false => None,
        true => match bicgstab(Csc { n, col_ptr, row_idx, values }, rhs, &options.iter) {
            Ok((x, stats)) => return Ok((x, SolvedBy::Iterative(stats))),
            Err(f) => Some(f),
        },
    };
    let x = factor(n, col_ptr, row_idx, values)?.solve(rhs);
    Ok((x, failure.map_or(SolvedBy::Lu, SolvedBy::Fallback)))
}

/// Traces the origin of node `target`'s supply: one transposed sparse solve
/// for the shares, a second (size `2n`) for the re-exported share. See the
/// module docs for the model. Solves with [`Method::Auto`]; see
/// [`solve_origin_with`].
pub fn solve_origin(network: &Network, target: usize) -> Result<Solution, NetworkError> {
    solve_origin_with(network, target, &SolveOptions::default()).map(|(s, _)| s)
}

/// [`solve_origin`] with an explicit solver choice, reporting how each
/// system was solved.
pub fn solve_origin_with(
    network: &Network,
    target: usize,
    options: &SolveOptions,
) -> Result<(Solution, SolveReport), NetworkError> {
    if target >= network.nodes.len() {
        return Err(NetworkError::Index { what: format!("target {target}") });
    }
    let sys = build_system(network)?;
    let mut e = vec![0.0; sys.n];
    e[target] = 1.0;
    let (y, by_shares) = solve_system(sys.n, &sys.col_ptr, &sys.row_idx, &sys.values, &e, options)?;
    let mut shares = vec![0.0; network.countries];
    let (mut zero, mut domestic, mut untraced) = (0.0, 0.0, 0.0);
    for v in 0..sys.n {
        let part = y[v] * sys.beta[v];
        if part == 0.0 {
            continue;
        }
        shares[network.nodes[v].country] += part;
        match sys.kind[v] {
            NodeKind::ZeroSupply => zero += part,
            NodeKind::AssumedDomestic => domestic += part,
            NodeKind::UntracedLoop => untraced += part,
            NodeKind::Origin | NodeKind::Made => {}
        }
    }
    let (re_exported, by_re_export) = re_exported_share(network, &sys, target, options)?;
    let sol = Solution {
        shares,
        throughput: y,
        kind: sys.kind,
        zero_supply_share: zero,
        assumed_domestic_share: domestic,
        untraced_loop_share: untraced,
        re_exported_share: re_exported,
    };
    Ok((sol, SolveReport { shares: by_shares, re_export: by_re_export }))
}

/// `1 - f_t` from the `2n` system of the module docs, solved transposed:
/// `K^T z = e_t`, `f_t = z . [beta; beta]`. Unknowns `0..n` are `f`,
/// `n..2n` are `g`. Row `v` of `K`: `f_v - A_prod f - A_trade g`; row
/// `n + v`: `g_v - A_prod f`. Column `c` of `K^T` is row `c` of `K`.
fn re_exported_share(
    network: &Network,
    sys: &System,
    target: usize,
    options: &SolveOptions,
) -> Result<(f64, SolvedBy), NetworkError> {
    let n = sys.n;
    if sys.in_from.is_empty() {
        return Ok((0.0, SolvedBy::Trivial));
    }
    let mut col_ptr = Vec::with_capacity(2 * n + 1);
    let mut row_idx = Vec::with_capacity(2 * (sys.in_from.len() + 2 * n));
    let mut values = Vec::with_capacity(row_idx.capacity());
    col_ptr.push(0);
    let sources = |v: usize| matches!(sys.kind[v], NodeKind::ZeroSupply | NodeKind::UntracedLoop);
    // Rows in increasing order without sorting: the diagonal and the input
    // (both `< n`, distinct), then the suppliers' `g` rows (`n + w`, sorted
    // and distinct in `in_from`).
    let input = |v: usize| {
        (!sources(v) && sys.made_coef[v] > 0.0)
            .then(|| (network.nodes[v].input.expect("made has input"), -sys.made_coef[v]))
    };
    for v in 0..n {
        match input(v) {
            Some((i, x)) if i < v => {
                row_idx.extend([i, v]);
                values.extend([x, 1.0]);
            }
            Some((i, x)) => {
                row_idx.extend([v, i]);
                values.extend([1.0, x]);
            }
            None => {
                row_idx.push(v);
                values.push(1.0);
            }
        }
        if !sources(v) {
            let (a, b) = (sys.in_ptr[v], sys.in_ptr[v + 1]);
            row_idx.extend(sys.in_from[a..b].iter().map(|&w| n + w));
            values.extend(sys.in_coef[a..b].iter().map(|&c| -c));
        }
        col_ptr.push(row_idx.len());
    }
    for v in 0..n {
        if let Some((i, x)) = input(v) {
            row_idx.push(i);
            values.push(x);
        }
        row_idx.push(n + v);
        values.push(1.0);
        col_ptr.push(row_idx.len());
    }
    let mut e = vec![0.0; 2 * n];
    e[target] = 1.0;
    let (z, by) = solve_system(2 * n, &col_ptr, &row_idx, &values, &e, options)?;
    let clean: f64 = (0..n).map(|v| (z[v] + z[n + v]) * sys.beta[v]).sum();
    Ok(((1.0 - clean).clamp(0.0, 1.0), by))
}

// ---------------------------------------------------------------------------
// Dataset front end.

/// One country's part of a mix.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OriginShare {
    pub country: CountryCode,
    pub name: String,
    /// Fraction of the target's supply (0-1).
    pub share: f64,
    /// `share x supply`, in the target commodity-stage's unit.
    pub quantity: f64,
}

/// Nodes where an assumption was applied, and how much of the answer it
/// touches.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assumption {
    /// `(country, commodity/stage)` of every node where it was applied.
    pub nodes: Vec<(CountryCode, String)>,
    /// Fraction of the origin shares that rests on it (0-1).
    pub share: f64,
}

/// Unattributed production at one stage of the path.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Unattributed {
    pub key: String,
    /// Unattributed (`ZZ`) production's share of world output (0-1);
    /// `None` when the stage has no production rows in the year.
    pub share_of_world: Option<f64>,
}

/// Edge cases met while tracing, and the re-export measure.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assumptions {
    /// Exporters with no recorded supply: exports treated as own origin.
    pub zero_supply_exporters: Assumption,
    /// Producers above the upstream stage with no recorded input supply:
    /// input assumed domestic.
    pub assumed_domestic_input: Assumption,
    /// Nodes whose supply traces back to no production: own origin.
    pub untraced_loops: Assumption,
    /// Fraction of the answer that passed through at least one re-export.
    pub re_exported_share: f64,
    /// Per stage on the path (upstream first): unattributed production,
    /// which is not a node and so never appears as an origin.
    pub unattributed: Vec<Unattributed>,
}

/// Multi-tier origin of one country's supply. See [`origin`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Origin {
    pub country: CountryCode,
    pub name: String,
    /// Target commodity-stage, `commodity/stage`.
    pub key: String,
    /// Upstream commodity-stage whose producers are the origins.
    pub upstream: String,
    /// Recipe path, upstream first, ending at `key`.
    pub path: Vec<String>,
    pub year: i32,
    /// Unit of every quantity (the target's unit).
    pub unit: String,
    /// Total supply: production plus imports.
    pub supply: f64,
    pub production: f64,
    pub imports: f64,
    /// Multi-tier origin shares at the upstream stage, largest first (ties by
    /// code); they sum to 1.
    pub shares: Vec<OriginShare>,
    /// One-step mix: own production (as the country itself) and imports by
    /// partner; sums to 1.
    pub direct: Vec<OriginShare>,
    pub assumptions: Assumptions,
}

/// Recipe path from `upstream` to `key` (upstream first), by breadth-first
/// search from `key` over recipe inputs; the shortest path, ties broken by
/// key order.
fn recipe_path(ds: &Dataset, key: &CommodityKey, upstream: &CommodityKey) -> Option<Vec<CommodityKey>> {
    let mut inputs: BTreeMap<&CommodityKey, BTreeSet<&CommodityKey>> = BTreeMap::new();
    for r in &ds.recipes {
        inputs.entry(&r.output).or_default().insert(&r.input);
    }
    let mut prev: BTreeMap<&CommodityKey, &CommodityKey> = BTreeMap::new();
    let mut queue = VecDeque::from([key]);
    let mut seen = BTreeSet::from([key]);
    while let Some(x) = queue.pop_front() {
        if x == upstream {
            let mut path = vec![x.clone()];
            let mut cur = x;
            while let Some(&next) = prev.get(cur) {
                path.push(next.clone());
                cur = next;
            }
            return Some(path); // upstream first: walked from u towards k
        }
        for &i in inputs.get(x).into_iter().flatten() {
            if seen.insert(i) {
                prev.insert(i, x);
                queue.push_back(i);
            }
        }
    }
    None
}

/// The multi-tier origin of `country`'s supply of `key` in `year` (`None`:
/// the latest year with trade rows for `key`), traced back to the producers
/// of `upstream` (which may equal `key`). The model, its assumptions and the
/// re-export measure are in the module docs.
///
/// Errors: unknown `key` or `upstream`; no trade rows for `key` when no year
/// is given; no recipe path from `key` back to `upstream`; no supply of `key`
/// for `country` in the year.
pub fn origin(
    ds: &Dataset,
    country: CountryCode,
    key: &CommodityKey,
    upstream: &CommodityKey,
    year: Option<i32>,
) -> Result<Origin, AnalysisError> {
    let commodity = ds.commodity(key).ok_or_else(|| AnalysisError::UnknownCommodity { key: key.clone() })?;
    ds.commodity(upstream).ok_or_else(|| AnalysisError::UnknownCommodity { key: upstream.clone() })?;
    let trade_years: BTreeSet<i32> = ds.trade_years(key).into_iter().collect();
    let year = match year {
        Some(y) => y,
        None => *trade_years.iter().next_back().ok_or_else(|| AnalysisError::NoTrade {
            key: key.clone(),
            year: None,
            years: vec![],
        })?,
    };
    let path = recipe_path(ds, key, upstream)
        .ok_or_else(|| AnalysisError::NoRecipePath { key: key.clone(), upstream: upstream.clone() })?;
    let stage_of = |k: &CommodityKey| path.iter().position(|p| p == k);

    // Countries (sorted by code) and per-(country, stage) production.
    let mut production: BTreeMap<(CountryCode, usize), f64> = BTreeMap::new();
    let mut world = vec![(0.0f64, 0.0f64, false); path.len()]; // (named, unattributed, any rows)
    for p in ds.production.iter().filter(|p| p.year == year) {
        let Some(s) = stage_of(&p.key) else { continue };
        world[s].2 = true;
        match p.country {
            Some(c) => {
                world[s].0 += p.quantity;
                *production.entry((c, s)).or_default() += p.quantity;
            }
            None => world[s].1 += p.quantity,
        }
    }
    let mut flows: Vec<(CountryCode, CountryCode, usize, f64)> = vec![];
    for t in ds.trade.iter().filter(|t| t.year == year) {
        if let Some(s) = stage_of(&t.key) {
            flows.push((t.exporter, t.importer, s, t.quantity));
        }
    }
    let mut node_keys: BTreeSet<(usize, CountryCode)> = BTreeSet::new();
    for (&(c, s), &q) in &production {
        if q > 0.0 {
            node_keys.insert((s, c));
        }
    }
    for &(e, i, s, q) in &flows {
        if q > 0.0 {
            node_keys.insert((s, e));
            node_keys.insert((s, i));
        }
    }
    let countries: Vec<CountryCode> =
        node_keys.iter().map(|&(_, c)| c).collect::<BTreeSet<_>>().into_iter().collect();
    let cidx: BTreeMap<CountryCode, usize> = countries.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let nidx: BTreeMap<(usize, CountryCode), usize> =
        node_keys.iter().enumerate().map(|(v, &k)| (k, v)).collect();
    let last = path.len() - 1;
    let Some(&target) = nidx.get(&(last, country)) else {
        return Err(AnalysisError::NoSupply { country, key: key.clone(), year });
    };
    let network = Network {
        countries: countries.len(),
        nodes: node_keys
            .iter()
            .map(|&(s, c)| NetNode {
                country: cidx[&c],
                stage: s,
                production: production.get(&(c, s)).copied().unwrap_or(0.0),
                input: if s > 0 { nidx.get(&(s - 1, c)).copied() } else { None },
            })
            .collect(),
        flows: flows
            .iter()
            .filter(|f| f.3 > 0.0)
            .map(|&(e, i, s, q)| Flow { from: nidx[&(s, e)], to: nidx[&(s, i)], quantity: q })
            .collect(),
    };
    let own = network.nodes[target].production;
    let imports: f64 = flows.iter().filter(|f| f.1 == country && f.2 == last).map(|f| f.3).sum();
    let supply = own + imports;
    if supply <= 0.0 {
        // Only exports recorded: nothing to trace.
        return Err(AnalysisError::NoSupply { country, key: key.clone(), year });
    }
    let sol = solve_origin(&network, target).map_err(|e| AnalysisError::SolveFailed { what: e.to_string() })?;

    let share = |c: CountryCode, s: f64| OriginShare {
        country: c,
        name: ds.country_name(c).to_string(),
        share: s,
        quantity: s * supply,
    };
    let shares = sorted(
        countries.iter().zip(&sol.shares).filter(|(_, &s)| s > 0.0).map(|(&c, &s)| share(c, s)).collect(),
    );
    let mut direct_q: BTreeMap<CountryCode, f64> = BTreeMap::new();
    if own > 0.0 {
        direct_q.insert(country, own);
    }
    for f in flows.iter().filter(|f| f.1 == country && f.2 == last && f.3 > 0.0) {
        *direct_q.entry(f.0).or_default() += f.3;
    }
    let direct = sorted(direct_q.into_iter().map(|(c, q)| share(c, q / supply)).collect());

    let applied = |k: NodeKind, share: f64| Assumption {
        nodes: node_keys
            .iter()
            .zip(&sol.kind)
            .filter(|(_, &kk)| kk == k)
            .map(|(&(s, c), _)| (c, path[s].to_string()))
            .collect(),
        share,
    };
    Ok(Origin {
        country,
        name: ds.country_name(country).to_string(),
        key: key.to_string(),
        upstream: upstream.to_string(),
        path: path.iter().map(|k| k.to_string()).collect(),
        year,
        unit: commodity.unit.code.to_string(),
        supply,
        production: own,
        imports,
        shares,
        direct,
        assumptions: Assumptions {
            zero_supply_exporters: applied(NodeKind::ZeroSupply, sol.zero_supply_share),
            assumed_domestic_input: applied(NodeKind::AssumedDomestic, sol.assumed_domestic_share),
            untraced_loops: applied(NodeKind::UntracedLoop, sol.untraced_loop_share),
            re_exported_share: sol.re_exported_share,
            unattributed: path
                .iter()
                .zip(&world)
                .map(|(k, &(named, zz, any))| Unattributed {
                    key: k.to_string(),
                    share_of_world: (any && named + zz > 0.0).then(|| zz / (named + zz)),
                })
                .collect(),
        },
    })
}

/// Largest share first, ties by country code.
fn sorted(mut v: Vec<OriginShare>) -> Vec<OriginShare> {
    v.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.country.cmp(&b.country)));
    v
}

#[cfg(test)]
mod tests {
    // Dense Gaussian elimination below reads best with indices.
    #![allow(clippy::needless_range_loop)]
    use super::*;
    use crate::fixture::{close, Fx};
    use proptest::prelude::*;

    fn cc(s: &str) -> CountryCode {
        CountryCode::parse(s).expect("code")
    }

    fn key(s: &str) -> CommodityKey {
        CommodityKey::parse(s).expect("key")
    }

    /// Shares as (code, share), in result order.
    fn mix(v: &[OriginShare]) -> Vec<(String, f64)> {
        v.iter().map(|s| (s.country.to_string(), s.share)).collect()
    }

    #[track_caller]
    fn check_mix(got: &[OriginShare], want: &[(&str, f64)]) {
        let got = mix(got);
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for ((gc, gs), (wc, ws)) in got.iter().zip(want) {
            assert_eq!(gc, wc, "{got:?}");
            close(*gs, *ws);
        }
    }

    const M: &str = "x/mining";
    const R: &str = "x/refining";

    /// (a) JP produces 60 and imports 40 from AU; AU produces 100 and
    /// imports 10 from BR (which produces 50).
    /// o_AU = (100 AU + 10 BR)/110; o_JP = 0.6 JP + 0.4 o_AU
    ///      = 0.6 JP + 40/110 AU + 4/110 BR.
    /// The 4/110 of BR material reached JP via AU: re-exported.
    #[test]
    fn produces_and_imports() {
        let ds = Fx::new()
            .prod(M, "JP", "", 2024, 60.0)
            .prod(M, "AU", "", 2024, 100.0)
            .prod(M, "BR", "", 2024, 50.0)
            .origin_trade(M, "AU", "JP", 2024, 40.0)
            .origin_trade(M, "BR", "AU", 2024, 10.0)
            .build();
        let o = origin(&ds, cc("JP"), &key(M), &key(M), None).unwrap();
        assert_eq!(o.year, 2024);
        close(o.supply, 100.0);
        close(o.production, 60.0);
        close(o.imports, 40.0);
        check_mix(&o.shares, &[("JP", 0.6), ("AU", 40.0 / 110.0), ("BR", 4.0 / 110.0)]);
        check_mix(&o.direct, &[("JP", 0.6), ("AU", 0.4)]);
        close(o.shares[1].quantity, 4000.0 / 110.0);
        close(o.assumptions.re_exported_share, 4.0 / 110.0);
        assert_eq!(o.assumptions.zero_supply_exporters.share, 0.0);
        assert_eq!(o.assumptions.unattributed, vec![Unattributed { key: M.into(), share_of_world: Some(0.0) }]);
    }

    /// (b) Loop: AU produces 100, imports 50 from BR; BR produces 20,
    /// imports 30 from AU and exports 50 to AU. S_AU = 150, S_BR = 50.
    ///   o_AU = (100 AU + 50 o_BR)/150,  o_BR = (20 BR + 30 o_AU)/50
    ///   o_BR = 0.4 BR + 0.6 o_AU
    ///   o_AU = 2/3 AU + 1/3 (0.4 BR + 0.6 o_AU) = 2/3 AU + 2/15 BR + 0.2 o_AU
    ///   0.8 o_AU = 2/3 AU + 2/15 BR  =>  o_AU = 5/6 AU + 1/6 BR.
    /// Transposed: y_AU = 1 + 0.6 y_BR, y_BR = y_AU/3 => y_AU = 1.25,
    /// y_BR = 5/12; shares y beta: 1.25 x 2/3 = 5/6, 5/12 x 0.4 = 1/6.
    /// Re-export: clean f_AU = 2/3 + 1/3 g_BR with g_BR = 0.4 (BR's exports
    /// that are its own output) = 0.8, so 0.2 of AU's supply was re-exported
    /// (AU's own material sent back by BR, 1/3 x 0.6).
    #[test]
    fn re_export_loop() {
        let ds = Fx::new()
            .prod(M, "AU", "", 2024, 100.0)
            .prod(M, "BR", "", 2024, 20.0)
            .origin_trade(M, "BR", "AU", 2024, 50.0)
            .origin_trade(M, "AU", "BR", 2024, 30.0)
            .build();
        let o = origin(&ds, cc("AU"), &key(M), &key(M), None).unwrap();
        check_mix(&o.shares, &[("AU", 5.0 / 6.0), ("BR", 1.0 / 6.0)]);
        check_mix(&o.direct, &[("AU", 2.0 / 3.0), ("BR", 1.0 / 3.0)]);
        close(o.assumptions.re_exported_share, 0.2);

        // The same network, solved directly: throughput as derived above.
        let net = Network {
            countries: 2,
            nodes: vec![
                NetNode { country: 0, stage: 0, production: 100.0, input: None },
                NetNode { country: 1, stage: 0, production: 20.0, input: None },
            ],
            flows: vec![Flow { from: 1, to: 0, quantity: 50.0 }, Flow { from: 0, to: 1, quantity: 30.0 }],
        };
        let sol = solve_origin(&net, 0).unwrap();
        close(sol.throughput[0], 1.25);
        close(sol.throughput[1], 5.0 / 12.0);
    }

    /// (c) Mine in AU (100 ore, 60 to CN) and ID (50 ore, 40 to CN); CN
    /// refines 50 from its 100 ore and ships 30 refined to JP. Also 50 ore
    /// unattributed (ZZ).
    /// o_(CN,ore) = 0.6 AU + 0.4 ID; o_(CN,ref) = (50/50) o_(CN,ore);
    /// o_(JP,ref) = o_(CN,ref) = 0.6 AU + 0.4 ID. Direct: 100% CN.
    /// Nothing re-exported (CN transformed the ore).
    /// Unattributed: ore 50/(150+50) = 0.25; refining 0.
    #[test]
    fn two_stages() {
        let ds = Fx::new()
            .commodity("x", "refining", "t")
            .origin_recipe(R, M, 2.0)
            .prod(M, "AU", "", 2024, 100.0)
            .prod(M, "ID", "", 2024, 50.0)
            .prod(M, "ZZ", "Other countries", 2024, 50.0)
            .prod(R, "CN", "", 2024, 50.0)
            .origin_trade(M, "AU", "CN", 2024, 60.0)
            .origin_trade(M, "ID", "CN", 2024, 40.0)
            .origin_trade(R, "CN", "JP", 2024, 30.0)
            .build();
        let o = origin(&ds, cc("JP"), &key(R), &key(M), None).unwrap();
        assert_eq!(o.path, vec![M.to_string(), R.to_string()]);
        check_mix(&o.shares, &[("AU", 0.6), ("ID", 0.4)]);
        check_mix(&o.direct, &[("CN", 1.0)]);
        close(o.shares[0].quantity, 18.0);
        assert_eq!(o.assumptions.re_exported_share, 0.0);
        assert_eq!(o.assumptions.assumed_domestic_input.share, 0.0);
        let un: Vec<Option<f64>> = o.assumptions.unattributed.iter().map(|u| u.share_of_world).collect();
        assert_eq!(un, vec![Some(0.25), Some(0.0)]);

        // No recipe path back from mining to refining.
        assert_eq!(
            origin(&ds, cc("JP"), &key(M), &key(R), None),
            Err(AnalysisError::NoRecipePath { key: key(M), upstream: key(R) })
        );
        // CN's own refined supply is all its own ore mix.
        let o = origin(&ds, cc("CN"), &key(R), &key(M), None).unwrap();
        check_mix(&o.shares, &[("AU", 0.6), ("ID", 0.4)]);
        check_mix(&o.direct, &[("CN", 1.0)]);
    }

    /// Producer above the upstream stage with no ore supply: JP refines 10
    /// with no ore, and imports 30 refined from CN (as in (c)).
    /// o_JP = 10/40 JP (assumed domestic) + 30/40 (0.6 AU + 0.4 ID)
    ///      = 0.25 JP + 0.45 AU + 0.3 ID.
    #[test]
    fn assumed_domestic_input() {
        let ds = Fx::new()
            .commodity("x", "refining", "t")
            .origin_recipe(R, M, 2.0)
            .prod(M, "AU", "", 2024, 100.0)
            .prod(M, "ID", "", 2024, 50.0)
            .prod(R, "CN", "", 2024, 50.0)
            .prod(R, "JP", "", 2024, 10.0)
            .origin_trade(M, "AU", "CN", 2024, 60.0)
            .origin_trade(M, "ID", "CN", 2024, 40.0)
            .origin_trade(R, "CN", "JP", 2024, 30.0)
            .build();
        let o = origin(&ds, cc("JP"), &key(R), &key(M), None).unwrap();
        check_mix(&o.shares, &[("AU", 0.45), ("ID", 0.3), ("JP", 0.25)]);
        check_mix(&o.direct, &[("CN", 0.75), ("JP", 0.25)]);
        close(o.assumptions.assumed_domestic_input.share, 0.25);
        assert_eq!(o.assumptions.assumed_domestic_input.nodes, vec![(cc("JP"), R.to_string())]);
    }

    /// (d) KP exports 20 to JP with no recorded supply (its output is in
    /// ZZ's 20); JP produces 30 and imports 50 from AU (AU produces 100).
    /// S_JP = 100: 0.5 AU + 0.3 JP + 0.2 KP, the KP part by assumption.
    /// Unattributed: 20 / (130 + 20).
    #[test]
    fn zero_supply_exporter() {
        let ds = Fx::new()
            .prod(M, "AU", "", 2024, 100.0)
            .prod(M, "JP", "", 2024, 30.0)
            .prod(M, "ZZ", "Other countries", 2024, 20.0)
            .origin_trade(M, "AU", "JP", 2024, 50.0)
            .origin_trade(M, "KP", "JP", 2024, 20.0)
            .build();
        let o = origin(&ds, cc("JP"), &key(M), &key(M), Some(2024)).unwrap();
        check_mix(&o.shares, &[("AU", 0.5), ("JP", 0.3), ("KP", 0.2)]);
        close(o.assumptions.zero_supply_exporters.share, 0.2);
        assert_eq!(o.assumptions.zero_supply_exporters.nodes, vec![(cc("KP"), M.to_string())]);
        close(o.assumptions.unattributed[0].share_of_world.unwrap(), 20.0 / 150.0);
    }

    /// AU and BR only trade with each other (10 each way, no production);
    /// JP produces 50 and imports 50 from AU. No source explains AU's or
    /// BR's supply, so each is its own origin: 0.5 JP + 0.5 AU.
    #[test]
    fn untraced_loop() {
        let ds = Fx::new()
            .prod(M, "JP", "", 2024, 50.0)
            .origin_trade(M, "AU", "JP", 2024, 50.0)
            .origin_trade(M, "AU", "BR", 2024, 10.0)
            .origin_trade(M, "BR", "AU", 2024, 10.0)
            .build();
        let o = origin(&ds, cc("JP"), &key(M), &key(M), None).unwrap();
        check_mix(&o.shares, &[("AU", 0.5), ("JP", 0.5)]);
        close(o.assumptions.untraced_loops.share, 0.5);
        assert_eq!(o.assumptions.untraced_loops.nodes.len(), 2);
    }

    #[test]
    fn errors() {
        let ds = Fx::new().prod(M, "AU", "", 2024, 100.0).origin_trade(M, "AU", "JP", 2023, 5.0).build();
        assert_eq!(
            origin(&ds, cc("AU"), &key("y/mining"), &key(M), None),
            Err(AnalysisError::UnknownCommodity { key: key("y/mining") })
        );
        // Latest trade year is 2023: AU produced nothing then, imported nothing.
        assert_eq!(
            origin(&ds, cc("AU"), &key(M), &key(M), None),
            Err(AnalysisError::NoSupply { country: cc("AU"), key: key(M), year: 2023 })
        );
        let o = origin(&ds, cc("JP"), &key(M), &key(M), None).unwrap();
        // JP's 2023 import from AU: AU exported with no 2023 supply, so it
        // is its own origin, by assumption.
        check_mix(&o.shares, &[("AU", 1.0)]);
        close(o.assumptions.zero_supply_exporters.share, 1.0);
        check_mix(&o.direct, &[("AU", 1.0)]);
        let o = origin(&ds, cc("AU"), &key(M), &key(M), Some(2024)).unwrap();
        check_mix(&o.shares, &[("AU", 1.0)]);
        let empty = Fx::new().prod(M, "AU", "", 2024, 100.0).build();
        assert_eq!(
            origin(&empty, cc("AU"), &key(M), &key(M), None),
            Err(AnalysisError::NoTrade { key: key(M), year: None, years: vec![] })
        );
    }

    // --- independent forward reference -------------------------------------

    /// Forward formulation, straight from the model: all origin rows
    /// `X = (I - A) \ B` by dense Gaussian elimination with partial
    /// pivoting. Handles zero supply and missing input; assumes no untraced
    /// loops (the generator below avoids them).
    fn dense_forward(net: &Network) -> Vec<Vec<f64>> {
        let n = net.nodes.len();
        let c = net.countries;
        let mut s: Vec<f64> = net.nodes.iter().map(|x| x.production).collect();
        for f in &net.flows {
            s[f.to] += f.quantity;
        }
        let mut a = vec![vec![0.0; n]; n]; // I - A
        let mut b = vec![vec![0.0; c]; n];
        for v in 0..n {
            a[v][v] += 1.0;
            let node = &net.nodes[v];
            if s[v] == 0.0 {
                b[v][node.country] = 1.0;
                continue;
            }
            for f in net.flows.iter().filter(|f| f.to == v) {
                a[v][f.from] -= f.quantity / s[v];
            }
            match node.input {
                Some(w) if node.stage > 0 && s[w] > 0.0 => a[v][w] -= node.production / s[v],
                _ => b[v][node.country] += node.production / s[v],
            }
        }
        for k in 0..n {
            let p = (k..n).max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs())).unwrap();
            a.swap(k, p);
            b.swap(k, p);
            for i in k + 1..n {
                let f = a[i][k] / a[k][k];
                if f != 0.0 {
                    for j in k..n {
                        a[i][j] -= f * a[k][j];
                    }
                    for j in 0..c {
                        b[i][j] -= f * b[k][j];
                    }
                }
            }
        }
        let mut x = vec![vec![0.0; c]; n];
        for k in (0..n).rev() {
            for j in 0..c {
                let mut t = b[k][j];
                for i in k + 1..n {
                    t -= a[k][i] * x[i][j];
                }
                x[k][j] = t / a[k][k];
            }
        }
        x
    }

    /// Random networks: `countries` countries on `stages` stages, every
    /// country present at every stage; random production (zero for some),
    /// random flows within a stage. `grounded` removes the inflows of
    /// zero-production nodes, which rules out untraced loops.
    fn arb_network(grounded: bool) -> impl Strategy<Value = Network> {
        (1usize..6, 1usize..4)
            .prop_flat_map(move |(countries, stages)| {
                let n = countries * stages;
                (
                    Just((countries, stages)),
                    prop::collection::vec(prop_oneof![Just(0.0), 0.1f64..100.0], n),
                    prop::collection::vec(prop::bool::weighted(0.8), n),
                    prop::collection::vec((0..n, 0..countries, 0.1f64..50.0), 0..3 * n),
                )
            })
            .prop_map(move |((countries, stages), prod, has_input, raw)| {
                let nodes: Vec<NetNode> = (0..countries * stages)
                    .map(|v| {
                        let (s, c) = (v / countries, v % countries);
                        NetNode {
                            country: c,
                            stage: s,
                            production: prod[v],
                            input: (s > 0 && has_input[v]).then(|| v - countries),
                        }
                    })
                    .collect();
                let flows = raw
                    .into_iter()
                    .map(|(to, from_c, q)| Flow { from: (to / countries) * countries + from_c, to, quantity: q })
                    .filter(|f| !(grounded && nodes[f.to].production == 0.0))
                    .collect();
                Network { countries, nodes, flows }
            })
    }

    proptest! {
        #[test]
        fn shares_are_a_distribution(net in arb_network(false), t in 0usize..64) {
            let t = t % net.nodes.len();
            let sol = solve_origin(&net, t).unwrap();
            for &s in &sol.shares {
                prop_assert!(s >= -1e-12, "{:?}", sol.shares);
            }
            let sum: f64 = sol.shares.iter().sum();
            prop_assert!((sum - 1.0).abs() <= 1e-9, "sum {sum}");
            prop_assert!((0.0..=1.0).contains(&sol.re_exported_share));
        }

        #[test]
        fn transposed_equals_dense_forward(net in arb_network(true)) {
            let x = dense_forward(&net);
            for t in 0..net.nodes.len() {
                let sol = solve_origin(&net, t).unwrap();
                prop_assert!(!sol.kind.contains(&NodeKind::UntracedLoop));
                for (j, &s) in sol.shares.iter().enumerate() {
                    prop_assert!((s - x[t][j]).abs() <= 1e-9, "node {t} country {j}: {s} vs {}", x[t][j]);
                }
            }
        }
    }
}
