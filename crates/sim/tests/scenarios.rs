//! Scenario files: the examples parse; bad files give one clear error at
//! the right line:column.

mod common;
use common::*;
use lodestone_sim::*;

fn ds() -> lodestone_model::Dataset {
    Fx::new()
        .commodity("rare_earths", "mining")
        .commodity("rare_earth_compounds", "refining")
        .commodity("nickel", "mining")
        .commodity("nickel", "refining")
        .commodity("nickel_ore", "mining")
        .commodity("graphite", "mining")
        .commodity("cobalt", "mining")
        .commodity("lithium", "mining")
        .commodity("cobalt_unwrought", "refining")
        .commodity("lithium_carbonate", "refining")
        .prod("graphite/mining", "CN", 2024, 1000.0)
        .prod("graphite/mining", "MZ", 2024, 100.0)
        .trade("graphite/mining", "MZ", "CN", 2024, 60.0)
        .trade("graphite/mining", "CN", "JP", 2024, 200.0)
        .trade("graphite/mining", "CN", "IN", 2024, 50.0)
        .country("ID")
        .country("CD")
        .country("CL")
        .country("MG")
        .country("TZ")
        .country("KR")
        .country("DE")
        .country("PL")
        .country("NO")
        .country("PH")
        .group("g7", &["JP", "DE"])
        .group("jp_us_ph", &["JP", "PH"])
        .build()
}

