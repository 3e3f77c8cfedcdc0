//! Model-building benchmark on a SYNTHETIC multi-period transportation LP
//! (generated numbers, no real data): S supply nodes, C demand nodes, T periods.
//!
//!   flow[s,c,t] in [0, arc_cap]   cost: distance(s,c) * (1 + t/100)
//!   prod[s,t]   in [0, cap_s]     cost: unit cost of s
//!   inv[s,t]    >= 0              cost: holding cost
//!   balance[s,t]: inv[s,t-1] + prod[s,t] - sum_c flow[s,c,t] - inv[s,t] = 0
//!   demand[c,t]:  sum_s flow[s,c,t] >= d[c,t]
//!
//! Default 200 x 250 x 20 = 1,000,000 flow variables. Reports the time to
//! build (row-wise fast path, and through `Expr`), to compress to CSC, to
//! write MPS, and to solve with HiGHS with presolve on and off.
//!
//!   cargo run --release -p lodestone-lp --example build_bench -- \
//!       [--suppliers 200] [--customers 250] [--periods 20] [--time-limit 600] \
//!       [--no-solve] [--threads N] [--export-mps FILE] [--log]

use std::time::Instant;

use lodestone_lp::{
    write_mps, Expr, HighsSolver, Log, Model, Sense, SolveOptions, Solver, Var, VarType,
};

struct Args {
    s: usize,
    c: usize,
    t: usize,
    time_limit: f64,
    solve: bool,
    threads: Option<usize>,
    export: Option<String>,
    log: bool,
}

