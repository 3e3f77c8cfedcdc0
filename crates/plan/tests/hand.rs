//! Plans small enough to solve by hand: the optimum is derived in each
//! test's comment from arithmetic, not from our output.

mod common;
use common::*;

/// US needs 100 t/yr of x/refining for 5 years. CN sells at most 50 t/yr
/// (the 2025 flow, no headroom) at 10 $/t (0.5 k$ / 50 t). Unmet demand costs
/// 100 $/t. A US refinery (50 t/yr, capex `capex`, opex 20 $/t) comes online
/// `permitting + 1` years after it starts.
fn refinery_plan(permitting: f64, capex: f64) -> String {
    format!(
        r#"
name = "refinery"
start_year = 2026
years = 5
partners = ["US"]
[data]
lane_headroom = 0
[[demand]]
commodity = "x/refining"
quantity = {{ US = 100 }}
[[project]]
id = "us-refinery"
kind = "refinery"
country = "US"
commodity = "x/refining"
capacity = 50
capex = {capex}
opex = 20
permitting_years = {permitting}
build_years = 1
[objective]
shortfall_penalty = 100
"#
    )
}

fn refinery_ds() -> lodestone_model::Dataset {
    dataset(&[], &[("CN", "US", "x/refining", 2025, 50.0, 0.5)])
}

#[test]
fn build_pays_off_only_with_short_permitting() {
    let ds = refinery_ds();
    // Without the refinery: imports 50 x 10 x 5 = 2,500; shortfall
    // 50 x 100 x 5 = 25,000; total 27,500. Each year the refinery runs saves
    // 50 x (100 - 20) = 4,000 against capex 5,000. Started in 2026 it runs
    // 5 - (permitting + 1) years: permitting 2 -> 2 years, saves 8,000 > 5,000
    // (objective 27,500 - 8,000 + 5,000 = 24,500); permitting 3 -> 1 year,
    // saves 4,000 < 5,000: not built (27,500).
    let short = solve(&ds, &refinery_plan(2.0, 5000.0));
    assert_eq!(short.status, "optimal");
    close(short.objective.unwrap(), 24_500.0);
    assert_eq!(short.builds.len(), 1);
    assert_eq!(short.builds[0].start, "2026");
    assert_eq!(short.builds[0].online, "2029");
    let parts = short.parts.as_ref().unwrap();
    close(parts.capex, 5000.0);
    // Shortfall: 50/yr in 2026-2028, 0 after.
    close(short.expected_shortfall.unwrap(), 150.0);

    let long = solve(&ds, &refinery_plan(3.0, 5000.0));
    close(long.objective.unwrap(), 27_500.0);
    assert!(long.builds.is_empty(), "{:?}", long.builds);
    close(long.expected_shortfall.unwrap(), 250.0);
}

#[test]
fn relaxed_build_is_a_fraction_only_when_that_pays() {
    // With --relax the start is continuous in [0, 1]; the cost is linear in
    // it, so the LP optimum is still 0 or 1 here: permitting 2, capex 5,000
    // -> 1 unit, same objective as the MIP.
    let ds = refinery_ds();
    let inst = instance(&ds, &refinery_plan(2.0, 5000.0)).unwrap();
    let (_, r) = lodestone_plan::solve_plan(&inst, &lodestone_plan::PlanOptions { relax: true, ..Default::default() }).unwrap();
    close(r.objective.unwrap(), 24_500.0);
    assert!(r.relaxed);
}

fn policy_plan(share: Option<f64>) -> String {
    let policy = match share {
        Some(s) => format!(
            "[[policy]]\nname = \"cap on CN\"\nkind = \"max_share\"\ncountries = [\"CN\"]\ncommodity = \"x/refining\"\nshare = {s}\n"
        ),
        None => String::new(),
    };
    format!(
        r#"
name = "policy"
start_year = 2026
years = 1
partners = ["JP"]
[data]
lane_headroom = 0
[[demand]]
commodity = "x/refining"
quantity = {{ JP = 100 }}
{policy}
[objective]
shortfall_penalty = 1000
"#
    )
}

