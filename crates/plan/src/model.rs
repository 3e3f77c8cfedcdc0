//! [`Instance`] -> an LP/MIP ([`lodestone_lp::Model`]), one pure `define_*`
//! function per family of variables or constraints. The formulation is in
//! docs/plans.md; in short, for scenario s (probability p_s), period t
//! (discount d_t), node n (a country's balance of one commodity-stage):
//!
//! ```text
//! min  cw * sum_j sum_tau d_tau capex_j y_j,tau + cw * sum_h (buy_h (Z_h - Z0_h) + sum_t d_t hold_h Z_h)
//!    + sum_s p_s sum_t d_t [ cw (sum_n c_n x_nts + sum_j o_j q_jts + sum_l c_l f_lts + sum_h buy_h b_hts)
//!                            + penalty sum_n u_nts + fairness sum_n v_nts ]
//! s.t. balance:  x_nts + sum_{j at n} q_jts + sum_{l into n} f_lts - sum_{l out of n} f_lts
//!                + sum_{h at n} (r_hts - b_hts) - sum_{recipes i->o} a_io (x_o'ts + q_o'ts) + u_nts = D_nt dem_nts
//!      capacity: x_nts <= cap_n g_nts                     (dual: value of capacity at n)
//!      project:  q_jts - cap_j g_nts sum_{tau <= t - lead_j} y_j,tau <= 0
//!      builds:   sum_tau y_j,tau <= units_j               (y integer unless relaxed)
//!      lanes:    0 <= f_lts <= cap_l e_lts
//!      stock:    L_hts = L_h,t-1,s - r_hts + b_hts,  L_h,-1,s = Z_h,  L_hts <= Z_h,  Z0_h <= Z_h <= max_h
//!      release:  r_hts = 0 when the rule is `disruption` and s does not disrupt the commodity in t
//!      policy:   sum_{l into n from G} f + [n in G](x + q - out) - share (x + q + in - out)  <= 0 (max) / >= 0 (min)
//!      hard:     u_nts <= max_short D_nt dem_nts
//!      fairness: sum_n u_nts = rho_kts sum_n D dem;  v_nts >= |u_nts - rho_kts D_nt dem_nts|
//! ```
//!
//! Builds (`y`) and stock targets (`Z`) are first-stage (one value for all
//! scenarios); everything else is per scenario.

use crate::instance::{Instance, LaneFrom, ReleaseRule, ShareKind};
use lodestone_lp::{LpError, Model, Row, Sense, Var, VarType};

/// What the model builder was asked for.
#[derive(Clone, Copy, Debug)]
pub struct BuildOptions {
    /// Builds continuous in [0, units] instead of integer.
    pub relax: bool,
    /// Give every column and row a readable name (for MPS export).
    pub names: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { relax: false, names: true }
    }
}

/// The model plus the handles needed to read a solution back.
pub struct PlanModel {
    pub model: Model,
    pub horizon: usize,
    pub scenarios: usize,
    /// `[(s * nodes + n) * T + t]`: existing production.
    pub prod: Vec<Option<Var>>,
    pub cap_row: Vec<Option<Row>>,
    /// `[(s * projects + j) * T + t]`.
    pub pprod: Vec<Option<Var>>,
    pub pcap_row: Vec<Option<Row>>,
    /// `[j * T + tau]`: start decisions.
    pub build: Vec<Option<Var>>,
    /// `[(s * lanes + l) * T + t]`.
    pub flow: Vec<Var>,
    /// `[(s * nodes + n) * T + t]`.
    pub short: Vec<Option<Var>>,
    pub balance: Vec<Row>,
    pub hard_row: Vec<Option<Row>>,
    /// `[h]`.
    pub target: Vec<Var>,
    /// `[(s * stockpiles + h) * T + t]`.
    pub release: Vec<Var>,
    pub refill: Vec<Var>,
    pub level: Vec<Var>,
    /// One entry per policy row: (policy, node, period, scenario, row).
    pub policy_rows: Vec<(usize, usize, usize, usize, Row)>,
    /// `[(s * nodes + n) * T + t]`: deviation from the proportional shortfall.
    pub dev: Vec<Option<Var>>,
    /// Per node: recipe-input nodes of the same country and quantities.
    pub inputs: Vec<Vec<(usize, f64)>>,
}

