//! What a report says, as data: built from the dataset's analyses, a stress
//! run (as `lodestone stress --format json` prints it) and a plan result.
//! The renderers (HTML, Markdown) and `--format json` all show this one
//! structure, so the three formats cannot disagree.

use lodestone_analysis::exposure::{self, By, Concentration};
use lodestone_model::{CommodityKey, Dataset};
use lodestone_plan::PlanResult;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What to include.
#[derive(Clone, Debug)]
pub struct Options {
    pub title: String,
    /// Commodity ids (every stage of each); empty: every commodity.
    pub commodities: Vec<String>,
    /// Analysis year; `None`: the dataset's default, else the latest per commodity-stage.
    pub year: Option<i32>,
    /// Producers, reserve holders and stressed nodes shown by name.
    pub top: usize,
    /// The generator's name and version, printed in the report.
    pub generator: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub title: String,
    pub generator: String,
    pub dataset: DatasetInfo,
    /// Every group the dataset declares (columns of the group shares).
    pub groups: Vec<String>,
    pub commodities: Vec<CommodityPart>,
    pub stress: Option<StressPart>,
    pub plan: Option<PlanPart>,
    /// Every source a number in this report comes from.
    pub sources: Vec<SourceRef>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DatasetInfo {
    pub name: String,
    pub title: String,
    pub version: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceRef {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub year: Option<i32>,
    pub url: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Holder {
    pub country: String,
    pub name: String,
    pub quantity: f64,
    pub share: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CommodityPart {
    pub commodity: String,
    pub stage: String,
    pub name: String,
    pub unit: String,
    pub year: i32,
    /// Sum of all producer rows, named and unattributed.
    pub total: f64,
    /// Over named countries, 0-10,000.
    pub hhi: f64,
    pub top3_share: f64,
    pub residual_share: f64,
    pub n_producers: usize,
    /// The `top` largest producers, largest first.
    pub producers: Vec<Holder>,
    /// Named producers beyond `top`, together (share of the total).
    pub other_named_share: f64,
    /// Group -> share of output located in the group.
    pub groups: BTreeMap<String, f64>,
    /// The same output attributed to the owners' countries, where the
    /// dataset has ownership rows for this commodity-stage.
    pub by_owner: Option<OwnerPart>,
    pub reserves: Option<ReservePart>,
    pub assumptions: Vec<String>,
    /// Source ids of the rows behind these numbers.
    pub sources: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnerPart {
    pub hhi: f64,
    pub top3_share: f64,
    pub producers: Vec<Holder>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReservePart {
    pub year: i32,
    pub unit: String,
    pub total: f64,
    pub hhi: f64,
    /// Rows that are lower bounds only (the total is then a floor).
    pub lower_bound_rows: usize,
    pub countries: Vec<Holder>,
}

/// Builds the report's content. `stress` is the JSON `lodestone stress
/// --format json` prints (docs/cli-json.md); `plan` a solved plan.
pub fn build(ds: &Dataset, o: &Options, stress: Option<&Value>, plan: Option<&PlanResult>) -> Result<Report, String> {
    for c in &o.commodities {
        if !ds.commodities.iter().any(|x| &x.key.commodity == c) {
            let mut ids: Vec<&str> = ds.commodities.iter().map(|x| x.key.commodity.as_str()).collect();
            ids.dedup();
            return Err(format!("unknown commodity `{c}`; the dataset has: {}", ids.join(", ")));
        }
    }
    let mut cited: BTreeSet<String> = BTreeSet::new();
    let wanted = |c: &Concentration| o.commodities.is_empty() || o.commodities.contains(&c.commodity);
    let mut commodities = vec![];
    for c in exposure::overview(ds, o.year).into_iter().filter(|c| wanted(c)) {
        let part = commodity_part(ds, &c, o);
        cited.extend(part.sources.iter().cloned());
        commodities.push(part);
    }
    if commodities.is_empty() {
        return Err(match o.year {
            Some(y) => format!("no production data for the chosen commodities in {y}"),
            None => "no production data for the chosen commodities".into(),
        });
    }
    if let Some(v) = stress {
        // The stress network is built from production and trade rows of the
        // years it reports using.
        if let Some(years) = v["network"]["years"].as_object() {
            let mut keys = BTreeSet::new();
            for (k, y) in years {
                if let Some(key) = CommodityKey::parse(k) {
                    cite_rows(ds, &key, y["production"].as_i64(), y["trade"].as_i64(), &mut cited);
                    keys.insert(key);
                }
            }
            cite_recipes(ds, &keys, &mut cited);
        }
    }
    if let Some(r) = plan {
        let keys: BTreeSet<&str> = r.shortfall.iter().map(|s| s.commodity.as_str()).chain(r.supply.iter().map(|s| s.commodity.as_str())).collect();
        let mut parsed = BTreeSet::new();
        for k in keys {
            if let Some(key) = CommodityKey::parse(k) {
                cite_all_rows(ds, &key, &mut cited);
                parsed.insert(key);
            }
        }
        cite_recipes(ds, &parsed, &mut cited);
    }
    let stress = stress.map(stress_part).transpose()?;
    let plan = plan.map(plan_part);
    let sources = cited
        .iter()
        .filter_map(|id| ds.source(id))
        .map(|s| SourceRef { id: s.id.clone(), title: s.title.clone(), publisher: s.publisher.clone(), year: s.year, url: s.url.clone() })
        .collect();
    Ok(Report {
        title: o.title.clone(),
        generator: o.generator.clone(),
        dataset: DatasetInfo { name: ds.manifest.name.clone(), title: ds.manifest.title.clone(), version: ds.manifest.version.clone() },
        groups: ds.group_names().iter().map(|g| g.to_string()).collect(),
        commodities,
        stress,
        plan,
        sources,
    })
}

/// Cites the sources of what a stress network reads for `key`
/// (`lodestone_sim::Network::build`): production and capacity rows of
/// `py`, trade rows of `ty`, and the dataset's stockpiles of `key` (every
/// year: the network takes them unless the scenario sets its stocks).
fn cite_rows(ds: &Dataset, key: &CommodityKey, py: Option<i64>, ty: Option<i64>, cited: &mut BTreeSet<String>) {
    if let Some(y) = py {
        cited.extend(ds.production.iter().filter(|r| &r.key == key && i64::from(r.year) == y).map(|r| r.source.clone()));
        cited.extend(ds.capacity.iter().filter(|r| &r.key == key && i64::from(r.year) == y).map(|r| r.source.clone()));
    }
    if let Some(y) = ty {
        cited.extend(ds.trade_of(key).iter().filter(|r| i64::from(r.year) == y).map(|r| r.source.clone()));
    }
    cited.extend(ds.stockpiles.iter().filter(|r| &r.key == key).map(|r| r.source.clone()));
}

/// Cites the sources of every production, capacity, trade and stockpile
/// row of `key` (a plan builds its network from the years its file names).
fn cite_all_rows(ds: &Dataset, key: &CommodityKey, cited: &mut BTreeSet<String>) {
    cited.extend(ds.production.iter().filter(|r| &r.key == key).map(|r| r.source.clone()));
    cited.extend(ds.capacity.iter().filter(|r| &r.key == key).map(|r| r.source.clone()));
    cited.extend(ds.trade_of(key).iter().map(|r| r.source.clone()));
    cited.extend(ds.stockpiles.iter().filter(|r| &r.key == key).map(|r| r.source.clone()));
}

/// Cites the recipes linking two of `keys` (the network's input links).
fn cite_recipes(ds: &Dataset, keys: &BTreeSet<CommodityKey>, cited: &mut BTreeSet<String>) {
    cited.extend(ds.recipes.iter().filter(|r| keys.contains(&r.output) && keys.contains(&r.input)).map(|r| r.source.clone()));
}

fn holders(p: &[exposure::ProducerShare], top: usize) -> Vec<Holder> {
    p.iter().take(top).map(|p| Holder { country: p.country.to_string(), name: p.name.clone(), quantity: p.quantity, share: p.share }).collect()
}

fn commodity_part(ds: &Dataset, c: &Concentration, o: &Options) -> CommodityPart {
    let key = CommodityKey::new(&c.commodity, &c.stage);
    let mut sources: BTreeSet<String> = ds
        .production
        .iter()
        .filter(|r| r.key == key && r.year == c.year)
        .map(|r| r.source.clone())
        .collect();
    let producers = holders(&c.producers, o.top);
    let shown: f64 = producers.iter().map(|p| p.share).sum();
    let other_named_share = (1.0 - c.residual_share - shown).max(0.0);
    let by_owner = if ds.ownership.iter().any(|r| r.key == key) {
        exposure::concentration(ds, &key, Some(c.year), By::Owner).ok().map(|w| {
            sources.extend(ds.ownership.iter().filter(|r| r.key == key).map(|r| r.source.clone()));
            OwnerPart { hhi: w.hhi, top3_share: w.top3_share, producers: holders(&w.producers, o.top) }
        })
    } else {
        None
    };
    let reserves = lodestone_analysis::reserves(ds, &key, o.year).ok().map(|r| {
        sources.extend(ds.reserves.iter().filter(|x| x.key == key && x.year == r.year).map(|x| x.source.clone()));
        ReservePart {
            year: r.year,
            unit: r.unit.clone(),
            total: r.total,
            hhi: r.hhi,
            lower_bound_rows: r.lower_bound_rows,
            countries: r
                .countries
                .iter()
                .take(o.top)
                .map(|x| Holder { country: x.country.to_string(), name: x.name.clone(), quantity: x.quantity, share: x.share })
                .collect(),
        }
    });
    CommodityPart {
        commodity: c.commodity.clone(),
        stage: c.stage.clone(),
        name: ds.commodity(&key).map_or_else(|| c.commodity.clone(), |x| x.name.clone()),
        unit: c.unit.clone(),
        year: c.year,
        total: c.total,
        hhi: c.hhi,
        top3_share: c.top3_share,
        residual_share: c.residual_share,
        n_producers: c.n_producers,
        producers,
        other_named_share,
        groups: c.groups.clone(),
        by_owner,
        reserves,
        assumptions: c.assumptions.clone(),
        sources: sources.into_iter().collect(),
    }
}

// ---------------------------------------------------------------------------
// Stress

#[derive(Clone, Debug, Serialize)]
pub struct StressPart {
    pub scenario: String,
    pub description: String,
    pub file: String,
    /// `single` or `monte_carlo`.
    pub mode: String,
    pub periods: usize,
    /// `month` or `week`.
    pub period: String,
    pub partial: bool,
    /// How the network was built (inferred production, assumed headroom...).
    pub notes: Vec<String>,
    pub single: Option<SingleStress>,
    pub monte_carlo: Option<McStress>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KeyShortfall {
    pub commodity: String,
    pub unit: String,
    pub total_shortfall: f64,
    pub total_demand: f64,
    pub shortfall_share: f64,
    pub countries_short: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct NodeStress {
    pub country: String,
    pub commodity: String,
    pub unit: String,
    pub time_to_survive: Option<f64>,
    pub recovery_time: Option<f64>,
    pub cumulative_shortfall: f64,
    pub shortfall_share: f64,
    pub peak_shortfall: f64,
    pub peak_period: Option<f64>,
    pub initial_stock: f64,
    pub stock_out_period: Option<f64>,
    /// Per period (only for the nodes shown as series).
    pub shortfall: Vec<f64>,
    pub stock: Vec<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SingleStress {
    pub commodities: Vec<KeyShortfall>,
    /// Nodes that run short, first to fail first (at most `top`).
    pub first_to_fail: Vec<NodeStress>,
    pub countries_short: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub cvar95: f64,
    pub p_any: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct McNode {
    pub country: String,
    pub commodity: String,
    pub unit: String,
    pub stats: Stats,
}

#[derive(Clone, Debug, Serialize)]
pub struct McStress {
    pub runs: u64,
    pub runs_requested: u64,
    pub seed: u64,
    /// Commodity-stage totals over every country.
    pub world: Vec<McNode>,
    /// Country-commodity cells with the largest CVaR95 (at most `top` x 2).
    pub nodes: Vec<McNode>,
}

fn bad(what: &str) -> String {
    format!("the stress result has no `{what}` (expected `lodestone stress --format json` output)")
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn stats(v: &Value) -> Result<Stats, String> {
    let g = |k: &str| v[k].as_f64().ok_or_else(|| bad(k));
    Ok(Stats { mean: g("mean")?, p50: g("p50")?, p95: g("p95")?, p99: g("p99")?, cvar95: g("cvar95")?, p_any: g("p_any")? })
}

/// How many stressed nodes and cells a report names.
pub const STRESS_TOP: usize = 8;

fn stress_part(v: &Value) -> Result<StressPart, String> {
    let sc = &v["scenario"];
    let mode = v["mode"].as_str().ok_or_else(|| bad("mode"))?.to_string();
    let periods = v["periods"].as_u64().ok_or_else(|| bad("periods"))? as usize;
    let mut part = StressPart {
        scenario: sc["name"].as_str().unwrap_or_default().to_string(),
        description: sc["description"].as_str().unwrap_or_default().to_string(),
        file: sc["file"].as_str().unwrap_or_default().to_string(),
        mode: mode.clone(),
        periods,
        period: sc["period"].as_str().unwrap_or("month").to_string(),
        partial: v["partial"].as_bool().unwrap_or(false),
        notes: v["network"]["notes"].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default(),
        single: None,
        monte_carlo: None,
    };
    if mode == "single" {
        let sum = &v["summary"];
        let mut commodities = vec![];
        for (k, x) in sum["commodities"].as_object().ok_or_else(|| bad("summary.commodities"))? {
            commodities.push(KeyShortfall {
                commodity: k.clone(),
                unit: x["unit"].as_str().unwrap_or_default().to_string(),
                total_shortfall: x["total_shortfall"].as_f64().unwrap_or(0.0),
                total_demand: x["total_demand"].as_f64().unwrap_or(0.0),
                shortfall_share: x["shortfall_share"].as_f64().unwrap_or(0.0),
                countries_short: x["countries_short"].as_u64().unwrap_or(0) as usize,
            });
        }
        let mut ftf = vec![];
        for n in sum["first_to_fail"].as_array().ok_or_else(|| bad("summary.first_to_fail"))?.iter().take(STRESS_TOP) {
            let country = n["country"].as_str().unwrap_or_default().to_string();
            let commodity = n["commodity"].as_str().unwrap_or_default().to_string();
            let s = &v["series"][&country][&commodity];
            let series = |name: &str| -> Vec<f64> { s[name].as_array().map(|a| a.iter().filter_map(num).collect()).unwrap_or_default() };
            ftf.push(NodeStress {
                unit: n["unit"].as_str().unwrap_or_default().to_string(),
                time_to_survive: num(&n["time_to_survive"]),
                recovery_time: num(&n["recovery_time"]),
                cumulative_shortfall: num(&n["cumulative_shortfall"]).unwrap_or(0.0),
                shortfall_share: num(&n["shortfall_share"]).unwrap_or(0.0),
                peak_shortfall: num(&n["peak_shortfall"]).unwrap_or(0.0),
                peak_period: num(&n["peak_period"]),
                initial_stock: num(&n["initial_stock"]).unwrap_or(0.0),
                stock_out_period: num(&n["stock_out_period"]),
                shortfall: series("shortfall"),
                stock: series("stock"),
                country,
                commodity,
            });
        }
        part.single = Some(SingleStress {
            commodities,
            first_to_fail: ftf,
            countries_short: sum["countries_short"].as_u64().unwrap_or(0) as usize,
        });
    } else if mode == "monte_carlo" {
        let unit = |k: &str| v["network"]["units"][k].as_str().unwrap_or_default().to_string();
        let mut world = vec![];
        for (k, x) in v["world"].as_object().ok_or_else(|| bad("world"))? {
            world.push(McNode { country: "world".into(), commodity: k.clone(), unit: unit(k), stats: stats(x)? });
        }
        let mut nodes = vec![];
        for (c, m) in v["distribution"].as_object().ok_or_else(|| bad("distribution"))? {
            for (k, x) in m.as_object().ok_or_else(|| bad("distribution.<country>"))? {
                nodes.push(McNode { country: c.clone(), commodity: k.clone(), unit: unit(k), stats: stats(x)? });
            }
        }
        nodes.retain(|n| n.stats.cvar95 > 0.0);
        nodes.sort_by(|a, b| b.stats.cvar95.total_cmp(&a.stats.cvar95).then_with(|| (&a.country, &a.commodity).cmp(&(&b.country, &b.commodity))));
        nodes.truncate(STRESS_TOP * 2);
        part.monte_carlo = Some(McStress {
            runs: v["runs"].as_u64().ok_or_else(|| bad("runs"))?,
            runs_requested: v["runs_requested"].as_u64().unwrap_or(0),
            seed: v["seed"].as_u64().ok_or_else(|| bad("seed"))?,
            world,
            nodes,
        });
    } else {
        return Err(format!("the stress result's mode `{mode}` is neither `single` nor `monte_carlo`"));
    }
    Ok(part)
}

// ---------------------------------------------------------------------------
// Plan

#[derive(Clone, Debug, Serialize)]
pub struct PlanPart {
    pub plan: String,
    pub status: String,
    pub periods: Vec<String>,
    pub partners: Vec<String>,
    pub scenarios: Vec<(String, f64)>,
    pub objective: Option<f64>,
    pub mip_gap: Option<f64>,
    pub parts: Option<lodestone_plan::solve::ObjectiveParts>,
    pub builds: Vec<lodestone_plan::solve::BuildOut>,
    pub stock_targets: Vec<lodestone_plan::solve::StockOut>,
    /// Probability-weighted shortfall per partner and commodity, per period.
    pub expected_shortfall: Vec<ExpectedShortfall>,
    pub capacity_duals: Vec<lodestone_plan::solve::CapacityDual>,
    pub policy_duals: Vec<lodestone_plan::solve::PolicyDual>,
    pub explanation: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExpectedShortfall {
    pub country: String,
    pub commodity: String,
    pub by_period: Vec<f64>,
    pub total: f64,
}

fn plan_part(r: &PlanResult) -> PlanPart {
    let mut exp: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for s in &r.shortfall {
        let e = exp.entry((s.country.clone(), s.commodity.clone())).or_insert_with(|| vec![0.0; s.by_period.len()]);
        for (a, b) in e.iter_mut().zip(&s.by_period) {
            *a += s.probability * b;
        }
    }
    let (mut capacity_duals, policy_duals) =
        r.duals.as_ref().map_or((vec![], vec![]), |d| (d.capacity.clone(), d.policies.clone()));
    capacity_duals.sort_by(|a, b| b.value.total_cmp(&a.value));
    capacity_duals.truncate(10);
    PlanPart {
        plan: r.plan.clone(),
        status: r.status.clone(),
        periods: r.periods.clone(),
        partners: r.partners.clone(),
        scenarios: r.scenarios.clone(),
        objective: r.objective,
        mip_gap: r.mip_gap,
        parts: r.parts.clone(),
        builds: r.builds.clone(),
        stock_targets: r.stock_targets.clone(),
        expected_shortfall: exp
            .into_iter()
            .map(|((country, commodity), by_period)| ExpectedShortfall { total: by_period.iter().sum(), country, commodity, by_period })
            .collect(),
        capacity_duals,
        policy_duals,
        explanation: r.explanation.as_ref().map(|e| e.message.clone()),
        notes: r.notes.clone(),
    }
}
