//! Time to survive (TTS), after Simchi-Levi, Schmidt, Wei et al.
//! ("From superstorms to factory fires", HBR 2014; "Identifying risks and
//! mitigating disruptions in the automotive supply chain", Interfaces 2015).
//!
//! For each producer node `j` (one country's output of one commodity-stage)
//! the TTS is the longest time `t` the rest of the network can keep meeting
//! all demand with node `j` removed from time 0: the other producers may run
//! at their full capacity and every country may draw its own stocks. It is a
//! linear program over totals for the interval `[0, t]` (the Simchi-Levi
//! aggregation: production and consumption over the interval are the rates
//! times `t`, so the timing within the interval does not matter):
//!
//! ```text
//! maximise    t
//! subject to  y_n <= cap_n * t                      for every producer n     (capacity)
//!             y_j  = 0                              the removed node         (removal)
//!             m_n + s_n >= d_n * t + sum_o q_on y_o  for every node n        (need)
//!             sum_{n in k} y_n >= sum_{n in k} m_n  for every commodity-stage k (market)
//!             0 <= t <= H,  y >= 0,  m >= 0
//! ```
//!
//! where, for node `n` = (country `c`, commodity-stage `k`) of a
//! [`Network`] (all quantities per period, in the commodity-stage's unit):
//! - `y_n`: output over `[0, t]`; `cap_n`: capacity per period (see below);
//! - `m_n`: what country `c` obtains of `k` from the market over `[0, t]`;
//! - `s_n`: the stock country `c` holds of `k` at time 0. Stocks serve only
//!   their holder's own need (a national stockpile is not sold abroad);
//! - `d_n`: final demand per period (the network's normal final demand:
//!   apparent consumption less what the country's own producers consume
//!   through recipes);
//! - `q_on`: recipe input of node `n` per unit of output of node `o` (the
//!   same country's producer of a downstream commodity-stage; bill of
//!   materials, so multi-tier shortages propagate: refiners can only produce
//!   what mined input the market and their stocks give them);
//! - market: within one commodity-stage, any producer can supply any country
//!   (trade is free to reroute; no lane or transport limits);
//! - `H`: the horizon cap (default 120 months). A TTS equal to `H` means "at
//!   least `H`": the removal causes no shortfall within the horizon (usually
//!   none ever: the rest's spare capacity covers the lost output).
//!
//! **Capacity** is the network's: the dataset's `capacity` row where there
//! is one (and not below production), else production x (1 + headroom).
//! The TTS command builds the network with headroom 0 by default, so where
//! the dataset has no capacity row a producer has no spare capacity.
//!
//! **Time to recover** (TTR) is an input per commodity-stage (a default and
//! overrides); nodes whose TTS < TTR are the exposure hot spots.
//!
//! The program is separable by the connected components of the recipe graph
//! over commodity-stages, so one model is built per component that holds a
//! removed node, solved once without removal (the baseline, which should be
//! `H` since normal production meets normal demand) and then once per
//! removal by changing the removed node's bounds to `[0, 0]` and back.
//! Nodes with no capacity are not removed (removing them changes nothing).
//! Numerically, each commodity-stage's quantities are divided by its largest
//! capacity or demand before they enter the program. Demand rates below
//! 1e-7 of that scale are dropped as noise. Producers with capacity below
//! 1e-7 of it ("negligible", mostly trade-inferred crumbs) get no variable
//! of their own: their capacity is pooled into their market row as a fixed
//! supply rate (at least 1e-7, which HiGHS still sees), so the exact balance
//! of normal supply and demand survives (with no stocks, losing even a
//! crumb of supply would read as a TTS of 0), and removing one of them
//! gives the baseline. A solve that fails with presolve is retried without
//! it.
//! Results are deterministic: fixed build order, fixed sort with tie-breaks.

use crate::network::Network;
use crate::scenario::{CommoditySel, NetworkSpec};
use lodestone_lp::{HighsSolver, LpError, Model, Row, Sense, SolveOptions, Solver, Var};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Default horizon cap, in periods (months).
pub const DEFAULT_HORIZON: f64 = 120.0;
/// Default time to recover, in periods (months).
pub const DEFAULT_TTR: f64 = 12.0;

/// Rates below this fraction of their commodity-stage's scale are
/// negligible (HiGHS drops coefficients below 1e-9 and struggles near it).
const NEGLIGIBLE: f64 = 1e-7;

