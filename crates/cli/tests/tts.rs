//! End-to-end tests of `lodestone tts` (the real binary) on the embedded
//! default dataset: structural facts, and every rare-earth node's TTS
//! against a closed form computed here from the dataset's production rows.

use lodestone_model::{CommodityKey, CountryCode};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
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
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("JSON parses")
}

/// Monthly production of rare_earths/mining per named country in the
/// dataset's latest year, read straight from the production rows.
fn rare_earth_production() -> BTreeMap<CountryCode, f64> {
    let ds = lodestone_data::default_dataset().expect("default dataset");
    let key = CommodityKey::new("rare_earths", "mining");
    let year = ds.production.iter().filter(|p| p.key == key).map(|p| p.year).max().expect("rows");
    let mut m = BTreeMap::new();
    for p in ds.production.iter().filter(|p| p.key == key && p.year == year) {
        if let Some(c) = p.country {
            *m.entry(c).or_insert(0.0) += p.quantity / 12.0;
        }
    }
    m.retain(|_, q| *q > 0.0);
    // The closed form below relies on these facts about the data.
    assert!(ds.trade.iter().all(|t| t.key != key), "rare_earths/mining has no trade rows");
    assert!(ds.capacity.iter().all(|c| c.key != key), "rare_earths/mining has no capacity rows");
    assert!(ds.stockpiles.is_empty() && ds.recipes.is_empty());
    m
}

fn nodes(v: &Value) -> &Vec<Value> {
    v["nodes"].as_array().expect("nodes array")
}

/// Facts that hold for any run: sorted ascending, hot spot iff tts < ttr,
/// capped iff tts equals the horizon, ranks 1..n.
fn structural(v: &Value) {
    let h = v["horizon"].as_f64().unwrap();
    let mut prev = f64::NEG_INFINITY;
    for (i, n) in nodes(v).iter().enumerate() {
        let (tts, ttr) = (n["tts"].as_f64().unwrap(), n["ttr"].as_f64().unwrap());
        assert!(tts >= prev, "sorted ascending");
        prev = tts;
        assert!((0.0..=h).contains(&tts));
        assert_eq!(n["hot_spot"].as_bool().unwrap(), tts < ttr, "{n}");
        assert_eq!(n["capped"].as_bool().unwrap(), tts == h, "{n}");
        assert_eq!(n["rank"].as_u64().unwrap(), i as u64 + 1);
        if n["capped"] == true {
            assert!(n["binding"].as_array().unwrap().is_empty(), "{n}");
        }
    }
    assert_eq!(v["hot_spots"].as_u64().unwrap() as usize, nodes(v).iter().filter(|n| n["hot_spot"] == true).count());
    assert_eq!(v["partial"], false);
    for b in v["baseline"].as_array().unwrap() {
        assert_eq!(b["capped"], true, "normal supply meets normal demand: {b}");
    }
}

#[test]
fn rare_earths_on_the_default_dataset() {
    let prod = rare_earth_production();
    let v = json(&["tts", "--commodity", "rare_earths", "--format", "json"]);
    structural(&v);
    // Every producer listed once, and nothing else.
    let listed: Vec<String> = nodes(&v).iter().map(|n| n["country"].as_str().unwrap().to_string()).collect();
    let set: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(set.len(), listed.len(), "no node twice");
    let expected: BTreeSet<String> = prod.keys().map(|c| c.to_string()).collect();
    assert_eq!(set, expected);
    assert_eq!(v["removed"].as_u64().unwrap() as usize, prod.len());
    for n in nodes(&v) {
        assert_eq!(n["commodity"], "rare_earths");
        assert_eq!(n["stage"], "mining");
        assert_eq!(n["ttr"], 12.0);
    }
    // No stocks and no spare capacity in the data: every removal of a
    // producing country is short at once.
    for n in nodes(&v) {
        assert_eq!(n["tts"], 0.0, "{n}");
        assert_eq!(n["hot_spot"], true);
    }
    // The table lists the same nodes.
    let t = ok(&["tts", "--commodity", "rare_earths"]);
    assert!(t.contains("TTS (months)") && t.contains("rare_earths/mining"));
    for c in &expected {
        assert!(t.lines().any(|l| l.split_whitespace().nth(1) == Some(c.as_str())), "{c} in table:\n{t}");
    }
}

