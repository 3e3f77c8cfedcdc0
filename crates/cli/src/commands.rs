//! One function per command: resolve inputs, call the computing crates,
//! format the result.

use crate::table::{csv_text, pct, qty, Table};
use crate::{BriefArgs, ByArg, CliError, ExposureArgs, Format, Result};
use lodestone_analysis::exposure::{self, By, Concentration};
use lodestone_analysis::reliance;
use lodestone_analysis::reserves;
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::borrow::Cow;
use std::path::Path;

/// The dataset in use: `--dataset DIR`, or the embedded default.
pub fn dataset(dir: Option<&Path>) -> Result<Cow<'static, Dataset>> {
    match dir {
        Some(d) => lodestone_model::load_dir(d).map(Cow::Owned).map_err(|p| CliError::Input(p.to_string())),
        None => lodestone_data::default_dataset()
            .map(Cow::Borrowed)
            .map_err(|p| CliError::Internal(format!("the embedded default dataset is invalid (a build bug):\n{p}"))),
    }
}

pub fn json<T: serde::Serialize>(v: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::Internal(format!("JSON: {e}")))?;
    println!("{s}");
    Ok(())
}

fn key_checked(ds: &Dataset, commodity: &str, stage: &str) -> Result<CommodityKey> {
    let key = CommodityKey::new(commodity, stage);
    if ds.commodity(&key).is_some() {
        return Ok(key);
    }
    let stages: Vec<String> = ds
        .commodities
        .iter()
        .filter(|c| c.key.commodity == commodity)
        .map(|c| c.key.stage.clone())
        .collect();
    Err(CliError::Input(if stages.is_empty() {
        format!("unknown commodity `{commodity}`; `lodestone commodities` lists the ids")
    } else {
        format!("`{commodity}` has no stage `{stage}`; it has: {}", stages.join(", "))
    }))
}

// ---------------------------------------------------------------------------
// commodities

pub fn commodities(dir: Option<&Path>, format: Format) -> Result<()> {
    let ds = dataset(dir)?;
    #[derive(serde::Serialize)]
    struct Row<'a> {
        commodity: &'a str,
        stage: &'a str,
        name: &'a str,
        unit: &'a str,
        basis: &'a str,
        production_years: Vec<i32>,
        production_rows: usize,
        reserve_rows: usize,
        hs_codes: &'a [String],
    }
    let rows: Vec<Row> = ds
        .commodities_sorted()
        .into_iter()
        .map(|c| Row {
            commodity: &c.key.commodity,
            stage: &c.key.stage,
            name: &c.name,
            unit: c.unit.code,
            basis: &c.basis,
            production_years: ds.production_years(&c.key),
            production_rows: ds.production.iter().filter(|p| p.key == c.key).count(),
            reserve_rows: ds.reserves.iter().filter(|p| p.key == c.key).count(),
            hs_codes: &c.hs_codes,
        })
        .collect();
    let years = |v: &[i32]| match (v.first(), v.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => "-".into(),
    };
    match format {
        Format::Json => json(&serde_json::json!({ "dataset": ds.manifest.name, "commodities": rows })),
        Format::Csv => {
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.commodity.into(),
                        r.stage.into(),
                        r.name.into(),
                        r.unit.into(),
                        r.basis.into(),
                        years(&r.production_years),
                        r.production_rows.to_string(),
                        r.reserve_rows.to_string(),
                    ]
                })
                .collect();
            print!(
                "{}",
                csv_text(&["commodity", "stage", "name", "unit", "basis", "years", "production_rows", "reserve_rows"], &body)
            );
            Ok(())
        }
        Format::Table => {
            let mut t = Table::new(&["commodity", "stage", "unit", "years", "rows", "what is measured"]).right(&[4]);
            for r in &rows {
                let what = if r.basis.is_empty() { r.name.to_string() } else { format!("{} ({})", r.name, r.basis) };
                t.row(vec![
                    r.commodity.into(),
                    r.stage.into(),
                    r.unit.into(),
                    years(&r.production_years),
                    r.production_rows.to_string(),
                    what,
                ]);
            }
            println!("{} commodity-stages in dataset `{}`\n", rows.len(), ds.manifest.name);
            print!("{}", t.render(0));
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------
// exposure

fn by(b: ByArg) -> By {
    match b {
        ByArg::Location => By::Location,
        ByArg::Owner => By::Owner,
    }
}

fn analysis_err(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

pub fn exposure(dir: Option<&Path>, a: &ExposureArgs) -> Result<()> {
    let ds = dataset(dir)?;
    let key = key_checked(&ds, &a.commodity, &a.stage)?;
    let c = exposure::concentration(&ds, &key, a.year, by(a.by)).map_err(analysis_err)?;
    let res = reserves::reserves(&ds, &key, None).ok();
    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&c).map_err(|e| CliError::Internal(e.to_string()))?;
            if let (Some(obj), Some(r)) = (v.as_object_mut(), &res) {
                obj.insert("reserves".into(), serde_json::to_value(r).map_err(|e| CliError::Internal(e.to_string()))?);
            }
            json(&v)
        }
        Format::Csv => {
            let mut rows: Vec<Vec<String>> = c
                .producers
                .iter()
                .map(|p| vec![p.country.to_string(), p.name.clone(), p.quantity.to_string(), p.share.to_string()])
                .collect();
            if c.residual_share > 0.0 {
                rows.push(vec!["ZZ".into(), "unattributed".into(), (c.residual_share * c.total).to_string(), c.residual_share.to_string()]);
            }
            print!("{}", csv_text(&["country", "name", "quantity", "share"], &rows));
            Ok(())
        }
        Format::Table => {
            print!("{}", exposure_table(&ds, &c, res.as_ref()));
            Ok(())
        }
    }
}

