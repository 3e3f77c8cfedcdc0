//! Benchmark driver for multi-tier origin (not a test). Generates a
//! SYNTHETIC origin network (no real data), solves the transposed system
//! `(I - A)^T y = e_t` with both of our paths, the default iterative one
//! (preconditioned BiCGSTAB, LU fallback) and faer's sparse LU, writes the
//! matrix, right-hand side and our solution (Matrix Market + text) for
//! `bench/origin/scipy_solve.py`, and prints timings. Run through
//! `bench/origin/run.sh`. Output lines are flushed as they come, so a run
//! killed by a timeout (the LU part, last, can take minutes with hubs)
//! still reports the iterative part.
//!
//! Usage: origin_bench [NODES] [OUT_DIR]   (defaults: 100000, $TMPDIR/lodestone-origin-bench)
//! Environment: ORIGIN_BENCH_HUBS (see below), ORIGIN_BENCH_LU=0 skips LU,
//! ORIGIN_BENCH_TOL overrides the iterative tolerance, ORIGIN_BENCH_REPS
//! (default 5) sets the repetitions (LU: at most 3).
//!
//! Network: NODES country-like nodes on one stage (origin of the same
//! material through re-export chains). Each node trades with ~10 partners
//! drawn near it on a ring (within +-32, like regional trade); with
//! ORIGIN_BENCH_HUBS=H, 2 of the 10 are among H hub nodes instead (like
//! global traders; fill-in for any direct LU). Production is random, zero for 1 in
//! 10 nodes. A deterministic xorshift64 (seed fixed) drives everything.
//! Purely random partners (an expander graph) would make any direct LU
//! fill in densely, for scipy as for faer; real trade networks are
//! regional with a few hubs.

use lodestone_analysis::origin::{
    build_system, factor, solve_origin_with, solve_system, Csc, Flow, Method, NetNode, Network, SolveOptions,
    SolvedBy,
};
use std::io::{BufWriter, Write};
use std::time::Instant;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn network(n: usize) -> Network {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let hubs: u64 = std::env::var("ORIGIN_BENCH_HUBS").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    #[allow(non_snake_case)]
    let HUBS = hubs;
    const REACH: u64 = 32;
    let nodes = (0..n)
        .map(|i| NetNode {
            country: i,
            stage: 0,
            production: if rng.below(10) == 0 { 0.0 } else { 1.0 + 999.0 * rng.unit() },
            input: None,
        })
        .collect();
    let mut flows = Vec::with_capacity(n * 10);
    for to in 0..n {
        for p in 0..10 {
            let from = if p < 8 || HUBS == 0 {
                let off = 1 + rng.below(REACH) as usize;
                if rng.below(2) == 0 { (to + off) % n } else { (to + n - off) % n }
            } else {
                (rng.below(HUBS) as usize * (n / HUBS as usize)) % n
            };
            if from != to {
                flows.push(Flow { from, to, quantity: 1.0 + 99.0 * rng.unit() });
            }
        }
    }
    Network { countries: n, nodes, flows }
}