fn parse() -> Args {
    let mut a = Args {
        s: 200,
        c: 250,
        t: 20,
        time_limit: 600.0,
        solve: true,
        threads: None,
        export: None,
        log: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--suppliers" => a.s = val().parse().unwrap(),
            "--customers" => a.c = val().parse().unwrap(),
            "--periods" => a.t = val().parse().unwrap(),
            "--time-limit" => a.time_limit = val().parse().unwrap(),
            "--threads" => a.threads = Some(val().parse().unwrap()),
            "--export-mps" => a.export = Some(val()),
            "--no-solve" => a.solve = false,
            "--log" => a.log = true,
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

/// Deterministic generator (PCG-style LCG); values in [0, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Data {
    dist: Vec<f64>, // s * C + c
    cap: Vec<f64>,
    unit: Vec<f64>,
    demand: Vec<f64>, // c * T + t
}

fn data(a: &Args) -> Data {
    let mut r = Rng(42);
    let sx: Vec<(f64, f64)> = (0..a.s).map(|_| (r.next(), r.next())).collect();
    let cx: Vec<(f64, f64)> = (0..a.c).map(|_| (r.next(), r.next())).collect();
    let mut dist = Vec::with_capacity(a.s * a.c);
    for &(x, y) in &sx {
        for &(u, v) in &cx {
            dist.push(1.0 + 100.0 * ((x - u).powi(2) + (y - v).powi(2)).sqrt());
        }
    }
    let demand: Vec<f64> = (0..a.c * a.t).map(|_| 10.0 + 90.0 * r.next()).collect();
    let total: f64 = demand.iter().sum::<f64>() / a.t as f64;
    // Capacity 1.3x average demand in total, uneven across suppliers.
    let w: Vec<f64> = (0..a.s).map(|_| 0.2 + r.next()).collect();
    let ws: f64 = w.iter().sum();
    let cap = w.iter().map(|wi| 1.3 * total * wi / ws).collect();
    let unit = (0..a.s).map(|_| 5.0 + 20.0 * r.next()).collect();
    Data {
        dist,
        cap,
        unit,
        demand,
    }
}

const ARC_CAP: f64 = 60.0;
const HOLD: f64 = 0.5;

/// Row-wise fast path: columns first, then one `add_row` per constraint.
fn build_fast(a: &Args, d: &Data) -> Model {
    let (s_n, c_n, t_n) = (a.s, a.c, a.t);
    let nflow = s_n * c_n * t_n;
    let mut m = Model::with_capacity(
        nflow + 2 * s_n * t_n,
        s_n * t_n + c_n * t_n,
        2 * nflow + 3 * s_n * t_n,
    );
    let flow = |s: usize, c: usize, t: usize| (t * s_n + s) * c_n + c;
    let mut fv: Vec<Var> = Vec::with_capacity(nflow);
    for t in 0..t_n {
        for s in 0..s_n {
            for c in 0..c_n {
                let cost = d.dist[s * c_n + c] * (1.0 + t as f64 / 100.0);
                fv.push(m.add_var(0.0, ARC_CAP, cost, VarType::Continuous).unwrap());
            }
        }
    }
    let prod: Vec<Var> = (0..s_n * t_n)
        .map(|k| {
            m.add_var(0.0, d.cap[k % s_n], d.unit[k % s_n], VarType::Continuous)
                .unwrap()
        })
        .collect();
    let inv: Vec<Var> = (0..s_n * t_n)
        .map(|_| {
            m.add_var(0.0, f64::INFINITY, HOLD, VarType::Continuous)
                .unwrap()
        })
        .collect();
    let mut terms: Vec<(Var, f64)> = Vec::with_capacity(c_n.max(s_n) + 3);
    for t in 0..t_n {
        for s in 0..s_n {
            terms.clear();
            if t > 0 {
                terms.push((inv[(t - 1) * s_n + s], 1.0));
            }
            terms.push((prod[t * s_n + s], 1.0));
            terms.extend((0..c_n).map(|c| (fv[flow(s, c, t)], -1.0)));
            terms.push((inv[t * s_n + s], -1.0));
            m.add_row(0.0, 0.0, &terms).unwrap();
        }
        for c in 0..c_n {
            terms.clear();
            terms.extend((0..s_n).map(|s| (fv[flow(s, c, t)], 1.0)));
            m.add_row(d.demand[c * t_n + t], f64::INFINITY, &terms)
                .unwrap();
        }
    }
    m.set_sense(Sense::Minimize);
    m
}

/// The same model through `Expr` operators (the convenient path).
fn build_expr(a: &Args, d: &Data) -> Model {
    let (s_n, c_n, t_n) = (a.s, a.c, a.t);
    let mut m = Model::new();
    let mut fv: Vec<Var> = Vec::with_capacity(s_n * c_n * t_n);
    for t in 0..t_n {
        for s in 0..s_n {
            for c in 0..c_n {
                let cost = d.dist[s * c_n + c] * (1.0 + t as f64 / 100.0);
                fv.push(m.add_var(0.0, ARC_CAP, cost, VarType::Continuous).unwrap());
            }
        }
    }
    let flow = |s: usize, c: usize, t: usize| fv[(t * s_n + s) * c_n + c];
    let prod: Vec<Var> = (0..s_n * t_n)
        .map(|k| {
            m.add_var(0.0, d.cap[k % s_n], d.unit[k % s_n], VarType::Continuous)
                .unwrap()
        })
        .collect();
    let inv: Vec<Var> = (0..s_n * t_n)
        .map(|_| {
            m.add_var(0.0, f64::INFINITY, HOLD, VarType::Continuous)
                .unwrap()
        })
        .collect();
    for t in 0..t_n {
        for s in 0..s_n {
            let mut e = Expr::from(prod[t * s_n + s]) - inv[t * s_n + s];
            if t > 0 {
                e += inv[(t - 1) * s_n + s];
            }
            let out: Expr = (0..c_n).map(|c| flow(s, c, t)).sum();
            m.add_eq(e - out, 0.0).unwrap();
        }
        for c in 0..c_n {
            let inflow: Expr = (0..s_n).map(|s| flow(s, c, t)).sum();
            m.add_ge(inflow, d.demand[c * t_n + t]).unwrap();
        }
    }
    m
}

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let a = parse();
    println!(
        "SYNTHETIC multi-period transportation LP: {} suppliers x {} customers x {} periods",
        a.s, a.c, a.t
    );
    let t0 = Instant::now();
    let d = data(&a);
    println!("generate data         {:8.3} s", t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    let e = build_expr(&a, &d);
    let expr_build = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let _ = e.matrix();
    let expr_compress = t0.elapsed().as_secs_f64();
    println!("build via Expr        {expr_build:8.3} s  (+ compress {expr_compress:.3} s)");
    drop(e);

    let t0 = Instant::now();
    let mut m = build_fast(&a, &d);
    let build = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    m.compress();
    let compress = t0.elapsed().as_secs_f64();
    println!("build via add_row     {build:8.3} s  (+ compress to CSC {compress:.3} s)");
    println!("model: {}", m.stats());

    let t0 = Instant::now();
    let mut sink = CountingSink(0);
    write_mps(&m, &mut sink).unwrap();
    println!(
        "write MPS (to memory) {:8.3} s  ({:.1} MiB)",
        t0.elapsed().as_secs_f64(),
        sink.0 as f64 / 1048576.0
    );
    if let Some(path) = &a.export {
        lodestone_lp::write_mps_file(&m, path).unwrap();
        println!("wrote {path}");
    }

    if a.solve {
        for presolve in [false, true] {
            let o = SolveOptions {
                presolve,
                time_limit: Some(a.time_limit),
                threads: a.threads,
                log: if a.log { Log::Stderr } else { Log::Silent },
                ..SolveOptions::default()
            };
            let sol = HighsSolver.solve(&m, &o);
            println!(
                "HiGHS presolve {:3}    {:8.3} s  status {}, objective {:?}, simplex iterations {:?}",
                if presolve { "on" } else { "off" },
                sol.info.seconds,
                sol.status,
                sol.objective,
                sol.info.simplex_iterations
            );
        }
    }
    if let Some(p) = peak_rss_mib() {
        println!("peak RSS              {p:8.0} MiB");
    }
}

struct CountingSink(usize);
impl std::io::Write for CountingSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
