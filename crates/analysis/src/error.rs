//! The one error type of the crate: what a caller asked for that the dataset
//! cannot answer. Messages name the problem and, where it helps, what would
//! have worked (the years that have data, the groups that exist).

use lodestone_model::{CommodityKey, CountryCode};
use std::fmt;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AnalysisError {
    /// The commodity-stage is not declared in the dataset.
    UnknownCommodity { key: CommodityKey },
    /// No production rows for the key in the year (`year` is `None` when the
    /// key has no production rows at all). `years` lists those that exist.
    NoProduction { key: CommodityKey, year: Option<i32>, years: Vec<i32> },
    /// As [`AnalysisError::NoProduction`], for reserves.
    NoReserves { key: CommodityKey, year: Option<i32>, years: Vec<i32> },
    /// Rows exist but all quantities are zero, so no share is defined.
    /// `what` is `production` or `reserves`.
    ZeroTotal { key: CommodityKey, year: i32, what: &'static str },
    /// The group is not declared in the dataset. `known` lists those that are.
    UnknownGroup { group: String, known: Vec<String> },
    /// No trade rows for the key (in the year, when one was given).
    NoTrade { key: CommodityKey, year: Option<i32>, years: Vec<i32> },
    /// `upstream` is not reached from `key` through the dataset's recipes.
    NoRecipePath { key: CommodityKey, upstream: CommodityKey },
    /// The country has neither production nor imports of the key in the year.
    NoSupply { country: CountryCode, key: CommodityKey, year: i32 },
    /// A linear solve failed (a bug: the systems built are nonsingular).
    SolveFailed { what: String },
}

fn years_list(years: &[i32]) -> String {
    years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
}

fn no_data(f: &mut fmt::Formatter<'_>, what: &str, key: &CommodityKey, year: &Option<i32>, years: &[i32]) -> fmt::Result {
    match (year, years.is_empty()) {
        (_, true) => write!(f, "no {what} data for {key} in any year"),
        (Some(y), false) => write!(f, "no {what} data for {key} in {y}; years with data: {}", years_list(years)),
        (None, false) => write!(f, "no {what} data for {key}; years with data: {}", years_list(years)),
    }
}

impl fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalysisError::UnknownCommodity { key } => {
                write!(f, "unknown commodity-stage `{key}`: not declared in the dataset")
            }
            AnalysisError::NoProduction { key, year, years } => no_data(f, "production", key, year, years),
            AnalysisError::NoReserves { key, year, years } => no_data(f, "reserves", key, year, years),
            AnalysisError::ZeroTotal { key, year, what } => {
                write!(f, "total {what} of {key} in {year} is zero, so shares are undefined")
            }
            AnalysisError::UnknownGroup { group, known } if known.is_empty() => {
                write!(f, "unknown group `{group}`: the dataset declares no groups")
            }
            AnalysisError::UnknownGroup { group, known } => {
                write!(f, "unknown group `{group}`; the dataset declares: {}", known.join(", "))
            }
            AnalysisError::NoTrade { key, year, years } => no_data(f, "trade", key, year, years),
            AnalysisError::NoRecipePath { key, upstream } => {
                write!(f, "no recipe path from {key} back to {upstream}: the dataset's recipes do not make one from the other")
            }
            AnalysisError::NoSupply { country, key, year } => {
                write!(f, "{country} has no recorded supply (production or imports) of {key} in {year}")
            }
            AnalysisError::SolveFailed { what } => write!(f, "internal error: {what}"),
        }
    }
}

impl std::error::Error for AnalysisError {}
