//! The period-by-period engine.
//!
//! Each period `t`, for each commodity-stage in processing order (recipe
//! inputs first), for each of its nodes `n`:
//!
//! 1. **capacity** `cap0 x (1 - outage share)`; **target** output
//!    `min(capacity, normal production + rerouting orders)`;
//! 2. **production** `P = target x min over recipe inputs of the share of
//!    the input node's recipe need it delivered this period` (inputs are
//!    processed first);
//! 3. **supply** `S = P + A`, where `A` is what arrived: shipments leave in
//!    period t and arrive in t + 1 (one period in transit; the pipeline is
//!    full at t = 0);
//! 4. **claims** on `S`: domestic need `N` (final demand x demand shock +
//!    recipe need of the country's producers), each export edge's normal
//!    flow x (1 - withheld share) x (1 - blocked share), and rerouting orders
//!    placed on it; if `S` falls short, claims are served **pro rata**, or
//!    with a **priority group** first (domestic need counts as the
//!    exporter's own country);
//! 5. **stock draw** `D = min(N - domestic allocation, max_release_share x
//!    stock)` when the release rule allows; leftover supply refills stock up
//!    to its initial level (`B`), the rest is **unsold** `U` (output whose
//!    buyers were cut off);
//! 6. deliveries `Y = domestic allocation + D` are split pro rata between
//!    final demand and recipe need; **shortfall** = final demand not met;
//! 7. **rerouting**: a node short before stock draws for more than
//!    `reroute_lag` periods asks for `ramp x gap` (the ramp grows by
//!    1/`reroute_ramp` a period); at the end of the period each
//!    commodity-stage's requests are matched to its nodes' spare capacity
//!    (capacity - production other than rerouting orders, less any withheld
//!    export share), pro rata;
//!    the suppliers produce and ship the extra in t + 1 and it arrives in
//!    t + 2, shared among the requesting buyers pro rata to their requests.
//!
//! Mass balance per node and period (checked in tests):
//! `P + A + D = Y + X + B + U`, where X is everything shipped (normal edges
//! and rerouted); and across the network, what ships in t arrives in t + 1.
//!
//! Monotonicity (property-tested): with rerouting off, a deeper or longer
//! capacity outage (not on a producer with recipe inputs) or demand shock
//! never lowers any node's shortfall in any period, under either allocation
//! rule. Totals over nodes can fall when a disruption grows (freed recipe
//! inputs, a short exporter keeping what it withholds, rerouting, the
//! horizon's end): docs/scenarios.md, "Reading totals".

use crate::network::Network;
use crate::scenario::{Allocation, Disruption, DisruptionKind, Policy, Release, Scenario};
use lodestone_model::{CommodityKey, CountryCode};
use std::sync::atomic::{AtomicBool, Ordering};

/// What to keep from a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// Per node only: cumulative shortfall, time to survive, recovery.
    Summary,
    /// Also every per-period, per-node series (including the balance terms).
    Full,
}

/// A disruption resolved to node and edge ids.
#[derive(Clone, Debug)]
pub enum Target {
    /// Capacity multiplied by 1 - share x intensity.
    Capacity { nodes: Vec<u32>, share: f64 },
    /// Edge flows multiplied by 1 - share x intensity; spare capacity of
    /// `nodes` (the restricting exporters) likewise.
    Edges { edges: Vec<u32>, nodes: Vec<u32>, share: f64 },
    /// Final demand multiplied by 1 + (factor - 1) x intensity.
    Demand { nodes: Vec<u32>, factor: f64 },
}

/// A resolved disruption in time: active in `start .. end`, fading out over
/// the policy's recovery periods after.
#[derive(Clone, Debug)]
pub struct Effect {
    pub target: usize,
    pub start: usize,
    pub end: usize,
}

/// Resolves a disruption kind against the network. Unresolvable parts
/// (a country with no node for the commodity) resolve to nothing.
pub fn resolve(net: &Network, kind: &DisruptionKind, groups: &dyn Fn(&str) -> Vec<CountryCode>) -> Target {
    match kind {
        DisruptionKind::Outage { country, commodity, share } => {
            Target::Capacity { nodes: net.select(*country, commodity), share: *share }
        }
        DisruptionKind::DemandShock { country, commodity, factor } => {
            Target::Demand { nodes: net.select(*country, commodity), factor: *factor }
        }
        DisruptionKind::ExportRestriction { country, commodity, share, exempt_group } => {
            let nodes = net.select(*country, commodity);
            let exempt = exempt_group.as_deref().map(groups).unwrap_or_default();
            let mut edges = vec![];
            for &n in &nodes {
                for e in net.out_start[n as usize]..net.out_start[n as usize + 1] {
                    let to = net.nodes[net.edge_to[e as usize] as usize].country;
                    if !exempt.contains(&to) {
                        edges.push(e);
                    }
                }
            }
            Target::Edges { edges, nodes, share: *share }
        }
        DisruptionKind::RouteClosure { flows, commodity, share, .. } => {
            let nc = net.countries.len();
            let mut pairs = vec![false; nc * nc];
            let ci = |c: &CountryCode| net.countries.binary_search(c).ok();
            for f in flows {
                for a in f.from.iter().filter_map(ci) {
                    for b in f.to.iter().filter_map(ci) {
                        pairs[a * nc + b] = true;
                    }
                }
            }
            let edges = (0..net.edge_from.len() as u32)
                .filter(|&e| {
                    let (f, t) = (net.edge_from[e as usize] as usize, net.edge_to[e as usize] as usize);
                    pairs[net.country_of[f] as usize * nc + net.country_of[t] as usize]
                        && commodity.as_ref().is_none_or(|s| s.matches(&net.nodes[f].key))
                })
                .collect();
            Target::Edges { edges, nodes: vec![], share: *share }
        }
    }
}

