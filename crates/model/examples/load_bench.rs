//! Times loading a dataset directory (default: `data/default`).
//!
//! `cargo run --release -p lodestone-model --example load_bench [-- DIR [RUNS]]`
//!
//! Prints each run's wall time and, on Linux, the CPU time the loading
//! thread was scheduled (less disturbed by other work on a shared machine),
//! then the minimum and median of each.

use std::time::Instant;

/// Nanoseconds this thread has spent on a CPU, where the OS says.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/default").to_string());
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let (mut wall, mut cpu) = (vec![], vec![]);
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_ns());
        let ds = lodestone_model::load_dir(std::path::Path::new(&dir));
        let dt = t.elapsed().as_secs_f64();
        let dc = cpu_ns().zip(c).map(|(b, a)| (b - a) as f64 * 1e-9);
        match &ds {
            Ok(ds) => eprint!("{dt:.3} s ({} trade rows)", ds.trade.len()),
            Err(p) => eprint!("{dt:.3} s ({} problems)", p.problems.len()),
        }
        eprintln!("{}", dc.map(|c| format!(", cpu {c:.3} s")).unwrap_or_default());
        wall.push(dt);
        cpu.extend(dc);
        drop(ds);
    }
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        format!("min {:.3} s, median {:.3} s", v[0], v[v.len() / 2])
    };
    eprintln!("wall: {}", stats(&mut wall));
    if !cpu.is_empty() {
        eprintln!("cpu:  {}", stats(&mut cpu));
    }
}
