//! The origin solver's two paths: the default iterative one (preconditioned
//! BiCGSTAB, accepted on a recomputed residual, LU fallback) and faer's
//! sparse LU. Hand-solved networks (expected values derived in the
//! comments, not from our output), forced fallbacks, and a property test
//! comparing both paths on random substochastic networks.

use lodestone_analysis::origin::{
    build_system, solve_origin, solve_origin_with, solve_system, Flow, IterFailure, IterOptions, Method, NetNode,
    Network, SolveOptions, SolveReport, SolvedBy, Solution, ITERATIVE_FROM,
};
use proptest::prelude::*;

/// The iterative path (with its LU fallback), whatever the size.
const AUTO: SolveOptions = SolveOptions {
    method: Method::Iterative,
    iter: IterOptions { tol: 1e-14, accept: 1e-12, max_iter: 300, stagnation: 30 },
};
const LU: SolveOptions = SolveOptions { method: Method::Lu, iter: AUTO.iter };

#[track_caller]
fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} != {b} (tolerance {tol})");
}

fn node(country: usize, stage: usize, production: f64, input: Option<usize>) -> NetNode {
    NetNode { country, stage, production, input }
}

fn flow(from: usize, to: usize, quantity: f64) -> Flow {
    Flow { from, to, quantity }
}

