//! `lodestone stress`: run a scenario file (docs/scenarios.md) through the
//! simulation engine (lodestone-sim), once or as a Monte Carlo, and report
//! who runs short, when, by how much and how long stocks last.
//!
//! The engine is pure; this module reads the file, shows a progress bar on
//! stderr (indicatif; hidden when stderr is not a terminal), turns Ctrl-C
//! into the engine's cancel flag (partial results, marked as such), picks the
//! thread count, and formats. JSON is documented in docs/cli-json.md.

use crate::commands::{dataset, json};
use crate::table::{csv_text, pct, qty, Table};
use crate::{CliError, Format, Result};
use lodestone_model::Dataset;
use lodestone_sim::{monte_carlo, Network, Record, Scenario, ShortfallStats, SimResult};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(clap::Args)]
pub struct StressArgs {
    /// The scenario file (TOML; format in docs/scenarios.md, examples in
    /// examples/scenarios/).
    pub scenario: PathBuf,
    /// Monte Carlo runs (overrides `monte_carlo.runs`; needs a
    /// `[monte_carlo]` section).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub runs: Option<u64>,
    /// Monte Carlo seed (overrides `monte_carlo.seed`): the same seed gives
    /// the same numbers, whatever --threads.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads for Monte Carlo (default: one per core). Results do not
    /// depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// How many rows the tables show.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write CSV files to this directory (created if missing): for one
    /// run, nodes.csv and series.csv (every node, every period); for Monte
    /// Carlo, distribution.csv and world.csv.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Set by Ctrl-C; the engine checks it every period (one run) or run
/// (Monte Carlo).
static CANCEL: AtomicBool = AtomicBool::new(false);

pub fn stress(dir: Option<&Path>, a: &StressArgs) -> Result<()> {
    if a.format == Format::Csv {
        return Err(CliError::Input(
            "`stress` prints a table or JSON; use --out DIR for CSV files".into(),
        ));
    }
    let ds = dataset(dir)?;
    let (file, sc, net) = load_scenario(&ds, &a.scenario, a.runs, a.seed)?;
    if let Some(out) = &a.out {
        std::fs::create_dir_all(out).map_err(|e| {
            CliError::Input(format!(
                "cannot create output directory {}: {e}",
                out.display()
            ))
        })?;
    }
    // Ctrl-C: stop cleanly. A second handler cannot be installed (tests
    // calling twice in one process); the run then simply cannot be
    // interrupted gracefully.
    CANCEL.store(false, Ordering::SeqCst);
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));

    let groups = lodestone_sim::dataset_groups(&ds);
    // Valid events that touch nothing in this network (their results are
    // all zero): a warning each on stderr, and `warnings` in the JSON.
    let inert = lodestone_sim::engine::inert_events(&net, &sc, &groups);
    for w in &inert {
        eprintln!(
            "warning: {file}: `{}` touches nothing: {}",
            w.event, w.reason
        );
    }
    let with_warnings = |mut v: Value| {
        if let Value::Object(o) = &mut v {
            o.insert("warnings".into(), json!(inert));
        }
        v
    };
    if sc.monte_carlo.is_some() {
        let runs = sc.monte_carlo.as_ref().map_or(0, |m| m.runs);
        let pb = bar(runs as u64, "runs");
        let progress = |done: usize, _total: usize| pb.set_position(done as u64);
        let go = || monte_carlo(&net, &sc, &groups, &progress, &CANCEL);
        let r = match a.threads {
            Some(t) => rayon::ThreadPoolBuilder::new()
                .num_threads(t as usize)
                .build()
                .map_err(|e| CliError::Internal(format!("cannot start {t} threads: {e}")))?
                .install(go),
            None => go(),
        }
        .map_err(|e| CliError::Input(format!("{file}: {e}")))?;
        pb.finish_and_clear();
        if r.partial {
            eprintln!(
                "interrupted: statistics cover the first {} of {} runs (marked partial)",
                r.runs_done, r.runs_requested
            );
        }
        let v = with_warnings(mc_json(&ds, &net, &sc, &file, &r));
        if let Some(out) = &a.out {
            write_mc_csv(out, &r)?;
        }
        match a.format {
            Format::Json => json(&v),
            _ => {
                print!("{}", mc_table(&ds, &net, &sc, &r, a.top));
                Ok(())
            }
        }
    } else {
        let c = lodestone_sim::compile(&net, &sc, &groups);
        let pb = bar(sc.horizon as u64, "periods");
        let progress = |done: usize, _total: usize| pb.set_position(done as u64);
        let r = lodestone_sim::simulate(&net, &c, Record::Full, &progress, &CANCEL);
        pb.finish_and_clear();
        if r.partial {
            eprintln!(
                "interrupted: results cover the first {} of {} periods (marked partial)",
                r.periods_done, r.horizon
            );
        }
        let view = SingleView::new(&ds, &net, &r);
        if let Some(out) = &a.out {
            write_single_csv(out, &net, &r, &view)?;
        }
        match a.format {
            Format::Json => json(&with_warnings(single_json(
                &ds, &net, &sc, &file, &r, &view,
            ))),
            _ => {
                print!("{}", single_table(&ds, &net, &sc, &r, &view, a.top));
                Ok(())
            }
        }
    }
}

