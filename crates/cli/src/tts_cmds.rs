//! `lodestone tts`: time to survive (Simchi-Levi et al. 2015) of each
//! producer node, against its time to recover; the exposure hot spots.
//!
//! The LP is in lodestone-sim (`tts.rs`); this module resolves the
//! selection and options against the dataset, builds the network (headroom
//! and stock months 0 unless asked), shows a progress bar on stderr when
//! more than a few programs are solved (hidden when stderr is not a
//! terminal), turns Ctrl-C into the cancel flag, and formats. JSON is
//! documented in docs/cli-json.md, the method in docs/scenarios.md.

use crate::commands::{dataset, json};
use crate::table::{pct, qty, Table};
use crate::{CliError, Format, Result};
use lodestone_model::{CommodityKey, Dataset};
use lodestone_sim::scenario::{CommoditySel, Period};
use lodestone_sim::tts::{network_spec, DEFAULT_HORIZON, DEFAULT_TTR};
use lodestone_sim::{time_to_survive, Network, TtrRule, TtsError, TtsOptions, TtsResult};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(clap::Args)]
pub struct TtsArgs {
    /// Remove only this country's producers (ISO 3166-1 alpha-2, e.g. CN).
    #[arg(long)]
    pub country: Option<String>,
    /// Remove only producers of this commodity id (every stage unless
    /// --stage), e.g. rare_earths.
    #[arg(long)]
    pub commodity: Option<String>,
    /// Remove only producers at this stage, e.g. mining or refining.
    #[arg(long)]
    pub stage: Option<String>,
    /// Time to recover, in months: a number sets it for every
    /// commodity-stage (default 12); COMMODITY=MONTHS or
    /// COMMODITY/STAGE=MONTHS overrides it (repeatable or comma-separated;
    /// a stage-specific override beats a commodity-wide one).
    #[arg(long, value_delimiter = ',', value_name = "MONTHS|COMMODITY[/STAGE]=MONTHS")]
    pub ttr: Vec<String>,
    /// Horizon cap in months: a TTS of at least this is reported as ">= H"
    /// (no shortfall within the horizon).
    #[arg(long, default_value_t = DEFAULT_HORIZON)]
    pub horizon: f64,
    /// Spare capacity to assume, as a fraction of production, where the
    /// dataset has no capacity row (default 0: none).
    #[arg(long, default_value_t = 0.0)]
    pub headroom: f64,
    /// Stock to assume, in months of normal need, where the dataset has no
    /// stockpile row (default 0: none).
    #[arg(long, default_value_t = 0.0)]
    pub stock_months: f64,
    /// Base year (default: each table's latest year per commodity-stage).
    #[arg(long)]
    pub year: Option<i32>,
    /// Show only the N lowest TTS (table and JSON; default: all).
    #[arg(long)]
    pub top: Option<usize>,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Set by Ctrl-C; checked before each LP.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Solving more programs than this shows a progress bar.
const BAR_ABOVE: usize = 5;

pub fn tts(dir: Option<&Path>, a: &TtsArgs) -> Result<()> {
    if a.format == Format::Csv {
        return Err(CliError::Input("`tts` prints a table or JSON (--format table|json)".into()));
    }
    let ds = dataset(dir)?;
    let country = a.country.as_deref().map(|c| crate::trade_cmds::country(&ds, c)).transpose()?;
    let keys = selected_keys(&ds, a.commodity.as_deref(), a.stage.as_deref())?;
    let opts = options(&ds, a)?;
    for (name, v) in [("--headroom", a.headroom), ("--stock-months", a.stock_months)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(CliError::Input(format!("{name} {v} must be a number >= 0")));
        }
    }
    let restricted = a.commodity.is_some() || a.stage.is_some();
    let spec = network_spec(&ds, if restricted { &keys } else { &[] }, a.year, a.headroom, a.stock_months);
    let net = Network::build(&ds, &spec, Period::Month);
    let wanted = |i: usize| {
        let nd = &net.nodes[i];
        country.is_none_or(|c| nd.country == c) && (!restricted || keys.contains(&nd.key))
    };
    let removed: Vec<u32> = (0..net.len()).filter(|&i| wanted(i) && net.capacity[i] > 0.0).map(|i| i as u32).collect();
    if removed.is_empty() {
        return Err(CliError::Input(format!(
            "no producer to remove: no node{}{}{} has output or capacity in dataset `{}`{}",
            country.map(|c| format!(" in {c}")).unwrap_or_default(),
            a.commodity.as_deref().map(|c| format!(" of {c}")).unwrap_or_default(),
            a.stage.as_deref().map(|s| format!(" at stage {s}")).unwrap_or_default(),
            ds.manifest.name,
            a.year.map(|y| format!(" in {y}")).unwrap_or_default(),
        )));
    }

