//! The European Commission's criticality method (Blengini et al. 2017, JRC,
//! "Methodology for establishing the EU list of critical raw materials:
//! guidelines", DOI 10.2873/769526, with its background report, Blengini et
//! al. 2017, EUR 28654 EN, DOI 10.2760/73303; the method behind the 2017,
//! 2020 and 2023 lists).
//!
//! Supply risk, for one stage (extraction or processing):
//!
//! ```text
//! SR = [HHI_WGI,t(GS) x IR/2 + HHI_WGI,t(EU sourcing) x (1 - IR/2)] x (1 - EoL_RIR) x SI_SR
//! HHI_WGI,t = sum_c (S_c)^2 x WGI_c x t_c
//! IR = (imports - exports) / (domestic production + imports - exports)
//! ```
//!
//! `S_c` is country c's share (a fraction) of global supply (GS: world
//! production) or of EU sourcing (EU domestic production by member state plus
//! extra-EU imports by origin); `WGI_c` is c's governance score rescaled to
//! 0-10 with 10 the worst governance; `t_c` the trade-restriction factor (1
//! when c restricts nothing). The material's SR is that of the stage with the
//! highest SR (the bottleneck). Economic importance EI = sum_s (A_s x Q_s) x
//! SI_EI; a material is critical when SR >= 1 and EI >= 2.8.
//!
//! Scaling, and what it rests on. With shares as fractions (equivalently,
//! percentages with the sum divided by 10,000) and WGI on 0-10, HHI_WGI,t
//! lies in 0-10 (times t), the scale on which the 1.0 threshold and the
//! published SR values (0.1 to about 5.6 in the 2023 assessment) sit;
//! percentages without that division would put SR in the thousands. The
//! guidelines' own text could not be consulted when this was written (only
//! their title and abstract pages were available), so the scaling is
//! reported in every result as not checked against the text; see
//! `docs/analyses.md` for what was found and where.
//!
//! [`supply_risk`], [`hhi_wgi_t`], [`economic_importance`] are the core over
//! explicit terms; [`assess`] derives the terms from a dataset.

use super::{
    check_key, check_range, governance_estimate, indicator_label, members, production_by_country,
    production_rows, CriticalityError, ProductionSource, Region, ScoreSource,
};
use lodestone_model::{CommodityKey, CountryCode, Dataset};
use std::collections::{BTreeMap, BTreeSet};

/// SR at or above this is high supply risk.
pub const SR_THRESHOLD: f64 = 1.0;
/// EI at or above this is high economic importance.
pub const EI_THRESHOLD: f64 = 2.8;

/// Rescales a WGI estimate (about -2.5 weak to 2.5 strong) to the method's
/// 0-10 scale with 10 the worst governance: linear, `(2.5 - estimate) x 2`,
/// so -2.5 -> 10, 0 -> 5, 2.5 -> 0. Estimates beyond +-2.5 fall outside
/// 0-10; [`assess`] clamps them and says so.
pub fn scale_wgi(estimate: f64) -> f64 {
    (2.5 - estimate) * 2.0
}

/// One supplier in a governance-weighted HHI.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Supplier {
    pub country: CountryCode,
    /// Share of supply, a fraction (0-1).
    pub share: f64,
    /// Governance on the 0-10 scale (10 worst).
    pub wgi_scaled: f64,
    /// Trade-restriction factor (1 = none).
    pub t: f64,
}

/// HHI_WGI,t = sum_c S_c^2 x WGI_c x t_c (0-10 when t = 1 and shares sum to
/// at most 1).
pub fn hhi_wgi_t(suppliers: &[Supplier]) -> f64 {
    suppliers.iter().map(|s| s.share * s.share * s.wgi_scaled * s.t).sum()
}

/// The terms supply risk is made of, for one stage.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EuInputs {
    /// HHI_WGI,t over global supply.
    pub hhi_wgi_t_global: f64,
    /// HHI_WGI,t over EU sourcing (domestic production + imports).
    pub hhi_wgi_t_eu: f64,
    /// Import reliance, 0-1.
    pub import_reliance: f64,
    /// End-of-life recycling input rate, 0-1.
    pub eol_rir: f64,
    /// Substitution index for supply risk, 0-1 (1 = no substitute).
    pub si_sr: f64,
}