#[test]
fn examples_parse() {
    let ds = ds();
    for f in ["rare-earth-export-ban", "indonesia-nickel-halt", "malacca-closure", "monte-carlo-critical-minerals"] {
        let path = format!("{}/../../examples/scenarios/{f}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let sc = parse_scenario(&format!("{f}.toml"), &text, &ds).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sc.name, f);
    }
    let text = std::fs::read_to_string(format!("{}/../../examples/scenarios/monte-carlo-critical-minerals.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let sc = parse_scenario("mc.toml", &text, &ds).unwrap();
    let mc = sc.monte_carlo.unwrap();
    assert_eq!((mc.runs, mc.seed, mc.events.len()), (10000, 20251028, 5));
}

#[test]
fn malacca_example_runs_end_to_end() {
    // graphite/mining: MZ -> CN and CN -> JP/IN cross Malacca in the
    // explicit flows; the closure has share 0.8 in periods 1-2.
    let ds = ds();
    let text = std::fs::read_to_string(format!("{}/../../examples/scenarios/malacca-closure.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let sc = parse_scenario("malacca-closure.toml", &text, &ds).unwrap();
    let net = Network::build(&ds, &sc.network, sc.period);
    let c = compile(&net, &sc, &dataset_groups(&ds));
    let r = simulate(&net, &c, Record::Full, &|_, _| {}, &std::sync::atomic::AtomicBool::new(false));
    // CN -> JP stays inside East Asia: no shortfall in JP.
    let jp = net.node(cc("JP"), &key("graphite/mining")).unwrap();
    assert_eq!(r.nodes[jp].cumulative_shortfall, 0.0);
    // IN imports 50/12 = 4.1667 a month from CN (listed in the explicit
    // flows) and holds 1 month of stock (4.1667; IN produces nothing).
    // 80% of CN->IN is blocked in periods 1 and 2: 0.8333 arrives in t2.
    // t2: gap 3.3333 drawn from stock (0.8333 left).
    // CN is squeezed too: MZ->CN (5/month) is 80% blocked, so in t2 CN has
    // 1000/12 + 1 = 84.333 against claims 67.5 (own need: (1000+60-250)/12)
    // + 16.667 (JP) + 0.8333 (IN) = 85; pro rata 84.333/85, so IN is sent
    // 0.8333 x 84.333/85 = 0.826797, arriving in t3.
    // t3: need 4.1667 - 0.826797 - 0.8333 (rest of stock) = 2.506536 short.
    let inn = net.node(cc("IN"), &key("graphite/mining")).unwrap();
    let s = r.series.as_ref().unwrap();
    let short: Vec<f64> = (0..4).map(|t| s.shortfall[t * net.len() + inn]).collect();
    let want = [0.0, 0.0, 0.0, 50.0 / 12.0 - (50.0 / 12.0 * 0.2) * (1000.0 / 12.0 + 1.0) / 85.0 - 50.0 / 12.0 * 0.2];
    for t in 0..4 {
        assert!((short[t] - want[t]).abs() < 1e-9, "{short:?} vs {want:?}");
    }
    assert_eq!(r.nodes[inn].time_to_survive, Some(3));
}

/// Parses `text` and expects exactly one error at line:column whose
/// message contains `needle`.
#[track_caller]
fn bad(text: &str, line: usize, column: usize, key: &str, needle: &str) {
    let e = parse_scenario("bad.toml", text, &ds()).expect_err("should fail");
    assert_eq!(e.0.len(), 1, "{e}");
    let e = &e.0[0];
    assert_eq!((e.line, e.column, e.key.as_str()), (line, column, key), "{e}");
    assert!(e.message.contains(needle), "{e}");
    assert!(e.to_string().starts_with(&format!("bad.toml:{line}:{column}: ")), "{e}");
}

const HEAD: &str = "name = \"b\"\nhorizon = 12\n";

#[test]
fn unknown_key() {
    // Line 5 is `durration = 3`, the key starts at column 1.
    let t = format!("{HEAD}[[disruption]]\nkind = \"outage\"\ndurration = 3\ncountry = \"CN\"\ncommodity = \"x/mining\"\nstart = 0\nduration = 1\n");
    bad(&t, 5, 1, "disruption[1].durration", "unknown key `durration`; expected one of:");
}

#[test]
fn unknown_country_and_commodity() {
    // `country = "XX"`: the value starts at column 11 of line 5.
    let t = format!("{HEAD}[[disruption]]\nkind = \"outage\"\ncountry = \"XX\"\ncommodity = \"x/mining\"\nstart = 0\nduration = 1\n");
    bad(&t, 5, 11, "disruption[1].country", "unknown country `XX`");
    // `commodity = "x/refining"` is not declared: line 6, column 13.
    let t = format!("{HEAD}[[disruption]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/refining\"\nstart = 0\nduration = 1\n");
    bad(&t, 6, 13, "disruption[1].commodity", "unknown commodity `x/refining`");
}

#[test]
fn negative_duration_and_start_beyond_horizon() {
    // `duration = -2` on line 8: value at column 12.
    let t = format!("{HEAD}[[disruption]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\nstart = 0\nduration = -2\n");
    bad(&t, 8, 12, "disruption[1].duration", "negative (-2)");
    // `start = 12` with horizon 12 (periods 0..11): line 7, column 9.
    let t = format!("{HEAD}[[disruption]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\nstart = 12\nduration = 1\n");
    bad(&t, 7, 9, "disruption[1].start", "beyond the horizon");
}

#[test]
fn share_outside_unit_interval() {
    // `share = 1.5` on line 7, value at column 9.
    let t = format!("{HEAD}[[disruption]]\nkind = \"export_restriction\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\nshare = 1.5\nstart = 0\nduration = 1\n");
    bad(&t, 7, 9, "disruption[1].share", "outside 0-1");
    // In an inline table inside the Monte Carlo catalogue: column counts characters.
    let t = format!("{HEAD}[monte_carlo]\nruns = 10\n[[monte_carlo.event]]\nkind = \"outage\"\ncountry = \"CN\"\ncommodity = \"x/mining\"\nannual_probability = 2\nduration = {{ dist = \"uniform\", min = 1, max = 2 }}\n");
    // Lines: 1 name, 2 horizon, 3 [monte_carlo], 4 runs, 5 [[monte_carlo.event]],
    // 6 kind, 7 country, 8 commodity, 9 annual_probability (value at column 22).
    bad(&t, 9, 22, "monte_carlo.event[1].annual_probability", "outside 0-1");
}

#[test]
fn syntax_error_and_missing_keys() {
    let e = parse_scenario("bad.toml", "name = \"x\"\nhorizon = = 3\n", &ds()).unwrap_err();
    assert_eq!(e.0[0].line, 2, "{e}");
    assert!(e.0[0].message.contains("not valid TOML"));
    let e = parse_scenario("bad.toml", "name = \"x\"\n", &ds()).unwrap_err();
    assert!(e.to_string().contains("missing required key `horizon`"), "{e}");
    // Several problems are all reported, in file order.
    let t = format!("{HEAD}period = \"day\"\n[policy]\nallocation = \"lottery\"\nwat = 1\n");
    let e = parse_scenario("bad.toml", &t, &ds()).unwrap_err();
    let where_: Vec<(usize, usize)> = e.0.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(where_, vec![(3, 10), (5, 14), (6, 1)], "{e}");
}

