//! End-to-end tests of the real `lodestone` binary. Expected numbers come from
//! the raw USGS file, computed independently of our code (the Python that
//! derived each is in a comment beside it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lodestone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lodestone"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run lodestone")
}

fn ok(args: &[&str]) -> String {
    let o = lodestone(args);
    assert!(
        o.status.success(),
        "lodestone {args:?} failed ({:?}):\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 output")
}

fn fails(args: &[&str], code: i32) -> String {
    let o = lodestone(args);
    assert_eq!(o.status.code(), Some(code), "lodestone {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn brief_runs_on_the_embedded_dataset() {
    let out = ok(&["brief"]);
    for needle in [
        "rare_earths/mining",
        "nickel/mining",
        "cobalt/mining",
        "lithium/mining",
        "graphite/mining",
        "gallium/refining",
        "copper/mining",
        "copper/refining",
        // 270000 / 393950 = 68.5% (see exposure_json_rare_earths).
        "CN 68.5%",
        // Gallium: U.S. NIR 2024 = 100 (mcs2025-galli_salient.csv).
        "100% (2024)",
    ] {
        assert!(out.contains(needle), "brief lacks `{needle}`:\n{out}");
    }
}

#[test]
fn brief_has_dependence_and_stress_sections() {
    let out = ok(&["brief", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["dependence"]["partners"], "jp_us_ph");
    let imports = v["dependence"]["imports"].as_array().expect("imports");
    assert!(imports.iter().any(|i| i["country"] == "JP" && i["commodity"] == "rare_earth_compounds"));
    // The compiled-in scenario: CN withholds rare-earth compound exports, so
    // that commodity-stage runs short somewhere and nothing else gains.
    let sf = &v["stress"]["shortfall"]["rare_earth_compounds/refining"];
    assert!(sf["shortfall"].as_f64().is_some_and(|x| x > 0.0 && x < sf["demand"].as_f64().unwrap_or(0.0)), "{sf}");
    assert!(v["stress"]["first_to_fail"].as_array().is_some_and(|f| !f.is_empty()));
    let table = ok(&["brief"]);
    assert!(table.contains("Stress: `rare-earth-export-ban.toml`") && table.contains("first to fail"), "{table}");
}

#[test]
fn brief_json_is_one_object_with_items() {
    let out = ok(&["brief", "--commodity", "rare_earths,nickel", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let items = v["items"].as_array().expect("items");
    assert!(items.iter().all(|i| i["commodity"] == "rare_earths" || i["commodity"] == "nickel"));
    assert!(items.iter().any(|i| i["stage"] == "mining" && i["commodity"] == "nickel"));
}

#[test]
fn exposure_json_rare_earths() {
    let out = ok(&["exposure", "--commodity", "rare_earths", "--stage", "mining", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    // python3: rows of COMMODITY 'Rare earths', TYPE 'Mine production...', COUNTRY not 'World total',
    // column 'PROD_EST_ 2024', blanks dropped: sum = 393950; named HHI = 4923.5464;
    // CN 270000/393950 = 0.685366; residual (Other Countries 1100) = 0.002792.
    assert_eq!(v["commodity"], "rare_earths");
    assert_eq!(v["stage"], "mining");
    assert_eq!(v["year"], 2024);
    assert_eq!(v["unit"], "t");
    assert!(close(v["total"].as_f64().unwrap_or(0.0), 393950.0, 1e-12), "{}", v["total"]);
    assert!(close(v["hhi"].as_f64().unwrap_or(0.0), 4923.5464, 1e-6), "{}", v["hhi"]);
    assert!(close(v["residual_share"].as_f64().unwrap_or(0.0), 1100.0 / 393950.0, 1e-9));
    // Top three: CN 270000, US 45000, MM 31000.
    let top3 = (270000.0 + 45000.0 + 31000.0) / 393950.0;
    assert!(close(v["top3_share"].as_f64().unwrap_or(0.0), top3, 1e-9));
    let p = &v["producers"][0];
    assert_eq!(p["country"], "CN");
    assert_eq!(p["quantity"].as_f64(), Some(270000.0));
    assert_eq!(v["producers"][2]["country"], "MM", "Burma maps to MM");
    // us_covered_nations = CN, IR, KP, RU: 270000 + 2500 (Russia).
    let covered = v["groups"]["us_covered_nations"].as_f64().unwrap_or(-1.0);
    assert!(close(covered, 272500.0 / 393950.0, 1e-9), "{covered}");
}

#[test]
fn exposure_table_and_csv() {
    let out = ok(&["exposure", "--commodity", "cobalt", "--stage", "mining"]);
    // 220000 / 288200 = 76.3% for Congo (Kinshasa).
    assert!(out.contains("CD") && out.contains("76.3%"), "{out}");
    let csv = ok(&["exposure", "--commodity", "cobalt", "--stage", "mining", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("country,name,quantity,share"));
    assert!(lines.next().is_some_and(|l| l.starts_with("CD,")), "{csv}");
}

#[test]
fn exposure_by_owner_explains_itself() {
    // The only ownership row in the default data is nickel/refining in ID
    // (C4ADS), and USGS publishes no nickel refinery output: say so, exit 2.
    let err = fails(&["exposure", "--commodity", "nickel", "--stage", "refining", "--by", "owner"], 2);
    assert!(err.contains("nickel/refining"), "{err}");
}

#[test]
fn bad_usage_and_unknown_ids_exit_2_with_a_message() {
    let err = fails(&["exposure", "--commodity", "unobtainium", "--stage", "mining"], 2);
    assert!(err.contains("unknown commodity `unobtainium`"), "{err}");
    let err = fails(&["exposure", "--commodity", "gallium", "--stage", "mining"], 2);
    assert!(err.contains("has no stage `mining`") && err.contains("refining"), "{err}");
    let err = fails(&["exposure", "--commodity", "nickel", "--stage", "mining", "--year", "1990"], 2);
    assert!(err.contains("1990"), "{err}");
    fails(&["exposure", "--stage", "mining"], 2);
    fails(&["no-such-command"], 2);
    let err = fails(&["--dataset", "/nonexistent/dir", "brief"], 2);
    assert!(err.contains("is not a directory"), "{err}");
}

#[test]
fn export_edit_validate_and_analyse_a_copy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("copy");
    let d = dir.to_str().expect("utf-8 path");
    ok(&["dataset", "export", d]);
    let v = ok(&["dataset", "validate", d]);
    assert!(v.contains("valid dataset `lodestone-default`"), "{v}");

    // Edit: double China's 2024 rare-earth output; the copy's brief follows.
    let prod = dir.join("production.csv");
    let text = std::fs::read_to_string(&prod).expect("read");
    let edited = text.replace("rare_earths,mining,CN,,2024,270000,", "rare_earths,mining,CN,,2024,540000,");
    assert_ne!(text, edited, "expected CN's 2024 row in production.csv");
    std::fs::write(&prod, &edited).expect("write");
    let out = ok(&["--dataset", d, "exposure", "--commodity", "rare_earths", "--stage", "mining", "--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(close(j["total"].as_f64().unwrap_or(0.0), 393950.0 + 270000.0, 1e-12));

    // Corrupt two cells: both problems reported with file, line and column.
    let line_no = edited.lines().position(|l| l.starts_with("rare_earths,mining,CN,,2024,")).expect("row") + 1;
    let broken = edited
        .replace("rare_earths,mining,CN,,2024,540000,", "rare_earths,mining,CN,,2024,-1,")
        .replace("\nnickel,mining,ID,", "\nnickel,mining,XX,");
    std::fs::write(&prod, broken).expect("write");
    let err = fails(&["dataset", "validate", d], 2);
    assert!(err.contains(&format!("production.csv:{line_no}: column `quantity`: negative number")), "{err}");
    assert!(err.contains("column `country`: unknown country code `XX`"), "{err}");
    // And a broken dataset is not analysed at all.
    fails(&["--dataset", d, "brief"], 2);
}

#[test]
fn export_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("keep.txt"), "mine").expect("write");
    let err = fails(&["dataset", "export", tmp.path().to_str().expect("path")], 2);
    assert!(err.contains("not an empty directory"), "{err}");
    assert_eq!(std::fs::read_to_string(tmp.path().join("keep.txt")).expect("kept"), "mine");
}

#[test]
fn import_usgs_real_file_makes_a_valid_dataset() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("usgs");
    let o = lodestone(&[
        "import",
        "usgs-mcs",
        "data/raw/usgs-mcs-2025/world/MCS2025_World_Data.csv",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = String::from_utf8_lossy(&o.stderr);
    assert!(report.contains("aggregate: world total"), "the report names skipped aggregates:\n{report}");
    assert!(report.contains("withheld (W)"), "the report names withheld cells:\n{report}");
    ok(&["dataset", "validate", out.to_str().expect("path")]);
}

#[test]
fn default_dataset_is_reproducible_from_raw() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("default");
    ok(&["dataset", "build-default", "--raw", "data/raw", "--out", out.to_str().expect("path")]);
    let committed = root().join("data/default");
    let mut names: Vec<String> = std::fs::read_dir(&committed)
        .expect("data/default")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .collect();
    names.sort();
    let mut rebuilt: Vec<String> = std::fs::read_dir(&out)
        .expect("rebuilt")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .collect();
    rebuilt.sort();
    assert_eq!(names, rebuilt, "same files");
    for n in names {
        let a = std::fs::read(committed.join(&n)).expect("read");
        let b = std::fs::read(out.join(&n)).expect("read");
        assert!(a == b, "data/default/{n} differs from what scripts/build-default-dataset builds; rerun it");
    }
}

#[test]
fn dataset_format_doc_is_generated_from_the_schema() {
    let generated = ok(&["dataset", "schema"]);
    let committed = std::fs::read_to_string(root().join("docs/dataset-format.md")).expect("docs/dataset-format.md");
    assert!(generated == committed, "docs/dataset-format.md is stale: run `lodestone dataset schema > docs/dataset-format.md`");
}

#[test]
fn commodities_lists_the_required_pairs() {
    let out = ok(&["commodities", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v["commodities"].as_array().expect("list");
    for (c, s) in [
        ("rare_earths", "mining"),
        ("nickel", "mining"),
        ("cobalt", "mining"),
        ("lithium", "mining"),
        ("graphite", "mining"),
        ("gallium", "refining"),
        ("copper", "mining"),
        ("copper", "refining"),
    ] {
        assert!(list.iter().any(|x| x["commodity"] == c && x["stage"] == s), "{c}/{s} missing");
    }
}

#[test]
fn imports_json_japan_rare_earth_compounds() {
    // python3 over data/raw/baci-2024-critical-minerals/trade.csv: year 2023,
    // hs6 284690, importer JPN, quantity present: 22 flows, 8122.755 t; CHN
    // 3902.027 t (0.480382); CHN+RUS+PRK+IRN 0.480404.
    let out = ok(&["imports", "--country", "JP", "--commodity", "284690", "--year", "2023", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["country"], "JP");
    assert_eq!(v["year"], 2023);
    assert_eq!(v["unit"], "t");
    assert!(close(v["imports"].as_f64().unwrap_or(0.0), 8122.755, 1e-9), "{}", v["imports"]);
    assert_eq!(v["partners"].as_array().map(|a| a.len()), Some(22));
    assert_eq!(v["partners"][0]["country"], "CN");
    assert!(close(v["partners"][0]["share"].as_f64().unwrap_or(0.0), 0.480382, 1e-5));
    assert!(close(v["groups"]["us_covered_nations"].as_f64().unwrap_or(0.0), 0.480404, 1e-5));
    // The same by commodity id.
    let by_id = ok(&["imports", "--country", "JP", "--commodity", "rare_earth_compounds", "--year", "2023", "--format", "json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&by_id).expect("json")["imports"], v["imports"]);
    let err = fails(&["imports", "--country", "JP", "--commodity", "999999"], 2);
    assert!(err.contains("HS code 999999"), "{err}");
    let err = fails(&["imports", "--country", "XQ", "--commodity", "284690"], 2);
    assert!(err.contains("unknown country `XQ`"), "{err}");
}

#[test]
fn origin_shares_sum_to_one_and_name_assumptions() {
    let out = ok(&["origin", "--country", "US", "--commodity", "graphite", "--stage", "mining", "--year", "2023", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let shares = v["shares"].as_array().expect("shares");
    let sum: f64 = shares.iter().map(|s| s["share"].as_f64().unwrap_or(0.0)).sum();
    assert!(close(sum, 1.0, 1e-9), "{sum}");
    assert!(v["assumptions"]["re_exported_share"].as_f64().is_some());
    let table = ok(&["origin", "--country", "US", "--commodity", "graphite", "--stage", "mining", "--year", "2023"]);
    assert!(table.contains("resting on assumptions"), "{table}");
}

#[test]
fn criticality_methods_run_and_show_their_terms() {
    let out = ok(&["criticality", "--method", "geopolrisk", "--country", "JP", "--material", "graphite", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let hhi = v["terms"]["inputs"]["hhi"].as_f64().expect("hhi");
    let ir = v["terms"]["import_risk"].as_f64().expect("import risk");
    let score = v["terms"]["score"].as_f64().expect("score");
    assert!(close(score, hhi * ir, 1e-12), "score = HHI x import risk");
    let eu = ok(&["criticality", "--method", "eu", "--material", "graphite", "--eol-rir", "0.03", "--format", "json"]);
    let e: serde_json::Value = serde_json::from_str(&eu).expect("json");
    assert!(e["supply_risk"].as_f64().is_some_and(|x| x > 0.0), "{e}");
    assert!(e["deviations_from_method"].as_array().is_some_and(|d| !d.is_empty()), "the EU result names its deviations");
    let ranking = ok(&["criticality", "--method", "geopolrisk", "--country", "JP"]);
    assert!(ranking.contains("graphite"), "{ranking}");
    let err = fails(&["criticality", "--method", "eu", "--material", "unobtainium"], 2);
    assert!(err.contains("unknown material"), "{err}");
    let err = fails(&["criticality", "--method", "eu", "--material", "graphite", "--eol-rir", "2"], 2);
    assert!(err.contains("between 0 and 1"), "{err}");
}

#[test]
fn crosscheck_compares_usgs_and_wmd() {
    let out = ok(&["crosscheck", "--commodity", "nickel", "--year", "2023", "--all", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let pairs = v["pairs"].as_array().expect("pairs");
    // USGS 2023 nickel mine production, Indonesia: 2,030,000 t (MCS2025 world data).
    let id = pairs.iter().find(|p| p["country"] == "ID").expect("ID compared");
    assert_eq!(id["primary"].as_f64(), Some(2_030_000.0));
    // World Mining Data (production.csv): "Nickel,Indonesia,IDN,2023,2028800.0,metr. t,r".
    assert_eq!(id["other"].as_f64(), Some(2_028_800.0));
    assert_eq!(id["flagged"], false, "0.06% apart");
    let (a, b) = (id["primary"].as_f64().unwrap_or(0.0), id["other"].as_f64().unwrap_or(0.0));
    let rel = (a - b).abs() / a.max(b);
    assert!(close(id["relative_difference"].as_f64().unwrap_or(-1.0), rel, 1e-12));
}
