//! The GeoPolRisk method (Gemechu et al. 2016; Helbig et al. 2016 for
//! domestic production; Santillán-Saldivar et al. 2021 for regions such as
//! the EU; Koyamparambath et al. 2024 for the characterisation factors), for
//! an importing country or region c, raw material r and year y:
//!
//! ```text
//! HHI_r  = sum_i p_i^2 / (sum_i p_i)^2                    (0-1, producing countries)
//! IR_c   = sum_j (q_cj x g_j) / (sum_j q_cj + p_c)         (import risk)
//! g_j    = (2.5 - WGI_PV_j) / 5                            (0 = most stable)
//! score  = HHI_r x IR_c                                    (GeoPolRisk score)
//! CF     = score x price / 0.409412948                     (kg Cu-eq per kg)
//! price  = sum value / sum quantity of c's imports          (USD per kg)
//! ```
//!
//! `g_j` is 0.5 where j has no score and 0 for partners inside the assessed
//! region; `p_c` is the region's own production. Several HS codes
//! (commodity-stages) of one material are summed. 0.409412948 is the
//! method's copper reference (the average of copper's score x price for
//! OECD countries, 2017-2021, as geopolrisk-py 2 uses it).
//!
//! Checked against the method's reference implementation, geopolrisk-py
//! (Koyamparambath et al.): `docs/background.rst` (Equations 1-3: score =
//! HHI_A x sum_i g_i f_Aic / (p_Ac + F_Ac); CF = score x price, divided by
//! copper's) and `geopolrisk/assessment/core.py` (HHI = sum p^2 / (sum p)^2;
//! import risk = sum(q x g) / (total imports + domestic production); g = 0.5
//! where the WGI score is missing; CF_Cu = 0.409412948, "average CF of
//! copper for OECD countries" 2017-2021; price = sum value / sum quantity).
//! One difference remains, and results flag it: for a region, geopolrisk-py
//! sums the members' imports from every partner, members included, each
//! with its own score, where Lodestone gives partners inside the region
//! g = 0 (intra-regional supply treated as domestic). The publications'
//! own text on regions (Santillán-Saldivar et al. 2021) was not available.
//!
//! [`hhi`], [`g_from_wgi`] and [`score`] are the core over explicit terms;
//! [`assess`] derives the terms from a dataset.

use super::{
    check_key, check_range, governance_estimate, indicator_label, members, production_by_country, production_rows,
    CriticalityError, ProductionSource, Region, ScoreSource,
};
use lodestone_model::{CommodityKey, CountryCode, Dataset, Dimension};
use std::collections::BTreeMap;

/// The copper reference the characterisation factor is divided by.
pub const COPPER_REFERENCE: f64 = 0.409412948;
/// g for a partner with no governance score.
pub const MISSING_G: f64 = 0.5;

pub const METHOD: &str =
    "GeoPolRisk (Gemechu et al. 2016; Santillán-Saldivar et al. 2021; Koyamparambath et al. 2024)";

/// Normalised HHI: sum p_i^2 / (sum p_i + unattributed)^2. Output not
/// attributed to a named country counts in the total only. 0 when the total
/// is 0.
pub fn hhi(named: &[f64], unattributed: f64) -> f64 {
    let total: f64 = named.iter().sum::<f64>() + unattributed;
    if total <= 0.0 {
        return 0.0;
    }
    named.iter().map(|p| p * p).sum::<f64>() / (total * total)
}

/// g = (2.5 - estimate) / 5 (WGI Political Stability, -2.5..2.5 -> 1..0),
/// not clamped (the published normalisation).
pub fn g_from_wgi(estimate: f64) -> f64 {
    (2.5 - estimate) / 5.0
}

/// One import partner's term.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PartnerImport {
    pub partner: CountryCode,
    /// Quantity imported from the partner (any unit, the same for all
    /// partners and for domestic production).
    pub quantity: f64,
    /// Political (in)stability of the partner, 0-1.
    pub g: f64,
}

