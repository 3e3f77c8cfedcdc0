//! Trade dependence: how much of a country's supply of a commodity-stage
//! comes from imports, from whom, and how concentrated those imports are.
//!
//! Everything here is computed from the dataset's bilateral `trade` rows
//! (BACI in the default dataset, where CEPII has already reconciled mirror
//! flows into one flow per exporter-importer-product-year) and its
//! production rows. It complements [`crate::reliance`], which reports the
//! *published* USGS net import reliance; the two differ (see
//! [`apparent_consumption`] for why) and both are worth showing.
//!
//! Conventions shared by every function here:
//! - Quantities are in the commodity-stage's unit, which each result names.
//! - Partner shares are fractions (0-1) of the country's total imports (or
//!   exports) of the key in the year; partners are listed largest first, ties
//!   by country code, and only with quantity > 0.
//! - HHI over partners is on the 0-10,000 scale: sum of (100 s_i)^2.
//! - A flow whose exporter is its importer is never counted (BACI has no
//!   self-flows; a dataset that has some gets a note).
//! - `year` `None` means the latest year with trade rows for the key (any
//!   country), not the manifest's default year: trade and production years
//!   need not line up, and trade is what these analyses are about.

use crate::error::AnalysisError;
use lodestone_model::{CommodityKey, CountryCode, Dataset, Output};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What went wrong. It wraps [`AnalysisError`] and adds the two cases that
/// only trade analyses meet; once `AnalysisError` has them this can become
/// an alias. Serialises like `AnalysisError`: an object tagged `error`.
#[derive(Clone, Debug, PartialEq)]
pub enum DependenceError {
    Analysis(AnalysisError),
    /// The country is not declared in the dataset.
    UnknownCountry { country: CountryCode },
    /// No trade rows for the key in the year (`year` `None`: in any year).
    /// `years` lists the years that have some.
    NoTrade { key: CommodityKey, year: Option<i32>, years: Vec<i32> },
}

impl From<AnalysisError> for DependenceError {
    fn from(e: AnalysisError) -> Self {
        DependenceError::Analysis(e)
    }
}

impl fmt::Display for DependenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DependenceError::Analysis(e) => e.fmt(f),
            DependenceError::UnknownCountry { country } => {
                write!(f, "unknown country `{country}`: not declared in the dataset")
            }
            DependenceError::NoTrade { key, year, years } => {
                let list = years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ");
                match (year, years.is_empty()) {
                    (_, true) => write!(f, "no trade data for {key} in any year"),
                    (Some(y), false) => write!(f, "no trade data for {key} in {y}; years with data: {list}"),
                    (None, false) => write!(f, "no trade data for {key}; years with data: {list}"),
                }
            }
        }
    }
}

impl std::error::Error for DependenceError {}

impl serde::Serialize for DependenceError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        #[serde(tag = "error", rename_all = "snake_case")]
        enum Own<'a> {
            UnknownCountry { country: &'a CountryCode },
            NoTrade { key: &'a CommodityKey, year: &'a Option<i32>, years: &'a [i32] },
        }
        match self {
            DependenceError::Analysis(e) => e.serialize(s),
            DependenceError::UnknownCountry { country } => Own::UnknownCountry { country }.serialize(s),
            DependenceError::NoTrade { key, year, years } => Own::NoTrade { key, year, years }.serialize(s),
        }
    }
}

/// Which table the production term of a balance came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductionSource {
    /// `production` (the primary source; USGS in the default dataset).
    Primary,
    /// `production_other` (for example World Mining Data), used because
    /// `production` has no rows at all for the key in the year.
    Other,
    /// Neither table has rows for the key in the year; production is taken
    /// as 0, so apparent consumption is net imports only.
    Missing,
}

/// A country's supply balance for one commodity-stage and year. See
/// [`apparent_consumption`] for the definition and its caveats.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Balance {
    pub country: CountryCode,
    pub country_name: String,
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    /// Unit code of every quantity.
    pub unit: String,
    pub production: f64,
    pub production_source: ProductionSource,
    /// Total imports from every other country.
    pub imports: f64,
    /// Total exports to every other country.
    pub exports: f64,
    /// production + imports - exports; may be negative (never clamped).
    pub apparent_consumption: f64,
    /// (imports - exports) / apparent consumption; `None` when apparent
    /// consumption is not positive. Negative for a net exporter.
    pub net_import_reliance: Option<f64>,
    /// imports / (production + imports); `None` when both are 0.
    pub import_share_of_supply: Option<f64>,
    /// What a reader should know: the production source used, countries
    /// taken as non-producers, a negative or zero apparent consumption.
    pub notes: Vec<String>,
}

/// A trading partner's part of a country's imports (or exports).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Partner {
    pub country: CountryCode,
    pub name: String,
    pub quantity: f64,
    /// Fraction (0-1) of the country's total imports (or exports).
    pub share: f64,
    /// Value in thousand current US dollars; `None` when no flow gives one.
    pub value_kusd: Option<f64>,
}