fn exposure_table(ds: &Dataset, c: &Concentration, res: Option<&reserves::ReserveSummary>) -> String {
    let mut s = String::new();
    let name = ds.commodity(&CommodityKey::new(&c.commodity, &c.stage)).map(|x| x.name.as_str()).unwrap_or("");
    s.push_str(&format!(
        "{}/{} — {} — {} (by {})\n",
        c.commodity,
        c.stage,
        name,
        c.year,
        match c.by {
            By::Location => "location",
            By::Owner => "owner",
        }
    ));
    s.push_str(&format!(
        "total {} {}   HHI {:.0}   top-3 {}   unattributed {}\n\n",
        qty(c.total),
        c.unit,
        c.hhi,
        pct(c.top3_share),
        pct(c.residual_share)
    ));
    let mut t = Table::new(&["#", "country", "", "quantity", "share"]).right(&[0, 3, 4]);
    for (i, p) in c.producers.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            p.country.to_string(),
            p.name.clone(),
            format!("{}{}", qty(p.quantity), if p.estimated { " e" } else { "" }),
            pct(p.share),
        ]);
    }
    if c.residual_share > 0.0 {
        t.row(vec!["".into(), "ZZ".into(), "not attributed by the source".into(), qty(c.residual_share * c.total), pct(c.residual_share)]);
    }
    s.push_str(&t.render(2));
    if c.producers.iter().any(|p| p.estimated) {
        s.push_str("  (e: estimated by the source)\n");
    }
    if !c.groups.is_empty() {
        s.push_str("\n  group shares: ");
        let g: Vec<String> = c.groups.iter().map(|(k, v)| format!("{k} {}", pct(*v))).collect();
        s.push_str(&g.join(", "));
        s.push('\n');
    }
    if let Some(r) = res {
        s.push_str(&format!(
            "\n  reserves ({}): {}{} {}, HHI {:.0}",
            r.year,
            if r.lower_bound_rows > 0 { "at least " } else { "" },
            qty(r.total),
            c.unit,
            r.hhi
        ));
        if let Some(y) = r.years_of_production {
            s.push_str(&format!(", {:.0} years of {} production", y, r.production_year.unwrap_or(c.year)));
        }
        s.push('\n');
    }
    for note in &c.assumptions {
        s.push_str(&format!("  note: {note}\n"));
    }
    s
}

