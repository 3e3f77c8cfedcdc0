//! Reserves: where the ore in the ground is, how concentrated it is, and how
//! many years of current production it would cover.

use crate::error::AnalysisError;
use crate::shares::{group_shares, pick_year, split};
use lodestone_model::{Bound, CommodityKey, CountryCode, Dataset};
use std::collections::BTreeMap;

/// One named country's reserves.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReserveShare {
    pub country: CountryCode,
    pub name: String,
    /// In the commodity-stage's unit.
    pub quantity: f64,
    /// Fraction of total reserves (0-1).
    pub share: f64,
    /// How the published figure bounds the truth (several rows of one country
    /// combine: exact + `>` is `>`); `None` when its rows bound it in opposite
    /// directions, so the sum is neither a floor nor a ceiling.
    pub bound: Option<Bound>,
    /// The country's production in `ReserveSummary::production_year`, when
    /// it has any.
    pub production: Option<f64>,
    /// quantity / production, in years, when production > 0.
    pub years_of_production: Option<f64>,
}

/// Reserves of one commodity-stage as of one year. Same share conventions as
/// [`crate::concentration()`]: shares of the sum of all rows; HHI over named
/// countries; the unattributed part is `residual_share`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReserveSummary {
    pub commodity: String,
    pub stage: String,
    pub year: i32,
    pub unit: String,
    /// Sum of all reserve rows, named and unattributed.
    pub total: f64,
    pub hhi: f64,
    pub top3_share: f64,
    pub residual_share: f64,
    /// Rows whose figure is only a lower bound (`>`): when non-zero the total
    /// is a floor too.
    pub lower_bound_rows: usize,
    /// Named countries with reserves > 0, largest first, ties by code.
    pub countries: Vec<ReserveShare>,
    /// Every declared group -> share of total reserves held by its members.
    pub groups: BTreeMap<String, f64>,
    /// The production year used for reserves/production (see [`reserves`]).
    pub production_year: Option<i32>,
    /// Total production (all rows) in `production_year`.
    pub production_total: Option<f64>,
    /// total / production_total, in years; `None` without production.
    pub years_of_production: Option<f64>,
    pub assumptions: Vec<String>,
}

/// Sum of bounds: exact + x = x, x + x = x, `>` + `<` = unknown (`None`).
fn combine(acc: Option<Bound>, b: Bound) -> Option<Bound> {
    match (acc?, b) {
        (Bound::Exact, b) => Some(b),
        (a, Bound::Exact) => Some(a),
        (a, b) if a == b => Some(a),
        _ => None,
    }
}