/// Reads and parses a scenario file, applies `--runs`/`--seed` (Monte Carlo
/// scenarios only) and builds its network: the file's name as shown, the
/// scenario and the network, or a located input error.
pub(crate) fn load_scenario(ds: &Dataset, path: &Path, runs: Option<u64>, seed: Option<u64>) -> Result<(String, Scenario, Network)> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read scenario file {file}: {e}")))?;
    let mut sc = lodestone_sim::parse_scenario(&file, &text, ds)
        .map_err(|e| CliError::Input(e.to_string()))?;
    match sc.monte_carlo.as_mut() {
        Some(mc) => {
            if let Some(r) = runs {
                mc.runs = r as usize;
            }
            if let Some(s) = seed {
                mc.seed = s;
            }
        }
        None if runs.is_some() || seed.is_some() => {
            return Err(CliError::Input(format!(
                "{file} has no [monte_carlo] section, so there is nothing to draw: --runs and --seed apply to Monte \
                 Carlo scenarios (see docs/scenarios.md)"
            )))
        }
        None => {}
    }
    let net = Network::build(ds, &sc.network, sc.period);
    if net.is_empty() {
        return Err(CliError::Input(format!(
            "{file}: no commodity-stage selected by [network] has production or trade data in dataset `{}`{}",
            ds.manifest.name,
            sc.network.year.map(|y| format!(" in {y}")).unwrap_or_default()
        )));
    }
    Ok((file, sc, net))
}

fn bar(total: u64, what: &str) -> indicatif::ProgressBar {
    // Drawn on stderr only when it is a terminal (indicatif hides it
    // otherwise), so pipes and tests see clean output.
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {what} (ETA {{eta}}; Ctrl-C stops with partial results)"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    pb.set_style(style);
    pb
}

// ---------------------------------------------------------------------------
// Shared pieces

fn period_word(sc: &Scenario) -> &'static str {
    match sc.period {
        lodestone_sim::scenario::Period::Month => "month",
        lodestone_sim::scenario::Period::Week => "week",
    }
}

fn unit<'a>(ds: &'a Dataset, key: &lodestone_model::CommodityKey) -> &'a str {
    ds.commodity(key).map_or("", |c| c.unit.code)
}

fn scenario_json(sc: &Scenario, file: &str) -> Value {
    json!({
        "name": sc.name,
        "description": sc.description,
        "file": file,
        "horizon": sc.horizon,
        "period": sc.period,
        "disruptions": sc.disruptions,
        "policy": sc.policy,
    })
}

fn network_json(ds: &Dataset, net: &Network) -> Value {
    let mut years = Map::new();
    let mut units = Map::new();
    for (k, (py, ty)) in net.keys.iter().zip(&net.years) {
        years.insert(k.to_string(), json!({ "production": py, "trade": ty }));
        units.insert(k.to_string(), json!(unit(ds, k)));
    }
    json!({
        "nodes": net.len(),
        "edges": net.edge_flow.len(),
        "commodities": net.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "units": units,
        "years": years,
        "notes": net.notes,
    })
}

// ---------------------------------------------------------------------------
// One run

/// Derived per-node facts for reading a run.
pub(crate) struct SingleView {
    /// First period a node's stock is exhausted (it had some to start with).
    stock_out: Vec<Option<usize>>,
    /// Period and size of the largest shortfall.
    peak: Vec<(usize, f64)>,
    /// Per commodity-stage: total shortfall, total demand, nodes short.
    by_key: Vec<(f64, f64, usize)>,
}