/// The terms of the GeoPolRisk score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GprInputs {
    /// Production HHI, 0-1.
    pub hhi: f64,
    pub imports: Vec<PartnerImport>,
    /// The importer's own production, same unit as the imports.
    pub domestic_production: f64,
    /// Average import price in USD per kg (= kUSD per t); `None` when no
    /// price is known (then no CF).
    pub price_usd_per_kg: Option<f64>,
}

impl GprInputs {
    pub fn validate(&self) -> Result<(), CriticalityError> {
        check_range("hhi", self.hhi, 0.0, 1.0)?;
        check_range("domestic_production", self.domestic_production, 0.0, f64::MAX)?;
        for p in &self.imports {
            check_range(&format!("imports[{}].quantity", p.partner), p.quantity, 0.0, f64::MAX)?;
            check_range(&format!("imports[{}].g", p.partner), p.g, f64::MIN, f64::MAX)?;
        }
        if let Some(p) = self.price_usd_per_kg {
            check_range("price_usd_per_kg", p, 0.0, f64::MAX)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GprTerms {
    pub inputs: GprInputs,
    /// sum_j q_cj x g_j.
    pub weighted_imports: f64,
    /// sum_j q_cj.
    pub total_imports: f64,
    /// sum_j q_cj + p_c.
    pub denominator: f64,
    /// IR_c; 0 when the denominator is 0 (nothing imported or produced).
    pub import_risk: f64,
    /// HHI x IR.
    pub score: f64,
    /// score x price (USD per kg), before the copper reference.
    pub cf_unnormalised: Option<f64>,
    /// score x price / 0.409412948 (kg Cu-eq per kg).
    pub characterisation_factor: Option<f64>,
}

/// The GeoPolRisk score and characterisation factor from explicit terms.
pub fn score(inputs: &GprInputs) -> GprTerms {
    let weighted_imports: f64 = inputs.imports.iter().map(|p| p.quantity * p.g).sum();
    let total_imports: f64 = inputs.imports.iter().map(|p| p.quantity).sum();
    let denominator = total_imports + inputs.domestic_production;
    let import_risk = if denominator > 0.0 { weighted_imports / denominator } else { 0.0 };
    let score = inputs.hhi * import_risk;
    let cf_unnormalised = inputs.price_usd_per_kg.map(|p| score * p);
    GprTerms {
        inputs: inputs.clone(),
        weighted_imports,
        total_imports,
        denominator,
        import_risk,
        score,
        cf_unnormalised,
        characterisation_factor: cf_unnormalised.map(|c| c / COPPER_REFERENCE),
    }
}

/// A raw material: the commodity-stage whose production gives HHI and
/// domestic production, and the commodity-stages (HS codes) whose trade is
/// summed. All must share the production key's unit dimension.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GprMaterial {
    pub name: String,
    pub production: CommodityKey,
    pub trade: Vec<CommodityKey>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct GprOverrides {
    /// WGI Political Stability estimates per country, taking precedence
    /// over the dataset's.
    pub governance: BTreeMap<CountryCode, f64>,
    /// Year of the governance scores; the assessment year when `None`.
    pub governance_year: Option<i32>,
    pub production_source: ProductionSource,
}

/// One partner's row, for audit.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PartnerRow {
    pub partner: CountryCode,
    /// In the production key's unit.
    pub quantity: f64,
    /// Sum of the flows' values where given (thousand USD).
    pub value_kusd: f64,
    pub inside_region: bool,
    /// The WGI estimate found, if any.
    pub estimate: Option<f64>,
    pub score_source: ScoreSource,
    pub g: f64,
    /// quantity x g.
    pub term: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GprAssessment {
    pub method: &'static str,
    pub material: String,
    pub region: String,
    pub year: i32,
    pub governance_year: i32,
    pub governance_indicator: String,
    pub unit: String,
    pub world_production: f64,
    pub unattributed_share: f64,
    pub production_source: ProductionSource,
    /// Largest first.
    pub partners: Vec<PartnerRow>,
    /// Flows counted in quantity but left out of the price for lack of a value.
    pub flows_without_value: usize,
    pub terms: GprTerms,
    pub deviations_from_method: Vec<String>,
    pub notes: Vec<String>,
}

/// Assesses `material` for the importer `region` in `year`: HHI from the
/// production key's rows; p_c the members' production; imports = flows of
/// the trade keys into members, by exporter (flows between members count
/// with g = 0); price = sum value / sum quantity over import flows that carry
/// a value, in USD per kg (trade keys must be in mass units for a CF).
pub fn assess(
    ds: &Dataset,
    material: &GprMaterial,
    region: &Region,
    year: i32,
    overrides: &GprOverrides,
) -> Result<GprAssessment, CriticalityError> {
    check_key(ds, &material.production)?;
    if material.trade.is_empty() {
        return Err(CriticalityError::InvalidInput { field: "trade".into(), reason: "no trade commodity-stage given".into() });
    }
    let unit = ds.commodity(&material.production).map(|c| c.unit).ok_or_else(|| {
        CriticalityError::UnknownCommodity { key: material.production.clone() }
    })?;
    for k in &material.trade {
        let c = ds.commodity(k).ok_or_else(|| CriticalityError::UnknownCommodity { key: k.clone() })?;
        if c.unit.dimension != unit.dimension {
            return Err(CriticalityError::InvalidInput {
                field: format!("trade[{k}]"),
                reason: format!("unit {} cannot be summed with {} ({})", c.unit.code, unit.code, material.production),
            });
        }
    }
    for (c, &e) in &overrides.governance {
        if !e.is_finite() {
            return Err(CriticalityError::InvalidInput { field: format!("governance[{c}]"), reason: "not finite".into() });
        }
    }
    let inside = members(ds, region)?;
    let governance_year = overrides.governance_year.unwrap_or(year);
    let rows = production_rows(ds, overrides.production_source);
    let (named, unattributed) = production_by_country(rows, &material.production, year).ok_or_else(|| {
        CriticalityError::NoData { what: "production", keys: vec![material.production.clone()], year }
    })?;
    let world: f64 = named.values().sum::<f64>() + unattributed;
    let hhi_value = hhi(&named.values().copied().collect::<Vec<_>>(), unattributed);
    let domestic: f64 = named.iter().filter(|(c, _)| inside.contains(c)).map(|(_, q)| q).sum();

    let flows: Vec<_> =
        ds.trade.iter().filter(|f| f.year == year && material.trade.contains(&f.key)).collect();
    if flows.is_empty() {
        return Err(CriticalityError::NoData { what: "trade", keys: material.trade.clone(), year });
    }
    // Per partner: quantity in the production key's unit, value where given.
    let mut by_partner: BTreeMap<CountryCode, (f64, f64)> = BTreeMap::new();
    let (mut priced_value, mut priced_mass_kg, mut without_value) = (0.0, 0.0, 0usize);
    for f in flows.iter().filter(|f| inside.contains(&f.importer)) {
        let from = ds.commodity(&f.key).map(|c| c.unit).unwrap_or(unit);
        let q = f.quantity * from.factor_to(&unit).unwrap_or(1.0);
        let e = by_partner.entry(f.exporter).or_default();
        e.0 += q;
        match f.value_kusd {
            Some(v) => {
                e.1 += v;
                priced_value += v;
                // scale: size of one unit in tonnes for mass units.
                priced_mass_kg += f.quantity * from.scale * 1000.0;
            }
            None => without_value += 1,
        }
    }
    let mut partners: Vec<PartnerRow> = by_partner
        .into_iter()
        .map(|(partner, (quantity, value_kusd))| {
            let inside_region = inside.contains(&partner);
            let (estimate, source) = governance_estimate(ds, &overrides.governance, partner, governance_year);
            let g = if inside_region { 0.0 } else { estimate.map_or(MISSING_G, g_from_wgi) };
            PartnerRow { partner, quantity, value_kusd, inside_region, estimate, score_source: source, g, term: quantity * g }
        })
        .collect();
    partners.sort_by(|a, b| b.quantity.total_cmp(&a.quantity).then(a.partner.cmp(&b.partner)));

    let mut deviations = vec![];
    let mut notes = vec![];
    // USD per kg = thousand USD x 1000 / kg.
    let price = if unit.dimension != Dimension::Mass {
        notes.push(format!("unit {} is not a mass: no price per kg, no characterisation factor", unit.code));
        None
    } else if priced_mass_kg > 0.0 {
        Some(priced_value * 1000.0 / priced_mass_kg)
    } else {
        notes.push("no import flow carries a value: no price, no characterisation factor".into());
        None
    };
    if without_value > 0 {
        deviations.push(format!(
            "price: {without_value} import flow(s) without a value are left out of the average price (they still count in quantities)"
        ));
    }
    let inputs = GprInputs {
        hhi: hhi_value,
        imports: partners.iter().map(|p| PartnerImport { partner: p.partner, quantity: p.quantity, g: p.g }).collect(),
        domestic_production: domestic,
        price_usd_per_kg: price,
    };
    inputs.validate()?;
    let terms = score(&inputs);
    if terms.denominator <= 0.0 {
        notes.push(format!("{region} neither imports nor produces it in {year}: import risk 0"));
    }
    if unattributed > 0.0 {
        notes.push(format!(
            "{:.1}% of world production is not attributed to a named country; it counts in the HHI denominator only",
            100.0 * unattributed / world
        ));
    }
    let outside: Vec<&PartnerRow> = partners.iter().filter(|p| !p.inside_region).collect();
    let n_user = outside.iter().filter(|p| p.score_source == ScoreSource::User).count();
    let n_ds = outside.iter().filter(|p| p.score_source == ScoreSource::Dataset).count();
    let missing: Vec<String> =
        outside.iter().filter(|p| p.score_source == ScoreSource::Missing).map(|p| p.partner.to_string()).collect();
    // The method's own indicator is Political Stability, so the dataset's is
    // no deviation; only a mix with user scores is worth a note.
    let (indicator, _) = indicator_label(n_user, n_ds, "WGI Political Stability");
    if !missing.is_empty() {
        notes.push(format!("governance: no score for {} in {governance_year}: g = 0.5 (the method's rule)", missing.join(", ")));
    }
    let inside_quantity: f64 = partners.iter().filter(|p| p.inside_region).map(|p| p.quantity).sum();
    if inside_quantity > 0.0 {
        deviations.push(format!(
            "intra-regional imports ({} {}) count with g = 0 (supply from inside {region} treated as domestic); geopolrisk-py's regional mode weights them with the exporting member's own score, and the publications' text on regions could not be checked",
            (inside_quantity * 1000.0).round() / 1000.0,
            unit.code
        ));
    }
    if overrides.production_source == ProductionSource::Primary {
        notes.push("production from the primary table (USGS); geopolrisk-py uses World Mining Data (`production_other`)".into());
    }
    Ok(GprAssessment {
        method: METHOD,
        material: material.name.clone(),
        region: region.to_string(),
        year,
        governance_year,
        governance_indicator: if n_user == 0 && n_ds > 0 { "political_stability (WGI)".into() } else { indicator },
        unit: unit.code.to_string(),
        world_production: world,
        unattributed_share: if world > 0.0 { unattributed / world } else { 0.0 },
        production_source: overrides.production_source,
        partners,
        flows_without_value: without_value,
        terms,
        deviations_from_method: deviations,
        notes,
    })
}
