//! `usgs_salient` and `usgs_nir_table` on the real files.
//!
//! Expected values come from the raw CSVs with python3 (run in
//! data/raw/usgs-mcs-2025/salient/), `get(file, column, year)` being
//! ```text
//! def get(f,col,year):
//!     r=list(csv.reader(open(f,encoding='utf-8-sig'))); h=r[0]
//!     return [x[i] for x in r[1:] if x[2]==year for i in range(len(h)) if h[i]==col]
//! ```

mod common;

use common::raw;
use lodestone_import::{usgs_nir_table, usgs_salient, Imported};
use lodestone_model::{Bound, ImportReliance, Salient};

fn salient() -> Imported {
    usgs_salient(&raw().join("usgs-mcs-2025/salient")).expect("the published files import")
}

fn cell<'a>(s: &'a Imported, commodity: &str, item: &str, year: i32) -> &'a Salient {
    let found: Vec<&Salient> =
        s.salient.iter().filter(|r| r.commodity == commodity && r.item == item && r.year == year).collect();
    assert_eq!(found.len(), 1, "{commodity} {item} {year}");
    found[0]
}

fn nir<'a>(rows: &'a [ImportReliance], commodity: &str, year: i32) -> Vec<&'a ImportReliance> {
    rows.iter().filter(|r| r.commodity == commodity && r.year == year).collect()
}

#[test]
fn every_published_cell_is_a_row_or_a_skip() {
    let s = salient();
    // 85 files x 5 years + 6 blank rows in the bauxite file:
    // sum(len(list(csv.reader(open(f,encoding='utf-8-sig'))))-1 for f in glob.glob('mcs2025-*_salient.csv')) -> 431
    assert_eq!(s.report.rows_read, 431);
    // Cells under named columns in non-blank rows -> 4755
    let blank_rows = s.report.skipped.iter().filter(|k| k.reason == "blank row").count();
    assert_eq!(blank_rows, 6);
    assert_eq!(s.report.cells_imported + s.report.skipped.len() - blank_rows, 4755);
    assert!(s.salient.iter().all(|r| r.country.as_str() == "US" && r.source == "usgs-mcs-2025-salient"));
}

#[test]
fn gallium_and_nickel() {
    let s = salient();
    // get('mcs2025-galli_salient.csv','NIR_pct','2024') -> ['100']
    let g = cell(&s, "gallium", "NIR_pct", 2024);
    assert_eq!(
        (g.value, g.bound, g.category.as_str(), g.unit.as_str()),
        (100.0, Bound::Exact, "net_import_reliance", "percent")
    );
    // get('mcs2025-galli_salient.csv','Imports_Metal_kg','2024') -> ['11000']
    let i = cell(&s, "gallium", "Imports_Metal_kg", 2024);
    assert_eq!((i.value, i.category.as_str(), i.unit.as_str()), (11000.0, "imports", "kg"));
    // The NIR column also becomes an import-reliance row, item = the commodity as published.
    let r = nir(&s.import_reliance, "gallium", 2024);
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].item.as_str(), r[0].percent), ("Gallium", 100.0));
    // get('mcs2025-nicke_salient.csv','NIR_ct','2024') -> ['48']  (`_ct`, a typo for pct)
    let n = cell(&s, "nickel", "NIR_ct", 2024);
    assert_eq!((n.value, n.unit.as_str()), (48.0, "percent"));
    assert!(n.note.contains("_ct"), "{}", n.note);
    assert_eq!(nir(&s.import_reliance, "nickel", 2024)[0].percent, 48.0);
}