/// Change from the year before (`year - 1`, only when the key has trade
/// rows in that year). Each change is `None` when it is undefined in either
/// year.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct YearOnYear {
    pub previous_year: i32,
    pub previous_imports: f64,
    /// imports / previous_imports - 1 (0.25 = +25 %); `None` when the
    /// previous imports were 0.
    pub imports_change: Option<f64>,
    /// import_hhi - previous import_hhi, in HHI points.
    pub import_hhi_change: Option<f64>,
    /// group -> change in the share of imports from its members (fraction
    /// points: 0.05 = five percentage points); groups whose share is defined
    /// in both years (there were imports in both).
    pub group_share_change: BTreeMap<String, f64>,
}

/// Where a country's imports of a commodity-stage came from in one year,
/// with its supply balance. See [`imports`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ImportProfile {
    pub country: CountryCode,
    pub country_name: String,
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    /// Unit code of every quantity.
    pub unit: String,
    /// Total imports from every other country.
    pub imports: f64,
    pub exports: f64,
    pub production: f64,
    pub production_source: ProductionSource,
    /// production + imports - exports (see [`apparent_consumption`]).
    pub apparent_consumption: f64,
    /// (imports - exports) / apparent consumption; `None` when that is <= 0.
    pub net_import_reliance: Option<f64>,
    /// imports / (production + imports); `None` when both are 0.
    pub import_share_of_supply: Option<f64>,
    /// Exporters with quantity > 0, largest first, ties by country code.
    pub partners: Vec<Partner>,
    /// HHI of partner shares (0-10,000); `None` when there are no imports.
    pub import_hhi: Option<f64>,
    /// Every group the dataset declares -> share of imports from its
    /// members. Empty when there are no imports (no share is defined).
    pub groups: BTreeMap<String, f64>,
    pub yoy: Option<YearOnYear>,
    pub notes: Vec<String>,
}

/// One line of [`import_reliance_table`]: an [`ImportProfile`] without the
/// partner list, with its largest partner.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ImportSummary {
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    pub unit: String,
    pub imports: f64,
    pub exports: f64,
    pub production: f64,
    pub production_source: ProductionSource,
    pub apparent_consumption: f64,
    pub net_import_reliance: Option<f64>,
    pub import_share_of_supply: Option<f64>,
    pub n_partners: usize,
    pub top_partner: Option<Partner>,
    /// Sum of the three largest partner shares.
    pub top3_share: f64,
    pub import_hhi: Option<f64>,
    pub groups: BTreeMap<String, f64>,
    /// As [`YearOnYear::imports_change`]; `None` without a previous year.
    pub imports_change: Option<f64>,
    pub notes: Vec<String>,
}

/// Where a country's exports of a commodity-stage went in one year. See
/// [`exports`].
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExportProfile {
    pub country: CountryCode,
    pub country_name: String,
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    pub unit: String,
    /// Total exports to every other country.
    pub exports: f64,
    pub imports: f64,
    pub production: f64,
    pub production_source: ProductionSource,
    pub apparent_consumption: f64,
    /// Sum of every trade flow of the key in the year (world exports).
    pub world_exports: f64,
    /// exports / world_exports; `None` when world exports are 0.
    pub share_of_world_exports: Option<f64>,
    /// Destinations with quantity > 0, largest first, ties by country code.
    pub partners: Vec<Partner>,
    /// HHI of destination shares (0-10,000); `None` when there are no exports.
    pub export_hhi: Option<f64>,
    /// Every declared group -> share of exports going to its members; empty
    /// when there are no exports.
    pub groups: BTreeMap<String, f64>,
    pub notes: Vec<String>,
}

/// Years with trade rows for a commodity-stage, ascending.
pub fn trade_years(ds: &Dataset, key: &CommodityKey) -> Vec<i32> {
    let set: BTreeSet<i32> = ds.trade_years(key).into_iter().collect();
    set.into_iter().collect()
}

