// Golden tests of trade dependence over the real default dataset, against
// values computed INDEPENDENTLY with the Python below, straight from the raw
// BACI extract data/raw/... = /work/shared/data/baci-2024-critical-minerals/
// (trade.csv, countries.csv), not from the importer's output and not from
// this crate.
//
// Assumptions about the importer, to check if a test fails:
// - commodity-stages: rare_earth_compounds/refining = HS 284690;
//   graphite/mining = HS 250410 + 250490 summed; nickel_ore/mining = HS 260400;
//   all in tonnes (quantities are compared in tonnes: total x unit scale).
// - BACI ISO3 -> ISO2 through countries.csv, where two codes have no ISO2:
//   S19 ("Other Asia, nes", Taiwan in BACI's practice) -> TW, and NAM
//   (Namibia, whose "NA" was read as empty) -> NA. An importer that drops
//   them instead changes totals by < 0.001 % here, inside the tolerances.
// - rows with an empty quantity_t count as 0 t (dropped or kept as 0: the
//   same for sums and shares).
// Tolerances: totals 1e-4 relative, shares 1e-4 absolute, HHI 0.5 points.
//
// ---- derivation (python3 -, from /work/shared/data/baci-2024-critical-minerals) ----
// import csv
// from collections import defaultdict
// iso2 = {r['iso3']: (r['iso2'] or {'S19': 'TW', 'NAM': 'NA'}.get(r['iso3'], ''))
//         for r in csv.DictReader(open('countries.csv'))}
// rows = [r for r in csv.DictReader(open('trade.csv')) if r['year'] in ('2022', '2023')]
// COVERED = {'CN', 'RU', 'KP', 'IR'}   # group us_covered_nations
// def prof(importer, hs, year):
//     q = defaultdict(float)
//     for r in rows:
//         if r['year'] == str(year) and r['hs6'] in hs and iso2[r['importer']] == importer \
//                 and iso2[r['exporter']] != importer:
//             q[iso2[r['exporter']]] += float(r['quantity_t'] or 0)
//     tot = sum(q.values())
//     ranked = sorted(((c, x) for c, x in q.items() if x > 0), key=lambda kv: (-kv[1], kv[0]))
//     hhi = sum((100 * x / tot) ** 2 for _, x in ranked)
//     cov = sum(x for c, x in q.items() if c in COVERED) / tot
//     print(importer, sorted(hs), year, 'total', round(tot, 3), 'top', ranked[0][0],
//           round(ranked[0][1] / tot, 6), '2nd', ranked[1][0], round(ranked[1][1] / tot, 6),
//           'hhi', round(hhi, 3), 'covered', round(cov, 6))
//     return q, tot
// def exp(exporter, hs, year):
//     return sum(float(r['quantity_t'] or 0) for r in rows if r['year'] == str(year)
//                and r['hs6'] in hs and iso2[r['exporter']] == exporter
//                and iso2[r['importer']] != exporter)
// for y in (2022, 2023): prof('JP', {'284690'}, y)
// print('JP exports 284690 2023', round(exp('JP', {'284690'}, 2023), 3))
// for y in (2022, 2023): prof('US', {'250410', '250490'}, y)
// print('US exports graphite 2023', round(exp('US', {'250410', '250490'}, 2023), 3))
// q, t = prof('CN', {'260400'}, 2023)
// print('PH', round(q['PH'] / t, 6), 'ID', round(q['ID'] / t, 6))
// ---- output ----
// JP ['284690'] 2022 total 7438.159 top CN 0.617866 2nd MY 0.297262 hhi 4716.784 covered 0.617867
// JP ['284690'] 2023 total 8122.755 top CN 0.480382 2nd MY 0.431168 hhi 4190.985 covered 0.480404
// JP exports 284690 2023 4344.101
// US ['250410', '250490'] 2022 total 86088.264 top CN 0.503434 2nd MG 0.126974 hhi 3027.169 covered 0.503434
// US ['250410', '250490'] 2023 total 71555.603 top CN 0.385174 2nd MZ 0.262985 hhi 2456.071 covered 0.385174
// US exports graphite 2023 8899.753
// CN ['260400'] 2023 total 31418531.283 top PH 0.820752 2nd NC 0.102302 hhi 6857.724 covered 0.006577
// PH 0.820752 ID 0.009428

use lodestone_analysis::dependence::{exports, import_reliance_table, imports, ImportProfile};
use lodestone_model::{CommodityKey, CountryCode, Dataset};

fn ds() -> &'static Dataset {
    lodestone_data::default_dataset().unwrap_or_else(|p| panic!("{p}"))
}

