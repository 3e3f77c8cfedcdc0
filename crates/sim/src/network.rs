//! The supply network: country x commodity-stage nodes and trade edges,
//! built once from a [`Dataset`] and a base year, stored as flat arrays.
//!
//! Node ids run over commodity-stages in processing order (a recipe's input
//! before its output, then upstream stage first, then commodity id) and,
//! within one commodity-stage, over countries in code order; so each
//! commodity-stage's nodes are one contiguous id range. Edges are sorted by
//! exporter node (compressed rows: `out_start`).
//!
//! All quantities are **per period** (annual / 12 for months, / 52 for
//! weeks) in the commodity-stage's unit.

use crate::scenario::{CommoditySel, NetworkSpec, Period};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A node: one country's supply of one commodity-stage.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    pub country: CountryCode,
    pub key: CommodityKey,
}

/// Struct-of-arrays network. Everything is indexed by node id, edge id or
/// commodity-stage index (`keys`).
#[derive(Clone, Debug)]
pub struct Network {
    pub period: Period,
    pub nodes: Vec<Node>,
    /// Commodity-stages in processing order.
    pub keys: Vec<CommodityKey>,
    /// Nodes of `keys[k]` are `key_start[k] .. key_start[k + 1]`.
    pub key_start: Vec<u32>,
    pub key_of: Vec<u32>,
    /// Distinct countries (sorted); `country_of[n]` indexes it.
    pub countries: Vec<CountryCode>,
    pub country_of: Vec<u32>,
    /// Capacity per period.
    pub capacity: Vec<f64>,
    /// Normal production per period.
    pub production: Vec<f64>,
    /// Normal final demand per period: apparent consumption less what the
    /// country's own producers consume through recipes.
    pub final_demand: Vec<f64>,
    /// Initial stock (also the level stocks are refilled to).
    pub stock: Vec<f64>,
    /// Edges: exporter node, importer node, normal flow per period; sorted
    /// by exporter, then importer.
    pub edge_from: Vec<u32>,
    pub edge_to: Vec<u32>,
    pub edge_flow: Vec<f64>,
    /// Edges out of node n are `out_start[n] .. out_start[n + 1]`.
    pub out_start: Vec<u32>,
    /// Recipe inputs of output node n: `rin_start[n] .. rin_start[n + 1]`
    /// into `rin_node` (the same country's input node) and `rin_qty` (input
    /// per unit of output, after any consistency scaling).
    pub rin_start: Vec<u32>,
    pub rin_node: Vec<u32>,
    pub rin_qty: Vec<f64>,
    /// Base years used, per commodity-stage: (production year, trade year).
    pub years: Vec<(Option<i32>, Option<i32>)>,
    /// What a reader should know about how the data were turned into the
    /// network (flows scaled down, demand floored, missing data).
    pub notes: Vec<String>,
    index: HashMap<(CountryCode, CommodityKey), u32>,
}

