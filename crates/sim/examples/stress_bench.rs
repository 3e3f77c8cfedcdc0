//! Stress-engine benchmark on a SYNTHETIC network (generated, not data),
//! the Rust side of `bench/stress/run.sh`.
//!
//! Network: `Network::synthetic(50, 100, 5, 7)`: 50 commodity-stages in a
//! recipe chain x 100 countries = 5,000 nodes, up to 5 export edges per
//! producing node, 120 monthly periods. Scenario: a heavy mix of export
//! bans, outages up and down the chain, a demand shock and a route closure,
//! so that allocation, stock draws, rerouting and shortfall all do work;
//! Monte Carlo adds a catalogue of five events on top.
//!
//! cargo run --release -p lodestone-sim --example stress_bench -- [DIR] [REPS] [RUNS] [CHECK_RUNS]
//!
//! Writes the network, the resolved disruptions, each checked run's drawn
//! effects and our results into DIR (as .npy files and meta.json) for
//! bench/stress/stress_numpy.py, and prints timings as `key value` lines.

use lodestone_model::{CommodityKey, CountryCode};
use lodestone_sim::engine::{self, Effect, Record, Target, Workspace};
use lodestone_sim::montecarlo::sample_effects;
use lodestone_sim::scenario::*;
use lodestone_sim::*;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn cc(i: usize) -> CountryCode {
    let s = [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8];
    CountryCode::parse(std::str::from_utf8(&s).unwrap()).unwrap()
}

fn key(k: usize) -> CommoditySel {
    CommoditySel::Key(CommodityKey::new(format!("syn{k}"), "stage"))
}

/// The benchmark scenario (deterministic disruptions) and its catalogue.
pub fn scenario(h: usize) -> Scenario {
    let mut sc = Scenario::new("stress-bench", h);
    let mut d = |name: String, start: usize, duration: usize, kind: DisruptionKind| {
        sc.disruptions.push(Disruption { name, start, duration, kind });
    };
    // Export bans at the head of the chain (they propagate through recipes).
    for c in 0..6 {
        let kind = DisruptionKind::ExportRestriction { country: cc(c), commodity: key(0), share: 1.0, exempt_group: None };
        d(format!("ban {c}"), 6 + c, 24, kind);
    }
    // Outages along the chain.
    for j in 0..25 {
        let kind = DisruptionKind::Outage { country: cc((7 * j + 3) % 100), commodity: key(2 * j), share: 0.4 + 0.02 * j as f64 };
        d(format!("outage {j}"), j * 3 % 40, 6 + j % 12, kind);
    }
    // Demand shocks.
    for j in 0..10 {
        let kind = DisruptionKind::DemandShock { country: cc(11 * j % 100), commodity: key(5 * j), factor: 1.3 + 0.05 * j as f64 };
        d(format!("demand {j}"), 10 + 4 * j, 18, kind);
    }
    // A route closure between two blocks of countries, all commodities.
    let flows = vec![FlowSel { from: (0..15).map(cc).collect(), to: (50..70).map(cc).collect() }];
    d("closure".into(), 40, 8, DisruptionKind::RouteClosure { chokepoint: "synthetic".into(), flows, commodity: None, share: 0.8 });
    sc.policy.max_release_share = 0.3;
    sc.policy.recovery = 2;
    let ev = |name: &str, p: f64, duration: DurationDist, kind: DisruptionKind| CatalogueEvent {
        name: name.into(),
        annual_probability: p,
        duration,
        kind,
    };
    let events = vec![
        ev(
            "ban",
            0.2,
            DurationDist::Triangular { min: 2.0, mode: 6.0, max: 18.0 },
            DisruptionKind::ExportRestriction { country: cc(1), commodity: CommoditySel::AllStages("syn3".into()), share: 0.8, exempt_group: None },
        ),
        ev(
            "outage",
            0.3,
            DurationDist::Lognormal { median: 3.0, sigma: 0.5 },
            DisruptionKind::Outage { country: cc(2), commodity: CommoditySel::AllStages("syn1".into()), share: 0.6 },
        ),
        ev(
            "big outage",
            0.25,
            DurationDist::Uniform { min: 2.0, max: 10.0 },
            DisruptionKind::Outage { country: cc(9), commodity: key(12), share: 0.9 },
        ),
        ev(
            "demand",
            0.4,
            DurationDist::Fixed { periods: 6.0 },
            DisruptionKind::DemandShock { country: cc(20), commodity: key(30), factor: 1.8 },
        ),
        ev(
            "ban 2",
            0.15,
            DurationDist::Uniform { min: 3.0, max: 12.0 },
            DisruptionKind::ExportRestriction { country: cc(33), commodity: key(7), share: 1.0, exempt_group: None },
        ),
    ];
    sc.monte_carlo = Some(MonteCarloSpec { runs: 512, seed: 20251123, events });
    sc
}

