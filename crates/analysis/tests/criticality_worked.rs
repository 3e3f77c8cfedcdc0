//! Worked examples of the three criticality methods through their public
//! core functions. Every expected value is computed by hand from the
//! published formula in the comments, not from our own output.
//!
//! EU (Blengini et al. 2017, JRC guidelines):
//!   SR = [HHI_WGI,t(GS) x IR/2 + HHI_WGI,t(EU) x (1 - IR/2)] x (1 - EoL_RIR) x SI_SR
//!   HHI_WGI,t = sum S^2 x WGI_scaled x t, S a fraction, WGI_scaled = (2.5 - estimate) x 2
//! GeoPolRisk (geopolrisk-py, docs/background.rst, Equations 1-3):
//!   score = HHI x sum(g x q) / (p + sum q); CF = score x price / 0.409412948
//! USGS (Nassar et al. 2020; Nassar & Fortier 2021), as Lodestone reads it:
//!   DP = sum s^2 x g, g = clamp((2.5 - estimate) / 5, 0, 1); SR = DP x TE x EV

use lodestone_analysis::criticality::eu::{self, EiInputs, EuInputs, Sector, Supplier};
use lodestone_analysis::criticality::geopolrisk::{self, GprInputs, PartnerImport};
use lodestone_analysis::criticality::usgs::{self, Producer, UsgsInputs};
use lodestone_model::CountryCode;

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
}

fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

fn supplier(c: &str, share: f64, estimate: f64, t: f64) -> Supplier {
    Supplier { country: cc(c), share, wgi_scaled: eu::scale_wgi(estimate), t }
}

/// A material assessed at two stages, the way the guidelines lay it out.
///
/// Extraction, global supply: CN 70 %, ZA 20 %, BR 10 %; WGI (six-indicator
/// mean) estimates CN -0.3, ZA 0.1, BR -0.2, so WGI_scaled = (2.5 - e) x 2 =
/// 5.6, 4.8, 5.4; CN restricts exports, t = 1.1.
///   HHI_GS = 0.49 x 5.6 x 1.1 + 0.04 x 4.8 + 0.01 x 5.4
///          = 3.0184 + 0.192 + 0.054 = 3.2644
/// EU sourcing: FI (member) 15, imports CN 45, ZA 30, NO 10 (EU agreement,
/// t = 0.8); FI 1.8 -> 1.4, NO 1.6 -> 1.8.
///   HHI_EU = 0.0225 x 1.4 + 0.2025 x 5.6 x 1.1 + 0.09 x 4.8 + 0.01 x 1.8 x 0.8
///          = 0.0315 + 1.2474 + 0.432 + 0.0144 = 1.7253
/// IR: production 15, imports 85, exports 5: (85 - 5) / (15 + 85 - 5) = 80/95.
///   weights IR/2 = 40/95, 1 - IR/2 = 55/95
///   bracket = (3.2644 x 40 + 1.7253 x 55) / 95 = (130.576 + 94.8915) / 95
///           = 225.4675 / 95 = 2.37334210...
/// EoL_RIR 0.10, SI_SR 0.9: SR = 225.4675 / 95 x 0.9 x 0.9 = 182.628675 / 95
///   = 1.92240710...
#[test]
fn eu_two_stage_material_by_hand() {
    let gs = [supplier("CN", 0.70, -0.3, 1.1), supplier("ZA", 0.20, 0.1, 1.0), supplier("BR", 0.10, -0.2, 1.0)];
    close(gs[0].wgi_scaled, 5.6);
    close(gs[1].wgi_scaled, 4.8);
    close(gs[2].wgi_scaled, 5.4);
    let hhi_gs = eu::hhi_wgi_t(&gs);
    close(hhi_gs, 3.2644);
    let eu_sourcing = [
        supplier("FI", 0.15, 1.8, 1.0),
        supplier("CN", 0.45, -0.3, 1.1),
        supplier("ZA", 0.30, 0.1, 1.0),
        supplier("NO", 0.10, 1.6, 0.8),
    ];
    let hhi_eu = eu::hhi_wgi_t(&eu_sourcing);
    close(hhi_eu, 1.7253);
    let ir = eu::import_reliance(15.0, 85.0, 5.0);
    close(ir.value, 80.0 / 95.0);
    let extraction = eu::supply_risk(&EuInputs {
        hhi_wgi_t_global: hhi_gs,
        hhi_wgi_t_eu: hhi_eu,
        import_reliance: ir.value,
        eol_rir: 0.10,
        si_sr: 0.9,
    });
    close(extraction.weight_global, 40.0 / 95.0);
    close(extraction.weight_eu, 55.0 / 95.0);
    close(extraction.concentration, 225.4675 / 95.0);
    close(extraction.supply_risk, 182.628675 / 95.0);

    // Processing: all in NO (1.8), fully imported: IR = 1, weights 1/2 each,
    // HHI_GS = HHI_EU = 1 x 1.8 x 1 = 1.8; SR = 1.8 x 0.9 x 0.9 = 1.458.
    let processing = eu::supply_risk(&EuInputs {
        hhi_wgi_t_global: 1.8,
        hhi_wgi_t_eu: 1.8,
        import_reliance: 1.0,
        eol_rir: 0.10,
        si_sr: 0.9,
    });
    close(processing.supply_risk, 1.458);
    // The material's SR is the bottleneck stage's: extraction, 1.9224 >= 1.
    let sr = extraction.supply_risk.max(processing.supply_risk);
    close(sr, extraction.supply_risk);

    // EI = (0.6 x 5.0 + 0.4 x 2.0) x 0.95 = 3.8 x 0.95 = 3.61 >= 2.8.
    let ei = eu::economic_importance(&EiInputs {
        sectors: vec![
            Sector { name: "C27".into(), share: 0.6, value_added: 5.0 },
            Sector { name: "C29".into(), share: 0.4, value_added: 2.0 },
        ],
        si_ei: 0.95,
    });
    close(ei.economic_importance, 3.61);
    assert!(eu::is_critical(sr, ei.economic_importance));
}

