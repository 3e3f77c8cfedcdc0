//! Hand-solved scenarios on 2-3 node networks. Every expected number is
//! derived in the comments from the scenario's arithmetic.

mod common;
use common::*;
use lodestone_sim::*;
use std::sync::atomic::AtomicBool;

fn run(ds: &lodestone_model::Dataset, toml: &str) -> (Network, SimResult) {
    let sc = parse_scenario("t.toml", toml, ds).unwrap_or_else(|e| panic!("{e}"));
    let net = Network::build(ds, &sc.network, sc.period);
    let c = compile(&net, &sc, &dataset_groups(ds));
    let r = simulate(&net, &c, Record::Full, &|_, _| {}, &AtomicBool::new(false));
    (net, r)
}

fn shortfalls(net: &Network, r: &SimResult, country: &str, k: &str) -> Vec<f64> {
    let i = net.node(cc(country), &key(k)).unwrap();
    let s = r.series.as_ref().unwrap();
    (0..r.horizon).map(|t| s.shortfall[t * net.len() + i]).collect()
}

fn stocks(net: &Network, r: &SimResult, country: &str, k: &str) -> Vec<f64> {
    let i = net.node(cc(country), &key(k)).unwrap();
    let s = r.series.as_ref().unwrap();
    (0..r.horizon).map(|t| s.stock[t * net.len() + i]).collect()
}

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-9, "{a:?} != {b:?}");
    }
}

/// CN mines 120 t/yr (10 t/month) and exports 72 t/yr (6/month) to JP; JP
/// produces nothing. Normal demand: CN 10 - 6 = 4, JP 6 per month.
fn two_nodes() -> lodestone_model::Dataset {
    Fx::new().prod("x/mining", "CN", 2024, 120.0).trade("x/mining", "CN", "JP", 2024, 72.0).group("friends", &["KR"]).build()
}

const BAN: &str = r#"
name = "ban"
horizon = 6
[network]
headroom = 0
[[network.stock]]
country = "JP"
commodity = "x/mining"
quantity = 12
[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "x/mining"
start = 0
duration = 3
[policy]
reroute = false
"#;

#[test]
fn ban_with_stock() {
    // Ban active in periods 0, 1, 2; shipments arrive one period later.
    // JP: t0 arrival 6 (pipeline) -> no shortfall, stock 12.
    //     t1 arrival 0, draws 6 -> stock 6.  t2 draws 6 -> stock 0.
    //     t3 arrival 0 (t2's shipment was banned), stock 0 -> shortfall 6.
    //     t4 arrival 6 (t3 shipped) -> none. t5 none.
    let (net, r) = run(&two_nodes(), BAN);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 0.0, 0.0, 6.0, 0.0, 0.0]);
    close(&stocks(&net, &r, "JP", "x/mining"), &[12.0, 6.0, 0.0, 0.0, 0.0, 0.0]);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[0.0; 6]);
    let jp = &r.nodes[net.node(cc("JP"), &key("x/mining")).unwrap()];
    assert_eq!(jp.time_to_survive, Some(3));
    // Ban ends at period 3 (exclusive); last shortfall in 3 -> recovered after 1.
    assert_eq!(r.disruption_end, 3);
    assert_eq!(jp.recovery_time, Some(1));
    assert!((jp.cumulative_shortfall - 6.0).abs() < 1e-9);
    assert_eq!(r.first_to_fail, vec![net.node(cc("JP"), &key("x/mining")).unwrap()]);
    // CN's withheld 6 t/month is unsold in periods 0-2 (CN has no stock room).
    let cn = net.node(cc("CN"), &key("x/mining")).unwrap();
    let s = r.series.as_ref().unwrap();
    close(&(0..6).map(|t| s.unsold[t * net.len() + cn]).collect::<Vec<_>>(), &[6.0, 6.0, 6.0, 0.0, 0.0, 0.0]);
}

#[test]
fn ban_with_release_cap() {
    // max_release_share 0.5 of the stock at the start of each period:
    // t1: draw min(6, 0.5 x 12 = 6) = 6 -> stock 6, no shortfall.
    // t2: draw min(6, 3) = 3 -> stock 3, shortfall 3.
    // t3: draw 1.5 -> stock 1.5, shortfall 4.5.  t4: supply back, none.
    // Surplus refills stock only from leftover supply; JP has none.
    let toml = BAN.replace("reroute = false", "reroute = false\nmax_release_share = 0.5");
    let (net, r) = run(&two_nodes(), &toml);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 0.0, 3.0, 4.5, 0.0, 0.0]);
    let jp = &r.nodes[net.node(cc("JP"), &key("x/mining")).unwrap()];
    assert_eq!(jp.time_to_survive, Some(2));
    assert!((jp.cumulative_shortfall - 7.5).abs() < 1e-9);
}