    CANCEL.store(false, Ordering::SeqCst);
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let pb = (removed.len() > BAR_ABOVE).then(|| bar(removed.len() as u64));
    let progress = |done: usize, _total: usize| {
        if let Some(pb) = &pb {
            pb.set_position(done as u64)
        }
    };
    let r = time_to_survive(&net, &removed, &opts, &progress, &CANCEL).map_err(|e| match e {
        TtsError::BadOption(m) => CliError::Input(m),
        e => CliError::Internal(e.to_string()),
    })?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    if r.partial {
        eprintln!("interrupted: {} of {} nodes done (marked partial)", r.nodes.len(), removed.len());
    }
    let ctx = Ctx { ds: &ds, net: &net, a, opts: &opts, removed: removed.len() };
    match a.format {
        Format::Json => json(&tts_json(&ctx, &r)),
        _ => {
            print!("{}", tts_table(&ctx, &r));
            Ok(())
        }
    }
}

/// The commodity-stages selected by --commodity and --stage (all when
/// neither is given); unknown ids are input errors.
fn selected_keys(ds: &Dataset, commodity: Option<&str>, stage: Option<&str>) -> Result<Vec<CommodityKey>> {
    if let Some(c) = commodity {
        if !ds.commodities.iter().any(|x| x.key.commodity == c) {
            return Err(CliError::Input(format!("unknown commodity `{c}`; `lodestone commodities` lists the ids")));
        }
    }
    if let Some(s) = stage {
        if ds.stage_index(s).is_none() {
            return Err(CliError::Input(format!(
                "unknown stage `{s}`; the dataset declares: {}",
                ds.manifest.stages.join(", ")
            )));
        }
    }
    let keys: Vec<CommodityKey> = ds
        .commodities
        .iter()
        .map(|x| x.key.clone())
        .filter(|k| commodity.is_none_or(|c| k.commodity == c) && stage.is_none_or(|s| k.stage == s))
        .collect();
    if keys.is_empty() {
        let c = commodity.unwrap_or_default();
        let stages: Vec<&str> =
            ds.commodities.iter().filter(|x| x.key.commodity == c).map(|x| x.key.stage.as_str()).collect();
        return Err(CliError::Input(format!(
            "`{c}` has no stage `{}`; it has: {}",
            stage.unwrap_or_default(),
            stages.join(", ")
        )));
    }
    Ok(keys)
}

/// --horizon and --ttr into options.
fn options(ds: &Dataset, a: &TtsArgs) -> Result<TtsOptions> {
    let mut o = TtsOptions { horizon: a.horizon, ttr: DEFAULT_TTR, ttr_rules: vec![] };
    let months = |s: &str, whole: &str| -> Result<f64> {
        s.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| {
            CliError::Input(format!("--ttr `{whole}`: `{s}` is not a number of months >= 0"))
        })
    };
    for item in &a.ttr {
        match item.split_once('=') {
            None => o.ttr = months(item, item)?,
            Some((sel, v)) => {
                let sel = sel.trim();
                let commodity = match sel.split_once('/') {
                    Some(_) => {
                        let k = CommodityKey::parse(sel).filter(|k| ds.commodity(k).is_some()).ok_or_else(|| {
                            CliError::Input(format!(
                                "--ttr `{item}`: unknown commodity-stage `{sel}`; `lodestone commodities` lists them"
                            ))
                        })?;
                        CommoditySel::Key(k)
                    }
                    None if ds.commodities.iter().any(|x| x.key.commodity == sel) => CommoditySel::AllStages(sel.into()),
                    None => {
                        return Err(CliError::Input(format!(
                            "--ttr `{item}`: unknown commodity `{sel}`; `lodestone commodities` lists the ids"
                        )))
                    }
                };
                o.ttr_rules.push(TtrRule { commodity, periods: months(v, item)? });
            }
        }
    }
    if !(a.horizon.is_finite() && a.horizon > 0.0) {
        return Err(CliError::Input(format!("--horizon {} must be a number of months > 0", a.horizon)));
    }
    Ok(o)
}

fn bar(total: u64) -> indicatif::ProgressBar {
    // Drawn on stderr only when it is a terminal (indicatif hides it
    // otherwise), so pipes and tests see clean output.
    let pb = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} nodes removed (ETA {eta}; Ctrl-C stops with partial results)",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    pb.set_style(style);
    pb
}

struct Ctx<'a> {
    ds: &'a Dataset,
    net: &'a Network,
    a: &'a TtsArgs,
    opts: &'a TtsOptions,
    removed: usize,
}

fn sel_name(s: &CommoditySel) -> String {
    match s {
        CommoditySel::Key(k) => k.to_string(),
        CommoditySel::AllStages(c) => c.clone(),
    }
}

