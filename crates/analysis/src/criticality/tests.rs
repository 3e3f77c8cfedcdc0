//! Tests of the three criticality methods. Expected values are worked by
//! hand in the comments.

use super::eu::{self, EiInputs, EuInputs, EuMaterial, EuOverrides, MissingGovernance, Sector, Supplier};
use super::geopolrisk::{self, GprInputs, GprMaterial, GprOverrides, PartnerImport};
use super::usgs::{self, Producer, TermSource, UsgsInputs, UsgsOverrides};
use super::{CriticalityError, Region, ScoreSource};
use crate::fixture::{close, Fx};
use lodestone_model::{Bound, CommodityKey, CountryCode};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

fn key(s: &str) -> CommodityKey {
    CommodityKey::parse(s).unwrap()
}

// ---------------------------------------------------------------- EU

#[test]
fn eu_wgi_rescaling_is_linear_with_ten_worst() {
    close(eu::scale_wgi(-2.5), 10.0);
    close(eu::scale_wgi(0.0), 5.0);
    close(eu::scale_wgi(2.5), 0.0);
    close(eu::scale_wgi(-0.5), 6.0);
}

#[test]
fn eu_hhi_wgi_t_by_hand() {
    // 0.6^2 x 6 x 1   = 2.16
    // 0.3^2 x 2 x 1   = 0.18
    // 0.1^2 x 9 x 1.1 = 0.099
    // sum             = 2.439
    let s = [
        Supplier { country: cc("CN"), share: 0.6, wgi_scaled: 6.0, t: 1.0 },
        Supplier { country: cc("AU"), share: 0.3, wgi_scaled: 2.0, t: 1.0 },
        Supplier { country: cc("CD"), share: 0.1, wgi_scaled: 9.0, t: 1.1 },
    ];
    close(eu::hhi_wgi_t(&s), 2.439);
}

#[test]
fn eu_supply_risk_worked_structure() {
    // IR = 0.6: weights 0.3 (global) and 0.7 (EU sourcing).
    // bracket = 2.439 x 0.3 + 1.5 x 0.7 = 0.7317 + 1.05 = 1.7817
    // x (1 - 0.1) = 1.60353; x SI_SR 0.95 = 1.5233535
    let t = eu::supply_risk(&EuInputs {
        hhi_wgi_t_global: 2.439,
        hhi_wgi_t_eu: 1.5,
        import_reliance: 0.6,
        eol_rir: 0.1,
        si_sr: 0.95,
    });
    close(t.weight_global, 0.3);
    close(t.weight_eu, 0.7);
    close(t.concentration, 1.7817);
    close(t.recycling_factor, 0.9);
    close(t.supply_risk, 1.5233535);
    // No import reliance: only EU sourcing counts. 1.5 x 1 x 1 x 1 = 1.5
    let t = eu::supply_risk(&EuInputs { hhi_wgi_t_global: 9.0, hhi_wgi_t_eu: 1.5, import_reliance: 0.0, eol_rir: 0.0, si_sr: 1.0 });
    close(t.supply_risk, 1.5);
    // Full import reliance: half and half. (4 + 2) / 2 = 3
    let t = eu::supply_risk(&EuInputs { hhi_wgi_t_global: 4.0, hhi_wgi_t_eu: 2.0, import_reliance: 1.0, eol_rir: 0.0, si_sr: 1.0 });
    close(t.supply_risk, 3.0);
}

#[test]
fn eu_economic_importance_and_thresholds() {
    // (0.5 x 6 + 0.3 x 4 + 0.2 x 1) x 0.9 = (3 + 1.2 + 0.2) x 0.9 = 3.96
    let ei = eu::economic_importance(&EiInputs {
        sectors: vec![
            Sector { name: "C29".into(), share: 0.5, value_added: 6.0 },
            Sector { name: "C27".into(), share: 0.3, value_added: 4.0 },
            Sector { name: "C25".into(), share: 0.2, value_added: 1.0 },
        ],
        si_ei: 0.9,
    });
    close(ei.sum_as_qs, 4.4);
    close(ei.economic_importance, 3.96);
    assert!(eu::is_critical(1.0, 2.8));
    assert!(!eu::is_critical(0.99, 5.0));
    assert!(!eu::is_critical(3.0, 2.79));
}

