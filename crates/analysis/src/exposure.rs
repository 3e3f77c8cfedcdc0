//! Concentration and group exposure of output: who produces a
//! commodity-stage, by location or by owner, how concentrated that is, and
//! how much of it comes from a named group of countries (`us_covered_nations`,
//! `partners`). Groups are data in the dataset; nothing here knows any group
//! by name.

use crate::error::AnalysisError;
use crate::shares::{group_shares, pick_year, split};
use lodestone_model::{CommodityKey, CountryCode, Dataset, Ownership};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Bound::{Excluded, Unbounded};

/// Whom output is credited to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The country where the mine or plant is.
    Location,
    /// The home country of its owners, from the dataset's ownership rows.
    Owner,
}

impl By {
    pub fn as_str(self) -> &'static str {
        match self {
            By::Location => "location",
            By::Owner => "owner",
        }
    }

    /// Parses `location` or `owner`.
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "location" => Some(By::Location),
            "owner" => Some(By::Owner),
            _ => None,
        }
    }
}

impl fmt::Display for By {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One named country's part of the total.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProducerShare {
    pub country: CountryCode,
    /// The country's name as the dataset declares it.
    pub name: String,
    /// In the commodity-stage's unit.
    pub quantity: f64,
    /// Fraction of the total (0-1).
    pub share: f64,
    /// True when any row contributing to `quantity` is marked estimated.
    pub estimated: bool,
}

/// Concentration of one commodity-stage in one year. See [`concentration`]
/// for the conventions.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Concentration {
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    /// Unit code of `total` and every `quantity`.
    pub unit: String,
    pub by: By,
    /// Sum of all production rows, named and unattributed.
    pub total: f64,
    /// Sum over named countries of (100 s_i)^2, 0-10,000.
    pub hhi: f64,
    /// Sum of the three largest named-country shares.
    pub top3_share: f64,
    /// The largest named country; `None` when no named country produced.
    pub top1: Option<ProducerShare>,
    /// Share of output not attributed to a named country.
    pub residual_share: f64,
    /// Named countries with output > 0, largest first, ties by country code.
    pub producers: Vec<ProducerShare>,
    /// Every group the dataset declares -> share of the total held by its
    /// members (the residual belongs to no group).
    pub groups: BTreeMap<String, f64>,
    /// `producers.len()`.
    pub n_producers: usize,
    /// Human-readable notes on choices made (ownership years, unmatched
    /// ownership rows); empty when none were needed.
    pub assumptions: Vec<String>,
}

