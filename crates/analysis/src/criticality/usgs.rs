//! The USGS supply-risk screening behind the 2022 U.S. Critical Minerals
//! List (Nassar et al. 2020, "Evaluating the mineral commodity supply risk of
//! the U.S. manufacturing sector", Science Advances 6:eaay8647; Nassar &
//! Fortier 2021, "Methodology and technical input for the 2021 review and
//! revision of the U.S. Critical Minerals List", USGS Open-File Report
//! 2021-1045):
//!
//! ```text
//! supply risk = DP x TE x EV
//! DP = sum_c s_c^2 x g_c        disruption potential: production shares s_c (0-1)
//!                                weighted by governance g_c (0 best - 1 worst)
//! TE = net import reliance (0-1) trade exposure
//! EV = economic vulnerability    (user input: the dataset has no sector data)
//! g_c = clamp((2.5 - WGI_c) / 5, 0, 1)
//! ```
//!
//! What the sources available when this was written establish: supply risk
//! combines three factors, the likelihood of a foreign supply disruption
//! (DP), the dependency of U.S. manufacturers on foreign supplies (TE) and
//! their ability to withstand a disruption (EV) (Nassar et al. 2020,
//! abstract); the 2021 review ranks commodities by a recency-weighted mean of
//! yearly supply risk over 2015-2018 and recommended those at or above 0.40
//! (USGS, figure 3 of S. Fortier's 31 March 2022 Senate testimony, citing
//! Nassar & Fortier 2021). What they do not establish: how DP turns WGI
//! estimates into country scores, how TE adjusts net import reliance, and
//! whether the three factors are multiplied as such or combined on another
//! scale (for example a geometric mean). The formula above is Lodestone's
//! reading; every computed result says so, and callers can supply DP (and
//! TE, EV) from the report to reproduce its values.
//!
//! What the dataset supports is computed (DP from production and WGI
//! estimates; TE from published net import reliance, else from trade and
//! production); EV, and anything the caller prefers, is supplied. The result
//! says which. This computes one year.
//!
//! [`disruption_potential`] and [`supply_risk`] are the core over explicit
//! terms; [`assess`] derives the terms from a dataset.

use super::{
    check_key, check_range, governance_estimate, indicator_label, production_by_country, production_rows,
    CriticalityError, ProductionSource, ScoreSource,
};
use lodestone_model::{Bound, CommodityKey, CountryCode, Dataset};
use std::collections::BTreeMap;

pub const METHOD: &str = "USGS supply risk (Nassar et al. 2020; Nassar & Fortier 2021, OFR 2021-1045)";

/// Carried by every result whose DP Lodestone computed.
pub const DP_NOT_CHECKED: &str = "method text not checked: DP = sum s^2 x g with g = (2.5 - WGI estimate)/5 clamped to 0-1 is Lodestone's reading of Nassar et al. 2020 / OFR 2021-1045; the report's text was not available to verify how it scores countries from the WGI; supply DP to use the report's own values";

/// Carried by every result that combines DP and TE (and EV).
pub const COMBINATION_NOT_CHECKED: &str = "method text not checked: TE = net import reliance as such and supply risk = DP x TE x EV as a plain product are Lodestone's reading; whether the report adjusts net import reliance or combines the three on another scale (for example a geometric mean) could not be verified, so comparing these values with the report's 0.40 threshold is not supported";