/// `||e_t - (I - A)^T y||_inf`, recomputed here from the compressed
/// columns with a plain loop (independent of the solver's own products).
fn residual(net: &Network, target: usize, y: &[f64]) -> f64 {
    let sys = build_system(net).unwrap();
    let mut r = vec![0.0; sys.n];
    r[target] = 1.0;
    for (c, &yc) in y.iter().enumerate() {
        for p in sys.col_ptr[c]..sys.col_ptr[c + 1] {
            r[sys.row_idx[p]] -= sys.values[p] * yc;
        }
    }
    r.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Solves with both paths; checks that the default (and `solve_origin`)
/// went the iterative way, met its residual test, and agrees with LU.
#[track_caller]
fn both(net: &Network, target: usize) -> (Solution, Solution) {
    let (it, rep) = solve_origin_with(net, target, &AUTO).unwrap();
    let (lu, rep_lu) = solve_origin_with(net, target, &LU).unwrap();
    assert!(matches!(rep.shares, SolvedBy::Iterative(s) if s.residual <= 1e-14), "{rep:?}");
    assert!(matches!(rep.re_export, SolvedBy::Iterative(_) | SolvedBy::Trivial), "{rep:?}");
    assert_eq!(rep_lu.shares, SolvedBy::Lu);
    assert!(residual(net, target, &it.throughput) <= 1e-14);
    for (a, b) in it.shares.iter().zip(&lu.shares) {
        close(*a, *b, 1e-13);
    }
    for (a, b) in it.throughput.iter().zip(&lu.throughput) {
        close(*a, *b, 1e-13 * b.abs().max(1.0));
    }
    close(it.re_exported_share, lu.re_exported_share, 1e-13);
    assert_eq!(it.kind, lu.kind);
    // solve_origin (Method::Auto) takes LU below ITERATIVE_FROM nodes.
    let default = solve_origin(net, target).unwrap();
    assert_eq!(default, if net.nodes.len() >= ITERATIVE_FROM { it.clone() } else { lu.clone() });
    (it, lu)
}

/// Re-export loop A -> B -> A: A produces 100 and imports 50 from B; B
/// produces 20 and imports 30 from A. S_A = 150, S_B = 50.
///   o_A = (100 A + 50 o_B)/150,  o_B = (20 B + 30 o_A)/50 = 0.4 B + 0.6 o_A
///   o_A = 2/3 A + 1/3 (0.4 B + 0.6 o_A) = 2/3 A + 2/15 B + 0.2 o_A
///   => o_A = 5/6 A + 1/6 B.
/// Throughput (transposed): y_A = 1 + 0.6 y_B, y_B = y_A / 3 => y_A = 1.25,
/// y_B = 5/12. Re-exported: A's supply from B that was not B's own output,
/// 1/3 x 0.6 = 0.2.
/// From B's side: o_B = 0.4 B + 0.6 (5/6 A + 1/6 B) = 0.5 A + 0.5 B.
#[test]
fn re_export_loop_both_paths() {
    let net = Network {
        countries: 2,
        nodes: vec![node(0, 0, 100.0, None), node(1, 0, 20.0, None)],
        flows: vec![flow(1, 0, 50.0), flow(0, 1, 30.0)],
    };
    for sol in <[Solution; 2]>::from(both(&net, 0)) {
        close(sol.shares[0], 5.0 / 6.0, 1e-14);
        close(sol.shares[1], 1.0 / 6.0, 1e-14);
        close(sol.throughput[0], 1.25, 1e-14);
        close(sol.throughput[1], 5.0 / 12.0, 1e-14);
        close(sol.re_exported_share, 0.2, 1e-14);
    }
    for sol in <[Solution; 2]>::from(both(&net, 1)) {
        close(sol.shares[0], 0.5, 1e-14);
        close(sol.shares[1], 0.5, 1e-14);
    }
}

/// A country that both produces and imports: JP (0) produces 60 and imports
/// 40 from AU (1); AU produces 100 and imports 10 from BR (2), which
/// produces 50. o_AU = (100 AU + 10 BR)/110; o_JP = 0.6 JP + 0.4 o_AU =
/// 0.6 JP + 40/110 AU + 4/110 BR. The 4/110 of BR material reached JP
/// through AU: re-exported.
#[test]
fn produces_and_imports_both_paths() {
    let net = Network {
        countries: 3,
        nodes: vec![node(0, 0, 60.0, None), node(1, 0, 100.0, None), node(2, 0, 50.0, None)],
        flows: vec![flow(1, 0, 40.0), flow(2, 1, 10.0)],
    };
    for sol in <[Solution; 2]>::from(both(&net, 0)) {
        close(sol.shares[0], 0.6, 1e-14);
        close(sol.shares[1], 40.0 / 110.0, 1e-14);
        close(sol.shares[2], 4.0 / 110.0, 1e-14);
        close(sol.re_exported_share, 4.0 / 110.0, 1e-14);
    }
}

/// Two stages with a loop at the upper one. Ore: AU (country 0, node 0)
/// produces 100, ID (1, node 1) 50; they send 60 and 40 to CN (2, node 2,
/// no ore of its own). Refined: CN (node 4) refines 50 from its ore and
/// ships 30 to JP (3, node 3); JP refines 10 with no ore (input assumed
/// domestic) and sends 10 back to CN.
///   o_(CN,ore) = 0.6 AU + 0.4 ID.
///   S_(CN,ref) = 50 + 10 = 60, S_(JP,ref) = 10 + 30 = 40.
///   o_CNr = 50/60 o_(CN,ore) + 10/60 o_JPr,  o_JPr = 10/40 JP + 30/40 o_CNr
///   o_CNr = 5/6 (0.6 AU + 0.4 ID) + 1/6 (0.25 JP + 0.75 o_CNr)
///   (1 - 1/8) o_CNr = 0.5 AU + 1/3 ID + 1/24 JP
///   => o_CNr = 4/7 AU + 8/21 ID + 1/21 JP;
///   o_JPr = 0.25 JP + 0.75 o_CNr = 3/7 AU + 2/7 ID + 2/7 JP.
/// Re-exported (JP's view): of the 3/4 JP gets from CN, the 1/6 of CN's
/// supply that came from JP left CN untransformed: 3/4 x 1/6 = 1/8.
#[test]
fn two_stages_with_loop_both_paths() {
    let net = Network {
        countries: 4,
        nodes: vec![
            node(0, 0, 100.0, None),
            node(1, 0, 50.0, None),
            node(2, 0, 0.0, None),
            node(3, 1, 10.0, None),
            node(2, 1, 50.0, Some(2)),
        ],
        flows: vec![flow(0, 2, 60.0), flow(1, 2, 40.0), flow(4, 3, 30.0), flow(3, 4, 10.0)],
    };
    let (it, lu) = both(&net, 3);
    for sol in [&it, &lu] {
        close(sol.shares[0], 3.0 / 7.0, 1e-14);
        close(sol.shares[1], 2.0 / 7.0, 1e-14);
        close(sol.shares[2], 0.0, 1e-14);
        close(sol.shares[3], 2.0 / 7.0, 1e-14);
        close(sol.assumed_domestic_share, 2.0 / 7.0, 1e-14);
        close(sol.re_exported_share, 1.0 / 8.0, 1e-14);
    }
    let (it, _) = both(&net, 4);
    close(it.shares[0], 4.0 / 7.0, 1e-14);
    close(it.shares[1], 8.0 / 21.0, 1e-14);
    close(it.shares[3], 1.0 / 21.0, 1e-14);
}

/// A ring of `n` countries, each importing `1` from the previous one and
/// producing `eps`: the re-export fraction is `1 / (1 + eps)`, so material
/// circulates for about `1/eps` rounds.
fn slow_ring(n: usize, eps: f64) -> Network {
    Network {
        countries: n,
        nodes: (0..n).map(|i| node(i, 0, eps, None)).collect(),
        flows: (0..n).map(|i| flow(i, (i + 1) % n, 1.0)).collect(),
    }
}

/// The same ring visited in zigzag order (0, n-1, 1, n-2, ...): every
/// step alternates between a higher and a lower index, so neither the
/// forward nor the backward Gauss-Seidel sweep can carry material more
/// than a step or two along it (on the plain ring the backward sweep
/// follows the whole chain and the preconditioner is nearly exact).
fn zigzag_ring(n: usize, eps: f64) -> Network {
    let order: Vec<usize> = (0..n).map(|k| if k % 2 == 0 { k / 2 } else { n - 1 - k / 2 }).collect();
    Network {
        countries: n,
        nodes: (0..n).map(|i| node(i, 0, eps, None)).collect(),
        flows: (0..n).map(|k| flow(order[k], order[(k + 1) % n], 1.0)).collect(),
    }
}

/// With a re-export fraction of 1 - 1e-9 around a 2,000-country ring that
/// the preconditioner cannot follow, the iteration cannot reach the
/// tolerance in its bounded number of steps: the default path falls back
/// to LU and returns exactly the LU answer.
#[test]
fn slow_convergence_falls_back_to_lu() {
    let net = zigzag_ring(2000, 1e-9);
    let (sol, rep) = solve_origin_with(&net, 0, &AUTO).unwrap();
    assert!(
        matches!(rep.shares, SolvedBy::Fallback(IterFailure::NotConverged { .. } | IterFailure::Stagnated { .. })),
        "{rep:?}"
    );
    let (lu, _) = solve_origin_with(&net, 0, &LU).unwrap();
    assert_eq!(sol.shares, lu.shares);
    assert_eq!(sol.throughput, lu.throughput);
    // By symmetry the shares are nearly equal (a geometric sequence with
    // ratio 1 - 1e-9 along the ring) and sum to 1.
    let sum: f64 = sol.shares.iter().sum();
    close(sum, 1.0, 1e-6);
    for &s in &sol.shares {
        close(s, 1.0 / 2000.0, 1e-8);
    }
}

/// The zigzag ring with a moderate re-export fraction (1/2) converges
/// iteratively: country k steps upstream of the target gives 2^-(k+1).
#[test]
fn zigzag_ring_converges() {
    let net = zigzag_ring(2000, 1.0);
    let (it, _) = both(&net, 0);
    // Visiting order 0, 1999, 1, 1998, ..., 998, 1001, 999, 1000, and the
    // ring closes 1000 -> 0: upstream of 0 are 1000, 999, 1001, ...
    close(it.shares[0], 0.5, 1e-15);
    close(it.shares[1000], 0.25, 1e-15);
    close(it.shares[999], 0.125, 1e-15);
    close(it.shares[1001], 0.0625, 1e-15);
}

/// The same ring with a moderate re-export fraction converges iteratively.
#[test]
fn moderate_ring_converges() {
    let net = slow_ring(2000, 1.0);
    let (it, _) = both(&net, 7);
    // Country 7 keeps 1/2, 6 gives 1/4, ... : share of k steps back 2^-(k+1)
    // (up to the ring closing, 2^-2000 ~ 0).
    close(it.shares[7], 0.5, 1e-15);
    close(it.shares[6], 0.25, 1e-15);
    close(it.shares[0], 1.0 / 256.0, 1e-15);
}

/// `Method::Auto` (the default) is LU below `ITERATIVE_FROM` nodes (so
/// small networks, every real dataset's, give exactly what they gave
/// before the iterative path existed), iterative from there.
#[test]
fn auto_switches_on_size() {
    let auto = SolveOptions::default();
    assert_eq!(auto.method, Method::Auto);
    let small = slow_ring(ITERATIVE_FROM / 2 - 1, 1.0); // re-export system: 2n - 2 < ITERATIVE_FROM
    let (_, rep) = solve_origin_with(&small, 0, &auto).unwrap();
    assert_eq!(rep, SolveReport { shares: SolvedBy::Lu, re_export: SolvedBy::Lu });
    let large = slow_ring(ITERATIVE_FROM, 1.0);
    let (sol, rep) = solve_origin_with(&large, 0, &auto).unwrap();
    assert!(matches!(rep.shares, SolvedBy::Iterative(_)), "{rep:?}");
    assert!(matches!(rep.re_export, SolvedBy::Iterative(_)), "{rep:?}");
    close(sol.shares[0], 0.5, 1e-15);
    assert_eq!(solve_origin(&large, 0).unwrap(), sol);
}

/// An iteration budget too small to converge: the fallback gives LU's
/// answer, bit for bit.
#[test]
fn exhausted_budget_falls_back_to_lu() {
    let net = slow_ring(50, 0.5);
    let tight = SolveOptions { method: Method::Iterative, iter: IterOptions { max_iter: 1, ..AUTO.iter } };
    let (sol, rep) = solve_origin_with(&net, 3, &tight).unwrap();
    assert!(matches!(rep.shares, SolvedBy::Fallback(IterFailure::NotConverged { iterations: 1, .. })), "{rep:?}");
    let (lu, _) = solve_origin_with(&net, 3, &LU).unwrap();
    assert_eq!(sol, lu);
}

/// A matrix the iteration cannot take (a zero diagonal): straight to LU.
#[test]
fn unsuitable_matrix_falls_back_to_lu() {
    // [[0, 1], [1, 0]] x = [1, 2]  =>  x = [2, 1].
    let (x, by) = solve_system(2, &[0, 1, 2], &[1, 0], &[1.0, 1.0], &[1.0, 2.0], &AUTO).unwrap();
    assert!(matches!(by, SolvedBy::Fallback(IterFailure::Unsuitable(_))), "{by:?}");
    close(x[0], 2.0, 1e-15);
    close(x[1], 1.0, 1e-15);
}

/// Same input, same bits (the solver is sequential, in a fixed order).
#[test]
fn deterministic() {
    let net = slow_ring(300, 0.3);
    let a = solve_origin_with(&net, 5, &AUTO).unwrap();
    let b = solve_origin_with(&net, 5, &AUTO).unwrap();
    assert_eq!(a, b);
}

/// Random substochastic networks: 1-8 countries on 1-3 stages, random
/// production (zero for some, tiny for some, so that re-export fractions
/// come close to 1), random flows within each stage (self-flows and
/// duplicates included), random missing inputs.
fn arb_network() -> impl Strategy<Value = Network> {
    (1usize..9, 1usize..4)
        .prop_flat_map(|(countries, stages)| {
            let n = countries * stages;
            (
                Just((countries, stages)),
                prop::collection::vec(prop_oneof![Just(0.0), 1e-6f64..1e-3, 0.1f64..100.0], n),
                prop::collection::vec(prop::bool::weighted(0.8), n),
                prop::collection::vec((0..n, 0..countries, 0.1f64..50.0), 0..4 * n),
            )
        })
        .prop_map(|((countries, stages), prod, has_input, raw)| {
            let nodes: Vec<NetNode> = (0..countries * stages)
                .map(|v| {
                    let (s, c) = (v / countries, v % countries);
                    node(c, s, prod[v], (s > 0 && has_input[v]).then(|| v - countries))
                })
                .collect();
            let flows =
                raw.into_iter().map(|(to, from_c, q)| flow((to / countries) * countries + from_c, to, q)).collect();
            Network { countries, nodes, flows }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Both paths give the same answer: the default path either converged
    /// (its residual, recomputed here, meets 1e-12) or fell back to LU (and
    /// then equals it bit for bit).
    #[test]
    fn iterative_matches_lu(net in arb_network(), t in 0usize..64) {
        let t = t % net.nodes.len();
        let (it, rep) = solve_origin_with(&net, t, &AUTO).unwrap();
        let (lu, _) = solve_origin_with(&net, t, &LU).unwrap();
        match &rep.shares {
            SolvedBy::Iterative(s) => {
                prop_assert!(s.residual <= 1e-12, "{rep:?}");
                prop_assert!(residual(&net, t, &it.throughput) <= 1e-12);
            }
            SolvedBy::Fallback(_) => prop_assert_eq!(&it.throughput, &lu.throughput),
            other => prop_assert!(false, "{other:?}"),
        }
        prop_assert_eq!(&it.kind, &lu.kind);
        // Forward error <= condition x residual: throughput can reach
        // ~1e5 when production is 1e-6 of a loop's flow, so compare
        // relative to the largest throughput.
        let scale = lu.throughput.iter().fold(1.0f64, |m, x| m.max(x.abs()));
        for (a, b) in it.throughput.iter().zip(&lu.throughput) {
            prop_assert!((a - b).abs() <= 1e-9 * scale, "{a} vs {b} (scale {scale})");
        }
        for (a, b) in it.shares.iter().zip(&lu.shares) {
            prop_assert!((a - b).abs() <= 1e-9, "{:?} vs {:?}", it.shares, lu.shares);
        }
        prop_assert!((it.re_exported_share - lu.re_exported_share).abs() <= 1e-9);
        let sum: f64 = it.shares.iter().sum();
        prop_assert!((sum - 1.0).abs() <= 1e-9, "sum {sum}");
    }
}