/// Concentration of output of `key` in `year`, by location or by owner.
///
/// `year` `None` means the manifest's `default_year` if set, else the latest
/// year with production rows for `key`.
///
/// Convention: shares are of the SUM OF ALL producer rows for that
/// commodity-stage-year, including unattributed rows (country `None`,
/// "Other countries"; NOT the rounded world total, which the dataset doesn't
/// carry). HHI = sum over NAMED countries of (100*s_i)^2 (0-10,000 scale).
/// The unattributed share is `residual_share`. `top3_share` is the sum of the
/// three largest named-country shares. Several rows of the same country
/// (facilities) are summed first. Countries with zero output are not listed.
///
/// By owner: each location's quantity q is split by the ownership rows for
/// (key, location): owner o gets q x share_o and the location keeps
/// q x (1 - sum of shares). For each location the rows used are those of the
/// latest ownership year <= the analysis year, else of the earliest later
/// year (ownership changes slowly, and a near year beats none); a note in
/// `assumptions` says so whenever a year other than the analysis year is
/// used, and when ownership rows match no producing location. Unattributed
/// output stays unattributed, and the total is the same as by location.
///
/// Errors: unknown commodity-stage; no production rows for the key/year
/// (the error lists the years that have some); a total of zero.
pub fn concentration(
    ds: &Dataset,
    key: &CommodityKey,
    year: Option<i32>,
    by: By,
) -> Result<Concentration, AnalysisError> {
    let commodity = ds.commodity(key).ok_or_else(|| AnalysisError::UnknownCommodity { key: key.clone() })?;
    let years = ds.production_years(key);
    let no_data = |year| AnalysisError::NoProduction { key: key.clone(), year, years: years.clone() };
    let year = pick_year(ds, year, &years).ok_or_else(|| no_data(None))?;
    if !years.contains(&year) {
        return Err(no_data(Some(year)));
    }

    let mut located: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut estimated: BTreeSet<CountryCode> = BTreeSet::new();
    let mut unattributed = 0.0;
    for p in ds.production.iter().filter(|p| &p.key == key && p.year == year) {
        match p.country {
            Some(c) => {
                *located.entry(c).or_default() += p.quantity;
                if p.estimated {
                    estimated.insert(c);
                }
            }
            None => unattributed += p.quantity,
        }
    }

    let mut assumptions = Vec::new();
    let credited = match by {
        By::Location => located,
        By::Owner => {
            let (owned, owned_estimated) = to_owners(ds, key, year, &located, &estimated, &mut assumptions);
            estimated = owned_estimated;
            owned
        }
    };

    let s = split(&credited, unattributed)
        .ok_or(AnalysisError::ZeroTotal { key: key.clone(), year, what: "production" })?;
    let producers: Vec<ProducerShare> = s
        .ranked
        .iter()
        .map(|&(country, quantity, share)| ProducerShare {
            country,
            name: ds.country_name(country).to_string(),
            quantity,
            share,
            estimated: estimated.contains(&country),
        })
        .collect();
    Ok(Concentration {
        commodity: key.commodity.clone(),
        stage: key.stage.clone(),
        year,
        unit: commodity.unit.code.to_string(),
        by,
        total: s.total,
        hhi: s.hhi,
        top3_share: s.top3_share,
        top1: producers.first().cloned(),
        residual_share: s.residual_share,
        groups: group_shares(ds, &s.ranked),
        n_producers: producers.len(),
        producers,
        assumptions,
    })
}

/// Re-credits output by location to owner countries (see [`concentration`]).
/// Returns the quantities by owner and the owners credited with any
/// estimated output.
fn to_owners(
    ds: &Dataset,
    key: &CommodityKey,
    year: i32,
    located: &BTreeMap<CountryCode, f64>,
    estimated: &BTreeSet<CountryCode>,
    notes: &mut Vec<String>,
) -> (BTreeMap<CountryCode, f64>, BTreeSet<CountryCode>) {
    // location -> year -> rows
    let mut table: BTreeMap<CountryCode, BTreeMap<i32, Vec<&Ownership>>> = BTreeMap::new();
    for o in ds.ownership.iter().filter(|o| &o.key == key) {
        table.entry(o.location).or_default().entry(o.year).or_default().push(o);
    }
    let place = |c: CountryCode| format!("{} ({c})", ds.country_name(c));

    let mut owned: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut owned_estimated = BTreeSet::new();
    let mut credit = |c: CountryCode, q: f64, est: bool| {
        *owned.entry(c).or_default() += q;
        if est && q > 0.0 {
            owned_estimated.insert(c);
        }
    };
    let mut without = 0;
    for (&loc, &q) in located {
        let est = estimated.contains(&loc);
        let Some((row_year, rows)) = table.get(&loc).and_then(|by_year| nearest_year(by_year, year)) else {
            credit(loc, q, est);
            without += usize::from(q > 0.0);
            continue;
        };
        if *row_year != year && q > 0.0 {
            notes.push(format!(
                "ownership of {key} output in {} is taken from {row_year} (no ownership rows for {year})",
                place(loc)
            ));
        }
        // Validation allows a sum up to 1 + 1e-9; rescale so the location's
        // output is conserved exactly rather than going negative.
        let sum: f64 = rows.iter().map(|o| o.share).sum();
        let scale = if sum > 1.0 { 1.0 / sum } else { 1.0 };
        let mut given = 0.0;
        for o in rows {
            let part = q * o.share * scale;
            given += part;
            credit(o.owner, part, est);
        }
        credit(loc, (q - given).max(0.0), est);
    }

    for &loc in table.keys() {
        if !located.get(&loc).is_some_and(|&q| q > 0.0) {
            notes.push(format!(
                "ownership rows for {key} in {} match no production there in {year}; not used",
                place(loc)
            ));
        }
    }
    if table.is_empty() {
        notes.push(format!("the dataset has no ownership rows for {key}; all output is credited to its location"));
    } else if without > 0 {
        notes.push(format!(
            "{without} producing location(s) of {key} have no ownership rows; their output is credited to the location"
        ));
    }
    (owned, owned_estimated)
}