#[test]
fn eu_import_reliance_by_hand() {
    // (100 - 20) / (20 + 100 - 20) = 0.8
    let ir = eu::import_reliance(20.0, 100.0, 20.0);
    close(ir.apparent_consumption, 100.0);
    close(ir.value, 0.8);
    // Net exporter: (10 - 30) / (50 + 10 - 30) < 0, so 0.
    let ir = eu::import_reliance(50.0, 10.0, 30.0);
    assert!(ir.raw.unwrap() < 0.0);
    close(ir.value, 0.0);
    // Nothing at all: undefined, 0.
    let ir = eu::import_reliance(0.0, 0.0, 0.0);
    assert_eq!(ir.raw, None);
    close(ir.value, 0.0);
}

proptest! {
    #[test]
    fn eu_sr_grows_with_concentration_and_falls_with_recycling(
        g in 0.0..10.0f64, e in 0.0..10.0f64, ir in 0.0..=1.0f64,
        eol in 0.0..=1.0f64, si in 0.0..=1.0f64, dg in 0.0..5.0f64, deol in 0.0..=1.0f64,
    ) {
        let base = EuInputs { hhi_wgi_t_global: g, hhi_wgi_t_eu: e, import_reliance: ir, eol_rir: eol, si_sr: si };
        let sr = eu::supply_risk(&base).supply_risk;
        // Bounded: HHI_WGI,t is at most 10 (t = 1), the other factors at most 1.
        prop_assert!((0.0..=10.0 + 1e-9).contains(&sr));
        let more = EuInputs { hhi_wgi_t_global: g + dg, hhi_wgi_t_eu: e + dg, ..base.clone() };
        prop_assert!(eu::supply_risk(&more).supply_risk >= sr - 1e-12);
        let recycled = EuInputs { eol_rir: (eol + deol).min(1.0), ..base.clone() };
        prop_assert!(eu::supply_risk(&recycled).supply_risk <= sr + 1e-12);
    }

    #[test]
    fn eu_hhi_grows_when_share_moves_to_the_leader(
        a in 0.3..0.6f64, b in 0.0..0.3f64, w in 0.0..10.0f64, moved in 0.0..1.0f64,
    ) {
        // Same governance for all: moving share from the smaller supplier to
        // the larger raises concentration, so HHI_WGI,t.
        let m = b * moved;
        let before = [
            Supplier { country: cc("CN"), share: a, wgi_scaled: w, t: 1.0 },
            Supplier { country: cc("AU"), share: b, wgi_scaled: w, t: 1.0 },
        ];
        let after = [
            Supplier { country: cc("CN"), share: a + m, wgi_scaled: w, t: 1.0 },
            Supplier { country: cc("AU"), share: b - m, wgi_scaled: w, t: 1.0 },
        ];
        prop_assert!(eu::hhi_wgi_t(&after) >= eu::hhi_wgi_t(&before) - 1e-12);
        prop_assert!(eu::hhi_wgi_t(&after) <= 10.0 + 1e-9);
    }
}

/// World x/mining 2022: CN 60, AU 30, FR 10 (t). Region `eu` = FR, DE.
/// Trade: CN->DE 40, AU->FR 20, FR->DE 5 (internal), DE->US 10 (export).
/// Political stability 2022: CN -0.5 (scaled 6), AU 1.5 (2), FR 0.5 (4).
fn eu_fixture() -> Fx {
    Fx::new()
        .group("eu", &["FR", "DE"])
        .prod("x/mining", "CN", "", 2022, 60.0)
        .prod("x/mining", "AU", "", 2022, 30.0)
        .prod("x/mining", "FR", "", 2022, 10.0)
        .trade("x/mining", "CN", "DE", 2022, 40.0, Some(80.0))
        .trade("x/mining", "AU", "FR", 2022, 20.0, Some(50.0))
        .trade("x/mining", "FR", "DE", 2022, 5.0, Some(10.0))
        .trade("x/mining", "DE", "US", 2022, 10.0, Some(20.0))
        .political_stability("CN", 2022, -0.5)
        .political_stability("AU", 2022, 1.5)
        .political_stability("FR", 2022, 0.5)
}