/// A scenario event that touches nothing in the network (see [`inert`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Inert {
    /// The disruption's or catalogue event's name.
    pub event: String,
    /// Why it changes nothing.
    pub reason: &'static str,
}

/// The scenario's disruptions and catalogue events that can change nothing,
/// or almost nothing, in this network, each with the reason: an outage or a
/// demand shock on a country and commodity-stage with no capacity or no
/// final demand in it, an export restriction or route closure with no trade
/// flow to withhold or block (a commodity-stage known only from production
/// has no trade, and without recipes nothing links mining to refining, so an
/// export ban there changes nothing). Meant for warnings: such an event is
/// valid, but its results are all zero. Fixed disruptions first, then
/// catalogue events, each in file order.
pub fn inert_events(net: &Network, sc: &Scenario, groups: &dyn Fn(&str) -> Vec<CountryCode>) -> Vec<Inert> {
    let named = sc.disruptions.iter().map(|d| (&d.name, &d.kind));
    let events = sc.monte_carlo.iter().flat_map(|m| m.events.iter().map(|e| (&e.name, &e.kind)));
    named
        .chain(events)
        .filter_map(|(name, kind)| {
            let reason = match resolve(net, kind, groups) {
                Target::Capacity { nodes, .. } if nodes.iter().all(|&i| net.capacity[i as usize] <= 0.0) => {
                    "no capacity for that commodity-stage in that country in the network"
                }
                Target::Demand { nodes, .. } if nodes.iter().all(|&i| net.final_demand[i as usize] <= 0.0) => {
                    "no final demand for that commodity-stage in that country in the network"
                }
                Target::Edges { edges, nodes, .. } if edges.is_empty() => {
                    if nodes.is_empty() {
                        "no trade flow in the network to withhold or block"
                    } else {
                        "the country has no exports of that commodity-stage in the network to withhold \
                         (only its spare capacity for rerouting is limited)"
                    }
                }
                _ => return None,
            };
            Some(Inert { event: name.clone(), reason })
        })
        .collect()
}

/// [`inert_events`] as one line each: `` `name`: reason ``.
pub fn inert(net: &Network, sc: &Scenario, groups: &dyn Fn(&str) -> Vec<CountryCode>) -> Vec<String> {
    inert_events(net, sc, groups).into_iter().map(|w| format!("`{}`: {}", w.event, w.reason)).collect()
}

/// Intensity of an effect in period t: 1 while active, then a linear fade
/// over `recovery` periods (`1 - k / (recovery + 1)` in the k-th period
/// after the end), then 0.
pub fn intensity(start: usize, end: usize, recovery: usize, t: usize) -> f64 {
    if t < start {
        0.0
    } else if t < end {
        1.0
    } else if t < end + recovery {
        1.0 - (t - end + 1) as f64 / (recovery + 1) as f64
    } else {
        0.0
    }
}

/// Per-period, per-node series (index `t * nodes + n`), kept with
/// [`Record::Full`].
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Series {
    pub production: Vec<f64>,
    pub arrivals: Vec<f64>,
    pub stock_draw: Vec<f64>,
    /// Delivered to domestic use (including stock draws): "supply".
    pub delivered: Vec<f64>,
    pub exported: Vec<f64>,
    pub stock_build: Vec<f64>,
    pub unsold: Vec<f64>,
    /// Final demand (after demand shocks).
    pub demand: Vec<f64>,
    /// Domestic need: final demand + recipe need.
    pub need: Vec<f64>,
    /// Stock at the end of the period.
    pub stock: Vec<f64>,
    pub shortfall: Vec<f64>,
}

/// Per-node results of a run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NodeSummary {
    pub country: CountryCode,
    pub key: CommodityKey,
    pub cumulative_shortfall: f64,
    pub cumulative_demand: f64,
    /// Periods until the first shortfall; `None`: none within the horizon.
    pub time_to_survive: Option<usize>,
    /// Periods from the end of the last disruption until the node has no
    /// more shortfall; `Some(0)` if it had none after that end, `None` if it
    /// is still short at the horizon or never was short.
    pub recovery_time: Option<usize>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SimResult {
    pub horizon: usize,
    /// Periods actually simulated (less than `horizon` if cancelled).
    pub periods_done: usize,
    pub partial: bool,
    pub nodes: Vec<NodeSummary>,
    /// Node ids with a shortfall, first to fail first (by time to survive,
    /// then larger cumulative shortfall, then node id).
    pub first_to_fail: Vec<usize>,
    /// End (exclusive) of the last disruption; recovery is counted from it.
    pub disruption_end: usize,
    pub series: Option<Series>,
}

/// Per-node working state, one record per node (128 bytes: two cache lines),
/// so that the node loop walks one array instead of fifteen.
#[derive(Clone, Copy, Debug, Default)]
struct Hot {
    /// Spare capacity for rerouting, once the node has been processed.
    target: f64,
    /// Rerouting orders to produce this period (placed last period).
    extra: f64,
    /// Capacity, final demand and spare-capacity multiplier after effects.
    cap: f64,
    fin: f64,
    spare_mult: f64,
    production: f64,
    stock0: f64,
    /// Shortfall threshold: 1e-9 x normal final demand.
    tol: f64,
    stock: f64,
    /// Rerouted volume arriving this period.
    rr: f64,
    req: f64,
    req_prev: f64,
    cum_short: f64,
    cum_demand: f64,
    short_run: u32,
    first: u32,
    last: u32,
}