/// A time-to-recover override for some commodity-stages.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TtrRule {
    pub commodity: CommoditySel,
    pub periods: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TtsOptions {
    /// Horizon cap `H`, in periods (> 0).
    pub horizon: f64,
    /// Time to recover where no rule applies, in periods.
    pub ttr: f64,
    /// Overrides. A rule naming one commodity-stage beats one naming a whole
    /// commodity; among equally specific rules the last wins.
    pub ttr_rules: Vec<TtrRule>,
}

impl Default for TtsOptions {
    fn default() -> TtsOptions {
        TtsOptions { horizon: DEFAULT_HORIZON, ttr: DEFAULT_TTR, ttr_rules: vec![] }
    }
}

impl TtsOptions {
    /// The time to recover of a commodity-stage.
    pub fn ttr_for(&self, key: &CommodityKey) -> f64 {
        let pick = |exact: bool| {
            self.ttr_rules
                .iter()
                .rev()
                .find(|r| matches!(r.commodity, CommoditySel::Key(_)) == exact && r.commodity.matches(key))
                .map(|r| r.periods)
        };
        pick(true).or_else(|| pick(false)).unwrap_or(self.ttr)
    }

    fn check(&self) -> Result<(), TtsError> {
        if !(self.horizon.is_finite() && self.horizon > 0.0) {
            return Err(TtsError::BadOption(format!("horizon {} must be a number > 0", self.horizon)));
        }
        let all = std::iter::once(self.ttr).chain(self.ttr_rules.iter().map(|r| r.periods));
        for v in all {
            if !(v.is_finite() && v >= 0.0) {
                return Err(TtsError::BadOption(format!("time to recover {v} must be a number >= 0")));
            }
            if v > self.horizon {
                return Err(TtsError::BadOption(format!(
                    "time to recover {v} is beyond the horizon {}: a TTS capped at the horizon could not be compared \
                     with it; raise the horizon",
                    self.horizon
                )));
            }
        }
        Ok(())
    }
}

/// The network specification the TTS uses: the dataset's latest year (or
/// `year`), the given commodity-stages (empty: all) closed under recipes,
/// `headroom` (spare capacity as a fraction of production where the dataset
/// has no capacity row; 0 means none) and `stock_months` (stock in months of
/// normal need where the dataset has no stockpile row; 0 means none).
pub fn network_spec(
    ds: &Dataset,
    keys: &[CommodityKey],
    year: Option<i32>,
    headroom: f64,
    stock_months: f64,
) -> NetworkSpec {
    let commodities = if keys.is_empty() {
        vec![]
    } else {
        recipe_closure(ds, keys).into_iter().map(CommoditySel::Key).collect()
    };
    NetworkSpec { year, commodities, headroom, stock_months, stocks: vec![] }
}

/// `keys` and every commodity-stage linked to them through recipes (inputs,
/// outputs, their other inputs, and so on), sorted.
pub fn recipe_closure(ds: &Dataset, keys: &[CommodityKey]) -> Vec<CommodityKey> {
    let mut set: BTreeSet<CommodityKey> = keys.iter().cloned().collect();
    loop {
        let before = set.len();
        for r in &ds.recipes {
            if set.contains(&r.output) || set.contains(&r.input) {
                set.insert(r.output.clone());
                set.insert(r.input.clone());
            }
        }
        if set.len() == before {
            break;
        }
    }
    set.into_iter().collect()
}

/// One removed node's result.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NodeTts {
    /// Node id in the network.
    pub node: usize,
    pub country: CountryCode,
    pub key: CommodityKey,
    /// Normal production per period.
    pub production: f64,
    /// Capacity per period.
    pub capacity: f64,
    /// Share of the commodity-stage's production in the network.
    pub share: f64,
    /// Time to survive in periods; equal to the horizon when `capped`.
    pub tts: f64,
    /// No shortfall within the horizon: the TTS is at least `tts`.
    pub capped: bool,
    /// Time to recover, in periods.
    pub ttr: f64,
    /// `tts < ttr`.
    pub hot_spot: bool,
    /// Commodity-stages whose market balance limits the TTS (a nonzero
    /// dual); empty when capped.
    pub binding: Vec<CommodityKey>,
}

