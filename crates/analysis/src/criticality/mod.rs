//! Criticality methods, each reproduced from its publication so that
//! published values can be recomputed:
//!
//! - [`eu`]: the European Commission's method (Blengini et al. 2017, JRC,
//!   "Methodology for establishing the EU list of critical raw materials:
//!   guidelines"; used for the 2017, 2020 and 2023 lists): supply risk from
//!   governance-weighted HHI of global supply and EU sourcing, import
//!   reliance, end-of-life recycling input rate and substitution; economic
//!   importance; critical when SR >= 1 and EI >= 2.8.
//! - [`geopolrisk`]: the GeoPolRisk method (Gemechu et al. 2016;
//!   Santillán-Saldivar et al. 2021; Koyamparambath et al. 2024): production
//!   HHI x import risk of an importing country or region, and the
//!   characterisation factor used in life-cycle assessment.
//! - [`usgs`]: the USGS supply-risk screening (Nassar et al. 2020; Nassar &
//!   Fortier 2021, Open-File Report 2021-1045): disruption potential x trade
//!   exposure x economic vulnerability.
//!
//! Every method has two layers: a core function over explicit terms (a
//! struct a caller fills with published intermediate values), and an
//! `assess` function that derives those terms from a [`Dataset`] plus the
//! caller's overrides and returns the result with every input, every
//! intermediate term, where each input came from, and how the computation
//! departs from the publication (`deviations_from_method`), including the
//! formula details that are Lodestone's reading and could not be checked
//! against the publication's text (entries starting `method text not
//! checked`; `docs/analyses.md` lists the sources consulted).
//!
//! Shared conventions:
//! - Production, trade and governance are taken for the same year unless the
//!   caller names a `governance_year`.
//! - Production the source does not attribute to a named country
//!   (`country = None`) counts in world totals (the denominator of every
//!   share) but never as one more country in a concentration sum: it is many
//!   countries lumped together. Its share is reported as `unattributed_share`.
//! - Governance scores are World Bank WGI estimates (about -2.5 weak to 2.5
//!   strong). The default dataset carries only Political Stability and
//!   Absence of Violence/Terrorism (`political_stability`); callers can
//!   supply their own per-country estimates, which take precedence.

use lodestone_model::{CommodityKey, CountryCode, Dataset, Output};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub mod eu;
pub mod geopolrisk;
pub mod usgs;

/// The WGI indicator id the default dataset carries.
pub const POLITICAL_STABILITY: &str = "political_stability";

/// What a caller asked for that the dataset (or the inputs) cannot answer.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum CriticalityError {
    /// The commodity-stage is not declared in the dataset.
    UnknownCommodity { key: CommodityKey },
    /// The group is not declared in the dataset. `known` lists those that are.
    UnknownGroup { group: String, known: Vec<String> },
    /// The country is not declared in the dataset.
    UnknownCountry { country: CountryCode },
    /// No rows of `what` (`production`, `trade`) for the keys in the year.
    NoData { what: &'static str, keys: Vec<CommodityKey>, year: i32 },
    /// An input is outside its domain (a share above 1, a negative rate).
    InvalidInput { field: String, reason: String },
}

impl fmt::Display for CriticalityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CriticalityError::UnknownCommodity { key } => {
                write!(f, "unknown commodity-stage `{key}`: not declared in the dataset")
            }
            CriticalityError::UnknownGroup { group, known } if known.is_empty() => {
                write!(f, "unknown group `{group}`: the dataset declares no groups")
            }
            CriticalityError::UnknownGroup { group, known } => {
                write!(f, "unknown group `{group}`; the dataset declares: {}", known.join(", "))
            }
            CriticalityError::UnknownCountry { country } => {
                write!(f, "unknown country `{country}`: not declared in the dataset")
            }
            CriticalityError::NoData { what, keys, year } => {
                let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                write!(f, "no {what} data for {} in {year}", keys.join(", "))
            }
            CriticalityError::InvalidInput { field, reason } => write!(f, "invalid input `{field}`: {reason}"),
        }
    }
}

impl std::error::Error for CriticalityError {}

/// The economic unit whose supply is assessed: one country, or a group the
/// dataset declares (`eu27`), whose members are treated as one domestic
/// economy (their production is domestic, trade between them is internal).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Country(CountryCode),
    Group(String),
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Region::Country(c) => write!(f, "{c}"),
            Region::Group(g) => write!(f, "{g}"),
        }
    }
}