/// Reusable working arrays for one run (one per worker thread in Monte Carlo).
#[derive(Clone, Debug)]
pub struct Workspace {
    hot: Vec<Hot>,
    arr_cur: Vec<f64>,
    arr_next: Vec<f64>,
    ratio: Vec<f64>,
    recipe_need: Vec<f64>,
    /// Nodes with recipe inputs.
    recipe_out: Vec<u32>,
    cap_mult: Vec<f64>,
    dem_mult: Vec<f64>,
    spare_mult: Vec<f64>,
    edge_mult: Vec<f64>,
    /// Edge flows after effects, recomputed only for the edges effects touch
    /// in periods where some effect's intensity changed.
    flow_eff: Vec<f64>,
    /// Each effect's intensity in the previous period (NaN: none yet).
    intensities: Vec<f64>,
    in_group: Vec<bool>,
    /// Under a priority rule: whether a node's own country, and an edge's
    /// importer, is in the group.
    node_pri: Vec<bool>,
    edge_pri: Vec<bool>,
    /// Cumulative shortfall per node after a run.
    pub cum_short: Vec<f64>,
    cum_demand: Vec<f64>,
    first_short: Vec<u32>,
    last_short: Vec<u32>,
    /// Node classes (see `classify`): per commodity-stage, producers
    /// `prod[prod_start[k]..prod_start[k + 1]]` and consumers likewise
    /// (offsets from the stage's first node); whether the stage may be
    /// processed by class; whether its rerouting fields are all zero.
    prod: Vec<u32>,
    prod_start: Vec<u32>,
    cons: Vec<u32>,
    cons_start: Vec<u32>,
    split: Vec<bool>,
    quiet: Vec<bool>,
    flags: Vec<u8>,
    plain: bool,
}

const NONE: u32 = u32::MAX;

impl Workspace {
    pub fn new(net: &Network) -> Workspace {
        let n = net.len();
        let m = net.edge_flow.len();
        let z = vec![0.0; n];
        Workspace {
            hot: vec![Hot::default(); n],
            arr_cur: z.clone(),
            arr_next: z.clone(),
            ratio: z.clone(),
            recipe_need: z.clone(),
            recipe_out: vec![],
            cap_mult: vec![1.0; n],
            dem_mult: vec![1.0; n],
            spare_mult: vec![1.0; n],
            edge_mult: vec![1.0; m],
            flow_eff: vec![0.0; m],
            intensities: vec![],
            in_group: vec![false; net.countries.len()],
            node_pri: vec![false; n],
            edge_pri: vec![false; m],
            cum_short: z.clone(),
            cum_demand: z,
            first_short: vec![NONE; n],
            last_short: vec![NONE; n],
            prod: vec![],
            prod_start: vec![],
            cons: vec![],
            cons_start: vec![],
            split: vec![],
            quiet: vec![],
            flags: vec![],
            plain: false,
        }
    }

    /// With `true`, every commodity-stage is processed as one loop over its
    /// nodes in order, each as a producer: the plain form of the model,
    /// which the default (nodes by class, idle ones skipped) must match to
    /// the bit. For tests and benchmarks.
    pub fn set_plain(&mut self, plain: bool) {
        self.plain = plain;
    }
}

/// A scenario's deterministic disruptions resolved against a network.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub targets: Vec<Target>,
    pub effects: Vec<Effect>,
    pub policy: Policy,
    pub horizon: usize,
    /// Country ids of the priority group (empty under pro rata).
    pub priority: Vec<u32>,
}

/// Resolves a scenario's disruptions (not its Monte Carlo catalogue).
pub fn compile(net: &Network, sc: &Scenario, groups: &dyn Fn(&str) -> Vec<CountryCode>) -> Compiled {
    let mut targets = vec![];
    let mut effects = vec![];
    for d in &sc.disruptions {
        effects.push(effect_of(d, targets.len()));
        targets.push(resolve(net, &d.kind, groups));
    }
    let priority = match &sc.policy.allocation {
        Allocation::ProRata => vec![],
        Allocation::Priority(g) => {
            groups(g).iter().filter_map(|c| net.countries.binary_search(c).ok().map(|i| i as u32)).collect()
        }
    };
    Compiled { targets, effects, policy: sc.policy.clone(), horizon: sc.horizon, priority }
}

fn effect_of(d: &Disruption, target: usize) -> Effect {
    Effect { target, start: d.start, end: d.start + d.duration }
}

/// Runs one deterministic scenario. `progress(done, total)` is called after
/// each period; setting `cancel` stops at the next period and returns what
/// was computed, marked partial.
pub fn simulate(
    net: &Network,
    c: &Compiled,
    record: Record,
    progress: &dyn Fn(usize, usize),
    cancel: &AtomicBool,
) -> SimResult {
    let mut ws = Workspace::new(net);
    run(net, c, &c.effects, &mut ws, record, progress, cancel)
}