// ---------------------------------------------------------------------------
// brief

pub fn brief(dir: Option<&Path>, a: &BriefArgs) -> Result<()> {
    let ds = dataset(dir)?;
    for c in &a.commodity {
        if !ds.commodities.iter().any(|x| &x.key.commodity == c) {
            return Err(CliError::Input(format!("unknown commodity `{c}`; `lodestone commodities` lists the ids")));
        }
    }
    for g in [&a.partners, &a.concern] {
        if !ds.group_names().contains(&g.as_str()) {
            return Err(CliError::Input(format!("unknown group `{g}`; the dataset declares: {}", ds.group_names().join(", "))));
        }
    }
    let wanted = |c: &Concentration| a.commodity.is_empty() || a.commodity.contains(&c.commodity);
    let dependence = dependence_rows(&ds, a);
    let items: Vec<Concentration> = exposure::overview(&ds, a.year).into_iter().filter(|c| wanted(c)).collect();
    let us = CountryCode::parse("US");
    let nir = |commodity: &str| us.and_then(|us| reliance::latest_import_reliance(&ds, us, commodity));
    match a.format {
        Format::Json | Format::Csv => {
            #[derive(serde::Serialize)]
            struct Item<'a> {
                #[serde(flatten)]
                concentration: &'a Concentration,
                us_net_import_reliance: Option<reliance::RelianceRow>,
            }
            let list: Vec<Item> =
                items.iter().map(|c| Item { concentration: c, us_net_import_reliance: nir(&c.commodity) }).collect();
            json(&serde_json::json!({
                "dataset": ds.manifest.name,
                "items": list,
                "stress": match stress_brief(&ds) {
                    Ok(b) => serde_json::to_value(&b).unwrap_or_default(),
                    Err(e) => serde_json::json!({ "not_run": e }),
                },
                "plan": match crate::plan_cmds::plan_brief(&ds) {
                    Ok(b) => serde_json::to_value(&b).unwrap_or_default(),
                    Err(e) => serde_json::json!({ "not_run": e }),
                },
                "dependence": {
                    "partners": a.partners,
                    "concern": a.concern,
                    "imports": dependence.iter().map(|(c, r)| DependenceItem { country: *c, summary: r }).collect::<Vec<_>>(),
                },
            }))
        }
        Format::Table => {
            let mut out = String::new();
            out.push_str(&format!(
                "Lodestone critical-minerals briefing — dataset `{}`{}\n",
                ds.manifest.name,
                if ds.manifest.version.is_empty() { String::new() } else { format!(" ({})", ds.manifest.version) }
            ));
            out.push_str(
                "Shares are of all reported output incl. unattributed \"other countries\" (resid.); \
HHI over named countries (0-10,000).\n",
            );
            let groups = ds.group_names();
            if !groups.is_empty() {
                out.push_str(&format!("Groups: {}\n", groups.join(", ")));
            }
            out.push('\n');
            let mut header = vec!["commodity/stage", "year", "total", "unit", "HHI", "top producers", "resid."];
            let short: Vec<String> = groups.iter().map(|g| short_group(g)).collect();
            header.extend(short.iter().map(String::as_str));
            header.push("US NIR");
            let right: Vec<usize> = [1, 2, 4, 6].into_iter().chain(7..7 + groups.len() + 1).collect();
            let mut t = Table::new(&header).right(&right);
            for c in &items {
                let top: Vec<String> =
                    c.producers.iter().take(a.top).map(|p| format!("{} {}", p.country, pct(p.share))).collect();
                let mut row = vec![
                    format!("{}/{}", c.commodity, c.stage),
                    c.year.to_string(),
                    qty(c.total),
                    c.unit.clone(),
                    format!("{:.0}", c.hhi),
                    top.join(", "),
                    pct(c.residual_share),
                ];
                for g in &groups {
                    row.push(match c.groups.get(*g) {
                        Some(v) if *v > 0.0 => format!("{:.0}%", v * 100.0),
                        _ => "-".into(),
                    });
                }
                row.push(nir(&c.commodity).map(|r| nir_text(&r)).unwrap_or_default());
                t.row(row);
            }
            out.push_str(&t.render(0));
            out.push_str(&format!(
                "\n{} commodity-stages. Group columns: share of output located in the group ({}).\n\
US NIR: U.S. net import reliance, % of apparent consumption (USGS); > and < are bounds as published.\n\
Details: lodestone exposure --commodity ID --stage STAGE\n",
                items.len(),
                groups.iter().map(|g| format!("{}={g}", short_group(g))).collect::<Vec<_>>().join(", ")
            ));
            out.push_str(&dependence_table(&dependence, a));
            out.push_str(&stress_text(&stress_brief(&ds)));
            out.push_str(&crate::plan_cmds::plan_brief_text(&crate::plan_cmds::plan_brief(&ds)));
            print!("{out}");
            Ok(())
        }
    }
}