#[test]
fn eu_assess_from_dataset_by_hand() {
    let ds = eu_fixture().build();
    let material = EuMaterial { name: "x".into(), stages: vec![key("x/mining")] };
    let ov = EuOverrides { eol_rir: Some(0.2), ..Default::default() };
    let a = eu::assess(&ds, &material, &Region::Group("eu".into()), 2022, &ov).unwrap();
    let s = &a.stages[0];
    // Global: 0.6^2 x 6 + 0.3^2 x 2 + 0.1^2 x 4 = 2.16 + 0.18 + 0.04 = 2.38
    close(s.global_supply.hhi_wgi_t, 2.38);
    // EU sourcing: FR 10 (production) + CN 40 + AU 20 (imports) = 70;
    // (4/7)^2 x 6 + (2/7)^2 x 2 + (1/7)^2 x 4 = (96 + 8 + 4) / 49 = 108/49
    close(s.eu_sourcing.total, 70.0);
    close(s.eu_sourcing.hhi_wgi_t, 108.0 / 49.0);
    // IR = (60 - 10) / (10 + 60 - 10) = 5/6 (FR->DE is internal).
    close(s.terms.inputs.import_reliance, 5.0 / 6.0);
    // SR = [2.38 x 5/12 + 108/49 x 7/12] x 0.8 x 1 = 1.82190476...
    let expected = (2.38 * 5.0 / 12.0 + 108.0 / 49.0 * 7.0 / 12.0) * 0.8;
    close(a.supply_risk, expected);
    close(a.supply_risk, 1.821_904_761_904_762);
    assert_eq!(a.bottleneck, key("x/mining"));
    assert_eq!(a.governance_indicator, "political_stability");
    assert!(a.deviations_from_method.iter().any(|d| d.contains("Political Stability")));
    assert!(a.deviations_from_method.iter().any(|d| d.contains("t_c = 1")));
    assert!(a.deviations_from_method.iter().any(|d| d.contains("SI_SR not supplied")));
    // The scaling is Lodestone's reading, not checked against the text: said.
    assert!(a.deviations_from_method.iter().any(|d| d == eu::METHOD_TEXT_NOT_CHECKED));
    assert_eq!(a.critical, None);
    // Serialises, for the CLI's JSON.
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains("\"hhi_wgi_t\""));
}

#[test]
fn eu_user_governance_trade_restrictions_and_ei() {
    let ds = eu_fixture().build();
    let material = EuMaterial { name: "x".into(), stages: vec![key("x/mining")] };
    // Mean-of-six scores for every supplier: CN -0.5, AU 1.5, FR 1.0 (scaled 3).
    let governance: BTreeMap<_, _> = [(cc("CN"), -0.5), (cc("AU"), 1.5), (cc("FR"), 1.0)].into();
    let ov = EuOverrides {
        governance,
        governance_indicator: Some("WGI mean of six".into()),
        trade_restrictions: [(cc("CN"), 1.1)].into(),
        eol_rir: Some(0.0),
        si_sr: Some(1.0),
        economic_importance: Some(EiInputs { sectors: vec![Sector { name: "C29".into(), share: 1.0, value_added: 5.0 }], si_ei: 1.0 }),
        ..Default::default()
    };
    let a = eu::assess(&ds, &material, &Region::Group("eu".into()), 2022, &ov).unwrap();
    let s = &a.stages[0];
    // Global: 0.36 x 6 x 1.1 + 0.09 x 2 + 0.01 x 3 = 2.376 + 0.18 + 0.03 = 2.586
    close(s.global_supply.hhi_wgi_t, 2.586);
    // EU: (16 x 6 x 1.1 + 4 x 2 + 1 x 3) / 49 = (105.6 + 8 + 3) / 49 = 116.6/49
    close(s.eu_sourcing.hhi_wgi_t, 116.6 / 49.0);
    let expected = 2.586 * 5.0 / 12.0 + 116.6 / 49.0 * 7.0 / 12.0;
    close(a.supply_risk, expected);
    assert_eq!(a.governance_indicator, "WGI mean of six");
    assert!(!a.deviations_from_method.iter().any(|d| d.contains("governance")));
    assert_eq!(a.critical, Some(true)); // SR ~ 2.47 >= 1, EI 5 >= 2.8
}