/// The engine proper, over given effects (Monte Carlo passes each run's).
pub fn run(
    net: &Network,
    c: &Compiled,
    effects: &[Effect],
    ws: &mut Workspace,
    record: Record,
    progress: &dyn Fn(usize, usize),
    cancel: &AtomicBool,
) -> SimResult {
    let n = net.len();
    let h = c.horizon;
    let mut series = (record == Record::Full).then(|| {
        let z = vec![0.0; n * h];
        Series {
            production: z.clone(),
            arrivals: z.clone(),
            stock_draw: z.clone(),
            delivered: z.clone(),
            exported: z.clone(),
            stock_build: z.clone(),
            unsold: z.clone(),
            demand: z.clone(),
            need: z.clone(),
            stock: z.clone(),
            shortfall: z,
        }
    });
    let done = run_periods(net, c, effects, ws, series.as_mut(), progress, cancel);

    let disruption_end = effects.iter().map(|e| e.end).max().unwrap_or(0);
    let nodes: Vec<NodeSummary> = (0..n)
        .map(|i| {
            let f = ws.first_short[i];
            let l = ws.last_short[i];
            let recovery_time = if f == NONE || (done == h && l as usize + 1 == h) {
                None
            } else if (l as usize) < disruption_end {
                Some(0)
            } else {
                Some(l as usize + 1 - disruption_end)
            };
            NodeSummary {
                country: net.nodes[i].country,
                key: net.nodes[i].key.clone(),
                cumulative_shortfall: ws.cum_short[i],
                cumulative_demand: ws.cum_demand[i],
                time_to_survive: (f != NONE).then_some(f as usize),
                recovery_time,
            }
        })
        .collect();
    let mut first_to_fail: Vec<usize> = (0..n).filter(|&i| ws.first_short[i] != NONE).collect();
    first_to_fail.sort_by(|&a, &b| {
        ws.first_short[a]
            .cmp(&ws.first_short[b])
            .then(ws.cum_short[b].total_cmp(&ws.cum_short[a]))
            .then(a.cmp(&b))
    });
    SimResult {
        horizon: h,
        periods_done: done,
        partial: done < h,
        nodes,
        first_to_fail,
        disruption_end,
        series,
    }
}