#[derive(serde::Serialize)]
struct DependenceItem<'a> {
    country: CountryCode,
    #[serde(flatten)]
    summary: &'a lodestone_analysis::dependence::ImportSummary,
}

/// Each partner country's imports of each traded commodity-stage (latest
/// year), for the briefing's dependence section.
fn dependence_rows(ds: &Dataset, a: &BriefArgs) -> Vec<(CountryCode, lodestone_analysis::dependence::ImportSummary)> {
    let mut out = vec![];
    for c in ds.group(&a.partners) {
        // An unknown country cannot happen: group members are declared.
        for s in lodestone_analysis::import_reliance_table(ds, c, a.year).unwrap_or_default() {
            let material = ds
                .commodity(&CommodityKey::new(&s.commodity, &s.stage))
                .map(|x| x.material().to_string())
                .unwrap_or_default();
            if a.commodity.is_empty() || a.commodity.contains(&s.commodity) || a.commodity.contains(&material) {
                out.push((c, s));
            }
        }
    }
    out
}

fn dependence_table(rows: &[(CountryCode, lodestone_analysis::dependence::ImportSummary)], a: &BriefArgs) -> String {
    let mut s = format!(
        "\nDependence of `{}` on imports (BACI trade, latest year): top supplier, import HHI, share from `{}`\n\n",
        a.partners, a.concern
    );
    if rows.is_empty() {
        s.push_str("  (no trade data in this dataset)\n");
        return s;
    }
    let mut t = Table::new(&["country", "commodity/stage", "year", "imports", "unit", "top supplier", "HHI", &short_group(&a.concern), "NIR"])
        .right(&[2, 3, 6, 7, 8]);
    // Per country, the imports most exposed to the concern group first.
    const PER_COUNTRY: usize = 10;
    let concern = |r: &lodestone_analysis::dependence::ImportSummary| r.groups.get(&a.concern).copied().unwrap_or(0.0);
    let mut more: Vec<String> = vec![];
    let countries: std::collections::BTreeSet<CountryCode> = rows.iter().map(|(c, _)| *c).collect();
    for country in countries {
        let mut mine: Vec<&lodestone_analysis::dependence::ImportSummary> =
            rows.iter().filter(|(c, _)| *c == country).map(|(_, r)| r).collect();
        mine.sort_by(|x, y| concern(y).total_cmp(&concern(x)).then_with(|| x.commodity.cmp(&y.commodity)));
        if mine.len() > PER_COUNTRY {
            more.push(format!("{country}: {} more", mine.len() - PER_COUNTRY));
        }
        for r in mine.into_iter().take(PER_COUNTRY) {
            t.row(vec![
                country.to_string(),
                format!("{}/{}", r.commodity, r.stage),
                r.year.to_string(),
                qty(r.imports),
                r.unit.clone(),
                r.top_partner.as_ref().map(|p| format!("{} {}", p.country, pct(p.share))).unwrap_or_default(),
                r.import_hhi.map(|h| format!("{h:.0}")).unwrap_or_default(),
                pct(concern(r)),
                r.net_import_reliance.map(pct).unwrap_or_else(|| "n/a".into()),
            ]);
        }
    }
    s.push_str(&t.render(0));
    if !more.is_empty() {
        s.push_str(&format!("({}; --format json lists all, `lodestone imports --country C --commodity ID` details one)\n", more.join(", ")));
    }
    s.push_str("NIR here: (imports - exports) / (production + imports - exports) from trade and production data; see `lodestone imports`.\n");
    s
}

