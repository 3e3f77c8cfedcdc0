//! Time to survive (Simchi-Levi et al. 2015): hand-solved networks whose
//! answers are derived in the comments from arithmetic, an independent
//! closed-form / bisection cross-check for single-tier networks, and
//! monotonicity properties.

mod common;

use common::{cc, key, Fx};
use lodestone_model::{Dataset, Output, Stockpile};
use lodestone_sim::scenario::{CommoditySel, Period};
use lodestone_sim::tts::{network_spec, recipe_closure};
use lodestone_sim::{time_to_survive, Network, TtrRule, TtsError, TtsOptions, TtsResult};
use proptest::prelude::*;
use std::sync::atomic::AtomicBool;

const Y: i32 = 2023;

fn capacity(mut fx: Fx, k: &str, country: &str, annual: f64) -> Fx {
    fx = fx.country(country);
    fx.ds.capacity.push(Output {
        key: key(k),
        country: Some(cc(country)),
        producer: String::new(),
        year: Y,
        quantity: annual,
        estimated: false,
        source: "src".into(),
        note: String::new(),
    });
    fx
}

fn stock(mut fx: Fx, k: &str, holder: &str, quantity: f64) -> Fx {
    fx = fx.country(holder);
    fx.ds.stockpiles.push(Stockpile {
        key: key(k),
        holder: cc(holder),
        year: Y,
        quantity,
        release_rule: String::new(),
        source: "src".into(),
        note: String::new(),
    });
    fx
}

fn net(ds: &Dataset) -> Network {
    Network::build(ds, &network_spec(ds, &[], None, 0.0, 0.0), Period::Month)
}

/// TTS with each listed (country, commodity/stage) node removed.
fn tts(ds: &Dataset, removed: &[(&str, &str)], opts: &TtsOptions) -> TtsResult {
    let n = net(ds);
    let ids: Vec<u32> = removed.iter().map(|(c, k)| n.node(cc(c), &key(k)).expect("node") as u32).collect();
    time_to_survive(&n, &ids, opts, &|_, _| {}, &AtomicBool::new(false)).expect("tts")
}

fn one(r: &TtsResult, country: &str, k: &str) -> (f64, bool) {
    let x = r.nodes.iter().find(|x| x.country == cc(country) && x.key == key(k)).expect("listed");
    (x.tts, x.capped)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + b.abs())
}

/// AU mines 50/month (600/yr), all exported to JP; BR has capacity 30/month
/// (360/yr) and produces nothing; JP holds a stock of 100. Removing AU:
/// JP needs 50 t, gets at most 30 t from BR and 100 from stock:
/// 50 t <= 100 + 30 t  =>  t = 100 / (50 - 30) = 5 months.
fn single_tier(spare_annual: f64, jp_stock: f64) -> Dataset {
    let fx = Fx::new().prod("x/mining", "AU", Y, 600.0).trade("x/mining", "AU", "JP", Y, 600.0);
    let fx = capacity(fx, "x/mining", "BR", spare_annual);
    stock(fx, "x/mining", "JP", jp_stock).build()
}

#[test]
fn one_supplier_removed_stock_and_spare_capacity() {
    let ds = single_tier(360.0, 100.0);
    let r = tts(&ds, &[("AU", "x/mining"), ("BR", "x/mining")], &TtsOptions::default());
    let (t, capped) = one(&r, "AU", "x/mining");
    // Closed form, written independently of the LP: stock / (demand - spare).
    let closed = 100.0 / (600.0 / 12.0 - 360.0 / 12.0);
    assert!(close(closed, 5.0));
    assert!(close(t, closed), "tts {t}");
    assert!(!capped);
    // BR produces nothing, so removing it loses nothing: no shortfall.
    assert_eq!(one(&r, "BR", "x/mining"), (120.0, true));
    // Sorted ascending; AU is a hot spot under the default 12-month TTR.
    assert_eq!(r.nodes[0].country, cc("AU"));
    assert!(r.nodes[0].hot_spot && !r.nodes[1].hot_spot);
    assert_eq!(r.nodes[0].binding, vec![key("x/mining")]);
    assert!((r.nodes[0].share - 1.0).abs() < 1e-12 && r.nodes[1].share == 0.0);
    // Baseline (nothing removed): normal production meets normal demand.
    assert_eq!(r.baseline.len(), 1);
    assert!(r.baseline[0].capped);
    assert_eq!(r.lp_solves, 3);
    assert!(!r.partial);
}