/// The period loop of [`run`] without building the per-node summary (what
/// Monte Carlo needs: the cumulative shortfall stays in
/// `ws.cum_short`). Returns the number of periods simulated (less than the
/// horizon if cancelled).
///
/// Layout and cost: the per-node state a period reads and writes is one
/// 128-byte record per node (`Hot`), walked in node order; edges and recipe
/// inputs are compressed rows; arrivals are one flat array (scattered into
/// by exporters). Effect multipliers and the products they feed (capacity,
/// final demand, edge flows) are recomputed only in periods where an
/// effect's intensity changes, and only where the effects touch. The node
/// loop of a commodity-stage is compiled once per combination of the run's
/// rules (priority or pro rata, recipes, series), so it tests none of them
/// per node. Within a stage, producers are processed first, then consumers
/// (no capacity, exports or recipe inputs) with their zero terms left out,
/// and idle nodes (nothing at all, ever) are skipped (`classify`; the same
/// bits as the plain loop in node order, `Workspace::set_plain`, checked by
/// a property test and by the benchmark). Nothing is allocated inside the
/// loop. The arithmetic, and the
/// order of every sum, is that of the model as documented at the top of
/// this module: results are the same bits as a plain transcription (checked
/// against the earlier, plain engine with a fingerprint of every series:
/// `stress_bench`). Profile and timings: `docs/benchmarks.md`.
pub fn run_periods(
    net: &Network,
    c: &Compiled,
    effects: &[Effect],
    ws: &mut Workspace,
    mut series: Option<&mut Series>,
    progress: &dyn Fn(usize, usize),
    cancel: &AtomicBool,
) -> usize {
    let n = net.len();
    let m = net.edge_flow.len();
    let h = c.horizon;
    let pol = &c.policy;

    // Reset the workspace.
    for i in 0..n {
        ws.hot[i] = Hot {
            production: net.production[i],
            stock0: net.stock[i],
            stock: net.stock[i],
            tol: 1e-9 * net.final_demand[i].max(1e-300),
            first: NONE,
            last: NONE,
            ..Hot::default()
        };
    }
    ws.arr_cur.fill(0.0);
    for e in 0..m {
        ws.arr_cur[net.edge_to[e] as usize] += net.edge_flow[e];
    }
    ws.cap_mult.fill(1.0);
    ws.dem_mult.fill(1.0);
    ws.spare_mult.fill(1.0);
    ws.edge_mult.fill(1.0);
    ws.intensities.clear();
    ws.intensities.resize(effects.len(), f64::NAN);
    ws.in_group.fill(false);
    for &g in &c.priority {
        ws.in_group[g as usize] = true;
    }
    let priority = !c.priority.is_empty();
    if priority {
        for i in 0..n {
            ws.node_pri[i] = ws.in_group[net.country_of[i] as usize];
        }
        for e in 0..m {
            ws.edge_pri[e] = ws.in_group[net.country_of[net.edge_to[e] as usize] as usize];
        }
    }
    let release = pol.release == Release::WhenShort;
    let max_release = pol.max_release_share;
    let reroute = pol.reroute;
    let lag = pol.reroute_lag;
    let ramp = pol.reroute_ramp as f64;
    let has_recipes = !net.rin_node.is_empty();
    ws.recipe_out.clear();
    ws.recipe_out.extend((0..n as u32).filter(|&o| net.rin_start[o as usize] < net.rin_start[o as usize + 1]));
    classify(net, ws);
    ws.quiet.clear();
    ws.quiet.resize(net.keys.len(), false);

    // The network, as slices.
    let capacity = &net.capacity[..n];
    let final_demand = &net.final_demand[..n];
    let edge_flow = &net.edge_flow[..m];
    let edge_to = &net.edge_to[..m];
    let out_start = &net.out_start[..n + 1];
    let rin_start = &net.rin_start[..n + 1];
    let rin_node = &net.rin_node[..];
    let rin_qty = &net.rin_qty[..];

    let mut done = 0;
    for t in 0..h {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        // 1. Effects: only when an intensity changed, reset what they
        // touch, multiply, and recompute the products.
        // (Always in the first period: the products are stale from the
        // workspace's previous run, or zero, even with no effects.)
        let mut changed = t == 0;
        for (k, ef) in effects.iter().enumerate() {
            let i = intensity(ef.start, ef.end, pol.recovery, t);
            if i.to_bits() != ws.intensities[k].to_bits() {
                ws.intensities[k] = i;
                changed = true;
            }
        }
        if changed {
            for ef in effects {
                reset(&c.targets[ef.target], ws);
            }
            for (k, ef) in effects.iter().enumerate() {
                let i = ws.intensities[k];
                if i > 0.0 {
                    apply(&c.targets[ef.target], i, ws);
                }
            }
            if t == 0 {
                for i in 0..n {
                    let hn = &mut ws.hot[i];
                    hn.cap = capacity[i] * ws.cap_mult[i];
                    hn.fin = final_demand[i] * ws.dem_mult[i];
                    hn.spare_mult = ws.spare_mult[i];
                }
                for ((fe, &f), &x) in ws.flow_eff.iter_mut().zip(edge_flow).zip(&ws.edge_mult) {
                    *fe = f * x;
                }
            } else {
                // Only what the effects touch can have changed.
                for ef in effects {
                    refresh(net, &c.targets[ef.target], ws);
                }
            }
        }

        let Workspace {
            hot,
            arr_cur,
            arr_next,
            ratio,
            recipe_need,
            recipe_out,
            flow_eff,
            node_pri,
            edge_pri,
            prod,
            prod_start,
            cons,
            cons_start,
            split,
            quiet,
            plain,
            ..
        } = ws;
        let plain = *plain;
        let (hot, arr_cur, arr_next, ratio) = (&mut hot[..n], &arr_cur[..n], &mut arr_next[..n], &mut ratio[..n]);
        let (flow_eff, node_pri, edge_pri) = (&flow_eff[..m], &node_pri[..n], &edge_pri[..m]);

        // 2. Recipe needs: what the target output of every node with
        // recipe inputs draws on its inputs (targets are recomputed, the
        // same way, in the node loop).
        if has_recipes {
            recipe_need.fill(0.0);
            for &o in recipe_out.iter() {
                let o = o as usize;
                let hn = &hot[o];
                let tg = hn.cap.min(hn.production + hn.extra);
                for l in rin_start[o] as usize..rin_start[o + 1] as usize {
                    recipe_need[rin_node[l] as usize] += tg * rin_qty[l];
                }
            }
        }
        let recipe_need = &recipe_need[..n];
        arr_next.fill(0.0);
        // 3. Commodity-stages in order, each through the variant of the
        // node loop for this run's rules (compiled once per combination, so
        // the loop carries no tests of them).
        let mut cx = Stage {
            hot,
            arr_cur,
            arr_next,
            ratio,
            recipe_need,
            flow_eff,
            edge_to,
            out_start,
            rin_start,
            rin_node,
            node_pri,
            edge_pri,
            series: series.as_deref_mut(),
            release,
            max_release,
            reroute,
            lag,
            ramp,
            t,
            n,
        };
        for k in 0..net.keys.len() {
            let (ka, kb) = (net.key_start[k] as usize, net.key_start[k + 1] as usize);
            let lists = (split[k] && !plain).then(|| {
                (
                    &prod[prod_start[k] as usize..prod_start[k + 1] as usize],
                    &cons[cons_start[k] as usize..cons_start[k + 1] as usize],
                )
            });
            let q = &mut quiet[k];
            match (priority, has_recipes, cx.series.is_some()) {
                (false, false, false) => stage::<false, false, false>(&mut cx, ka, kb, lists, q),
                (false, true, false) => stage::<false, true, false>(&mut cx, ka, kb, lists, q),
                (true, false, false) => stage::<true, false, false>(&mut cx, ka, kb, lists, q),
                (true, true, false) => stage::<true, true, false>(&mut cx, ka, kb, lists, q),
                (false, false, true) => stage::<false, false, true>(&mut cx, ka, kb, lists, q),
                (false, true, true) => stage::<false, true, true>(&mut cx, ka, kb, lists, q),
                (true, false, true) => stage::<true, false, true>(&mut cx, ka, kb, lists, q),
                (true, true, true) => stage::<true, true, true>(&mut cx, ka, kb, lists, q),
            }
        }
        std::mem::swap(&mut ws.arr_cur, &mut ws.arr_next);
        done = t + 1;
        progress(done, h);
    }
    for (i, hn) in ws.hot.iter().enumerate() {
        ws.cum_short[i] = hn.cum_short;
        ws.cum_demand[i] = hn.cum_demand;
        ws.first_short[i] = hn.first;
        ws.last_short[i] = hn.last;
    }
    done
}

/// What the node loop of one commodity-stage reads and writes.
struct Stage<'a, 's> {
    hot: &'a mut [Hot],
    arr_cur: &'a [f64],
    arr_next: &'a mut [f64],
    ratio: &'a mut [f64],
    recipe_need: &'a [f64],
    flow_eff: &'a [f64],
    edge_to: &'a [u32],
    out_start: &'a [u32],
    rin_start: &'a [u32],
    rin_node: &'a [u32],
    node_pri: &'a [bool],
    edge_pri: &'a [bool],
    series: Option<&'s mut Series>,
    release: bool,
    max_release: f64,
    reroute: bool,
    lag: usize,
    ramp: f64,
    t: usize,
    n: usize,
}