impl EuInputs {
    /// Checks every term is finite and in its domain.
    pub fn validate(&self) -> Result<(), CriticalityError> {
        check_range("hhi_wgi_t_global", self.hhi_wgi_t_global, 0.0, f64::MAX)?;
        check_range("hhi_wgi_t_eu", self.hhi_wgi_t_eu, 0.0, f64::MAX)?;
        check_range("import_reliance", self.import_reliance, 0.0, 1.0)?;
        check_range("eol_rir", self.eol_rir, 0.0, 1.0)?;
        check_range("si_sr", self.si_sr, 0.0, 1.0)
    }
}

/// Supply risk with its intermediate terms.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EuTerms {
    pub inputs: EuInputs,
    /// IR/2, the weight of global supply.
    pub weight_global: f64,
    /// 1 - IR/2, the weight of EU sourcing.
    pub weight_eu: f64,
    /// The bracket: HHI_GS x IR/2 + HHI_EU x (1 - IR/2).
    pub concentration: f64,
    /// 1 - EoL_RIR.
    pub recycling_factor: f64,
    pub supply_risk: f64,
}

/// SR = [HHI_GS x IR/2 + HHI_EU x (1 - IR/2)] x (1 - EoL_RIR) x SI_SR.
pub fn supply_risk(inputs: &EuInputs) -> EuTerms {
    let weight_global = inputs.import_reliance / 2.0;
    let weight_eu = 1.0 - weight_global;
    let concentration = inputs.hhi_wgi_t_global * weight_global + inputs.hhi_wgi_t_eu * weight_eu;
    let recycling_factor = 1.0 - inputs.eol_rir;
    EuTerms {
        inputs: inputs.clone(),
        weight_global,
        weight_eu,
        concentration,
        recycling_factor,
        supply_risk: concentration * recycling_factor * inputs.si_sr,
    }
}

/// One end-use sector in economic importance.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Sector {
    /// NACE Rev. 2 two-digit sector (free text).
    pub name: String,
    /// A_s: share of the material's end use in the sector (0-1).
    pub share: f64,
    /// Q_s: the sector's value added, on the scale the caller's EI is
    /// meant to be read on (the guidelines scale it so that EI falls on 0-10;
    /// supply it already scaled).
    pub value_added: f64,
}

/// Economic importance inputs. The default dataset has no sector value
/// added, so these always come from the caller.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EiInputs {
    pub sectors: Vec<Sector>,
    /// Substitution index for economic importance, 0-1.
    pub si_ei: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EiTerms {
    pub inputs: EiInputs,
    /// sum_s A_s x Q_s.
    pub sum_as_qs: f64,
    /// sum_s A_s x Q_s x SI_EI.
    pub economic_importance: f64,
}

/// EI = sum_s (A_s x Q_s) x SI_EI.
pub fn economic_importance(inputs: &EiInputs) -> EiTerms {
    let sum_as_qs: f64 = inputs.sectors.iter().map(|s| s.share * s.value_added).sum();
    EiTerms { inputs: inputs.clone(), sum_as_qs, economic_importance: sum_as_qs * inputs.si_ei }
}

impl EiInputs {
    pub fn validate(&self) -> Result<(), CriticalityError> {
        check_range("si_ei", self.si_ei, 0.0, 1.0)?;
        for s in &self.sectors {
            check_range(&format!("sectors[{}].share", s.name), s.share, 0.0, 1.0)?;
            check_range(&format!("sectors[{}].value_added", s.name), s.value_added, 0.0, f64::MAX)?;
        }
        let total: f64 = self.sectors.iter().map(|s| s.share).sum();
        check_range("sum of sector shares", total, 0.0, 1.0 + 1e-9)
    }
}

/// Critical when SR >= 1 and EI >= 2.8 (values compared unrounded).
pub fn is_critical(supply_risk: f64, economic_importance: f64) -> bool {
    supply_risk >= SR_THRESHOLD && economic_importance >= EI_THRESHOLD
}

/// Import reliance with its terms.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ImportReliance {
    pub production: f64,
    pub imports: f64,
    pub exports: f64,
    /// production + imports - exports.
    pub apparent_consumption: f64,
    /// (imports - exports) / apparent consumption; `None` when apparent
    /// consumption is not positive.
    pub raw: Option<f64>,
    /// `raw` clamped to 0-1 (a net exporter has none; 0 when undefined).
    pub value: f64,
}