/// The scale the 1.0 threshold is read on: shares as fractions, or percent
/// shares with the sum divided by 10,000 (the same number). One supplier at
/// the worst governance (estimate -2.5 -> 10) with t = 1 gives the maximum,
/// 10; without the division percent shares would give 100,000.
#[test]
fn eu_scaling_fractions_equal_percent_over_ten_thousand() {
    let fractions = [supplier("CN", 0.7, -0.3, 1.1), supplier("ZA", 0.3, 0.1, 1.0)];
    let percent = [supplier("CN", 70.0, -0.3, 1.1), supplier("ZA", 30.0, 0.1, 1.0)];
    // 0.49 x 5.6 x 1.1 + 0.09 x 4.8 = 3.0184 + 0.432 = 3.4504
    close(eu::hhi_wgi_t(&fractions), 3.4504);
    close(eu::hhi_wgi_t(&percent) / 10_000.0, 3.4504);
    let monopoly = [supplier("KP", 1.0, -2.5, 1.0)];
    close(eu::hhi_wgi_t(&monopoly), 10.0);
    let sr = eu::supply_risk(&EuInputs {
        hhi_wgi_t_global: 10.0,
        hhi_wgi_t_eu: 10.0,
        import_reliance: 1.0,
        eol_rir: 0.0,
        si_sr: 1.0,
    });
    close(sr.supply_risk, 10.0);
    // Even spread over ten suppliers of middling governance (estimate 0 ->
    // 5): 10 x 0.01 x 5 = 0.5, below the threshold.
    let spread: Vec<Supplier> = ["AU", "BR", "CA", "CL", "FI", "IN", "MX", "NO", "PE", "ZA"]
        .iter()
        .map(|c| supplier(c, 0.1, 0.0, 1.0))
        .collect();
    close(eu::hhi_wgi_t(&spread), 0.5);
}

