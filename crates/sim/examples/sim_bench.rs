//! Throughput on a SYNTHETIC network (generated, not data): 50
//! commodity-stages x 100 countries = 5,000 nodes, 5 export edges per
//! producing node, recipes between consecutive stages, 120 monthly periods.
//! Prints node-period updates per second for single runs and for a Monte
//! Carlo on the current number of rayon threads (RAYON_NUM_THREADS).
//!
//! cargo run --release -p lodestone-sim --example sim_bench

use lodestone_model::{CommodityKey, CountryCode};
use lodestone_sim::scenario::*;
use lodestone_sim::*;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn main() {
    let net = Network::synthetic(50, 100, 5, 7, Period::Month);
    let h = 120;
    let mut sc = Scenario::new("bench", h);
    let c = |s: &str| CountryCode::parse(s).unwrap();
    sc.disruptions.push(Disruption {
        name: "ban".into(),
        start: 6,
        duration: 24,
        kind: DisruptionKind::ExportRestriction {
            country: c("AA"),
            commodity: CommoditySel::Key(CommodityKey::new("syn0", "stage")),
            share: 1.0,
            exempt_group: None,
        },
    });
    let groups = |_: &str| -> Vec<CountryCode> { vec![] };
    let comp = compile(&net, &sc, &groups);
    let cancel = AtomicBool::new(false);
    println!("synthetic network: {} nodes, {} edges, {} periods", net.len(), net.edge_from.len(), h);
    let reps = 20;
    let t0 = Instant::now();
    let mut chk = 0.0;
    for _ in 0..reps {
        let r = simulate(&net, &comp, Record::Summary, &|_, _| {}, &cancel);
        chk += r.nodes.iter().map(|n| n.cumulative_shortfall).sum::<f64>();
    }
    let dt = t0.elapsed().as_secs_f64();
    let upd = (net.len() * h * reps) as f64;
    println!("single runs (Summary, 1 thread): {:.3e} node-period updates/s ({:.2} ms/run; checksum {chk:.3})", upd / dt, dt / reps as f64 * 1e3);
    let t0 = Instant::now();
    let r = simulate(&net, &comp, Record::Full, &|_, _| {}, &cancel);
    let dt = t0.elapsed().as_secs_f64();
    println!("single run (Full series, 1 thread): {:.3e} node-period updates/s", (net.len() * h) as f64 / dt);
    drop(r);

    let runs = 512;
    let events = vec![
        CatalogueEvent {
            name: "ban".into(),
            annual_probability: 0.2,
            duration: DurationDist::Triangular { min: 2.0, mode: 6.0, max: 18.0 },
            kind: DisruptionKind::ExportRestriction {
                country: c("AB"),
                commodity: CommoditySel::AllStages("syn3".into()),
                share: 0.8,
                exempt_group: None,
            },
        },
        CatalogueEvent {
            name: "outage".into(),
            annual_probability: 0.3,
            duration: DurationDist::Lognormal { median: 3.0, sigma: 0.5 },
            kind: DisruptionKind::Outage { country: c("AC"), commodity: CommoditySel::AllStages("syn1".into()), share: 0.6 },
        },
    ];
    sc.monte_carlo = Some(MonteCarloSpec { runs, seed: 1, events });
    let t0 = Instant::now();
    let m = monte_carlo(&net, &sc, &groups, &|_, _| {}, &cancel).unwrap();
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "Monte Carlo: {} runs on {} threads: {:.3e} node-period updates/s ({:.2} s)",
        m.runs_done,
        rayon::current_num_threads(),
        (net.len() * h * runs) as f64 / dt,
        dt
    );
}
