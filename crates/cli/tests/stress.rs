//! End-to-end tests of `lodestone stress` (the real binary). Expected numbers
//! come from a tiny dataset written here, worked by hand in the comments;
//! the example scenarios are run on the embedded default dataset.

use serde_json::Value;
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
    assert_eq!(
        o.status.code(),
        Some(code),
        "lodestone {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("one JSON object")
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
}

/// A one-commodity world: CN mines 1200 t of widget a year and ships 240 t
/// to JP and 120 t to US (2024); nobody else produces.
fn tiny_dataset(dir: &Path) {
    let files = [
        ("dataset.toml", "name = \"tiny\"\nstages = [\"mining\", \"refining\"]\n"),
        ("sources.csv", "id,title,publisher\nhand,Worked by hand,test\n"),
        ("countries.csv", "code,name,source\nCN,China,hand\nJP,Japan,hand\nUS,United States,hand\n"),
        ("groups.csv", "group,country,source\nallies,JP,hand\nallies,US,hand\n"),
        ("commodities.csv", "commodity,stage,name,unit,source\nwidget,mining,Widget ore,t,hand\n"),
        (
            "production.csv",
            "commodity,stage,country,year,quantity,unit,source\nwidget,mining,CN,2024,1200,t,hand\n",
        ),
        (
            "trade.csv",
            "commodity,stage,exporter,importer,year,quantity,unit,source\n\
             widget,mining,CN,JP,2024,240,t,hand\n\
             widget,mining,CN,US,2024,120,t,hand\n",
        ),
    ];
    std::fs::create_dir_all(dir).expect("mkdir");
    for (f, text) in files {
        std::fs::write(dir.join(f), text).expect("write");
    }
}

/// CN bans widget exports in months 1 and 2. No spare capacity, no
/// rerouting, so the arithmetic stays by hand.
const BAN: &str = r#"name = "tiny-ban"
description = "CN bans widget exports for two months"
horizon = 6
period = "month"

[network]
headroom = 0
stock_months = 0

[[network.stock]]
country = "JP"
commodity = "widget/mining"
quantity = 30