/// A removed node's result as reports print it (`lodestone tts --format
/// json`, the server's `/api/v1/tts`): ranked, with names, unit and the
/// node's stock.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TtsRow {
    pub rank: usize,
    pub country: CountryCode,
    pub country_name: String,
    pub commodity: String,
    pub stage: String,
    pub unit: String,
    pub production: f64,
    pub capacity: f64,
    pub share: f64,
    pub stock: f64,
    pub tts: f64,
    pub capped: bool,
    pub ttr: f64,
    pub hot_spot: bool,
    pub binding: Vec<String>,
}

impl NodeTts {
    /// This result as the `rank`-th row (from 1).
    pub fn row(&self, ds: &lodestone_model::Dataset, net: &crate::Network, rank: usize) -> TtsRow {
        TtsRow {
            rank,
            country: self.country,
            country_name: ds.country_name(self.country).to_string(),
            commodity: self.key.commodity.clone(),
            stage: self.key.stage.clone(),
            unit: ds.commodity(&self.key).map_or_else(String::new, |c| c.unit.code.to_string()),
            production: self.production,
            capacity: self.capacity,
            share: self.share,
            stock: net.stock[self.node],
            tts: self.tts,
            capped: self.capped,
            ttr: self.ttr,
            hot_spot: self.hot_spot,
            binding: self.binding.iter().map(|k| k.to_string()).collect(),
        }
    }
}

/// The program without any removal, per recipe component.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Baseline {
    pub keys: Vec<CommodityKey>,
    pub tts: f64,
    pub capped: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TtsResult {
    pub horizon: f64,
    /// Removed nodes, ascending TTS (ties: larger production first, then
    /// node id).
    pub nodes: Vec<NodeTts>,
    /// Baselines of the components solved. Each should be capped; one that
    /// is not means normal demand cannot be met even without a removal.
    pub baseline: Vec<Baseline>,
    /// Nodes asked for that have no capacity and were not removed.
    pub skipped_no_capacity: usize,
    /// Linear programs solved (baselines included).
    pub lp_solves: usize,
    /// Stopped by the cancel flag: `nodes` holds those done.
    pub partial: bool,
}

#[derive(Debug)]
pub enum TtsError {
    BadOption(String),
    /// The model could not be built (a non-finite number reached it).
    Lp(LpError),
    /// The solver did not reach an optimum (the program is always feasible
    /// at t = 0 and bounded by the horizon, so this is a solver failure).
    Solver { what: String, status: String },
}

impl fmt::Display for TtsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TtsError::BadOption(m) => f.write_str(m),
            TtsError::Lp(e) => write!(f, "building the time-to-survive program: {e}"),
            TtsError::Solver { what, status } => write!(f, "time-to-survive program for {what}: {status}"),
        }
    }
}

impl std::error::Error for TtsError {}

impl From<LpError> for TtsError {
    fn from(e: LpError) -> TtsError {
        TtsError::Lp(e)
    }
}

/// Recipe-connected components of the network's commodity-stages:
/// `comp[k]` is the smallest key index in key `k`'s component.
pub fn components(net: &Network) -> Vec<usize> {
    let nk = net.keys.len();
    let mut parent: Vec<usize> = (0..nk).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for o in 0..net.len() {
        for l in net.rin_start[o] as usize..net.rin_start[o + 1] as usize {
            let a = find(&mut parent, net.key_of[o] as usize);
            let b = find(&mut parent, net.key_of[net.rin_node[l] as usize] as usize);
            let (lo, hi) = (a.min(b), a.max(b));
            parent[hi] = lo;
        }
    }
    (0..nk).map(|k| find(&mut parent, k)).collect()
}

/// The program for one component, kept for re-solving.
struct Lp {
    model: Model,
    t: Var,
    /// Output variable per node of the component (None: no capacity).
    y: Vec<(usize, Var)>,
    market: Vec<(usize, Row)>,
}