/// IR = (imports - exports) / (production + imports - exports), clamped to
/// 0-1. When apparent consumption is not positive, net imports are not
/// positive either, so IR is 0.
pub fn import_reliance(production: f64, imports: f64, exports: f64) -> ImportReliance {
    let apparent_consumption = production + imports - exports;
    let raw = (apparent_consumption > 0.0).then(|| (imports - exports) / apparent_consumption);
    let value = raw.map_or(0.0, |r| r.clamp(0.0, 1.0));
    ImportReliance { production, imports, exports, apparent_consumption, raw, value }
}

/// What is assessed: a material and its stages (extraction, processing),
/// each a commodity-stage whose production rows give global supply and
/// whose trade rows give the region's imports and exports.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EuMaterial {
    pub name: String,
    pub stages: Vec<CommodityKey>,
}

/// What to do with a supplier that has no governance score. The guidelines
/// give no rule for it; either choice is reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingGovernance {
    /// Leave its term out of HHI_WGI,t (its share still counts in the
    /// denominator, so the others' shares are not inflated).
    #[default]
    Exclude,
    /// Use this WGI estimate (on the -2.5..2.5 scale).
    AssumeEstimate(f64),
}

/// The caller's inputs. Everything not given is taken from the dataset or
/// defaulted, and the result says which.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct EuOverrides {
    /// WGI estimates per country (the method: the mean of the six WGI
    /// dimensions, -2.5..2.5). Take precedence over the dataset's
    /// political-stability scores.
    pub governance: BTreeMap<CountryCode, f64>,
    /// What `governance` holds, for the result (`"WGI mean of six, 2021"`).
    pub governance_indicator: Option<String>,
    /// Year of the governance scores; the assessment year when `None`.
    pub governance_year: Option<i32>,
    pub missing_governance: MissingGovernance,
    /// t_c per country; 1 for every country not listed.
    pub trade_restrictions: BTreeMap<CountryCode, f64>,
    /// Import reliance per stage (0-1), replacing the one computed from trade.
    pub import_reliance: BTreeMap<CommodityKey, f64>,
    /// End-of-life recycling input rate (0-1); 0 when `None`.
    pub eol_rir: Option<f64>,
    /// Substitution index for supply risk (0-1); 1 when `None`.
    pub si_sr: Option<f64>,
    pub economic_importance: Option<EiInputs>,
    pub production_source: ProductionSource,
}

/// One supplier's row in a sourcing breakdown.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SupplierRow {
    pub country: CountryCode,
    /// In the commodity-stage's unit.
    pub quantity: f64,
    pub share: f64,
    /// The WGI estimate used (after the missing-score rule); `None` when
    /// the term was excluded.
    pub estimate: Option<f64>,
    pub score_source: ScoreSource,
    /// 0-10, clamped; `None` when excluded.
    pub wgi_scaled: Option<f64>,
    /// True when the scaled score fell outside 0-10 and was clamped.
    pub clamped: bool,
    pub t: f64,
    /// S^2 x WGI x t (0 when excluded).
    pub term: f64,
}

/// Global supply or EU sourcing, with HHI_WGI,t.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Sourcing {
    /// In the commodity-stage's unit.
    pub total: f64,
    /// Share of `total` no named country accounts for.
    pub unattributed_share: f64,
    /// Largest first.
    pub suppliers: Vec<SupplierRow>,
    /// Share held by suppliers without a governance score.
    pub missing_score_share: f64,
    pub hhi_wgi_t: f64,
}