/// The apparent consumption of `key` by `country` in `year`:
///
/// ```text
/// AC = production + imports - exports
/// ```
///
/// the standard definition (USGS, BGS, the EU criticality studies) with
/// stock changes left out. `year` `None` means the latest year with trade
/// rows for the key.
///
/// Terms:
/// - imports and exports: the sum of the country's `trade` rows for the
///   key-year, self-flows excluded;
/// - production: the country's rows in `production` (all its producers
///   summed). When `production` has rows for the key-year but none for this
///   country, the country is taken as a non-producer (0) and a note says so
///   (its output, if any, may sit in an unattributed "Other countries" row).
///   Only when `production` has no rows at all for the key-year are the
///   rows of `production_other` used (of one source: the first by source
///   id, with a note naming any others); when neither has any, production
///   is 0. `production_source` says which.
///
/// Caveats, which is why this differs from published net import reliance:
/// - stocks: true consumption is AC + stock decrease; stock changes are
///   ignored (the dataset's `stockpiles` are levels, and rarely known for
///   consecutive years);
/// - re-exports: a hub that imports and re-exports inflates both imports
///   and exports; AC stays right but import shares describe the hub's
///   trade, not its consumption;
/// - basis: trade is often in gross weight (ores, concentrates, compounds)
///   while production may be in content; the dataset gives both one unit
///   per commodity-stage, but if their bases differ AC mixes them;
/// - a negative AC (exports exceed production + imports) signals a data
///   inconsistency (basis mismatch, stock draw-down, timing, misreported
///   flows). It is reported as computed, with a note, never clamped; net
///   import reliance is then `None`.
///
/// Errors: unknown commodity-stage or country; no trade rows for the key
/// (in the year).
pub fn apparent_consumption(
    ds: &Dataset,
    country: CountryCode,
    key: &CommodityKey,
    year: Option<i32>,
) -> Result<Balance, DependenceError> {
    let (unit, year) = resolve(ds, country, key, year)?;
    let imp = flows(ds, country, key, year, Dir::Imports);
    let exp = flows(ds, country, key, year, Dir::Exports);
    Ok(balance(ds, country, key, year, unit, &imp, &exp))
}

/// Where `country`'s imports of `key` in `year` came from, with its supply
/// balance ([`apparent_consumption`]), partner shares, import HHI, the share
/// of imports from each declared group, and the change from the year
/// before.
///
/// `year` `None` means the latest year with trade rows for the key (any
/// country). A country that imported nothing that year gets a profile with
/// zero imports, no partners, no HHI and no group shares (not an error).
///
/// Errors: unknown commodity-stage or country; no trade rows for the key
/// (in the year).
pub fn imports(
    ds: &Dataset,
    country: CountryCode,
    key: &CommodityKey,
    year: Option<i32>,
) -> Result<ImportProfile, DependenceError> {
    let (unit, year) = resolve(ds, country, key, year)?;
    let imp = flows(ds, country, key, year, Dir::Imports);
    let exp = flows(ds, country, key, year, Dir::Exports);
    let b = balance(ds, country, key, year, unit, &imp, &exp);
    let mut notes = b.notes;
    notes.extend(imp.notes(ds, country, key, year, Dir::Imports));
    let partners = imp.partners(ds);
    let import_hhi = hhi(&partners);
    let groups = group_shares(ds, &partners);

    let yoy = trade_years(ds, key).contains(&(year - 1)).then(|| {
        let prev = flows(ds, country, key, year - 1, Dir::Imports);
        let prev_partners = prev.partners(ds);
        let prev_groups = group_shares(ds, &prev_partners);
        YearOnYear {
            previous_year: year - 1,
            previous_imports: prev.total,
            imports_change: (prev.total > 0.0).then(|| imp.total / prev.total - 1.0),
            import_hhi_change: import_hhi.zip(hhi(&prev_partners)).map(|(a, b)| a - b),
            group_share_change: groups
                .iter()
                .filter_map(|(g, s)| prev_groups.get(g).map(|p| (g.clone(), s - p)))
                .collect(),
        }
    });

    Ok(ImportProfile {
        country,
        country_name: b.country_name,
        commodity: b.commodity,
        stage: b.stage,
        year,
        unit: b.unit,
        imports: b.imports,
        exports: b.exports,
        production: b.production,
        production_source: b.production_source,
        apparent_consumption: b.apparent_consumption,
        net_import_reliance: b.net_import_reliance,
        import_share_of_supply: b.import_share_of_supply,
        partners,
        import_hhi,
        groups,
        yoy,
        notes,
    })
}

/// One [`ImportSummary`] per commodity-stage that `country` imported
/// (imports > 0) in the year, in the dataset's commodity order (commodity
/// id, then stage upstream first). `year` `None` takes, for each key, its
/// latest year with trade rows; a key is left out when the country has no
/// imports of it in that year.
///
/// Errors: unknown country.
pub fn import_reliance_table(
    ds: &Dataset,
    country: CountryCode,
    year: Option<i32>,
) -> Result<Vec<ImportSummary>, DependenceError> {
    if ds.country(country).is_none() {
        return Err(DependenceError::UnknownCountry { country });
    }
    let mut out = Vec::new();
    for c in ds.commodities_sorted() {
        let years = trade_years(ds, &c.key);
        let Some(y) = year.or(years.last().copied()) else { continue };
        let imported = ds
            .trade_in(&c.key, y)
            .iter()
            .any(|t| t.importer == country && t.exporter != country && t.quantity > 0.0);
        if !imported {
            continue;
        }
        let p = imports(ds, country, &c.key, Some(y))?;
        out.push(ImportSummary {
            commodity: p.commodity,
            stage: p.stage,
            year: p.year,
            unit: p.unit,
            imports: p.imports,
            exports: p.exports,
            production: p.production,
            production_source: p.production_source,
            apparent_consumption: p.apparent_consumption,
            net_import_reliance: p.net_import_reliance,
            import_share_of_supply: p.import_share_of_supply,
            n_partners: p.partners.len(),
            top3_share: p.partners.iter().take(3).map(|q| q.share).sum(),
            top_partner: p.partners.into_iter().next(),
            import_hhi: p.import_hhi,
            groups: p.groups,
            imports_change: p.yoy.and_then(|y| y.imports_change),
            notes: p.notes,
        });
    }
    Ok(out)
}

