//! Monte Carlo: reproducible whatever the thread count; cancellable.

use lodestone_model::{CommodityKey, CountryCode};
use lodestone_sim::scenario::*;
use lodestone_sim::*;
use std::sync::atomic::{AtomicBool, Ordering};

fn setup(runs: usize) -> (Network, Scenario) {
    // Synthetic network (generated, not data): 4 commodity-stages x 20 countries.
    let net = Network::synthetic(4, 20, 3, 11, Period::Month);
    let mut sc = Scenario::new("mc", 24);
    let c = |s: &str| CountryCode::parse(s).unwrap();
    let k = |i: usize| CommoditySel::Key(CommodityKey::new(format!("syn{i}"), "stage"));
    let events = vec![
        CatalogueEvent {
            name: "AA ban".into(),
            annual_probability: 0.3,
            duration: DurationDist::Triangular { min: 1.0, mode: 3.0, max: 8.0 },
            kind: DisruptionKind::ExportRestriction { country: c("AA"), commodity: k(0), share: 0.8, exempt_group: None },
        },
        CatalogueEvent {
            name: "AB outage".into(),
            annual_probability: 0.2,
            duration: DurationDist::Lognormal { median: 3.0, sigma: 0.6 },
            kind: DisruptionKind::Outage { country: c("AB"), commodity: CommoditySel::AllStages("syn1".into()), share: 0.7 },
        },
        CatalogueEvent {
            name: "AC demand".into(),
            annual_probability: 0.5,
            duration: DurationDist::Uniform { min: 1.0, max: 4.0 },
            kind: DisruptionKind::DemandShock { country: c("AC"), commodity: k(2), factor: 1.8 },
        },
    ];
    sc.monte_carlo = Some(MonteCarloSpec { runs, seed: 42, events });
    (net, sc)
}

fn groups(_: &str) -> Vec<CountryCode> {
    vec![]
}

fn run_with(threads: usize, runs: usize) -> McResult {
    let (net, sc) = setup(runs);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| monte_carlo(&net, &sc, &groups, &|_, _| {}, &AtomicBool::new(false)).unwrap())
}

#[test]
fn same_seed_same_result_with_1_and_4_threads() {
    // 600 runs: two full chunks of 256 and a partial one.
    let a = run_with(1, 600);
    let b = run_with(4, 600);
    assert_eq!(a, b);
    assert_eq!(a.runs_done, 600);
    assert!(!a.partial);
    // Bitwise, not just ==: compare the bits of every mean.
    for (x, y) in a.nodes.iter().zip(&b.nodes) {
        assert_eq!(x.mean.to_bits(), y.mean.to_bits());
        assert_eq!(x.cvar95.to_bits(), y.cvar95.to_bits());
    }
    // The catalogue does cause shortfalls somewhere, with sane statistics.
    let worst = a.commodities.iter().max_by(|x, y| x.mean.total_cmp(&y.mean)).unwrap();
    assert!(worst.mean > 0.0 && worst.probability_of_shortfall > 0.0);
    for s in a.nodes.iter().chain(&a.commodities) {
        assert!(s.p50 <= s.p95 * (1.0 + 1e-12) && s.p95 <= s.p99 * (1.0 + 1e-12));
        assert!(s.p99 <= s.max * 1.0101 && s.cvar95 <= s.max * 1.0101 && s.cvar95 + 1e-12 >= s.mean.min(s.p95) * 0.99);
    }
    // Another seed gives another answer.
    let (net, mut sc) = setup(600);
    sc.monte_carlo.as_mut().unwrap().seed = 43;
    let c = monte_carlo(&net, &sc, &groups, &|_, _| {}, &AtomicBool::new(false)).unwrap();
    assert_ne!(a.commodities, c.commodities);
}

#[test]
fn cancel_gives_partial_results() {
    let (net, sc) = setup(5000);
    let cancel = AtomicBool::new(false);
    // Cancel from the progress callback after the first chunk.
    let progress = |done: usize, _: usize| {
        if done >= 256 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let r = monte_carlo(&net, &sc, &groups, &progress, &cancel).unwrap();
    assert!(r.partial);
    assert_eq!(r.runs_done, 256);
    assert_eq!(r.runs_requested, 5000);
    // The partial result equals a full run of the first 256 runs.
    let (net, mut sc) = setup(256);
    sc.monte_carlo.as_mut().unwrap().runs = 256;
    let full = monte_carlo(&net, &sc, &groups, &|_, _| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(full.nodes, r.nodes);
}

#[test]
fn no_catalogue_is_an_error() {
    let (net, mut sc) = setup(10);
    sc.monte_carlo = None;
    assert_eq!(monte_carlo(&net, &sc, &groups, &|_, _| {}, &AtomicBool::new(false)), Err(McError::NoCatalogue));
}
