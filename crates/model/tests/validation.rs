//! One crafted bad dataset per kind of validation error, each asserting the
//! file, line, column and message the user sees; plus the round trip.

use lodestone_model::{load_dir, load_texts, write, CommodityKey, Problem};
use std::collections::BTreeMap;

fn base() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        m.insert(k.to_string(), v.to_string());
    };
    put("dataset.toml", "name = \"tiny\"\nstages = [\"mining\", \"refining\"]\n");
    put("sources.csv", "id,title,publisher\ns1,Test source,Us\n");
    put("countries.csv", "code,name,source\nCN,China,s1\nID,Indonesia,s1\nJP,Japan,s1\n");
    put("groups.csv", "group,country,source\nconcern,CN,s1\n");
    put(
        "commodities.csv",
        "commodity,stage,name,unit,source\nnickel,mining,Nickel mine output,t,s1\nnickel,refining,Refined nickel,t,s1\ndiamond,mining,Diamond,Mct,s1\n",
    );
    put(
        "production.csv",
        "commodity,stage,country,year,quantity,unit,source\nnickel,mining,ID,2024,2200,kt,s1\nnickel,mining,CN,2024,120000,t,s1\nnickel,mining,ZZ,2024,5000,t,s1\n",
    );
    put(
        "production_other.csv",
        "commodity,stage,country,year,quantity,unit,estimated,source\nnickel,mining,ID,2024,2100000,t,true,s1\n",
    );
    put("governance.csv", "country,indicator,year,estimate,std_err,source\nCN,political_stability,2023,-0.45,0.2,s1\nJP,political_stability,2023,1.05,,s1\n");
    put(
        "ownership.csv",
        "commodity,stage,location,owner,year,share,source\nnickel,mining,ID,CN,2024,0.6,s1\n",
    );
    m
}

/// Loads `base()` with `file` replaced by `text` and asserts that exactly the
/// expected problems come back: (file, line, column, part of the message).
fn check(edits: &[(&str, &str)], expected: &[(&str, Option<u64>, Option<&str>, &str)]) {
    let mut files = base();
    for (f, t) in edits {
        files.insert(f.to_string(), t.to_string());
    }
    let err = match load_texts("test", &files) {
        Ok(_) => panic!("expected problems {expected:?}, but the dataset loaded"),
        Err(e) => e,
    };
    let got: Vec<&Problem> = err.problems.iter().collect();
    assert_eq!(got.len(), expected.len(), "problems: {err}");
    for (p, (file, line, col, msg)) in got.iter().zip(expected) {
        assert_eq!(p.file, *file, "{p}");
        assert_eq!(p.line, *line, "{p}");
        assert_eq!(p.column.as_deref(), *col, "{p}");
        assert!(p.message.contains(msg), "`{}` should contain `{msg}`", p.message);
    }
}

#[test]
fn base_loads_and_converts_units() {
    let ds = load_texts("test", &base()).expect("base dataset is valid");
    assert_eq!(ds.production.len(), 3);
    // 2200 kt written in a table whose commodity unit is t: 2,200,000 t.
    assert_eq!(ds.production[0].quantity, 2_200_000.0);
    assert_eq!(ds.production[2].country, None, "ZZ is unattributed");
    assert_eq!(ds.group("concern").len(), 1);
    assert_eq!(ds.production_other[0].quantity, 2_100_000.0);
    assert_eq!(ds.governance[1].std_err, None);
    assert_eq!(ds.governance[0].estimate, -0.45);
}

#[test]
fn unknown_country_code() {
    check(
        &[("production.csv", "commodity,stage,country,year,quantity,unit,source\nnickel,mining,XX,2024,1,t,s1\n")],
        &[("production.csv", Some(2), Some("country"), "unknown country code `XX`")],
    );
}

#[test]
fn malformed_country_code() {
    check(
        &[("groups.csv", "group,country,source\nconcern,China,s1\n")],
        &[("groups.csv", Some(2), Some("country"), "found `China`")],
    );
}

#[test]
fn unknown_commodity_id_and_pair() {
    check(
        &[(
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\ncobalt,mining,CN,2024,1,t,s1\ndiamond,refining,CN,2024,1,Mct,s1\n",
        )],
        &[
            ("production.csv", Some(2), Some("commodity"), "unknown commodity `cobalt`"),
            ("production.csv", Some(3), Some("commodity"), "unknown commodity `diamond/refining`"),
        ],
    );
}

#[test]
fn unknown_stage() {
    check(
        &[("production.csv", "commodity,stage,country,year,quantity,unit,source\nnickel,smelting,CN,2024,1,t,s1\n")],
        &[("production.csv", Some(2), Some("stage"), "unknown stage `smelting`")],
    );
}