impl PlanModel {
    /// A minimisation model with room reserved for the instance and no
    /// variables or rows yet; the `define_*` functions fill it.
    pub fn empty(inst: &Instance) -> PlanModel {
        let t_len = inst.horizon();
        let s_len = inst.scenarios.len();
        let n_len = inst.nodes.len();
        let est_vars = s_len * t_len * (2 * n_len + inst.lanes.len() + inst.projects.len() + 3 * inst.stockpiles.len());
        let mut model = Model::with_capacity(est_vars, s_len * t_len * 2 * n_len, est_vars * 3);
        model.set_sense(Sense::Minimize);
        PlanModel {
            model,
            horizon: t_len,
            scenarios: s_len,
            prod: vec![],
            cap_row: vec![],
            pprod: vec![],
            pcap_row: vec![],
            build: vec![],
            flow: vec![],
            short: vec![],
            balance: vec![],
            hard_row: vec![],
            target: vec![],
            release: vec![],
            refill: vec![],
            level: vec![],
            policy_rows: vec![],
            dev: vec![],
            inputs: recipe_inputs(inst),
        }
    }

    pub fn nt(&self, s: usize, n: usize, nodes: usize, t: usize) -> usize {
        (s * nodes + n) * self.horizon + t
    }
}

/// Builds the whole model.
pub fn build_model(inst: &Instance, opts: BuildOptions) -> Result<PlanModel, LpError> {
    let mut pm = PlanModel::empty(inst);
    if opts.names {
        pm.model.set_name(&sanitize(&inst.name))?;
    }
    define_builds(inst, &mut pm, opts)?;
    define_stock_targets(inst, &mut pm, opts)?;
    define_balance_rows(inst, &mut pm, opts)?;
    define_production(inst, &mut pm, opts)?;
    define_project_output(inst, &mut pm, opts)?;
    define_flows(inst, &mut pm, opts)?;
    define_stocks(inst, &mut pm, opts)?;
    define_shortfall(inst, &mut pm, opts)?;
    define_policies(inst, &mut pm, opts)?;
    define_fairness(inst, &mut pm, opts)?;
    pm.model.compress();
    Ok(pm)
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect()
}

fn name_var(m: &mut Model, opts: BuildOptions, v: Var, name: impl FnOnce() -> String) -> Result<(), LpError> {
    if opts.names {
        m.set_var_name(v, &sanitize(&name()))?;
    }
    Ok(())
}

fn name_row(m: &mut Model, opts: BuildOptions, r: Row, name: impl FnOnce() -> String) -> Result<(), LpError> {
    if opts.names {
        m.set_row_name(r, &sanitize(&name()))?;
    }
    Ok(())
}

fn node_name(inst: &Instance, n: usize) -> String {
    let node = &inst.nodes[n];
    format!("{}_{}", node.country, inst.keys[node.key].key)
}

fn st(inst: &Instance, s: usize, t: usize) -> String {
    format!("{}_{}", inst.labels[t], inst.scenarios[s].name)
}

/// Start decisions y_j,tau (first stage) and `sum_tau y <= units`.
pub fn define_builds(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let t_len = pm.horizon;
    pm.build = vec![None; inst.projects.len() * t_len];
    for (j, p) in inst.projects.iter().enumerate() {
        let starts = p.start_periods(t_len);
        let mut terms = vec![];
        for tau in starts {
            let units = p.max_units as f64;
            let ty = if opts.relax {
                VarType::Continuous
            } else if p.max_units == 1 {
                VarType::Binary
            } else {
                VarType::Integer
            };
            let cost = inst.weights.cost_weight * inst.discount[tau] * p.capex;
            let y = pm.model.add_var(0.0, units, cost, ty)?;
            name_var(&mut pm.model, opts, y, || format!("build_{}_{}", p.id, inst.labels[tau]))?;
            pm.build[j * t_len + tau] = Some(y);
            terms.push((y, 1.0));
        }
        if terms.len() > 1 {
            let r = pm.model.add_row(f64::NEG_INFINITY, p.max_units as f64, &terms)?;
            name_row(&mut pm.model, opts, r, || format!("units_{}", p.id))?;
        }
    }
    Ok(())
}

