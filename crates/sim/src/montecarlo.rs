//! Monte Carlo over a scenario's disruption catalogue.
//!
//! Each run applies the scenario's fixed disruptions plus events drawn from
//! the catalogue: in every period, an event not already under way starts
//! with probability `1 - (1 - annual_probability)^(1 / periods per year)`
//! and lasts a drawn number of periods (rounded, at least 1). Run `r` draws
//! from its own stream `Rng::for_run(seed, r)`.
//!
//! Aggregation is streaming and deterministic: runs are computed in chunks
//! of [`CHUNK`] consecutive indices (in parallel on the current rayon pool),
//! and each chunk's results are folded into the aggregates in run order on
//! the calling thread. Per series (each node, and each commodity-stage's
//! world total) we keep the sum and the maximum (exact), the number of runs
//! with a shortfall (exact) and a [`Sketch`] for quantiles and CVaR (within
//! 1% relative). Memory is therefore independent of the number of runs:
//! one chunk of per-node results (CHUNK x nodes f64) plus the sketches.
//! The result is bit-for-bit the same for a given seed whatever the thread
//! count.

use crate::engine::{self, Compiled, Effect, Workspace};
use crate::network::Network;
use crate::rng::Rng;
use crate::scenario::{DurationDist, MonteCarloSpec, Scenario};
use crate::sketch::{Sketch, RELATIVE_ACCURACY};
use lodestone_model::{CommodityKey, CountryCode};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs per chunk (fixed, so results do not depend on the thread count).
pub const CHUNK: usize = 256;

/// The distribution of cumulative shortfall (over the horizon, in the
/// commodity-stage's unit) of one series across runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ShortfallStats {
    /// `None` for a commodity-stage's world total.
    pub country: Option<CountryCode>,
    pub key: CommodityKey,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// Mean of the worst 5% of runs.
    pub cvar95: f64,
    pub max: f64,
    /// Share of runs with any shortfall.
    pub probability_of_shortfall: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct McResult {
    pub seed: u64,
    pub runs_requested: usize,
    pub runs_done: usize,
    /// True when cancelled: the statistics cover the first `runs_done` runs.
    pub partial: bool,
    /// Relative accuracy of p50/p95/p99/CVaR (mean, max and probability are exact).
    pub quantile_relative_accuracy: f64,
    /// Per node (country x commodity-stage), in node order.
    pub nodes: Vec<ShortfallStats>,
    /// Per commodity-stage, the sum over countries, in processing order.
    pub commodities: Vec<ShortfallStats>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum McError {
    /// The scenario has no `[monte_carlo]` section.
    NoCatalogue,
}

impl std::fmt::Display for McError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the scenario has no [monte_carlo] section (runs, seed and events)")
    }
}

impl std::error::Error for McError {}

fn draw_duration(d: &DurationDist, rng: &mut Rng, horizon: usize) -> usize {
    let x = match *d {
        DurationDist::Fixed { periods } => periods,
        DurationDist::Uniform { min, max } => min + rng.next_f64() * (max - min),
        DurationDist::Triangular { min, mode, max } => {
            let u = rng.next_f64();
            if max <= min {
                min
            } else if u < (mode - min) / (max - min) {
                min + (u * (max - min) * (mode - min)).sqrt()
            } else {
                max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
            }
        }
        DurationDist::Lognormal { median, sigma } => median * (sigma * rng.normal()).exp(),
    };
    (x.round().max(1.0) as usize).min(horizon.max(1))
}

/// The effects of run `run`: the scenario's own, then drawn events.
pub fn sample_effects(
    spec: &MonteCarloSpec,
    base: &[Effect],
    first_event_target: usize,
    horizon: usize,
    per_year: f64,
    run: u64,
) -> Vec<Effect> {
    let mut rng = Rng::for_run(spec.seed, run);
    let mut out = base.to_vec();
    for (k, ev) in spec.events.iter().enumerate() {
        let p = 1.0 - (1.0 - ev.annual_probability).powf(1.0 / per_year);
        let mut t = 0;
        while t < horizon {
            if rng.next_f64() < p {
                let d = draw_duration(&ev.duration, &mut rng, horizon);
                out.push(Effect { target: first_event_target + k, start: t, end: t + d });
                t += d;
            } else {
                t += 1;
            }
        }
    }
    out
}