fn cc(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

/// Tonnes per unit of the key's unit.
fn to_t(ds: &Dataset, key: &CommodityKey) -> f64 {
    let unit = &ds.commodity(key).expect("key declared").unit;
    unit.factor_to(&lodestone_model::Unit::parse("t").unwrap()).expect("mass unit")
}

#[track_caller]
fn near_rel(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * b.abs(), "{a} != {b} (relative tolerance {tol})");
}

#[track_caller]
fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} != {b} (tolerance {tol})");
}

fn share(p: &ImportProfile, country: &str) -> f64 {
    p.partners.iter().find(|q| q.country == cc(country)).map_or(0.0, |q| q.share)
}

#[test]
fn japan_rare_earth_compounds_2023() {
    let ds = ds();
    let key = CommodityKey::new("rare_earth_compounds", "refining");
    let p = imports(ds, cc("JP"), &key, Some(2023)).unwrap();
    let t = to_t(ds, &key);
    near_rel(p.imports * t, 8122.755, 1e-4);
    assert_eq!(p.partners[0].country, cc("CN"));
    near(p.partners[0].share, 0.480382, 1e-4);
    assert_eq!(p.partners[1].country, cc("MY"));
    near(p.partners[1].share, 0.431168, 1e-4);
    near(p.import_hhi.unwrap(), 4190.985, 0.5);
    near(p.groups["us_covered_nations"], 0.480404, 1e-4);
    near_rel(p.exports * t, 4344.101, 1e-4);
    assert!(p.partners.iter().all(|q| q.country != cc("JP")));
    // Year on year against 2022: imports 7438.159 t, HHI 4716.784,
    // covered share 0.617867.
    let y = p.yoy.as_ref().expect("2022 has trade");
    assert_eq!(y.previous_year, 2022);
    near(y.imports_change.unwrap(), 8122.755 / 7438.159 - 1.0, 1e-4);
    near(y.import_hhi_change.unwrap(), 4190.985 - 4716.784, 1.0);
    near(y.group_share_change["us_covered_nations"], 0.480404 - 0.617867, 2e-4);
}

#[test]
fn united_states_graphite_2023() {
    let ds = ds();
    let key = CommodityKey::new("graphite", "mining");
    let p = imports(ds, cc("US"), &key, Some(2023)).unwrap();
    let t = to_t(ds, &key);
    near_rel(p.imports * t, 71555.603, 1e-4);
    assert_eq!(p.partners[0].country, cc("CN"));
    near(p.partners[0].share, 0.385174, 1e-4);
    assert_eq!(p.partners[1].country, cc("MZ"));
    near(p.partners[1].share, 0.262985, 1e-4);
    near(p.import_hhi.unwrap(), 2456.071, 0.5);
    near(p.groups["us_covered_nations"], 0.385174, 1e-4);
    near_rel(p.exports * t, 8899.753, 1e-4);
    let e = exports(ds, cc("US"), &key, Some(2023)).unwrap();
    near_rel(e.exports * t, 8899.753, 1e-4);
}

#[test]
fn china_nickel_ore_2023() {
    let ds = ds();
    let key = CommodityKey::new("nickel_ore", "mining");
    let p = imports(ds, cc("CN"), &key, Some(2023)).unwrap();
    near_rel(p.imports * to_t(ds, &key), 31418531.283, 1e-4);
    assert_eq!(p.partners[0].country, cc("PH"));
    near(share(&p, "PH"), 0.820752, 1e-4);
    assert_eq!(p.partners[1].country, cc("NC"));
    // Indonesia's ore export ban (2020): under 1 % of China's imports.
    near(share(&p, "ID"), 0.009428, 1e-4);
    near(p.import_hhi.unwrap(), 6857.724, 0.5);
    near(p.groups["us_covered_nations"], 0.006577, 1e-4);
}

#[test]
fn reliance_table_is_consistent_with_profiles() {
    let ds = ds();
    let rows = import_reliance_table(ds, cc("JP"), Some(2023)).unwrap();
    let re = rows
        .iter()
        .find(|r| r.commodity == "rare_earth_compounds" && r.stage == "refining")
        .expect("JP imports rare-earth compounds in 2023");
    let p = imports(ds, cc("JP"), &CommodityKey::new("rare_earth_compounds", "refining"), Some(2023)).unwrap();
    assert_eq!(re.imports, p.imports);
    assert_eq!(re.top_partner.as_ref().map(|q| q.country), Some(cc("CN")));
    assert!(rows.iter().all(|r| r.imports > 0.0));
}
