//! Tiny datasets written as CSV text and loaded by the real loader, and a
//! helper to solve a plan text against them.
#![allow(dead_code)]

use lodestone_model::Dataset;
use lodestone_plan::{load_plan, solve_plan, Instance, PlanErrors, PlanOptions, PlanResult};
use std::collections::BTreeMap;

/// `production`: (country, commodity/stage, year, quantity);
/// `trade`: (exporter, importer, commodity/stage, year, quantity, value_kusd).
pub fn dataset(production: &[(&str, &str, i32, f64)], trade: &[(&str, &str, &str, i32, f64, f64)]) -> Dataset {
    let mut files = BTreeMap::new();
    files.insert(
        "dataset.toml".to_string(),
        "name = \"t\"\ntitle = \"t\"\nstages = [\"mining\", \"refining\"]\n".to_string(),
    );
    files.insert("sources.csv".into(), "id,title,publisher,year,url,license,note\nsrc,Hand-made test data,tests,,,,\n".into());
    let mut countries = String::from("code,name,iso3,source\n");
    for c in ["AU", "CN", "JP", "PH", "US", "ID"] {
        countries.push_str(&format!("{c},{c},,src\n"));
    }
    files.insert("countries.csv".into(), countries);
    files.insert(
        "groups.csv".into(),
        "group,country,source,note\nconcern,CN,src,\npartners2,JP,src,\npartners2,US,src,\n".into(),
    );
    files.insert(
        "commodities.csv".into(),
        "commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X ore,t,,,,src,\nx,refining,X refined,t,,,,src,\n".into(),
    );
    let mut prod = String::from("commodity,stage,country,producer,year,quantity,unit,estimated,source,note\n");
    for (c, k, y, q) in production {
        let (com, st) = k.split_once('/').unwrap();
        prod.push_str(&format!("{com},{st},{c},,{y},{q},t,,src,\n"));
    }
    files.insert("production.csv".into(), prod);
    let mut tr = String::from("commodity,stage,exporter,importer,year,quantity,unit,value_kusd,source,note\n");
    for (e, i, k, y, q, v) in trade {
        let (com, st) = k.split_once('/').unwrap();
        tr.push_str(&format!("{com},{st},{e},{i},{y},{q},t,{v},src,\n"));
    }
    files.insert("trade.csv".into(), tr);
    lodestone_model::load_texts("test", &files).unwrap_or_else(|e| panic!("fixture dataset: {e}"))
}

pub fn no_files(name: &str) -> Result<(String, String), String> {
    Err(format!("no file {name} in this test"))
}

pub fn instance(ds: &Dataset, text: &str) -> Result<Instance, PlanErrors> {
    load_plan("plan.toml", text, ds, &no_files)
}

pub fn solve(ds: &Dataset, text: &str) -> PlanResult {
    let inst = instance(ds, text).unwrap_or_else(|e| panic!("{e}"));
    let (_, r) = solve_plan(&inst, &PlanOptions { names: true, mip_gap: Some(0.0), ..Default::default() }).unwrap();
    let v = r.values.as_ref().expect("a solution");
    let bad = lodestone_plan::check::check_plan(&inst, v, r.relaxed, 1e-7);
    assert!(bad.is_empty(), "independent check failed: {bad:#?}");
    r
}

#[track_caller]
pub fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} != {b}");
}
