//! Benchmark driver for multi-tier origin (not a test). Generates a
//! SYNTHETIC origin network (no real data), solves the transposed system
//! `(I - A)^T y = e_t` with faer's sparse LU, writes the matrix and
//! right-hand side (Matrix Market + text) for `bench/origin/scipy_solve.py`,
//! and prints timings. Run through `bench/origin/run.sh`.
//!
//! Usage: origin_bench [NODES] [OUT_DIR]   (defaults: 100000, $TMPDIR/lodestone-origin-bench)
//!
//! Network: NODES country-like nodes on one stage (origin of the same
//! material through re-export chains). Each node trades with ~10 partners:
//! 8 drawn near it on a ring (within +-32, like regional trade) and 2 among
//! 64 hub nodes (like global traders). Production is random, zero for 1 in
//! 10 nodes. A deterministic xorshift64 (seed fixed) drives everything.
//! Purely random partners (an expander graph) would make any direct LU
//! fill in densely, for scipy as for faer; real trade networks are
//! regional with a few hubs.

use lodestone_analysis::origin::{build_system, factor, solve_origin, Flow, NetNode, Network};
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let dir = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("lodestone-origin-bench"));
    std::fs::create_dir_all(&dir)?;
    let target = n / 2;

    println!("SYNTHETIC network (generated, not real data): {n} nodes, seed fixed");
    let t0 = Instant::now();
    let net = network(n);
    let gen = t0.elapsed().as_secs_f64();

    // Timed: build (I - A)^T in compressed columns, factor, solve.
    let t = Instant::now();
    let sys = build_system(&net)?;
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lu = factor(sys.n, &sys.col_ptr, &sys.row_idx, &sys.values)?;
    let fact = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut e = vec![0.0; sys.n];
    e[target] = 1.0;
    let y = lu.solve(&e);
    let solve = t.elapsed().as_secs_f64();

    // Whole analysis (both solves, shares, re-export share), for reference.
    let t = Instant::now();
    let sol = solve_origin(&net, target)?;
    let full = t.elapsed().as_secs_f64();
    let sum: f64 = sol.shares.iter().sum();

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
    drop(w);
    let mut w = BufWriter::new(std::fs::File::create(dir.join("rhs.txt"))?);
    for x in &e {
        writeln!(w, "{x:.17e}")?;
    }
    drop(w);
    let mut w = BufWriter::new(std::fs::File::create(dir.join("solution.txt"))?);
    for x in &y {
        writeln!(w, "{x:.17e}")?;
    }
    drop(w);

    println!("nodes {}, flows {}, nonzeros of (I-A)^T {}", sys.n, net.flows.len(), sys.values.len());
    println!("generate {gen:.3} s (not timed below)");
    println!("faer  build {build:.3} s  factor {fact:.3} s  solve {solve:.3} s");
    println!("faer_total_s {:.4}", build + fact + solve);
    println!(
        "full solve_origin (both solves + re-export share) {full:.3} s; shares sum {sum:.12}, re-exported {:.4}",
        sol.re_exported_share
    );
    println!("files in {}", dir.display());
    Ok(())
}
