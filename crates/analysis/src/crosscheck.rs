//! Cross-checks of production between the dataset's primary source
//! (`production`, USGS in the default dataset) and its second sources
//! (`production_other`, World Mining Data): where do they disagree, and by
//! how much?
//!
//! Why: concentration and dependence results rest on one source's country
//! figures. Two independent compilations that agree within a few percent
//! make a share credible; a large gap (a different basis, a revision, an
//! estimate) is something a reader must see before trusting it.
//!
//! Conventions:
//! - Comparisons are per (commodity-stage, named country, year, second
//!   source). Several rows of one country in one table (facilities) are
//!   summed first. Unattributed rows ("Other countries") are not compared
//!   country by country (each source lumps different countries there), but
//!   count in the totals of [`KeySummary`].
//! - Each second source is compared separately with the primary one: a
//!   dataset may hold several, and they are not added together.
//! - Relative difference = |primary - other| / max(primary, other), in
//!   0-1, symmetric in the two sources; 0 when both are 0. A pair is
//!   `flagged` when it exceeds `tolerance` (a fraction: 0.1 = 10 %).
//! - Both tables are already in the commodity-stage's unit (a dataset
//!   invariant), so no conversion happens here; a difference of basis
//!   (gross weight against content) shows up as a large, systematic gap.

use lodestone_model::{CommodityKey, CountryCode, Dataset, Output};
use std::collections::{BTreeMap, BTreeSet};

/// One compared (commodity-stage, country, year, second source).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Disagreement {
    pub commodity: String,
    pub stage: String,
    pub country: CountryCode,
    pub name: String,
    pub year: i32,
    /// Unit code of both quantities.
    pub unit: String,
    /// The country's total in `production`.
    pub primary: f64,
    /// Source ids of the `production` rows summed (space-separated).
    pub primary_source: String,
    /// The country's total in `production_other` for `other_source`.
    pub other: f64,
    pub other_source: String,
    /// other - primary.
    pub difference: f64,
    /// |primary - other| / max(primary, other); 0 when both are 0.
    pub relative_difference: f64,
    /// `relative_difference > tolerance`.
    pub flagged: bool,
}

/// How the two sources compare for one commodity-stage, year and second
/// source.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct KeySummary {
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    pub unit: String,
    pub other_source: String,
    /// Countries named in both sources.
    pub n_compared: usize,
    /// Of those, how many differ by more than the tolerance.
    pub n_flagged: usize,
    /// Sum of every `production` row of the key-year, unattributed included.
    pub primary_total: f64,
    /// The same for `production_other` rows of `other_source`.
    pub other_total: f64,
    /// |primary_total - other_total| / max of the two; 0 when both are 0.
    pub total_relative_difference: f64,
    /// Countries named only in `production` (sorted).
    pub only_primary: Vec<CountryCode>,
    /// Countries named only in `production_other` for this source (sorted).
    pub only_other: Vec<CountryCode>,
}

/// Every (commodity-stage, country, year, second source) that both
/// `production` and `production_other` give a value for, each with its
/// relative difference and whether it exceeds `tolerance` (a fraction, 0.1
/// = 10 %). All compared pairs are returned so that a caller can show
/// agreement as well as disagreement; keep `flagged` ones to list problems
/// only.
///
/// `year` `None` compares every year; `Some(y)` only `y`. Order: commodity
/// id, stage (upstream first), year, country code, second source id. A
/// negative or NaN tolerance is the caller's mistake: with a NaN nothing is
/// flagged.
pub fn crosscheck(ds: &Dataset, tolerance: f64, year: Option<i32>) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for ((key, y, other_source), g) in grouped(ds, year) {
        let unit = unit_of(ds, &key);
        for (&country, &(primary, ref sources)) in &g.primary {
            let Some(&other) = g.other.get(&country) else { continue };
            let rel = relative(primary, other);
            out.push(Disagreement {
                commodity: key.commodity.clone(),
                stage: key.stage.clone(),
                country,
                name: ds.country_name(country).to_string(),
                year: y,
                unit: unit.clone(),
                primary,
                primary_source: sources.iter().copied().collect::<Vec<_>>().join(" "),
                other,
                other_source: other_source.to_string(),
                difference: other - primary,
                relative_difference: rel,
                flagged: rel > tolerance,
            });
        }
    }
    out
}