/// Which production table a method reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductionSource {
    /// `production` (USGS mine and refinery output).
    #[default]
    Primary,
    /// `production_other` (World Mining Data, the source geopolrisk-py uses).
    Other,
}

/// Where a country's governance score came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    /// The caller's per-country map.
    User,
    /// The dataset's `political_stability` rows.
    Dataset,
    /// Neither: the method's rule for missing scores applied.
    Missing,
}

pub(crate) fn check_key(ds: &Dataset, key: &CommodityKey) -> Result<(), CriticalityError> {
    match ds.commodity(key) {
        Some(_) => Ok(()),
        None => Err(CriticalityError::UnknownCommodity { key: key.clone() }),
    }
}

/// The members of the region; an unknown group or country is an error.
pub(crate) fn members(ds: &Dataset, region: &Region) -> Result<BTreeSet<CountryCode>, CriticalityError> {
    match region {
        Region::Country(c) => match ds.country(*c) {
            Some(_) => Ok([*c].into_iter().collect()),
            None => Err(CriticalityError::UnknownCountry { country: *c }),
        },
        Region::Group(g) => {
            let m = ds.group(g);
            if m.is_empty() {
                Err(CriticalityError::UnknownGroup {
                    group: g.clone(),
                    known: ds.group_names().into_iter().map(String::from).collect(),
                })
            } else {
                Ok(m)
            }
        }
    }
}

pub(crate) fn production_rows(ds: &Dataset, source: ProductionSource) -> &[Output] {
    match source {
        ProductionSource::Primary => &ds.production,
        ProductionSource::Other => &ds.production_other,
    }
}

/// Output by named country and the unattributed rest for a key and year.
/// `None` when there are no rows at all.
pub(crate) fn production_by_country(
    rows: &[Output],
    key: &CommodityKey,
    year: i32,
) -> Option<(BTreeMap<CountryCode, f64>, f64)> {
    let mut named: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut unattributed = 0.0;
    let mut any = false;
    for r in rows.iter().filter(|r| &r.key == key && r.year == year) {
        any = true;
        match r.country {
            Some(c) => *named.entry(c).or_default() += r.quantity,
            None => unattributed += r.quantity,
        }
    }
    any.then_some((named, unattributed))
}

/// A country's governance estimate: the caller's map first, then the
/// dataset's `political_stability` row for the year.
pub(crate) fn governance_estimate(
    ds: &Dataset,
    user: &BTreeMap<CountryCode, f64>,
    country: CountryCode,
    year: i32,
) -> (Option<f64>, ScoreSource) {
    if let Some(&v) = user.get(&country) {
        return (Some(v), ScoreSource::User);
    }
    ds.governance
        .iter()
        .find(|g| g.country == country && g.indicator == POLITICAL_STABILITY && g.year == year)
        .map_or((None, ScoreSource::Missing), |g| (Some(g.estimate), ScoreSource::Dataset))
}

/// Rejects a value that is not finite or lies outside `[lo, hi]`.
pub(crate) fn check_range(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), CriticalityError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(CriticalityError::InvalidInput { field: field.to_string(), reason: format!("{v} is outside [{lo}, {hi}]") })
    }
}

/// Describes which governance indicator a result used, given how many
/// scores came from the caller and from the dataset.
pub(crate) fn indicator_label(user: usize, dataset: usize, method_indicator: &str) -> (String, Option<String>) {
    match (user, dataset) {
        (_, 0) if user > 0 => ("user-supplied".to_string(), None),
        (0, 0) => ("none (no score found for any country)".to_string(), None),
        (0, _) => (
            POLITICAL_STABILITY.to_string(),
            Some(format!(
                "governance: the method uses {method_indicator}; the dataset's WGI Political Stability and Absence of Violence/Terrorism estimate is used instead"
            )),
        ),
        _ => (
            format!("user-supplied, {POLITICAL_STABILITY} where not supplied"),
            Some(format!(
                "governance: the method uses {method_indicator}; {dataset} country score(s) fall back to the dataset's WGI Political Stability estimate"
            )),
        ),
    }
}

#[cfg(test)]
mod tests;
