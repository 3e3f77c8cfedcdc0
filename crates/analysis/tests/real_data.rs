// PENDING: rename to real_data.rs and add to crates/analysis/Cargo.toml
//
//     [dev-dependencies]
//     lodestone-data.workspace = true
//
// once `lodestone_data::default_dataset()` loads data/default. (Not wired in
// yet because lodestone-data may not compile while data/default is built.)
//
// Golden tests: analyses over the real default dataset against values
// computed INDEPENDENTLY, with the Python below, straight from the raw USGS
// file data/raw/usgs-mcs-2025/world/MCS2025_World_Data.csv (not from the
// importer's output and not from this crate). Convention (as in
// `concentration`'s doc): shares are of the sum of all country rows for the
// commodity-stage-year, including "Other Countries" and excluding
// "World total (rounded)"; HHI over named countries only; "Other Countries"
// is the residual. Blank and "NA" cells are no data (gallium's Other
// Countries production is blank, so its residual is 0).
//
// Assumptions about the importer, to check if a test fails: the 2024
// column "PROD_EST_ 2024" becomes year 2024; "RESERVES_2024" becomes year
// 2024; the cobalt row "United States, Mine production, estimated" (TYPE
// lacks "cobalt content") is imported with the other cobalt mine rows;
// copper refining is "Refinery production, copper"; gallium refining is
// "Primary production". Totals are compared in tonnes (total x the unit's
// scale), so the dataset may keep kg or kt.
//
// ---- derivation (run from the repository root: python3 -) ----
// import csv
// ISO2 = {'United States': 'US', 'Australia': 'AU', 'Brazil': 'BR', 'Burma': 'MM', 'Canada': 'CA',
//         'China': 'CN', 'India': 'IN', 'Madagascar': 'MG', 'Malaysia': 'MY', 'Nigeria': 'NG',
//         'Russia': 'RU', 'Thailand': 'TH', 'Vietnam': 'VN', 'Indonesia': 'ID', 'New Caledonia': 'NC',
//         'Philippines': 'PH', 'Congo (Kinshasa)': 'CD', 'Cuba': 'CU', 'Papua New Guinea': 'PG',
//         'Turkey': 'TR', 'Japan': 'JP', 'Korea, Republic of': 'KR', 'Chile': 'CL', 'Germany': 'DE',
//         'Kazakhstan': 'KZ', 'Mexico': 'MX', 'Peru': 'PE', 'Poland': 'PL', 'Zambia': 'ZM'}
// COVERED = {'CN', 'RU', 'KP', 'IR'}  # group us_covered_nations
// rows = list(csv.DictReader(open('data/raw/usgs-mcs-2025/world/MCS2025_World_Data.csv', encoding='utf-8-sig')))
//
// def series(commodity, type_prefix, column):
//     """(ISO2 or 'ZZ', value) for each row with a number; the rounded world total is left out."""
//     out = []
//     for r in rows:
//         if r['COMMODITY'].strip() != commodity or not r['TYPE'].startswith(type_prefix):
//             continue
//         c, v = r['COUNTRY'].strip(), r[column].strip()
//         if c == 'World total (rounded)' or v in ('', 'NA'):
//             continue
//         out.append(('ZZ' if c == 'Other Countries' else ISO2[c], float(v)))
//     return out
//
// def summary(s):
//     total = sum(v for _, v in s)
//     named = sorted([(c, v / total) for c, v in s if c != 'ZZ'], key=lambda x: (-x[1], x[0]))
//     return dict(total=total, order=[c for c, _ in named], shares=dict(named),
//                 hhi=sum((100 * x) ** 2 for _, x in named), top3=sum(x for _, x in named[:3]),
//                 residual=sum(v for c, v in s if c == 'ZZ') / total,
//                 covered=sum(x for c, x in named if c in COVERED))
//
// for key, comm, typ in [('rare_earths/mining', 'Rare earths', 'Mine production'),
//                        ('nickel/mining', 'Nickel', 'Mine production'),
//                        ('cobalt/mining', 'Cobalt', 'Mine production'),
//                        ('gallium/refining', 'Gallium', 'Primary production'),
//                        ('copper/refining', 'Copper', 'Refinery production')]:
//     print(key, summary(series(comm, typ, 'PROD_EST_ 2024')))
// res = summary(series('Nickel', 'Mine production', 'RESERVES_2024'))
// prod = summary(series('Nickel', 'Mine production', 'PROD_EST_ 2024'))
// print('nickel reserves', res, 'R/P', res['total'] / prod['total'])
// ni_res = dict(series('Nickel', 'Mine production', 'RESERVES_2024'))
// ni_prod = dict(series('Nickel', 'Mine production', 'PROD_EST_ 2024'))
// print('  ID R/P', ni_res['ID'] / ni_prod['ID'], 'AU R/P', ni_res['AU'] / ni_prod['AU'])
// ---- output (2024) ----
// rare_earths/mining total 393950 t; order CN US MM AU NG TH IN RU MG VN MY BR
//   (AU, NG, TH tie at 13000: by code); CN 0.6853661632186826,
//   US 0.11422769386978043, MM 0.07869018911029318; hhi 4923.54639657785;
//   top3 0.8782840461987562; residual 0.002792232516816855 (1100 / 393950);
//   us_covered_nations (CN + RU) 0.6917121462114482
// nickel/mining total 3655000 t; order ID PH RU CA CN AU NC BR US (AU, NC tie
//   at 110000); ID 0.6019151846785226; hhi 3797.9515720645772;
//   top3 0.749658002735978; residual 0.08207934336525308;
//   us_covered_nations (CN 120000 + RU 210000 = 330000 / 3655000) 0.09028727770177838
// cobalt/mining total 288200 t; order CD ID RU CA PH AU CU PG TR MG NC US;
//   CD 0.7633587786259542; hhi 5940.79839882956; top3 0.890700902151284;
//   residual 0.021512838306731435; covered 0.03018736988202637
// gallium/refining total 762000 kg = 762 t; order CN RU JP KR (JP, KR tie);
//   CN 0.984251968503937; hhi 9688.449376898752; top3 0.9960629921259843;
//   residual 0; covered 0.9921259842519685
// copper/refining total 27210 kt = 27210000 t; order CN CD CL JP RU US DE KR
//   PL IN KZ AU PE ID MX CA ZM (ID, MX tie at 350); CN 0.4410143329658214;
//   hhi 2167.578963405616; top3 0.6027195883866225;
//   residual 0.09187798603454612; covered 0.4762954796030871
// nickel reserves 2024 total 131210000 t; ID 0.4191753677311181;
//   hhi 2337.140519824156; top3 0.7240301806264766;
//   residual 0.06935446993369408; R/P 35.89876880984952 years;
//   ID R/P 25.0; AU R/P 218.1818181818182