/// One [`KeySummary`] per (commodity-stage, year, second source) where both
/// tables have rows for the key-year, in the order of [`crosscheck`]. Pairs
/// where only one table has rows for the key-year are not comparable and do
/// not appear.
pub fn crosscheck_summary(ds: &Dataset, tolerance: f64, year: Option<i32>) -> Vec<KeySummary> {
    grouped(ds, year)
        .into_iter()
        .map(|((key, y, other_source), g)| {
            let named_p: BTreeSet<CountryCode> = g.primary.keys().copied().collect();
            let named_o: BTreeSet<CountryCode> = g.other.keys().copied().collect();
            let n_flagged = named_p
                .intersection(&named_o)
                .filter(|c| relative(g.primary[*c].0, g.other[*c]) > tolerance)
                .count();
            KeySummary {
                commodity: key.commodity.clone(),
                stage: key.stage.clone(),
                year: y,
                unit: unit_of(ds, &key),
                other_source: other_source.to_string(),
                n_compared: named_p.intersection(&named_o).count(),
                n_flagged,
                primary_total: g.primary_total,
                other_total: g.other_total,
                total_relative_difference: relative(g.primary_total, g.other_total),
                only_primary: named_p.difference(&named_o).copied().collect(),
                only_other: named_o.difference(&named_p).copied().collect(),
            }
        })
        .collect()
}

/// |a - b| / max(a, b), 0 when both are 0 (quantities are >= 0).
fn relative(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m > 0.0 {
        (a - b).abs() / m
    } else {
        0.0
    }
}

fn unit_of(ds: &Dataset, key: &CommodityKey) -> String {
    // Every production row's key is declared (a Dataset invariant).
    ds.commodity(key).map(|c| c.unit.code.to_string()).unwrap_or_default()
}

/// Both tables' rows for one (key, year, second source).
#[derive(Default)]
struct Group<'a> {
    /// country -> (quantity, source ids)
    primary: BTreeMap<CountryCode, (f64, BTreeSet<&'a str>)>,
    primary_total: f64,
    other: BTreeMap<CountryCode, f64>,
    other_total: f64,
}

/// Sort key: commodity id, stage in manifest order, year, second source.
type GroupKey<'a> = (CommodityKey, i32, &'a str);