/// Steps 3-7 for the nodes `ka..kb` of one commodity-stage: production,
/// allocation, stock, shortfall, rerouting. `PRI`: a priority rule is in
/// force; `REC`: the network has recipes; `FULL`: series are recorded.
///
/// `lists`: where the stage's node classes may be processed apart (see
/// [`classify`]), its producers and its consumers (indices from `ka`, each
/// list in node order); idle nodes are in neither. `None`: every node in
/// order, as a producer. Both give the same bits: a consumer's terms that
/// it skips (output, exports, rerouted output, spare capacity) are exact
/// zeros, the sums over producers keep their order, and the two sums over
/// every node (rerouting requests this period and last) are taken in node
/// order after the loops, when any term is nonzero. `quiet`: the stage's
/// rerouting fields (`rr`, `extra`, `req_prev`) are all zero already.
#[inline(never)]
fn stage<const PRI: bool, const REC: bool, const FULL: bool>(
    cx: &mut Stage,
    ka: usize,
    kb: usize,
    lists: Option<(&[u32], &[u32])>,
    quiet: &mut bool,
) {
    let Stage { release, max_release, reroute, lag, ramp, t, n, .. } = *cx;
    let (flow_eff, edge_to, rin_node, edge_pri) = (cx.flow_eff, cx.edge_to, cx.rin_node, cx.edge_pri);
    let ratio = &mut *cx.ratio;
    let arr_next = &mut *cx.arr_next;
    let mut series = cx.series.as_deref_mut();
    let len = kb - ka;
    let k_hot = &mut cx.hot[ka..kb];
    let k_arr_cur = &cx.arr_cur[ka..ka + len];
    let k_rn = &cx.recipe_need[ka..ka + len];
    let k_out = &cx.out_start[ka..ka + len + 1];
    let k_rin = &cx.rin_start[ka..ka + len + 1];
    let k_node_pri = &cx.node_pri[ka..ka + len];
    let mut pool = 0.0; // rerouted volume shipped this period
    // Sums for rerouting: last period's requests, this period's
    // requests and spare capacity (in node order).
    let (mut req_sum, mut rs, mut ss) = (0.0, 0.0, 0.0);
    // One node's step; `$prod`: it may produce and export (a literal, so
    // each use compiles to its own straight-line code). Evaluates to the
    // node's rerouting request.
    macro_rules! step {
        ($prod:expr, $j:expr) => {{
            let j: usize = $j;
            let hn = &mut k_hot[j];
            // A consumer's output and rerouting orders are +0 (no
            // capacity, no production, never a supplier).
            let (p, rr_claim) = if $prod {
                let tg = fmin(hn.cap, hn.production + hn.extra);
                let mut p = tg;
                if REC {
                    for l in k_rin[j] as usize..k_rin[j + 1] as usize {
                        p = fmin(p, tg * ratio[rin_node[l] as usize]);
                    }
                }
                (p, hn.extra)
            } else {
                (0.0, 0.0)
            };
            let arrivals = k_arr_cur[j];
            let s = p + arrivals;
            let fin = hn.fin;
            let need = fin + if REC { k_rn[j] } else { 0.0 };
            let (ea, eb) = if $prod { (k_out[j] as usize, k_out[j + 1] as usize) } else { (0, 0) };
            let mut exported = 0.0;
            let dom;
            let f2;
            if PRI {
                // Claims by tier: the group first, then the rest.
                let dom_pri = k_node_pri[j];
                let (mut c1, mut c2) = (0.0, 0.0);
                if dom_pri {
                    c1 += need
                } else {
                    c2 += need
                }
                c2 += rr_claim;
                for e in ea..eb {
                    let q = flow_eff[e];
                    if edge_pri[e] {
                        c1 += q;
                    } else {
                        c2 += q;
                    }
                }
                let f1;
                (f1, f2) = if s >= c1 + c2 {
                    (1.0, 1.0)
                } else if s >= c1 {
                    (1.0, if c2 > 0.0 { (s - c1) / c2 } else { 0.0 })
                } else {
                    (if c1 > 0.0 { s / c1 } else { 0.0 }, 0.0)
                };
                for e in ea..eb {
                    let x = flow_eff[e] * if edge_pri[e] { f1 } else { f2 };
                    arr_next[edge_to[e] as usize] += x;
                    exported += x;
                }
                dom = need * if dom_pri { f1 } else { f2 };
            } else {
                // Pro rata: one tier (the same arithmetic as above with
                // an empty first tier).
                let out = &flow_eff[ea..eb];
                let to = &edge_to[ea..ea + out.len()];
                let mut c2 = need + rr_claim;
                for &q in out {
                    c2 += q;
                }
                f2 = if s >= c2 { 1.0 } else { s / c2 };
                for (&q, &d) in out.iter().zip(to) {
                    let x = q * f2;
                    arr_next[d as usize] += x;
                    exported += x;
                }
                dom = need * f2;
            }
            if $prod {
                let rr_out = rr_claim * f2;
                pool += rr_out;
                exported += rr_out;
            } else {
                // (+0 for the rerouted output, as in the original sum.)
                exported += 0.0;
            }
            let surplus = fmax(s - dom - exported, 0.0);
            // Stock draw, then refill from surplus.
            let gap = fmax(need - dom, 0.0);
            let draw = if release && gap > 0.0 { fmin(gap, hn.stock * max_release) } else { 0.0 };
            let st = hn.stock - draw;
            let build = fmin(surplus, fmax(hn.stock0 - st, 0.0));
            let st = st + build;
            hn.stock = st;
            let delivered = dom + draw;
            // (delivered = need, the common case, gives exactly 1.)
            let rt = if delivered == need || need <= 0.0 { 1.0 } else { fmin(delivered / need, 1.0) };
            ratio[ka + j] = rt;
            let short = fin * (1.0 - rt);
            if short > hn.tol {
                hn.cum_short += short;
                if hn.first == NONE {
                    hn.first = t as u32;
                }
                hn.last = t as u32;
            }
            hn.cum_demand += fin;
            // Rerouting request: the gap before stock, as it would be
            // without rerouted arrivals.
            let base_gap = fmin(gap + fmax(hn.rr - surplus, 0.0), need);
            let sr = if reroute && base_gap > 1e-9 * need { hn.short_run + 1 } else { 0 };
            hn.short_run = sr;
            let sr = sr as usize;
            let rq = if reroute && sr > lag { base_gap * fmin((sr - lag) as f64 / ramp, 1.0) } else { 0.0 };
            hn.req = rq;
            if let (true, Some(sv)) = (FULL, series.as_deref_mut()) {
                let x = t * n + ka + j;
                sv.production[x] = p;
                sv.arrivals[x] = arrivals;
                sv.stock_draw[x] = draw;
                sv.delivered[x] = delivered;
                sv.exported[x] = exported;
                sv.stock_build[x] = build;
                sv.unsold[x] = surplus - build;
                sv.demand[x] = fin;
                sv.need[x] = need;
                sv.stock[x] = st;
                sv.shortfall[x] = if short > hn.tol { short } else { 0.0 };
            }
            if $prod {
                // Spare capacity for rerouting, stored in `target` (no
                // longer needed for this node). Orders are per period, so
                // this period's rerouted output does not use up next
                // period's spare. (A consumer's stays +0.)
                let spare = fmax(hn.cap - fmax(p - rr_claim, 0.0), 0.0) * hn.spare_mult;
                hn.target = spare;
                ss += spare;
            }
            rq
        }};
    }
    match lists {
        None => {
            for j in 0..len {
                let rq = step!(true, j);
                req_sum += k_hot[j].req_prev;
                rs += rq;
            }
        }
        Some((prod, cons)) => {
            // Nonzero exactly when some request, this period's or last, is
            // (they are >= 0).
            let mut any = 0.0;
            for &j in prod {
                let rq = step!(true, j as usize);
                any += rq + k_hot[j as usize].req_prev;
            }
            for &j in cons {
                let rq = step!(false, j as usize);
                any += rq + k_hot[j as usize].req_prev;
            }
            if any > 0.0 {
                // (Idle nodes add +0.)
                for hn in k_hot.iter() {
                    req_sum += hn.req_prev;
                    rs += hn.req;
                }
            }
        }
    }
    // Rerouted shipments to last period's requesters, pro rata
    // (they arrive next period), and this period's requests matched
    // to spare capacity, pro rata (orders for next period). The
    // node's own fields for this period were read above, so they
    // are overwritten with next period's in place.
    debug_assert!(pool == 0.0 || req_sum > 0.0, "rerouted output without requests");
    let ship = pool > 0.0 && req_sum > 0.0;
    let v = rs.min(ss);
    if ship || v > 0.0 || rs > 0.0 {
        *quiet = false;
        let k_arr_next = &mut arr_next[ka..ka + len];
        for (j, hn) in k_hot.iter_mut().enumerate() {
            hn.rr = if ship {
                let x = pool * hn.req_prev / req_sum;
                k_arr_next[j] += x;
                // (0 + x: the rerouted-arrival accumulator starts at 0.)
                0.0 + x
            } else {
                0.0
            };
            hn.extra = if v > 0.0 { v * hn.target / ss } else { 0.0 };
            hn.req_prev = hn.req;
        }
    } else if !*quiet {
        // No requests this period (every req is 0) and nothing to
        // ship: no orders for next period. (Once cleared, the fields
        // stay zero until a period with requests: the node loop does
        // not write them.)
        for hn in k_hot.iter_mut() {
            hn.rr = 0.0;
            hn.extra = 0.0;
            hn.req_prev = 0.0;
        }
        *quiet = true;
    }
}