struct Agg {
    sum: f64,
    max: f64,
    any: u64,
    sketch: Sketch,
}

impl Agg {
    fn new() -> Agg {
        Agg { sum: 0.0, max: 0.0, any: 0, sketch: Sketch::new() }
    }
    fn add(&mut self, x: f64) {
        self.sum += x;
        self.max = self.max.max(x);
        if x > 0.0 {
            self.any += 1;
        }
        self.sketch.insert(x);
    }
    fn stats(&self, country: Option<CountryCode>, key: CommodityKey, n: usize) -> ShortfallStats {
        let nf = n.max(1) as f64;
        ShortfallStats {
            country,
            key,
            mean: self.sum / nf,
            p50: self.sketch.quantile(0.50),
            p95: self.sketch.quantile(0.95),
            p99: self.sketch.quantile(0.99),
            cvar95: self.sketch.cvar(0.95),
            max: self.max,
            probability_of_shortfall: self.any as f64 / nf,
        }
    }
}

/// Runs the scenario's Monte Carlo on the current rayon thread pool (build
/// a `rayon::ThreadPool` and `install` to choose the thread count).
/// `progress(runs done, runs)` is called on the calling thread after each
/// chunk; setting `cancel` stops early with `partial: true`.
pub fn monte_carlo(
    net: &Network,
    sc: &Scenario,
    groups: &(dyn Fn(&str) -> Vec<CountryCode> + Sync),
    progress: &dyn Fn(usize, usize),
    cancel: &AtomicBool,
) -> Result<McResult, McError> {
    let spec = sc.monte_carlo.as_ref().ok_or(McError::NoCatalogue)?;
    let mut compiled: Compiled = engine::compile(net, sc, groups);
    let first = compiled.targets.len();
    for ev in &spec.events {
        compiled.targets.push(engine::resolve(net, &ev.kind, groups));
    }
    let n = net.len();
    let nk = net.keys.len();
    let per_year = sc.period.per_year();
    let mut node_agg: Vec<Agg> = (0..n).map(|_| Agg::new()).collect();
    let mut key_agg: Vec<Agg> = (0..nk).map(|_| Agg::new()).collect();
    let mut done = 0usize;
    let mut cancelled = false;
    let noop = |_: usize, _: usize| {};
    while done < spec.runs && !cancelled {
        let end = (done + CHUNK).min(spec.runs);
        let results: Vec<Option<Vec<f64>>> = (done..end)
            .into_par_iter()
            .map_init(
                || Workspace::new(net),
                |ws, r| {
                    if cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let effects = sample_effects(spec, &compiled.effects, first, sc.horizon, per_year, r as u64);
                    // The period loop alone: Monte Carlo keeps only the
                    // cumulative shortfall, not the per-node summary.
                    let periods = engine::run_periods(net, &compiled, &effects, ws, None, &noop, cancel);
                    (periods == sc.horizon).then(|| ws.cum_short.clone())
                },
            )
            .collect();
        for r in results {
            let Some(v) = r else {
                cancelled = true;
                break;
            };
            for (k, agg) in key_agg.iter_mut().enumerate() {
                let (a, b) = (net.key_start[k] as usize, net.key_start[k + 1] as usize);
                let mut tot = 0.0;
                for i in a..b {
                    node_agg[i].add(v[i]);
                    tot += v[i];
                }
                agg.add(tot);
            }
            done += 1;
        }
        progress(done, spec.runs);
        if cancel.load(Ordering::Relaxed) {
            cancelled = true;
        }
    }
    Ok(McResult {
        seed: spec.seed,
        runs_requested: spec.runs,
        runs_done: done,
        partial: done < spec.runs,
        quantile_relative_accuracy: RELATIVE_ACCURACY,
        nodes: (0..n).map(|i| node_agg[i].stats(Some(net.nodes[i].country), net.nodes[i].key.clone(), done)).collect(),
        commodities: (0..nk).map(|k| key_agg[k].stats(None, net.keys[k].clone(), done)).collect(),
    })
}