/// Share (0-1) of the output of `key` in `year` located in members of
/// `group`, with the conventions of [`concentration()`]: a share of the sum of
/// all rows, so unattributed output counts in the total and in no group.
/// [`Concentration::groups`] carries every declared group's share already;
/// this is the single-number form, by location, for callers that want one
/// group and an error when it does not exist. For the share by owner, read
/// `concentration(.., By::Owner)?.groups`.
///
/// Errors: an undeclared group, plus those of [`concentration()`].
pub fn group_share(ds: &Dataset, key: &CommodityKey, year: Option<i32>, group: &str) -> Result<f64, AnalysisError> {
    let unknown = || AnalysisError::UnknownGroup {
        group: group.to_string(),
        known: ds.group_names().into_iter().map(str::to_string).collect(),
    };
    if ds.group(group).is_empty() {
        return Err(unknown());
    }
    let c = concentration(ds, key, year, By::Location)?;
    c.groups.get(group).copied().ok_or_else(unknown)
}

/// The entry of the latest year <= `year`, else of the earliest later year.
fn nearest_year<T>(by_year: &BTreeMap<i32, T>, year: i32) -> Option<(&i32, &T)> {
    by_year.range(..=year).next_back().or_else(|| by_year.range((Excluded(year), Unbounded)).next())
}

