//! Commands about who depends on whom: `imports`, `crosscheck`.

use crate::commands::{dataset, json};
use crate::table::{csv_text, pct, qty, Table};
use crate::{CliError, Format, Result};
use lodestone_analysis::dependence::{self, ImportProfile};
use lodestone_analysis::crosscheck as xcheck;
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::path::Path;

#[derive(clap::Args)]
pub struct ImportsArgs {
    /// Importing country, ISO 3166-1 alpha-2 (JP, US, DE, ...).
    #[arg(long)]
    pub country: String,
    /// A commodity id (see `lodestone commodities`) or a six-digit HS code (e.g. 284690).
    #[arg(long)]
    pub commodity: String,
    /// Stage, when the commodity is traded at more than one.
    #[arg(long)]
    pub stage: Option<String>,
    /// Year (default: the latest year with trade data for the commodity-stage).
    #[arg(long)]
    pub year: Option<i32>,
    /// How many partners to list in the table (all in json/csv).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::Args)]
pub struct CrosscheckArgs {
    /// Relative difference |a-b|/max(a,b) above which a pair is flagged.
    #[arg(long, default_value_t = 0.10)]
    pub tolerance: f64,
    /// Only this year (default: every year both sources cover).
    #[arg(long)]
    pub year: Option<i32>,
    /// Only this commodity id.
    #[arg(long)]
    pub commodity: Option<String>,
    /// List every compared pair, not only the flagged ones.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn country(ds: &Dataset, code: &str) -> Result<CountryCode> {
    let c = CountryCode::parse(&code.to_ascii_uppercase())
        .ok_or_else(|| CliError::Input(format!("`{code}` is not an ISO 3166-1 alpha-2 code (two letters, e.g. JP)")))?;
    if ds.country(c).is_none() {
        return Err(CliError::Input(format!("unknown country `{c}`: not declared in the dataset's countries.csv")));
    }
    Ok(c)
}

/// Resolves `--commodity` (an id or an HS code) and `--stage` to one traded
/// commodity-stage.
pub fn traded_key(ds: &Dataset, commodity: &str, stage: Option<&str>) -> Result<CommodityKey> {
    let is_hs = commodity.len() == 6 && commodity.bytes().all(|b| b.is_ascii_digit());
    let candidates: Vec<&CommodityKey> = ds
        .commodities
        .iter()
        .filter(|c| if is_hs { c.hs_codes.iter().any(|h| h == commodity) } else { c.key.commodity == commodity })
        .filter(|c| stage.is_none_or(|s| c.key.stage == s))
        .map(|c| &c.key)
        .collect();
    let traded: Vec<&CommodityKey> =
        candidates.iter().copied().filter(|k| !ds.trade_of(k).is_empty()).collect();
    match (candidates.len(), traded.len()) {
        (0, _) if is_hs => Err(CliError::Input(format!(
            "no commodity-stage in the dataset carries HS code {commodity}; `lodestone commodities --format json` lists hs_codes"
        ))),
        (0, _) => Err(CliError::Input(match stage {
            Some(s) if ds.commodities.iter().any(|c| c.key.commodity == commodity) => {
                format!("`{commodity}` has no stage `{s}`")
            }
            _ => format!("unknown commodity `{commodity}`; `lodestone commodities` lists the ids"),
        })),
        (_, 1) => Ok(traded[0].clone()),
        (1, 0) => Ok(candidates[0].clone()),
        (_, 0) => Err(CliError::Input(format!(
            "`{commodity}` has no trade data at any stage ({}); trade data cover: {}",
            candidates.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", "),
            traded_keys(ds).join(", ")
        ))),
        _ => Err(CliError::Input(format!(
            "`{commodity}` is traded at several stages: {}; choose one with --stage",
            traded.iter().map(|k| k.stage.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn traded_keys(ds: &Dataset) -> Vec<String> {
    let keys: Vec<String> = ds.traded_keys().iter().map(|k| k.to_string()).collect();
    if keys.is_empty() {
        return vec!["(none: this dataset has no trade table)".into()];
    }
    keys
}

fn dep_err(e: dependence::DependenceError) -> CliError {
    CliError::Input(e.to_string())
}

pub fn imports(dir: Option<&Path>, a: &ImportsArgs) -> Result<()> {
    let ds = dataset(dir)?;
    let c = country(&ds, &a.country)?;
    let key = traded_key(&ds, &a.commodity, a.stage.as_deref())?;
    let p = dependence::imports(&ds, c, &key, a.year).map_err(dep_err)?;
    match a.format {
        Format::Json => json(&p),
        Format::Csv => {
            let rows: Vec<Vec<String>> = p
                .partners
                .iter()
                .map(|x| {
                    vec![
                        x.country.to_string(),
                        x.name.clone(),
                        x.quantity.to_string(),
                        x.share.to_string(),
                        x.value_kusd.map(|v| v.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            print!("{}", csv_text(&["country", "name", "quantity", "share", "value_kusd"], &rows));
            Ok(())
        }
        Format::Table => {
            print!("{}", imports_table(&ds, &p, a.top));
            Ok(())
        }
    }
}

fn opt_pct(x: Option<f64>) -> String {
    x.map(pct).unwrap_or_else(|| "n/a".into())
}

fn imports_table(ds: &Dataset, p: &ImportProfile, top: usize) -> String {
    let name = ds.commodity(&CommodityKey::new(&p.commodity, &p.stage)).map(|c| c.name.as_str()).unwrap_or("");
    let mut s = format!(
        "{} ({}) imports of {}/{} — {} — {}\n",
        p.country_name, p.country, p.commodity, p.stage, name, p.year
    );
    s.push_str(&format!(
        "imports {} {}   exports {}   production {}   apparent consumption {}\n",
        qty(p.imports),
        p.unit,
        qty(p.exports),
        qty(p.production),
        qty(p.apparent_consumption)
    ));
    s.push_str(&format!(
        "net import reliance {}   imports / (production + imports) {}   import HHI {}\n\n",
        opt_pct(p.net_import_reliance),
        opt_pct(p.import_share_of_supply),
        p.import_hhi.map(|h| format!("{h:.0}")).unwrap_or_else(|| "n/a".into())
    ));
    let mut t = Table::new(&["#", "partner", "", "quantity", "share", "value kUSD"]).right(&[0, 3, 4, 5]);
    for (i, x) in p.partners.iter().take(top).enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            x.country.to_string(),
            x.name.clone(),
            qty(x.quantity),
            pct(x.share),
            x.value_kusd.map(qty).unwrap_or_default(),
        ]);
    }
    s.push_str(&t.render(2));
    if p.partners.len() > top {
        s.push_str(&format!("  ... {} more partners (--top N, or --format json)\n", p.partners.len() - top));
    }
    let g: Vec<String> = p.groups.iter().filter(|(_, v)| **v > 0.0).map(|(k, v)| format!("{k} {}", pct(*v))).collect();
    if !g.is_empty() {
        s.push_str(&format!("\n  share of imports from: {}\n", g.join(", ")));
    }
    if let Some(y) = &p.yoy {
        s.push_str(&format!(
            "  vs {}: imports {}{}\n",
            y.previous_year,
            y.imports_change.map(|c| format!("{:+.1}%", c * 100.0)).unwrap_or_else(|| "n/a".into()),
            y.import_hhi_change.map(|h| format!(", import HHI {h:+.0}")).unwrap_or_default()
        ));
    }
    for n in &p.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s
}

pub fn crosscheck(dir: Option<&Path>, a: &CrosscheckArgs) -> Result<()> {
    let ds = dataset(dir)?;
    if !(a.tolerance >= 0.0) {
        return Err(CliError::Input(format!("--tolerance must be a number >= 0, got {}", a.tolerance)));
    }
    if let Some(c) = &a.commodity {
        if !ds.commodities.iter().any(|x| &x.key.commodity == c) {
            return Err(CliError::Input(format!("unknown commodity `{c}`; `lodestone commodities` lists the ids")));
        }
    }
    let keep = |commodity: &str| a.commodity.as_deref().is_none_or(|c| c == commodity);
    let pairs: Vec<_> = xcheck::crosscheck(&ds, a.tolerance, a.year)
        .into_iter()
        .filter(|d| keep(&d.commodity) && (a.all || d.flagged))
        .collect();
    let summary: Vec<_> =
        xcheck::crosscheck_summary(&ds, a.tolerance, a.year).into_iter().filter(|k| keep(&k.commodity)).collect();
    match a.format {
        Format::Json => json(&serde_json::json!({ "tolerance": a.tolerance, "summary": summary, "pairs": pairs })),
        Format::Csv => {
            let rows: Vec<Vec<String>> = pairs
                .iter()
                .map(|d| {
                    vec![
                        d.commodity.clone(),
                        d.stage.clone(),
                        d.country.to_string(),
                        d.year.to_string(),
                        d.primary.to_string(),
                        d.other.to_string(),
                        d.relative_difference.to_string(),
                        d.flagged.to_string(),
                    ]
                })
                .collect();
            print!(
                "{}",
                csv_text(&["commodity", "stage", "country", "year", "primary", "other", "relative_difference", "flagged"], &rows)
            );
            Ok(())
        }
        Format::Table => {
            if summary.is_empty() {
                println!("Nothing to compare: the dataset has no production_other rows overlapping production.");
                return Ok(());
            }
            let mut t = Table::new(&["commodity/stage", "year", "source", "compared", "flagged", "primary total", "other total", "diff"])
                .right(&[1, 3, 4, 5, 6, 7]);
            for k in &summary {
                t.row(vec![
                    format!("{}/{}", k.commodity, k.stage),
                    k.year.to_string(),
                    k.other_source.clone(),
                    k.n_compared.to_string(),
                    k.n_flagged.to_string(),
                    qty(k.primary_total),
                    qty(k.other_total),
                    pct(k.total_relative_difference),
                ]);
            }
            println!("Production by source: primary (production.csv) vs other (production_other.csv); tolerance {}\n", pct(a.tolerance));
            print!("{}", t.render(0));
            if !pairs.is_empty() {
                let mut d = Table::new(&["commodity/stage", "country", "year", "primary", "other", "rel. diff"]).right(&[2, 3, 4, 5]);
                for p in &pairs {
                    d.row(vec![
                        format!("{}/{}", p.commodity, p.stage),
                        p.country.to_string(),
                        p.year.to_string(),
                        qty(p.primary),
                        qty(p.other),
                        format!("{}{}", pct(p.relative_difference), if p.flagged { " !" } else { "" }),
                    ]);
                }
                println!("\n{} pairs{}:\n", pairs.len(), if a.all { "" } else { " beyond the tolerance" });
                print!("{}", d.render(0));
            }
            Ok(())
        }
    }
}

#[derive(clap::Args)]
pub struct OriginArgs {
    /// The consuming country, ISO 3166-1 alpha-2.
    #[arg(long)]
    pub country: String,
    /// The commodity the country is supplied with (id or HS code).
    #[arg(long)]
    pub commodity: String,
    /// Its stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// The upstream commodity whose origin is traced (default: the same
    /// commodity; a different one is reached through recipes).
    #[arg(long)]
    pub upstream_commodity: Option<String>,
    /// The upstream stage (default: the same stage: origin through re-export chains).
    #[arg(long)]
    pub upstream_stage: Option<String>,
    /// Year (default: the latest year with trade data).
    #[arg(long)]
    pub year: Option<i32>,
    /// How many origin countries to list in the table.
    #[arg(long, default_value_t = 12)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn origin(dir: Option<&Path>, a: &OriginArgs) -> Result<()> {
    let ds = dataset(dir)?;
    let c = country(&ds, &a.country)?;
    let key = traded_key(&ds, &a.commodity, a.stage.as_deref())?;
    let upstream = CommodityKey::new(
        a.upstream_commodity.clone().unwrap_or_else(|| key.commodity.clone()),
        a.upstream_stage.clone().unwrap_or_else(|| key.stage.clone()),
    );
    if ds.commodity(&upstream).is_none() {
        return Err(CliError::Input(format!("unknown upstream commodity-stage `{upstream}`")));
    }
    let o = lodestone_analysis::origin::origin(&ds, c, &key, &upstream, a.year).map_err(|e| CliError::Input(e.to_string()))?;
    match a.format {
        Format::Json => json(&o),
        Format::Csv => {
            let rows: Vec<Vec<String>> = o
                .shares
                .iter()
                .map(|s| vec![s.country.to_string(), s.name.clone(), s.share.to_string(), s.quantity.to_string()])
                .collect();
            print!("{}", csv_text(&["country", "name", "share", "quantity"], &rows));
            Ok(())
        }
        Format::Table => {
            let mut s = format!(
                "Origin of {} ({}) supply of {} at {} — {} — path {}\n",
                o.name,
                o.country,
                o.key,
                o.upstream,
                o.year,
                o.path.join(" <- ")
            );
            s.push_str(&format!(
                "supply {} {} = production {} + imports {}\n\n",
                qty(o.supply),
                o.unit,
                qty(o.production),
                qty(o.imports)
            ));
            let mut t = Table::new(&["#", "origin", "", "multi-tier share", "direct (one step)"]).right(&[0, 3, 4]);
            for (i, x) in o.shares.iter().take(a.top).enumerate() {
                let direct = o.direct.iter().find(|d| d.country == x.country).map(|d| pct(d.share)).unwrap_or_else(|| "-".into());
                t.row(vec![(i + 1).to_string(), x.country.to_string(), x.name.clone(), pct(x.share), direct]);
            }
            s.push_str(&t.render(2));
            let asm = &o.assumptions;
            s.push_str(&format!(
                "\n  resting on assumptions: {} of the answer passed through re-exports (proportional re-export assumed)",
                pct(asm.re_exported_share)
            ));
            for (label, x) in [
                ("exporters with no recorded supply treated as origin", &asm.zero_supply_exporters),
                ("producers' inputs assumed domestic", &asm.assumed_domestic_input),
                ("trading loops with no recorded source", &asm.untraced_loops),
            ] {
                if x.share > 0.0 {
                    s.push_str(&format!("; {} {label}", pct(x.share)));
                }
            }
            s.push('\n');
            for u in &asm.unattributed {
                if let Some(sh) = u.share_of_world.filter(|v| *v > 0.0) {
                    s.push_str(&format!("  {}: {} of world output is not attributed to a country by the source\n", u.key, pct(sh)));
                }
            }
            print!("{s}");
            Ok(())
        }
    }
}