/// The briefing's stress scenario, compiled in so `brief` needs no files.
const BRIEF_SCENARIO: (&str, &str) =
    ("examples/scenarios/rare-earth-export-ban.toml", include_str!("../../../examples/scenarios/rare-earth-export-ban.toml"));

#[derive(serde::Serialize)]
struct StressBrief {
    scenario: String,
    description: String,
    periods: usize,
    /// commodity-stage -> shortfall and demand over the horizon, in its unit.
    shortfall: std::collections::BTreeMap<String, ShortfallBrief>,
    first_to_fail: Vec<FailBrief>,
}

#[derive(serde::Serialize)]
struct ShortfallBrief {
    shortfall: f64,
    demand: f64,
    unit: String,
}

#[derive(serde::Serialize)]
struct FailBrief {
    country: CountryCode,
    commodity_stage: String,
    /// Periods until the first shortfall.
    time_to_survive: Option<usize>,
    shortfall: f64,
}

/// Runs the briefing's scenario on the dataset; `Err` says why it cannot
/// (for example a user dataset without the scenario's commodities).
fn stress_brief(ds: &Dataset) -> std::result::Result<StressBrief, String> {
    let (file, text) = BRIEF_SCENARIO;
    let sc = lodestone_sim::parse_scenario(file, text, ds).map_err(|e| e.to_string())?;
    let net = lodestone_sim::Network::build(ds, &sc.network, sc.period);
    if net.is_empty() {
        return Err("the dataset has no data for the scenario's commodities".into());
    }
    let groups = lodestone_sim::dataset_groups(ds);
    let compiled = lodestone_sim::compile(&net, &sc, &groups);
    let never = std::sync::atomic::AtomicBool::new(false);
    let r = lodestone_sim::simulate(&net, &compiled, lodestone_sim::Record::Summary, &|_, _| {}, &never);
    let mut shortfall = std::collections::BTreeMap::new();
    for n in &r.nodes {
        let unit = ds.commodity(&n.key).map(|c| c.unit.code.to_string()).unwrap_or_default();
        let e = shortfall.entry(n.key.to_string()).or_insert(ShortfallBrief { shortfall: 0.0, demand: 0.0, unit });
        e.shortfall += n.cumulative_shortfall;
        e.demand += n.cumulative_demand;
    }
    let first_to_fail = r
        .first_to_fail
        .iter()
        .take(5)
        .filter_map(|&i| r.nodes.get(i))
        .map(|n| FailBrief {
            country: n.country,
            commodity_stage: n.key.to_string(),
            time_to_survive: n.time_to_survive,
            shortfall: n.cumulative_shortfall,
        })
        .collect();
    Ok(StressBrief { scenario: sc.name.clone(), description: sc.description.clone(), periods: r.periods_done, shortfall, first_to_fail })
}

