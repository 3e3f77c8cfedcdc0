//! Solving a plan and reading the answer back in the plan's own terms:
//! builds, stock targets, supply by origin, shortfall, duals, and for an
//! infeasible plan the smallest set of demands and policies that cannot be
//! met together.

use crate::instance::{Instance, ShareKind};
use crate::model::{build_model, BuildOptions, PlanModel};
use lodestone_lp::{HighsSolver, Log, Model, Sense, SolveOptions, Solver, Status, VarType};
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    pub relax: bool,
    pub time_limit: Option<f64>,
    pub mip_gap: Option<f64>,
    /// Solver threads (None: HiGHS's default).
    pub threads: Option<usize>,
    pub log: Log,
    /// Name columns and rows (needed for a readable MPS file).
    pub names: bool,
}

/// Every variable's value in the plan's terms (for checking and export).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PlanValues {
    /// `[(s * nodes + n) * T + t]`.
    pub prod: Vec<f64>,
    /// `[(s * projects + j) * T + t]`.
    pub pprod: Vec<f64>,
    /// `[j * T + tau]`.
    pub build: Vec<f64>,
    /// `[(s * lanes + l) * T + t]`.
    pub flow: Vec<f64>,
    /// `[(s * nodes + n) * T + t]`.
    pub short: Vec<f64>,
    /// `[h]`.
    pub target: Vec<f64>,
    /// `[(s * stockpiles + h) * T + t]`.
    pub release: Vec<f64>,
    pub refill: Vec<f64>,
    pub level: Vec<f64>,
    pub dev: Vec<f64>,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ObjectiveParts {
    /// Discounted capex of the builds.
    pub capex: f64,
    /// Expected discounted cost of existing production, project opex and imports.
    pub supply: f64,
    /// Stock purchases (net of the initial stock), refills and holding.
    pub stock: f64,
    pub shortfall_penalty: f64,
    pub fairness_penalty: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct BuildOut {
    pub project: String,
    pub kind: String,
    pub country: String,
    pub commodity: String,
    /// Units started (fractional only with `--relax`).
    pub units: f64,
    pub start: String,
    pub online: String,
    /// Per year, per unit.
    pub capacity: f64,
    pub capex: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StockOut {
    pub holder: String,
    pub commodity: String,
    pub target: f64,
    pub initial: f64,
    pub max: f64,
    /// Expected total released over the horizon.
    pub expected_release: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ShortfallOut {
    pub country: String,
    pub commodity: String,
    pub scenario: String,
    pub probability: f64,
    /// Per period, in the commodity-stage's unit.
    pub by_period: Vec<f64>,
    pub demand: Vec<f64>,
    pub total: f64,
    pub share_of_demand: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct OriginOut {
    /// Supplying country, or the partner itself for its own output.
    pub origin: String,
    /// Total over the horizon.
    pub quantity: f64,
    pub share: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SupplyOut {
    pub country: String,
    pub commodity: String,
    pub scenario: String,
    pub by_origin: Vec<OriginOut>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct CapacityDual {
    pub country: String,
    pub commodity: String,
    /// Objective decrease from one more unit of capacity per period at this
    /// node, summed over periods and scenarios (already probability-weighted
    /// and discounted): money per unit of capacity per period.
    pub value: f64,
    pub by_period: Vec<f64>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ProjectDual {
    pub project: String,
    /// Objective decrease from one more unit of output allowed per period
    /// from this project once online, summed over periods and scenarios.
    pub value: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PolicyDual {
    pub policy: String,
    /// Objective decrease per unit by which the constraint is relaxed (its
    /// group may supply one unit more, for max_share; one unit less is
    /// required, for min_share) in every row it has, summed: >= 0.
    pub marginal_cost: f64,
    /// Rows (partner x period x scenario) where it binds.
    pub binding_rows: usize,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PriceOut {
    pub country: String,
    pub commodity: String,
    /// Marginal cost of one more unit of demand per period (baseline or
    /// first scenario, undiscounted by the probability).
    pub by_period: Vec<f64>,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Duals {
    pub capacity: Vec<CapacityDual>,
    pub projects: Vec<ProjectDual>,
    pub policies: Vec<PolicyDual>,
    pub prices: Vec<PriceOut>,
    /// How they were obtained (an LP, or the LP with the builds fixed).
    pub method: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Conflict {
    /// `demand` (a max_shortfall_share limit) or `policy`.
    pub kind: String,
    pub name: String,
    pub country: String,
    pub commodity: String,
    /// Total violation needed, summed over periods and scenarios (units of
    /// the commodity-stage).
    pub violation: f64,
    pub periods: Vec<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Explanation {
    pub message: String,
    pub conflicts: Vec<Conflict>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ModelSize {
    pub vars: usize,
    pub integer_vars: usize,
    pub rows: usize,
    pub nonzeros: usize,
}

/// The answer, as `lodestone plan --format json` prints it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanResult {
    pub plan: String,
    pub periods: Vec<String>,
    pub partners: Vec<String>,
    pub scenarios: Vec<(String, f64)>,
    pub status: String,
    /// The solver's objective for the model `--export-mps` writes.
    pub objective: Option<f64>,
    pub best_bound: Option<f64>,
    pub mip_gap: Option<f64>,
    pub relaxed: bool,
    pub parts: Option<ObjectiveParts>,
    pub builds: Vec<BuildOut>,
    pub stock_targets: Vec<StockOut>,
    pub shortfall: Vec<ShortfallOut>,
    /// Probability-weighted shortfall over all partners, commodities and periods.
    pub expected_shortfall: Option<f64>,
    pub supply: Vec<SupplyOut>,
    pub duals: Option<Duals>,
    pub explanation: Option<Explanation>,
    pub model: ModelSize,
    pub build_seconds: f64,
    pub solve_seconds: f64,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub values: Option<PlanValues>,
}

impl PlanResult {
    pub fn is_optimal(&self) -> bool {
        self.status == "optimal"
    }
}

fn status_word(s: &Status) -> String {
    match s {
        Status::Optimal => "optimal".into(),
        Status::Infeasible | Status::InfeasibleOrUnbounded => "infeasible".into(),
        Status::Unbounded => "unbounded".into(),
        Status::TimeLimit { has_solution: true } => "time_limit_feasible".into(),
        Status::TimeLimit { has_solution: false } => "time_limit_no_solution".into(),
        Status::IterationLimit { has_solution: true } => "iteration_limit_feasible".into(),
        Status::IterationLimit { has_solution: false } => "iteration_limit_no_solution".into(),
        Status::Error(e) => format!("error: {e}"),
    }
}

fn solve_options(o: &PlanOptions) -> SolveOptions {
    SolveOptions { time_limit: o.time_limit, mip_gap: o.mip_gap, presolve: true, threads: o.threads, log: o.log.clone() }
}

/// Builds and solves the plan.
pub fn solve_plan(inst: &Instance, opts: &PlanOptions) -> Result<(PlanModel, PlanResult), lodestone_lp::LpError> {
    let t0 = Instant::now();
    let pm = build_model(inst, BuildOptions { relax: opts.relax, names: opts.names })?;
    let build_seconds = t0.elapsed().as_secs_f64();
    let res = solve_built(inst, &pm, opts, build_seconds);
    Ok((pm, res))
}

/// Solves an already-built model.
pub fn solve_built(inst: &Instance, pm: &PlanModel, opts: &PlanOptions, build_seconds: f64) -> PlanResult {
    let t1 = Instant::now();
    let sol = HighsSolver.solve(&pm.model, &solve_options(opts));
    let st = pm.model.stats();
    let mut res = PlanResult {
        plan: inst.name.clone(),
        periods: inst.labels.clone(),
        partners: inst.partners.iter().map(|c| c.to_string()).collect(),
        scenarios: inst.scenarios.iter().map(|s| (s.name.clone(), s.probability)).collect(),
        status: status_word(&sol.status),
        objective: sol.objective,
        best_bound: sol.best_bound,
        mip_gap: sol.info.mip_gap,
        relaxed: opts.relax,
        parts: None,
        builds: vec![],
        stock_targets: vec![],
        shortfall: vec![],
        expected_shortfall: None,
        supply: vec![],
        duals: None,
        explanation: None,
        model: ModelSize { vars: st.vars, integer_vars: st.integer_vars, rows: st.rows, nonzeros: st.nonzeros },
        build_seconds,
        solve_seconds: 0.0,
        notes: inst.notes.clone(),
        values: None,
    };
    if let Some(x) = &sol.values {
        let v = read_values(inst, pm, x);
        fill_results(inst, &v, &mut res);
        res.duals = duals(inst, pm, x, opts, pm.model.is_mip(), sol.duals.as_deref());
        res.values = Some(v);
    } else if matches!(sol.status, Status::Infeasible | Status::InfeasibleOrUnbounded) {
        res.explanation = Some(explain(inst, pm, opts));
    } else if sol.status == Status::Unbounded {
        res.explanation = Some(Explanation {
            message: "the solver reports the plan unbounded; every cost in a plan is checked to be >= 0 and every variable is bounded by capacity, demand or a stock limit, so this points to a numerical problem: export the model with --export-mps and inspect it".into(),
            conflicts: vec![],
        });
    }
    res.solve_seconds = t1.elapsed().as_secs_f64();
    res
}

fn read_values(inst: &Instance, pm: &PlanModel, x: &[f64]) -> PlanValues {
    let get = |v: &Option<lodestone_lp::Var>| v.map_or(0.0, |v| x[v.index()]);
    let _ = inst;
    PlanValues {
        prod: pm.prod.iter().map(get).collect(),
        pprod: pm.pprod.iter().map(get).collect(),
        build: pm.build.iter().map(get).collect(),
        flow: pm.flow.iter().map(|v| x[v.index()]).collect(),
        short: pm.short.iter().map(get).collect(),
        target: pm.target.iter().map(|v| x[v.index()]).collect(),
        release: pm.release.iter().map(|v| x[v.index()]).collect(),
        refill: pm.refill.iter().map(|v| x[v.index()]).collect(),
        level: pm.level.iter().map(|v| x[v.index()]).collect(),
        dev: pm.dev.iter().map(get).collect(),
    }
}

/// Objective parts computed from the plan's values and the instance (not
/// from the model's cost vector), so they also check the builder.
pub fn objective_parts(inst: &Instance, v: &PlanValues) -> ObjectiveParts {
    let t_len = inst.horizon();
    let (nn, jn, ln, hn) = (inst.nodes.len(), inst.projects.len(), inst.lanes.len(), inst.stockpiles.len());
    let cw = inst.weights.cost_weight;
    let mut p = ObjectiveParts::default();
    for (j, pr) in inst.projects.iter().enumerate() {
        for tau in 0..t_len {
            p.capex += cw * inst.discount[tau] * pr.capex * v.build[j * t_len + tau];
        }
    }
    for (h, sp) in inst.stockpiles.iter().enumerate() {
        let hold: f64 = inst.discount.iter().map(|d| d * sp.hold_cost).sum();
        p.stock += cw * (sp.purchase_cost * (v.target[h] - sp.initial) + hold * v.target[h]);
    }
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for t in 0..t_len {
            let w = sc.probability * inst.discount[t];
            for (n, node) in inst.nodes.iter().enumerate() {
                let i = (s * nn + n) * t_len + t;
                p.supply += w * cw * node.cost * v.prod[i];
                p.shortfall_penalty += w * node.penalty * v.short[i];
                if !v.dev.is_empty() {
                    p.fairness_penalty += w * inst.weights.fairness * v.dev[i];
                }
            }
            for (j, pr) in inst.projects.iter().enumerate() {
                p.supply += w * cw * pr.opex * v.pprod[(s * jn + j) * t_len + t];
            }
            for (l, lane) in inst.lanes.iter().enumerate() {
                p.supply += w * cw * lane.cost * v.flow[(s * ln + l) * t_len + t];
            }
            for (h, sp) in inst.stockpiles.iter().enumerate() {
                p.stock += w * cw * sp.purchase_cost * v.refill[(s * hn + h) * t_len + t];
            }
        }
    }
    p
}

fn fill_results(inst: &Instance, v: &PlanValues, res: &mut PlanResult) {
    let t_len = inst.horizon();
    let (nn, ln, hn) = (inst.nodes.len(), inst.lanes.len(), inst.stockpiles.len());
    res.parts = Some(objective_parts(inst, v));
    let adj = crate::model::Adjacency::new(inst);
    for (j, p) in inst.projects.iter().enumerate() {
        for tau in 0..t_len {
            let u = v.build[j * t_len + tau];
            if u > 1e-6 {
                let node = &inst.nodes[p.node];
                res.builds.push(BuildOut {
                    project: p.id.clone(),
                    kind: p.kind.clone(),
                    country: node.country.to_string(),
                    commodity: inst.keys[node.key].key.to_string(),
                    units: u,
                    start: inst.labels[tau].clone(),
                    online: inst.labels.get(tau + p.lead).cloned().unwrap_or_else(|| "after horizon".into()),
                    capacity: p.cap * inst.per_year as f64,
                    capex: p.capex,
                });
            }
        }
    }
    for (h, sp) in inst.stockpiles.iter().enumerate() {
        let node = &inst.nodes[sp.node];
        let rel: f64 = inst
            .scenarios
            .iter()
            .enumerate()
            .map(|(s, sc)| sc.probability * (0..t_len).map(|t| v.release[(s * hn + h) * t_len + t]).sum::<f64>())
            .sum();
        res.stock_targets.push(StockOut {
            holder: node.country.to_string(),
            commodity: inst.keys[node.key].key.to_string(),
            target: v.target[h],
            initial: sp.initial,
            max: sp.max,
            expected_release: rel,
        });
    }
    let mut expected = 0.0;
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (n, node) in inst.nodes.iter().enumerate() {
            if !node.partner {
                continue;
            }
            let demand: Vec<f64> = (0..t_len).map(|t| node.demand[t] * sc.demand_factor[n * t_len + t]).collect();
            if demand.iter().all(|&d| d == 0.0) {
                continue;
            }
            let by_period: Vec<f64> = (0..t_len).map(|t| v.short[(s * nn + n) * t_len + t]).collect();
            let total: f64 = by_period.iter().sum();
            let dsum: f64 = demand.iter().sum();
            expected += sc.probability * total;
            res.shortfall.push(ShortfallOut {
                country: node.country.to_string(),
                commodity: inst.keys[node.key].key.to_string(),
                scenario: sc.name.clone(),
                probability: sc.probability,
                by_period,
                demand,
                total,
                share_of_demand: if dsum > 0.0 { total / dsum } else { 0.0 },
            });
        }
        // Supply by origin at each partner node.
        for (n, node) in inst.nodes.iter().enumerate() {
            if !node.partner {
                continue;
            }
            let mut by: BTreeMap<lodestone_model::CountryCode, f64> = BTreeMap::new();
            for t in 0..t_len {
                let i = (s * nn + n) * t_len + t;
                let mut own = v.prod[i];
                for &j in &adj.projects[n] {
                    own += v.pprod[(s * inst.projects.len() + j) * t_len + t];
                }
                for &l in &adj.lanes_in[n] {
                    let f = v.flow[(s * ln + l) * t_len + t];
                    if f > 0.0 {
                        *by.entry(inst.lane_origin(l)).or_insert(0.0) += f;
                    }
                }
                for &l in &adj.lanes_out[n] {
                    own -= v.flow[(s * ln + l) * t_len + t];
                }
                if own > 0.0 {
                    *by.entry(node.country).or_insert(0.0) += own;
                }
            }
            let total: f64 = by.values().sum();
            if total <= 1e-9 {
                continue;
            }
            let mut by_origin: Vec<OriginOut> = by
                .into_iter()
                .filter(|(_, q)| *q > 1e-9)
                .map(|(origin, quantity)| OriginOut { origin: origin.to_string(), quantity, share: quantity / total })
                .collect();
            by_origin.sort_by(|a, b| b.quantity.total_cmp(&a.quantity).then(a.origin.cmp(&b.origin)));
            res.supply.push(SupplyOut {
                country: node.country.to_string(),
                commodity: inst.keys[node.key].key.to_string(),
                scenario: sc.name.clone(),
                by_origin,
            });
        }
    }
    res.expected_shortfall = Some(expected);
}

/// Duals: of the LP itself, or (for a MIP) of the LP with every integer
/// variable fixed at its value in the solution.
fn duals(inst: &Instance, pm: &PlanModel, x: &[f64], opts: &PlanOptions, mip: bool, lp_duals: Option<&[f64]>) -> Option<Duals> {
    let (y, method) = if mip {
        let mut m: Model = pm.model.clone();
        let ints: Vec<lodestone_lp::Var> = m.vars().filter(|&v| m.var_type(v).is_ok_and(|t| t.is_integer())).collect();
        for v in ints {
            let val = x[v.index()].round();
            m.set_var_type(v, VarType::Continuous).ok()?;
            m.set_var_bounds(v, val, val).ok()?;
        }
        let mut o = solve_options(opts);
        o.log = Log::Silent;
        let sol = HighsSolver.solve(&m, &o);
        (sol.duals?, "LP with the builds fixed at the optimum (the usual MIP convention)".to_string())
    } else {
        (lp_duals?.to_vec(), "LP duals".to_string())
    };
    let sign = if pm.model.sense() == Sense::Minimize { -1.0 } else { 1.0 };
    let t_len = inst.horizon();
    let nn = inst.nodes.len();
    let mut d = Duals { method, ..Default::default() };
    for (n, node) in inst.nodes.iter().enumerate() {
        let mut by_period = vec![0.0; t_len];
        let mut any = false;
        for s in 0..inst.scenarios.len() {
            for (t, bp) in by_period.iter_mut().enumerate() {
                if let Some(r) = pm.cap_row[(s * nn + n) * t_len + t] {
                    *bp += sign * y[r.index()];
                    any = true;
                }
            }
        }
        if any {
            d.capacity.push(CapacityDual {
                country: node.country.to_string(),
                commodity: inst.keys[node.key].key.to_string(),
                value: by_period.iter().sum(),
                by_period,
            });
        }
    }
    let jn = inst.projects.len();
    for (j, p) in inst.projects.iter().enumerate() {
        let mut v = 0.0;
        for s in 0..inst.scenarios.len() {
            for t in 0..t_len {
                if let Some(r) = pm.pcap_row[(s * jn + j) * t_len + t] {
                    v += sign * y[r.index()];
                }
            }
        }
        d.projects.push(ProjectDual { project: p.id.clone(), value: v });
    }
    for (pi, pol) in inst.policies.iter().enumerate() {
        let mut v = 0.0;
        let mut binding = 0;
        for &(p, _, _, _, r) in &pm.policy_rows {
            if p == pi {
                let dual = y[r.index()];
                let c = match pol.kind {
                    ShareKind::Max => sign * dual,
                    ShareKind::Min => -sign * dual,
                };
                if c.abs() > 1e-9 {
                    binding += 1;
                }
                v += c;
            }
        }
        d.policies.push(PolicyDual { policy: pol.name.clone(), marginal_cost: v, binding_rows: binding });
    }
    // Prices at partner nodes with demand, first scenario, per probability.
    let p0 = inst.scenarios[0].probability.max(1e-300);
    for (n, node) in inst.nodes.iter().enumerate() {
        if node.partner && node.demand.iter().any(|&q| q > 0.0) {
            let by_period = (0..t_len).map(|t| y[pm.balance[n * t_len + t].index()] / (p0 * inst.discount[t])).collect();
            d.prices.push(PriceOut { country: node.country.to_string(), commodity: inst.keys[node.key].key.to_string(), by_period });
        }
    }
    Some(d)
}

/// Why a plan is infeasible: relax every hard demand limit and policy row
/// elastically, and find the fewest (partner, commodity) demand limits and
/// policies whose relaxation makes the plan feasible.
pub fn explain(inst: &Instance, pm: &PlanModel, opts: &PlanOptions) -> Explanation {
    let mut m = pm.model.clone();
    let vars: Vec<lodestone_lp::Var> = m.vars().collect();
    for v in vars {
        let _ = m.set_cost(v, 0.0);
    }
    let _ = m.set_objective_offset(0.0);
    m.set_sense(Sense::Minimize);
    // Big-M: no violation can exceed the total of all demand, capacity, lane
    // caps and stock limits over the horizon (every flow is bounded by them).
    let t_len = inst.horizon();
    let mut big = 0.0;
    for n in &inst.nodes {
        big += n.demand.iter().sum::<f64>() + n.cap * t_len as f64;
    }
    for l in &inst.lanes {
        big += l.cap.unwrap_or(0.0) * t_len as f64;
    }
    for p in &inst.projects {
        big += p.cap * p.max_units as f64 * t_len as f64;
    }
    for s in &inst.stockpiles {
        big += s.max;
    }
    big = 10.0 * big.max(1.0);

    // Groups: hard demand per node; policy per (policy, node).
    let mut groups: BTreeMap<(u8, usize, usize), Vec<lodestone_lp::Row>> = BTreeMap::new();
    let nn = inst.nodes.len();
    for (i, r) in pm.hard_row.iter().enumerate() {
        if let Some(r) = r {
            let n = (i / t_len) % nn;
            groups.entry((0, n, 0)).or_default().push(*r);
        }
    }
    for &(p, n, _, _, r) in &pm.policy_rows {
        groups.entry((1, p, n)).or_default().push(r);
    }
    if groups.is_empty() {
        return Explanation {
            message: "infeasible, but the plan has no hard demand limits or policies to relax: this should not happen (please report it with the plan file)".into(),
            conflicts: vec![],
        };
    }
    let mut handles = vec![];
    for (gi, (g, rows)) in groups.iter().enumerate() {
        let z = m.add_var(0.0, 1.0, 1.0 + 1e-3 * gi as f64 / groups.len() as f64, VarType::Binary);
        let Ok(z) = z else { continue };
        let mut terms = vec![(z, -big)];
        let mut els = vec![];
        for &r in rows {
            // A small price on the violation itself (at most 0.5 in all,
            // below one group's weight of 1) makes the reported violations
            // the least that the chosen set needs.
            if let Ok(e) = m.add_elastic(r, 0.5 / big) {
                terms.push((e.up, 1.0));
                terms.push((e.down, 1.0));
                els.push((r, e));
            }
        }
        let _ = m.add_row(f64::NEG_INFINITY, 0.0, &terms);
        handles.push((*g, z, els));
    }
    let mut o = solve_options(opts);
    o.log = Log::Silent;
    let sol = HighsSolver.solve(&m, &o);
    let Some(x) = sol.values else {
        return Explanation {
            message: format!("infeasible even with every demand limit and policy relaxed (elastic model: {})", sol.status),
            conflicts: vec![],
        };
    };
    let mut conflicts = vec![];
    for ((kind, a, b), z, els) in handles {
        if x[z.index()] < 0.5 {
            continue;
        }
        let mut violation = 0.0;
        let mut periods = std::collections::BTreeSet::new();
        for (r, e) in &els {
            let v = x[e.up.index()] + x[e.down.index()];
            if v > 1e-7 {
                violation += v;
                if let Some(pos) = pm.policy_rows.iter().find(|p| p.4 == *r).map(|p| p.2) {
                    periods.insert(pos);
                } else if let Some(i) = pm.hard_row.iter().position(|h| *h == Some(*r)) {
                    periods.insert(i % t_len);
                }
            }
        }
        let (kind, name, n) = if kind == 0 {
            let node = &inst.nodes[a];
            let share = node.max_short_share.unwrap_or(0.0);
            ("demand", format!("at most {:.0}% of {}'s demand for {} unmet", share * 100.0, node.country, inst.keys[node.key].key), a)
        } else {
            ("policy", inst.policies[a].name.clone(), b)
        };
        let node = &inst.nodes[n];
        conflicts.push(Conflict {
            kind: kind.into(),
            name,
            country: node.country.to_string(),
            commodity: inst.keys[node.key].key.to_string(),
            violation,
            periods: periods.into_iter().map(|t| inst.labels[t].clone()).collect(),
        });
    }
    let names: Vec<String> = conflicts.iter().map(|c| format!("{} ({})", c.name, c.country)).collect();
    Explanation {
        message: format!(
            "infeasible: relaxing {} of the plan's hard limits makes it feasible, and no fewer will do: {}",
            conflicts.len(),
            names.join("; ")
        ),
        conflicts,
    }
}