fn policy_ds() -> lodestone_model::Dataset {
    // CN: 100 t at 5 $/t; AU: 100 t at 8 $/t.
    dataset(&[], &[("CN", "JP", "x/refining", 2025, 100.0, 0.5), ("AU", "JP", "x/refining", 2025, 100.0, 0.8)])
}

#[test]
fn policy_forces_costlier_supply() {
    let ds = policy_ds();
    // No policy: all 100 t from CN at 5 = 500.
    close(solve(&ds, &policy_plan(None)).objective.unwrap(), 500.0);
    // At most 50% from CN: 50 x 5 + 50 x 8 = 650.
    let r = solve(&ds, &policy_plan(Some(0.5)));
    close(r.objective.unwrap(), 650.0);
    let jp = &r.supply[0];
    assert_eq!(jp.by_origin.len(), 2);
    close(jp.by_origin.iter().find(|o| o.origin == "CN").unwrap().quantity, 50.0);
    // The policy's marginal cost: its row is f_CN - 0.5 (f_CN + f_AU) <= 0;
    // relaxing it by e lets f_CN = 50 + 2e... with f_CN + f_AU = 100 the row is
    // (f_CN - f_AU) / 2 <= e, so f_CN rises by e and f_AU falls by e: the
    // objective falls by e x (8 - 5) = 3e.
    let duals = r.duals.as_ref().unwrap();
    close(duals.policies[0].marginal_cost, 3.0);
    // One more tonne of JP demand must also keep CN at half: 0.5 t more from
    // each, 0.5 x 5 + 0.5 x 8 = 6.5.
    close(duals.prices[0].by_period[0], 6.5);
    // At most 20%: 20 x 5 + 80 x 8 = 740.
    close(solve(&ds, &policy_plan(Some(0.2))).objective.unwrap(), 740.0);
}

#[test]
fn capacity_dual_is_the_saving_per_unit() {
    // JP produces 40 t of x/refining itself at the domestic cost 2 $/t and
    // imports the rest from CN at 5 $/t: one more tonne of JP capacity saves
    // 5 - 2 = 3 $.
    // (CN's production row keeps its exports: without one, the network
    // convention scales an exporter's flows down to what it produces.)
    let ds = dataset(
        &[("JP", "x/refining", 2025, 40.0), ("CN", "x/refining", 2025, 500.0)],
        &[("CN", "JP", "x/refining", 2025, 100.0, 0.5)],
    );
    let text = r#"
name = "cap"
start_year = 2026
years = 1
partners = ["JP"]
[data]
lane_headroom = 0
[[demand]]
commodity = "x/refining"
quantity = { JP = 100 }
[costs]
domestic = { "x/refining" = 2 }
[objective]
shortfall_penalty = 1000
"#;
    let r = solve(&ds, text);
    close(r.objective.unwrap(), 40.0 * 2.0 + 60.0 * 5.0);
    let cap = &r.duals.as_ref().unwrap().capacity;
    let jp = cap.iter().find(|c| c.country == "JP").unwrap();
    close(jp.value, 3.0);
}