/// [`concentration`] by location of every commodity-stage with production
/// data in the year (`None`: each key's default, as in [`concentration`]),
/// sorted by commodity id then stage in the manifest's upstream-first order.
/// Commodity-stages with no production rows in that year, or a zero total,
/// are left out.
pub fn overview(ds: &Dataset, year: Option<i32>) -> Vec<Concentration> {
    ds.commodities_sorted()
        .into_iter()
        .filter_map(|c| concentration(ds, &c.key, year, By::Location).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{close, Fx};

    fn key() -> CommodityKey {
        CommodityKey::new("x", "mining")
    }

    /// Three producers 60/30/10 plus an unattributed row of 10:
    /// total = 60 + 30 + 10 + 10 = 110.
    fn three_plus_other() -> Dataset {
        Fx::new()
            .prod("x/mining", "AU", "", 2024, 60.0)
            .prod("x/mining", "CN", "", 2024, 30.0)
            .prod("x/mining", "US", "", 2024, 10.0)
            .prod("x/mining", "ZZ", "Other countries", 2024, 10.0)
            .group("concern", &["CN"])
            .group("partners", &["AU", "US", "JP"])
            .build()
    }

    #[test]
    fn shares_hhi_residual_by_hand() {
        let ds = three_plus_other();
        let c = concentration(&ds, &key(), Some(2024), By::Location).unwrap();
        // total 110; shares 60/110, 30/110, 10/110; residual 10/110.
        assert_eq!(c.total, 110.0);
        assert_eq!(c.unit, "t");
        assert_eq!(c.n_producers, 3);
        let order: Vec<&str> = c.producers.iter().map(|p| p.country.as_str()).collect();
        assert_eq!(order, ["AU", "CN", "US"]);
        close(c.producers[0].share, 0.545_454_545_454_545_4);
        close(c.producers[1].share, 0.272_727_272_727_272_7);
        close(c.producers[2].share, 0.090_909_090_909_090_9);
        close(c.residual_share, 0.090_909_090_909_090_9);
        // HHI = (100/110)^2 * (60^2 + 30^2 + 10^2) = 0.826446... * 4600 = 3801.652892...
        close(c.hhi, 3_801.652_892_561_983);
        // top3 = 100/110 = 0.909090...
        close(c.top3_share, 0.909_090_909_090_909_1);
        assert_eq!(c.top1.as_ref().map(|p| p.country.as_str()), Some("AU"));
        assert_eq!(c.top1.as_ref().map(|p| p.name.as_str()), Some("Australia"));
        // Groups: concern = CN = 30/110; partners = AU + US = 70/110 (JP has none).
        close(c.groups["concern"], 0.272_727_272_727_272_7);
        close(c.groups["partners"], 0.636_363_636_363_636_4);
        assert_eq!(c.groups.len(), 2);
        assert!(c.assumptions.is_empty());
    }

    #[test]
    fn facilities_of_one_country_are_summed_and_estimated_flag_kept() {
        let ds = Fx::new()
            .prod("x/mining", "AU", "Mine A", 2024, 20.0)
            .prod_est("x/mining", "AU", "Mine B", 2024, 20.0)
            .prod("x/mining", "CN", "", 2024, 60.0)
            .build();
        let c = concentration(&ds, &key(), Some(2024), By::Location).unwrap();
        // AU = 20 + 20 = 40 of 100; CN 60 of 100. HHI = 60^2 + 40^2 = 5200.
        assert_eq!(c.n_producers, 2);
        assert_eq!(c.producers[1].country.as_str(), "AU");
        close(c.producers[1].quantity, 40.0);
        close(c.producers[1].share, 0.4);
        assert!(c.producers[1].estimated);
        assert!(!c.producers[0].estimated);
        close(c.hhi, 5200.0);
        close(c.residual_share, 0.0);
    }

    #[test]
    fn ties_are_broken_by_country_code() {
        let ds = Fx::new()
            .prod("x/mining", "US", "", 2024, 25.0)
            .prod("x/mining", "CN", "", 2024, 25.0)
            .prod("x/mining", "AU", "", 2024, 25.0)
            .prod("x/mining", "JP", "", 2024, 25.0)
            .build();
        let c = concentration(&ds, &key(), Some(2024), By::Location).unwrap();
        let order: Vec<&str> = c.producers.iter().map(|p| p.country.as_str()).collect();
        assert_eq!(order, ["AU", "CN", "JP", "US"]);
        // Four equal shares: HHI = 4 * 25^2 = 2500 = 10,000 / 4; top3 = 0.75.
        close(c.hhi, 2500.0);
        close(c.top3_share, 0.75);
    }

    #[test]
    fn by_owner_splits_located_output() {
        // ID 100 of which 60% owned from CN; CN itself 50; unattributed 10.
        let ds = Fx::new()
            .prod("x/mining", "ID", "", 2024, 100.0)
            .prod("x/mining", "CN", "", 2024, 50.0)
            .prod("x/mining", "ZZ", "Other countries", 2024, 10.0)
            .own("x/mining", "ID", "CN", 2024, 0.6)
            .build();
        let loc = concentration(&ds, &key(), Some(2024), By::Location).unwrap();
        let own = concentration(&ds, &key(), Some(2024), By::Owner).unwrap();
        // By location: ID 100, CN 50. By owner: CN 50 + 60 = 110, ID 40.
        assert_eq!(loc.producers[0].country.as_str(), "ID");
        close(loc.producers[0].quantity, 100.0);
        assert_eq!(own.by, By::Owner);
        assert_eq!(own.producers[0].country.as_str(), "CN");
        close(own.producers[0].quantity, 110.0);
        assert_eq!(own.producers[1].country.as_str(), "ID");
        close(own.producers[1].quantity, 40.0);
        // Totals agree (160) and the unattributed 10 stays unattributed.
        close(own.total, 160.0);
        close(loc.total, 160.0);
        close(own.residual_share, 10.0 / 160.0);
        // HHI by owner = (100/160)^2 (110^2 + 40^2) = 0.390625 * 13700 = 5351.5625
        close(own.hhi, 5351.5625);
        // One note: CN's production has no ownership rows.
        assert_eq!(own.assumptions.len(), 1, "{:?}", own.assumptions);
    }

    #[test]
    fn ownership_year_falls_back_and_says_so() {
        // ID ownership known for 2022 (0.5 CN) and 2026 (0.9 CN): for 2024
        // the latest year <= 2024 is 2022. JP ownership only for 2026: the
        // earliest later year. KR rows match no 2024 production.
        let ds = Fx::new()
            .prod("x/mining", "ID", "", 2024, 100.0)
            .prod("x/mining", "JP", "", 2024, 10.0)
            .prod("x/mining", "KR", "", 2023, 10.0)
            .own("x/mining", "ID", "CN", 2022, 0.5)
            .own("x/mining", "ID", "CN", 2026, 0.9)
            .own("x/mining", "JP", "US", 2026, 1.0)
            .own("x/mining", "KR", "US", 2024, 0.3)
            .build();
        let c = concentration(&ds, &key(), Some(2024), By::Owner).unwrap();
        // CN = 0.5 * 100 = 50; ID = 50; US = 1.0 * 10 = 10; JP = 0. Total 110.
        let q: BTreeMap<&str, f64> = c.producers.iter().map(|p| (p.country.as_str(), p.quantity)).collect();
        assert_eq!(q.len(), 3, "{q:?}");
        close(q["CN"], 50.0);
        close(q["ID"], 50.0);
        close(q["US"], 10.0);
        close(c.total, 110.0);
        let notes = c.assumptions.join("\n");
        assert!(notes.contains("Indonesia (ID)") && notes.contains("2022"), "{notes}");
        assert!(notes.contains("Japan (JP)") && notes.contains("2026"), "{notes}");
        assert!(notes.contains("Korea (KR)") && notes.contains("match no production"), "{notes}");
        assert_eq!(c.assumptions.len(), 3, "{notes}");
    }

    #[test]
    fn default_year_then_latest_year() {
        let mut fx = Fx::new()
            .prod("x/mining", "AU", "", 2023, 1.0)
            .prod("x/mining", "AU", "", 2024, 2.0);
        let ds = fx.clone().build();
        assert_eq!(concentration(&ds, &key(), None, By::Location).unwrap().year, 2024);
        fx.ds.manifest.default_year = Some(2023);
        let ds = fx.clone().build();
        let c = concentration(&ds, &key(), None, By::Location).unwrap();
        assert_eq!((c.year, c.total), (2023, 1.0));
        fx.ds.manifest.default_year = Some(2020);
        let ds = fx.build();
        let e = concentration(&ds, &key(), None, By::Location).unwrap_err();
        assert_eq!(e.to_string(), "no production data for x/mining in 2020; years with data: 2023, 2024");
    }

    #[test]
    fn errors_name_the_problem() {
        let ds = Fx::new()
            .commodity("y", "refining", "kg")
            .prod("x/mining", "AU", "", 2024, 0.0)
            .prod("x/mining", "ZZ", "Other countries", 2024, 0.0)
            .build();
        let e = concentration(&ds, &CommodityKey::new("nope", "mining"), None, By::Location).unwrap_err();
        assert_eq!(e.to_string(), "unknown commodity-stage `nope/mining`: not declared in the dataset");
        let e = concentration(&ds, &CommodityKey::new("y", "refining"), None, By::Location).unwrap_err();
        assert_eq!(e.to_string(), "no production data for y/refining in any year");
        let e = concentration(&ds, &key(), Some(2019), By::Location).unwrap_err();
        assert_eq!(e.to_string(), "no production data for x/mining in 2019; years with data: 2024");
        let e = concentration(&ds, &key(), None, By::Owner).unwrap_err();
        assert_eq!(e, AnalysisError::ZeroTotal { key: key(), year: 2024, what: "production" });
        // Extreme years do not overflow.
        assert!(concentration(&ds, &key(), Some(i32::MAX), By::Owner).is_err());
        assert!(concentration(&ds, &key(), Some(i32::MIN), By::Owner).is_err());
    }

    #[test]
    fn only_unattributed_output() {
        let ds = Fx::new().prod("x/mining", "ZZ", "Other countries", 2024, 5.0).build();
        let c = concentration(&ds, &key(), None, By::Owner).unwrap();
        assert_eq!((c.n_producers, c.hhi, c.top3_share, c.residual_share), (0, 0.0, 0.0, 1.0));
        assert!(c.top1.is_none());
    }

    #[test]
    fn overview_sorts_by_commodity_then_stage_and_skips_empty() {
        let ds = Fx::new()
            .commodity("a", "refining", "t")
            .commodity("a", "mining", "kg")
            .commodity("b", "mining", "t")
            .prod("x/mining", "AU", "", 2024, 1.0)
            .prod("a/refining", "CN", "", 2024, 1.0)
            .prod("a/mining", "CN", "", 2023, 1000.0)
            .build();
        let o = overview(&ds, None);
        let keys: Vec<String> = o.iter().map(|c| format!("{}/{}", c.commodity, c.stage)).collect();
        // b/mining has no production; mining precedes refining in the manifest.
        assert_eq!(keys, ["a/mining", "a/refining", "x/mining"]);
        assert_eq!(o[0].unit, "kg");
        // With a year, keys without data in that year are skipped.
        assert_eq!(overview(&ds, Some(2023)).len(), 1);
    }

    #[test]
    fn serializes_with_documented_field_names() {
        let ds = three_plus_other();
        let c = concentration(&ds, &key(), Some(2024), By::Owner).unwrap();
        let v = serde_json::to_value(&c).unwrap();
        for field in [
            "commodity", "stage", "year", "unit", "by", "total", "hhi", "top3_share", "top1",
            "residual_share", "producers", "groups", "n_producers", "assumptions",
        ] {
            assert!(v.get(field).is_some(), "missing {field}");
        }
        assert_eq!(v["by"], "owner");
        assert_eq!(v["top1"]["country"], "AU");
        assert_eq!(v["producers"][1]["name"], "China");
        assert_eq!(v["groups"]["concern"], serde_json::json!(30.0 / 110.0));
    }

    #[test]
    fn group_share_by_hand() {
        // CN 70, RU 10, AU 15, unattributed 5: total 100.
        let ds = Fx::new()
            .prod("x/mining", "CN", "", 2024, 70.0)
            .prod("x/mining", "RU", "", 2024, 10.0)
            .prod("x/mining", "AU", "", 2024, 15.0)
            .prod("x/mining", "ZZ", "Other countries", 2024, 5.0)
            .group("concern", &["CN", "RU", "KP"])
            .group("partners", &["JP", "US"])
            .build();
        let key = CommodityKey::new("x", "mining");
        // concern = (70 + 10) / 100; partners produce nothing.
        close(group_share(&ds, &key, None, "concern").unwrap(), 0.8);
        assert_eq!(group_share(&ds, &key, None, "partners").unwrap(), 0.0);
        let e = group_share(&ds, &key, None, "g7").unwrap_err();
        assert_eq!(e.to_string(), "unknown group `g7`; the dataset declares: concern, partners");
        let e = group_share(&ds, &CommodityKey::new("x", "refining"), None, "concern").unwrap_err();
        assert!(matches!(e, AnalysisError::UnknownCommodity { .. }), "{e}");
    }
}
