//! `lodestone plan` end to end on the embedded default dataset.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lodestone")).current_dir(root()).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn rare_earth_plan_json_and_mps() {
    let dir = tempfile::tempdir().unwrap();
    let mps = dir.path().join("re.mps");
    let (code, out, err) = run(&[
        "plan",
        "examples/plans/jp-us-rare-earths.toml",
        "--format",
        "json",
        "--export-mps",
        mps.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "optimal");
    let obj = v["objective"].as_f64().unwrap();
    // The parts add up to the objective.
    let p = &v["parts"];
    let sum: f64 = ["capex", "supply", "stock", "shortfall_penalty", "fairness_penalty"].iter().map(|k| p[k].as_f64().unwrap()).sum();
    assert!((sum - obj).abs() <= 1e-6 * obj.abs(), "{sum} vs {obj}");
    for key in ["builds", "shortfall", "stock_targets", "supply"] {
        assert!(v[key].is_array(), "{key}");
    }
    assert!(v["duals"]["policies"].as_array().unwrap().len() == 1);
    // Periods 2026..2035, two scenarios (baseline 0.8, the ban 0.2).
    assert_eq!(v["periods"].as_array().unwrap().len(), 10);
    assert_eq!(v["scenarios"][1][1].as_f64().unwrap(), 0.2);
    // Every build comes online permitting + build years after its start.
    for b in v["builds"].as_array().unwrap() {
        let start: i32 = b["start"].as_str().unwrap().parse().unwrap();
        let online: i32 = b["online"].as_str().unwrap().parse().unwrap();
        let lead = match b["project"].as_str().unwrap() {
            "us-separation" => 5,
            "jp-separation" => 4,
            other => panic!("unexpected build {other}"),
        };
        assert_eq!(online - start, lead);
    }
    let text = std::fs::read_to_string(&mps).unwrap();
    assert!(text.starts_with("NAME jp-us-rare-earths"));
    assert!(text.contains("build_us-separation_2026"));
}

#[test]
fn permitting_sweep_is_monotone() {
    let (code, out, err) =
        run(&["plan", "examples/plans/jp-us-ph-nickel.toml", "--sweep", "permitting_years=1..4", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts.len(), 4);
    let objs: Vec<f64> = pts.iter().map(|p| p["objective"].as_f64().unwrap()).collect();
    // Longer permitting removes options: the optimum never improves.
    for w in objs.windows(2) {
        assert!(w[1] >= w[0] - 1e-6 * w[0].abs(), "{objs:?}");
    }
    assert_eq!(pts[0]["value"].as_f64().unwrap(), 1.0);
}

#[test]
fn bad_plan_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/plans/jp-us-rare-earths.toml"))
        .unwrap()
        .replace("share = 0.5", "share = 1.5");
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, &text).unwrap();
    let line = text.lines().position(|l| l.starts_with("share = 1.5")).unwrap() + 1;
    let (code, out, err) = run(&["plan", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("policy[0].share") && err.contains("not a share"), "{err}");
    let (code, _, err) = run(&["plan", "examples/plans/jp-us-ph-nickel.toml", "--sweep", "nonsense.key=1..3"]);
    assert_eq!(code, 2);
    assert!(err.contains("nonsense"), "{err}");
}