[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "widget/mining"
share = 1.0
start = 1
duration = 2

[policy]
reroute = false
"#;

struct Tiny {
    _tmp: tempfile::TempDir,
    data: String,
    dir: PathBuf,
}

fn tiny(scenarios: &[(&str, &str)]) -> Tiny {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    tiny_dataset(&data);
    for (name, text) in scenarios {
        std::fs::write(tmp.path().join(name), text).expect("write scenario");
    }
    Tiny {
        dir: tmp.path().to_path_buf(),
        data: data.to_str().expect("utf-8").to_string(),
        _tmp: tmp,
    }
}

impl Tiny {
    fn path(&self, f: &str) -> String {
        self.dir.join(f).to_str().expect("utf-8").to_string()
    }
}

#[test]
fn a_single_run_on_a_tiny_dataset_matches_the_hand_calculation() {
    let t = tiny(&[("ban.toml", BAN)]);
    let v = json(&[
        "--dataset",
        &t.data,
        "stress",
        &t.path("ban.toml"),
        "--format",
        "json",
    ]);
    // Per month: CN produces 100 and ships JP 20, US 10 (arriving the next
    // month; the pipeline is full at month 0). Demand = apparent consumption:
    // CN 70, JP 20, US 10. Stocks: JP 30 (given), others 0.
    // Month 1: CN ships nothing (ban); JP, US still receive month 0's cargo.
    // Month 2: nothing arrives. JP draws 20 of its 30; US (no stock) is 10 short.
    // Month 3: the ban is over, but month 2's (empty) cargo arrives: JP draws
    //   its last 10 and is 10 short; US is 10 short.
    // Month 4 on: normal.
    // So: US 20 t short, first in month 2; JP 10 t, first in month 3; both
    // recover 1 month after the ban's end (end = 3, last short = 3 -> 3 + 1 - 3).
    assert_eq!(v["mode"], "single");
    assert_eq!(v["scenario"]["name"], "tiny-ban");
    assert_eq!(v["periods"], 6);
    assert_eq!(v["partial"], false);
    assert!(
        close(&v["summary"]["total_shortfall"]["widget/mining"], 30.0),
        "{}",
        v["summary"]
    );
    let ftf = v["summary"]["first_to_fail"]
        .as_array()
        .expect("first_to_fail");
    assert_eq!(ftf.len(), 2);
    assert_eq!(
        (ftf[0]["rank"].as_u64(), ftf[0]["country"].as_str()),
        (Some(1), Some("US"))
    );
    assert_eq!(ftf[0]["time_to_survive"], 2);
    assert_eq!(ftf[0]["recovery_time"], 1);
    assert!(close(&ftf[0]["cumulative_shortfall"], 20.0));
    assert_eq!(ftf[1]["country"], "JP");
    assert_eq!(ftf[1]["time_to_survive"], 3);
    assert_eq!(ftf[1]["recovery_time"], 1);
    assert_eq!(ftf[1]["stock_out_period"], 3);
    assert!(close(&ftf[1]["cumulative_shortfall"], 10.0));
    // JP's monthly series: stock 30, 30, 10, 0, 0, 0; shortfall 0,0,0,10,0,0.
    let jp = &v["series"]["JP"]["widget/mining"];
    let want_stock = [30.0, 30.0, 10.0, 0.0, 0.0, 0.0];
    let want_short = [0.0, 0.0, 0.0, 10.0, 0.0, 0.0];
    for m in 0..6 {
        assert!(
            close(&jp["stock"][m], want_stock[m]),
            "JP stock {}",
            jp["stock"]
        );
        assert!(
            close(&jp["shortfall"][m], want_short[m]),
            "JP shortfall {}",
            jp["shortfall"]
        );
        assert!(close(&jp["demand"][m], 20.0));
    }
    assert!(close(
        &v["series"]["CN"]["widget/mining"]["cumulative_shortfall"],
        0.0
    ));

    // The table says the same.
    let table = ok(&["--dataset", &t.data, "stress", &t.path("ban.toml")]);
    assert!(
        table.contains("widget/mining") && table.contains("30.0"),
        "{table}"
    );
    let us = table
        .lines()
        .find(|l| l.contains("US United States"))
        .expect("US row");
    assert!(
        us.trim_start().starts_with('1') && us.contains("20.0 t"),
        "{us}"
    );
}

#[test]
fn out_writes_csv_time_series() {
    let t = tiny(&[("ban.toml", BAN)]);
    let out = t.path("out");
    ok(&[
        "--dataset",
        &t.data,
        "stress",
        &t.path("ban.toml"),
        "--out",
        &out,
    ]);
    let series = std::fs::read_to_string(Path::new(&out).join("series.csv")).expect("series.csv");
    let mut lines = series.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(&header[..4], ["period", "country", "commodity", "stage"]);
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    // 3 nodes x 6 months.
    assert_eq!(series.lines().count(), 1 + 18);
    // US, month 2: 10 t short (see the hand calculation above).
    let row: Vec<&str> = series
        .lines()
        .find(|l| l.starts_with("2,US,"))
        .expect("US month 2")
        .split(',')
        .collect();
    assert_eq!(row[col("shortfall")].parse::<f64>().ok(), Some(10.0));
    assert_eq!(row[col("demand")].parse::<f64>().ok(), Some(10.0));
    let nodes = std::fs::read_to_string(Path::new(&out).join("nodes.csv")).expect("nodes.csv");
    assert!(
        nodes.starts_with("country,commodity,stage,cumulative_shortfall"),
        "{nodes}"
    );
    assert!(
        nodes.lines().any(|l| l.starts_with("US,widget,mining,20,")),
        "{nodes}"
    );
}

const MC: &str = r#"name = "tiny-mc"
horizon = 12

[network]
headroom = 0.1
stock_months = 1

[monte_carlo]
runs = 600
seed = 7

[[monte_carlo.event]]
name = "CN halves widget exports"
kind = "export_restriction"
country = "CN"
commodity = "widget/mining"
share = 0.5
annual_probability = 0.6
duration = { dist = "uniform", min = 1, max = 4 }
"#;

#[test]
fn monte_carlo_is_the_same_for_any_thread_count() {
    let t = tiny(&[("mc.toml", MC)]);
    let f = t.path("mc.toml");
    let run = |threads: &str, seed: &str| {
        ok(&[
            "--dataset",
            &t.data,
            "stress",
            &f,
            "--format",
            "json",
            "--threads",
            threads,
            "--seed",
            seed,
        ])
    };
    // 600 runs = three chunks of the engine's 256, so threads really split work.
    let one = run("1", "11");
    let two = run("2", "11");
    assert_eq!(one, two, "same seed, different --threads: output differs");
    let v: Value = serde_json::from_str(&one).expect("json");
    assert_eq!(v["mode"], "monte_carlo");
    assert_eq!(v["runs"], 600);
    assert_eq!(v["seed"], 11);
    assert_eq!(v["periods"], 12);
    assert_eq!(v["partial"], false);
    let d = &v["distribution"]["US"]["widget/mining"];
    for k in ["mean", "p50", "p95", "p99", "cvar95", "p_any"] {
        assert!(
            d[k].is_number(),
            "distribution.US.widget/mining lacks {k}: {d}"
        );
    }
    // With a 60%-a-year event over a year, most runs see one; CN (the only
    // producer) never runs short of its own output.
    let p = d["p_any"].as_f64().unwrap_or(0.0);
    assert!(p > 0.0 && p <= 1.0, "{d}");
    assert_eq!(
        v["distribution"]["CN"]["widget/mining"]["p_any"].as_f64(),
        Some(0.0)
    );
    assert!(v["world"]["widget/mining"]["mean"].is_number());
    // Another seed draws other events.
    assert_ne!(run("2", "12"), one);
    // --runs overrides the file.
    let v = json(&[
        "--dataset",
        &t.data,
        "stress",
        &f,
        "--format",
        "json",
        "--runs",
        "10",
    ]);
    assert_eq!(
        (v["runs"].as_u64(), v["seed"].as_u64()),
        (Some(10), Some(7))
    );
    // --out writes the distribution.
    let out = t.path("mcout");
    ok(&[
        "--dataset",
        &t.data,
        "stress",
        &f,
        "--runs",
        "20",
        "--out",
        &out,
    ]);
    let csv = std::fs::read_to_string(Path::new(&out).join("distribution.csv"))
        .expect("distribution.csv");
    assert!(
        csv.starts_with("country,commodity,stage,mean,p50,p95,p99,cvar95,max,p_any"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1 + 3);
}

#[test]
fn bad_scenarios_exit_2_with_file_line_column() {
    // Line 19 is `share = 1.5`; the value starts in column 9.
    let bad = BAN.replace("share = 1.0", "share = 1.5");
    assert_eq!(bad.lines().nth(18), Some("share = 1.5"));
    let t = tiny(&[
        ("bad.toml", &bad),
        ("syntax.toml", "name = \"x\"\nhorizon = \n"),
        ("ban.toml", BAN),
    ]);
    let f = t.path("bad.toml");
    let err = fails(&["--dataset", &t.data, "stress", &f], 2);
    assert!(
        err.contains(&format!("{f}:19:9: `disruption[1].share`")),
        "{err}"
    );
    // TOML syntax: line 2.
    let err = fails(&["--dataset", &t.data, "stress", &t.path("syntax.toml")], 2);
    assert!(err.contains("syntax.toml:2:"), "{err}");
    // Missing file, --runs on a scenario without a catalogue, CSV to stdout.
    let err = fails(&["--dataset", &t.data, "stress", &t.path("nope.toml")], 2);
    assert!(err.contains("nope.toml"), "{err}");
    let err = fails(
        &[
            "--dataset",
            &t.data,
            "stress",
            &t.path("ban.toml"),
            "--runs",
            "5",
        ],
        2,
    );
    assert!(err.contains("[monte_carlo]"), "{err}");
    fails(
        &[
            "--dataset",
            &t.data,
            "stress",
            &t.path("ban.toml"),
            "--format",
            "csv",
        ],
        2,
    );
    fails(
        &[
            "--dataset",
            &t.data,
            "stress",
            &t.path("ban.toml"),
            "--threads",
            "0",
        ],
        2,
    );
}

#[test]
fn the_four_examples_run_on_the_default_dataset() {
    for (f, extra) in [
        ("rare-earth-export-ban", &[][..]),
        ("indonesia-nickel-halt", &[][..]),
        ("malacca-closure", &[][..]),
        // Few runs: tests run unoptimised.
        ("monte-carlo-critical-minerals", &["--runs", "40"][..]),
    ] {
        let path = format!("examples/scenarios/{f}.toml");
        let mut args = vec!["stress", path.as_str(), "--format", "json"];
        args.extend_from_slice(extra);
        let v = json(&args);
        assert_eq!(v["scenario"]["name"], f);
        assert!(v["periods"].as_u64().is_some_and(|p| p > 0));
        assert!(
            v["network"]["nodes"].as_u64().is_some_and(|n| n > 0),
            "{f}: empty network"
        );
        if v["mode"] == "single" {
            let total = v["summary"]["total_shortfall"]
                .as_object()
                .expect("total_shortfall");
            assert!(!total.is_empty());
            assert!(v["summary"]["first_to_fail"].is_array());
            assert!(v["series"].is_object());
        } else {
            assert_eq!(v["runs"], 40);
            assert_eq!(v["seed"], 20251028);
            assert!(v["distribution"].is_object());
        }
        // And the table, which is what a reader sees.
        let mut args = vec!["stress", path.as_str()];
        args.extend_from_slice(extra);
        let table = ok(&args);
        assert!(table.contains(&format!("Scenario `{f}`")), "{table}");
    }
}

#[test]
fn events_that_touch_nothing_are_warned_about() {
    // In the tiny world only CN produces, and the only flows are CN -> JP
    // and CN -> US. So, by hand: an outage in the US has no capacity to
    // cut, a closure of a JP -> US lane has no flow to block, and a demand
    // shock in CN (demand 1200 - 360 = 840 t/yr) does act.
    let extra = r#"
[[disruption]]
name = "US mine outage"
kind = "outage"
country = "US"
commodity = "widget/mining"
start = 0
duration = 2

[[disruption]]
name = "JP-US lane"
kind = "route_closure"
chokepoint = "jp-us"
flows = [{ from = "JP", to = "US" }]
start = 0
duration = 2

[[disruption]]
name = "CN demand"
kind = "demand_shock"
country = "CN"
commodity = "widget/mining"
factor = 1.0
start = 0
duration = 1
"#;
    let warned = format!("{BAN}{extra}");
    let mc = format!(
        "{MC}\n[[monte_carlo.event]]\nname = \"US outage\"\nkind = \"outage\"\ncountry = \"US\"\n\
         commodity = \"widget/mining\"\nannual_probability = 0.5\nduration = {{ dist = \"fixed\", periods = 2 }}\n"
    );
    let t = tiny(&[
        ("ban.toml", BAN),
        ("warned.toml", &warned),
        ("mc.toml", &mc),
    ]);
    let run = |f: &str, fmt: &str| {
        let o = lodestone(
            &[
                "--dataset",
                &t.data,
                "stress",
                &t.path(f),
                "--format",
                fmt,
                "--runs",
                "8",
            ][..if f == "mc.toml" { 8 } else { 6 }],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            String::from_utf8(o.stdout).expect("utf-8"),
            String::from_utf8(o.stderr).expect("utf-8"),
        )
    };
    let (out, err) = run("warned.toml", "json");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    let file = t.path("warned.toml");
    assert_eq!(
        lines,
        vec![
            format!("warning: {file}: `US mine outage` touches nothing: no capacity for that commodity-stage in that country in the network"),
            format!("warning: {file}: `JP-US lane` touches nothing: no trade flow in the network to withhold or block"),
        ],
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["warnings"],
        serde_json::json!([
            { "event": "US mine outage", "reason": "no capacity for that commodity-stage in that country in the network" },
            { "event": "JP-US lane", "reason": "no trade flow in the network to withhold or block" },
        ])
    );
    // They change nothing: the same results as the ban alone (the demand
    // shock has factor 1), and the ban alone has no warnings.
    let (plain, plain_err) = run("ban.toml", "json");
    let p: Value = serde_json::from_str(&plain).expect("json");
    assert_eq!(p["warnings"], serde_json::json!([]));
    assert!(!plain_err.contains("warning:"), "{plain_err}");
    assert_eq!(p["summary"], v["summary"]);
    assert_eq!(p["series"], v["series"]);
    // The table format warns on stderr too; Monte Carlo names catalogue events.
    let (_, err) = run("warned.toml", "table");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("warning:")).count(),
        2,
        "{err}"
    );
    let (out, err) = run("mc.toml", "json");
    assert!(
        err.contains("`US outage` touches nothing: no capacity"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["warnings"][0]["event"], "US outage");
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(1));
}