#[test]
fn stockpile_pays_for_itself_against_a_ban() {
    // JP needs 100 t/yr for 2 years; CN supplies 100 t/yr at 5 $/t. With
    // probability 0.5 CN bans exports for the first 12 months. A JP stock of
    // up to 200 t costs 5 $/t to buy and 1 $/t/yr to hold; it is released only
    // in disrupted periods. Penalty 100 $/t.
    // No stock: 0.5 x 1,000 + 0.5 x (100 x 100 + 500) = 5,750.
    // Stock 100: 100 x 5 + 100 x 1 x 2 = 700, plus 0.5 x 1,000 + 0.5 x 500
    // (the ban year is covered by the stock) = 1,450. More stock adds cost and
    // nothing else, less leaves shortfall at 100 $/t > 7 $/t: 100 is optimal.
    let ds = dataset(&[], &[("CN", "JP", "x/refining", 2025, 100.0, 0.5)]);
    let text = r#"
name = "stock"
start_year = 2026
years = 2
partners = ["JP"]
[data]
lane_headroom = 0
[[demand]]
commodity = "x/refining"
quantity = { JP = 100 }
[[stockpile]]
holder = "JP"
commodity = "x/refining"
max = 200
hold_cost = 1
purchase_cost = 5
[objective]
shortfall_penalty = 100
[[scenario]]
file = "ban.toml"
probability = 0.5
"#;
    let ban = r#"
name = "ban"
horizon = 24
period = "month"
[[disruption]]
name = "CN ban"
kind = "export_restriction"
country = "CN"
commodity = "x/refining"
share = 1.0
start = 0
duration = 12
"#;
    let read = |f: &str| -> Result<(String, String), String> {
        assert_eq!(f, "ban.toml");
        Ok(("ban.toml".into(), ban.into()))
    };
    let inst = lodestone_plan::load_plan("plan.toml", text, &ds, &read).unwrap();
    assert_eq!(inst.scenarios.len(), 2);
    assert_eq!(inst.scenarios[0].name, "baseline");
    let (_, r) = lodestone_plan::solve_plan(&inst, &Default::default()).unwrap();
    close(r.objective.unwrap(), 1450.0);
    close(r.stock_targets[0].target, 100.0);
    close(r.stock_targets[0].expected_release, 50.0);
    let bad = lodestone_plan::check::check_plan(&inst, r.values.as_ref().unwrap(), false, 1e-7);
    assert!(bad.is_empty(), "{bad:?}");
}

#[test]
fn infeasible_plan_names_the_smallest_conflict() {
    // JP must get all 100 t (max_shortfall_share = 0); CN can sell 100, AU 30;
    // at most half from CN means CN <= AU <= 30, so at most 60 t: infeasible.
    // Relaxing the demand limit alone needs 40 t unmet; relaxing the policy
    // alone needs CN = 70 t, i.e. 70 - 0.5 x 100 = 20 t over the row's bound.
    // Either single relaxation is enough: the smallest set has one member.
    let ds = dataset(&[], &[("CN", "JP", "x/refining", 2025, 100.0, 0.5), ("AU", "JP", "x/refining", 2025, 30.0, 0.24)]);
    let text = r#"
name = "infeasible"
start_year = 2026
years = 1
partners = ["JP"]
[data]
lane_headroom = 0
[[demand]]
commodity = "x/refining"
quantity = { JP = 100 }
max_shortfall_share = 0
[[policy]]
name = "half from CN at most"
kind = "max_share"
countries = ["CN"]
commodity = "x/refining"
share = 0.5
"#;
    let inst = instance(&ds, text).unwrap();
    let (_, r) = lodestone_plan::solve_plan(&inst, &Default::default()).unwrap();
    assert_eq!(r.status, "infeasible");
    let ex = r.explanation.expect("an explanation");
    assert_eq!(ex.conflicts.len(), 1, "{ex:?}");
    let c = &ex.conflicts[0];
    match c.kind.as_str() {
        "demand" => close(c.violation, 40.0),
        "policy" => close(c.violation, 20.0),
        other => panic!("unexpected kind {other}"),
    }
    assert_eq!(c.country, "JP");
}

#[test]
fn bad_plans_are_located_errors() {
    let ds = refinery_ds();
    let cases: &[(&str, &str, usize, &str)] = &[
        ("capex = 5000", "capex = -1", 17, "expected a number >= 0"),
        ("country = \"US\"", "country = \"XX\"", 14, "unknown country `XX`"),
        ("commodity = \"x/refining\"\ncapacity", "commodity = \"x/product\"\ncapacity", 15, "unknown commodity `x/product`"),
        ("build_years = 1", "build_years = 1\nbuild_yeras = 2", 21, "unknown key `build_yeras`"),
        ("years = 5", "years = 0", 4, "0 periods"),
    ];
    for (from, to, line, msg) in cases {
        let text = refinery_plan(2.0, 5000.0).replace(from, to);
        assert_ne!(text, refinery_plan(2.0, 5000.0), "{from}");
        let e = instance(&ds, &text).err().unwrap_or_else(|| panic!("{to} accepted"));
        let first = &e.0[0];
        assert_eq!(first.line, *line, "{to}: {e}");
        assert!(first.message.contains(msg), "{to}: {e}");
    }
}
