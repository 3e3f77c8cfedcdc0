//! Corrupted copies of the real world-data file: each defect is an
//! ImportError naming file, line and column, and nothing is returned.
//! Line numbers are physical lines of the published file
//! (`grep -n 'Rare earths,Burma' MCS2025_World_Data.csv` -> 883, etc.).

mod common;

use common::{cc, key, world_csv};
use lodestone_import::{usgs_nir_table, usgs_salient, usgs_world, ImportError};
use lodestone_model::Bound;
use std::path::{Path, PathBuf};

/// Writes a copy of the world file with `edit` applied to physical line
/// `line` (1-based, line ending kept) and returns its path.
fn corrupted(dir: &Path, line: usize, edit: impl Fn(&str) -> String) -> PathBuf {
    let text = std::fs::read_to_string(world_csv()).expect("raw file");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let before = lines[line - 1].clone();
    lines[line - 1] = edit(&before);
    assert_ne!(lines[line - 1], before, "the edit must change line {line}");
    let path = dir.join("MCS2025_World_Data.csv");
    std::fs::write(&path, lines.concat()).expect("write copy");
    path
}

fn err_of(path: &Path) -> ImportError {
    match usgs_world(path) {
        Ok(_) => panic!("a corrupted file must not import"),
        Err(e) => e,
    }
}

fn assert_at(e: &ImportError, path: &Path, line: u64, column: &str) {
    assert_eq!(e.file, path.display().to_string(), "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(e.column.as_deref(), Some(column), "{e}");
    let shown = e.to_string();
    assert!(shown.contains(&format!(":{line}:")) && shown.contains(column), "{shown}");
}

#[test]
fn unknown_country_name() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = corrupted(d.path(), 883, |l| l.replace("Rare earths,Burma,", "Rare earths,Burmah,"));
    let e = err_of(&p);
    assert_at(&e, &p, 883, "COUNTRY");
    assert!(e.message.contains("Burmah") && e.message.contains("usgs_countries.csv"), "{e}");
}

#[test]
fn unknown_type() {
    let d = tempfile::tempdir().expect("tempdir");
    // grep -n 'Nickel,Indonesia' -> 729
    let p = corrupted(d.path(), 729, |l| l.replace("nickel content", "nickel contents"));
    let e = err_of(&p);
    assert_at(&e, &p, 729, "TYPE");
    assert!(e.message.contains("nickel contents") && e.message.contains("usgs_types.csv"), "{e}");
}

#[test]
fn unexpected_unit() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = corrupted(d.path(), 729, |l| l.replace(",metric tons,", ",kilograms,"));
    assert_at(&err_of(&p), &p, 729, "UNIT_MEAS");
}

#[test]
fn broken_header() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = corrupted(d.path(), 1, |l| l.replace("PROD_EST_ 2024", "PROD_EST_ 2O24"));
    let e = err_of(&p);
    assert_at(&e, &p, 1, "PROD_EST_ 2O24");
    assert!(e.message.contains("malformed header"), "{e}");
    // A missing column.
    let p = corrupted(d.path(), 1, |l| l.replace("CAP_NOTES,", ""));
    let e = err_of(&p);
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("malformed header"), "{e}");
}

#[test]
fn non_numeric_value() {
    let d = tempfile::tempdir().expect("tempdir");
    // grep -n 'Rare earths,China' -> 885, PROD_2023 = 255000
    let p = corrupted(d.path(), 885, |l| l.replace(",255000,", ",about 255000,"));
    let e = err_of(&p);
    assert_at(&e, &p, 885, "PROD_2023");
    assert!(e.message.contains("about 255000") && e.message.contains("expected a number"), "{e}");
    // A malformed thousands separator in a reserves cell.
    let p = corrupted(d.path(), 885, |l| l.replace(",44000000,", ",\"44000,00\","));
    assert_at(&err_of(&p), &p, 885, "RESERVES_2024");
    // A bound where production expects a plain number.
    let p = corrupted(d.path(), 885, |l| l.replace(",255000,", ",>255000,"));
    assert_at(&err_of(&p), &p, 885, "PROD_2023");
    // Even in an aggregate row, which is otherwise skipped.
    // grep -n 'Rare earths,World total' -> 897
    let p = corrupted(d.path(), 897, |l| l.replace(",376000,", ",37600O,"));
    assert_at(&err_of(&p), &p, 897, "PROD_2023");
}