#[test]
fn eu_missing_score_is_excluded_and_flagged() {
    // CD produces 10 more and has no score: world 110.
    let ds = eu_fixture().prod("x/mining", "CD", "", 2022, 10.0).build();
    let material = EuMaterial { name: "x".into(), stages: vec![key("x/mining")] };
    let a = eu::assess(&ds, &material, &Region::Group("eu".into()), 2022, &EuOverrides::default()).unwrap();
    let g = &a.stages[0].global_supply;
    // (60^2 x 6 + 30^2 x 2 + 10^2 x 4) / 110^2 = (21600 + 1800 + 400) / 12100
    close(g.hhi_wgi_t, 23800.0 / 12100.0);
    close(g.missing_score_share, 10.0 / 110.0);
    let cd = g.suppliers.iter().find(|r| r.country == cc("CD")).unwrap();
    assert_eq!(cd.score_source, ScoreSource::Missing);
    assert_eq!(cd.term, 0.0);
    assert!(a.deviations_from_method.iter().any(|d| d.contains("no score for CD")));
    // Assumed instead: -2.5 (scaled 10) adds (10/110)^2 x 10.
    let ov = EuOverrides { missing_governance: MissingGovernance::AssumeEstimate(-2.5), ..Default::default() };
    let a = eu::assess(&ds, &material, &Region::Group("eu".into()), 2022, &ov).unwrap();
    close(a.stages[0].global_supply.hhi_wgi_t, (23800.0 + 1000.0) / 12100.0);
}

#[test]
fn eu_bottleneck_is_the_stage_with_highest_sr() {
    // Refining: all in AU (scaled 2), imported entirely: IR = 1,
    // SR = (1 x 2 + 1 x 2) / 2 = 2 < mining's 2.28 (eol 0).
    let ds = eu_fixture()
        .commodity("x", "refining", "t")
        .prod("x/refining", "AU", "", 2022, 50.0)
        .trade("x/refining", "AU", "DE", 2022, 10.0, None)
        .build();
    let material = EuMaterial { name: "x".into(), stages: vec![key("x/refining"), key("x/mining")] };
    let a = eu::assess(&ds, &material, &Region::Group("eu".into()), 2022, &EuOverrides::default()).unwrap();
    close(a.stages[0].terms.supply_risk, 2.0);
    let mining = (2.38 * 5.0 / 12.0 + 108.0 / 49.0 * 7.0 / 12.0) * 1.0;
    close(a.stages[1].terms.supply_risk, mining);
    assert_eq!(a.bottleneck, key("x/mining"));
    close(a.supply_risk, mining);
}

#[test]
fn eu_errors() {
    let ds = eu_fixture().build();
    let m = EuMaterial { name: "x".into(), stages: vec![key("x/mining")] };
    let e = eu::assess(&ds, &m, &Region::Group("g7".into()), 2022, &EuOverrides::default()).unwrap_err();
    assert!(matches!(e, CriticalityError::UnknownGroup { .. }));
    let e = eu::assess(&ds, &m, &Region::Group("eu".into()), 2021, &EuOverrides::default()).unwrap_err();
    assert!(matches!(e, CriticalityError::NoData { what: "production", .. }));
    let ov = EuOverrides { eol_rir: Some(1.5), ..Default::default() };
    let e = eu::assess(&ds, &m, &Region::Group("eu".into()), 2022, &ov).unwrap_err();
    assert!(matches!(e, CriticalityError::InvalidInput { .. }), "{e}");
}

// --------------------------------------------------------- GeoPolRisk