impl SingleView {
    pub(crate) fn new(_ds: &Dataset, net: &Network, r: &SimResult) -> SingleView {
        let n = net.len();
        let s = r.series.as_ref();
        let mut stock_out = vec![None; n];
        let mut peak = vec![(0, 0.0); n];
        if let Some(s) = s {
            for i in 0..n {
                for t in 0..r.periods_done {
                    let j = t * n + i;
                    if stock_out[i].is_none()
                        && net.stock[i] > 0.0
                        && s.stock[j] <= 1e-9 * net.stock[i]
                    {
                        stock_out[i] = Some(t);
                    }
                    if s.shortfall[j] > peak[i].1 {
                        peak[i] = (t, s.shortfall[j]);
                    }
                }
            }
        }
        let mut by_key = vec![(0.0, 0.0, 0); net.keys.len()];
        for (i, nd) in r.nodes.iter().enumerate() {
            let k = net.key_of[i] as usize;
            by_key[k].0 += nd.cumulative_shortfall;
            by_key[k].1 += nd.cumulative_demand;
            if nd.cumulative_shortfall > 0.0 {
                by_key[k].2 += 1;
            }
        }
        SingleView {
            stock_out,
            peak,
            by_key,
        }
    }
}

pub(crate) fn single_json(
    ds: &Dataset,
    net: &Network,
    sc: &Scenario,
    file: &str,
    r: &SimResult,
    v: &SingleView,
) -> Value {
    let n = net.len();
    let mut total = Map::new();
    let mut keys = Map::new();
    for (k, key) in net.keys.iter().enumerate() {
        let (s, d, short) = v.by_key[k];
        total.insert(key.to_string(), json!(s));
        keys.insert(
            key.to_string(),
            json!({
                "unit": unit(ds, key),
                "total_shortfall": s,
                "total_demand": d,
                "shortfall_share": if d > 0.0 { s / d } else { 0.0 },
                "countries_short": short,
            }),
        );
    }
    let ftf: Vec<Value> = r
        .first_to_fail
        .iter()
        .enumerate()
        .map(|(rank, &i)| node_facts(ds, net, r, v, i, Some(rank + 1)))
        .collect();
    let mut series: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let s = r.series.as_ref();
    let h = r.periods_done;
    for i in 0..n {
        let col = |x: &Vec<f64>| -> Vec<f64> { (0..h).map(|t| x[t * n + i]).collect() };
        let mut o = match node_facts(ds, net, r, v, i, None) {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        o.remove("country");
        o.remove("commodity");
        if let Some(s) = s {
            for (name, x) in [
                ("production", &s.production),
                ("arrivals", &s.arrivals),
                ("exported", &s.exported),
                ("delivered", &s.delivered),
                ("stock_draw", &s.stock_draw),
                ("stock_build", &s.stock_build),
                ("unsold", &s.unsold),
                ("stock", &s.stock),
                ("demand", &s.demand),
                ("need", &s.need),
                ("shortfall", &s.shortfall),
            ] {
                o.insert(name.into(), json!(col(x)));
            }
        }
        series
            .entry(net.nodes[i].country.to_string())
            .or_default()
            .insert(net.nodes[i].key.to_string(), Value::Object(o));
    }
    json!({
        "scenario": scenario_json(sc, file),
        "mode": "single",
        "periods": sc.horizon,
        "periods_done": r.periods_done,
        "partial": r.partial,
        "network": network_json(ds, net),
        "summary": {
            "total_shortfall": total,
            "commodities": keys,
            "disruption_end": r.disruption_end,
            "countries_short": r.first_to_fail.len(),
            "first_to_fail": ftf,
        },
        "series": series,
    })
}

fn node_facts(
    ds: &Dataset,
    net: &Network,
    r: &SimResult,
    v: &SingleView,
    i: usize,
    rank: Option<usize>,
) -> Value {
    let nd = &r.nodes[i];
    let mut o = Map::new();
    if let Some(k) = rank {
        o.insert("rank".into(), json!(k));
    }
    o.insert("country".into(), json!(nd.country.to_string()));
    o.insert("commodity".into(), json!(nd.key.to_string()));
    o.insert("unit".into(), json!(unit(ds, &nd.key)));
    o.insert("time_to_survive".into(), json!(nd.time_to_survive));
    o.insert("recovery_time".into(), json!(nd.recovery_time));
    o.insert(
        "cumulative_shortfall".into(),
        json!(nd.cumulative_shortfall),
    );
    o.insert("cumulative_demand".into(), json!(nd.cumulative_demand));
    o.insert(
        "shortfall_share".into(),
        json!(if nd.cumulative_demand > 0.0 {
            nd.cumulative_shortfall / nd.cumulative_demand
        } else {
            0.0
        }),
    );
    let (pt, pv) = v.peak[i];
    o.insert("peak_shortfall".into(), json!(pv));
    o.insert(
        "peak_period".into(),
        if pv > 0.0 { json!(pt) } else { Value::Null },
    );
    o.insert("initial_stock".into(), json!(net.stock[i]));
    o.insert("stock_out_period".into(), json!(v.stock_out[i]));
    Value::Object(o)
}

fn opt_period(x: Option<usize>) -> String {
    x.map_or("-".into(), |t| t.to_string())
}

fn single_table(
    ds: &Dataset,
    net: &Network,
    sc: &Scenario,
    r: &SimResult,
    v: &SingleView,
    top: usize,
) -> String {
    let w = period_word(sc);
    let mut out = String::new();
    out.push_str(&format!("Scenario `{}`: {}\n", sc.name, sc.description));
    out.push_str(&format!(
        "{} {w}s (numbered from 0){}; network: {} nodes (country x commodity-stage), {} trade links; dataset `{}`\n",
        sc.horizon,
        if r.partial { format!(", PARTIAL: interrupted after {} {w}s", r.periods_done) } else { String::new() },
        net.len(),
        net.edge_flow.len(),
        ds.manifest.name,
    ));
    for d in &sc.disruptions {
        out.push_str(&format!(
            "  disruption: {} ({w}s {}-{})\n",
            d.name,
            d.start,
            d.start + d.duration - 1
        ));
    }
    if sc.policy.recovery > 0 {
        out.push_str(&format!(
            "  effects fade over {} {w}s after they end\n",
            sc.policy.recovery
        ));
    }
    out.push('\n');

    let mut t = Table::new(&[
        "commodity-stage",
        "unit",
        "shortfall",
        "of demand",
        "countries short",
    ])
    .right(&[2, 3, 4]);
    for (k, key) in net.keys.iter().enumerate() {
        let (s, d, c) = v.by_key[k];
        t.row(vec![
            key.to_string(),
            unit(ds, key).into(),
            qty(s),
            pct(if d > 0.0 { s / d } else { 0.0 }),
            c.to_string(),
        ]);
    }
    out.push_str("Shortfall (unmet final demand over the horizon)\n");
    out.push_str(&t.render(2));
    out.push('\n');

    if r.first_to_fail.is_empty() {
        out.push_str("Nobody runs short within the horizon.\n");
    } else {
        out.push_str(&format!(
            "Who runs short, first to fail first ({} in all); time to survive = {w}s until the first shortfall; \
             recovery = {w}s after the last disruption ends (- : still short at the horizon)\n",
            r.first_to_fail.len()
        ));
        let mut t = Table::new(&[
            "rank",
            "country",
            "commodity-stage",
            "survives",
            "shortfall",
            "of demand",
            "peak (at)",
            "stock",
            "stock out",
            "recovery",
        ])
        .right(&[0, 3, 4, 5, 6, 7, 8, 9]);
        for (rank, &i) in r.first_to_fail.iter().enumerate().take(top) {
            let nd = &r.nodes[i];
            let (pt, pv) = v.peak[i];
            t.row(vec![
                (rank + 1).to_string(),
                format!("{} {}", nd.country, ds.country_name(nd.country)),
                nd.key.to_string(),
                opt_period(nd.time_to_survive),
                format!("{} {}", qty(nd.cumulative_shortfall), unit(ds, &nd.key)),
                pct(if nd.cumulative_demand > 0.0 {
                    nd.cumulative_shortfall / nd.cumulative_demand
                } else {
                    0.0
                }),
                format!("{} ({pt})", qty(pv)),
                qty(net.stock[i]),
                opt_period(v.stock_out[i]),
                opt_period(nd.recovery_time),
            ]);
        }
        out.push_str(&t.render(2));
        if r.first_to_fail.len() > top {
            out.push_str(&format!(
                "  ... and {} more (--top N, --format json or --out DIR for all)\n",
                r.first_to_fail.len() - top
            ));
        }
    }
    notes(&mut out, net);
    out
}

fn notes(out: &mut String, net: &Network) {
    if !net.notes.is_empty() {
        out.push_str("\nHow the data became a network:\n");
        for n in &net.notes {
            out.push_str(&format!("  - {n}\n"));
        }
    }
}

fn write(path: &Path, text: String) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))
}