/// Stock targets Z_h (first stage): bought up from the initial stock, held
/// over the whole horizon.
pub fn define_stock_targets(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let cw = inst.weights.cost_weight;
    let mut offset = pm.model.objective_offset();
    for (h, sp) in inst.stockpiles.iter().enumerate() {
        let hold: f64 = inst.discount.iter().map(|d| d * sp.hold_cost).sum();
        let z = pm.model.add_var(sp.initial, sp.max, cw * (sp.purchase_cost + hold), VarType::Continuous)?;
        offset -= cw * sp.purchase_cost * sp.initial;
        name_var(&mut pm.model, opts, z, || format!("stock_target_{h}_{}", node_name(inst, sp.node)))?;
        pm.target.push(z);
    }
    pm.model.set_objective_offset(offset)?;
    Ok(())
}

/// One balance row per node, period and scenario (= demand, filled in by
/// the columns defined next).
pub fn define_balance_rows(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let t_len = pm.horizon;
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (n, node) in inst.nodes.iter().enumerate() {
            for t in 0..t_len {
                let d = node.demand[t] * sc.demand_factor[n * t_len + t];
                let r = pm.model.add_row(d, d, &[])?;
                name_row(&mut pm.model, opts, r, || format!("balance_{}_{}", node_name(inst, n), st(inst, s, t)))?;
                pm.balance.push(r);
            }
        }
    }
    Ok(())
}

/// The balance entries of one unit of output at node n: +1 in n's row, and
/// minus each recipe input in the same country's input rows.
fn output_entries(inst: &Instance, pm: &PlanModel, s: usize, n: usize, t: usize) -> Vec<(Row, f64)> {
    let nn = inst.nodes.len();
    let mut e = vec![(pm.balance[pm.nt(s, n, nn, t)], 1.0)];
    for &(i, q) in &pm.inputs[n] {
        e.push((pm.balance[pm.nt(s, i, nn, t)], -q));
    }
    e
}

/// Per node: the same country's recipe-input nodes and quantities.
pub fn recipe_inputs(inst: &Instance) -> Vec<Vec<(usize, f64)>> {
    let mut index = std::collections::HashMap::new();
    for (i, n) in inst.nodes.iter().enumerate() {
        index.insert((n.country, n.key), i);
    }
    inst.nodes
        .iter()
        .map(|node| {
            inst.recipes
                .iter()
                .filter(|r| r.output == node.key)
                .filter_map(|r| index.get(&(node.country, r.input)).map(|&i| (i, r.qty)))
                .collect()
        })
        .collect()
}

/// Existing production x_nts with its capacity row.
pub fn define_production(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let (t_len, nn) = (pm.horizon, inst.nodes.len());
    pm.prod = vec![None; pm.scenarios * nn * t_len];
    pm.cap_row = vec![None; pm.scenarios * nn * t_len];
    let cw = inst.weights.cost_weight;
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (n, node) in inst.nodes.iter().enumerate() {
            if node.cap <= 0.0 {
                continue;
            }
            for t in 0..t_len {
                let entries = output_entries(inst, pm, s, n, t);
                let cost = sc.probability * inst.discount[t] * cw * node.cost;
                let x = pm.model.add_column(0.0, f64::INFINITY, cost, VarType::Continuous, &entries)?;
                let cap = node.cap * sc.node_factor[n * t_len + t];
                let r = pm.model.add_row(f64::NEG_INFINITY, cap, &[(x, 1.0)])?;
                if opts.names {
                    let tag = format!("{}_{}", node_name(inst, n), st(inst, s, t));
                    name_var(&mut pm.model, opts, x, || format!("prod_{tag}"))?;
                    name_row(&mut pm.model, opts, r, || format!("cap_{tag}"))?;
                }
                let i = pm.nt(s, n, nn, t);
                pm.prod[i] = Some(x);
                pm.cap_row[i] = Some(r);
            }
        }
    }
    Ok(())
}