/// A NumPy .npy file (format 1.0, little-endian) of a C-order array.
fn npy(dir: &Path, name: &str, descr: &str, shape: &[usize], bytes: &[u8]) {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.npy"))).unwrap());
    f.write_all(b"\x93NUMPY\x01\x00").unwrap();
    f.write_all(&(header.len() as u16).to_le_bytes()).unwrap();
    f.write_all(header.as_bytes()).unwrap();
    f.write_all(bytes).unwrap();
}

fn f64s(dir: &Path, name: &str, shape: &[usize], v: &[f64]) {
    let b: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    npy(dir, name, "<f8", shape, &b);
}

fn i64s(dir: &Path, name: &str, v: &[i64]) {
    let b: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    npy(dir, name, "<i8", &[v.len()], &b);
}

fn u32s(dir: &Path, name: &str, v: &[u32]) {
    i64s(dir, name, &v.iter().map(|&x| x as i64).collect::<Vec<_>>());
}

/// CPU seconds used so far by this thread (`which = "thread-self"`) or the
/// whole process (`"self"`), from /proc (Linux; NaN elsewhere). On a shared,
/// loaded machine CPU time is the fairer measure of work than wall time.
fn cpu_s(which: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{which}/stat")) else { return f64::NAN };
    // Fields after the command name (which may contain spaces) in parentheses.
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // utime and stime are fields 14 and 15 of stat, 12 and 13 here; clock
    // ticks are 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| format!("{}/lodestone-stress-bench", std::env::temp_dir().display()));
    let reps: usize = args.get(2).map_or(20, |s| s.parse().expect("REPS"));
    let runs: usize = args.get(3).map_or(512, |s| s.parse().expect("RUNS"));
    let check_runs: usize = args.get(4).map_or(64, |s| s.parse().expect("CHECK_RUNS"));
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();

    let h = 120;
    let net = Network::synthetic(50, 100, 5, 7, Period::Month);
    let mut sc = scenario(h);
    if let Some(mc) = sc.monte_carlo.as_mut() {
        mc.runs = runs;
    }
    // LODESTONE_BENCH_PRIORITY=1: allocation by priority to the first 30
    // countries instead of pro rata (the numpy peer implements pro rata only).
    let priority = std::env::var("LODESTONE_BENCH_PRIORITY").is_ok_and(|v| v == "1");
    if priority {
        sc.policy.allocation = Allocation::Priority("first30".into());
    }
    let groups = |_: &str| -> Vec<CountryCode> { (0..30).map(cc).collect() };
    let mut comp = engine::compile(&net, &sc, &groups);
    let cancel = AtomicBool::new(false);
    let n = net.len();
    println!("network {} nodes, {} edges, {} periods (synthetic)", n, net.edge_from.len(), h);

    // Single runs, summary only, one thread.
    let mut best = f64::INFINITY;
    let c0 = cpu_s("thread-self");
    let t0 = Instant::now();
    let mut r = simulate(&net, &comp, Record::Summary, &|_, _| {}, &cancel);
    for _ in 1..reps {
        let t = Instant::now();
        r = simulate(&net, &comp, Record::Summary, &|_, _| {}, &cancel);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let dt = t0.elapsed().as_secs_f64() / reps as f64;
    let cpu = (cpu_s("thread-self") - c0) / reps as f64;
    let total: f64 = r.nodes.iter().map(|x| x.cumulative_shortfall).sum();
    println!("rust_single_s_per_run {dt:.6}");
    println!("rust_single_best_s {best:.6}");
    println!("rust_single_updates_per_s {:.4e}", (n * h) as f64 / dt);
    println!("rust_single_updates_per_cpu_s {:.4e}", (n * h) as f64 / cpu);
    println!("rust_single_total_shortfall {total:.6}");
    println!("rust_single_nodes_short {}", r.first_to_fail.len());
    let full = simulate(&net, &comp, Record::Full, &|_, _| {}, &cancel);
    let s = full.series.as_ref().unwrap();
    // A fingerprint of every series: equal fingerprints, equal bits.
    let mut fp: u64 = 0xcbf29ce484222325;
    for v in [&s.production, &s.arrivals, &s.stock_draw, &s.delivered, &s.exported, &s.stock_build, &s.unsold, &s.demand, &s.need, &s.stock, &s.shortfall] {
        for x in v.iter() {
            fp = (fp ^ x.to_bits()).wrapping_mul(0x100000001b3);
        }
    }
    println!("rust_full_fingerprint {fp:016x}");
    // The same run through the plain loop (every node in order, full
    // arithmetic): the engine's class loops must give the same bits.
    let mut plain = Workspace::new(&net);
    plain.set_plain(true);
    let pr = engine::run(&net, &comp, &comp.effects, &mut plain, Record::Full, &|_, _| {}, &cancel);
    let ps = pr.series.as_ref().unwrap();
    let same = [
        (&s.production, &ps.production),
        (&s.arrivals, &ps.arrivals),
        (&s.stock_draw, &ps.stock_draw),
        (&s.delivered, &ps.delivered),
        (&s.exported, &ps.exported),
        (&s.stock_build, &ps.stock_build),
        (&s.unsold, &ps.unsold),
        (&s.demand, &ps.demand),
        (&s.need, &ps.need),
        (&s.stock, &ps.stock),
        (&s.shortfall, &ps.shortfall),
    ]
    .iter()
    .all(|(a, b)| a.iter().zip(b.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
    println!("rust_full_same_bits_as_plain_loop {}", if same { "yes" } else { "NO" });

    // Export: network, targets, effects, results.
    f64s(dir, "capacity", &[n], &net.capacity);
    f64s(dir, "production", &[n], &net.production);
    f64s(dir, "final_demand", &[n], &net.final_demand);
    f64s(dir, "stock", &[n], &net.stock);
    u32s(dir, "edge_from", &net.edge_from);
    u32s(dir, "edge_to", &net.edge_to);
    f64s(dir, "edge_flow", &[net.edge_flow.len()], &net.edge_flow);
    u32s(dir, "key_start", &net.key_start);
    u32s(dir, "country_of", &net.country_of);
    u32s(dir, "rin_start", &net.rin_start);
    u32s(dir, "rin_node", &net.rin_node);
    f64s(dir, "rin_qty", &[net.rin_qty.len()], &net.rin_qty);
    let spec = sc.monte_carlo.clone().unwrap();
    let first = comp.targets.len();
    for e in &spec.events {
        comp.targets.push(engine::resolve(&net, &e.kind, &groups));
    }
    // Targets: kind 0 capacity, 1 edges (+ spare of nodes), 2 demand.
    let (mut kind, mut value, mut ns, mut nv, mut es, mut ev) = (vec![], vec![], vec![0i64], vec![], vec![0i64], vec![]);
    for t in &comp.targets {
        let (k, x, nodes, edges): (i64, f64, &[u32], &[u32]) = match t {
            Target::Capacity { nodes, share } => (0, *share, nodes, &[]),
            Target::Edges { edges, nodes, share } => (1, *share, nodes, edges),
            Target::Demand { nodes, factor } => (2, *factor, nodes, &[]),
        };
        kind.push(k);
        value.push(x);
        nv.extend(nodes.iter().map(|&i| i as i64));
        ns.push(nv.len() as i64);
        ev.extend(edges.iter().map(|&i| i as i64));
        es.push(ev.len() as i64);
    }
    i64s(dir, "tgt_kind", &kind);
    f64s(dir, "tgt_value", &[value.len()], &value);
    i64s(dir, "tgt_node_start", &ns);
    i64s(dir, "tgt_nodes", &nv);
    i64s(dir, "tgt_edge_start", &es);
    i64s(dir, "tgt_edges", &ev);
    let effects_csv = |effs: &[Vec<Effect>]| {
        let (mut run, mut tg, mut st, mut en) = (vec![], vec![], vec![], vec![]);
        for (r, e) in effs.iter().enumerate() {
            for x in e {
                run.push(r as i64);
                tg.push(x.target as i64);
                st.push(x.start as i64);
                en.push(x.end as i64);
            }
        }
        (run, tg, st, en)
    };
    // The single run: the scenario's own effects.
    let (a, b, c, d) = effects_csv(std::slice::from_ref(&comp.effects));
    i64s(dir, "single_eff_run", &a);
    i64s(dir, "single_eff_target", &b);
    i64s(dir, "single_eff_start", &c);
    i64s(dir, "single_eff_end", &d);
    let cs: Vec<f64> = r.nodes.iter().map(|x| x.cumulative_shortfall).collect();
    f64s(dir, "single_cum_short", &[n], &cs);
    f64s(dir, "single_shortfall_series", &[h, n], &s.shortfall);
    f64s(dir, "single_stock_series", &[h, n], &s.stock);

    // Monte Carlo: the first check_runs runs, each on its own, for the check.
    let per_year = sc.period.per_year();
    let effs: Vec<Vec<Effect>> =
        (0..check_runs).map(|r| sample_effects(&spec, &comp.effects, first, h, per_year, r as u64)).collect();
    let (a, b, c, d) = effects_csv(&effs);
    i64s(dir, "mc_eff_run", &a);
    i64s(dir, "mc_eff_target", &b);
    i64s(dir, "mc_eff_start", &c);
    i64s(dir, "mc_eff_end", &d);
    let mut ws = Workspace::new(&net);
    let mut mc_cs = Vec::with_capacity(check_runs * n);
    for e in &effs {
        engine::run(&net, &comp, e, &mut ws, Record::Summary, &|_, _| {}, &cancel);
        mc_cs.extend_from_slice(&ws.cum_short);
    }
    f64s(dir, "mc_cum_short", &[check_runs, n], &mc_cs);
    let pol = &sc.policy;
    let meta = format!(
        "{{\"nodes\": {n}, \"edges\": {}, \"horizon\": {h}, \"release_when_short\": {}, \"max_release_share\": {:?}, \
         \"reroute\": {}, \"reroute_lag\": {}, \"reroute_ramp\": {}, \"recovery\": {}, \"priority_countries\": [], \
         \"check_runs\": {check_runs}, \"mc_runs\": {runs}}}\n",
        net.edge_from.len(),
        pol.release == Release::WhenShort,
        pol.max_release_share,
        pol.reroute,
        pol.reroute_lag,
        pol.reroute_ramp,
        pol.recovery
    );
    std::fs::write(dir.join("meta.json"), meta).unwrap();

    // Monte Carlo proper (streaming aggregation) on the rayon pool.
    let c0 = cpu_s("self");
    let t0 = Instant::now();
    let m = monte_carlo(&net, &sc, &groups, &|_, _| {}, &cancel).unwrap();
    let dt = t0.elapsed().as_secs_f64();
    let cpu = cpu_s("self") - c0;
    let mean_total: f64 = m.commodities.iter().map(|c| c.mean).sum();
    println!("rust_mc_runs {}", m.runs_done);
    println!("rust_mc_threads {}", rayon::current_num_threads());
    println!("rust_mc_s {dt:.4}");
    println!("rust_mc_updates_per_s {:.4e}", (n * h * m.runs_done) as f64 / dt);
    println!("rust_mc_updates_per_cpu_s {:.4e}", (n * h * m.runs_done) as f64 / cpu);
    println!("rust_mc_mean_total_shortfall {mean_total:.6}");
    // The same Monte Carlo on one thread: the per-core rate, and a check
    // that the result is the same bits whatever the thread count.
    if rayon::current_num_threads() > 1 {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let t0 = Instant::now();
        let m1 = pool.install(|| monte_carlo(&net, &sc, &groups, &|_, _| {}, &cancel).unwrap());
        let dt = t0.elapsed().as_secs_f64();
        println!("rust_mc1_s {dt:.4}");
        println!("rust_mc1_updates_per_s {:.4e}", (n * h * m1.runs_done) as f64 / dt);
        println!("rust_mc_same_bits_1_and_{}_threads {}", rayon::current_num_threads(), if m1 == m { "yes" } else { "NO" });
    }
}
