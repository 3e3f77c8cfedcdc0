//! A plan file + a dataset (+ the scenario files it names) -> an
//! [`Instance`]: every number the optimisation model uses, per period, with
//! the conventions applied and listed in `notes`. The model builder
//! ([`crate::model`]) and the independent checker ([`crate::check`]) both
//! read this and nothing else.

use crate::file::{Located, PlanError, PlanErrors, PlanFile};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use lodestone_sim::network::Network;
use lodestone_sim::scenario::{CommoditySel, DisruptionKind, NetworkSpec, Period};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// Where a lane's goods come from.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LaneFrom {
    /// An existing supplier outside the plan's nodes (base-year trade).
    Outside { country: CountryCode },
    /// Another plan node (a partner, or a project abroad).
    Node { node: usize },
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Lane {
    pub from: LaneFrom,
    pub to: usize,
    /// Most per period (before scenario factors); `None`: unbounded.
    pub cap: Option<f64>,
    /// Money per unit.
    pub cost: f64,
}

/// One country's supply balance of one commodity-stage.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NodeInst {
    pub country: CountryCode,
    pub key: usize,
    pub partner: bool,
    /// Existing capacity per period.
    pub cap: f64,
    /// Cost per unit from existing capacity.
    pub cost: f64,
    /// Final demand per period (zeros when none).
    pub demand: Vec<f64>,
    /// Hard limit on the share of demand left unmet.
    pub max_short_share: Option<f64>,
    /// Penalty per unit of demand left unmet.
    pub penalty: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct RecipeInst {
    pub output: usize,
    pub input: usize,
    pub qty: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ProjectInst {
    pub id: String,
    pub kind: String,
    pub node: usize,
    /// Per period.
    pub cap: f64,
    pub capex: f64,
    pub opex: f64,
    pub permitting_years: f64,
    pub build_years: f64,
    /// Periods from the start decision to first output.
    pub lead: usize,
    /// First period construction may start.
    pub earliest: usize,
    pub max_units: u32,
    pub source: String,
}

impl ProjectInst {
    /// Periods in which starting is worth a decision (output before the horizon ends).
    pub fn start_periods(&self, horizon: usize) -> std::ops::Range<usize> {
        let last = horizon.saturating_sub(self.lead); // exclusive
        self.earliest..last.max(self.earliest)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseRule {
    /// Only in periods in which the scenario disrupts the commodity.
    Disruption,
    Any,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StockInst {
    pub node: usize,
    pub max: f64,
    pub initial: f64,
    /// Per unit per period.
    pub hold_cost: f64,
    pub purchase_cost: f64,
    pub release: ReleaseRule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareKind {
    Max,
    Min,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PolicyInst {
    pub name: String,
    pub kind: ShareKind,
    pub group: Vec<CountryCode>,
    pub key: usize,
    pub share: f64,
    /// Partner nodes (of `key`) it applies to.
    pub nodes: Vec<usize>,
    pub from: usize,
}

/// A scenario's effect, as multipliers per period.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScenarioInst {
    pub name: String,
    pub probability: f64,
    /// `lane_factor[l * horizon + t]`: share of the lane's cap available.
    pub lane_factor: Vec<f64>,
    /// `node_factor[n * horizon + t]`: share of the node's capacity (existing
    /// and built) available.
    pub node_factor: Vec<f64>,
    /// `demand_factor[n * horizon + t]`.
    pub demand_factor: Vec<f64>,
    /// `disrupted[k * horizon + t]`: the commodity-stage is disrupted.
    pub disrupted: Vec<bool>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct KeyInst {
    pub key: CommodityKey,
    pub unit: String,
    /// Base year of the dataset numbers (trade year, else production year).
    pub base_year: Option<i32>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Weights {
    pub cost_weight: f64,
    pub shortfall_penalty: f64,
    pub fairness: f64,
    pub discount_rate: f64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Instance {
    pub name: String,
    pub description: String,
    pub start_year: i32,
    pub per_year: usize,
    /// Period labels (`2027`, `2027Q3`).
    pub labels: Vec<String>,
    pub partners: Vec<CountryCode>,
    pub keys: Vec<KeyInst>,
    pub nodes: Vec<NodeInst>,
    pub lanes: Vec<Lane>,
    pub recipes: Vec<RecipeInst>,
    pub projects: Vec<ProjectInst>,
    pub stockpiles: Vec<StockInst>,
    pub policies: Vec<PolicyInst>,
    pub scenarios: Vec<ScenarioInst>,
    pub weights: Weights,
    /// Discount factor per period.
    pub discount: Vec<f64>,
    pub notes: Vec<String>,
}

impl Instance {
    pub fn horizon(&self) -> usize {
        self.labels.len()
    }

    pub fn node_of(&self, country: CountryCode, key: usize) -> Option<usize> {
        self.nodes.iter().position(|n| n.country == country && n.key == key)
    }

    pub fn lane_label(&self, l: usize) -> String {
        let lane = &self.lanes[l];
        let from = match lane.from {
            LaneFrom::Outside { country } => country.to_string(),
            LaneFrom::Node { node } => self.nodes[node].country.to_string(),
        };
        format!("{from}->{}", self.nodes[lane.to].country)
    }

    pub fn lane_origin(&self, l: usize) -> CountryCode {
        match self.lanes[l].from {
            LaneFrom::Outside { country } => country,
            LaneFrom::Node { node } => self.nodes[node].country,
        }
    }
}

/// Reads a scenario file named in a plan (relative to the plan file) and
/// returns its text; the caller does the I/O.
pub type ReadScenario<'a> = &'a dyn Fn(&str) -> Result<(String, String), String>;

/// A [`ReadScenario`] usable from several threads (sweeps).
pub type ReadScenarioSync = dyn Fn(&str) -> Result<(String, String), String> + Sync;

struct Cx<'a> {
    loc: Located<'a>,
    ds: &'a Dataset,
    errors: Vec<PlanError>,
}

impl<'a> Cx<'a> {
    fn err<T>(&mut self, s: &Spanned<T>, key: &str, msg: impl Into<String>) {
        let e = self.loc.error(s.span().start, key, msg);
        self.errors.push(e);
    }

    fn country(&mut self, s: &Spanned<String>, key: &str) -> Option<CountryCode> {
        match CountryCode::parse(s.get_ref()) {
            Some(c) if self.ds.countries.iter().any(|x| x.code == c) => Some(c),
            Some(_) => {
                self.err(s, key, format!("unknown country `{}`: not in the dataset's countries", s.get_ref()));
                None
            }
            None => {
                self.err(s, key, format!("`{}` is not a country code; expected ISO 3166-1 alpha-2 such as `JP`", s.get_ref()));
                None
            }
        }
    }

    fn key(&mut self, s: &Spanned<String>, key: &str) -> Option<CommodityKey> {
        let text = s.get_ref();
        match CommodityKey::parse(text) {
            Some(k) if self.ds.commodity(&k).is_some() => Some(k),
            Some(k) => {
                let stages: Vec<String> = self
                    .ds
                    .commodities
                    .iter()
                    .filter(|c| c.key.commodity == k.commodity)
                    .map(|c| c.key.to_string())
                    .collect();
                let hint = if stages.is_empty() { String::new() } else { format!("; declared: {}", stages.join(", ")) };
                self.err(s, key, format!("unknown commodity `{text}`: not declared in the dataset{hint}"));
                None
            }
            None => {
                self.err(s, key, format!("`{text}` is not a commodity-stage; expected `commodity/stage` such as `nickel/refining`"));
                None
            }
        }
    }

    fn nonneg(&mut self, s: &Spanned<f64>, key: &str) -> f64 {
        let v = *s.get_ref();
        if !v.is_finite() || v < 0.0 {
            self.err(s, key, format!("{v} is not allowed: expected a number >= 0"));
            return 0.0;
        }
        v
    }

    fn share(&mut self, s: &Spanned<f64>, key: &str) -> f64 {
        let v = *s.get_ref();
        if !(0.0..=1.0).contains(&v) {
            self.err(s, key, format!("{v} is not a share: expected a number from 0 to 1"));
            return 0.0;
        }
        v
    }

    fn group(&mut self, s: &Spanned<String>, key: &str, partners: &[CountryCode]) -> Vec<CountryCode> {
        if s.get_ref() == "partners" {
            return partners.to_vec();
        }
        let g = self.ds.group(s.get_ref());
        if g.is_empty() {
            let names = self.ds.group_names().join(", ");
            self.err(s, key, format!("unknown group `{}`; the dataset's groups: {names} (or `partners`)", s.get_ref()));
        }
        g.into_iter().collect()
    }
}

/// Turns a parsed plan file into an instance. `read_scenario` gets each
/// `[[scenario]] file` as written and returns (name for messages, text).
pub fn resolve(
    pf: &PlanFile,
    loc: Located<'_>,
    ds: &Dataset,
    read_scenario: ReadScenario<'_>,
) -> Result<Instance, PlanErrors> {
    let mut cx = Cx { loc, ds, errors: vec![] };
    let mut notes = vec![];

    // Horizon.
    let (count, per_year) = match (&pf.years, &pf.quarters) {
        (Some(y), None) => (y.clone(), 1usize),
        (None, Some(q)) => (q.clone(), 4usize),
        (Some(_), Some(q)) => {
            cx.err(q, "quarters", "give `years` or `quarters`, not both");
            (q.clone(), 4)
        }
        (None, None) => {
            cx.err(&pf.name, "years", "missing key `years` (or `quarters`): the plan's horizon");
            (Spanned::new(0..0, 1), 1)
        }
    };
    let horizon = match *count.get_ref() {
        n @ 1..=400 => n as usize,
        n => {
            cx.err(&count, if per_year == 1 { "years" } else { "quarters" }, format!("{n} periods: expected 1 to 400"));
            1
        }
    };
    let start_year = match *pf.start_year.get_ref() {
        y @ 1900..=2200 => y as i32,
        y => {
            cx.err(&pf.start_year, "start_year", format!("{y} is not a plausible year (1900-2200)"));
            2026
        }
    };
    let labels: Vec<String> = (0..horizon)
        .map(|t| {
            if per_year == 1 {
                format!("{}", start_year + t as i32)
            } else {
                format!("{}Q{}", start_year + (t / 4) as i32, t % 4 + 1)
            }
        })
        .collect();

    // Partners.
    let partners: Vec<CountryCode> = match pf.partners.get_ref() {
        toml::Value::String(g) => {
            let s = Spanned::new(pf.partners.span(), g.clone());
            cx.group(&s, "partners", &[])
        }
        toml::Value::Array(a) => {
            let mut v = vec![];
            for item in a {
                match item.as_str() {
                    Some(c) => {
                        let s = Spanned::new(pf.partners.span(), c.to_string());
                        v.extend(cx.country(&s, "partners"));
                    }
                    None => cx.err(&pf.partners, "partners", "expected a group name or a list of country codes"),
                }
            }
            v
        }
        _ => {
            cx.err(&pf.partners, "partners", "expected a group name or a list of country codes");
            vec![]
        }
    };
    let partners: Vec<CountryCode> = partners.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    if partners.is_empty() && cx.errors.is_empty() {
        cx.err(&pf.partners, "partners", "no partner countries");
    }
    let is_partner = |c: CountryCode| partners.binary_search(&c).is_ok();

    // Commodity-stages used anywhere, in order of first mention.
    let mut keys: Vec<CommodityKey> = vec![];
    let key_of = |k: CommodityKey, keys: &mut Vec<CommodityKey>| -> usize {
        match keys.iter().position(|x| *x == k) {
            Some(i) => i,
            None => {
                keys.push(k);
                keys.len() - 1
            }
        }
    };

    if pf.demand.is_empty() {
        cx.err(&pf.name, "demand", "no [[demand]]: a plan needs at least one commodity-stage whose demand it serves");
    }
    struct Dem {
        key: usize,
        countries: Vec<CountryCode>,
        growth: f64,
        quantity: BTreeMap<CountryCode, f64>,
        max_short: Option<f64>,
        penalty: Option<f64>,
    }
    let mut dems = vec![];
    for (i, d) in pf.demand.iter().enumerate() {
        let p = format!("demand[{i}]");
        let Some(k) = cx.key(&d.commodity, &format!("{p}.commodity")) else { continue };
        let key = key_of(k, &mut keys);
        let growth = match &d.growth {
            Some(g) if *g.get_ref() > -1.0 && g.get_ref().is_finite() => *g.get_ref(),
            Some(g) => {
                cx.err(g, &format!("{p}.growth"), "expected a growth rate above -1 (0.05 = 5% a year)");
                0.0
            }
            None => 0.0,
        };
        let mut countries = vec![];
        match &d.countries {
            Some(list) => {
                for c in list {
                    if let Some(cc) = cx.country(c, &format!("{p}.countries")) {
                        if is_partner(cc) {
                            countries.push(cc);
                        } else {
                            cx.err(c, &format!("{p}.countries"), format!("`{cc}` is not one of the plan's partners"));
                        }
                    }
                }
            }
            None => countries = partners.clone(),
        }
        let mut quantity = BTreeMap::new();
        if let Some(q) = &d.quantity {
            for (c, v) in q.get_ref() {
                let s = Spanned::new(q.span(), c.clone());
                let Some(cc) = cx.country(&s, &format!("{p}.quantity")) else { continue };
                match v.as_float().or(v.as_integer().map(|i| i as f64)) {
                    Some(x) if x >= 0.0 && x.is_finite() => {
                        quantity.insert(cc, x);
                        if !countries.contains(&cc) {
                            cx.err(q, &format!("{p}.quantity.{c}"), format!("`{cc}` has a quantity but is not in this demand's countries"));
                        }
                    }
                    _ => cx.err(q, &format!("{p}.quantity.{c}"), "expected a number >= 0 (per year)"),
                }
            }
        }
        let max_short = d.max_shortfall_share.as_ref().map(|s| cx.share(s, &format!("{p}.max_shortfall_share")));
        if dems.iter().any(|x: &Dem| x.key == key) {
            cx.err(&d.commodity, &format!("{p}.commodity"), "a second [[demand]] for the same commodity-stage");
        }
        let penalty = d.shortfall_penalty.as_ref().map(|v| cx.nonneg(v, &format!("{p}.shortfall_penalty")));
        dems.push(Dem { key, countries, growth, quantity, max_short, penalty });
    }

    let mut recipes = vec![];
    for (i, r) in pf.recipe.iter().enumerate() {
        let p = format!("recipe[{i}]");
        let out = cx.key(&r.output, &format!("{p}.output"));
        let inp = cx.key(&r.input, &format!("{p}.input"));
        let qty = cx.nonneg(&r.quantity, &format!("{p}.quantity"));
        if r.source.get_ref().trim().is_empty() {
            cx.err(&r.source, &format!("{p}.source"), "every recipe cites its source; `source` is empty");
        }
        if let (Some(o), Some(ik)) = (out, inp) {
            if o == ik {
                cx.err(&r.input, &format!("{p}.input"), "a recipe's input cannot be its own output");
                continue;
            }
            let (o, ik) = (key_of(o, &mut keys), key_of(ik, &mut keys));
            recipes.push((RecipeInst { output: o, input: ik, qty }, i));
        }
    }
    // Recipe cycles.
    {
        let n = keys.len();
        let mut indeg = vec![0usize; n];
        for (r, _) in &recipes {
            indeg[r.output] += 1;
        }
        let mut queue: Vec<usize> = (0..n).filter(|&k| indeg[k] == 0).collect();
        let mut seen = 0;
        while let Some(k) = queue.pop() {
            seen += 1;
            for (r, _) in recipes.iter().filter(|(r, _)| r.input == k) {
                indeg[r.output] -= 1;
                if indeg[r.output] == 0 {
                    queue.push(r.output);
                }
            }
        }
        if seen < n {
            if let Some((_, i)) = recipes.iter().find(|(r, _)| indeg[r.output] > 0) {
                let r = &pf.recipe[*i];
                cx.err(&r.output, &format!("recipe[{i}].output"), "recipes form a cycle through this commodity-stage");
            }
        }
    }
    let recipes: Vec<RecipeInst> = recipes.into_iter().map(|(r, _)| r).collect();

    // Projects (countries may be outside the partners: output ships to partners).
    struct Proj {
        country: CountryCode,
        key: usize,
        spec_index: usize,
    }
    let mut projs = vec![];
    let mut ids = BTreeSet::new();
    for (i, pr) in pf.project.iter().enumerate() {
        let p = format!("project[{i}]");
        if !ids.insert(pr.id.get_ref().clone()) {
            cx.err(&pr.id, &format!("{p}.id"), format!("duplicate project id `{}`", pr.id.get_ref()));
        }
        if !["mine", "refinery", "plant"].contains(&pr.kind.get_ref().as_str()) {
            cx.err(&pr.kind, &format!("{p}.kind"), format!("unknown kind `{}`: expected mine, refinery or plant", pr.kind.get_ref()));
        }
        let c = cx.country(&pr.country, &format!("{p}.country"));
        let k = cx.key(&pr.commodity, &format!("{p}.commodity"));
        for (v, name) in [
            (&pr.capacity, "capacity"),
            (&pr.capex, "capex"),
            (&pr.opex, "opex"),
            (&pr.permitting_years, "permitting_years"),
            (&pr.build_years, "build_years"),
        ] {
            cx.nonneg(v, &format!("{p}.{name}"));
        }
        if let Some(m) = &pr.max_units {
            if !(1..=1000).contains(m.get_ref()) {
                cx.err(m, &format!("{p}.max_units"), "expected a whole number from 1 to 1000");
            }
        }
        if let (Some(c), Some(k)) = (c, k) {
            projs.push(Proj { country: c, key: key_of(k, &mut keys), spec_index: i });
        }
    }
    struct Stk {
        country: CountryCode,
        key: usize,
        spec_index: usize,
    }
    let mut stks = vec![];
    for (i, s) in pf.stockpile.iter().enumerate() {
        let p = format!("stockpile[{i}]");
        let c = cx.country(&s.holder, &format!("{p}.holder"));
        if let Some(c) = c {
            if !is_partner(c) {
                cx.err(&s.holder, &format!("{p}.holder"), format!("`{c}` is not one of the plan's partners"));
            }
        }
        let k = cx.key(&s.commodity, &format!("{p}.commodity"));
        cx.nonneg(&s.max, &format!("{p}.max"));
        cx.nonneg(&s.hold_cost, &format!("{p}.hold_cost"));
        if let Some(v) = &s.initial {
            let x = cx.nonneg(v, &format!("{p}.initial"));
            if x > *s.max.get_ref() {
                cx.err(v, &format!("{p}.initial"), "the initial stock exceeds `max`");
            }
        }
        if let Some(v) = &s.purchase_cost {
            cx.nonneg(v, &format!("{p}.purchase_cost"));
        }
        if let Some(r) = &s.release {
            if !["disruption", "any"].contains(&r.get_ref().as_str()) {
                cx.err(r, &format!("{p}.release"), format!("unknown release rule `{}`: expected disruption or any", r.get_ref()));
            }
        }
        if let (Some(c), Some(k)) = (c, k) {
            stks.push(Stk { country: c, key: key_of(k, &mut keys), spec_index: i });
        }
    }
    struct Pol {
        kind: ShareKind,
        group: Vec<CountryCode>,
        key: usize,
        share: f64,
        partners: Vec<CountryCode>,
        from: usize,
        name: String,
    }
    let mut pols = vec![];
    for (i, po) in pf.policy.iter().enumerate() {
        let p = format!("policy[{i}]");
        let kind = match po.kind.get_ref().as_str() {
            "max_share" => Some(ShareKind::Max),
            "min_share" => Some(ShareKind::Min),
            other => {
                cx.err(&po.kind, &format!("{p}.kind"), format!("unknown policy kind `{other}`: expected max_share or min_share"));
                None
            }
        };
        let group = match (&po.group, &po.countries) {
            (Some(g), None) => cx.group(g, &format!("{p}.group"), &partners),
            (None, Some(list)) => list.iter().filter_map(|c| cx.country(c, &format!("{p}.countries"))).collect(),
            (Some(g), Some(_)) => {
                cx.err(g, &format!("{p}.group"), "give `group` or `countries`, not both");
                vec![]
            }
            (None, None) => {
                cx.err(&po.kind, &format!("{p}.group"), "missing key `group` (or `countries`): whose share is limited");
                vec![]
            }
        };
        let k = cx.key(&po.commodity, &format!("{p}.commodity"));
        let share = cx.share(&po.share, &format!("{p}.share"));
        let mut applies = vec![];
        match &po.partners {
            Some(list) => {
                for c in list {
                    if let Some(cc) = cx.country(c, &format!("{p}.partners")) {
                        if is_partner(cc) {
                            applies.push(cc);
                        } else {
                            cx.err(c, &format!("{p}.partners"), format!("`{cc}` is not one of the plan's partners"));
                        }
                    }
                }
            }
            None => applies = partners.clone(),
        }
        let from = match &po.from_year {
            Some(y) => {
                let off = *y.get_ref() - start_year as i64;
                if off < 0 || off as usize * per_year >= horizon {
                    cx.err(y, &format!("{p}.from_year"), format!("{} is outside the plan's horizon {}..{}", y.get_ref(), labels[0], labels[horizon - 1]));
                    0
                } else {
                    off as usize * per_year
                }
            }
            None => 0,
        };
        let name = po.name.as_ref().map(|n| n.get_ref().clone()).unwrap_or_else(|| {
            format!("{} {} {}", po.kind.get_ref(), po.group.as_ref().map_or("listed countries".to_string(), |g| g.get_ref().clone()), po.commodity.get_ref())
        });
        if let (Some(kind), Some(k)) = (kind, k) {
            pols.push(Pol { kind, group, key: key_of(k, &mut keys), share, partners: applies, from, name });
        }
    }

    let lane_headroom = pf.data.lane_headroom.as_ref().map_or(0.10, |v| cx.nonneg(v, "data.lane_headroom"));
    let cap_headroom = pf.data.capacity_headroom.as_ref().map_or(0.0, |v| cx.nonneg(v, "data.capacity_headroom"));
    let data_year = pf.data.year.as_ref().map(|y| *y.get_ref() as i32);
    if !cx.errors.is_empty() {
        return Err(finish(cx.errors));
    }

    // The dataset's network for these commodity-stages (annual quantities).
    let spec = NetworkSpec {
        year: data_year,
        commodities: keys.iter().cloned().map(CommoditySel::Key).collect(),
        headroom: cap_headroom,
        stock_months: 0.0,
        stocks: vec![],
    };
    let net = Network::build(ds, &spec, Period::Month);
    notes.extend(net.notes.iter().cloned());
    let annual = 12.0;
    let key_insts: Vec<KeyInst> = keys
        .iter()
        .map(|k| {
            let ki = net.keys.iter().position(|x| x == k);
            let base_year = ki.and_then(|i| net.years[i].1.or(net.years[i].0));
            KeyInst { key: k.clone(), unit: ds.commodity(k).map_or(String::new(), |c| c.unit.to_string()), base_year }
        })
        .collect();

    // Unit values from trade (value / quantity), per key and lane, base year.
    let mut lane_value: BTreeMap<(usize, CountryCode, CountryCode), f64> = BTreeMap::new();
    let mut mean_value: Vec<Option<f64>> = vec![None; keys.len()];
    for (ki, k) in keys.iter().enumerate() {
        let Some(y) = key_insts[ki].base_year else { continue };
        let (mut v, mut q) = (0.0, 0.0);
        for t in ds.trade_in(k, y) {
            if let Some(val) = t.value_kusd {
                if t.quantity > 0.0 && val > 0.0 {
                    lane_value.insert((ki, t.exporter, t.importer), val * 1000.0 / t.quantity);
                    if is_partner(t.importer) {
                        v += val * 1000.0;
                        q += t.quantity;
                    }
                }
            }
        }
        if q > 0.0 {
            mean_value[ki] = Some(v / q);
        }
    }
    let default_cost = pf.costs.default_unit_cost.as_ref().map(|v| cx.nonneg(v, "costs.default_unit_cost"));
    let mut domestic: BTreeMap<usize, f64> = BTreeMap::new();
    if let Some(t) = &pf.costs.domestic {
        for (k, v) in t.get_ref() {
            let s = Spanned::new(t.span(), k.clone());
            let Some(key) = cx.key(&s, &format!("costs.domestic.{k}")) else { continue };
            let Some(ki) = keys.iter().position(|x| *x == key) else {
                cx.err(t, &format!("costs.domestic.{k}"), format!("`{k}` is not used by this plan"));
                continue;
            };
            match v.as_float().or(v.as_integer().map(|i| i as f64)) {
                Some(x) if x >= 0.0 && x.is_finite() => {
                    domestic.insert(ki, x);
                }
                _ => cx.err(t, &format!("costs.domestic.{k}"), "expected a number >= 0 (money per unit)"),
            }
        }
    }
    let shipping = pf.costs.partner_shipping.as_ref().map_or(0.0, |v| cx.nonneg(v, "costs.partner_shipping"));
    let mut unit_cost = vec![0.0; keys.len()];
    for ki in 0..keys.len() {
        unit_cost[ki] = match (domestic.get(&ki), mean_value[ki], default_cost) {
            (Some(&d), _, _) => d,
            (None, Some(m), _) => {
                notes.push(format!(
                    "{}: existing partner production costed at the mean import unit value into partners, {:.0} per {} (BACI {})",
                    keys[ki],
                    m,
                    key_insts[ki].unit,
                    key_insts[ki].base_year.unwrap_or(0)
                ));
                m
            }
            (None, None, Some(d)) => d,
            (None, None, None) => {
                cx.err(&pf.name, "costs.default_unit_cost", format!(
                    "no unit cost for `{}`: the dataset has no trade values for it; set costs.domestic.\"{}\" or costs.default_unit_cost",
                    keys[ki], keys[ki]
                ));
                0.0
            }
        };
    }

    // Nodes: every (partner or project country) x commodity-stage.
    let mut node_countries: BTreeSet<CountryCode> = partners.iter().copied().collect();
    node_countries.extend(projs.iter().map(|p| p.country));
    let mut nodes = vec![];
    for c in &node_countries {
        for ki in 0..keys.len() {
            let cap = if is_partner(*c) {
                net.node(*c, &keys[ki]).map_or(0.0, |n| net.capacity[n] * annual / per_year as f64)
            } else {
                0.0
            };
            nodes.push(NodeInst {
                country: *c,
                key: ki,
                partner: is_partner(*c),
                cap,
                cost: unit_cost[ki],
                demand: vec![0.0; horizon],
                max_short_share: None,
                penalty: 0.0,
            });
        }
    }

    // Demand: base-year quantity grown to each period.
    for d in &dems {
        let base_year = key_insts[d.key].base_year;
        for &c in &d.countries {
            let Some(n) = find_node(&nodes, c, d.key) else { continue };
            let base = match d.quantity.get(&c) {
                Some(&q) => q,
                None => net.node(c, &keys[d.key]).map_or(0.0, |i| net.final_demand[i] * annual),
            };
            let y0 = base_year.unwrap_or(start_year);
            for t in 0..horizon {
                let years = (start_year - y0) as f64 + t as f64 / per_year as f64;
                nodes[n].demand[t] = base * (1.0 + d.growth).powf(years) / per_year as f64;
            }
            nodes[n].max_short_share = d.max_short;
            nodes[n].penalty = d.penalty.unwrap_or(f64::NAN);
            if base == 0.0 {
                notes.push(format!("{}: {c} has no apparent consumption in the dataset; its demand is 0 unless given", keys[d.key]));
            }
        }
        if base_year.is_some_and(|y| y != start_year) && d.growth != 0.0 {
            notes.push(format!(
                "{}: demand grown at {:.1}% a year from the base year {} to each period",
                keys[d.key],
                d.growth * 100.0,
                base_year.unwrap_or(0)
            ));
        }
    }

    // Lanes: base-year imports of each partner from outside suppliers ...
    let mut lanes = vec![];
    for (ni, n) in nodes.iter().enumerate() {
        if !n.partner {
            continue;
        }
        let Some(to) = net.node(n.country, &keys[n.key]) else { continue };
        let kn = net.key_of[to] as usize;
        let lo = net.key_start[kn] as usize;
        let hi = net.key_start[kn + 1] as usize;
        for from in lo..hi {
            let exporter = net.nodes[from].country;
            if node_countries.contains(&exporter) {
                continue;
            }
            for e in net.out_start[from] as usize..net.out_start[from + 1] as usize {
                if net.edge_to[e] as usize == to && net.edge_flow[e] > 0.0 {
                    let flow = net.edge_flow[e] * annual / per_year as f64;
                    let cost = lane_value.get(&(n.key, exporter, n.country)).copied().unwrap_or(unit_cost[n.key]);
                    lanes.push(Lane {
                        from: LaneFrom::Outside { country: exporter },
                        to: ni,
                        cap: Some(flow * (1.0 + lane_headroom)),
                        cost,
                    });
                }
            }
        }
    }
    if lane_headroom > 0.0 {
        notes.push(format!(
            "imports: each partner may buy up to {:.0}% more than its base-year flow from each outside supplier, at that flow's unit value",
            lane_headroom * 100.0
        ));
    }
    // ... and between plan nodes of the same commodity-stage (partners and
    // projects abroad, which may need partners' inputs).
    for (a, na) in nodes.iter().enumerate() {
        for (b, nb) in nodes.iter().enumerate() {
            if a != b && na.key == nb.key {
                lanes.push(Lane { from: LaneFrom::Node { node: a }, to: b, cap: None, cost: shipping });
            }
        }
    }

    let projects: Vec<ProjectInst> = projs
        .iter()
        .map(|p| {
            let s = &pf.project[p.spec_index];
            let pe = *s.permitting_years.get_ref();
            let bu = *s.build_years.get_ref();
            let lead = ((pe + bu) * per_year as f64 - 1e-9).ceil().max(0.0) as usize;
            let earliest = s.earliest_year.as_ref().map_or(0, |y| ((*y.get_ref() - start_year as i64).max(0) as usize) * per_year);
            ProjectInst {
                id: s.id.get_ref().clone(),
                kind: s.kind.get_ref().clone(),
                node: find_node(&nodes, p.country, p.key).unwrap_or(0),
                cap: *s.capacity.get_ref() / per_year as f64,
                capex: *s.capex.get_ref(),
                opex: *s.opex.get_ref(),
                permitting_years: pe,
                build_years: bu,
                lead,
                earliest,
                max_units: s.max_units.as_ref().map_or(1, |m| *m.get_ref() as u32),
                source: s.source.clone(),
            }
        })
        .collect();
    for p in &projects {
        if p.start_periods(horizon).is_empty() {
            notes.push(format!(
                "project {}: {} years permitting + {} building cannot bring it online before {}; it is not a decision",
                p.id, p.permitting_years, p.build_years, labels[horizon - 1]
            ));
        }
    }

    let stockpiles: Vec<StockInst> = stks
        .iter()
        .map(|s| {
            let sp = &pf.stockpile[s.spec_index];
            StockInst {
                node: find_node(&nodes, s.country, s.key).unwrap_or(0),
                max: *sp.max.get_ref(),
                initial: sp.initial.as_ref().map_or(0.0, |v| *v.get_ref()),
                hold_cost: *sp.hold_cost.get_ref() / per_year as f64,
                purchase_cost: sp.purchase_cost.as_ref().map_or(unit_cost[s.key], |v| *v.get_ref()),
                release: match sp.release.as_ref().map(|r| r.get_ref().as_str()) {
                    Some("any") => ReleaseRule::Any,
                    _ => ReleaseRule::Disruption,
                },
            }
        })
        .collect();

    let policies: Vec<PolicyInst> = pols
        .into_iter()
        .map(|p| PolicyInst {
            nodes: p.partners.iter().filter_map(|&c| find_node(&nodes, c, p.key)).collect(),
            name: p.name,
            kind: p.kind,
            group: p.group,
            key: p.key,
            share: p.share,
            from: p.from,
        })
        .collect();

    // Scenarios.
    let mut scenarios = vec![];
    let mut total_p = 0.0;
    for (i, sr) in pf.scenario.iter().enumerate() {
        let p = format!("scenario[{i}]");
        let prob = cx.share(&sr.probability, &format!("{p}.probability"));
        total_p += prob;
        let (name, text) = match read_scenario(sr.file.get_ref()) {
            Ok(x) => x,
            Err(e) => {
                cx.err(&sr.file, &format!("{p}.file"), format!("cannot read `{}`: {e}", sr.file.get_ref()));
                continue;
            }
        };
        let sc = match lodestone_sim::parse_scenario(&name, &text, ds) {
            Ok(s) => s,
            Err(es) => {
                for e in es.0 {
                    cx.errors.push(PlanError { file: e.file, line: e.line, column: e.column, key: e.key, message: e.message });
                }
                continue;
            }
        };
        let mut si = baseline(&nodes, &lanes, keys.len(), horizon, sc.name.clone(), prob);
        let months_per_unit = match sc.period {
            Period::Month => 1.0,
            Period::Week => 12.0 / 52.0,
        };
        let mpp = 12.0 / per_year as f64;
        for d in &sc.disruptions {
            let (s0, s1) = (d.start as f64 * months_per_unit, (d.start + d.duration) as f64 * months_per_unit);
            let frac: Vec<f64> = (0..horizon)
                .map(|t| {
                    let (a, b) = (t as f64 * mpp, (t + 1) as f64 * mpp);
                    ((b.min(s1) - a.max(s0)).max(0.0)) / mpp
                })
                .collect();
            let sel_keys = |sel: &CommoditySel| -> Vec<usize> { (0..keys.len()).filter(|&k| sel.matches(&keys[k])).collect() };
            let mark = |si: &mut ScenarioInst, ks: &[usize]| {
                for &k in ks {
                    for (t, f) in frac.iter().enumerate() {
                        if *f > 0.0 {
                            si.disrupted[k * horizon + t] = true;
                        }
                    }
                }
            };
            match &d.kind {
                DisruptionKind::ExportRestriction { country, commodity, share, exempt_group } => {
                    let ks = sel_keys(commodity);
                    let exempt = exempt_group.as_ref().map(|g| ds.group(g)).unwrap_or_default();
                    for (l, lane) in lanes.iter().enumerate() {
                        let origin = match lane.from {
                            LaneFrom::Outside { country } => country,
                            LaneFrom::Node { node } => nodes[node].country,
                        };
                        let to = &nodes[lane.to];
                        if origin == *country && ks.contains(&to.key) && !exempt.contains(&to.country) {
                            scale(&mut si.lane_factor[l * horizon..(l + 1) * horizon], &frac, *share);
                        }
                    }
                    mark(&mut si, &ks);
                }
                DisruptionKind::Outage { country, commodity, share } => {
                    let ks = sel_keys(commodity);
                    for (n, node) in nodes.iter().enumerate() {
                        if node.country == *country && ks.contains(&node.key) {
                            scale(&mut si.node_factor[n * horizon..(n + 1) * horizon], &frac, *share);
                        }
                    }
                    for (l, lane) in lanes.iter().enumerate() {
                        if let LaneFrom::Outside { country: c } = lane.from {
                            if c == *country && ks.contains(&nodes[lane.to].key) {
                                scale(&mut si.lane_factor[l * horizon..(l + 1) * horizon], &frac, *share);
                            }
                        }
                    }
                    mark(&mut si, &ks);
                }
                DisruptionKind::RouteClosure { flows, commodity, share, .. } => {
                    let ks: Vec<usize> = match commodity {
                        Some(sel) => sel_keys(sel),
                        None => (0..keys.len()).collect(),
                    };
                    for (l, lane) in lanes.iter().enumerate() {
                        let origin = match lane.from {
                            LaneFrom::Outside { country } => country,
                            LaneFrom::Node { node } => nodes[node].country,
                        };
                        let to = &nodes[lane.to];
                        let hit = flows.iter().any(|f| f.from.contains(&origin) && f.to.contains(&to.country));
                        if hit && ks.contains(&to.key) {
                            scale(&mut si.lane_factor[l * horizon..(l + 1) * horizon], &frac, *share);
                        }
                    }
                    mark(&mut si, &ks);
                }
                DisruptionKind::DemandShock { country, commodity, factor } => {
                    let ks = sel_keys(commodity);
                    for (n, node) in nodes.iter().enumerate() {
                        if node.country == *country && ks.contains(&node.key) {
                            for (t, f) in frac.iter().enumerate() {
                                si.demand_factor[n * horizon + t] *= 1.0 + (factor - 1.0) * f;
                            }
                        }
                    }
                }
            }
        }
        scenarios.push(si);
    }
    if total_p > 1.0 + 1e-9 {
        if let Some(last) = pf.scenario.last() {
            cx.err(&last.probability, "scenario.probability", format!("the scenarios' probabilities sum to {total_p}, more than 1"));
        }
    }
    let base_p = (1.0 - total_p).max(0.0);
    if base_p > 1e-12 || scenarios.is_empty() {
        scenarios.insert(0, baseline(&nodes, &lanes, keys.len(), horizon, "baseline".into(), if scenarios.is_empty() { 1.0 } else { base_p }));
    }
    if !pf.scenario.is_empty() {
        notes.push("scenario disruptions act on plan periods in proportion to the months they cover; recovery ramps and allocation rules of scenario files are not used by plans".into());
    }

    // Objective weights.
    let ow = &pf.objective;
    let cost_weight = ow.cost_weight.as_ref().map_or(1.0, |v| cx.nonneg(v, "objective.cost_weight"));
    let fairness = ow.fairness.as_ref().map_or(0.0, |v| cx.nonneg(v, "objective.fairness"));
    let discount_rate = ow.discount_rate.as_ref().map_or(0.0, |v| cx.nonneg(v, "objective.discount_rate"));
    let max_unit = lanes
        .iter()
        .map(|l| l.cost)
        .chain(nodes.iter().map(|n| n.cost))
        .chain(projects.iter().map(|p| p.opex))
        .chain(stockpiles.iter().map(|s| s.purchase_cost))
        .fold(0.0, f64::max);
    let shortfall_penalty = match &ow.shortfall_penalty {
        Some(v) => cx.nonneg(v, "objective.shortfall_penalty"),
        None => {
            let p = 10.0 * max_unit.max(1.0);
            if nodes.iter().any(|n| n.penalty.is_nan() && n.demand.iter().any(|&d| d > 0.0)) {
                notes.push(format!("shortfall penalty: {p:.0} per unit where [[demand]] sets none (10 x the highest unit cost in the plan)"));
            }
            p
        }
    };
    for n in nodes.iter_mut() {
        if n.penalty.is_nan() || n.demand.iter().all(|&d| d == 0.0) {
            n.penalty = shortfall_penalty;
        }
    }
    if !cx.errors.is_empty() {
        return Err(finish(cx.errors));
    }
    let discount = (0..horizon).map(|t| (1.0 + discount_rate).powf(-(t as f64) / per_year as f64)).collect();
    Ok(Instance {
        name: pf.name.get_ref().clone(),
        description: pf.description.clone(),
        start_year,
        per_year,
        labels,
        partners,
        keys: key_insts,
        nodes,
        lanes,
        recipes,
        projects,
        stockpiles,
        policies,
        scenarios,
        weights: Weights { cost_weight, shortfall_penalty, fairness, discount_rate },
        discount,
        notes,
    })
}

fn find_node(nodes: &[NodeInst], c: CountryCode, k: usize) -> Option<usize> {
    nodes.iter().position(|n| n.country == c && n.key == k)
}

fn finish(mut errors: Vec<PlanError>) -> PlanErrors {
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors.dedup();
    PlanErrors(errors)
}

fn scale(factors: &mut [f64], frac: &[f64], share: f64) {
    for (f, &x) in factors.iter_mut().zip(frac) {
        *f *= 1.0 - share * x;
    }
}

fn baseline(nodes: &[NodeInst], lanes: &[Lane], keys: usize, horizon: usize, name: String, probability: f64) -> ScenarioInst {
    ScenarioInst {
        name,
        probability,
        lane_factor: vec![1.0; lanes.len() * horizon],
        node_factor: vec![1.0; nodes.len() * horizon],
        demand_factor: vec![1.0; nodes.len() * horizon],
        disrupted: vec![false; keys * horizon],
    }
}