#[test]
fn reserve_note_that_changes_the_unit_must_be_mapped() {
    let d = tempfile::tempdir().expect("tempdir");
    // Nickel, China (line 728) gets a unit note its TYPE mapping does not expect.
    let p = corrupted(d.path(), 728, |l| {
        let t = l.trim_end_matches(['\r', '\n']);
        format!("{t} (Reserve data is thousand metric tons).\r\n")
    });
    let e = err_of(&p);
    assert_at(&e, &p, 728, "RESERVE_NOTES");
    assert!(e.message.contains("nickel/mining"), "{e}");
}

#[test]
fn duplicate_country_row() {
    let d = tempfile::tempdir().expect("tempdir");
    // Line 885 (Rare earths, China) given twice under two labels of China.
    let p = corrupted(d.path(), 885, |l| format!("{l}{}", l.replace(",China,", ",China (unspecified minerals),")));
    let e = err_of(&p);
    assert_eq!(e.line, Some(886), "{e}");
    assert_eq!(e.column.as_deref(), Some("COUNTRY"));
    assert!(e.message.contains("duplicate") && e.message.contains("line 885"), "{e}");
}

#[test]
fn lower_bound_reserves_on_a_country_row() {
    let d = tempfile::tempdir().expect("tempdir");
    // grep -n 'Niobium,Brazil' -> 736, RESERVES_2024 = 16000000
    let p = corrupted(d.path(), 736, |l| l.replace(",16000000,", ",\">16,000,000\","));
    let w = usgs_world(&p).expect("imports");
    let r = w
        .reserves
        .iter()
        .find(|r| r.key == key("niobium/mining") && r.country == cc("BR"))
        .expect("Brazil niobium reserves");
    assert_eq!((r.quantity, r.bound), (16_000_000.0, Bound::AtLeast));
}

#[test]
fn unreadable_inputs_are_errors_not_panics() {
    let d = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[u8]); 6] = [
        ("empty", b""),
        ("not utf-8", b"\xff\xfe\x00garbage"),
        ("header only", b"SOURCE,COMMODITY\r\n"),
        ("unbalanced quotes", b"\"SOURCE,COMMODITY\n1,2"),
        ("one field", b"x\n"),
        ("short row", b"\xef\xbb\xbfSOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_2023,PROD_EST_ 2024,PROD_NOTES,CAP_2023,CAP_EST_ 2024,CAP_NOTES,RESERVES_2024,RESERVE_NOTES\r\nMCS2025,Nickel\r\n"),
    ];
    for (name, bytes) in cases {
        let p = d.path().join(format!("{}.csv", name.replace(' ', "_")));
        std::fs::write(&p, bytes).expect("write");
        assert!(usgs_world(&p).is_err(), "world: {name}");
        assert!(usgs_nir_table(&p).is_err(), "nir: {name}");
    }
    assert!(usgs_world(&d.path().join("missing.csv")).is_err());
    // A salient directory with a file the mapping does not know.
    std::fs::write(d.path().join("mcs2025-unobtainium_salient.csv"), "DataSource,Commodity,Year,USprod_t\n")
        .expect("write");
    let e = usgs_salient(d.path()).expect_err("unknown salient file");
    assert!(e.message.contains("unobtainium"), "{e}");
    // A directory with no salient files at all.
    let empty = tempfile::tempdir().expect("tempdir");
    assert!(usgs_salient(empty.path()).is_err());
}
