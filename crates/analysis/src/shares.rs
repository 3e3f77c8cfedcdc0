//! The arithmetic shared by every share-of-world analysis (production,
//! reserves), so that one convention holds everywhere:
//!
//! - the total is the sum of all rows, named countries plus unattributed;
//! - a named country's share is its quantity over that total;
//! - the unattributed quantity is reported as a residual share, never
//!   treated as one more country (it is many countries the source lumps
//!   together, so counting it in the HHI or the top-3 would be wrong);
//! - HHI = sum over named countries of (100 s_i)^2, on the 0-10,000 scale.

use lodestone_model::{CountryCode, Dataset};
use std::collections::BTreeMap;

/// Named quantities with their shares, largest first.
pub(crate) struct Split {
    pub total: f64,
    /// (country, quantity, share), quantity > 0 only, largest first, ties by
    /// country code.
    pub ranked: Vec<(CountryCode, f64, f64)>,
    pub hhi: f64,
    pub top3_share: f64,
    pub residual_share: f64,
}

/// Splits a total into named shares and the residual. `None` when the total
/// is not positive (no share is defined).
pub(crate) fn split(named: &BTreeMap<CountryCode, f64>, unattributed: f64) -> Option<Split> {
    let total: f64 = named.values().sum::<f64>() + unattributed;
    // Quantities are finite and >= 0 (a Dataset invariant), so this is == 0.
    if total <= 0.0 {
        return None;
    }
    let mut ranked: Vec<(CountryCode, f64, f64)> =
        named.iter().filter(|(_, &q)| q > 0.0).map(|(&c, &q)| (c, q, q / total)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let hhi = ranked.iter().map(|r| (100.0 * r.2).powi(2)).sum();
    let top3_share = ranked.iter().take(3).map(|r| r.2).sum();
    Some(Split { total, ranked, hhi, top3_share, residual_share: unattributed / total })
}

/// Every group the dataset declares -> the share of the total held by its
/// members. The unattributed residual belongs to no group.
pub(crate) fn group_shares(ds: &Dataset, ranked: &[(CountryCode, f64, f64)]) -> BTreeMap<String, f64> {
    ds.groups_map()
        .into_iter()
        .map(|(name, members)| {
            let share = ranked.iter().filter(|r| members.contains(&r.0)).map(|r| r.2).sum();
            (name.to_string(), share)
        })
        .collect()
}

/// The year an analysis uses: the one asked for, else the manifest's
/// `default_year`, else the latest year that has data (`years` ascending).
/// `None` only when nothing was asked, no default is set and there is no data.
pub(crate) fn pick_year(ds: &Dataset, asked: Option<i32>, years: &[i32]) -> Option<i32> {
    asked.or(ds.manifest.default_year).or_else(|| years.last().copied())
}
