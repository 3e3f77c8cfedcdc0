//! Properties of optimal plans on random small instances: more capacity
//! never raises the optimal cost; a tighter policy share never lowers it;
//! every returned plan passes the independent constraint check (done in
//! `common::solve`).

mod common;
use common::*;
use proptest::prelude::*;

#[allow(clippy::too_many_arguments)]
fn plan(demand: f64, headroom: f64, share: f64, pcap: f64, capex: f64, permitting: f64, stock_max: f64) -> String {
    format!(
        r#"
name = "random"
start_year = 2026
years = 4
partners = ["JP", "US"]
[data]
lane_headroom = {headroom}
[[demand]]
commodity = "x/refining"
quantity = {{ JP = {demand}, US = {demand2} }}
growth = 0.05
[[recipe]]
output = "x/refining"
input = "x/mining"
quantity = 1.5
source = "test"
[costs]
domestic = {{ "x/mining" = 1 }}
[[project]]
id = "p"
kind = "refinery"
country = "US"
commodity = "x/refining"
capacity = {pcap}
capex = {capex}
opex = 3
permitting_years = {permitting}
build_years = 1
[[stockpile]]
holder = "JP"
commodity = "x/refining"
max = {stock_max}
hold_cost = 0.5
release = "any"
[[policy]]
kind = "max_share"
group = "concern"
commodity = "x/refining"
share = {share}
[objective]
shortfall_penalty = 60
fairness = 2
"#,
        demand2 = demand * 0.7
    )
}

fn ds(cn: f64, au: f64, ore: f64) -> lodestone_model::Dataset {
    dataset(
        &[("US", "x/mining", 2025, ore), ("CN", "x/refining", 2025, 1000.0), ("AU", "x/refining", 2025, 1000.0)],
        &[
            ("CN", "JP", "x/refining", 2025, cn, cn * 0.005),
            ("AU", "JP", "x/refining", 2025, au, au * 0.009),
            ("CN", "US", "x/refining", 2025, cn * 0.5, cn * 0.5 * 0.006),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn more_capacity_never_costs_more(
        cn in 10.0f64..200.0, au in 10.0f64..200.0, ore in 0.0f64..300.0, demand in 20.0f64..300.0,
        h in 0.0f64..0.5, dh in 0.0f64..0.5, share in 0.0f64..1.0,
        pcap in 0.0f64..100.0, dcap in 0.0f64..100.0, capex in 0.0f64..2000.0, permitting in 0.0f64..3.0,
    ) {
        let d = ds(cn, au, ore);
        let base = solve(&d, &plan(demand, h, share, pcap, capex, permitting, 50.0)).objective.unwrap();
        let lanes = solve(&d, &plan(demand, h + dh, share, pcap, capex, permitting, 50.0)).objective.unwrap();
        let proj = solve(&d, &plan(demand, h, share, pcap + dcap, capex, permitting, 50.0)).objective.unwrap();
        let more_ore = solve(&ds(cn, au, ore + 50.0), &plan(demand, h, share, pcap, capex, permitting, 50.0)).objective.unwrap();
        let tol = 1e-6 * base.abs().max(1.0);
        prop_assert!(lanes <= base + tol, "lane headroom {h}->{}: {base} -> {lanes}", h + dh);
        prop_assert!(proj <= base + tol, "project capacity {pcap}->{}: {base} -> {proj}", pcap + dcap);
        prop_assert!(more_ore <= base + tol, "ore +50: {base} -> {more_ore}");
    }

    #[test]
    fn tighter_policy_never_costs_less(
        cn in 10.0f64..200.0, au in 10.0f64..200.0, ore in 0.0f64..300.0, demand in 20.0f64..300.0,
        h in 0.0f64..0.5, share in 0.0f64..1.0, tighten in 0.0f64..1.0,
        pcap in 0.0f64..100.0, capex in 0.0f64..2000.0, permitting in 0.0f64..3.0,
    ) {
        let d = ds(cn, au, ore);
        let loose = solve(&d, &plan(demand, h, share, pcap, capex, permitting, 50.0)).objective.unwrap();
        let tight = solve(&d, &plan(demand, h, share * tighten, pcap, capex, permitting, 50.0)).objective.unwrap();
        prop_assert!(tight >= loose - 1e-6 * loose.abs().max(1.0), "share {share} -> {}: {loose} -> {tight}", share * tighten);
    }
}
