//! `lodestone criticality`: the EU, GeoPolRisk and USGS-style methods, for
//! one material (every term shown) or ranked over every material the data
//! support.

use crate::commands::{dataset, json};
use crate::table::{qty, Table};
use crate::trade_cmds::country;
use crate::{CliError, Format, Result};
use clap::ValueEnum;
use lodestone_analysis::criticality::{eu, geopolrisk as gpr, usgs, Region};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// EU (JRC 2017): supply risk from governance-weighted HHI, import
    /// reliance, recycling and substitution; critical when SR >= 1 and EI >= 2.8.
    Eu,
    /// GeoPolRisk: production HHI x import-share-weighted political
    /// instability of suppliers, from an importer's perspective.
    Geopolrisk,
    /// USGS-style (Nassar & Fortier 2021): disruption potential x trade
    /// exposure x economic vulnerability.
    Usgs,
}

#[derive(clap::Args)]
pub struct CriticalityArgs {
    /// Which published method.
    #[arg(long, value_enum)]
    pub method: Method,
    /// The assessed (importing) country. Default: US for usgs; for geopolrisk
    /// give --country or --group.
    #[arg(long, conflicts_with = "group")]
    pub country: Option<String>,
    /// The assessed region as a dataset group (default eu27 for the EU method).
    #[arg(long)]
    pub group: Option<String>,
    /// One material (e.g. nickel, graphite, rare_earths); default: rank every
    /// material the data support.
    #[arg(long)]
    pub material: Option<String>,
    /// Year (default: the latest year with both production and trade data).
    #[arg(long)]
    pub year: Option<i32>,
    /// Governance scores to use instead of the dataset's WGI political
    /// stability: a CSV with columns `country,estimate` (WGI scale, -2.5..2.5),
    /// e.g. the mean of the six WGI indicators the EU method prescribes.
    #[arg(long, value_name = "CSV")]
    pub scores: Option<PathBuf>,
    /// EU: end-of-life recycling input rate, 0-1 (default 0, flagged).
    #[arg(long)]
    pub eol_rir: Option<f64>,
    /// EU: substitution index for supply risk, 0-1 (default 1, flagged).
    #[arg(long)]
    pub si_sr: Option<f64>,
    /// USGS: economic vulnerability, 0-1 (without it only DP x TE is given).
    #[arg(long)]
    pub ev: Option<f64>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A material's commodity-stages: those with production and those with trade.
struct Material {
    name: String,
    produced: Vec<CommodityKey>,
    traded: Vec<CommodityKey>,
}

fn materials(ds: &Dataset) -> Vec<Material> {
    let produced: BTreeSet<&CommodityKey> = ds.production.iter().map(|p| &p.key).collect();
    let traded: BTreeSet<&CommodityKey> = ds.traded_keys().into_iter().collect();
    let mut by: BTreeMap<String, Material> = BTreeMap::new();
    for c in ds.commodities_sorted() {
        let m = by.entry(c.material().to_string()).or_insert_with(|| Material {
            name: c.material().to_string(),
            produced: vec![],
            traded: vec![],
        });
        if produced.contains(&c.key) {
            m.produced.push(c.key.clone());
        }
        if traded.contains(&c.key) {
            m.traded.push(c.key.clone());
        }
    }
    by.into_values().filter(|m| !m.produced.is_empty()).collect()
}

fn years_with<'a>(keys: impl Iterator<Item = &'a CommodityKey>, rows: impl Fn(&CommodityKey) -> Vec<i32>) -> BTreeSet<i32> {
    keys.flat_map(|k| rows(k)).collect()
}

/// The latest year with production for `prod` and (when `trade` is not
/// empty) trade for any of `trade`.
fn default_year(ds: &Dataset, prod: &[CommodityKey], trade: &[CommodityKey]) -> Option<i32> {
    let p = years_with(prod.iter(), |k| ds.production_years(k));
    if trade.is_empty() {
        return p.last().copied();
    }
    let t = years_with(trade.iter(), |k| ds.trade_years(k));
    p.intersection(&t).last().copied()
}

fn read_scores(path: &Path, ds: &Dataset) -> Result<BTreeMap<CountryCode, f64>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Input(format!("{file}: cannot be read: {e}")))?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| CliError::Input(format!("{file}:1: {e}")))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| CliError::Input(format!("{file}:1: column `{name}` is missing; expected columns country,estimate")))
    };
    let (ci, ei) = (col("country")?, col("estimate")?);
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| CliError::Input(format!("{file}: {e}")))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let c = rec.get(ci).unwrap_or("").trim();
        let code = CountryCode::parse(c)
            .filter(|c| ds.country(*c).is_some())
            .ok_or_else(|| CliError::Input(format!("{file}:{line}: column `country`: unknown country code `{c}`")))?;
        let e = rec.get(ei).unwrap_or("").trim();
        let v: f64 = e
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| CliError::Input(format!("{file}:{line}: column `estimate`: expected a number, found `{e}`")))?;
        if out.insert(code, v).is_some() {
            return Err(CliError::Input(format!("{file}:{line}: country {code} appears twice")));
        }
    }
    Ok(out)
}