fn grouped(ds: &Dataset, year: Option<i32>) -> Vec<(GroupKey<'_>, Group<'_>)> {
    let wanted = |p: &&Output| year.is_none() || year == Some(p.year);
    // (key, year) -> primary rows
    let mut primary: BTreeMap<(&CommodityKey, i32), Vec<&Output>> = BTreeMap::new();
    for p in ds.production.iter().filter(wanted) {
        primary.entry((&p.key, p.year)).or_default().push(p);
    }
    let mut groups: BTreeMap<(&CommodityKey, i32, &str), Group> = BTreeMap::new();
    for o in ds.production_other.iter().filter(wanted) {
        let Some(rows) = primary.get(&(&o.key, o.year)) else { continue };
        let g = groups.entry((&o.key, o.year, o.source.as_str())).or_insert_with(|| {
            let mut g = Group::default();
            for p in rows {
                g.primary_total += p.quantity;
                if let Some(c) = p.country {
                    let e = g.primary.entry(c).or_insert((0.0, BTreeSet::new()));
                    e.0 += p.quantity;
                    e.1.insert(p.source.as_str());
                }
            }
            g
        });
        g.other_total += o.quantity;
        if let Some(c) = o.country {
            *g.other.entry(c).or_default() += o.quantity;
        }
    }
    let mut v: Vec<(GroupKey, Group)> =
        groups.into_iter().map(|((k, y, s), g)| ((k.clone(), y, s), g)).collect();
    v.sort_by(|((ka, ya, sa), _), ((kb, yb, sb), _)| {
        (&ka.commodity, ds.stage_index(&ka.stage), ya, sa).cmp(&(&kb.commodity, ds.stage_index(&kb.stage), yb, sb))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{close, Fx};

    fn cc(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    /// x/mining 2023: primary CN 100 (two producers 60 + 40), AU 50, US 10,
    /// ZZ 5; wmd CN 90, AU 50, IN 20, ZZ 3.
    fn sample() -> Dataset {
        Fx::new()
            .prod("x/mining", "CN", "", 2023, 60.0)
            .prod("x/mining", "CN", "Mine B", 2023, 40.0)
            .prod("x/mining", "AU", "", 2023, 50.0)
            .prod("x/mining", "US", "", 2023, 10.0)
            .prod("x/mining", "ZZ", "Other countries", 2023, 5.0)
            .prod_other("x/mining", "CN", 2023, 90.0, "wmd")
            .prod_other("x/mining", "AU", 2023, 50.0, "wmd")
            .prod_other("x/mining", "IN", 2023, 20.0, "wmd")
            .prod_other("x/mining", "ZZ", 2023, 3.0, "wmd")
            // Not comparable: no primary rows for 2022.
            .prod_other("x/mining", "CN", 2022, 80.0, "wmd")
            .build()
    }

    #[test]
    fn pairs_with_relative_difference() {
        // AU: 50 vs 50 -> 0, not flagged.
        // CN: 100 vs 90 -> |100-90|/100 = 0.1; flagged at 0.05, not at 0.1
        //     (flagged means strictly above the tolerance).
        let ds = sample();
        let d = crosscheck(&ds, 0.05, None);
        let got: Vec<(&str, f64, f64, bool)> =
            d.iter().map(|x| (x.country.as_str(), x.primary, x.other, x.flagged)).collect();
        assert_eq!(got, [("AU", 50.0, 50.0, false), ("CN", 100.0, 90.0, true)]);
        close(d[1].relative_difference, 0.1);
        close(d[1].difference, -10.0);
        assert_eq!(d[1].other_source, "wmd");
        assert_eq!(d[1].primary_source, "src");
        assert_eq!(d[1].unit, "t");
        assert_eq!(d[1].name, "China");
        assert!(crosscheck(&ds, 0.1, Some(2023)).iter().all(|x| !x.flagged));
        assert!(crosscheck(&ds, 0.05, Some(2022)).is_empty());
    }

    #[test]
    fn summary_per_key_year_and_source() {
        // primary total = 60 + 40 + 50 + 10 + 5 = 165
        // wmd total     = 90 + 50 + 20 + 3      = 163
        //   total relative difference = 2/165
        // only primary: US; only wmd: IN; compared: AU, CN; flagged at 5 %: CN
        let ds = sample();
        let s = crosscheck_summary(&ds, 0.05, None);
        assert_eq!(s.len(), 1);
        let s = &s[0];
        assert_eq!((s.commodity.as_str(), s.stage.as_str(), s.year), ("x", "mining", 2023));
        assert_eq!((s.n_compared, s.n_flagged), (2, 1));
        close(s.primary_total, 165.0);
        close(s.other_total, 163.0);
        close(s.total_relative_difference, 2.0 / 165.0);
        assert_eq!(s.only_primary, [cc("US")]);
        assert_eq!(s.only_other, [cc("IN")]);
    }

    #[test]
    fn second_sources_compared_separately_and_ordered() {
        // Two second sources for the same country-year are not added: each
        // gets its own pair. Zero against zero is agreement.
        let ds = Fx::new()
            .commodity("a", "refining", "t")
            .prod("x/mining", "CN", "", 2023, 100.0)
            .prod("a/refining", "JP", "", 2023, 0.0)
            .prod("x/mining", "CN", "", 2022, 100.0)
            .prod_other("x/mining", "CN", 2023, 100.0, "wmd")
            .prod_other("x/mining", "CN", 2023, 200.0, "bgs")
            .prod_other("x/mining", "CN", 2022, 0.0, "wmd")
            .prod_other("a/refining", "JP", 2023, 0.0, "wmd")
            .build();
        let d = crosscheck(&ds, 0.2, None);
        let got: Vec<(&str, i32, &str, f64, bool)> = d
            .iter()
            .map(|x| (x.commodity.as_str(), x.year, x.other_source.as_str(), x.relative_difference, x.flagged))
            .collect();
        assert_eq!(
            got,
            [
                ("a", 2023, "wmd", 0.0, false),
                ("x", 2022, "wmd", 1.0, true),
                ("x", 2023, "bgs", 0.5, true),
                ("x", 2023, "wmd", 0.0, false),
            ]
        );
        assert_eq!(crosscheck_summary(&ds, 0.2, Some(2023)).len(), 3);
        assert_eq!(crosscheck(&ds, f64::NAN, None).iter().filter(|x| x.flagged).count(), 0);
    }

    #[test]
    fn empty_without_second_source() {
        let ds = Fx::new().prod("x/mining", "CN", "", 2023, 1.0).build();
        assert!(crosscheck(&ds, 0.1, None).is_empty());
        assert!(crosscheck_summary(&ds, 0.1, None).is_empty());
    }
}