/// With 3 months of stock everywhere and 10% headroom, each TTS has a closed
/// form. Rare-earth mining is not traded, so each country's demand d_c is
/// its own output p_c (monthly) and its stock 3 p_c; removing j, the others
/// supply up to 1.1 (P - p_j) per month. For t >= 3 every country draws on
/// the market: P (t - 3) <= 1.1 (P - p_j) t, so
/// t = 3 P / (P - 1.1 (P - p_j)) when the denominator is positive (else no
/// shortfall ever), capped at the horizon.
#[test]
fn rare_earths_with_stock_and_headroom_match_closed_form() {
    let prod = rare_earth_production();
    let total: f64 = prod.values().sum();
    let v = json(&[
        "tts",
        "--commodity",
        "rare_earths",
        "--stock-months",
        "3",
        "--headroom",
        "0.1",
        "--ttr",
        "6,rare_earths/mining=9",
        "--format",
        "json",
    ]);
    structural(&v);
    assert_eq!(nodes(&v).len(), prod.len());
    for n in nodes(&v) {
        let c = CountryCode::parse(n["country"].as_str().unwrap()).unwrap();
        let pj = prod[&c];
        let den = total - 1.1 * (total - pj);
        let expect = if den > 0.0 { (3.0 * total / den).min(120.0) } else { 120.0 };
        let got = n["tts"].as_f64().unwrap();
        assert!((got - expect).abs() <= 1e-5 * expect.max(1.0), "{c}: tts {got}, closed form {expect}");
        assert_eq!(n["ttr"], 9.0, "the stage-specific override wins over the default 6");
    }
    assert_eq!(v["assumptions"]["ttr"], 6.0);
    assert_eq!(v["assumptions"]["ttr_rules"][0]["commodity"], "rare_earths/mining");
}

#[test]
fn filters_top_and_ttr_override() {
    let v = json(&["tts", "--commodity", "rare_earths", "--country", "CN", "--format", "json"]);
    assert_eq!(nodes(&v).len(), 1);
    assert_eq!(nodes(&v)[0]["country"], "CN");
    let v = json(&["tts", "--commodity", "rare_earths", "--top", "3", "--ttr", "0", "--format", "json"]);
    assert_eq!(nodes(&v).len(), 3);
    structural(&v);
    assert_eq!(v["hot_spots"], 0, "nothing is below a TTR of 0");
    let t = ok(&["tts", "--commodity", "rare_earths", "--top", "2"]);
    assert!(t.contains("Showing the 2 lowest TTS"));
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let e = fails(&["tts", "--country", "XX"], 2);
    assert!(e.contains("unknown country `XX`"), "{e}");
    let e = fails(&["tts", "--commodity", "unobtainium"], 2);
    assert!(e.contains("unknown commodity `unobtainium`"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--stage", "refining"], 2);
    assert!(e.contains("has no stage `refining`"), "{e}");
    let e = fails(&["tts", "--stage", "smelting"], 2);
    assert!(e.contains("unknown stage `smelting`"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--ttr", "soon"], 2);
    assert!(e.contains("not a number of months"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--ttr", "unobtainium=3"], 2);
    assert!(e.contains("unknown commodity `unobtainium`"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--ttr", "200"], 2);
    assert!(e.contains("beyond the horizon"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--horizon", "0"], 2);
    assert!(e.contains("--horizon"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--headroom=-1"], 2);
    assert!(e.contains("--headroom"), "{e}");
    let e = fails(&["tts", "--commodity", "rare_earths", "--country", "JP"], 2);
    assert!(e.contains("no producer to remove"), "{e}");
    fails(&["tts", "--format", "csv"], 2);
}