#[test]
fn release_never_and_exemption() {
    // Stocks are never drawn: JP short 6 in periods 1, 2, 3.
    let toml = BAN.replace("reroute = false", "reroute = false\nrelease = \"never\"");
    let (net, r) = run(&two_nodes(), &toml);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 6.0, 6.0, 6.0, 0.0, 0.0]);

    // Add KR importing 24 t/yr (2/month) from CN, exempt as a member of
    // `friends`: CN still ships 2 to KR; KR never short. CN demand is
    // 10 - 6 - 2 = 2.
    let ds = Fx::new()
        .prod("x/mining", "CN", 2024, 120.0)
        .trade("x/mining", "CN", "JP", 2024, 72.0)
        .trade("x/mining", "CN", "KR", 2024, 24.0)
        .group("friends", &["KR"])
        .build();
    let toml = toml.replace("duration = 3", "duration = 3\nexempt_group = \"friends\"");
    let (net, r) = run(&ds, &toml);
    close(&shortfalls(&net, &r, "KR", "x/mining"), &[0.0; 6]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 6.0, 6.0, 6.0, 0.0, 0.0]);
}

const OUTAGE: &str = r#"
name = "outage"
horizon = 3
[network]
headroom = 0
[[disruption]]
kind = "outage"
country = "CN"
commodity = "x/mining"
share = 0.5
start = 0
duration = 1
[policy]
reroute = false
"#;

#[test]
fn outage_pro_rata_and_priority() {
    // t0: CN capacity 10 x 0.5 = 5. Claims: CN domestic 4, JP 6 (total 10).
    // Pro rata 5/10: CN gets 2 (short 2 in t0), JP is shipped 3, which
    // arrives in t1 (short 3 in t1). Lost output 5 = 2 + 3.
    let (net, r) = run(&two_nodes(), OUTAGE);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[2.0, 0.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 3.0, 0.0]);

    // Priority to {JP}: JP's claim 6 is served first from 5 -> 5 shipped
    // (short 1 in t1); CN's domestic 4 gets nothing (short 4 in t0).
    let ds = Fx::new()
        .prod("x/mining", "CN", 2024, 120.0)
        .trade("x/mining", "CN", "JP", 2024, 72.0)
        .group("first", &["JP"])
        .build();
    let toml = OUTAGE.replace("reroute = false", "reroute = false\nallocation = \"priority\"\npriority_group = \"first\"");
    let (net, r) = run(&ds, &toml);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[4.0, 0.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 1.0, 0.0]);
}

#[test]
fn reroute_to_spare_capacity() {
    // CN 120/yr, exports 72 to JP; AU mines 120/yr (10/month) for itself.
    // Headroom 0.5: capacity 15/month each, spare 5. CN bans JP from t0 for
    // the whole horizon; its own spare is withheld too. Lag 0, ramp 1.
    // t0: JP gets the pipeline's 6.
    // t1: arrival 0 -> short 6; JP asks 6; AU's spare 5 -> AU makes 5 more in t2,
    //     which arrives in t3.
    // t2: short 6 again (asks 6 again).
    // t3..t7: arrival 5 -> short 1 each period (asks 6 = gap 1 + rerouted 5).
    // Total 6 + 6 + 5 x 1 = 17.
    let ds = Fx::new()
        .prod("x/mining", "CN", 2024, 120.0)
        .prod("x/mining", "AU", 2024, 120.0)
        .trade("x/mining", "CN", "JP", 2024, 72.0)
        .build();
    let toml = r#"
name = "reroute"
horizon = 8
[network]
headroom = 0.5
[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "x/mining"
start = 0
duration = 8
[policy]
reroute_lag = 0
reroute_ramp = 1
"#;
    let (net, r) = run(&ds, toml);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 6.0, 6.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    close(&shortfalls(&net, &r, "AU", "x/mining"), &[0.0; 8]);
    let jp = &r.nodes[net.node(cc("JP"), &key("x/mining")).unwrap()];
    assert!((jp.cumulative_shortfall - 17.0).abs() < 1e-9);
    assert_eq!(jp.recovery_time, None); // still short at the horizon
}

#[test]
fn recipe_limits_downstream() {
    // JP mines 120/yr of x (10/month) and refines 60/yr of y (5/month) at
    // 1 t of x per t of y; JP imports 60/yr of x from CN (5/month). CN mines 60/yr.
    // JP's x: apparent consumption 10 + 5 = 15, recipe use 5 -> final 10.
    // Ban CN->JP in t0: t1 JP's x supply is 10 against need 15 (final 10 +
    // recipe 5): deliveries split pro rata 10/15, so x short 10 x 1/3 = 10/3,
    // and refining gets 5 x 2/3 = 10/3 t of x -> y output 10/3 against
    // demand 5 -> y short 5/3.
    let ds = Fx::new()
        .commodity("y", "refining")
        .prod("x/mining", "JP", 2024, 120.0)
        .prod("x/mining", "CN", 2024, 60.0)
        .prod("y/refining", "JP", 2024, 60.0)
        .trade("x/mining", "CN", "JP", 2024, 60.0)
        .recipe("y/refining", "x/mining", 1.0)
        .build();
    let toml = r#"
name = "recipe"
horizon = 3
[network]
headroom = 0
[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "x/mining"
start = 0
duration = 1
[policy]
reroute = false
"#;
    let (net, r) = run(&ds, toml);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 10.0 / 3.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "y/refining"), &[0.0, 5.0 / 3.0, 0.0]);
}