fn unit_interval(name: &str, v: Option<f64>) -> Result<Option<f64>> {
    match v {
        Some(x) if !(0.0..=1.0).contains(&x) => Err(CliError::Input(format!("--{name} must be between 0 and 1, got {x}"))),
        other => Ok(other),
    }
}

pub fn criticality(dir: Option<&Path>, a: &CriticalityArgs) -> Result<()> {
    let ds = dataset(dir)?;
    let eol = unit_interval("eol-rir", a.eol_rir)?;
    let si_sr = unit_interval("si-sr", a.si_sr)?;
    let ev = unit_interval("ev", a.ev)?;
    let scores = match &a.scores {
        Some(p) => read_scores(p, &ds)?,
        None => BTreeMap::new(),
    };
    let region = match (&a.country, &a.group, a.method) {
        (Some(c), _, _) => Region::Country(country(&ds, c)?),
        (None, Some(g), _) => Region::Group(g.clone()),
        (None, None, Method::Eu) => Region::Group("eu27".into()),
        (None, None, Method::Usgs) => Region::Country(country(&ds, "US")?),
        (None, None, Method::Geopolrisk) => {
            return Err(CliError::Input("give the importing --country (e.g. JP) or --group (e.g. eu27)".into()))
        }
    };
    if let Region::Group(g) = &region {
        if !ds.group_names().contains(&g.as_str()) {
            return Err(CliError::Input(format!("unknown group `{g}`; the dataset declares: {}", ds.group_names().join(", "))));
        }
    }
    let all = materials(&ds);
    let chosen: Vec<&Material> = match &a.material {
        Some(m) => {
            let found = all.iter().find(|x| &x.name == m).ok_or_else(|| {
                CliError::Input(format!(
                    "unknown material `{m}` (or no production data for it); materials: {}",
                    all.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            vec![found]
        }
        None => all.iter().collect(),
    };
    let single = a.material.is_some();
    let mut results: Vec<serde_json::Value> = vec![];
    let mut skipped: Vec<String> = vec![];
    let mut rows: Vec<(f64, Vec<String>)> = vec![];
    for m in chosen {
        let needs_trade = a.method != Method::Usgs;
        if needs_trade && m.traded.is_empty() {
            let msg = format!("{}: no trade data for this material in the dataset", m.name);
            if single {
                return Err(CliError::Input(msg));
            }
            skipped.push(msg);
            continue;
        }
        let prod_key = m.produced[0].clone();
        let year = match a.year {
            Some(y) => y,
            None => match default_year(&ds, &m.produced, if needs_trade { &m.traded } else { &[] }) {
                Some(y) => y,
                None => {
                    let msg = format!("{}: no year with both production and trade data", m.name);
                    if single {
                        return Err(CliError::Input(msg));
                    }
                    skipped.push(msg);
                    continue;
                }
            },
        };
        let outcome: std::result::Result<(serde_json::Value, f64, Vec<String>), String> = match a.method {
            Method::Geopolrisk => {
                let mat = gpr::GprMaterial { name: m.name.clone(), production: prod_key.clone(), trade: m.traded.clone() };
                let ov = gpr::GprOverrides { governance: scores.clone(), ..Default::default() };
                gpr::assess(&ds, &mat, &region, year, &ov).map_err(|e| e.to_string()).map(|r| {
                    let row = vec![
                        m.name.clone(),
                        year.to_string(),
                        format!("{:.4}", r.terms.inputs.hhi),
                        format!("{:.4}", r.terms.import_risk),
                        format!("{:.5}", r.terms.score),
                        r.terms.characterisation_factor.map(|c| format!("{c:.4}")).unwrap_or_else(|| "n/a".into()),
                        r.partners.first().map(|p| p.partner.to_string()).unwrap_or_default(),
                    ];
                    (serde_json::to_value(&r).unwrap_or_default(), r.terms.score, row)
                })
            }
            Method::Eu => {
                let mat = eu::EuMaterial { name: m.name.clone(), stages: m.produced.clone() };
                let ov = eu::EuOverrides {
                    governance: scores.clone(),
                    governance_indicator: a.scores.as_ref().map(|p| format!("user scores from {}", p.display())),
                    eol_rir: eol,
                    si_sr,
                    ..Default::default()
                };
                eu::assess(&ds, &mat, &region, year, &ov).map_err(|e| e.to_string()).map(|r| {
                    let row = vec![
                        m.name.clone(),
                        year.to_string(),
                        r.bottleneck.to_string(),
                        format!("{:.3}", r.supply_risk),
                        if r.supply_risk >= eu::SR_THRESHOLD { "yes".into() } else { "no".into() },
                        r.stages
                            .iter()
                            .find(|s| s.key == r.bottleneck)
                            .map(|s| format!("{:.2}", s.terms.inputs.import_reliance))
                            .unwrap_or_default(),
                        String::new(),
                    ];
                    (serde_json::to_value(&r).unwrap_or_default(), r.supply_risk, row)
                })
            }
            Method::Usgs => {
                let Region::Country(c) = region else {
                    return Err(CliError::Input("the USGS method assesses one --country".into()));
                };
                let ov = usgs::UsgsOverrides {
                    governance: scores.clone(),
                    economic_vulnerability: ev,
                    trade_keys: m.traded.clone(),
                    ..Default::default()
                };
                usgs::assess(&ds, &prod_key, c, year, &ov).map_err(|e| e.to_string()).map(|r| {
                    let f = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "n/a".into());
                    let rank = r.terms.as_ref().map(|t| t.supply_risk).or(r.dp_x_te).unwrap_or(0.0);
                    let row = vec![
                        m.name.clone(),
                        year.to_string(),
                        f(r.dp),
                        f(r.te),
                        f(r.dp_x_te),
                        r.terms.as_ref().map(|t| format!("{:.4}", t.supply_risk)).unwrap_or_else(|| "needs --ev".into()),
                        String::new(),
                    ];
                    (serde_json::to_value(&r).unwrap_or_default(), rank, row)
                })
            }
        };
        match outcome {
            Ok((v, rank, row)) => {
                results.push(v);
                rows.push((rank, row));
            }
            Err(e) if single => return Err(CliError::Input(format!("{}: {e}", m.name))),
            Err(e) => skipped.push(format!("{}: {e}", m.name)),
        }
    }
    match a.format {
        Format::Json => {
            if single {
                json(&results.into_iter().next().unwrap_or_default())
            } else {
                json(&serde_json::json!({ "region": region.to_string(), "assessments": results, "skipped": skipped }))
            }
        }
        Format::Table | Format::Csv => {
            rows.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1[0].cmp(&y.1[0])));
            let header: &[&str] = match a.method {
                Method::Geopolrisk => &["material", "year", "HHI", "import risk", "score", "CF (Cu=1)", "top partner"],
                Method::Eu => &["material", "year", "bottleneck stage", "SR", "SR >= 1", "IR", ""],
                Method::Usgs => &["material", "year", "DP", "TE", "DP x TE", "supply risk", ""],
            };
            if a.format == Format::Csv {
                let body: Vec<Vec<String>> = rows.into_iter().map(|r| r.1).collect();
                print!("{}", crate::table::csv_text(header, &body));
                return Ok(());
            }
            if single {
                if let Some(v) = results.first() {
                    print_detail(a.method, v);
                }
                return Ok(());
            }
            let mut t = Table::new(header).right(&[1, 3, 4, 5]);
            for (_, r) in rows {
                t.row(r);
            }
            println!("{} — region {}; ranked, highest risk first\n", method_name(a.method), region);
            print!("{}", t.render(0));
            if !skipped.is_empty() {
                println!("\nnot assessed ({}):", skipped.len());
                for s in &skipped {
                    println!("  {s}");
                }
            }
            println!("\nDetails and every term: lodestone criticality --method ... --material NAME [--format json]");
            Ok(())
        }
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Eu => eu::METHOD,
        Method::Geopolrisk => "GeoPolRisk (Gemechu et al. 2016; Santillan-Saldivar et al. 2021)",
        Method::Usgs => "USGS-style supply risk (Nassar & Fortier 2021)",
    }
}

/// A readable audit of one assessment: every field, then the notes.
fn print_detail(m: Method, v: &serde_json::Value) {
    println!("{}\n", method_name(m));
    let mut flat = vec![];
    flatten("", v, &mut flat);
    let mut t = Table::new(&["term", "value"]);
    for (k, val) in flat {
        if k.starts_with("deviations_from_method") || k.starts_with("notes") {
            continue;
        }
        t.row(vec![k, val]);
    }
    print!("{}", t.render(0));
    for (label, key) in [("deviations from the published method", "deviations_from_method"), ("notes", "notes")] {
        if let Some(list) = v.get(key).and_then(|x| x.as_array()).filter(|l| !l.is_empty()) {
            println!("\n{label}:");
            for x in list {
                println!("  - {}", x.as_str().unwrap_or_default());
            }
        }
    }
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&p, x, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        serde_json::Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            let s = if prefix.ends_with("year") {
                n.to_string()
            } else if f.fract() == 0.0 && f.abs() < 1e15 {
                qty(f)
            } else {
                format!("{f:.6}")
            };
            out.push((prefix.to_string(), s));
        }
        serde_json::Value::Null => out.push((prefix.to_string(), "-".into())),
        other => out.push((prefix.to_string(), other.as_str().map(str::to_string).unwrap_or_else(|| other.to_string()))),
    }
}