/// Where an input came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    User,
    Dataset,
    Default,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StageAssessment {
    pub key: CommodityKey,
    pub unit: String,
    pub global_supply: Sourcing,
    pub eu_sourcing: Sourcing,
    /// From the region's extra-regional trade and domestic production.
    pub import_reliance_computed: Option<ImportReliance>,
    pub import_reliance_source: InputSource,
    pub terms: EuTerms,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EuAssessment {
    pub method: &'static str,
    pub material: String,
    pub region: String,
    pub year: i32,
    pub governance_year: i32,
    /// Which governance scores were used.
    pub governance_indicator: String,
    pub stages: Vec<StageAssessment>,
    /// The stage with the highest SR.
    pub bottleneck: CommodityKey,
    pub supply_risk: f64,
    pub eol_rir_source: InputSource,
    pub si_sr_source: InputSource,
    pub economic_importance: Option<EiTerms>,
    /// `None` when EI was not supplied.
    pub critical: Option<bool>,
    /// How this computation departs from the published method.
    pub deviations_from_method: Vec<String>,
    pub notes: Vec<String>,
}

pub const METHOD: &str = "EU criticality (Blengini et al. 2017, JRC guidelines)";

/// The standing caveat every EU result carries: the scaling conventions are
/// Lodestone's reading of the method, not checked against the guidelines'
/// text (see the module documentation).
pub const METHOD_TEXT_NOT_CHECKED: &str = "method text not checked: shares as fractions (0-1), WGI rescaled to 0-10 as (2.5 - estimate) x 2 and HHI_WGI,t = sum S^2 x WGI x t are Lodestone's reading of Blengini et al. 2017; the guidelines' text was not available to verify them (they agree with the 0-10 range of the 2023 assessment's published SR values)";

struct Scorer<'a> {
    ds: &'a Dataset,
    ov: &'a EuOverrides,
    year: i32,
    used: BTreeMap<CountryCode, ScoreSource>,
}

impl Scorer<'_> {
    fn sourcing(&mut self, named: &BTreeMap<CountryCode, f64>, unattributed: f64) -> Sourcing {
        let total: f64 = named.values().sum::<f64>() + unattributed;
        if total <= 0.0 {
            return Sourcing { total, unattributed_share: 0.0, suppliers: vec![], missing_score_share: 0.0, hhi_wgi_t: 0.0 };
        }
        let mut suppliers: Vec<SupplierRow> = named
            .iter()
            .filter(|(_, &q)| q > 0.0)
            .map(|(&country, &quantity)| {
                let share = quantity / total;
                let (found, mut source) = governance_estimate(self.ds, &self.ov.governance, country, self.year);
                let estimate = match (found, self.ov.missing_governance) {
                    (Some(e), _) => Some(e),
                    (None, MissingGovernance::AssumeEstimate(e)) => Some(e),
                    (None, MissingGovernance::Exclude) => None,
                };
                if found.is_none() {
                    source = ScoreSource::Missing;
                }
                self.used.insert(country, source);
                let t = self.ov.trade_restrictions.get(&country).copied().unwrap_or(1.0);
                let raw = estimate.map(scale_wgi);
                let wgi_scaled = raw.map(|w| w.clamp(0.0, 10.0));
                let clamped = raw != wgi_scaled;
                let term = wgi_scaled.map_or(0.0, |w| share * share * w * t);
                SupplierRow { country, quantity, share, estimate, score_source: source, wgi_scaled, clamped, t, term }
            })
            .collect();
        suppliers.sort_by(|a, b| b.quantity.total_cmp(&a.quantity).then(a.country.cmp(&b.country)));
        let missing_score_share =
            suppliers.iter().filter(|s| s.score_source == ScoreSource::Missing).map(|s| s.share).sum();
        let hhi_wgi_t = suppliers.iter().map(|s| s.term).sum();
        Sourcing { total, unattributed_share: unattributed / total, suppliers, missing_score_share, hhi_wgi_t }
    }
}