/// Where `country`'s exports of `key` in `year` went, the mirror of
/// [`imports`], with the country's share of world exports (the sum of all
/// trade flows of the key in the year). Same conventions and errors.
pub fn exports(
    ds: &Dataset,
    country: CountryCode,
    key: &CommodityKey,
    year: Option<i32>,
) -> Result<ExportProfile, DependenceError> {
    let (unit, year) = resolve(ds, country, key, year)?;
    let imp = flows(ds, country, key, year, Dir::Imports);
    let exp = flows(ds, country, key, year, Dir::Exports);
    let b = balance(ds, country, key, year, unit, &imp, &exp);
    let mut notes = b.notes;
    notes.extend(exp.notes(ds, country, key, year, Dir::Exports));
    let world_exports: f64 = ds
        .trade
        .iter()
        .filter(|t| &t.key == key && t.year == year && t.exporter != t.importer)
        .map(|t| t.quantity)
        .sum();
    let partners = exp.partners(ds);
    Ok(ExportProfile {
        country,
        country_name: b.country_name,
        commodity: b.commodity,
        stage: b.stage,
        year,
        unit: b.unit,
        exports: b.exports,
        imports: b.imports,
        production: b.production,
        production_source: b.production_source,
        apparent_consumption: b.apparent_consumption,
        world_exports,
        share_of_world_exports: (world_exports > 0.0).then(|| exp.total / world_exports),
        export_hhi: hhi(&partners),
        groups: group_shares(ds, &partners),
        partners,
        notes,
    })
}

/// Checks the key and country and picks the year. Returns the unit code.
fn resolve(
    ds: &Dataset,
    country: CountryCode,
    key: &CommodityKey,
    year: Option<i32>,
) -> Result<(String, i32), DependenceError> {
    let commodity = ds.commodity(key).ok_or_else(|| AnalysisError::UnknownCommodity { key: key.clone() })?;
    if ds.country(country).is_none() {
        return Err(DependenceError::UnknownCountry { country });
    }
    let years = trade_years(ds, key);
    let no_trade = |year| DependenceError::NoTrade { key: key.clone(), year, years: years.clone() };
    let year = match year {
        Some(y) if years.contains(&y) => y,
        Some(y) => return Err(no_trade(Some(y))),
        None => *years.last().ok_or_else(|| no_trade(None))?,
    };
    Ok((commodity.unit.code.to_string(), year))
}

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Imports,
    Exports,
}

/// A country's flows of one key in one year, in one direction, by partner.
struct Flows {
    /// partner -> (quantity, value if any flow gives one)
    by_partner: BTreeMap<CountryCode, (f64, Option<f64>)>,
    total: f64,
    /// Flows from the country to itself (left out).
    self_flows: usize,
    /// Flows with a value but zero quantity (kept out of shares).
    valued_without_quantity: usize,
}

fn flows(ds: &Dataset, country: CountryCode, key: &CommodityKey, year: i32, dir: Dir) -> Flows {
    let mut f = Flows { by_partner: BTreeMap::new(), total: 0.0, self_flows: 0, valued_without_quantity: 0 };
    for t in ds.trade_in(key, year) {
        let (this, partner) = match dir {
            Dir::Imports => (t.importer, t.exporter),
            Dir::Exports => (t.exporter, t.importer),
        };
        if this != country {
            continue;
        }
        if partner == country {
            f.self_flows += 1;
            continue;
        }
        if t.quantity <= 0.0 && t.value_kusd.is_some_and(|v| v > 0.0) {
            f.valued_without_quantity += 1;
        }
        let e = f.by_partner.entry(partner).or_insert((0.0, None));
        e.0 += t.quantity;
        if let Some(v) = t.value_kusd {
            e.1 = Some(e.1.unwrap_or(0.0) + v);
        }
        f.total += t.quantity;
    }
    f
}

impl Flows {
    /// Partners with quantity > 0, largest first, ties by code.
    fn partners(&self, ds: &Dataset) -> Vec<Partner> {
        let mut v: Vec<Partner> = self
            .by_partner
            .iter()
            .filter(|(_, (q, _))| *q > 0.0)
            .map(|(&c, &(q, value))| Partner {
                country: c,
                name: ds.country_name(c).to_string(),
                quantity: q,
                share: q / self.total,
                value_kusd: value,
            })
            .collect();
        v.sort_by(|a, b| b.quantity.total_cmp(&a.quantity).then(a.country.cmp(&b.country)));
        v
    }