/// JP imports 60 t/yr of x (5/month) from CN (which mines 120/yr) and
/// refines 36 t/yr of y (3/month) from 1 t of x per t. JP's x: apparent
/// consumption 5, recipe use 3 -> final demand 2; JP's y: demand 3. Stocks:
/// JP x 8, JP y 15. CN bans x exports in periods 0-3 and JP's refinery
/// loses `share` of its capacity (3/month, no headroom) in the same periods.
fn ban_and_refinery_outage(share: f64) -> (Network, SimResult) {
    let ds = Fx::new()
        .commodity("y", "refining")
        .prod("x/mining", "CN", 2024, 120.0)
        .prod("y/refining", "JP", 2024, 36.0)
        .trade("x/mining", "CN", "JP", 2024, 60.0)
        .recipe("y/refining", "x/mining", 1.0)
        .build();
    let toml = format!(
        r#"
name = "substitution"
horizon = 6
[network]
headroom = 0
[[network.stock]]
country = "JP"
commodity = "x/mining"
quantity = 8
[[network.stock]]
country = "JP"
commodity = "y/refining"
quantity = 15
[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "x/mining"
start = 0
duration = 4
[[disruption]]
kind = "outage"
country = "JP"
commodity = "y/refining"
share = {share}
start = 0
duration = 4
[policy]
reroute = false
"#
    );
    run(&ds, &toml)
}

#[test]
fn recipe_input_freed_by_downstream_outage() {
    // Why a deeper disruption can lower total shortfall (docs/scenarios.md,
    // "Reading totals"), under pro-rata allocation: a refinery that loses
    // capacity draws less ore, so the ore stock lasts longer for final
    // users, while the refinery's own buyers draw on its stock.
    // JP's x arrives: t0 5 (pipeline), t1-t4 0 (banned t0-t3), t5 5.
    //
    // share 0.5: refinery target 1.5, so JP's x need = 2 + 1.5 = 3.5.
    //   t0: 5 arrive, 3.5 delivered (1.5 unsold: stock full).
    //   t1, t2: draw 3.5 -> x stock 4.5, 1.
    //   t3: draw 1 of 3.5: delivered share 2/7; x short 2 x 5/7 = 10/7;
    //       y output 1.5 x 2/7 = 3/7, y gap 18/7 drawn from y's stock.
    //   t4: outage over: x need 2 + 3 = 5, nothing arrives, stock 0:
    //       x short 2; y output 0, gap 3 drawn (y stock 15 - 3 x 1.5 - 18/7).
    //   total 10/7 + 2 = 24/7; y never short.
    let (net, r) = ban_and_refinery_outage(0.5);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 0.0, 0.0, 10.0 / 7.0, 2.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "y/refining"), &[0.0; 6]);
    // y stock: 15 - 1.5 a period in t0-t2, then 18/7 and 3: ends at 69/14.
    close(&stocks(&net, &r, "JP", "y/refining"), &[13.5, 12.0, 10.5, 111.0 / 14.0, 69.0 / 14.0, 69.0 / 14.0]);
    let total: f64 = r.nodes.iter().map(|n| n.cumulative_shortfall).sum();
    assert!((total - 24.0 / 7.0).abs() < 1e-9, "{total}");
    //
    // share 1 (deeper): refinery target 0, so JP's x need = 2 in t0-t3.
    //   t0: 5 arrive, 2 delivered. t1-t3: draw 2 -> x stock 6, 4, 2.
    //   y: output 0 in t0-t3, draws 3 a period -> y stock 12, 9, 6, 3.
    //   t4: x need 5, draw 2: delivered share 2/5; x short 2 x 3/5 = 6/5;
    //       y output 3 x 2/5 = 6/5, gap 9/5 drawn (y stock 3 -> 6/5).
    //   total 6/5 < 24/7.
    let (net, r) = ban_and_refinery_outage(1.0);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 0.0, 0.0, 0.0, 6.0 / 5.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "y/refining"), &[0.0; 6]);
    close(&stocks(&net, &r, "JP", "y/refining"), &[12.0, 9.0, 6.0, 3.0, 6.0 / 5.0, 6.0 / 5.0]);
    let deeper: f64 = r.nodes.iter().map(|n| n.cumulative_shortfall).sum();
    assert!((deeper - 6.0 / 5.0).abs() < 1e-9, "{deeper}");
}