#[test]
fn no_stock_no_spare_fails_at_once() {
    let ds = single_tier(0.0, 0.0);
    let r = tts(&ds, &[("AU", "x/mining")], &TtsOptions::default());
    assert_eq!(one(&r, "AU", "x/mining"), (0.0, false));
    assert!(r.nodes[0].hot_spot);
}

/// Spare 60/month >= demand 50/month: the removal causes no shortfall ever;
/// the answer is the horizon cap, flagged as capped.
#[test]
fn no_shortfall_is_capped_at_the_horizon() {
    let ds = single_tier(720.0, 0.0);
    let r = tts(&ds, &[("AU", "x/mining")], &TtsOptions::default());
    assert_eq!(one(&r, "AU", "x/mining"), (120.0, true));
    assert!(!r.nodes[0].hot_spot);
    assert!(r.nodes[0].binding.is_empty());
    let opts = TtsOptions { horizon: 36.0, ..TtsOptions::default() };
    let r = tts(&ds, &[("AU", "x/mining")], &opts);
    assert_eq!(one(&r, "AU", "x/mining"), (36.0, true));
}

/// Stocks serve their holder only. AU supplies JP and KR 10/month each;
/// JP holds 100, KR nothing; no spare anywhere. Removing AU, KR is short at
/// once: TTS = 0 (a pooled stock would have given 100 / 20 = 5).
#[test]
fn stocks_serve_their_holder_only() {
    let fx = Fx::new()
        .prod("x/mining", "AU", Y, 240.0)
        .trade("x/mining", "AU", "JP", Y, 120.0)
        .trade("x/mining", "AU", "KR", Y, 120.0);
    let ds = stock(fx, "x/mining", "JP", 100.0).build();
    let r = tts(&ds, &[("AU", "x/mining")], &TtsOptions::default());
    assert_eq!(one(&r, "AU", "x/mining"), (0.0, false));
    // With KR holding 30 too: KR lasts 30 / 10 = 3, JP 100 / 10 = 10: TTS 3.
    let ds = stock(stock(
        Fx::new()
            .prod("x/mining", "AU", Y, 240.0)
            .trade("x/mining", "AU", "JP", Y, 120.0)
            .trade("x/mining", "AU", "KR", Y, 120.0),
        "x/mining",
        "JP",
        100.0,
    ), "x/mining", "KR", 30.0)
    .build();
    let r = tts(&ds, &[("AU", "x/mining")], &TtsOptions::default());
    assert!(close(one(&r, "AU", "x/mining").0, 3.0));
}

/// Two tiers. x/refining needs 2 x/mining per unit (recipe). AU mines
/// 20/month, all shipped to CN, which refines 10/month and ships it to JP.
/// BR can mine 8/month (capacity, no production). CN holds 24 of ore, JP 5
/// of refined. Optionally DE can refine 6/month (capacity only).
fn two_tier(de_refining: bool) -> Dataset {
    let fx = Fx::new()
        .commodity("x", "refining")
        .recipe("x/refining", "x/mining", 2.0)
        .prod("x/mining", "AU", Y, 240.0)
        .trade("x/mining", "AU", "CN", Y, 240.0)
        .prod("x/refining", "CN", Y, 120.0)
        .trade("x/refining", "CN", "JP", Y, 120.0);
    let mut fx = capacity(fx, "x/mining", "BR", 96.0);
    if de_refining {
        fx = capacity(fx, "x/refining", "DE", 72.0);
    }
    let fx = stock(fx, "x/mining", "CN", 24.0);
    stock(fx, "x/refining", "JP", 5.0).build()
}