#[test]
fn negative_and_non_numeric_quantities() {
    check(
        &[(
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\nnickel,mining,CN,2024,-5,t,s1\nnickel,mining,ID,2024,W,t,s1\nnickel,mining,JP,2024,NaN,t,s1\n",
        )],
        &[
            ("production.csv", Some(2), Some("quantity"), "negative number"),
            ("production.csv", Some(3), Some("quantity"), "expected a number (number >= 0), found `W`"),
            ("production.csv", Some(4), Some("quantity"), "out of range"),
        ],
    );
}

#[test]
fn bad_year() {
    check(
        &[("production.csv", "commodity,stage,country,year,quantity,unit,source\nnickel,mining,CN,24,1,t,s1\n")],
        &[("production.csv", Some(2), Some("year"), "expected year (1900-2200), found `24`")],
    );
}

#[test]
fn duplicate_key() {
    check(
        &[(
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\nnickel,mining,CN,2024,1,t,s1\nnickel,mining,ID,2024,1,t,s1\nnickel,mining,CN,2024,2,t,s1\n",
        )],
        &[("production.csv", Some(4), None, "duplicate key (commodity=nickel, stage=mining, country=CN, producer=, year=2024); first on line 2")],
    );
}

#[test]
fn missing_source() {
    check(
        &[("countries.csv", "code,name,source\nCN,China,s1\nID,Indonesia,s2\nJP,Japan,s1\n")],
        &[("countries.csv", Some(3), Some("source"), "missing source `s2`")],
    );
}

#[test]
fn ownership_over_100_percent() {
    check(
        &[(
            "ownership.csv",
            "commodity,stage,location,owner,year,share,source\nnickel,mining,ID,CN,2024,0.75,s1\nnickel,mining,ID,JP,2024,0.35,s1\n",
        )],
        &[("ownership.csv", Some(3), Some("share"), "ownership shares over 100%: nickel/mining located in ID in 2024 sums to 110.0% (lines 2, 3)")],
    );
}

#[test]
fn share_out_of_range() {
    check(
        &[("ownership.csv", "commodity,stage,location,owner,year,share,source\nnickel,mining,ID,CN,2024,60,s1\n")],
        &[("ownership.csv", Some(2), Some("share"), "expected fraction from 0 to 1, found `60`")],
    );
}

#[test]
fn unit_mismatch_and_unknown_unit() {
    check(
        &[(
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\nnickel,mining,CN,2024,1,Mct,s1\nnickel,mining,ID,2024,1,tonnes,s1\n",
        )],
        &[
            ("production.csv", Some(2), Some("unit"), "unit mismatch: nickel/mining is measured in t (Mass), this row in Mct (Carats)"),
            ("production.csv", Some(3), Some("unit"), "unknown unit `tonnes`"),
        ],
    );
}

#[test]
fn header_problems() {
    check(
        &[("production.csv", "commodity,stage,country,year,qty,unit,source\nnickel,mining,CN,2024,1,t,s1\n")],
        &[
            ("production.csv", Some(1), Some("qty"), "unknown column"),
            ("production.csv", Some(1), Some("quantity"), "required column is missing"),
        ],
    );
}

#[test]
fn ragged_row_and_empty_required_cell() {
    check(
        &[(
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\nnickel,mining,CN,2024,1,t\nnickel,mining,ID,,1,t,s1\n",
        )],
        &[
            ("production.csv", Some(2), None, "expected 7 fields (as in the header), found 6"),
            ("production.csv", Some(3), Some("year"), "is empty; expected year"),
        ],
    );
}

#[test]
fn missing_required_tables_and_manifest() {
    let mut files = base();
    files.remove("dataset.toml");
    files.remove("countries.csv");
    let err = load_texts("t", &files).unwrap_err();
    let msgs: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
    assert!(msgs.contains(&"dataset.toml: is missing (every dataset needs a manifest)".to_string()), "{msgs:?}");
    assert!(msgs.contains(&"countries.csv: is missing (required in every dataset)".to_string()), "{msgs:?}");
}

#[test]
fn bad_manifest() {
    check(
        &[("dataset.toml", "name = \"tiny\"\nstages = [\"mining\", \"refining\", \"mining\"]\n")],
        &[("dataset.toml", Some(2), Some("stages"), "expected distinct lower_snake_case stage names, found `mining`")],
    );
    check(
        &[("dataset.toml", "name = \"tiny\"\nstages = [\"mining\", \"refining\"]\ncolour = 3\n")],
        &[("dataset.toml", Some(3), None, "unknown field `colour`")],
    );
}