/// Reserves of `key` as of `year` (`None`: the manifest's `default_year`, else
/// the latest year with reserve rows).
///
/// Reserves/production compares with production of the same year; when there
/// is none, with the latest earlier year that has production (noted in
/// `assumptions`), since reserve estimates are published with a lag. The
/// ratio uses all production rows, named and unattributed, like the total.
///
/// Errors: unknown commodity-stage; no reserve rows for the key/year (the
/// error lists the years that have some); a total of zero.
pub fn reserves(ds: &Dataset, key: &CommodityKey, year: Option<i32>) -> Result<ReserveSummary, AnalysisError> {
    let commodity = ds.commodity(key).ok_or_else(|| AnalysisError::UnknownCommodity { key: key.clone() })?;
    let mut years: Vec<i32> = ds.reserves.iter().filter(|r| &r.key == key).map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    let no_data = |year| AnalysisError::NoReserves { key: key.clone(), year, years: years.clone() };
    let year = pick_year(ds, year, &years).ok_or_else(|| no_data(None))?;
    if !years.contains(&year) {
        return Err(no_data(Some(year)));
    }

    let mut named: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut bounds: BTreeMap<CountryCode, Option<Bound>> = BTreeMap::new();
    let mut unattributed = 0.0;
    let mut lower_bound_rows = 0;
    for r in ds.reserves.iter().filter(|r| &r.key == key && r.year == year) {
        lower_bound_rows += usize::from(r.bound == Bound::AtLeast);
        match r.country {
            Some(c) => {
                *named.entry(c).or_default() += r.quantity;
                let b = bounds.entry(c).or_insert(Some(Bound::Exact));
                *b = combine(*b, r.bound);
            }
            None => unattributed += r.quantity,
        }
    }
    let s = split(&named, unattributed).ok_or(AnalysisError::ZeroTotal { key: key.clone(), year, what: "reserves" })?;

    let mut assumptions = Vec::new();
    let production_year = ds.production_years(key).into_iter().rfind(|&y| y <= year);
    if let Some(py) = production_year.filter(|&py| py != year) {
        assumptions.push(format!(
            "no production of {key} in {year}; reserves/production uses production in {py}"
        ));
    }
    let mut produced: BTreeMap<CountryCode, f64> = BTreeMap::new();
    let mut production_total = None;
    if let Some(py) = production_year {
        let mut t = 0.0;
        for p in ds.production.iter().filter(|p| &p.key == key && p.year == py) {
            t += p.quantity;
            if let Some(c) = p.country {
                *produced.entry(c).or_default() += p.quantity;
            }
        }
        production_total = Some(t);
    }
    let ratio = |r: f64, p: Option<f64>| p.filter(|&p| p > 0.0).map(|p| r / p);

    let countries = s
        .ranked
        .iter()
        .map(|&(country, quantity, share)| {
            let production = produced.get(&country).copied();
            ReserveShare {
                country,
                name: ds.country_name(country).to_string(),
                quantity,
                share,
                bound: bounds.get(&country).copied().flatten(),
                production,
                years_of_production: ratio(quantity, production),
            }
        })
        .collect();
    Ok(ReserveSummary {
        commodity: key.commodity.clone(),
        stage: key.stage.clone(),
        year,
        unit: commodity.unit.code.to_string(),
        total: s.total,
        hhi: s.hhi,
        top3_share: s.top3_share,
        residual_share: s.residual_share,
        lower_bound_rows,
        countries,
        groups: group_shares(ds, &s.ranked),
        production_year,
        production_total,
        years_of_production: ratio(s.total, production_total),
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{close, Fx};

    fn key() -> CommodityKey {
        CommodityKey::new("x", "mining")
    }

    #[test]
    fn shares_and_years_of_production_by_hand() {
        // Reserves 2024: CN 800 (>), AU 150, ZZ 50 -> total 1000.
        // Production 2024: CN 40, AU 10, ZZ 0 -> total 50; BR produces 5 but
        // has no reserve row -> production total 55.
        let ds = Fx::new()
            .reserve("x/mining", "CN", 2024, 800.0, Bound::AtLeast)
            .reserve("x/mining", "AU", 2024, 150.0, Bound::Exact)
            .reserve("x/mining", "ZZ", 2024, 50.0, Bound::Exact)
            .prod("x/mining", "CN", "", 2024, 40.0)
            .prod("x/mining", "AU", "", 2024, 10.0)
            .prod("x/mining", "BR", "", 2024, 5.0)
            .group("concern", &["CN"])
            .build();
        let r = reserves(&ds, &key(), None).unwrap();
        assert_eq!((r.year, r.total, r.lower_bound_rows), (2024, 1000.0, 1));
        close(r.countries[0].share, 0.8);
        close(r.countries[1].share, 0.15);
        close(r.residual_share, 0.05);
        // HHI = 80^2 + 15^2 = 6400 + 225 = 6625; top3 = 0.8 + 0.15.
        close(r.hhi, 6625.0);
        close(r.top3_share, 0.95);
        close(r.groups["concern"], 0.8);
        // R/P: 1000 / 55 = 18.1818...; CN 800 / 40 = 20; AU 150 / 10 = 15.
        assert_eq!(r.production_year, Some(2024));
        close(r.production_total.unwrap(), 55.0);
        close(r.years_of_production.unwrap(), 18.181_818_181_818_18);
        close(r.countries[0].years_of_production.unwrap(), 20.0);
        close(r.countries[1].years_of_production.unwrap(), 15.0);
        assert_eq!(r.countries[0].bound, Some(Bound::AtLeast));
        assert_eq!(r.countries[1].bound, Some(Bound::Exact));
        assert!(r.assumptions.is_empty());
    }

    #[test]
    fn production_year_falls_back_or_is_absent() {
        let ds = Fx::new()
            .reserve("x/mining", "CN", 2024, 100.0, Bound::Exact)
            .reserve("x/mining", "AU", 2020, 100.0, Bound::Exact)
            .prod("x/mining", "AU", "", 2023, 4.0)
            .prod("x/mining", "AU", "", 2025, 1.0)
            .build();
        let r = reserves(&ds, &key(), Some(2024)).unwrap();
        // Production in 2023 (latest <= 2024): total 4 -> R/P 100 / 4 = 25.
        // CN produced nothing: no per-country ratio.
        assert_eq!(r.production_year, Some(2023));
        close(r.years_of_production.unwrap(), 25.0);
        assert_eq!(r.countries[0].years_of_production, None);
        assert_eq!(r.assumptions.len(), 1);
        let r = reserves(&ds, &key(), Some(2020)).unwrap();
        assert_eq!((r.production_year, r.production_total, r.years_of_production), (None, None, None));
        let e = reserves(&ds, &key(), Some(2022)).unwrap_err();
        assert_eq!(e.to_string(), "no reserves data for x/mining in 2022; years with data: 2020, 2024");
    }

    #[test]
    fn bounds_combine() {
        use Bound::*;
        assert_eq!(combine(Some(Exact), AtLeast), Some(AtLeast));
        assert_eq!(combine(Some(AtLeast), Exact), Some(AtLeast));
        assert_eq!(combine(Some(AtMost), AtMost), Some(AtMost));
        assert_eq!(combine(Some(AtLeast), AtMost), None);
        assert_eq!(combine(None, Exact), None);
    }

    #[test]
    fn zero_production_gives_no_ratio_and_zero_reserves_is_an_error() {
        let ds = Fx::new()
            .reserve("x/mining", "CN", 2024, 100.0, Bound::Exact)
            .reserve("x/mining", "CN", 2023, 0.0, Bound::Exact)
            .prod("x/mining", "CN", "", 2024, 0.0)
            .build();
        let r = reserves(&ds, &key(), None).unwrap();
        assert_eq!((r.production_total, r.years_of_production, r.countries[0].years_of_production), (Some(0.0), None, None));
        let e = reserves(&ds, &key(), Some(2023)).unwrap_err();
        assert_eq!(e.to_string(), "total reserves of x/mining in 2023 is zero, so shares are undefined");
    }
}
