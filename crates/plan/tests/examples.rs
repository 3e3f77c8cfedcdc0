//! The example plans on the embedded default dataset: each solves to
//! optimality; every returned plan passes the independent constraint check;
//! the objective equals the sum of its parts recomputed from the instance;
//! and the objective equals what highspy (HiGHS's own MPS reader, another
//! release, from PyPI) reaches on the exported MPS file, to 1e-6 relative.
//!
//! Needs the Python venv that `scripts/lib/python-venv.sh` creates
//! (`scripts/test` runs it first). Without it this test FAILS on purpose.

use lodestone_plan::solve::{objective_parts, PlanOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("LODESTONE_PY_VENV").map(PathBuf::from).unwrap_or_else(|| root().join("target/py-venv"));
    let py = venv.join("bin/python");
    assert!(py.exists(), "the MPS cross-check needs {} (scripts/lib/python-venv.sh creates it)", py.display());
    py
}

fn load(name: &str) -> lodestone_plan::Instance {
    let ds = lodestone_data::default_dataset().unwrap_or_else(|e| panic!("{e}"));
    let path = root().join("examples/plans").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let dir = path.parent().unwrap().to_path_buf();
    let read = move |f: &str| -> Result<(String, String), String> {
        let p = dir.join(f);
        std::fs::read_to_string(&p).map(|t| (p.display().to_string(), t)).map_err(|e| e.to_string())
    };
    lodestone_plan::load_plan(name, &text, ds, &read).unwrap_or_else(|e| panic!("{e}"))
}

fn highspy_objective(mps: &Path) -> f64 {
    let script = root().join("crates/lp/tests/mps_check.py");
    let out = Command::new(venv_python()).arg(&script).arg(mps).output().expect("run python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["reader"] == "highspy" {
            assert_eq!(v["status"], "Optimal", "{line}");
            return v["objective"].as_f64().unwrap();
        }
    }
    panic!("no highspy line in {text}");
}

fn check_example(name: &str) {
    let inst = load(name);
    let opts = PlanOptions { names: true, mip_gap: Some(0.0), ..Default::default() };
    let (pm, r) = lodestone_plan::solve_plan(&inst, &opts).unwrap();
    assert_eq!(r.status, "optimal", "{name}");
    let obj = r.objective.unwrap();
    let v = r.values.as_ref().unwrap();
    let bad = lodestone_plan::check::check_plan(&inst, v, false, 1e-6);
    assert!(bad.is_empty(), "{name}: {bad:#?}");
    // Objective = parts, recomputed from the instance (not the cost vector).
    let p = objective_parts(&inst, v);
    let sum = p.capex + p.supply + p.stock + p.shortfall_penalty + p.fairness_penalty;
    assert!((sum - obj).abs() <= 1e-6 * obj.abs(), "{name}: parts {sum} vs objective {obj}");
    // Independent solver on the exported file.
    let dir = tempfile::tempdir().unwrap();
    let mps = dir.path().join("plan.mps");
    lodestone_lp::write_mps_file(&pm.model, &mps).unwrap();
    let theirs = highspy_objective(&mps);
    assert!((theirs - obj).abs() <= 1e-6 * obj.abs(), "{name}: ours {obj}, highspy {theirs}");
}

#[test]
fn rare_earth_plan_matches_highspy() {
    check_example("jp-us-rare-earths.toml");
}

#[test]
fn nickel_plan_matches_highspy() {
    check_example("jp-us-ph-nickel.toml");
}