/// Governance score g on 0 (best) to 1 (worst) from a WGI estimate:
/// (2.5 - estimate) / 5, clamped to 0-1.
pub fn governance_score(estimate: f64) -> f64 {
    ((2.5 - estimate) / 5.0).clamp(0.0, 1.0)
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Producer {
    pub country: CountryCode,
    /// Share of world production, 0-1.
    pub share: f64,
    /// Governance score, 0 best - 1 worst.
    pub g: f64,
}

/// DP = sum_c s_c^2 x g_c (0-1).
pub fn disruption_potential(producers: &[Producer]) -> f64 {
    producers.iter().map(|p| p.share * p.share * p.g).sum()
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UsgsInputs {
    /// Disruption potential, 0-1.
    pub dp: f64,
    /// Trade exposure (net import reliance), 0-1.
    pub te: f64,
    /// Economic vulnerability.
    pub ev: f64,
}

impl UsgsInputs {
    pub fn validate(&self) -> Result<(), CriticalityError> {
        check_range("dp", self.dp, 0.0, 1.0)?;
        check_range("te", self.te, 0.0, 1.0)?;
        check_range("ev", self.ev, 0.0, f64::MAX)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UsgsTerms {
    pub inputs: UsgsInputs,
    /// DP x TE.
    pub dp_x_te: f64,
    /// DP x TE x EV.
    pub supply_risk: f64,
}

/// Supply risk = DP x TE x EV.
pub fn supply_risk(inputs: &UsgsInputs) -> UsgsTerms {
    let dp_x_te = inputs.dp * inputs.te;
    UsgsTerms { inputs: inputs.clone(), dp_x_te, supply_risk: dp_x_te * inputs.ev }
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct UsgsOverrides {
    /// WGI estimates per country, taking precedence over the dataset's.
    pub governance: BTreeMap<CountryCode, f64>,
    pub governance_year: Option<i32>,
    /// DP, replacing the one computed from production.
    pub disruption_potential: Option<f64>,
    /// TE (0-1), replacing published or computed net import reliance.
    pub trade_exposure: Option<f64>,
    /// EV; without it no supply risk is given.
    pub economic_vulnerability: Option<f64>,
    /// Commodity-stages whose trade is used when TE is computed from trade;
    /// the assessed key when empty.
    pub trade_keys: Vec<CommodityKey>,
    pub production_source: ProductionSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermSource {
    /// Given by the caller.
    User,
    /// Computed from the dataset's production and governance rows.
    Computed,
    /// The dataset's published net import reliance.
    Published,
    /// Computed from the dataset's trade and production rows.
    ComputedFromTrade,
    /// Not available.
    Missing,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ProducerRow {
    pub country: CountryCode,
    pub quantity: f64,
    pub share: f64,
    pub estimate: Option<f64>,
    pub score_source: ScoreSource,
    /// `None` when no score: the term is left out.
    pub g: Option<f64>,
    pub term: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UsgsAssessment {
    pub method: &'static str,
    pub key: CommodityKey,
    pub country: CountryCode,
    pub year: i32,
    pub governance_year: i32,
    pub governance_indicator: String,
    pub unattributed_share: f64,
    /// Largest first.
    pub producers: Vec<ProducerRow>,
    pub dp: Option<f64>,
    pub dp_source: TermSource,
    pub te: Option<f64>,
    pub te_source: TermSource,
    /// What TE was read or computed from.
    pub te_detail: String,
    pub ev: Option<f64>,
    pub ev_source: TermSource,
    /// DP x TE, when both are known.
    pub dp_x_te: Option<f64>,
    /// All three terms, when all are known.
    pub terms: Option<UsgsTerms>,
    pub deviations_from_method: Vec<String>,
    pub notes: Vec<String>,
}

/// Assesses one commodity-stage for `country` in `year`.
pub fn assess(
    ds: &Dataset,
    key: &CommodityKey,
    country: CountryCode,
    year: i32,
    overrides: &UsgsOverrides,
) -> Result<UsgsAssessment, CriticalityError> {
    check_key(ds, key)?;
    if ds.country(country).is_none() {
        return Err(CriticalityError::UnknownCountry { country });
    }
    for k in &overrides.trade_keys {
        check_key(ds, k)?;
    }
    if let Some(v) = overrides.disruption_potential {
        check_range("disruption_potential", v, 0.0, 1.0)?;
    }
    if let Some(v) = overrides.trade_exposure {
        check_range("trade_exposure", v, 0.0, 1.0)?;
    }
    if let Some(v) = overrides.economic_vulnerability {
        check_range("economic_vulnerability", v, 0.0, f64::MAX)?;
    }
    let governance_year = overrides.governance_year.unwrap_or(year);
    let mut deviations = vec![];
    let mut notes = vec![];
    let rows = production_rows(ds, overrides.production_source);
    let production = production_by_country(rows, key, year);
    if production.is_none() && overrides.disruption_potential.is_none() {
        return Err(CriticalityError::NoData { what: "production", keys: vec![key.clone()], year });
    }
    let (named, unattributed) = production.unwrap_or_default();
    let total: f64 = named.values().sum::<f64>() + unattributed;
    let mut producers: Vec<ProducerRow> = named
        .iter()
        .filter(|(_, &q)| q > 0.0 && total > 0.0)
        .map(|(&c, &quantity)| {
            let share = quantity / total;
            let (estimate, score_source) = governance_estimate(ds, &overrides.governance, c, governance_year);
            let g = estimate.map(governance_score);
            ProducerRow { country: c, quantity, share, estimate, score_source, g, term: g.map_or(0.0, |g| share * share * g) }
        })
        .collect();
    producers.sort_by(|a, b| b.quantity.total_cmp(&a.quantity).then(a.country.cmp(&b.country)));
    let computed_dp = (total > 0.0).then(|| producers.iter().map(|p| p.term).sum::<f64>());
    let (dp, dp_source) = match (overrides.disruption_potential, computed_dp) {
        (Some(v), _) => (Some(v), TermSource::User),
        (None, Some(v)) => (Some(v), TermSource::Computed),
        (None, None) => (None, TermSource::Missing),
    };
    if unattributed > 0.0 && total > 0.0 {
        notes.push(format!(
            "{:.1}% of world production is not attributed to a named country; it counts in the total but has no DP term",
            100.0 * unattributed / total
        ));
    }
    let missing: Vec<String> =
        producers.iter().filter(|p| p.g.is_none()).map(|p| p.country.to_string()).collect();
    if !missing.is_empty() && dp_source == TermSource::Computed {
        deviations.push(format!(
            "governance: no score for {} in {governance_year}; their DP terms are left out",
            missing.join(", ")
        ));
    }
    let n_user = producers.iter().filter(|p| p.score_source == ScoreSource::User).count();
    let n_ds = producers.iter().filter(|p| p.score_source == ScoreSource::Dataset).count();
    let (indicator, deviation) = indicator_label(n_user, n_ds, "WGI-based country scores as the report builds them");
    if dp_source == TermSource::Computed {
        deviations.extend(deviation);
        deviations.push(DP_NOT_CHECKED.to_string());
    }

    // Trade exposure: caller, else published NIR, else trade.
    let (te, te_source, te_detail) = if let Some(v) = overrides.trade_exposure {
        (Some(v), TermSource::User, "supplied".to_string())
    } else if let Some(r) = published_nir(ds, country, &key.commodity, year) {
        let v = (r.percent / 100.0).clamp(0.0, 1.0);
        if r.bound != Bound::Exact {
            notes.push(format!("published net import reliance is a bound ({}{}%), used as the value", r.bound.symbol(), r.percent));
        }
        (Some(v), TermSource::Published, format!("{} {}: {}{}% ({})", r.item, r.year, r.bound.symbol(), r.percent, r.source))
    } else {
        let keys = if overrides.trade_keys.is_empty() { vec![key.clone()] } else { overrides.trade_keys.clone() };
        let flows: Vec<_> = ds.trade.iter().filter(|f| f.year == year && keys.contains(&f.key)).collect();
        if flows.is_empty() {
            (None, TermSource::Missing, "no published net import reliance and no trade rows".to_string())
        } else {
            let imports: f64 = flows.iter().filter(|f| f.importer == country && f.exporter != country).map(|f| f.quantity).sum();
            let exports: f64 = flows.iter().filter(|f| f.exporter == country && f.importer != country).map(|f| f.quantity).sum();
            let own = named.get(&country).copied().unwrap_or(0.0);
            let consumption = own + imports - exports;
            let v = if consumption > 0.0 { ((imports - exports) / consumption).clamp(0.0, 1.0) } else { 0.0 };
            deviations.push("TE: computed from trade and production as (imports - exports) / (production + imports - exports), without stock changes; the report uses USGS net import reliance".into());
            (Some(v), TermSource::ComputedFromTrade, format!("imports {imports}, exports {exports}, production {own}"))
        }
    };
    let (ev, ev_source) = match overrides.economic_vulnerability {
        Some(v) => (Some(v), TermSource::User),
        None => {
            notes.push("economic vulnerability not supplied (the dataset has no sector data): no supply risk".into());
            (None, TermSource::Missing)
        }
    };
    deviations.push(format!(
        "one year ({year}); the 2021 review screened on a recency-weighted mean of yearly supply risk over 2015-2018, recommending commodities at or above 0.40 on the report's own scale"
    ));
    let dp_x_te = dp.zip(te).map(|(d, t)| d * t);
    let terms = match (dp, te, ev) {
        (Some(dp), Some(te), Some(ev)) => {
            let inputs = UsgsInputs { dp, te, ev };
            inputs.validate()?;
            Some(supply_risk(&inputs))
        }
        _ => None,
    };
    if dp_x_te.is_some() {
        deviations.push(COMBINATION_NOT_CHECKED.to_string());
    }
    Ok(UsgsAssessment {
        method: METHOD,
        key: key.clone(),
        country,
        year,
        governance_year,
        governance_indicator: indicator,
        unattributed_share: if total > 0.0 { unattributed / total } else { 0.0 },
        producers,
        dp,
        dp_source,
        te,
        te_source,
        te_detail,
        ev,
        ev_source,
        dp_x_te,
        terms,
        deviations_from_method: deviations,
        notes,
    })
}

/// The published figure for the year (first by item name), if any.
fn published_nir<'a>(
    ds: &'a Dataset,
    country: CountryCode,
    commodity: &str,
    year: i32,
) -> Option<&'a lodestone_model::ImportReliance> {
    ds.import_reliance
        .iter()
        .filter(|r| r.country == country && r.commodity == commodity && r.year == year)
        .min_by(|a, b| a.item.cmp(&b.item))
}