/// Assesses `material` for the economic unit `region` (normally the group
/// `eu27`; any group or country works) in `year`.
///
/// From the dataset: global supply = production rows of each stage in the
/// year; EU sourcing = members' production plus imports from non-members
/// (trade rows of the same commodity-stage); IR from members' production and
/// extra-regional imports and exports. From the caller: governance scores
/// (else the dataset's political-stability estimates), t_c, EoL-RIR (else 0),
/// SI_SR (else 1), EI inputs, IR per stage. The material's SR is the highest
/// stage SR.
pub fn assess(
    ds: &Dataset,
    material: &EuMaterial,
    region: &Region,
    year: i32,
    overrides: &EuOverrides,
) -> Result<EuAssessment, CriticalityError> {
    if material.stages.is_empty() {
        return Err(CriticalityError::InvalidInput { field: "stages".into(), reason: "no stage given".into() });
    }
    for k in &material.stages {
        check_key(ds, k)?;
    }
    let inside = members(ds, region)?;
    for (c, &t) in &overrides.trade_restrictions {
        check_range(&format!("trade_restrictions[{c}]"), t, 0.0, f64::MAX)?;
    }
    for (c, &e) in &overrides.governance {
        if !e.is_finite() {
            return Err(CriticalityError::InvalidInput { field: format!("governance[{c}]"), reason: "not finite".into() });
        }
    }
    if let MissingGovernance::AssumeEstimate(e) = overrides.missing_governance {
        check_range("missing_governance", e, f64::MIN, f64::MAX)?;
    }
    let eol_rir = overrides.eol_rir.unwrap_or(0.0);
    let si_sr = overrides.si_sr.unwrap_or(1.0);
    if let Some(ei) = &overrides.economic_importance {
        ei.validate()?;
    }
    let governance_year = overrides.governance_year.unwrap_or(year);
    let mut scorer = Scorer { ds, ov: overrides, year: governance_year, used: BTreeMap::new() };
    let mut deviations: Vec<String> = vec![];
    let mut notes: Vec<String> = vec![];
    let rows = production_rows(ds, overrides.production_source);

    let mut stages = vec![];
    for key in &material.stages {
        let (named, unattributed) = production_by_country(rows, key, year)
            .ok_or_else(|| CriticalityError::NoData { what: "production", keys: vec![key.clone()], year })?;
        let global_supply = scorer.sourcing(&named, unattributed);
        if global_supply.total <= 0.0 {
            return Err(CriticalityError::NoData { what: "production", keys: vec![key.clone()], year });
        }
        if global_supply.unattributed_share > 0.0 {
            notes.push(format!(
                "{key}: {:.1}% of world production is not attributed to a named country; it counts in the total but has no HHI term",
                100.0 * global_supply.unattributed_share
            ));
        }
        let flows: Vec<_> = ds.trade_in(key, year).iter().collect();
        // Extra-regional trade only: flows between members are internal.
        let mut imports_by: BTreeMap<CountryCode, f64> = BTreeMap::new();
        let mut exports = 0.0;
        for f in &flows {
            match (inside.contains(&f.importer), inside.contains(&f.exporter)) {
                (true, false) => *imports_by.entry(f.exporter).or_default() += f.quantity,
                (false, true) => exports += f.quantity,
                _ => {}
            }
        }
        let domestic: f64 = named.iter().filter(|(c, _)| inside.contains(c)).map(|(_, q)| q).sum();
        let imports: f64 = imports_by.values().sum();
        let computed = (!flows.is_empty()).then(|| import_reliance(domestic, imports, exports));
        let (ir, ir_source) = match (overrides.import_reliance.get(key), &computed) {
            (Some(&v), _) => {
                check_range(&format!("import_reliance[{key}]"), v, 0.0, 1.0)?;
                (v, InputSource::User)
            }
            (None, Some(c)) => (c.value, InputSource::Dataset),
            (None, None) => return Err(CriticalityError::NoData { what: "trade", keys: vec![key.clone()], year }),
        };
        if flows.is_empty() {
            deviations.push(format!(
                "{key}: no trade rows in {year}, so EU sourcing is domestic production only"
            ));
        }
        if let Some(c) = &computed {
            if c.raw.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
                notes.push(format!("{key}: computed import reliance {:.3} clamped to {:.3}", c.raw.unwrap_or(0.0), c.value));
            }
        }
        // EU sourcing: members' production by member plus imports by origin.
        let mut sourcing: BTreeMap<CountryCode, f64> =
            named.iter().filter(|(c, _)| inside.contains(c)).map(|(&c, &q)| (c, q)).collect();
        for (c, q) in imports_by {
            *sourcing.entry(c).or_default() += q;
        }
        let eu_sourcing = scorer.sourcing(&sourcing, 0.0);
        if eu_sourcing.total <= 0.0 {
            notes.push(format!("{key}: the region neither produces nor imports it in {year}; HHI_WGI,t(EU sourcing) = 0"));
        }
        let inputs = EuInputs {
            hhi_wgi_t_global: global_supply.hhi_wgi_t,
            hhi_wgi_t_eu: eu_sourcing.hhi_wgi_t,
            import_reliance: ir,
            eol_rir,
            si_sr,
        };
        inputs.validate()?;
        let unit = ds.commodity(key).map_or(String::new(), |c| c.unit.code.to_string());
        stages.push(StageAssessment {
            key: key.clone(),
            unit,
            global_supply,
            eu_sourcing,
            import_reliance_computed: computed,
            import_reliance_source: ir_source,
            terms: supply_risk(&inputs),
        });
    }
    let best = stages
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.terms.supply_risk.total_cmp(&b.1.terms.supply_risk).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i);
    let bottleneck = stages[best].key.clone();
    let sr = stages[best].terms.supply_risk;

    // Governance provenance and the missing-score rule.
    let count = |s: ScoreSource| scorer.used.values().filter(|&&v| v == s).count();
    let (mut indicator, deviation) = indicator_label(count(ScoreSource::User), count(ScoreSource::Dataset), "the mean of the six WGI dimensions");
    if let (Some(label), 0) = (&overrides.governance_indicator, count(ScoreSource::Dataset)) {
        if count(ScoreSource::User) > 0 {
            indicator = label.clone();
        }
    }
    deviations.extend(deviation);
    let missing: BTreeSet<CountryCode> =
        scorer.used.iter().filter(|(_, &s)| s == ScoreSource::Missing).map(|(&c, _)| c).collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|c| c.to_string()).collect();
        let rule = match overrides.missing_governance {
            MissingGovernance::Exclude => "their HHI_WGI,t terms are left out (shares still count in totals)".to_string(),
            MissingGovernance::AssumeEstimate(e) => format!("WGI estimate {e} assumed for them"),
        };
        deviations.push(format!(
            "governance: no score for {} in {governance_year}; the guidelines give no rule, so {rule}",
            list.join(", ")
        ));
    }
    let clamped: BTreeSet<String> = stages
        .iter()
        .flat_map(|s| s.global_supply.suppliers.iter().chain(&s.eu_sourcing.suppliers))
        .filter(|r| r.clamped)
        .map(|r| r.country.to_string())
        .collect();
    if !clamped.is_empty() {
        notes.push(format!(
            "governance: scaled scores outside 0-10 clamped for {}",
            clamped.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if overrides.trade_restrictions.is_empty() {
        deviations.push(
            "trade restrictions: t_c = 1 for every country; the guidelines derive t_c from export restrictions (OECD inventory) and EU trade agreements".into(),
        );
    }
    let eol_rir_source = if overrides.eol_rir.is_some() { InputSource::User } else { InputSource::Default };
    if overrides.eol_rir.is_none() {
        deviations.push(
            "EoL-RIR not supplied: 0 assumed (no recycling credit); the dataset has no end-of-life recycling input rates, so the rate is a user input".into(),
        );
    }
    let si_sr_source = if overrides.si_sr.is_some() { InputSource::User } else { InputSource::Default };
    if overrides.si_sr.is_none() {
        deviations.push(
            "SI_SR not supplied: 1 assumed (no substitution credit); the dataset has no substitution indices, so SI_SR is a user input".into(),
        );
    }
    if stages.iter().any(|s| s.import_reliance_source == InputSource::Dataset) {
        deviations.push(
            "import reliance: computed from the dataset's bilateral trade of each commodity-stage in one year (stock changes ignored)".into(),
        );
    }
    deviations.push(format!(
        "data period: one year ({year}); the guidelines prefer averages over the latest five years"
    ));
    deviations.push(METHOD_TEXT_NOT_CHECKED.to_string());
    let economic_importance = overrides.economic_importance.as_ref().map(economic_importance);
    let critical = economic_importance.as_ref().map(|e| is_critical(sr, e.economic_importance));
    if economic_importance.is_none() {
        notes.push("economic importance not supplied (the dataset has no sector value added): criticality not decided".into());
    }
    Ok(EuAssessment {
        method: METHOD,
        material: material.name.clone(),
        region: region.to_string(),
        year,
        governance_year,
        governance_indicator: indicator,
        stages,
        bottleneck,
        supply_risk: sr,
        eol_rir_source,
        si_sr_source,
        economic_importance,
        critical,
        deviations_from_method: deviations,
        notes,
    })
}
