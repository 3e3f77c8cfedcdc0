//! The HTML report in a real headless Chromium with the network off
//! (web/e2e/report.mjs, playwright-core driving Debian's /usr/bin/chromium;
//! scripts/test installs both): its charts render (laid out, bars drawn
//! proportional to their values, lines with one point per value, the HHI
//! chart equal to its table) and it asks the network for nothing.
//! Screenshots land in target/e2e/.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

fn e2e_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let d = if target.is_absolute() { target } else { root().join(target) }.join("e2e");
    std::fs::create_dir_all(&d).expect("create target/e2e");
    d
}

fn report(args: &[&str], out: &Path) -> String {
    let mut a: Vec<&str> = vec!["report"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = Command::new(env!("CARGO_BIN_EXE_lodestone")).args(&a).current_dir(root()).output().expect("run lodestone");
    assert!(o.status.success(), "lodestone {a:?}: {}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out).expect("report written")
}

fn check_in_browser(html: &Path, shot: &Path) -> Value {
    let root = root();
    assert!(
        root.join("web/node_modules/playwright-core").is_dir(),
        "web/node_modules is missing: scripts/test installs it (npm ci in web/)"
    );
    let o = Command::new("node")
        .arg(root.join("web/e2e/report.mjs"))
        .arg(html)
        .arg(shot)
        .current_dir(&root)
        .output()
        .expect("node is installed (scripts/test installs it)");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "browser check of {} failed:\n{}\n{out}", html.display(), String::from_utf8_lossy(&o.stderr));
    serde_json::from_str(out.lines().last().unwrap_or_default()).expect("the check prints one JSON line")
}

fn count(html: &str, needle: &str) -> u64 {
    html.matches(needle).count() as u64
}

#[test]
fn reports_render_offline_in_chromium() {
    let dir = e2e_dir();
    // A single stress run and a plan.
    let html_path = dir.join("report.html");
    let html = report(
        &[
            "--commodity",
            "rare_earths,rare_earth_compounds,nickel",
            "--scenario",
            "examples/scenarios/rare-earth-export-ban.toml",
            "--plan",
            "examples/plans/jp-us-rare-earths.toml",
        ],
        &html_path,
    );
    let v = check_in_browser(&html_path, &dir.join("report.png"));
    // Everything the file holds was laid out and drawn.
    assert_eq!(v["charts"].as_u64(), Some(count(&html, "<svg class=\"chart\"")), "{v}");
    assert_eq!(v["bars"].as_u64(), Some(count(&html, "<rect class=\"bar\"")), "{v}");
    assert_eq!(v["lines"].as_u64(), Some(count(&html, "<polyline class=\"series\"")), "{v}");
    assert_eq!(v["tables"].as_u64(), Some(count(&html, "<table class=\"data\"")), "{v}");
    assert!(v["lines"].as_u64() >= Some(3), "stress and plan lines drawn: {v}");
    assert_eq!(v["outside"].as_u64(), Some(0));

    // A Monte Carlo run: the CVaR chart renders too.
    let mc_path = dir.join("report-monte-carlo.html");
    let mc = report(
        &["--commodity", "nickel", "--scenario", "examples/scenarios/monte-carlo-critical-minerals.toml", "--runs", "200", "--seed", "7"],
        &mc_path,
    );
    assert!(mc.contains("id=\"chart-mc-cvar\""), "the Monte Carlo example runs short somewhere in 200 runs");
    let v = check_in_browser(&mc_path, &dir.join("report-monte-carlo.png"));
    assert_eq!(v["bars"].as_u64(), Some(count(&mc, "<rect class=\"bar\"")), "{v}");
}