impl Lp {
    fn build(net: &Network, keys: &[usize], horizon: f64) -> Result<Lp, TtsError> {
        let mut m = Model::new();
        let t = m.add_continuous(0.0, horizon)?;
        m.set_objective(Sense::Maximize, t)?;
        let n = net.len();
        let in_comp = |i: usize| keys.binary_search(&(net.key_of[i] as usize)).is_ok();
        // Each commodity-stage's quantities are divided by its largest
        // capacity or demand, so that coefficients are O(1) whatever the
        // unit (tonnes of ore and kilograms of metal in one program), and
        // demand rates below NEGLIGIBLE of that scale (floating-point noise
        // from apparent consumption) are dropped; negligible producers are
        // pooled per market.
        let mut scale = vec![1.0; net.keys.len()];
        for &k in keys {
            let r = net.key_start[k] as usize..net.key_start[k + 1] as usize;
            let mx = r.map(|i| net.capacity[i].max(net.final_demand[i])).fold(0.0, f64::max);
            if mx > 0.0 && mx.is_finite() {
                scale[k] = mx;
            }
        }
        let sc = |i: usize| scale[net.key_of[i] as usize];
        let rate = |x: f64, i: usize| {
            let v = x / sc(i);
            if v < NEGLIGIBLE {
                0.0
            } else {
                v
            }
        };
        let mut yv: Vec<Option<Var>> = vec![None; n];
        let mut y = vec![];
        for &k in keys {
            let (a, b) = (net.key_start[k] as usize, net.key_start[k + 1] as usize);
            for (i, slot) in yv.iter_mut().enumerate().take(b).skip(a) {
                let c = rate(net.capacity[i], i);
                if c > 0.0 {
                    let v = m.add_continuous(0.0, f64::INFINITY)?;
                    m.add_row(f64::NEG_INFINITY, 0.0, &[(v, 1.0), (t, -c)])?;
                    *slot = Some(v);
                    y.push((i, v));
                }
            }
        }
        // Recipe use of each input node: (output var, quantity).
        let mut uses: Vec<Vec<(Var, f64)>> = vec![vec![]; n];
        for o in (0..n).filter(|&o| in_comp(o)) {
            if let Some(v) = yv[o] {
                for l in net.rin_start[o] as usize..net.rin_start[o + 1] as usize {
                    // In the input's scaled unit per the output's.
                    let q = net.rin_qty[l] * sc(o) / sc(net.rin_node[l] as usize);
                    if q > 0.0 {
                        uses[net.rin_node[l] as usize].push((v, q));
                    }
                }
            }
        }
        let mut market = vec![];
        for &k in keys {
            let mut terms: Vec<(Var, f64)> = vec![];
            // Negligible producers' capacity, pooled.
            let mut pooled = 0.0;
            for i in net.key_start[k] as usize..net.key_start[k + 1] as usize {
                if yv[i].is_none() && net.capacity[i] > 0.0 {
                    pooled += net.capacity[i] / sc(i);
                }
                if let Some(v) = yv[i] {
                    terms.push((v, 1.0));
                }
                let d = rate(net.final_demand[i], i);
                if d <= 0.0 && uses[i].is_empty() {
                    continue;
                }
                let mv = m.add_continuous(0.0, f64::INFINITY)?;
                let mut row = vec![(mv, 1.0)];
                if d > 0.0 {
                    row.push((t, -d));
                }
                row.extend(uses[i].iter().map(|&(v, q)| (v, -q)));
                m.add_row(-net.stock[i] / sc(i), f64::INFINITY, &row)?;
                terms.push((mv, -1.0));
            }
            if pooled > 0.0 {
                terms.push((t, pooled.max(NEGLIGIBLE)));
            }
            market.push((k, m.add_row(0.0, f64::INFINITY, &terms)?));
        }
        m.compress();
        Ok(Lp { model: m, t, y, market })
    }

    /// Solves; returns (tts, capped, binding key indices).
    fn solve(&self, horizon: f64, what: &dyn Fn() -> String) -> Result<(f64, bool, Vec<usize>), TtsError> {
        let opts = SolveOptions { threads: Some(1), ..SolveOptions::default() };
        let mut sol = HighsSolver.solve(&self.model, &opts);
        if !sol.status.is_optimal() {
            // Presolve occasionally trips on these degenerate programs;
            // the plain simplex is the fallback.
            sol = HighsSolver.solve(&self.model, &SolveOptions { presolve: false, ..opts });
        }
        if !sol.status.is_optimal() {
            return Err(TtsError::Solver { what: what(), status: sol.status.to_string() });
        }
        // Solver noise around 0 (and -0.0) reads as 0.
        let t = sol.value(self.t).unwrap_or(0.0).clamp(0.0, horizon);
        let t = if t < 1e-9 { 0.0 } else { t };
        let capped = t >= horizon * (1.0 - 1e-9);
        let binding = if capped {
            vec![]
        } else {
            self.market
                .iter()
                .filter(|&&(_, r)| sol.dual(r).is_some_and(|d| d.abs() > 1e-9))
                .map(|&(k, _)| k)
                .collect()
        };
        Ok((if capped { horizon } else { t }, capped, binding))
    }
}

