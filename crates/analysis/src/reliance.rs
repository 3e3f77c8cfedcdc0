//! Net import reliance as published (USGS definition: (imports - exports +
//! stock decrease) / apparent consumption, in percent). The figures are read
//! from the dataset, not recomputed: the published ones include adjustments
//! (withheld data, stock changes) that the trade table cannot reproduce.

use lodestone_model::{Bound, CountryCode, Dataset};

/// One published figure.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RelianceRow {
    /// What the figure covers, as published (`GALLIUM, metal`).
    pub item: String,
    pub year: i32,
    /// Percent of apparent consumption; may be negative (net exporter).
    pub percent: f64,
    /// `exact`, `at_least` (published as `>50`) or `at_most` (`<25`).
    pub bound: Bound,
    pub source: String,
    pub note: String,
}

/// Every published figure for `country` and `commodity` (any stage), newest
/// year first, then by item. Empty when there is none.
pub fn import_reliance(ds: &Dataset, country: CountryCode, commodity: &str) -> Vec<RelianceRow> {
    let mut rows: Vec<RelianceRow> = ds
        .import_reliance
        .iter()
        .filter(|r| r.country == country && r.commodity == commodity)
        .map(|r| RelianceRow {
            item: r.item.clone(),
            year: r.year,
            percent: r.percent,
            bound: r.bound,
            source: r.source.clone(),
            note: r.note.clone(),
        })
        .collect();
    rows.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.item.cmp(&b.item)));
    rows
}

/// The newest figure (when several items share the newest year, the first
/// by item name), or `None`.
pub fn latest_import_reliance(ds: &Dataset, country: CountryCode, commodity: &str) -> Option<RelianceRow> {
    import_reliance(ds, country, commodity).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::Fx;

    #[test]
    fn newest_first_then_item() {
        let ds = Fx::new()
            .reliance("US", "x", "X, metal", 2022, 100.0, Bound::Exact)
            .reliance("US", "x", "X, oxide", 2024, 50.0, Bound::AtLeast)
            .reliance("US", "x", "X, metal", 2024, 95.0, Bound::Exact)
            .reliance("JP", "x", "X, metal", 2025, 10.0, Bound::Exact)
            .build();
        let us = CountryCode::parse("US").unwrap();
        let rows = import_reliance(&ds, us, "x");
        let got: Vec<(i32, &str, f64)> = rows.iter().map(|r| (r.year, r.item.as_str(), r.percent)).collect();
        assert_eq!(got, [(2024, "X, metal", 95.0), (2024, "X, oxide", 50.0), (2022, "X, metal", 100.0)]);
        assert_eq!(rows[1].bound, Bound::AtLeast);
        assert_eq!(rows[1].source, "src");
        assert_eq!(latest_import_reliance(&ds, us, "x").map(|r| r.percent), Some(95.0));
        assert!(import_reliance(&ds, us, "y").is_empty());
        assert_eq!(latest_import_reliance(&ds, CountryCode::parse("KR").unwrap(), "x"), None);
    }
}