use lodestone_analysis::{concentration, group_share, reserves, By};
use lodestone_model::{CommodityKey, Dataset, Unit};

fn ds() -> &'static Dataset {
    lodestone_data::default_dataset().unwrap_or_else(|p| panic!("{p}"))
}

#[track_caller]
fn close(what: &str, got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-9 * want.abs().max(1e-6), "{what}: got {got}, want {want}");
}

/// Tonnes per one unit of `code`.
fn tonnes(code: &str) -> f64 {
    Unit::parse(code).unwrap_or_else(|| panic!("unit {code}")).scale
}

struct Golden {
    key: &'static str,
    total_t: f64,
    order: &'static [&'static str],
    top_share: f64,
    hhi: f64,
    top3: f64,
    residual: f64,
    covered: f64,
}

fn check(g: &Golden) {
    let key = CommodityKey::parse(g.key).unwrap();
    let c = concentration(ds(), &key, Some(2024), By::Location).unwrap_or_else(|e| panic!("{e}"));
    close(&format!("{} total (t)", g.key), c.total * tonnes(&c.unit), g.total_t);
    let order: Vec<&str> = c.producers.iter().map(|p| p.country.as_str()).collect();
    assert_eq!(order, g.order, "{} producer order", g.key);
    assert_eq!(c.n_producers, g.order.len());
    let top1 = c.top1.as_ref().expect("a named producer");
    assert_eq!(top1.country.as_str(), g.order[0]);
    close(&format!("{} top1 share", g.key), top1.share, g.top_share);
    close(&format!("{} hhi", g.key), c.hhi, g.hhi);
    close(&format!("{} top3", g.key), c.top3_share, g.top3);
    close(&format!("{} residual", g.key), c.residual_share, g.residual);
    close(&format!("{} us_covered_nations", g.key), c.groups["us_covered_nations"], g.covered);
    let gs = group_share(ds(), &key, Some(2024), "us_covered_nations").unwrap();
    close(&format!("{} group_share", g.key), gs, g.covered);
}