/// Time to survive of each node in `removed` (node ids of `net`). Nodes
/// with no capacity are skipped (counted in `skipped_no_capacity`).
/// `progress(done, total)` is called after each removal is solved; setting
/// `cancel` stops before the next solve (the result is marked partial).
pub fn time_to_survive(
    net: &Network,
    removed: &[u32],
    opts: &TtsOptions,
    progress: &dyn Fn(usize, usize),
    cancel: &AtomicBool,
) -> Result<TtsResult, TtsError> {
    opts.check()?;
    let h = opts.horizon;
    let comp = components(net);
    let mut cand: Vec<usize> = removed.iter().map(|&i| i as usize).filter(|&i| i < net.len()).collect();
    cand.sort_unstable();
    cand.dedup();
    let skipped = cand.iter().filter(|&&i| net.capacity[i] <= 0.0).count();
    cand.retain(|&i| net.capacity[i] > 0.0);
    // Group by component (components in key order, nodes in id order).
    cand.sort_by_key(|&i| (comp[net.key_of[i] as usize], i));

    let mut total_prod = vec![0.0; net.keys.len()];
    for i in 0..net.len() {
        total_prod[net.key_of[i] as usize] += net.production[i];
    }
    let total = cand.len();
    let mut nodes = vec![];
    let mut baseline = vec![];
    let mut solves = 0;
    let mut partial = false;
    let mut at = 0;
    'outer: while at < cand.len() {
        let c = comp[net.key_of[cand[at]] as usize];
        let end = at + cand[at..].iter().take_while(|&&i| comp[net.key_of[i] as usize] == c).count();
        let keys: Vec<usize> = (0..net.keys.len()).filter(|&k| comp[k] == c).collect();
        if cancel.load(Ordering::Relaxed) {
            partial = true;
            break;
        }
        let mut lp = Lp::build(net, &keys, h)?;
        let names = || keys.iter().map(|&k| net.keys[k].to_string()).collect::<Vec<_>>().join(", ");
        let (bt, bc, bb) = lp.solve(h, &|| format!("{} without removal", names()))?;
        solves += 1;
        baseline.push(Baseline { keys: keys.iter().map(|&k| net.keys[k].clone()).collect(), tts: bt, capped: bc });
        for &j in &cand[at..end] {
            if cancel.load(Ordering::Relaxed) {
                partial = true;
                break 'outer;
            }
            let nd = &net.nodes[j];
            let (tts, capped, binding) = match lp.y.iter().find(|&&(i, _)| i == j) {
                Some(&(_, v)) => {
                    lp.model.set_var_bounds(v, 0.0, 0.0)?;
                    let r = lp.solve(h, &|| format!("{}:{} removed", nd.country, nd.key));
                    lp.model.set_var_bounds(v, 0.0, f64::INFINITY)?;
                    solves += 1;
                    r?
                }
                // A negligible producer: removing it leaves the baseline.
                None => (bt, bc, bb.clone()),
            };
            let k = net.key_of[j] as usize;
            let ttr = opts.ttr_for(&nd.key);
            nodes.push(NodeTts {
                node: j,
                country: nd.country,
                key: nd.key.clone(),
                production: net.production[j],
                capacity: net.capacity[j],
                share: if total_prod[k] > 0.0 { net.production[j] / total_prod[k] } else { 0.0 },
                tts,
                capped,
                ttr,
                hot_spot: tts < ttr,
                binding: binding.into_iter().map(|k| net.keys[k].clone()).collect(),
            });
            progress(nodes.len(), total);
        }
        at = end;
    }
    nodes.sort_by(|a, b| {
        a.tts.total_cmp(&b.tts).then(b.production.total_cmp(&a.production)).then(a.node.cmp(&b.node))
    });
    Ok(TtsResult { horizon: h, nodes, baseline, skipped_no_capacity: skipped, lp_solves: solves, partial })
}