/// Project output q_jts, limited by the units online (started at least
/// `lead` periods earlier).
pub fn define_project_output(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let (t_len, nn, jn) = (pm.horizon, inst.nodes.len(), inst.projects.len());
    pm.pprod = vec![None; pm.scenarios * jn * t_len];
    pm.pcap_row = vec![None; pm.scenarios * jn * t_len];
    let cw = inst.weights.cost_weight;
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (j, p) in inst.projects.iter().enumerate() {
            let starts = p.start_periods(t_len);
            if starts.is_empty() {
                continue;
            }
            for t in starts.start + p.lead..t_len {
                let entries = output_entries(inst, pm, s, p.node, t);
                let cost = sc.probability * inst.discount[t] * cw * p.opex;
                let q = pm.model.add_column(0.0, f64::INFINITY, cost, VarType::Continuous, &entries)?;
                let g = p.cap * sc.node_factor[p.node * t_len + t];
                let mut terms = vec![(q, 1.0)];
                for tau in starts.clone() {
                    if tau + p.lead <= t {
                        if let Some(y) = pm.build[j * t_len + tau] {
                            terms.push((y, -g));
                        }
                    }
                }
                let r = pm.model.add_row(f64::NEG_INFINITY, 0.0, &terms)?;
                if opts.names {
                    let tag = format!("{}_{}", p.id, st(inst, s, t));
                    name_var(&mut pm.model, opts, q, || format!("pprod_{tag}"))?;
                    name_row(&mut pm.model, opts, r, || format!("pcap_{tag}"))?;
                }
                let i = (s * jn + j) * t_len + t;
                pm.pprod[i] = Some(q);
                pm.pcap_row[i] = Some(r);
            }
        }
    }
    let _ = nn;
    Ok(())
}

/// Flows on lanes f_lts, bounded by the lane's cap times the scenario factor.
pub fn define_flows(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let (t_len, nn) = (pm.horizon, inst.nodes.len());
    let cw = inst.weights.cost_weight;
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (l, lane) in inst.lanes.iter().enumerate() {
            for t in 0..t_len {
                let ub = match lane.cap {
                    Some(c) => c * sc.lane_factor[l * t_len + t],
                    None => f64::INFINITY,
                };
                let mut entries = vec![(pm.balance[pm.nt(s, lane.to, nn, t)], 1.0)];
                if let LaneFrom::Node { node } = lane.from {
                    entries.push((pm.balance[pm.nt(s, node, nn, t)], -1.0));
                }
                let cost = sc.probability * inst.discount[t] * cw * lane.cost;
                let f = pm.model.add_column(0.0, ub, cost, VarType::Continuous, &entries)?;
                name_var(&mut pm.model, opts, f, || {
                    format!("flow_{}_{}_{}", inst.lane_label(l), inst.keys[inst.nodes[lane.to].key].key, st(inst, s, t))
                })?;
                pm.flow.push(f);
            }
        }
    }
    Ok(())
}