fn unit<'a>(ds: &'a Dataset, key: &CommodityKey) -> &'a str {
    ds.commodity(key).map_or("", |c| c.unit.code)
}

fn shown(a: &TtsArgs, r: &TtsResult) -> usize {
    a.top.map_or(r.nodes.len(), |t| t.min(r.nodes.len()))
}

fn tts_json(c: &Ctx, r: &TtsResult) -> Value {
    let (ds, net, a) = (c.ds, c.net, c.a);
    let nodes: Vec<Value> = r
        .nodes
        .iter()
        .take(shown(a, r))
        .enumerate()
        .map(|(i, x)| serde_json::to_value(x.row(ds, net, i + 1)).unwrap_or(Value::Null))
        .collect();
    json!({
        "dataset": ds.manifest.name,
        "method": "time to survive: Simchi-Levi et al. (2015) linear program, one per removed node",
        "period": "month",
        "horizon": r.horizon,
        "selection": {
            "country": a.country,
            "commodity": a.commodity,
            "stage": a.stage,
        },
        "assumptions": {
            "headroom": a.headroom,
            "stock_months": a.stock_months,
            "ttr": c.opts.ttr,
            "ttr_rules": c.opts.ttr_rules.iter().map(|t| json!({"commodity": sel_name(&t.commodity), "months": t.periods})).collect::<Vec<_>>(),
        },
        "network": {
            "nodes": net.len(),
            "commodities": net.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "notes": net.notes,
        },
        "baseline": r.baseline.iter().map(|b| json!({
            "commodities": b.keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "tts": b.tts,
            "capped": b.capped,
        })).collect::<Vec<_>>(),
        "removed": c.removed,
        "solved": r.nodes.len(),
        "hot_spots": r.nodes.iter().filter(|x| x.hot_spot).count(),
        "lp_solves": r.lp_solves,
        "partial": r.partial,
        "nodes": nodes,
    })
}

fn tts_text(tts: f64, capped: bool) -> String {
    if capped {
        format!(">= {}", trim(tts))
    } else {
        format!("{tts:.2}")
    }
}

fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

fn tts_table(c: &Ctx, r: &TtsResult) -> String {
    let (ds, net, a) = (c.ds, c.net, c.a);
    let mut out = String::new();
    out.push_str(&format!(
        "Time to survive (Simchi-Levi et al. 2015) — dataset `{}`, months, horizon {}\n",
        ds.manifest.name,
        trim(r.horizon)
    ));
    out.push_str(
        "Each producer node is removed from month 0; the rest of the network runs at up to its capacity, \
         each country draws its own stocks, and any producer may supply any country.\n",
    );
    out.push_str(&format!(
        "Spare capacity: capacity rows, else production x {}; stocks: stockpile rows, else {} months of need. \
         Hot spot: TTS < TTR (default TTR {} months{}).\n\n",
        trim(1.0 + a.headroom),
        trim(a.stock_months),
        trim(c.opts.ttr),
        if c.opts.ttr_rules.is_empty() {
            String::new()
        } else {
            format!(
                "; {}",
                c.opts.ttr_rules.iter().map(|t| format!("{} {}", sel_name(&t.commodity), trim(t.periods))).collect::<Vec<_>>().join(", ")
            )
        }
    ));
    let mut t = Table::new(&[
        "#", "country", "name", "commodity/stage", "output/month", "share", "TTS (months)", "TTR", "hot spot", "binding",
    ])
    .right(&[0, 4, 5, 6, 7]);
    for (i, x) in r.nodes.iter().take(shown(a, r)).enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            x.country.to_string(),
            ds.country_name(x.country).to_string(),
            x.key.to_string(),
            format!("{} {}", qty(x.production), unit(ds, &x.key)),
            pct(x.share),
            tts_text(x.tts, x.capped),
            trim(x.ttr),
            if x.hot_spot { "HOT".into() } else { String::new() },
            x.binding.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", "),
        ]);
    }
    out.push_str(&t.render(0));
    let hot = r.nodes.iter().filter(|x| x.hot_spot).count();
    out.push_str(&format!(
        "\n{hot} of {} removed nodes are hot spots (TTS < TTR); {} linear programs solved.{}\n",
        r.nodes.len(),
        r.lp_solves,
        if shown(a, r) < r.nodes.len() { format!(" Showing the {} lowest TTS.", shown(a, r)) } else { String::new() }
    ));
    for b in r.baseline.iter().filter(|b| !b.capped) {
        let ks: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
        out.push_str(&format!(
            "note: even with nothing removed, {} meet demand for only {} months (the data's normal supply falls short)\n",
            ks.join(", "),
            tts_text(b.tts, b.capped)
        ));
    }
    for n in &net.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    if r.partial {
        out.push_str("PARTIAL: interrupted before every node was removed\n");
    }
    out
}