fn stress_text(st: &std::result::Result<StressBrief, String>) -> String {
    let mut s = format!("\nStress: `{}` (run it yourself: lodestone stress {})\n", BRIEF_SCENARIO.0.rsplit('/').next().unwrap_or(""), BRIEF_SCENARIO.0);
    match st {
        Err(e) => s.push_str(&format!("  not run on this dataset: {e}\n")),
        Ok(b) => {
            s.push_str(&format!("  {} ({} months)\n", b.description, b.periods));
            for (k, x) in &b.shortfall {
                let of = if x.demand > 0.0 { pct(x.shortfall / x.demand) } else { "-".into() };
                s.push_str(&format!("  {k}: shortfall {} {} ({of} of demand)\n", qty(x.shortfall), x.unit));
            }
            if !b.first_to_fail.is_empty() {
                let list: Vec<String> = b
                    .first_to_fail
                    .iter()
                    .map(|f| {
                        let tts = f.time_to_survive.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
                        format!("{} (short from month {tts}, {})", f.country, qty(f.shortfall))
                    })
                    .collect();
                s.push_str(&format!("  first to fail: {}\n", list.join(", ")));
            }
        }
    }
    s
}

/// A published net import reliance: `100% (2024)`, `>50% (2024)`; USGS's
/// "E" (net exporter) is stored as an upper bound of 0.
fn nir_text(r: &reliance::RelianceRow) -> String {
    if r.percent == 0.0 && r.bound == lodestone_model::Bound::AtMost {
        format!("net exporter ({})", r.year)
    } else {
        format!("{}{}% ({})", r.bound.symbol(), qty(r.percent), r.year)
    }
}

/// Compact labels for the brief's group columns.
fn short_group(g: &str) -> String {
    match g {
        "us_covered_nations" => "covered".into(),
        "mineral_security_partnership" => "msp".into(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// dataset validate / export / build-default

pub fn validate(dir: &Path) -> Result<()> {
    let ds = lodestone_model::load_dir(dir).map_err(|p| CliError::Input(p.to_string()))?;
    println!(
        "{}: valid dataset `{}`: {} sources, {} countries, {} groups, {} commodity-stages, {} production, {} capacity, {} reserves, {} ownership, {} recipes, {} trade, {} demand, {} stockpiles, {} import-reliance, {} salient, {} governance, {} other-source production rows",
        dir.display(),
        ds.manifest.name,
        ds.sources.len(),
        ds.countries.len(),
        ds.group_names().len(),
        ds.commodities.len(),
        ds.production.len(),
        ds.capacity.len(),
        ds.reserves.len(),
        ds.ownership.len(),
        ds.recipes.len(),
        ds.trade.len(),
        ds.demand.len(),
        ds.stockpiles.len(),
        ds.import_reliance.len(),
        ds.salient.len(),
        ds.governance.len(),
        ds.production_other.len()
    );
    Ok(())
}

pub fn export(from: Option<&Path>, dir: &Path) -> Result<()> {
    let ds = dataset(from)?;
    lodestone_model::write::write_dir(&ds, dir).map_err(CliError::Input)?;
    eprintln!("wrote dataset `{}` to {}", ds.manifest.name, dir.display());
    Ok(())
}

pub fn build_default(raw: &Path, out: &Path) -> Result<()> {
    let (ds, reports) = lodestone_import::build_default(raw).map_err(|e| CliError::Input(e.to_string()))?;
    for (name, report) in &reports {
        eprintln!("== {name}\n{report}");
    }
    lodestone_model::write::write_dir_with(&ds, out, &["trade.csv"]).map_err(CliError::Input)?;
    eprintln!("wrote the default dataset to {}", out.display());
    Ok(())
}

/// Prints an importer's reports and writes its dataset, all or nothing.
pub fn write_import(
    imported: std::result::Result<(Dataset, Vec<(String, lodestone_import::Report)>), lodestone_import::ImportError>,
    out: &Path,
    verbose: bool,
) -> Result<()> {
    let (ds, reports) = imported.map_err(|e| CliError::Input(e.to_string()))?;
    for (name, report) in &reports {
        eprintln!("== {name}\n{report}");
        if verbose {
            eprintln!("{}", report.details());
        }
    }
    lodestone_model::write::write_dir_with(&ds, out, &["trade.csv"]).map_err(CliError::Input)?;
    eprintln!("wrote dataset `{}` to {}", ds.manifest.name, out.display());
    Ok(())
}