    fn notes(&self, ds: &Dataset, country: CountryCode, key: &CommodityKey, year: i32, dir: Dir) -> Vec<String> {
        let what = if dir == Dir::Imports { "import" } else { "export" };
        let mut notes = Vec::new();
        if self.self_flows > 0 {
            notes.push(format!(
                "{} trade row(s) of {key} in {year} have {} ({country}) as both exporter and importer; left out",
                self.self_flows,
                ds.country_name(country)
            ));
        }
        if self.valued_without_quantity > 0 {
            notes.push(format!(
                "{} {what} flow(s) of {key} in {year} have a value but no quantity; they count in no share",
                self.valued_without_quantity
            ));
        }
        notes
    }
}

fn hhi(partners: &[Partner]) -> Option<f64> {
    (!partners.is_empty()).then(|| partners.iter().map(|p| (100.0 * p.share).powi(2)).sum())
}

/// Every declared group -> share held by its members; empty without partners.
fn group_shares(ds: &Dataset, partners: &[Partner]) -> BTreeMap<String, f64> {
    if partners.is_empty() {
        return BTreeMap::new();
    }
    ds.groups_map()
        .into_iter()
        .map(|(name, members)| {
            (name.to_string(), partners.iter().filter(|p| members.contains(&p.country)).map(|p| p.share).sum())
        })
        .collect()
}

/// The production term (see [`apparent_consumption`]).
fn production(ds: &Dataset, country: CountryCode, key: &CommodityKey, year: i32) -> (f64, ProductionSource, Vec<String>) {
    let place = format!("{} ({country})", ds.country_name(country));
    let of_year = |rows: &[Output]| -> Vec<Output> {
        rows.iter().filter(|p| &p.key == key && p.year == year).cloned().collect()
    };
    let mut notes = Vec::new();
    let primary = of_year(&ds.production);
    let (rows, source) = if !primary.is_empty() {
        (primary, ProductionSource::Primary)
    } else {
        let other = of_year(&ds.production_other);
        let sources: BTreeSet<&str> = other.iter().map(|p| p.source.as_str()).collect();
        let Some(&first) = sources.iter().next() else {
            notes.push(format!(
                "no production data for {key} in {year} in either production table; production is taken as 0, \
                 so apparent consumption is net imports only"
            ));
            return (0.0, ProductionSource::Missing, notes);
        };
        let mut note = format!("production has no rows for {key} in {year}; production_other ({first}) is used");
        if sources.len() > 1 {
            let rest: Vec<&str> = sources.iter().skip(1).copied().collect();
            note.push_str(&format!(" (also there, not used: {})", rest.join(", ")));
        }
        notes.push(note);
        let first = first.to_string();
        (other.into_iter().filter(|p| p.source == first).collect(), ProductionSource::Other)
    };
    let own: Vec<&Output> = rows.iter().filter(|p| p.country == Some(country)).collect();
    if own.is_empty() {
        let residual = if rows.iter().any(|p| p.country.is_none()) {
            "; any output it has is inside the unattributed residual"
        } else {
            ""
        };
        notes.push(format!("{place} is not among the producers of {key} in {year}; production taken as 0{residual}"));
    }
    (own.iter().map(|p| p.quantity).sum(), source, notes)
}

