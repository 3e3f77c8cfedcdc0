//! `lodestone report` (the real binary): the three formats carry the same
//! numbers as the commands they summarise, the plan section's expected
//! shortfall is the probability-weighted sum recomputed here from
//! `lodestone plan --format json`, output files are whole, and bad input is
//! a clear exit-2 error. The report opening offline in Chromium is checked
//! by e2e_report.rs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lodestone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lodestone")).args(args).current_dir(root()).output().expect("run lodestone")
}

fn ok(args: &[&str]) -> String {
    let o = lodestone(args);
    assert!(o.status.success(), "lodestone {args:?} failed ({:?}):\n{}", o.status.code(), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf-8 output")
}

fn fails(args: &[&str], code: i32) -> String {
    let o = lodestone(args);
    assert_eq!(o.status.code(), Some(code), "lodestone {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("JSON parses")
}

const SCENARIO: &str = "examples/scenarios/rare-earth-export-ban.toml";
const PLAN: &str = "examples/plans/jp-us-rare-earths.toml";

#[test]
fn json_report_agrees_with_exposure_stress_and_plan() {
    let r = json(&["report", "--commodity", "rare_earths,rare_earth_compounds", "--scenario", SCENARIO, "--plan", PLAN, "--format", "json"]);
    // Concentration: as `lodestone exposure` reports it.
    let e = json(&["exposure", "--commodity", "rare_earths", "--stage", "mining", "--format", "json"]);
    let c = r["commodities"].as_array().unwrap().iter().find(|c| c["commodity"] == "rare_earths" && c["stage"] == "mining").unwrap();
    assert_eq!(c["hhi"], e["hhi"]);
    assert_eq!(c["total"], e["total"]);
    assert_eq!(c["producers"][0]["country"], e["producers"][0]["country"]);
    // Stress: per commodity-stage shortfall as `lodestone stress` reports it.
    let s = json(&["stress", SCENARIO, "--format", "json"]);
    for k in r["stress"]["single"]["commodities"].as_array().unwrap() {
        let key = k["commodity"].as_str().unwrap();
        assert_eq!(k["total_shortfall"], s["summary"]["total_shortfall"][key], "{key}");
    }
    assert_eq!(r["stress"]["single"]["first_to_fail"][0]["country"], s["summary"]["first_to_fail"][0]["country"]);
    // Plan: expected shortfall per partner = sum over scenarios of
    // probability x shortfall, recomputed here from the plan's own rows.
    let p = json(&["plan", PLAN, "--format", "json"]);
    assert_eq!(r["plan"]["objective"], p["objective"]);
    assert_eq!(r["plan"]["builds"], p["builds"]);
    for es in r["plan"]["expected_shortfall"].as_array().unwrap() {
        let mut want = 0.0;
        for row in p["shortfall"].as_array().unwrap() {
            if row["country"] == es["country"] && row["commodity"] == es["commodity"] {
                want += row["probability"].as_f64().unwrap() * row["total"].as_f64().unwrap();
            }
        }
        let got = es["total"].as_f64().unwrap();
        assert!((got - want).abs() <= 1e-9 * want.max(1.0), "{}: {got} vs {want}", es["country"]);
    }
    // Sources include the trade data the stress network and plan read.
    let ids: Vec<&str> = r["sources"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(ids.iter().any(|i| i.starts_with("cepii-baci")), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("usgs-mcs-2025")), "{ids:?}");
}

#[test]
fn html_and_markdown_files_are_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let md = dir.path().join("r.md");
    ok(&["report", "--commodity", "nickel", "--out", html.to_str().unwrap()]);
    ok(&["report", "--commodity", "nickel", "--out", md.to_str().unwrap()]);
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.starts_with("<!DOCTYPE html>") && h.trim_end().ends_with("</html>"));
    assert!(h.contains("<svg class=\"chart\" id=\"chart-prod-nickel-mining\""));
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(m.starts_with("# Lodestone critical-minerals report"));
    // USGS MCS 2025: Indonesia mined 2,200,000 t of nickel in 2024.
    assert!(m.contains("| ID | Indonesia | 2,200,000 |"), "{m}");
    // Only the two reports: no temporary files left beside them.
    let mut names: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["r.html", "r.md"]);
}

#[test]
fn bad_input_is_a_clear_error() {
    let e = fails(&["report", "--commodity", "unobtainium"], 2);
    assert!(e.contains("unknown commodity `unobtainium`"), "{e}");
    let e = fails(&["report", "--scenario", "no/such.toml"], 2);
    assert!(e.contains("cannot read scenario file no/such.toml"), "{e}");
    let e = fails(&["report", "--runs", "10"], 2);
    assert!(e.contains("--runs and --seed apply to a Monte Carlo --scenario"), "{e}");
    let e = fails(&["report", "--scenario", SCENARIO, "--runs", "10"], 2);
    assert!(e.contains("has no [monte_carlo] section"), "{e}");
    // Zero runs would report zero risk from no draws at all (every
    // statistic 0, "no country runs short"); the range is `stress --runs`'.
    const MC: &str = "examples/scenarios/monte-carlo-critical-minerals.toml";
    for runs in ["0", "10000001"] {
        let e = fails(&["report", "--commodity", "nickel", "--scenario", MC, "--runs", runs, "--format", "json"], 2);
        assert!(e.contains("1..=10000000"), "--runs {runs}: {e}");
    }
    // A scenario error keeps its position in the file.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nhorizon = 12\n[[disruption]]\nkind = \"export_restriction\"\ncountry = \"ZZ\"\ncommodity = \"nickel/mining\"\nshare = 0.5\nstart = 0\nduration = 3\n").unwrap();
    let e = fails(&["report", "--scenario", bad.to_str().unwrap()], 2);
    assert!(e.contains("bad.toml:5"), "{e}");
    let e = fails(&["report", "--commodity", "nickel", "--out", "/nonexistent-dir/r.html"], 2);
    assert!(e.contains("cannot write /nonexistent-dir/r.html"), "{e}");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    // Nothing in a report depends on the clock, the machine or the thread
    // count: two Monte Carlo reports with one seed are identical.
    let args = ["report", "--commodity", "nickel", "--scenario", "examples/scenarios/monte-carlo-critical-minerals.toml", "--runs", "64", "--seed", "11"];
    let a = ok(&args);
    let b = ok(&args);
    assert!(a.contains("Monte Carlo: 64 runs with seed 11"));
    assert_eq!(a, b);
}