#[test]
fn gpr_hhi_and_g_by_hand() {
    // (3^2 + 1^2) / 4^2 = 10/16
    close(geopolrisk::hhi(&[3.0, 1.0], 0.0), 0.625);
    // Unattributed counts in the total only: (9 + 1) / 5^2 = 0.4
    close(geopolrisk::hhi(&[3.0, 1.0], 1.0), 0.4);
    close(geopolrisk::g_from_wgi(2.5), 0.0);
    close(geopolrisk::g_from_wgi(-2.5), 1.0);
    close(geopolrisk::g_from_wgi(-0.5), 0.6);
}

#[test]
fn gpr_score_core_by_hand() {
    // IR = (60 x 0.2 + 40 x 0.5) / (60 + 40 + 100) = 32/200 = 0.16
    // score = 0.5 x 0.16 = 0.08; CF = 0.08 x 2 / 0.409412948
    let t = geopolrisk::score(&GprInputs {
        hhi: 0.5,
        imports: vec![
            PartnerImport { partner: cc("CN"), quantity: 60.0, g: 0.2 },
            PartnerImport { partner: cc("AU"), quantity: 40.0, g: 0.5 },
        ],
        domestic_production: 100.0,
        price_usd_per_kg: Some(2.0),
    });
    close(t.import_risk, 0.16);
    close(t.score, 0.08);
    close(t.cf_unnormalised.unwrap(), 0.16);
    close(t.characterisation_factor.unwrap(), 0.16 / 0.409412948);
}

#[test]
fn gpr_two_partners_with_domestic_production() {
    // Production: CN 60, AU 30, US 10 -> HHI = (3600 + 900 + 100) / 100^2 = 0.46
    // US imports CN 30 t (60 kUSD), AU 10 t (40 kUSD); g: CN (2.5+0.5)/5 = 0.6,
    // AU (2.5-1)/5 = 0.3. IR = (30 x 0.6 + 10 x 0.3) / (40 + 10) = 21/50 = 0.42
    // score = 0.46 x 0.42 = 0.1932; price = 100 kUSD / 40 t = 2.5 USD/kg
    // CF = 0.1932 x 2.5 / 0.409412948 = 0.483 / 0.409412948 = 1.17973...
    let ds = Fx::new()
        .prod("x/mining", "CN", "", 2022, 60.0)
        .prod("x/mining", "AU", "", 2022, 30.0)
        .prod("x/mining", "US", "", 2022, 10.0)
        .trade("x/mining", "CN", "US", 2022, 30.0, Some(60.0))
        .trade("x/mining", "AU", "US", 2022, 10.0, Some(40.0))
        .trade("x/mining", "CN", "JP", 2022, 99.0, Some(1.0))
        .political_stability("CN", 2022, -0.5)
        .political_stability("AU", 2022, 1.0)
        .build();
    let m = GprMaterial { name: "x".into(), production: key("x/mining"), trade: vec![key("x/mining")] };
    let a = geopolrisk::assess(&ds, &m, &Region::Country(cc("US")), 2022, &GprOverrides::default()).unwrap();
    close(a.terms.inputs.hhi, 0.46);
    close(a.terms.inputs.domestic_production, 10.0);
    close(a.terms.import_risk, 0.42);
    close(a.terms.score, 0.1932);
    close(a.terms.inputs.price_usd_per_kg.unwrap(), 2.5);
    close(a.terms.characterisation_factor.unwrap(), 0.483 / 0.409412948);
    assert_eq!(a.partners.len(), 2);
    assert_eq!(a.governance_indicator, "political_stability (WGI)");
    // A single importing country has no intra-regional imports.
    assert!(!a.deviations_from_method.iter().any(|d| d.contains("intra-regional")));
    assert!(serde_json::to_string(&a).unwrap().contains("characterisation_factor"));
}