fn f(x: f64) -> String {
    // Shortest representation that round-trips.
    format!("{x}")
}

fn write_single_csv(out: &Path, net: &Network, r: &SimResult, v: &SingleView) -> Result<()> {
    let n = net.len();
    let o = |x: Option<usize>| x.map_or(String::new(), |t| t.to_string());
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let nd = &r.nodes[i];
            let rank = r.first_to_fail.iter().position(|&j| j == i).map(|k| k + 1);
            vec![
                nd.country.to_string(),
                nd.key.commodity.clone(),
                nd.key.stage.clone(),
                f(nd.cumulative_shortfall),
                f(nd.cumulative_demand),
                o(nd.time_to_survive),
                o(nd.recovery_time),
                o(rank),
                f(net.stock[i]),
                o(v.stock_out[i]),
            ]
        })
        .collect();
    write(
        &out.join("nodes.csv"),
        csv_text(
            &[
                "country",
                "commodity",
                "stage",
                "cumulative_shortfall",
                "cumulative_demand",
                "time_to_survive",
                "recovery_time",
                "fail_rank",
                "initial_stock",
                "stock_out_period",
            ],
            &rows,
        ),
    )?;
    let Some(s) = r.series.as_ref() else {
        return Ok(());
    };
    let mut rows = Vec::with_capacity(n * r.periods_done);
    for i in 0..n {
        for t in 0..r.periods_done {
            let j = t * n + i;
            rows.push(vec![
                t.to_string(),
                net.nodes[i].country.to_string(),
                net.nodes[i].key.commodity.clone(),
                net.nodes[i].key.stage.clone(),
                f(s.production[j]),
                f(s.arrivals[j]),
                f(s.exported[j]),
                f(s.delivered[j]),
                f(s.stock_draw[j]),
                f(s.stock_build[j]),
                f(s.unsold[j]),
                f(s.stock[j]),
                f(s.demand[j]),
                f(s.need[j]),
                f(s.shortfall[j]),
            ]);
        }
    }
    write(
        &out.join("series.csv"),
        csv_text(
            &[
                "period",
                "country",
                "commodity",
                "stage",
                "production",
                "arrivals",
                "exported",
                "delivered",
                "stock_draw",
                "stock_build",
                "unsold",
                "stock",
                "demand",
                "need",
                "shortfall",
            ],
            &rows,
        ),
    )
}