/// Stock levels, releases and refills per scenario, tied to the targets.
pub fn define_stocks(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let (t_len, nn) = (pm.horizon, inst.nodes.len());
    let cw = inst.weights.cost_weight;
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (h, sp) in inst.stockpiles.iter().enumerate() {
            let key = inst.nodes[sp.node].key;
            let mut prev: Option<Var> = None;
            for t in 0..t_len {
                let bal = pm.balance[pm.nt(s, sp.node, nn, t)];
                let may_release = sp.release == ReleaseRule::Any || sc.disrupted[key * t_len + t];
                let r = pm.model.add_column(0.0, if may_release { f64::INFINITY } else { 0.0 }, 0.0, VarType::Continuous, &[(bal, 1.0)])?;
                let b = pm.model.add_column(
                    0.0,
                    f64::INFINITY,
                    sc.probability * inst.discount[t] * cw * sp.purchase_cost,
                    VarType::Continuous,
                    &[(bal, -1.0)],
                )?;
                let lv = pm.model.add_continuous(0.0, f64::INFINITY)?;
                // L_t - L_{t-1} + r - b = 0 (L_{-1} = Z).
                let before = prev.unwrap_or(pm.target[h]);
                let row = pm.model.add_row(0.0, 0.0, &[(lv, 1.0), (before, -1.0), (r, 1.0), (b, -1.0)])?;
                let cap = pm.model.add_row(f64::NEG_INFINITY, 0.0, &[(lv, 1.0), (pm.target[h], -1.0)])?;
                if opts.names {
                    let tag = format!("{h}_{}_{}", node_name(inst, sp.node), st(inst, s, t));
                    name_var(&mut pm.model, opts, r, || format!("release_{tag}"))?;
                    name_var(&mut pm.model, opts, b, || format!("refill_{tag}"))?;
                    name_var(&mut pm.model, opts, lv, || format!("level_{tag}"))?;
                    name_row(&mut pm.model, opts, row, || format!("stockbal_{tag}"))?;
                    name_row(&mut pm.model, opts, cap, || format!("stockcap_{tag}"))?;
                }
                pm.release.push(r);
                pm.refill.push(b);
                pm.level.push(lv);
                prev = Some(lv);
            }
        }
    }
    Ok(())
}

/// Shortfall u_nts at nodes with demand, and the hard limit rows.
pub fn define_shortfall(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let (t_len, nn) = (pm.horizon, inst.nodes.len());
    pm.short = vec![None; pm.scenarios * nn * t_len];
    pm.hard_row = vec![None; pm.scenarios * nn * t_len];
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for (n, node) in inst.nodes.iter().enumerate() {
            for t in 0..t_len {
                let d = node.demand[t] * sc.demand_factor[n * t_len + t];
                if d <= 0.0 {
                    continue;
                }
                let i = pm.nt(s, n, nn, t);
                let cost = sc.probability * inst.discount[t] * node.penalty;
                let u = pm.model.add_column(0.0, d, cost, VarType::Continuous, &[(pm.balance[i], 1.0)])?;
                name_var(&mut pm.model, opts, u, || format!("short_{}_{}", node_name(inst, n), st(inst, s, t)))?;
                pm.short[i] = Some(u);
                if let Some(share) = node.max_short_share {
                    let r = pm.model.add_row(f64::NEG_INFINITY, share * d, &[(u, 1.0)])?;
                    name_row(&mut pm.model, opts, r, || format!("hard_{}_{}", node_name(inst, n), st(inst, s, t)))?;
                    pm.hard_row[i] = Some(r);
                }
            }
        }
    }
    Ok(())
}

/// Lanes into and out of each node, and projects at each node.
pub struct Adjacency {
    pub lanes_in: Vec<Vec<usize>>,
    pub lanes_out: Vec<Vec<usize>>,
    pub projects: Vec<Vec<usize>>,
}

impl Adjacency {
    pub fn new(inst: &Instance) -> Adjacency {
        let nn = inst.nodes.len();
        let mut a = Adjacency { lanes_in: vec![vec![]; nn], lanes_out: vec![vec![]; nn], projects: vec![vec![]; nn] };
        for (l, lane) in inst.lanes.iter().enumerate() {
            a.lanes_in[lane.to].push(l);
            if let LaneFrom::Node { node } = lane.from {
                a.lanes_out[node].push(l);
            }
        }
        for (j, p) in inst.projects.iter().enumerate() {
            a.projects[p.node].push(j);
        }
        a
    }
}

/// Supply of node n in (s, t) as terms: existing and project output, flows
/// in, minus flows out to other nodes. With `group`, only the part from it.
fn supply_terms(
    inst: &Instance,
    pm: &PlanModel,
    adj: &Adjacency,
    (s, n, t): (usize, usize, usize),
    group: Option<&[lodestone_model::CountryCode]>,
) -> Vec<(Var, f64)> {
    let (t_len, nn, jn, ln) = (pm.horizon, inst.nodes.len(), inst.projects.len(), inst.lanes.len());
    let mut terms = vec![];
    let own = group.is_none_or(|g| g.contains(&inst.nodes[n].country));
    if own {
        if let Some(x) = pm.prod[pm.nt(s, n, nn, t)] {
            terms.push((x, 1.0));
        }
        for &j in &adj.projects[n] {
            if let Some(q) = pm.pprod[(s * jn + j) * t_len + t] {
                terms.push((q, 1.0));
            }
        }
        for &l in &adj.lanes_out[n] {
            terms.push((pm.flow[(s * ln + l) * t_len + t], -1.0));
        }
    }
    for &l in &adj.lanes_in[n] {
        if group.is_none_or(|g| g.contains(&inst.lane_origin(l))) {
            terms.push((pm.flow[(s * ln + l) * t_len + t], 1.0));
        }
    }
    terms
}