impl Network {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, country: CountryCode, key: &CommodityKey) -> Option<usize> {
        self.index.get(&(country, key.clone())).map(|&i| i as usize)
    }

    /// Normal need per period of node n: final demand plus what its
    /// country's producers consume through recipes.
    pub fn normal_need(&self) -> Vec<f64> {
        let mut need = self.final_demand.clone();
        for out in 0..self.len() {
            for l in self.rin_start[out] as usize..self.rin_start[out + 1] as usize {
                need[self.rin_node[l] as usize] += self.production[out] * self.rin_qty[l];
            }
        }
        need
    }

    /// Builds the network from a dataset. See docs/scenarios.md for
    /// each convention; every adjustment made to the data is listed in
    /// `notes`.
    pub fn build(ds: &Dataset, spec: &NetworkSpec, period: Period) -> Network {
        let per = period.per_year();
        let mut notes = vec![];
        let selected = |k: &CommodityKey| spec.commodities.is_empty() || spec.commodities.iter().any(|s| s.matches(k));

        // Keys with production or trade data, in processing order.
        let mut keyset: BTreeSet<CommodityKey> = BTreeSet::new();
        keyset.extend(ds.production.iter().filter(|p| p.country.is_some()).map(|p| p.key.clone()));
        keyset.extend(ds.trade.iter().map(|t| t.key.clone()));
        keyset.retain(|k| selected(k));
        let keys = order_keys(ds, keyset.into_iter().collect());

        let latest = |years: &mut dyn Iterator<Item = i32>| -> Option<i32> {
            match spec.year {
                Some(y) => {
                    let ys: Vec<i32> = years.collect();
                    ys.contains(&y).then_some(y)
                }
                None => years.max(),
            }
        };
        let mut years = vec![];
        // (country, key index) -> (production, capacity)
        let mut nodeset: BTreeMap<(usize, CountryCode), (f64, Option<f64>)> = BTreeMap::new();
        let mut flows: BTreeMap<(usize, CountryCode, CountryCode), f64> = BTreeMap::new();
        let mut self_flows = 0usize;
        for (ki, k) in keys.iter().enumerate() {
            let py = latest(&mut ds.production.iter().filter(|p| &p.key == k).map(|p| p.year));
            let ty = latest(&mut ds.trade.iter().filter(|t| &t.key == k).map(|t| t.year));
            years.push((py, ty));
            if let Some(y) = py {
                for p in ds.production.iter().filter(|p| &p.key == k && p.year == y) {
                    if let Some(c) = p.country {
                        nodeset.entry((ki, c)).or_insert((0.0, None)).0 += p.quantity;
                    }
                }
                for p in ds.capacity.iter().filter(|p| &p.key == k && p.year == y) {
                    if let Some(c) = p.country {
                        let e = nodeset.entry((ki, c)).or_insert((0.0, None));
                        e.1 = Some(e.1.unwrap_or(0.0) + p.quantity);
                    }
                }
            }
            if let Some(y) = ty {
                for t in ds.trade.iter().filter(|t| &t.key == k && t.year == y) {
                    if t.exporter == t.importer {
                        self_flows += 1;
                        continue;
                    }
                    nodeset.entry((ki, t.exporter)).or_insert((0.0, None));
                    nodeset.entry((ki, t.importer)).or_insert((0.0, None));
                    *flows.entry((ki, t.exporter, t.importer)).or_insert(0.0) += t.quantity;
                }
            }
            // A traded commodity-stage with no production data (refined
            // compounds, ores in gross weight): without production every
            // exporter would look like a pure re-exporter and its exports
            // would be scaled away. Infer each country's output as its net
            // exports (exports - imports, floored at 0), the least production
            // consistent with the trade, and say so.
            if let (None, Some(y)) = (py, ty) {
                let mut net: BTreeMap<CountryCode, f64> = BTreeMap::new();
                let lo = e_min();
                for (&(kj, e, i), &q) in flows.range((ki, lo, lo)..) {
                    if kj != ki {
                        break;
                    }
                    *net.entry(e).or_insert(0.0) += q;
                    *net.entry(i).or_insert(0.0) -= q;
                }
                let mut inferred = 0usize;
                for (c, x) in net {
                    if x > 0.0 {
                        nodeset.entry((ki, c)).or_insert((0.0, None)).0 += x;
                        inferred += 1;
                    }
                }
                notes.push(format!(
                    "{k}: no production rows; production of {inferred} net exporters inferred as exports - imports in {y}"
                ));
            }
            if spec.year.is_some() && py.is_none() && ty.is_none() {
                notes.push(format!("{k}: no production or trade rows in {}; left out", spec.year.unwrap_or(0)));
            }
            if let (Some(a), Some(b)) = (py, ty) {
                if a != b {
                    notes.push(format!("{k}: production from {a}, trade from {b} (each table's latest year)"));
                }
            }
        }
        if self_flows > 0 {
            notes.push(format!("{self_flows} trade rows with exporter = importer were ignored"));
        }

        let countries: Vec<CountryCode> = {
            let s: BTreeSet<CountryCode> = nodeset.keys().map(|k| k.1).collect();
            s.into_iter().collect()
        };
        let cidx = |c: CountryCode| countries.binary_search(&c).expect("country") as u32;
        let mut nodes = vec![];
        let mut key_of = vec![];
        let mut country_of = vec![];
        let mut capacity = vec![];
        let mut production = vec![];
        let mut key_start = vec![0u32];
        let mut index = HashMap::new();
        let mut cap_below = 0usize;
        for (ki, k) in keys.iter().enumerate() {
            for (&(_, c), &(p, cap)) in nodeset.range((ki, e_min())..=(ki, z_max())) {
                index.insert((c, k.clone()), nodes.len() as u32);
                nodes.push(Node { country: c, key: k.clone() });
                key_of.push(ki as u32);
                country_of.push(cidx(c));
                let cap = match cap {
                    Some(cap) if cap >= p => cap,
                    Some(_) => {
                        cap_below += 1;
                        p
                    }
                    None => p * (1.0 + spec.headroom),
                };
                production.push(p / per);
                capacity.push(cap / per);
            }
            key_start.push(nodes.len() as u32);
        }
        if cap_below > 0 {
            notes.push(format!("{cap_below} nodes had capacity below production; capacity taken as production"));
        }
        if spec.headroom > 0.0 {
            notes.push(format!(
                "spare capacity: where the dataset has no capacity row, capacity = production x {} (headroom {})",
                1.0 + spec.headroom,
                spec.headroom
            ));
        }

        // Edges, sorted by exporter node then importer node.
        let n = nodes.len();
        let mut edges: Vec<(u32, u32, f64)> = flows
            .iter()
            .map(|(&(ki, e, i), &q)| (index[&(e, keys[ki].clone())], index[&(i, keys[ki].clone())], q / per))
            .collect();
        edges.sort_by_key(|a| (a.0, a.1));

        // Consistency: a node cannot export more than it produces and
        // imports. Scale such exporters' flows down until none does.
        let mut scaled: BTreeSet<u32> = BTreeSet::new();
        for _pass in 0..200 {
            let mut inflow = vec![0.0; n];
            let mut outflow = vec![0.0; n];
            for &(f, t, q) in &edges {
                outflow[f as usize] += q;
                inflow[t as usize] += q;
            }
            let mut changed = false;
            let factor: Vec<f64> = (0..n)
                .map(|i| {
                    let avail = production[i] + inflow[i];
                    if outflow[i] > avail * (1.0 + 1e-12) {
                        changed = true;
                        scaled.insert(i as u32);
                        avail / outflow[i]
                    } else {
                        1.0
                    }
                })
                .collect();
            if !changed {
                break;
            }
            for e in edges.iter_mut() {
                e.2 *= factor[e.0 as usize];
            }
        }
        if !scaled.is_empty() {
            let list: Vec<String> = scaled.iter().take(8).map(|&i| format!("{}:{}", nodes[i as usize].country, nodes[i as usize].key)).collect();
            notes.push(format!(
                "{} nodes exported more than they produced and imported (re-exports, basis or timing differences); \
                 their export flows were scaled down pro rata so that apparent consumption is not negative (e.g. {})",
                scaled.len(),
                list.join(", ")
            ));
        }
        let mut out_start = vec![0u32; n + 1];
        for &(f, _, _) in &edges {
            out_start[f as usize + 1] += 1;
        }
        for i in 0..n {
            out_start[i + 1] += out_start[i];
        }
        let edge_from: Vec<u32> = edges.iter().map(|e| e.0).collect();
        let edge_to: Vec<u32> = edges.iter().map(|e| e.1).collect();
        let edge_flow: Vec<f64> = edges.iter().map(|e| e.2).collect();

        // Apparent consumption, floored at 0.
        let mut ac = production.clone();
        for e in 0..edge_flow.len() {
            ac[edge_to[e] as usize] += edge_flow[e];
            ac[edge_from[e] as usize] -= edge_flow[e];
        }
        let mut floored = 0;
        for a in ac.iter_mut() {
            if *a < 0.0 {
                if *a < -1e-9 {
                    floored += 1;
                }
                *a = 0.0;
            }
        }
        if floored > 0 {
            notes.push(format!("{floored} nodes had negative apparent consumption after scaling; floored at 0"));
        }

        // Recipes: output node (c, out) draws on input node (c, in).
        let mut links: Vec<Vec<(u32, f64)>> = vec![vec![]; n];
        for r in &ds.recipes {
            for c in &countries {
                let (Some(&o), Some(&i)) = (index.get(&(*c, r.output.clone())), index.get(&(*c, r.input.clone()))) else {
                    continue;
                };
                links[o as usize].push((i, r.quantity));
            }
        }
        let mut use0 = vec![0.0; n];
        for (o, l) in links.iter().enumerate() {
            for &(i, q) in l {
                use0[i as usize] += production[o] * q;
            }
        }
        let mut recipe_scale = vec![1.0; n];
        let mut rscaled = 0;
        for i in 0..n {
            if use0[i] > ac[i] * (1.0 + 1e-12) {
                recipe_scale[i] = if use0[i] > 0.0 { ac[i] / use0[i] } else { 1.0 };
                rscaled += 1;
            }
        }
        if rscaled > 0 {
            notes.push(format!(
                "{rscaled} input nodes had less apparent consumption than their country's recipe use; the recipe \
                 quantities drawn on them were scaled down so the normal state is feasible"
            ));
        }
        let mut rin_start = vec![0u32];
        let mut rin_node = vec![];
        let mut rin_qty = vec![];
        for l in &links {
            for &(i, q) in l {
                rin_node.push(i);
                rin_qty.push(q * recipe_scale[i as usize]);
            }
            rin_start.push(rin_node.len() as u32);
        }
        let final_demand: Vec<f64> =
            (0..n).map(|i| (ac[i] - use0[i] * recipe_scale[i]).max(0.0)).collect();

        // Stocks: scenario entries, else dataset stockpiles, else months of need.
        let need: Vec<f64> = (0..n).map(|i| ac[i]).collect();
        let months_to_periods = per / 12.0;
        let mut stock: Vec<f64> = need.iter().map(|d| d * spec.stock_months * months_to_periods).collect();
        let mut from_ds = 0;
        for s in &ds.stockpiles {
            if let Some(&i) = index.get(&(s.holder, s.key.clone())) {
                if spec.year.is_none_or(|y| s.year <= y) {
                    stock[i as usize] = s.quantity;
                    from_ds += 1;
                }
            }
        }
        if from_ds > 0 {
            notes.push(format!("{from_ds} stocks taken from the dataset's stockpiles (their release rules are replaced by the scenario's policy)"));
        }
        for s in &spec.stocks {
            for (i, nd) in nodes.iter().enumerate() {
                if nd.country == s.country && s.commodity.matches(&nd.key) {
                    stock[i] = match (s.quantity, s.months) {
                        (Some(q), _) => q,
                        (None, Some(m)) => need[i] * m * months_to_periods,
                        _ => stock[i],
                    };
                }
            }
        }

        Network {
            period,
            nodes,
            keys,
            key_start,
            key_of,
            countries,
            country_of,
            capacity,
            production,
            final_demand,
            stock,
            edge_from,
            edge_to,
            edge_flow,
            out_start,
            rin_start,
            rin_node,
            rin_qty,
            years,
            notes,
            index,
        }
    }

    /// Nodes matching a country and commodity selector.
    pub fn select(&self, country: CountryCode, sel: &CommoditySel) -> Vec<u32> {
        (0..self.len() as u32)
            .filter(|&i| self.nodes[i as usize].country == country && sel.matches(&self.nodes[i as usize].key))
            .collect()
    }

    /// A synthetic network for benchmarks and tests (labelled synthetic:
    /// never data). `keys` commodity-stages in a chain (each stage uses the
    /// previous one with recipe quantity 1.2), `countries` countries, each
    /// node exporting to `degree` others. Deterministic in `seed`.
    pub fn synthetic(keys: usize, countries: usize, degree: usize, seed: u64, period: Period) -> Network {
        let mut rng = crate::rng::Rng::new(seed);
        let codes: Vec<CountryCode> = (0..countries)
            .map(|i| {
                let a = b'A' + (i / 26) as u8;
                let b = b'A' + (i % 26) as u8;
                CountryCode::parse(std::str::from_utf8(&[a, b]).unwrap()).unwrap()
            })
            .collect();
        let keyv: Vec<CommodityKey> = (0..keys).map(|k| CommodityKey::new(format!("syn{k}"), "stage")).collect();
        let n = keys * countries;
        let mut nodes = vec![];
        let mut index = HashMap::new();
        let (mut key_of, mut country_of, mut key_start) = (vec![], vec![], vec![0u32]);
        let (mut production, mut capacity) = (vec![], vec![]);
        for (ki, k) in keyv.iter().enumerate() {
            for (ci, c) in codes.iter().enumerate() {
                index.insert((*c, k.clone()), nodes.len() as u32);
                nodes.push(Node { country: *c, key: k.clone() });
                key_of.push(ki as u32);
                country_of.push(ci as u32);
                let p = if rng.next_f64() < 0.3 { 100.0 * (1.0 + 9.0 * rng.next_f64()) } else { 0.0 };
                production.push(p);
                capacity.push(p * 1.1);
            }
            key_start.push(nodes.len() as u32);
        }
        let mut edges = vec![];
        for i in 0..n {
            let ki = i / countries;
            for _ in 0..degree {
                let j = ki * countries + (rng.next_u64() % countries as u64) as usize;
                if j != i && production[i] > 0.0 {
                    edges.push((i as u32, j as u32, production[i] * 0.5 / degree as f64 * rng.next_f64()));
                }
            }
        }
        edges.sort_by_key(|a| (a.0, a.1));
        edges.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let mut out_start = vec![0u32; n + 1];
        for e in &edges {
            out_start[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            out_start[i + 1] += out_start[i];
        }
        let mut ac = production.clone();
        for e in &edges {
            ac[e.1 as usize] += e.2;
            ac[e.0 as usize] -= e.2;
        }
        // Recipes: stage k uses stage k-1 of the same country at 0.2 per
        // unit when that node consumes enough.
        let mut rin_start = vec![0u32];
        let (mut rin_node, mut rin_qty) = (vec![], vec![]);
        let mut use0 = vec![0.0; n];
        for i in 0..n {
            if i >= countries && production[i] > 0.0 {
                let inp = i - countries;
                let q = 0.2;
                if ac[inp] - use0[inp] >= production[i] * q {
                    use0[inp] += production[i] * q;
                    rin_node.push(inp as u32);
                    rin_qty.push(q);
                }
            }
            rin_start.push(rin_node.len() as u32);
        }
        let final_demand: Vec<f64> = (0..n).map(|i| (ac[i] - use0[i]).max(0.0)).collect();
        let stock: Vec<f64> = ac.iter().map(|a| a * 2.0).collect();
        Network {
            period,
            nodes,
            keys: keyv,
            key_start,
            key_of,
            countries: codes,
            country_of,
            capacity,
            production,
            final_demand,
            stock,
            edge_from: edges.iter().map(|e| e.0).collect(),
            edge_to: edges.iter().map(|e| e.1).collect(),
            edge_flow: edges.iter().map(|e| e.2).collect(),
            out_start,
            rin_start,
            rin_node,
            rin_qty,
            years: vec![(None, None); keys],
            notes: vec!["synthetic network (benchmark only; not data)".into()],
            index,
        }
    }
}