fn balance(
    ds: &Dataset,
    country: CountryCode,
    key: &CommodityKey,
    year: i32,
    unit: String,
    imp: &Flows,
    exp: &Flows,
) -> Balance {
    let (production, production_source, mut notes) = production(ds, country, key, year);
    let (imports, exports) = (imp.total, exp.total);
    let ac = production + imports - exports;
    let net_import_reliance = if ac > 0.0 {
        Some((imports - exports) / ac)
    } else {
        if ac < 0.0 {
            notes.push(format!(
                "apparent consumption is negative ({ac}): exports exceed production plus imports, which signals \
                 inconsistent data (stock draw-down, re-exports, a basis mismatch between trade and production); \
                 reported as computed, and net import reliance is undefined"
            ));
        } else {
            notes.push("apparent consumption is 0, so net import reliance is undefined".to_string());
        }
        None
    };
    if net_import_reliance.is_some_and(|r| r < 0.0) {
        notes.push("net exporter: net import reliance is negative".to_string());
    }
    Balance {
        country,
        country_name: ds.country_name(country).to_string(),
        commodity: key.commodity.clone(),
        stage: key.stage.clone(),
        year,
        unit,
        production,
        production_source,
        imports,
        exports,
        apparent_consumption: ac,
        net_import_reliance,
        import_share_of_supply: (production + imports > 0.0).then(|| imports / (production + imports)),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{close, Fx};

    fn cc(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    fn key(s: &str) -> CommodityKey {
        CommodityKey::parse(s).unwrap()
    }

    #[test]
    fn two_partners_hhi_and_group_share() {
        // JP imports 300 t from CN and 100 t from AU in 2023; JP produces
        // nothing (CN is the only listed producer) and exports nothing.
        //   imports = 400; shares CN 0.75, AU 0.25
        //   HHI = 75^2 + 25^2 = 5625 + 625 = 6250
        //   covered = {CN, RU} -> 0.75; five_eyes = {AU, US} -> 0.25
        //   AC = 0 + 400 - 0 = 400; NIR = 400/400 = 1; import share = 1
        let ds = Fx::new()
            .prod("x/mining", "CN", "", 2023, 1000.0)
            .trade("x/mining", "CN", "JP", 2023, 300.0, Some(60.0))
            .trade("x/mining", "AU", "JP", 2023, 100.0, None)
            .trade("x/mining", "CN", "KR", 2023, 500.0, None)
            .group("covered", &["CN", "RU"])
            .group("five_eyes", &["AU", "US"])
            .build();
        let p = imports(&ds, cc("JP"), &key("x/mining"), None).unwrap();
        assert_eq!(p.year, 2023);
        assert_eq!(p.unit, "t");
        assert_eq!(p.country_name, "Japan");
        close(p.imports, 400.0);
        close(p.exports, 0.0);
        close(p.production, 0.0);
        assert_eq!(p.production_source, ProductionSource::Primary);
        close(p.apparent_consumption, 400.0);
        close(p.net_import_reliance.unwrap(), 1.0);
        close(p.import_share_of_supply.unwrap(), 1.0);
        let got: Vec<(&str, f64)> = p.partners.iter().map(|q| (q.country.as_str(), q.share)).collect();
        assert_eq!(got, [("CN", 0.75), ("AU", 0.25)]);
        assert_eq!(p.partners[0].value_kusd, Some(60.0));
        assert_eq!(p.partners[0].name, "China");
        assert_eq!(p.partners[1].value_kusd, None);
        close(p.import_hhi.unwrap(), 6250.0);
        assert_eq!(p.groups.len(), 2);
        close(p.groups["covered"], 0.75);
        close(p.groups["five_eyes"], 0.25);
        assert!(p.yoy.is_none());
        assert!(p.notes.iter().any(|n| n.contains("not among the producers")), "{:?}", p.notes);
    }

    #[test]
    fn ties_by_code_and_self_flows_ignored() {
        // KR and AU both send 50 t: tie -> AU first. A JP->JP row (not in
        // BACI, but guarded) is left out with a note.
        let ds = Fx::new()
            .trade("x/mining", "KR", "JP", 2023, 50.0, None)
            .trade("x/mining", "AU", "JP", 2023, 50.0, None)
            .trade("x/mining", "JP", "JP", 2023, 999.0, None)
            .build();
        let p = imports(&ds, cc("JP"), &key("x/mining"), Some(2023)).unwrap();
        close(p.imports, 100.0);
        close(p.exports, 0.0);
        let got: Vec<&str> = p.partners.iter().map(|q| q.country.as_str()).collect();
        assert_eq!(got, ["AU", "KR"]);
        assert!(p.partners.iter().all(|q| q.country != cc("JP")));
        assert!(p.notes.iter().any(|n| n.contains("both exporter and importer")), "{:?}", p.notes);
        // No production data anywhere for the key-year.
        assert_eq!(p.production_source, ProductionSource::Missing);
    }

    #[test]
    fn re_exporter() {
        // SG-like hub (KR here) imports 100 from CN and re-exports 90 to JP;
        // produces nothing.
        //   AC = 0 + 100 - 90 = 10; NIR = (100 - 90)/10 = 1
        //   import share of supply = 100/(0 + 100) = 1
        // JP's imports are all from KR, whatever KR's own sources.
        let ds = Fx::new()
            .prod("x/mining", "CN", "", 2023, 500.0)
            .trade("x/mining", "CN", "KR", 2023, 100.0, None)
            .trade("x/mining", "KR", "JP", 2023, 90.0, None)
            .build();
        let kr = apparent_consumption(&ds, cc("KR"), &key("x/mining"), Some(2023)).unwrap();
        close(kr.imports, 100.0);
        close(kr.exports, 90.0);
        close(kr.apparent_consumption, 10.0);
        close(kr.net_import_reliance.unwrap(), 1.0);
        let jp = imports(&ds, cc("JP"), &key("x/mining"), None).unwrap();
        assert_eq!(jp.partners.len(), 1);
        assert_eq!(jp.partners[0].country, cc("KR"));
        // KR's exports: 90 of 190 world flows.
        let e = exports(&ds, cc("KR"), &key("x/mining"), None).unwrap();
        close(e.exports, 90.0);
        close(e.world_exports, 190.0);
        close(e.share_of_world_exports.unwrap(), 90.0 / 190.0);
        close(e.export_hhi.unwrap(), 10_000.0);
        close(e.imports, 100.0);
    }

    #[test]
    fn producer_that_imports_and_exports() {
        // US produces 600 (two producers: 500 + 100), imports 300 from CA,
        // 100 from CN, exports 200 to JP.
        //   imports = 400, exports = 200
        //   AC = 600 + 400 - 200 = 800
        //   NIR = (400 - 200)/800 = 0.25
        //   import share of supply = 400/(600 + 400) = 0.4
        //   shares CA 0.75, CN 0.25; HHI 6250
        let ds = Fx::new()
            .prod("x/mining", "US", "", 2023, 500.0)
            .prod("x/mining", "US", "Mine B", 2023, 100.0)
            .prod("x/mining", "CN", "", 2023, 900.0)
            .trade("x/mining", "CA", "US", 2023, 300.0, None)
            .trade("x/mining", "CN", "US", 2023, 100.0, None)
            .trade("x/mining", "US", "JP", 2023, 200.0, None)
            .build();
        let p = imports(&ds, cc("US"), &key("x/mining"), None).unwrap();
        close(p.production, 600.0);
        close(p.apparent_consumption, 800.0);
        close(p.net_import_reliance.unwrap(), 0.25);
        close(p.import_share_of_supply.unwrap(), 0.4);
        close(p.import_hhi.unwrap(), 6250.0);
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        let e = exports(&ds, cc("US"), &key("x/mining"), None).unwrap();
        close(e.apparent_consumption, 800.0);
        assert_eq!(e.partners.len(), 1);
        close(e.share_of_world_exports.unwrap(), 200.0 / 600.0);
    }

    #[test]
    fn net_exporter_has_negative_reliance() {
        // CN produces 1000, imports 100, exports 400.
        //   AC = 1000 + 100 - 400 = 700; NIR = (100 - 400)/700 = -3/7
        let ds = Fx::new()
            .prod("x/mining", "CN", "", 2023, 1000.0)
            .trade("x/mining", "AU", "CN", 2023, 100.0, None)
            .trade("x/mining", "CN", "JP", 2023, 400.0, None)
            .build();
        let b = apparent_consumption(&ds, cc("CN"), &key("x/mining"), None).unwrap();
        close(b.apparent_consumption, 700.0);
        close(b.net_import_reliance.unwrap(), -3.0 / 7.0);
        assert!(b.notes.iter().any(|n| n.contains("net exporter")));
    }

    #[test]
    fn negative_apparent_consumption_is_reported_not_clamped() {
        // AU produces 100 (content), imports 0, exports 250 (gross weight):
        //   AC = 100 + 0 - 250 = -150; NIR undefined.
        let ds = Fx::new()
            .prod("x/mining", "AU", "", 2023, 100.0)
            .trade("x/mining", "AU", "CN", 2023, 250.0, None)
            .build();
        let b = apparent_consumption(&ds, cc("AU"), &key("x/mining"), None).unwrap();
        close(b.apparent_consumption, -150.0);
        assert_eq!(b.net_import_reliance, None);
        close(b.import_share_of_supply.unwrap(), 0.0);
        assert!(b.notes.iter().any(|n| n.contains("negative")), "{:?}", b.notes);
        // AU imports nothing: a profile with no partners, no HHI, no groups.
        let p = imports(&ds, cc("AU"), &key("x/mining"), None).unwrap();
        close(p.imports, 0.0);
        assert!(p.partners.is_empty());
        assert_eq!(p.import_hhi, None);
        assert!(p.groups.is_empty());
    }

    #[test]
    fn year_on_year() {
        // JP 2022: CN 100, AU 100 -> 200; HHI 5000; covered share 0.5
        // JP 2023: CN 300, AU 100 -> 400; HHI 6250; covered share 0.75
        //   imports change = 400/200 - 1 = 1.0
        //   HHI change = 6250 - 5000 = 1250
        //   covered share change = 0.75 - 0.5 = 0.25
        // 2021 has trade rows for the key, but none into JP: yoy of 2022 is
        // present with an undefined change.
        let ds = Fx::new()
            .trade("x/mining", "CN", "KR", 2021, 10.0, None)
            .trade("x/mining", "CN", "JP", 2022, 100.0, None)
            .trade("x/mining", "AU", "JP", 2022, 100.0, None)
            .trade("x/mining", "CN", "JP", 2023, 300.0, None)
            .trade("x/mining", "AU", "JP", 2023, 100.0, None)
            .group("covered", &["CN", "RU"])
            .build();
        let p = imports(&ds, cc("JP"), &key("x/mining"), None).unwrap();
        let y = p.yoy.unwrap();
        assert_eq!(y.previous_year, 2022);
        close(y.previous_imports, 200.0);
        close(y.imports_change.unwrap(), 1.0);
        close(y.import_hhi_change.unwrap(), 1250.0);
        close(y.group_share_change["covered"], 0.25);
        let p22 = imports(&ds, cc("JP"), &key("x/mining"), Some(2022)).unwrap();
        let y22 = p22.yoy.unwrap();
        assert_eq!(y22.imports_change, None);
        assert_eq!(y22.import_hhi_change, None);
        assert!(y22.group_share_change.is_empty());
        assert!(imports(&ds, cc("JP"), &key("x/mining"), Some(2021)).unwrap().yoy.is_none());
    }

    #[test]
    fn falls_back_to_production_other() {
        // production has no x/mining rows for 2023 (only 2022), so
        // production_other (wmd) gives IN 50:
        //   AC = 50 + 150 - 0 = 200; NIR = 150/200 = 0.75
        let ds = Fx::new()
            .prod("x/mining", "IN", "", 2022, 40.0)
            .prod_other("x/mining", "IN", 2023, 50.0, "wmd")
            .prod_other("x/mining", "IN", 2023, 70.0, "zz-other")
            .trade("x/mining", "AU", "IN", 2023, 150.0, None)
            .build();
        let b = apparent_consumption(&ds, cc("IN"), &key("x/mining"), None).unwrap();
        assert_eq!(b.production_source, ProductionSource::Other);
        close(b.production, 50.0);
        close(b.net_import_reliance.unwrap(), 0.75);
        assert!(b.notes.iter().any(|n| n.contains("production_other (wmd)") && n.contains("zz-other")), "{:?}", b.notes);
    }

    #[test]
    fn errors() {
        let ds = Fx::new()
            .commodity("y", "refining", "t")
            .trade("x/mining", "CN", "JP", 2023, 1.0, None)
            .build();
        let jp = cc("JP");
        assert!(matches!(
            imports(&ds, jp, &key("z/mining"), None),
            Err(DependenceError::Analysis(AnalysisError::UnknownCommodity { .. }))
        ));
        assert_eq!(
            imports(&ds, cc("FR"), &key("x/mining"), None),
            Err(DependenceError::UnknownCountry { country: cc("FR") })
        );
        let e = imports(&ds, jp, &key("x/mining"), Some(2020)).unwrap_err();
        assert_eq!(e.to_string(), "no trade data for x/mining in 2020; years with data: 2023");
        let e = imports(&ds, jp, &key("y/refining"), None).unwrap_err();
        assert_eq!(e.to_string(), "no trade data for y/refining in any year");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["error"], "no_trade");
        let json = serde_json::to_value(DependenceError::from(AnalysisError::UnknownCommodity { key: key("z/mining") })).unwrap();
        assert_eq!(json["error"], "unknown_commodity");
        assert!(import_reliance_table(&ds, cc("FR"), None).is_err());
    }

    #[test]
    fn reliance_table_lists_imported_keys_in_commodity_order() {
        // JP imports x/mining (2023) and y/refining (2022, its latest year);
        // w/mining only flows CN -> KR, so JP has no line for it.
        let ds = Fx::new()
            .commodity("y", "refining", "kg")
            .commodity("w", "mining", "t")
            .trade("x/mining", "CN", "JP", 2023, 30.0, None)
            .trade("x/mining", "AU", "JP", 2023, 10.0, None)
            .trade("y/refining", "CN", "JP", 2022, 5.0, None)
            .trade("w/mining", "CN", "KR", 2023, 5.0, None)
            .build();
        let t = import_reliance_table(&ds, cc("JP"), None).unwrap();
        let got: Vec<(&str, i32, f64)> = t.iter().map(|s| (s.commodity.as_str(), s.year, s.imports)).collect();
        assert_eq!(got, [("x", 2023, 40.0), ("y", 2022, 5.0)]);
        assert_eq!(t[0].n_partners, 2);
        assert_eq!(t[0].top_partner.as_ref().map(|p| p.country), Some(cc("CN")));
        close(t[0].top3_share, 1.0);
        assert_eq!(t[1].unit, "kg");
        let t23 = import_reliance_table(&ds, cc("JP"), Some(2023)).unwrap();
        assert_eq!(t23.len(), 1);
        assert!(import_reliance_table(&ds, cc("JP"), Some(1999)).unwrap().is_empty());
    }

    #[test]
    fn deterministic_and_serialisable() {
        let ds = Fx::new()
            .trade("x/mining", "CN", "JP", 2023, 3.0, Some(1.5))
            .trade("x/mining", "AU", "JP", 2023, 1.0, None)
            .group("g", &["AU"])
            .build();
        let a = imports(&ds, cc("JP"), &key("x/mining"), None).unwrap();
        let b = imports(&ds, cc("JP"), &key("x/mining"), None).unwrap();
        assert_eq!(a, b);
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["partners"][0]["country"], "CN");
        assert_eq!(json["production_source"], "missing");
        assert_eq!(json["groups"]["g"], 0.25);
    }
}