/// Share policies: from_group - share * supply <= 0 (max) or >= 0 (min),
/// per partner node, period from `from`, and scenario.
pub fn define_policies(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let adj = Adjacency::new(inst);
    for (s, _) in inst.scenarios.iter().enumerate() {
        for (pi, pol) in inst.policies.iter().enumerate() {
            for &n in &pol.nodes {
                for t in pol.from..pm.horizon {
                    let mut terms = supply_terms(inst, pm, &adj, (s, n, t), Some(&pol.group));
                    for (v, c) in supply_terms(inst, pm, &adj, (s, n, t), None) {
                        terms.push((v, -pol.share * c));
                    }
                    let (lo, hi) = match pol.kind {
                        ShareKind::Max => (f64::NEG_INFINITY, 0.0),
                        ShareKind::Min => (0.0, f64::INFINITY),
                    };
                    let r = pm.model.add_row(lo, hi, &terms)?;
                    name_row(&mut pm.model, opts, r, || format!("policy{pi}_{}_{}", node_name(inst, n), st(inst, s, t)))?;
                    pm.policy_rows.push((pi, n, t, s, r));
                }
            }
        }
    }
    Ok(())
}

/// Fairness: the deviation of each partner's shortfall from its
/// demand-proportional share of the commodity-stage's total shortfall.
pub fn define_fairness(inst: &Instance, pm: &mut PlanModel, opts: BuildOptions) -> Result<(), LpError> {
    let (t_len, nn) = (pm.horizon, inst.nodes.len());
    pm.dev = vec![None; pm.scenarios * nn * t_len];
    let w = inst.weights.fairness;
    if w <= 0.0 {
        return Ok(());
    }
    for (s, sc) in inst.scenarios.iter().enumerate() {
        for k in 0..inst.keys.len() {
            for t in 0..t_len {
                let members: Vec<(usize, f64, Var)> = (0..nn)
                    .filter(|&n| inst.nodes[n].key == k)
                    .filter_map(|n| pm.short[pm.nt(s, n, nn, t)].map(|u| (n, inst.nodes[n].demand[t] * sc.demand_factor[n * t_len + t], u)))
                    .collect();
                if members.len() < 2 {
                    continue;
                }
                let total: f64 = members.iter().map(|m| m.1).sum();
                let rho = pm.model.add_continuous(0.0, 1.0)?;
                name_var(&mut pm.model, opts, rho, || format!("rho_{}_{}", inst.keys[k].key, st(inst, s, t)))?;
                let mut terms: Vec<(Var, f64)> = members.iter().map(|m| (m.2, 1.0)).collect();
                terms.push((rho, -total));
                pm.model.add_row(0.0, 0.0, &terms)?;
                for &(n, d, u) in &members {
                    let cost = sc.probability * inst.discount[t] * w;
                    let v = pm.model.add_var(0.0, f64::INFINITY, cost, VarType::Continuous)?;
                    name_var(&mut pm.model, opts, v, || format!("dev_{}_{}", node_name(inst, n), st(inst, s, t)))?;
                    pm.model.add_row(0.0, f64::INFINITY, &[(v, 1.0), (u, -1.0), (rho, d)])?;
                    pm.model.add_row(0.0, f64::INFINITY, &[(v, 1.0), (u, 1.0), (rho, -d)])?;
                    let i = pm.nt(s, n, nn, t);
                    pm.dev[i] = Some(v);
                }
            }
        }
    }
    Ok(())
}