/// GeoPolRisk Equation 1 for importer c, with a partner lacking a score.
///
/// Production: A 80, B 20 -> HHI = (6400 + 400) / 100^2 = 0.68.
/// c imports 50 t from A (estimate -1.0 -> g = (2.5 + 1) / 5 = 0.7), 30 t from
/// B (1.0 -> 0.3) and 20 t from D (no score -> 0.5); no domestic production.
///   import risk = (50 x 0.7 + 30 x 0.3 + 20 x 0.5) / 100 = (35 + 9 + 10) / 100 = 0.54
///   score = 0.68 x 0.54 = 0.3672
/// Values 100 + 90 + 40 = 230 kUSD for 100 t: price = 2.3 USD/kg.
///   CF = 0.3672 x 2.3 / 0.409412948 = 0.84456 / 0.409412948
/// With 100 t of domestic production the denominator doubles: import risk
/// 0.27, score 0.1836.
#[test]
fn geopolrisk_equation_one_by_hand() {
    close(geopolrisk::hhi(&[80.0, 20.0], 0.0), 0.68);
    close(geopolrisk::g_from_wgi(-1.0), 0.7);
    close(geopolrisk::g_from_wgi(1.0), 0.3);
    let imports = vec![
        PartnerImport { partner: cc("CN"), quantity: 50.0, g: geopolrisk::g_from_wgi(-1.0) },
        PartnerImport { partner: cc("AU"), quantity: 30.0, g: geopolrisk::g_from_wgi(1.0) },
        PartnerImport { partner: cc("KP"), quantity: 20.0, g: geopolrisk::MISSING_G },
    ];
    let t = geopolrisk::score(&GprInputs {
        hhi: 0.68,
        imports: imports.clone(),
        domestic_production: 0.0,
        price_usd_per_kg: Some(2.3),
    });
    close(t.weighted_imports, 54.0);
    close(t.import_risk, 0.54);
    close(t.score, 0.3672);
    close(t.characterisation_factor.unwrap(), 0.84456 / 0.409412948);
    let with_domestic =
        geopolrisk::score(&GprInputs { hhi: 0.68, imports, domestic_production: 100.0, price_usd_per_kg: None });
    close(with_domestic.import_risk, 0.27);
    close(with_domestic.score, 0.1836);
    assert_eq!(with_domestic.characterisation_factor, None);
}

/// USGS-style supply risk from explicit terms.
///
/// Producers: CN 0.5 (estimate -0.5 -> g = 3/5 = 0.6), CD 0.3 (-1.5 -> 0.8),
/// AU 0.2 (1.0 -> 0.3).
///   DP = 0.25 x 0.6 + 0.09 x 0.8 + 0.04 x 0.3 = 0.15 + 0.072 + 0.012 = 0.234
/// TE = 0.9 (net import reliance 90 %), EV = 0.5:
///   SR = 0.234 x 0.9 x 0.5 = 0.1053
/// Estimates beyond +-2.5 clamp g to 0-1.
#[test]
fn usgs_terms_by_hand() {
    let producers = [
        Producer { country: cc("CN"), share: 0.5, g: usgs::governance_score(-0.5) },
        Producer { country: cc("CD"), share: 0.3, g: usgs::governance_score(-1.5) },
        Producer { country: cc("AU"), share: 0.2, g: usgs::governance_score(1.0) },
    ];
    close(producers[0].g, 0.6);
    close(producers[1].g, 0.8);
    close(producers[2].g, 0.3);
    let dp = usgs::disruption_potential(&producers);
    close(dp, 0.234);
    let t = usgs::supply_risk(&UsgsInputs { dp, te: 0.9, ev: 0.5 });
    close(t.dp_x_te, 0.2106);
    close(t.supply_risk, 0.1053);
    close(usgs::governance_score(-2.7), 1.0);
    close(usgs::governance_score(2.6), 0.0);
}