#[test]
fn short_exporter_keeps_what_it_withholds() {
    // The other way a deeper disruption can lower total shortfall: an
    // exporter that is itself short keeps what it withholds, while the
    // importer's loss is covered by its stock. CN mines 10/month, ships 6
    // to JP, CN demand 4; JP holds 12. CN's mine loses half its capacity
    // (10 -> 5) in periods 0-1 and CN withholds `share` of its exports in
    // the same periods. Pro rata.
    let run_share = |share: f64| {
        let toml = format!(
            r#"
name = "keep"
horizon = 4
[network]
headroom = 0
[[network.stock]]
country = "JP"
commodity = "x/mining"
quantity = 12
[[disruption]]
kind = "outage"
country = "CN"
commodity = "x/mining"
share = 0.5
start = 0
duration = 2
[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "x/mining"
share = {share}
start = 0
duration = 2
[policy]
reroute = false
"#
        );
        run(&two_nodes(), &toml)
    };
    // share 0.5: claims CN 4 + JP 3 = 7 on 5: each gets 5/7. CN short
    // 4 x 2/7 = 8/7 in t0 and t1; JP receives 15/7 in t1 and t2, draws the
    // gap 27/7 twice from its 12: never short. Total 16/7.
    let (net, r) = run_share(0.5);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[8.0 / 7.0, 8.0 / 7.0, 0.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0; 4]);
    close(&stocks(&net, &r, "JP", "x/mining"), &[12.0, 12.0 - 27.0 / 7.0, 12.0 - 54.0 / 7.0, 12.0 - 54.0 / 7.0]);
    // share 1 (deeper): CN's 5 covers its own 4; JP draws 6 twice and ends
    // with no stock, but is never short. Total 0 < 16/7.
    let (net, r) = run_share(1.0);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[0.0; 4]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0; 4]);
    close(&stocks(&net, &r, "JP", "x/mining"), &[12.0, 6.0, 0.0, 0.0]);
}

#[test]
fn withheld_in_the_last_period_arrives_after_the_horizon() {
    // The horizon-end case (docs/scenarios.md, "Reading totals"). CN mines
    // 10/month, ships 6 to JP, CN demand 4; no stocks. CN's mine runs at
    // half capacity (5) in every period of a 3-period horizon, and CN
    // withholds `share` of its exports in the last period (2) only.
    let run_share = |share: f64| {
        let toml = format!(
            r#"
name = "horizon end"
horizon = 3
[network]
headroom = 0
[[disruption]]
kind = "outage"
country = "CN"
commodity = "x/mining"
share = 0.5
start = 0
duration = 3
[[disruption]]
kind = "export_restriction"
country = "CN"
commodity = "x/mining"
share = {share}
start = 2
duration = 1
[policy]
reroute = false
"#
        );
        run(&two_nodes(), &toml)
    };
    // t0, t1: claims CN 4 + JP 6 on 5, half each: CN short 2, JP is
    // shipped 3 (arrives next period). JP: t0 the pipeline's 6; t1, t2 3
    // (short 3).
    // share 0.5, t2: claims 4 + 3 on 5: CN gets 20/7 (short 8/7) and ships
    // 15/7, which would arrive in period 3, after the horizon.
    let (net, r) = run_share(0.5);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[2.0, 2.0, 8.0 / 7.0]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 3.0, 3.0]);
    // share 1 (deeper), t2: CN's 5 covers its 4 (short 0); what JP loses
    // (15/7) falls in period 3, outside. Total 10 < 36/7 + 6.
    let (net, r) = run_share(1.0);
    close(&shortfalls(&net, &r, "CN", "x/mining"), &[2.0, 2.0, 0.0]);
    close(&shortfalls(&net, &r, "JP", "x/mining"), &[0.0, 3.0, 3.0]);
    let total: f64 = r.nodes.iter().map(|n| n.cumulative_shortfall).sum();
    assert!((total - 10.0).abs() < 1e-9, "{total}");
}