#[test]
fn gpr_region_partner_inside_and_missing_score() {
    // Production: CN 90, FR 10 -> HHI = (8100 + 100) / 100^2 = 0.82; region
    // eu = FR, DE produces 10. Imports into the region: FR->DE 20 (inside,
    // g = 0), CN->DE 30 (g 0.6), KP->FR 10 (no score, g 0.5).
    // IR = (20 x 0 + 30 x 0.6 + 10 x 0.5) / (60 + 10) = 23/70
    // score = 0.82 x 23/70; price = (20 + 60 + 10) kUSD / 60 t = 1.5 USD/kg
    let ds = Fx::new()
        .group("eu", &["FR", "DE"])
        .prod("x/mining", "CN", "", 2022, 90.0)
        .prod("x/mining", "FR", "", 2022, 10.0)
        .trade("x/mining", "FR", "DE", 2022, 20.0, Some(20.0))
        .trade("x/mining", "CN", "DE", 2022, 30.0, Some(60.0))
        .trade("x/mining", "KP", "FR", 2022, 10.0, Some(10.0))
        .political_stability("CN", 2022, -0.5)
        .political_stability("FR", 2022, 0.5)
        .build();
    let m = GprMaterial { name: "x".into(), production: key("x/mining"), trade: vec![key("x/mining")] };
    let a = geopolrisk::assess(&ds, &m, &Region::Group("eu".into()), 2022, &GprOverrides::default()).unwrap();
    close(a.terms.inputs.hhi, 0.82);
    close(a.terms.import_risk, 23.0 / 70.0);
    close(a.terms.score, 0.82 * 23.0 / 70.0);
    close(a.terms.inputs.price_usd_per_kg.unwrap(), 1.5);
    let fr = a.partners.iter().find(|p| p.partner == cc("FR")).unwrap();
    assert!(fr.inside_region);
    assert_eq!(fr.g, 0.0);
    let kp = a.partners.iter().find(|p| p.partner == cc("KP")).unwrap();
    assert_eq!(kp.score_source, ScoreSource::Missing);
    close(kp.g, 0.5);
    assert!(a.notes.iter().any(|n| n.contains("no score for KP")));
    // g = 0 inside the region departs from geopolrisk-py's regional mode: said.
    assert!(a.deviations_from_method.iter().any(|d| d.contains("intra-regional imports (20 t)")), "{:?}", a.deviations_from_method);
}

#[test]
fn gpr_several_trade_codes_are_summed_in_the_production_unit() {
    // Two HS codes: x/mining (t) and x/refining (kg). Imports into JP:
    // CN 20 t (40 kUSD) + CN 10000 kg = 10 t (30 kUSD), AU 10 t, no value.
    // Quantities: CN 30 t, AU 10 t. HHI: CN 50, AU 50 -> 0.5.
    // IR = (30 x 0.6 + 10 x 0.3) / 40 = 21/40; price over valued flows:
    // 70 kUSD / 30 t = 70000 USD / 30000 kg = 2.3333 USD/kg.
    let ds = Fx::new()
        .commodity("x", "refining", "kg")
        .prod("x/mining", "CN", "", 2022, 50.0)
        .prod("x/mining", "AU", "", 2022, 50.0)
        .trade("x/mining", "CN", "JP", 2022, 20.0, Some(40.0))
        .trade("x/refining", "CN", "JP", 2022, 10000.0, Some(30.0))
        .trade("x/mining", "AU", "JP", 2022, 10.0, None)
        .political_stability("CN", 2022, -0.5)
        .political_stability("AU", 2022, 1.0)
        .build();
    let m = GprMaterial {
        name: "x".into(),
        production: key("x/mining"),
        trade: vec![key("x/mining"), key("x/refining")],
    };
    let a = geopolrisk::assess(&ds, &m, &Region::Country(cc("JP")), 2022, &GprOverrides::default()).unwrap();
    close(a.terms.inputs.hhi, 0.5);
    close(a.terms.total_imports, 40.0);
    close(a.terms.import_risk, 21.0 / 40.0);
    close(a.terms.inputs.price_usd_per_kg.unwrap(), 70.0 / 30.0);
    assert_eq!(a.flows_without_value, 1);
    assert!(a.deviations_from_method.iter().any(|d| d.contains("without a value")));
}

// --------------------------------------------------------------- USGS