fn by(s: &SolvedBy) -> String {
    match s {
        SolvedBy::Iterative(st) => {
            format!("iterative: {} iterations, {} mat-vecs, residual {:.1e}", st.iterations, st.matvecs, st.residual)
        }
        SolvedBy::Fallback(f) => format!("LU FALLBACK ({f})"),
        SolvedBy::Lu => "LU".into(),
        SolvedBy::Trivial => "trivial".into(),
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mm(v: &mut [f64]) -> String {
    format!("{:.3} / {:.3} s", min(v), median(v))
}

fn write_vec(path: &std::path::Path, v: &[f64]) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    for x in v {
        writeln!(w, "{x:.17e}")?;
    }
    w.flush()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let dir = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("lodestone-origin-bench"));
    let run_lu = std::env::var("ORIGIN_BENCH_LU").map_or(true, |v| v != "0");
    let reps: usize = std::env::var("ORIGIN_BENCH_REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let mut opts = SolveOptions::default();
    if let Some(tol) = std::env::var("ORIGIN_BENCH_TOL").ok().and_then(|s| s.parse().ok()) {
        opts.iter.tol = tol;
    }
    std::fs::create_dir_all(&dir)?;
    let target = n / 2;

    println!("SYNTHETIC network (generated, not real data): {n} nodes, seed fixed");
    let t0 = Instant::now();
    let net = network(n);
    let gen = t0.elapsed().as_secs_f64();

    // Timed, REPS times each (min and median reported; the machine may be
    // shared): build (I - A)^T in compressed columns (shared by both
    // paths), then our default path, iterative with LU fallback.
    let mut builds = Vec::with_capacity(reps);
    let mut sys = build_system(&net)?;
    for _ in 0..reps {
        let t = Instant::now();
        sys = build_system(&net)?;
        builds.push(t.elapsed().as_secs_f64());
    }
    let m = Csc { n: sys.n, col_ptr: &sys.col_ptr, row_idx: &sys.row_idx, values: &sys.values };
    let mut e = vec![0.0; sys.n];
    e[target] = 1.0;
    let mut scratch = vec![0.0; sys.n];
    println!("nodes {}, flows {}, nonzeros of (I-A)^T {}", sys.n, net.flows.len(), sys.values.len());
    println!("generate {gen:.3} s (not timed below); repetitions {reps}; times below are min / median");
    println!("build (I-A)^T          {} (both paths)", mm(&mut builds));

    let mut solves = Vec::with_capacity(reps);
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        let r = solve_system(sys.n, &sys.col_ptr, &sys.row_idx, &sys.values, &e, &opts)?;
        solves.push(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    let (y, how) = out.expect("reps >= 1");
    let res_it = m.residual_inf(&e, &y, &mut scratch);
    let t = Instant::now();
    m.mul(&y, &mut scratch);
    let matvec = t.elapsed().as_secs_f64();
    println!("ours iterative  solve  {}  [{}]  ||e - M y||_inf = {res_it:.1e}", mm(&mut solves), by(&how));
    println!("one product with M (for scale) {:.1} ms", matvec * 1e3);
    println!("ours_iter_solve_s {:.4} {:.4}", min(&solves), median(&mut solves));
    let totals: Vec<f64> = builds.iter().zip(&solves).map(|(a, b)| a + b).collect();
    println!("ours_iter_total_s {:.4} {:.4}", min(&totals), median(&mut totals.clone()));

    // Files for the scipy peer (not timed).
    let mut w = BufWriter::new(std::fs::File::create(dir.join("matrix.mtx"))?);
    writeln!(w, "%%MatrixMarket matrix coordinate real general")?;
    writeln!(w, "% (I - A)^T of a SYNTHETIC origin network, from lodestone origin_bench")?;
    writeln!(w, "{} {} {}", sys.n, sys.n, sys.values.len())?;
    for c in 0..sys.n {
        for p in sys.col_ptr[c]..sys.col_ptr[c + 1] {
            writeln!(w, "{} {} {:.17e}", sys.row_idx[p] + 1, c + 1, sys.values[p])?;
        }
    }
    w.flush()?;
    drop(w);
    write_vec(&dir.join("rhs.txt"), &e)?;
    write_vec(&dir.join("solution.txt"), &y)?;
    println!("files in {}", dir.display());

    // Whole analysis (both systems, shares, re-export share), iterative path.
    let t = Instant::now();
    let (sol, rep) = solve_origin_with(&net, target, &opts)?;
    let full_it = t.elapsed().as_secs_f64();
    let sum: f64 = sol.shares.iter().sum();
    println!(
        "ours iterative  full solve_origin (build + both systems) {full_it:.3} s; re-export system [{}]; shares sum {sum:.12}, re-exported {:.6}",
        by(&rep.re_export),
        sol.re_exported_share
    );

    if !run_lu {
        println!("ours LU skipped (ORIGIN_BENCH_LU=0)");
        return Ok(());
    }
    println!("ours LU         running (faer sparse LU, COLAMD) ...");
    let lu_reps = reps.min(3);
    let (mut facts, mut lsolves) = (Vec::new(), Vec::new());
    let mut y_lu = Vec::new();
    for _ in 0..lu_reps {
        let t = Instant::now();
        let lu = factor(sys.n, &sys.col_ptr, &sys.row_idx, &sys.values)?;
        facts.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        y_lu = lu.solve(&e);
        lsolves.push(t.elapsed().as_secs_f64());
    }
    let res_lu = m.residual_inf(&e, &y_lu, &mut scratch);
    let diff = y.iter().zip(&y_lu).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    let lu_totals: Vec<f64> = (0..lu_reps).map(|i| builds[i] + facts[i] + lsolves[i]).collect();
    let lu_solves: Vec<f64> = (0..lu_reps).map(|i| facts[i] + lsolves[i]).collect();
    println!(
        "ours LU         factor {}  solve {}  ({lu_reps} repetitions)  ||e - M y||_inf = {res_lu:.1e}",
        mm(&mut facts),
        mm(&mut lsolves)
    );
    println!("ours_lu_solve_s {:.4} {:.4}", min(&lu_solves), median(&mut lu_solves.clone()));
    println!("ours_lu_total_s {:.4} {:.4}", min(&lu_totals), median(&mut lu_totals.clone()));
    println!("max |y_iterative - y_LU| = {diff:.1e}");
    let lu_opts = SolveOptions { method: Method::Lu, ..SolveOptions::default() };
    let t = Instant::now();
    let (sol_lu, _) = solve_origin_with(&net, target, &lu_opts)?;
    let full_lu = t.elapsed().as_secs_f64();
    let dshare = sol.shares.iter().zip(&sol_lu.shares).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    println!(
        "ours LU         full solve_origin (build + both systems) {full_lu:.3} s; max share difference to iterative {dshare:.1e}, re-exported {:.6}",
        sol_lu.re_exported_share
    );
    Ok(())
}
