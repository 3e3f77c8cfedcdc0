//! `build_default` over data/raw: the whole default dataset validates.

mod common;

use common::{key, raw};
use lodestone_import::{build_default, curated_ownership, iso_countries, lodestone_groups};
use std::collections::BTreeSet;

#[test]
fn default_dataset_validates() {
    let (ds, reports) = build_default(&raw()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ds.manifest.name, "lodestone-default");
    assert_eq!(ds.manifest.stages, ["mining", "refining", "component", "product"]);
    assert_eq!(ds.manifest.default_year, None);
    // python3 -c "import json; print(len(json.load(open('iso-codes/iso_3166-1.json'))['3166-1']))" -> 249
    assert_eq!(ds.countries.len(), 249);
    for k in [
        "rare_earths/mining",
        "nickel/mining",
        "nickel/refining",
        "cobalt/mining",
        "lithium/mining",
        "graphite/mining",
        "gallium/refining",
        "germanium/refining",
        "copper/mining",
        "copper/refining",
    ] {
        assert!(ds.commodity(&key(k)).is_some(), "{k}");
    }
    // Declared once each.
    let ids: BTreeSet<&str> = ds.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), ds.sources.len());
    let keys: BTreeSet<String> = ds.commodities.iter().map(|c| c.key.to_string()).collect();
    assert_eq!(keys.len(), ds.commodities.len());
    for id in [
        "iso-3166-1",
        "usgs-mcs-2025-world",
        "usgs-mcs-2025-salient",
        "usgs-mcs-2025-nir",
        "c4ads-2025-indonesia-nickel",
    ] {
        assert!(ids.contains(id), "{id}");
    }
    // The curated ownership row, and groups when lodestone/groups.csv is present.
    assert_eq!(ds.ownership.len(), 1);
    if raw().join("lodestone/groups.csv").is_file() {
        assert!(!ds.groups.is_empty());
    }
    let names: Vec<&str> = reports.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"usgs world") && names.contains(&"usgs salient"), "{names:?}");

    // BACI trade (all years), WGI governance, WMD production_other; counts as
    // in tests/baci.rs, tests/wgi.rs and tests/wmd.rs.
    for id in ["cepii-baci-hs92-v202401b", "wb-wgi-2024", "wmd-2025"] {
        assert!(ids.contains(id), "{id}");
    }
    assert_eq!(ds.trade.len(), 286_004);
    assert_eq!(ds.governance.len(), 5326);
    assert_eq!(ds.production_other.len(), 11220);
    let years: BTreeSet<i32> = ds.trade.iter().map(|t| t.year).collect();
    assert_eq!(years, (2018..=2024).collect());
    // graphite/mining is declared once: the USGS declaration with BACI's HS codes.
    let g: Vec<_> = ds.commodities.iter().filter(|c| c.key == key("graphite/mining")).collect();
    assert_eq!(g.len(), 1);
    assert_eq!(
        (g[0].source.as_str(), g[0].hs_codes.clone()),
        ("usgs-mcs-2025-world", vec!["250410".to_string(), "250490".to_string()])
    );
    assert!(ds.commodity(&key("nickel_ore/mining")).is_some_and(|c| c.material() == "nickel"));
}

#[test]
fn merging_unites_hs_codes_only() {
    use lodestone_import::{default_manifest, Imported};
    use lodestone_model::{Commodity, Dataset, Unit};
    let c = |hs: &[&str], name: &str| Commodity {
        key: key("graphite/mining"),
        name: name.into(),
        unit: Unit::parse("t").expect("t"),
        basis: "gross weight".into(),
        hs_codes: hs.iter().map(|s| s.to_string()).collect(),
        material: String::new(),
        source: "usgs-mcs-2025-world".into(),
        note: String::new(),
    };
    let with = |x: Commodity| Imported { commodities: vec![x], ..Imported::default() };
    let mut ds = Dataset::empty(default_manifest());
    with(c(&[], "Natural graphite")).merge_into(&mut ds).expect("first");
    with(c(&["250490", "250410"], "Natural graphite")).merge_into(&mut ds).expect("other hs codes");
    with(c(&["250410"], "Natural graphite")).merge_into(&mut ds).expect("subset");
    assert_eq!(ds.commodities.len(), 1);
    assert_eq!(ds.commodities[0].hs_codes, ["250410", "250490"]);
    let e = with(c(&["250410"], "Graphite")).merge_into(&mut ds).expect_err("another name");
    assert!(e.message.contains("graphite/mining"), "{e}");
}

#[test]
fn iso_countries_use_common_names() {
    let c = iso_countries();
    let name = |code: &str| c.iter().find(|x| x.code.as_str() == code).map(|x| x.name.clone());
    // json entries: BO has common_name 'Bolivia'; MM has none ('Myanmar').
    assert_eq!(name("BO").as_deref(), Some("Bolivia"));
    assert_eq!(name("MM").as_deref(), Some("Myanmar"));
    assert!(c.iter().all(|x| x.source == "iso-3166-1" && x.iso3.len() == 3));
}

#[test]
fn curated_ownership_and_groups() {
    let o = curated_ownership(&raw().join("curated/ownership.csv")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(o.ownership.len(), 1);
    let r = &o.ownership[0];
    assert_eq!(
        (r.key.to_string(), r.location.as_str(), r.owner.as_str(), r.year, r.share),
        ("nickel/refining".into(), "ID", "CN", 2023, 0.75)
    );
    assert_eq!(r.source, "c4ads-2025-indonesia-nickel");
    assert!(o.commodities.iter().any(|c| c.key == key("nickel/refining") && c.note.contains("no refinery output")));
    assert!(o.sources.iter().any(|s| s.id == "c4ads-2025-indonesia-nickel"));

    // Absent files contribute nothing.
    let empty = tempfile::tempdir().expect("tempdir");
    let g = lodestone_groups(empty.path()).expect("absent files are fine");
    assert!(g.groups.is_empty() && g.sources.is_empty());
    // A group citing an undeclared source is an error naming the line.
    std::fs::write(empty.path().join("groups.csv"), "group,country,source,note\ng7,CA,nowhere,\n").expect("write");
    let e = lodestone_groups(empty.path()).expect_err("undeclared source");
    assert_eq!((e.line, e.column.as_deref()), (Some(2), Some("source")));
    // An unknown country code too.
    std::fs::write(empty.path().join("groups.csv"), "group,country,source,note\ng7,XX,iso-3166-1,\n").expect("write");
    let e = lodestone_groups(empty.path()).expect_err("unknown country");
    assert_eq!((e.line, e.column.as_deref()), (Some(2), Some("country")));
}
