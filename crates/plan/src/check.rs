//! An independent check of a returned plan: every constraint of the
//! formulation in docs/plans.md, recomputed from the [`Instance`] and the
//! plan's values alone (no model, no rows, no solver). Used by the tests
//! and available to callers who want to audit an answer.

use crate::instance::{Instance, LaneFrom, ReleaseRule, ShareKind};
use crate::solve::PlanValues;

/// Every violation larger than `tol` (relative to the size of the terms
/// involved, with 1 as the floor), as readable lines.
pub fn check_plan(inst: &Instance, v: &PlanValues, relaxed: bool, tol: f64) -> Vec<String> {
    let t_len = inst.horizon();
    let (nn, jn, ln, hn) = (inst.nodes.len(), inst.projects.len(), inst.lanes.len(), inst.stockpiles.len());
    let mut bad = vec![];
    let mut chk = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };
    let le = |a: f64, b: f64, scale: f64| a <= b + tol * scale.abs().max(1.0);
    let nonneg = |xs: &[f64]| xs.iter().all(|&x| x >= -tol);
    chk(nonneg(&v.prod) && nonneg(&v.pprod) && nonneg(&v.flow) && nonneg(&v.short), "a quantity is negative".into());
    chk(nonneg(&v.release) && nonneg(&v.refill) && nonneg(&v.level) && nonneg(&v.build), "a stock or build value is negative".into());

    // Builds: units, integrality, only in allowed start periods.
    let mut online = vec![0.0; jn * t_len];
    for (j, p) in inst.projects.iter().enumerate() {
        let starts = p.start_periods(t_len);
        let total: f64 = (0..t_len).map(|tau| v.build[j * t_len + tau]).sum();
        chk(le(total, p.max_units as f64, 1.0), format!("project {}: {total} units started, at most {}", p.id, p.max_units));
        for tau in 0..t_len {
            let y = v.build[j * t_len + tau];
            if !starts.contains(&tau) {
                chk(y.abs() <= tol, format!("project {} started in {} outside its allowed start periods", p.id, inst.labels[tau]));
            }
            if !relaxed {
                chk((y - y.round()).abs() <= 1e-6, format!("project {} start {} is fractional ({y})", p.id, inst.labels[tau]));
            }
            for t in tau + p.lead..t_len {
                online[j * t_len + t] += y;
            }
        }
    }

    for (s, sc) in inst.scenarios.iter().enumerate() {
        let tag = |t: usize| format!("{} {}", inst.labels[t], sc.name);
        for t in 0..t_len {
            // Output per node (existing + projects) and balances.
            let mut out = vec![0.0; nn];
            for (n, node) in inst.nodes.iter().enumerate() {
                let x = v.prod[(s * nn + n) * t_len + t];
                let cap = node.cap * sc.node_factor[n * t_len + t];
                chk(le(x, cap, cap), format!("{} {}: production {x} above capacity {cap} in {}", node.country, inst.keys[node.key].key, tag(t)));
                out[n] += x;
            }
            for (j, p) in inst.projects.iter().enumerate() {
                let q = v.pprod[(s * jn + j) * t_len + t];
                let cap = p.cap * sc.node_factor[p.node * t_len + t] * online[j * t_len + t];
                chk(le(q, cap, p.cap), format!("project {}: output {q} above online capacity {cap} in {}", p.id, tag(t)));
                out[p.node] += q;
            }
            let mut bal = vec![0.0; nn];
            let mut scale = vec![1.0f64; nn];
            for n in 0..nn {
                bal[n] += out[n];
                scale[n] += out[n].abs();
                let node = &inst.nodes[n];
                for r in inst.recipes.iter().filter(|r| r.output == node.key) {
                    if let Some(i) = inst.node_of(node.country, r.input) {
                        bal[i] -= r.qty * out[n];
                        scale[i] += (r.qty * out[n]).abs();
                    }
                }
            }
            for (l, lane) in inst.lanes.iter().enumerate() {
                let f = v.flow[(s * ln + l) * t_len + t];
                if let Some(c) = lane.cap {
                    let cap = c * sc.lane_factor[l * t_len + t];
                    chk(le(f, cap, cap), format!("lane {}: flow {f} above {cap} in {}", inst.lane_label(l), tag(t)));
                }
                bal[lane.to] += f;
                scale[lane.to] += f.abs();
                if let LaneFrom::Node { node } = lane.from {
                    bal[node] -= f;
                    scale[node] += f.abs();
                }
            }
            for (h, sp) in inst.stockpiles.iter().enumerate() {
                let i = (s * hn + h) * t_len + t;
                let (r, b, lv) = (v.release[i], v.refill[i], v.level[i]);
                bal[sp.node] += r - b;
                scale[sp.node] += r.abs() + b.abs();
                let before = if t == 0 { v.target[h] } else { v.level[i - 1] };
                chk((lv - (before - r + b)).abs() <= tol * (before.abs() + r + b).max(1.0), format!("stockpile {h}: level does not follow releases and refills in {}", tag(t)));
                chk(le(lv, v.target[h], v.target[h]), format!("stockpile {h}: level {lv} above target {} in {}", v.target[h], tag(t)));
                let key = inst.nodes[sp.node].key;
                if sp.release == ReleaseRule::Disruption && !sc.disrupted[key * t_len + t] {
                    chk(r <= tol, format!("stockpile {h}: released {r} in {} without a disruption", tag(t)));
                }
            }
            for (n, node) in inst.nodes.iter().enumerate() {
                let i = (s * nn + n) * t_len + t;
                let d = node.demand[t] * sc.demand_factor[n * t_len + t];
                let u = v.short[i];
                chk(le(u, d, d), format!("{} {}: shortfall {u} above demand {d} in {}", node.country, inst.keys[node.key].key, tag(t)));
                if let Some(share) = node.max_short_share {
                    chk(le(u, share * d, d), format!("{} {}: shortfall {u} above the hard limit {} in {}", node.country, inst.keys[node.key].key, share * d, tag(t)));
                }
                let resid = bal[n] + u - d;
                chk(resid.abs() <= tol * (scale[n] + d).max(1.0), format!("{} {}: supply and demand do not balance ({resid:+}) in {}", node.country, inst.keys[node.key].key, tag(t)));
            }
            // Policies.
            for pol in &inst.policies {
                if t < pol.from {
                    continue;
                }
                for &n in &pol.nodes {
                    let country = inst.nodes[n].country;
                    let own = {
                        let mut o = out[n];
                        for (l, lane) in inst.lanes.iter().enumerate() {
                            if lane.from == (LaneFrom::Node { node: n }) {
                                o -= v.flow[(s * ln + l) * t_len + t];
                            }
                        }
                        o
                    };
                    let (mut total, mut from_group) = (own, if pol.group.contains(&country) { own } else { 0.0 });
                    for (l, lane) in inst.lanes.iter().enumerate() {
                        if lane.to == n {
                            let f = v.flow[(s * ln + l) * t_len + t];
                            total += f;
                            if pol.group.contains(&inst.lane_origin(l)) {
                                from_group += f;
                            }
                        }
                    }
                    let ok = match pol.kind {
                        ShareKind::Max => le(from_group, pol.share * total, total),
                        ShareKind::Min => le(pol.share * total, from_group, total),
                    };
                    chk(ok, format!("policy `{}` at {country}: {from_group} of {total} from the group in {}", pol.name, tag(t)));
                }
            }
        }
    }
    for (h, sp) in inst.stockpiles.iter().enumerate() {
        chk(le(sp.initial, v.target[h], sp.initial) && le(v.target[h], sp.max, sp.max), format!("stockpile {h}: target {} outside [{}, {}]", v.target[h], sp.initial, sp.max));
    }
    bad
}