// ---------------------------------------------------------------------------
// Monte Carlo

fn stats_json(s: &ShortfallStats) -> Value {
    json!({
        "mean": s.mean,
        "p50": s.p50,
        "p95": s.p95,
        "p99": s.p99,
        "cvar95": s.cvar95,
        "max": s.max,
        "p_any": s.probability_of_shortfall,
    })
}

pub(crate) fn mc_json(
    ds: &Dataset,
    net: &Network,
    sc: &Scenario,
    file: &str,
    r: &lodestone_sim::McResult,
) -> Value {
    let mut dist: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for s in &r.nodes {
        let c = s
            .country
            .map_or_else(|| "world".to_string(), |c| c.to_string());
        dist.entry(c)
            .or_default()
            .insert(s.key.to_string(), stats_json(s));
    }
    let mut world = Map::new();
    for s in &r.commodities {
        world.insert(s.key.to_string(), stats_json(s));
    }
    let events: Vec<Value> = sc
        .monte_carlo
        .as_ref()
        .map(|m| {
            m.events
                .iter()
                .map(|e| {
                    let mut v = serde_json::to_value(&e.kind).unwrap_or(Value::Null);
                    if let Value::Object(o) = &mut v {
                        o.insert("name".into(), json!(e.name));
                        o.insert("annual_probability".into(), json!(e.annual_probability));
                        o.insert(
                            "duration".into(),
                            serde_json::to_value(&e.duration).unwrap_or(Value::Null),
                        );
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    let mut scj = scenario_json(sc, file);
    if let Value::Object(o) = &mut scj {
        o.insert("events".into(), json!(events));
    }
    json!({
        "scenario": scj,
        "mode": "monte_carlo",
        "periods": sc.horizon,
        "runs": r.runs_done,
        "runs_requested": r.runs_requested,
        "seed": r.seed,
        "partial": r.partial,
        "quantile_relative_accuracy": r.quantile_relative_accuracy,
        "network": network_json(ds, net),
        "world": world,
        "distribution": dist,
    })
}

fn mc_table(
    ds: &Dataset,
    net: &Network,
    sc: &Scenario,
    r: &lodestone_sim::McResult,
    top: usize,
) -> String {
    let w = period_word(sc);
    let mut out = String::new();
    out.push_str(&format!("Scenario `{}`: {}\n", sc.name, sc.description));
    out.push_str(&format!(
        "Monte Carlo: {} runs{} of {} {w}s, seed {}; network: {} nodes, {} trade links; dataset `{}`\n",
        qty(r.runs_done as f64),
        if r.partial { format!(" (PARTIAL: interrupted; {} requested)", qty(r.runs_requested as f64)) } else { String::new() },
        sc.horizon,
        r.seed,
        net.len(),
        net.edge_flow.len(),
        ds.manifest.name
    ));
    out.push_str(&format!(
        "Cumulative shortfall over the horizon, per run; p50/p95/p99/CVaR95 within {}; P(any) = share of runs with any shortfall\n\n",
        pct(r.quantile_relative_accuracy)
    ));
    let header = [
        "commodity-stage",
        "unit",
        "mean",
        "p50",
        "p95",
        "p99",
        "CVaR95",
        "max",
        "P(any)",
    ];
    let mut t = Table::new(&header).right(&[2, 3, 4, 5, 6, 7, 8]);
    for s in &r.commodities {
        t.row(stats_row(ds, s));
    }
    out.push_str("World (all countries), per commodity-stage\n");
    out.push_str(&t.render(2));
    out.push('\n');
    let mut at_risk: Vec<&ShortfallStats> = r
        .nodes
        .iter()
        .filter(|s| s.probability_of_shortfall > 0.0)
        .collect();
    at_risk.sort_by(|a, b| {
        b.probability_of_shortfall
            .total_cmp(&a.probability_of_shortfall)
            .then(b.mean.total_cmp(&a.mean))
            .then(a.key.cmp(&b.key))
            .then(a.country.cmp(&b.country))
    });
    if at_risk.is_empty() {
        out.push_str("No country runs short in any run.\n");
    } else {
        out.push_str(&format!(
            "Countries most likely to run short ({} country x commodity-stage in all)\n",
            at_risk.len()
        ));
        let mut t = Table::new(&[
            "country",
            "commodity-stage",
            "unit",
            "mean",
            "p50",
            "p95",
            "p99",
            "CVaR95",
            "max",
            "P(any)",
        ])
        .right(&[3, 4, 5, 6, 7, 8, 9]);
        for s in at_risk.iter().take(top) {
            let c = s
                .country
                .map_or("world".into(), |c| format!("{c} {}", ds.country_name(c)));
            let mut row = vec![c];
            row.extend(stats_row(ds, s));
            t.row(row);
        }
        out.push_str(&t.render(2));
        if at_risk.len() > top {
            out.push_str(&format!(
                "  ... and {} more (--top N, --format json or --out DIR for all)\n",
                at_risk.len() - top
            ));
        }
    }
    notes(&mut out, net);
    out
}

fn stats_row(ds: &Dataset, s: &ShortfallStats) -> Vec<String> {
    vec![
        s.key.to_string(),
        unit(ds, &s.key).into(),
        qty(s.mean),
        qty(s.p50),
        qty(s.p95),
        qty(s.p99),
        qty(s.cvar95),
        qty(s.max),
        pct(s.probability_of_shortfall),
    ]
}

fn write_mc_csv(out: &Path, r: &lodestone_sim::McResult) -> Result<()> {
    let header = [
        "country",
        "commodity",
        "stage",
        "mean",
        "p50",
        "p95",
        "p99",
        "cvar95",
        "max",
        "p_any",
        "runs",
        "partial",
    ];
    let row = |s: &ShortfallStats| {
        vec![
            s.country.map_or(String::new(), |c| c.to_string()),
            s.key.commodity.clone(),
            s.key.stage.clone(),
            f(s.mean),
            f(s.p50),
            f(s.p95),
            f(s.p99),
            f(s.cvar95),
            f(s.max),
            f(s.probability_of_shortfall),
            r.runs_done.to_string(),
            r.partial.to_string(),
        ]
    };
    let rows: Vec<Vec<String>> = r.nodes.iter().map(row).collect();
    write(&out.join("distribution.csv"), csv_text(&header, &rows))?;
    let rows: Vec<Vec<String>> = r.commodities.iter().map(row).collect();
    write(&out.join("world.csv"), csv_text(&header, &rows))
}