#[test]
fn two_tier_recipe() {
    let ds = two_tier(false);
    let n = net(&ds);
    assert_eq!(n.rin_qty, vec![2.0], "the recipe reaches the network unscaled");
    let r = tts(&ds, &[("AU", "x/mining"), ("CN", "x/refining"), ("BR", "x/mining")], &TtsOptions::default());
    // AU removed: refined output y (over [0, t]) <= 10 t; JP: 10 t <= 5 + y;
    // ore for CN: 2 y <= 24 + 8 t (stock + BR). With y = 10 t - 5:
    // 20 t - 10 <= 24 + 8 t  =>  t = 34 / 12.
    let (t, capped) = one(&r, "AU", "x/mining");
    assert!(close(t, 34.0 / 12.0) && !capped, "tts {t}");
    assert!(r.nodes.iter().find(|x| x.country == cc("AU")).unwrap().binding.contains(&key("x/mining")));
    // CN (the only refiner) removed: JP lives on its stock: 5 / 10 = 0.5.
    assert!(close(one(&r, "CN", "x/refining").0, 0.5));
    // BR produces nothing.
    assert_eq!(one(&r, "BR", "x/mining"), (120.0, true));
    // One component (the recipe links the two stages): one baseline.
    assert_eq!(r.baseline.len(), 1);
    assert_eq!(r.baseline[0].keys, vec![key("x/mining"), key("x/refining")]);
    assert!(r.baseline[0].capped);
    // Ascending: CN 0.5, AU 2.83, BR capped.
    let order: Vec<_> = r.nodes.iter().map(|x| x.country.to_string()).collect();
    assert_eq!(order, ["CN", "AU", "BR"]);
}

/// CN removed with DE able to refine 6/month: JP 10 t <= 5 + 6 t  =>
/// t = 1.25; DE's ore (12 t) comes from AU, whose 20/month no longer goes to
/// CN, so ore does not bind.
#[test]
fn two_tier_spare_refiner() {
    let ds = two_tier(true);
    let r = tts(&ds, &[("CN", "x/refining")], &TtsOptions::default());
    assert!(close(one(&r, "CN", "x/refining").0, 1.25));
    assert_eq!(r.nodes[0].binding, vec![key("x/refining")]);
}

/// Exact balance with a crumb: AU ships 600/yr and KR 1e-6/yr (below 1e-7
/// of AU, so pooled) to JP; nothing spare, no stock. Nothing removed, supply
/// equals demand: capped. Removing KR leaves the same (a crumb is lost:
/// pooled producers keep the baseline). Removing AU: 0.
#[test]
fn negligible_producer_keeps_the_balance() {
    let ds = Fx::new()
        .prod("x/mining", "AU", Y, 600.0)
        .prod("x/mining", "KR", Y, 1e-6)
        .trade("x/mining", "AU", "JP", Y, 600.0)
        .trade("x/mining", "KR", "JP", Y, 1e-6)
        .build();
    let r = tts(&ds, &[("AU", "x/mining"), ("KR", "x/mining")], &TtsOptions::default());
    assert!(r.baseline[0].capped);
    assert_eq!(one(&r, "KR", "x/mining"), (120.0, true));
    assert_eq!(one(&r, "AU", "x/mining"), (0.0, false));
    assert_eq!(r.lp_solves, 2, "the crumb's removal is the baseline, not solved again");
}