/// `a.min(b)` for numbers that are never NaN (the engine's, from validated
/// data): the same result, without the NaN test (on x86, `minsd` alone).
/// Ties return `a`; the engine's quantities are never -0, so a tie is
/// between equal bits.
#[inline(always)]
fn fmin(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// `a.max(b)` for numbers that are never NaN; see [`fmin`].
#[inline(always)]
fn fmax(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Node classes for the stage loop, fixed for a run. A **consumer** has
/// no capacity, no production, no exports and no recipe inputs: its
/// output, exports, rerouting orders and spare capacity are +0 in every
/// period. An **idle** node is a consumer that also has no final demand,
/// no stock, no imports and is no one's recipe input: every quantity of it
/// is +0 in every period (its delivery ratio 1), so it is skipped. A
/// commodity-stage whose nodes draw on recipe inputs of the same stage
/// keeps the plain loop (node order matters there).
#[allow(clippy::needless_range_loop)]
fn classify(net: &Network, ws: &mut Workspace) {
    let n = net.len();
    let flags = &mut ws.flags;
    flags.clear();
    flags.resize(n, 0);
    for &d in &net.edge_to {
        flags[d as usize] |= 1;
    }
    for &i in &net.rin_node {
        flags[i as usize] |= 2;
    }
    let zero = |x: f64| x.to_bits() == 0;
    // Delivery ratios start at 0 in every run, as in a new workspace (read
    // before written only where a stage draws on itself).
    ws.ratio.fill(0.0);
    ws.prod.clear();
    ws.cons.clear();
    ws.prod_start.clear();
    ws.cons_start.clear();
    ws.split.clear();
    for k in 0..net.keys.len() {
        let (ka, kb) = (net.key_start[k] as usize, net.key_start[k + 1] as usize);
        ws.prod_start.push(ws.prod.len() as u32);
        ws.cons_start.push(ws.cons.len() as u32);
        let mut split = true;
        for i in ka..kb {
            let inputs = &net.rin_node[net.rin_start[i] as usize..net.rin_start[i + 1] as usize];
            if inputs.iter().any(|&x| (ka..kb).contains(&(x as usize))) {
                split = false;
            }
            let consumer = zero(net.capacity[i])
                && zero(net.production[i])
                && net.out_start[i] == net.out_start[i + 1]
                && inputs.is_empty();
            let idle = consumer && zero(net.final_demand[i]) && zero(net.stock[i]) && flags[i] == 0;
            if !consumer {
                ws.prod.push((i - ka) as u32);
            } else if !idle {
                ws.cons.push((i - ka) as u32);
            } else {
                // Never processed: its delivery ratio stays 1.
                ws.ratio[i] = 1.0;
            }
        }
        ws.split.push(split);
    }
    ws.prod_start.push(ws.prod.len() as u32);
    ws.cons_start.push(ws.cons.len() as u32);
}

/// Recomputes the products of the base arrays and the multipliers that
/// target `t` touches.
fn refresh(net: &Network, t: &Target, ws: &mut Workspace) {
    match t {
        Target::Capacity { nodes, .. } => {
            nodes.iter().for_each(|&i| ws.hot[i as usize].cap = net.capacity[i as usize] * ws.cap_mult[i as usize])
        }
        Target::Demand { nodes, .. } => {
            nodes.iter().for_each(|&i| ws.hot[i as usize].fin = net.final_demand[i as usize] * ws.dem_mult[i as usize])
        }
        Target::Edges { edges, nodes, .. } => {
            edges.iter().for_each(|&e| ws.flow_eff[e as usize] = net.edge_flow[e as usize] * ws.edge_mult[e as usize]);
            nodes.iter().for_each(|&i| ws.hot[i as usize].spare_mult = ws.spare_mult[i as usize]);
        }
    }
}

fn reset(t: &Target, ws: &mut Workspace) {
    match t {
        Target::Capacity { nodes, .. } => nodes.iter().for_each(|&i| ws.cap_mult[i as usize] = 1.0),
        Target::Demand { nodes, .. } => nodes.iter().for_each(|&i| ws.dem_mult[i as usize] = 1.0),
        Target::Edges { edges, nodes, .. } => {
            edges.iter().for_each(|&e| ws.edge_mult[e as usize] = 1.0);
            nodes.iter().for_each(|&i| ws.spare_mult[i as usize] = 1.0);
        }
    }
}

fn apply(t: &Target, intensity: f64, ws: &mut Workspace) {
    match t {
        Target::Capacity { nodes, share } => {
            nodes.iter().for_each(|&i| ws.cap_mult[i as usize] *= 1.0 - share * intensity)
        }
        Target::Demand { nodes, factor } => {
            nodes.iter().for_each(|&i| ws.dem_mult[i as usize] *= 1.0 + (factor - 1.0) * intensity)
        }
        Target::Edges { edges, nodes, share } => {
            edges.iter().for_each(|&e| ws.edge_mult[e as usize] *= 1.0 - share * intensity);
            nodes.iter().for_each(|&i| ws.spare_mult[i as usize] *= 1.0 - share * intensity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CatalogueEvent, CommoditySel, DurationDist, MonteCarloSpec, Period};

    #[test]
    fn inert_events_are_named() {
        // Synthetic (not data): 2 stages x 4 countries.
        let net = Network::synthetic(2, 4, 2, 3, Period::Month);
        let key = |k: &str| CommoditySel::Key(CommodityKey::new(k, "stage"));
        let cc = |s: &str| CountryCode::parse(s).unwrap();
        // One exporter and one country that neither produces nor exports.
        let exporter = (0..4).find(|&i| net.out_start[i] < net.out_start[i + 1]).expect("an exporter");
        let idle = (0..4).find(|&i| net.capacity[i] == 0.0 && net.out_start[i] == net.out_start[i + 1]).expect("an idle node");
        let (ce, ci) = (net.nodes[exporter].country, net.nodes[idle].country);
        let ev = |name: &str, kind| CatalogueEvent {
            name: name.into(),
            annual_probability: 0.1,
            duration: DurationDist::Fixed { periods: 2.0 },
            kind,
        };
        let mut sc = Scenario::new("t", 12);
        let ban = |c| DisruptionKind::ExportRestriction { country: c, commodity: key("syn0"), share: 1.0, exempt_group: None };
        sc.monte_carlo = Some(MonteCarloSpec {
            runs: 1,
            seed: 0,
            events: vec![
                ev("real ban", ban(ce)),
                ev("idle ban", ban(ci)),
                ev("idle outage", DisruptionKind::Outage { country: ci, commodity: key("syn0"), share: 1.0 }),
                ev("unknown country", DisruptionKind::Outage { country: cc("ZY"), commodity: key("syn0"), share: 1.0 }),
            ],
        });
        let got = inert(&net, &sc, &|_| vec![]);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].starts_with("`idle ban`: the country has no exports"), "{got:?}");
        assert!(got[1].starts_with("`idle outage`: no capacity"), "{got:?}");
        assert!(got[2].starts_with("`unknown country`: no capacity"), "{got:?}");
    }
}