#[test]
fn usgs_core_by_hand() {
    // 0.3 x 0.8 x 0.5 = 0.12
    let t = usgs::supply_risk(&UsgsInputs { dp: 0.3, te: 0.8, ev: 0.5 });
    close(t.dp_x_te, 0.24);
    close(t.supply_risk, 0.12);
    // 0.6^2 x 0.6 + 0.4^2 x 0.3 = 0.216 + 0.048 = 0.264
    let dp = usgs::disruption_potential(&[
        Producer { country: cc("CN"), share: 0.6, g: 0.6 },
        Producer { country: cc("AU"), share: 0.4, g: 0.3 },
    ]);
    close(dp, 0.264);
    close(usgs::governance_score(0.0), 0.5);
    close(usgs::governance_score(-3.0), 1.0);
    close(usgs::governance_score(2.8), 0.0);
}

fn usgs_fixture() -> Fx {
    Fx::new()
        .prod("x/mining", "CN", "", 2022, 60.0)
        .prod("x/mining", "AU", "", 2022, 30.0)
        .prod("x/mining", "US", "", 2022, 10.0)
        .trade("x/mining", "CN", "US", 2022, 30.0, None)
        .trade("x/mining", "AU", "US", 2022, 10.0, None)
        .political_stability("CN", 2022, -0.5)
        .political_stability("AU", 2022, 1.0)
        .political_stability("US", 2022, 0.0)
}

#[test]
fn usgs_assess_with_published_nir() {
    // DP = 0.6^2 x 0.6 + 0.3^2 x 0.3 + 0.1^2 x 0.5 = 0.216 + 0.027 + 0.005 = 0.248
    // TE = published 75% -> 0.75; EV 0.4 -> SR = 0.248 x 0.75 x 0.4 = 0.0744
    let ds = usgs_fixture().reliance("US", "x", "X, mine", 2022, 75.0, Bound::Exact).build();
    let ov = UsgsOverrides { economic_vulnerability: Some(0.4), ..Default::default() };
    let a = usgs::assess(&ds, &key("x/mining"), cc("US"), 2022, &ov).unwrap();
    close(a.dp.unwrap(), 0.248);
    assert_eq!(a.te_source, TermSource::Published);
    close(a.te.unwrap(), 0.75);
    assert_eq!(a.ev_source, TermSource::User);
    close(a.terms.as_ref().unwrap().supply_risk, 0.0744);
    // Without EV: no supply risk, DP x TE = 0.186.
    let a = usgs::assess(&ds, &key("x/mining"), cc("US"), 2022, &UsgsOverrides::default()).unwrap();
    assert!(a.terms.is_none());
    close(a.dp_x_te.unwrap(), 0.186);
    assert_eq!(a.ev_source, TermSource::Missing);
    // Both unverified readings are stated: DP's scoring and the combination.
    assert!(a.deviations_from_method.iter().any(|d| d == usgs::DP_NOT_CHECKED));
    assert!(a.deviations_from_method.iter().any(|d| d == usgs::COMBINATION_NOT_CHECKED));
    assert!(a.deviations_from_method.iter().any(|d| d.contains("2015-2018") && d.contains("0.40")));
}

#[test]
fn usgs_trade_exposure_from_trade_when_nothing_published() {
    // Imports 40, exports 0, production 10: TE = 40 / 50 = 0.8
    let ds = usgs_fixture().build();
    let ov = UsgsOverrides { economic_vulnerability: Some(1.0), ..Default::default() };
    let a = usgs::assess(&ds, &key("x/mining"), cc("US"), 2022, &ov).unwrap();
    assert_eq!(a.te_source, TermSource::ComputedFromTrade);
    close(a.te.unwrap(), 0.8);
    close(a.terms.unwrap().supply_risk, 0.248 * 0.8);
    // Supplied DP and TE take precedence.
    let ov = UsgsOverrides {
        disruption_potential: Some(0.5),
        trade_exposure: Some(0.5),
        economic_vulnerability: Some(0.5),
        ..Default::default()
    };
    let a = usgs::assess(&ds, &key("x/mining"), cc("US"), 2022, &ov).unwrap();
    assert_eq!((a.dp_source, a.te_source), (TermSource::User, TermSource::User));
    // Supplied DP: no claim about how Lodestone scores countries.
    assert!(!a.deviations_from_method.iter().any(|d| d == usgs::DP_NOT_CHECKED));
    close(a.terms.unwrap().supply_risk, 0.125);
}