#[test]
fn ttr_rules_and_hot_spots() {
    let ds = two_tier(false);
    let opts = TtsOptions {
        horizon: 120.0,
        ttr: 2.0,
        ttr_rules: vec![
            TtrRule { commodity: CommoditySel::Key(key("x/refining")), periods: 0.25 },
            TtrRule { commodity: CommoditySel::AllStages("x".into()), periods: 3.0 },
        ],
    };
    // The stage-specific rule beats the commodity-wide one, whatever the order.
    assert_eq!(opts.ttr_for(&key("x/refining")), 0.25);
    assert_eq!(opts.ttr_for(&key("x/mining")), 3.0);
    assert_eq!(opts.ttr_for(&key("y/mining")), 2.0);
    let r = tts(&ds, &[("AU", "x/mining"), ("CN", "x/refining"), ("BR", "x/mining")], &opts);
    for x in &r.nodes {
        assert_eq!(x.hot_spot, x.tts < x.ttr, "{x:?}");
    }
    // CN: 0.5 >= 0.25, not a hot spot; AU: 2.83 < 3, a hot spot.
    let hot: Vec<_> = r.nodes.iter().filter(|x| x.hot_spot).map(|x| x.country.to_string()).collect();
    assert_eq!(hot, ["AU"]);
}

#[test]
fn bad_options_are_errors() {
    let ds = single_tier(360.0, 100.0);
    let n = net(&ds);
    let no = AtomicBool::new(false);
    let run = |o: &TtsOptions| time_to_survive(&n, &[0], o, &|_, _| {}, &no);
    let o = TtsOptions { ttr: 200.0, ..TtsOptions::default() };
    assert!(matches!(run(&o), Err(TtsError::BadOption(m)) if m.contains("beyond the horizon")));
    let o = TtsOptions { horizon: 0.0, ..TtsOptions::default() };
    assert!(matches!(run(&o), Err(TtsError::BadOption(_))));
    let o = TtsOptions { ttr: f64::NAN, ..TtsOptions::default() };
    assert!(matches!(run(&o), Err(TtsError::BadOption(_))));
}

#[test]
fn cancel_progress_and_determinism() {
    let ds = two_tier(true);
    let n = net(&ds);
    let all: Vec<u32> = (0..n.len() as u32).collect();
    let calls = std::sync::Mutex::new(vec![]);
    let prog = |d: usize, t: usize| calls.lock().unwrap().push((d, t));
    let a = time_to_survive(&n, &all, &TtsOptions::default(), &prog, &AtomicBool::new(false)).unwrap();
    // Producers with capacity: AU, BR (mining), CN, DE (refining); JP is
    // only a consumer and is skipped.
    assert_eq!(a.nodes.len(), 4);
    assert_eq!(a.skipped_no_capacity, n.len() - 4);
    assert_eq!(*calls.lock().unwrap(), vec![(1, 4), (2, 4), (3, 4), (4, 4)]);
    let b = time_to_survive(&n, &all, &TtsOptions::default(), &|_, _| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(a, b);
    let c = time_to_survive(&n, &all, &TtsOptions::default(), &|_, _| {}, &AtomicBool::new(true)).unwrap();
    assert!(c.partial && c.nodes.is_empty());
}

#[test]
fn recipe_closure_follows_recipes_both_ways() {
    let ds = two_tier(false);
    assert_eq!(recipe_closure(&ds, &[key("x/refining")]), vec![key("x/mining"), key("x/refining")]);
    assert_eq!(recipe_closure(&ds, &[key("x/mining")]), vec![key("x/mining"), key("x/refining")]);
}

// ---------------------------------------------------------------------------
// Single-tier networks at random: the LP against an independent computation.

/// Suppliers (production, extra capacity) and consumers (demand, stock),
/// annual quantities; supplier 0 is removed.
#[derive(Clone, Debug)]
struct Case {
    suppliers: Vec<(u32, u32)>,
    consumers: Vec<(u32, u32)>,
}

const SUP: [&str; 4] = ["AU", "BR", "CA", "CL"];
const CON: [&str; 3] = ["JP", "KR", "DE"];

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((1u32..200, 0u32..100), 1..=4),
        prop::collection::vec((1u32..100, 0u32..300), 1..=3),
    )
        .prop_map(|(suppliers, consumers)| Case { suppliers, consumers })
}