#[test]
fn non_numeric_cells() {
    let s = salient();
    // get('mcs2025-germa_salient.csv','NIR_ct','2024') -> ['>50']
    let g = cell(&s, "germanium", "NIR_ct", 2024);
    assert_eq!((g.value, g.bound), (50.0, Bound::AtLeast));
    assert_eq!(nir(&s.import_reliance, "germanium", 2024)[0].bound, Bound::AtLeast);
    // get('mcs2025-coppe_salient.csv','Imports_Ores_kt','2024') -> ['Less than ½ unit.']
    let c = cell(&s, "copper", "Imports_Ores_kt", 2024);
    assert_eq!((c.value, c.bound), (0.5, Bound::AtMost));
    // get('mcs2025-beryl_salient.csv','NIR_pct','2024') -> ['E'] (net exporter)
    let b = nir(&s.import_reliance, "beryllium", 2024);
    assert_eq!((b[0].percent, b[0].bound), (0.0, Bound::AtMost));
    assert!(b[0].note.contains("net exporter"));
    // get('mcs2025-molyb_salient.csv','Stocks_t','2023') -> ['1,900']
    assert_eq!(cell(&s, "molybdenum", "Stocks_t", 2023).value, 1900.0);
    // mcs2025-tanta_salient.csv line 2: Shipments_Gov_t '−16' (U+2212 minus)
    assert_eq!(cell(&s, "tantalum", "Shipments_Gov_t", 2020).value, -16.0);
    // W and NA are skipped with their reasons.
    let counts = s.report.skip_counts();
    assert!(counts.get("withheld (W)").copied().unwrap_or(0) > 0);
    assert!(counts.get("not available (NA)").copied().unwrap_or(0) > 0);
    // Ranges ("500–20,000") are not values.
    assert!(s.salient.iter().all(|r| r.item != "HPQPrice_dt"));
    assert_eq!(counts.get("range, not a single value"), Some(&10));
}

#[test]
fn repeated_column_names_and_sub_commodities() {
    let s = salient();
    // get('mcs2025-timin_salient.csv','Price_dt','2024') -> ['1310','500','340','990']
    assert_eq!(cell(&s, "titanium_mineral_concentrates", "Price_dt#2", 2024).value, 500.0);
    assert_eq!(cell(&s, "titanium_mineral_concentrates", "Price_dt#4", 2024).value, 990.0);
    // Bauxite file: Alumina_ columns go to alumina, with the prefix stripped for the category.
    let a = cell(&s, "alumina", "Alumina_Refinery_kt", 2024);
    assert_eq!((a.value, a.category.as_str()), (810.0, "production"));
    // Two NIR columns in one file: items name the column.
    assert!(s
        .import_reliance
        .iter()
        .any(|r| r.commodity == "alumina" && r.item == "Bauxite and Alumina (Alumina_NIR_pct)"));
    // Every commodity referenced is declared.
    for r in &s.salient {
        assert!(s.commodities.iter().any(|c| c.key.commodity == r.commodity), "{}", r.commodity);
    }
}

#[test]
fn net_import_reliance_table() {
    let p = raw().join("usgs-mcs-2025/trends/MCS2025_Fig2_Net_Import_Reliance.csv");
    let t = usgs_nir_table(&p).expect("imports");
    // python3 -c "import csv; print(len(list(csv.reader(open(p,encoding='utf-8-sig'))))-1)" -> 64
    assert_eq!(t.report.rows_read, 64);
    assert_eq!(t.import_reliance.len(), 64);
    let item = |i: &str| t.import_reliance.iter().find(|r| r.item == i).unwrap_or_else(|| panic!("{i}"));
    // ['MCS2025', '5', 'GALLIUM, metal', '100', 'Japan, China, Germany, Canada', ...]
    let g = item("GALLIUM, metal");
    assert_eq!((g.commodity.as_str(), g.year, g.percent, g.bound), ("gallium", 2024, 100.0, Bound::Exact));
    assert!(g.note.contains("Japan, China, Germany, Canada"), "{}", g.note);
    // ['MCS2025', '28', 'RARE EARTHS, compounds and metals', '80', ...]
    assert_eq!(item("RARE EARTHS, compounds and metals").percent, 80.0);
    // ['MCS2025', '17', 'ABRASIVES, fused aluminum oxide', '>95', ...]
    let a = item("ABRASIVES, fused aluminum oxide");
    assert_eq!((a.percent, a.bound), (95.0, Bound::AtLeast));
    // ['MCS2025', '47', 'SILICON, metal and ferrosilicon', '<50', ...]
    let si = item("SILICON, metal and ferrosilicon");
    assert_eq!((si.percent, si.bound), (50.0, Bound::AtMost));
    assert!(t.import_reliance.iter().all(|r| r.source == "usgs-mcs-2025-nir"));
    assert!(t.commodities.iter().any(|c| c.key.commodity == "cesium"));
}