/// Commodity-stages ordered so that every recipe input comes before its
/// output (Kahn's algorithm; ties and any cycle broken by stage index, then
/// commodity id).
fn order_keys(ds: &Dataset, keys: Vec<CommodityKey>) -> Vec<CommodityKey> {
    let rank = |k: &CommodityKey| (ds.stage_index(&k.stage).unwrap_or(usize::MAX), k.commodity.clone());
    let mut keys = keys;
    keys.sort_by_key(rank);
    let pos: HashMap<&CommodityKey, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let mut indeg = vec![0usize; keys.len()];
    let mut succ: Vec<Vec<usize>> = vec![vec![]; keys.len()];
    for r in &ds.recipes {
        if let (Some(&o), Some(&i)) = (pos.get(&r.output), pos.get(&r.input)) {
            if o != i {
                succ[i].push(o);
                indeg[o] += 1;
            }
        }
    }
    let mut done = vec![false; keys.len()];
    let mut out = vec![];
    while out.len() < keys.len() {
        // The first (by rank) ready key; if none is ready (a cycle), the
        // first not yet placed.
        let next = (0..keys.len())
            .find(|&i| !done[i] && indeg[i] == 0)
            .or_else(|| (0..keys.len()).find(|&i| !done[i]))
            .expect("a key left");
        done[next] = true;
        out.push(keys[next].clone());
        for &s in &succ[next] {
            indeg[s] = indeg[s].saturating_sub(1);
        }
    }
    out
}

/// The largest country code, as a range bound.
fn z_max() -> CountryCode {
    CountryCode::parse("ZZ").expect("ZZ is two capitals")
}

/// The smallest country code, as a range bound.
fn e_min() -> CountryCode {
    CountryCode::parse("AA").expect("AA is two capitals")
}