/// Each supplier ships its whole output to the consumers in proportion to
/// their demand weights, so each consumer's apparent consumption is its
/// weight's share of total output. Quantities are integers x 12 (monthly
/// integers) to keep the arithmetic exact.
fn dataset(c: &Case) -> (Dataset, Vec<f64>) {
    let mut fx = Fx::new();
    let wsum: u32 = c.consumers.iter().map(|x| x.0).sum();
    let total: u32 = c.suppliers.iter().map(|x| x.0).sum();
    let mut demand = vec![0.0; c.consumers.len()];
    for (i, &(p, extra)) in c.suppliers.iter().enumerate() {
        fx = fx.prod("x/mining", SUP[i], Y, 12.0 * p as f64);
        for (j, &(w, _)) in c.consumers.iter().enumerate() {
            let q = p as f64 * w as f64 / wsum as f64;
            fx = fx.trade("x/mining", SUP[i], CON[j], Y, 12.0 * q);
        }
        if extra > 0 {
            fx = capacity(fx, "x/mining", SUP[i], 12.0 * (p + extra) as f64);
        }
    }
    for (j, &(w, s)) in c.consumers.iter().enumerate() {
        demand[j] = total as f64 * w as f64 / wsum as f64;
        if s > 0 {
            fx = stock(fx, "x/mining", CON[j], s as f64);
        }
    }
    (fx.build(), demand)
}

/// Independent answer: the largest t in [0, H] with
/// sum_c max(0, d_c t - s_c) <= C t, C the other suppliers' capacity
/// (per month). The left side minus the right is convex and 0 at t = 0, so
/// the feasible set is an interval [0, t*]: bisection finds t*.
fn by_bisection(c: &Case, demand: &[f64], h: f64) -> f64 {
    let cap: f64 = c.suppliers.iter().skip(1).map(|&(p, e)| (p + e) as f64).sum();
    let f = |t: f64| -> f64 {
        demand.iter().zip(&c.consumers).map(|(d, &(_, s))| (d * t - s as f64).max(0.0)).sum::<f64>() - cap * t
    };
    if f(h) <= 1e-9 {
        return h;
    }
    let (mut lo, mut hi) = (0.0, h);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) <= 1e-12 * (1.0 + mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn removed_tts(ds: &Dataset) -> f64 {
    let r = tts(ds, &[("AU", "x/mining")], &TtsOptions::default());
    r.nodes[0].tts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn single_tier_matches_bisection(c in case()) {
        let (ds, demand) = dataset(&c);
        let lp = removed_tts(&ds);
        let indep = by_bisection(&c, &demand, 120.0);
        prop_assert!((lp - indep).abs() <= 1e-6 * (1.0 + indep), "lp {} vs bisection {}", lp, indep);
    }

    #[test]
    fn more_stock_never_lowers_tts(c in case(), j in 0usize..3, add in 1u32..200) {
        let (ds, _) = dataset(&c);
        let mut more = c.clone();
        let j = j % more.consumers.len();
        more.consumers[j].1 += add;
        let (ds2, _) = dataset(&more);
        let (a, b) = (removed_tts(&ds), removed_tts(&ds2));
        prop_assert!(b >= a - 1e-9 * (1.0 + a), "{} -> {}", a, b);
    }

    #[test]
    fn more_spare_capacity_never_lowers_tts(c in case(), i in 0usize..4, add in 1u32..100) {
        let (ds, _) = dataset(&c);
        let mut more = c.clone();
        let i = i % more.suppliers.len();
        more.suppliers[i].1 += add;
        let (ds2, _) = dataset(&more);
        let (a, b) = (removed_tts(&ds), removed_tts(&ds2));
        prop_assert!(b >= a - 1e-9 * (1.0 + a), "{} -> {}", a, b);
    }
}