#[test]
fn reserved_unattributed_code_cannot_be_declared() {
    check(
        &[("countries.csv", "code,name,source\nCN,China,s1\nID,Indonesia,s1\nJP,Japan,s1\nZZ,Nowhere,s1\n")],
        &[("countries.csv", Some(5), Some("code"), "`ZZ` is reserved")],
    );
}

#[test]
fn recipe_cycle() {
    check(
        &[(
            "recipes.csv",
            "commodity,stage,input_commodity,input_stage,quantity,source\nnickel,refining,nickel,refining,1,s1\n",
        )],
        &[("recipes.csv", Some(2), Some("input_commodity"), "recipe cycle")],
    );
}

#[test]
fn all_problems_reported_at_once() {
    let mut files = base();
    files.insert(
        "production.csv".into(),
        "commodity,stage,country,year,quantity,unit,source\nnickel,mining,XX,2024,-1,t,nope\n".into(),
    );
    files.insert("groups.csv".into(), "group,country,source\nBad Name,CN,s1\n".into());
    let err = load_texts("t", &files).unwrap_err();
    // Three problems on one row of production.csv plus one in groups.csv.
    assert_eq!(err.problems.len(), 4, "{err}");
}

#[test]
fn quoted_fields_bom_and_line_numbers_across_multiline_cells() {
    let mut files = base();
    files.insert(
        "sources.csv".into(),
        "\u{feff}id,title,publisher,note\ns1,\"A, quoted title\",Us,\"two\nlines\"\ns2,Other,Them,\n".into(),
    );
    files.insert("countries.csv".into(), "code,name,source\nCN,China,s1\nID,Indonesia,s3\nJP,Japan,s2\n".into());
    let err = load_texts("t", &files).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].line, Some(3));
}

#[test]
fn round_trip_through_a_directory() {
    let ds = load_texts("test", &base()).expect("valid");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("out");
    write::write_dir(&ds, &dir).expect("write");
    let back = load_dir(&dir).expect("reload");
    assert_eq!(ds, back);
    // Refuses to overwrite a non-empty directory, leaving it as it was.
    let e = write::write_dir(&ds, &dir).unwrap_err();
    assert!(e.contains("not an empty directory"), "{e}");
    assert_eq!(load_dir(&dir).expect("still there"), ds);
    // Compressed tables load the same.
    let gz = tmp.path().join("gz");
    write::write_dir_with(&ds, &gz, &["production.csv"]).expect("write gz");
    assert!(gz.join("production.csv.gz").exists() && !gz.join("production.csv").exists());
    assert_eq!(load_dir(&gz).expect("reload gz"), ds);
    // And deterministically.
    assert_eq!(write::to_files(&ds, &["production.csv"]), write::to_files(&ds, &["production.csv"]));
    // A corrupt archive is a located problem, not a panic.
    std::fs::write(gz.join("production.csv.gz"), b"\x1f\x8bnot really").expect("write");
    let err = load_dir(&gz).unwrap_err();
    assert!(err.to_string().contains("production.csv.gz: cannot be decompressed"), "{err}");
}

#[test]
fn load_dir_errors_are_located() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = load_dir(&tmp.path().join("nope")).unwrap_err();
    assert!(err.problems[0].message.contains("is not a directory"));
    // A file that is not UTF-8.
    let dir = tmp.path().join("ds");
    std::fs::create_dir(&dir).expect("mkdir");
    for (f, t) in base() {
        std::fs::write(dir.join(f), t).expect("write");
    }
    std::fs::write(dir.join("groups.csv"), b"group,country,source\nconcern,C\xffN,s1\n").expect("write");
    let err = load_dir(&dir).unwrap_err();
    assert_eq!(err.problems[0].file, "groups.csv");
    assert!(err.problems[0].message.contains("not valid UTF-8"), "{err}");
}

#[test]
fn validate_runs_the_same_checks_on_in_memory_datasets() {
    let mut ds = load_texts("test", &base()).expect("valid");
    ds.ownership[0].share = 1.5;
    let err = ds.validate().unwrap_err();
    assert!(err.to_string().contains("ownership.csv:2: column `share`"), "{err}");
    let _ = CommodityKey::new("nickel", "mining");
}

#[test]
fn windows_line_endings_keep_line_numbers() {
    check(
        &[(
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\r\nnickel,mining,CN,2024,1,t,s1\r\nnickel,mining,ID,2024,-1,t,s1\r\nnickel,mining,JP,2024,x,t,s1\r\n",
        )],
        &[
            ("production.csv", Some(3), Some("quantity"), "negative number"),
            ("production.csv", Some(4), Some("quantity"), "found `x`"),
        ],
    );
}