#[test]
fn rare_earths_mining_2024() {
    check(&Golden {
        key: "rare_earths/mining",
        total_t: 393950.0,
        order: &["CN", "US", "MM", "AU", "NG", "TH", "IN", "RU", "MG", "VN", "MY", "BR"],
        top_share: 0.6853661632186826,
        hhi: 4923.54639657785,
        top3: 0.8782840461987562,
        residual: 0.002792232516816855,
        covered: 0.6917121462114482,
    });
    // Second and third producers, by hand: 45000 / 393950, 31000 / 393950.
    let c = concentration(ds(), &CommodityKey::new("rare_earths", "mining"), Some(2024), By::Location).unwrap();
    close("US share", c.producers[1].share, 0.11422769386978043);
    close("MM share", c.producers[2].share, 0.07869018911029318);
}

#[test]
fn nickel_mining_2024() {
    check(&Golden {
        key: "nickel/mining",
        total_t: 3655000.0,
        order: &["ID", "PH", "RU", "CA", "CN", "AU", "NC", "BR", "US"],
        top_share: 0.6019151846785226,
        hhi: 3797.9515720645772,
        top3: 0.749658002735978,
        residual: 0.08207934336525308,
        covered: 0.09028727770177838,
    });
}

#[test]
fn cobalt_mining_2024() {
    check(&Golden {
        key: "cobalt/mining",
        total_t: 288200.0,
        order: &["CD", "ID", "RU", "CA", "PH", "AU", "CU", "PG", "TR", "MG", "NC", "US"],
        top_share: 0.7633587786259542,
        hhi: 5940.79839882956,
        top3: 0.890700902151284,
        residual: 0.021512838306731435,
        covered: 0.03018736988202637,
    });
}

#[test]
fn gallium_refining_2024() {
    // "Other Countries" production is blank in the raw file: no residual.
    check(&Golden {
        key: "gallium/refining",
        total_t: 762.0,
        order: &["CN", "RU", "JP", "KR"],
        top_share: 0.984251968503937,
        hhi: 9688.449376898752,
        top3: 0.9960629921259843,
        residual: 0.0,
        covered: 0.9921259842519685,
    });
}

#[test]
fn copper_refining_2024() {
    check(&Golden {
        key: "copper/refining",
        total_t: 27_210_000.0,
        order: &["CN", "CD", "CL", "JP", "RU", "US", "DE", "KR", "PL", "IN", "KZ", "AU", "PE", "ID", "MX", "CA", "ZM"],
        top_share: 0.4410143329658214,
        hhi: 2167.578963405616,
        top3: 0.6027195883866225,
        residual: 0.09187798603454612,
        covered: 0.4762954796030871,
    });
}

#[test]
fn nickel_reserves_2024() {
    let r = reserves(ds(), &CommodityKey::new("nickel", "mining"), Some(2024)).unwrap_or_else(|e| panic!("{e}"));
    close("total (t)", r.total * tonnes(&r.unit), 131_210_000.0);
    assert_eq!(r.countries[0].country.as_str(), "ID");
    close("ID share", r.countries[0].share, 0.4191753677311181);
    close("hhi", r.hhi, 2337.140519824156);
    close("top3", r.top3_share, 0.7240301806264766);
    close("residual", r.residual_share, 0.06935446993369408);
    // Only the excluded world total is published as a floor (">130000000").
    assert_eq!(r.lower_bound_rows, 0);
    assert_eq!(r.production_year, Some(2024));
    // 131210000 / 3655000; ID 55000000 / 2200000; AU 24000000 / 110000.
    close("R/P", r.years_of_production.unwrap(), 35.89876880984952);
    close("ID R/P", r.countries[0].years_of_production.unwrap(), 25.0);
    let au = r.countries.iter().find(|c| c.country.as_str() == "AU").unwrap();
    close("AU R/P", au.years_of_production.unwrap(), 218.1818181818182);
}
